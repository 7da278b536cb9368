//! The shortest-path search: Dijkstra on reduced costs from the source over volunteers and
//! placed members, stopping once the sink is settled, then moving the potentials so that every
//! reduced cost stays non-negative.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::network::{Network, UNREACHED};

impl Network {
    /// Dijkstra on reduced costs from the source, stopping once the sink is settled. Updates
    /// the potentials and returns whether the sink was reached.
    pub(super) fn search(
        &mut self,
        dist: &mut [i64],
        touched: &mut Vec<usize>,
        done: &mut [bool],
    ) -> bool {
        for &u in touched.iter() {
            dist[u] = UNREACHED;
            done[u] = false;
        }
        touched.clear();
        let sink = self.sink();
        let vols = self.volunteers;
        let mut heap = BinaryHeap::new();
        let mut relax = |u: usize, d: i64, dist: &mut [i64], heap: &mut BinaryHeap<_>| {
            if d < dist[u] {
                if dist[u] == UNREACHED {
                    touched.push(u);
                }
                dist[u] = d;
                heap.push(Reverse((d, u)));
            }
        };
        for v in 0..vols {
            if let Some((w, _)) = self.best_free(v) {
                relax(v, -self.pot[v] - w, dist, &mut heap);
            }
        }
        let mut reached = false;
        while let Some(Reverse((d, u))) = heap.pop() {
            if done[u] || d > dist[u] {
                continue;
            }
            done[u] = true;
            if u == sink {
                reached = true;
                break;
            }
            if u < vols {
                let v = u;
                if self.has_room(v) {
                    relax(sink, d + self.pot[v] - self.pot[sink], dist, &mut heap);
                }
                for &m in &self.holders[v] {
                    let x = vols + m;
                    relax(
                        x,
                        d + self.assigned_w[m] + self.pot[v] - self.pot[x],
                        dist,
                        &mut heap,
                    );
                }
            } else {
                let m = u - vols;
                let here = self.pot[u];
                for i in self.member_start[m]..self.member_start[m + 1] {
                    let v = self.member_vol[i];
                    if v != self.assigned_to[m] {
                        relax(
                            v,
                            d - self.member_w[i] + here - self.pot[v],
                            dist,
                            &mut heap,
                        );
                    }
                }
            }
        }
        if !reached {
            return false;
        }
        let limit = dist[sink];
        for (p, &d) in self.pot[..vols].iter_mut().zip(&dist[..vols]) {
            *p += d.min(limit);
        }
        for v in 0..vols {
            for &m in &self.holders[v] {
                self.pot[vols + m] += dist[vols + m].min(limit);
            }
        }
        self.pot[sink] += limit;
        true
    }
}
