//! The sweep after each search: every augmenting path of zero reduced cost a depth-first search
//! finds is taken, placing one more member each and moving others along the path.

use super::network::{NONE, Network};

/// One step of an augmenting path found by the sweep: the member moves to the volunteer,
/// over an edge of this weight.
#[derive(Clone, Copy)]
struct Move {
    member: usize,
    volunteer: usize,
    weight: i64,
}

impl Network {
    /// Depth-first search over zero-reduced-cost arcs from volunteer `start` to the sink.
    /// Returns the moves after the first one (which the caller knows) and the last
    /// volunteer, or `None` (marking what cannot reach the sink as dead for this phase).
    fn find_path(
        &self,
        start: usize,
        dead: &mut [bool],
        on_path: &mut [bool],
    ) -> Option<Vec<Move>> {
        let vols = self.volunteers;
        let sink = self.sink();
        // Stack of (vertex, next arc index); arc 0 of a volunteer is its arc to the sink.
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        on_path[start] = true;
        let mut found = false;
        while let Some(&mut (u, ref mut next)) = stack.last_mut() {
            let mut step = None;
            if u < vols {
                let v = u;
                if *next == 0 {
                    *next = 1;
                    if self.has_room(v) && self.pot[v] - self.pot[sink] == 0 {
                        found = true;
                        break;
                    }
                }
                while *next <= self.holders[v].len() {
                    let m = self.holders[v][*next - 1];
                    *next += 1;
                    let x = vols + m;
                    if !dead[x]
                        && !on_path[x]
                        && self.assigned_w[m] + self.pot[v] - self.pot[x] == 0
                    {
                        step = Some(x);
                        break;
                    }
                }
            } else {
                let m = u - vols;
                let lo = self.member_start[m];
                let hi = self.member_start[m + 1];
                while lo + *next < hi {
                    let i = lo + *next;
                    *next += 1;
                    let v = self.member_vol[i];
                    if v != self.assigned_to[m]
                        && !dead[v]
                        && !on_path[v]
                        && -self.member_w[i] + self.pot[u] - self.pot[v] == 0
                    {
                        step = Some(v);
                        break;
                    }
                }
            }
            match step {
                Some(x) => {
                    on_path[x] = true;
                    stack.push((x, 0));
                }
                None => {
                    dead[u] = true;
                    on_path[u] = false;
                    stack.pop();
                }
            }
        }
        for &(u, _) in &stack {
            on_path[u] = false;
        }
        if !found {
            return None;
        }
        // The stack alternates volunteer, member, volunteer, ..., volunteer.
        let mut moves = Vec::with_capacity(stack.len() / 2);
        for pair in stack.windows(2) {
            let (u, x) = (pair[0].0, pair[1].0);
            if u >= vols {
                let m = u - vols;
                let i = self.member_start[m] + pair[0].1 - 1;
                moves.push(Move {
                    member: m,
                    volunteer: x,
                    weight: self.member_w[i],
                });
            }
        }
        Some(moves)
    }

    /// Places `first` and shifts every member along the path by one volunteer.
    fn apply(&mut self, first: Move, rest: &[Move]) {
        for mv in std::iter::once(&first).chain(rest) {
            let old = self.assigned_to[mv.member];
            if old != NONE {
                self.holders[old].retain(|&h| h != mv.member);
            }
            self.assigned_to[mv.member] = mv.volunteer;
            self.assigned_w[mv.member] = mv.weight;
            self.holders[mv.volunteer].push(mv.member);
        }
    }

    /// Takes every augmenting path of zero reduced cost that a depth-first sweep finds.
    pub(super) fn sweep(&mut self, dead: &mut [bool], on_path: &mut [bool]) {
        dead.fill(false);
        for v in 0..self.volunteers {
            while !dead[v] {
                let Some((w, m)) = self.best_free(v) else {
                    break;
                };
                if -self.pot[v] - w != 0 {
                    break;
                }
                let Some(rest) = self.find_path(v, dead, on_path) else {
                    break;
                };
                let first = Move {
                    member: m,
                    volunteer: v,
                    weight: w,
                };
                self.apply(first, &rest);
            }
        }
    }
}
