//! The dual step (`delta1`..`delta4`): the smallest valid candidate of each lazily pruned heap,
//! which of them ends the step, and, for tests, the same step recomputed by brute force.

use std::cmp::Reverse;

use super::matcher::{FREE, Matcher, NONE, S, T};

/// Which kind of dual step ends a substage.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Step {
    /// The dual of this S-vertex reaches zero: its tree stops.
    VertexZero(usize),
    /// This edge from an S-vertex to an unlabelled vertex becomes tight.
    ToFree(usize),
    /// This edge between two S-blossoms becomes tight.
    BetweenS(usize),
    /// The dual of this T-blossom reaches zero: it is expanded.
    Expand(usize),
}

impl Matcher {
    /// The smallest valid `delta1` candidate: (step, vertex).
    fn top_vertex(&mut self) -> Option<(i64, usize)> {
        while let Some(&Reverse((key, v))) = self.heap_vertex.peek() {
            if self.label[self.inblossom[v]] == S && self.y(v) + self.shift == key {
                return Some((key - self.shift, v));
            }
            self.heap_vertex.pop();
        }
        None
    }

    /// The smallest valid `delta2` candidate: (step, edge).
    fn top_free(&mut self) -> Option<(i64, usize)> {
        while let Some(&Reverse((key, x))) = self.heap_free.peek() {
            if self.label[self.inblossom[x]] != FREE {
                // Labelled since; it is offered again if it becomes unlabelled.
                self.heap_free.pop();
                continue;
            }
            let e = self.best_free[x];
            if e == NONE {
                self.heap_free.pop();
                continue;
            }
            let far = self.endpoint[2 * e] ^ self.endpoint[2 * e + 1] ^ x;
            if self.label[self.inblossom[far]] != S {
                // The S end left the forest: look again at all of x's edges.
                self.heap_free.pop();
                self.refresh_free(x);
                continue;
            }
            let real = self.slack(e) + self.shift;
            if real == key {
                return Some((key - self.shift, e));
            }
            // An older entry, or duals moved under a label change: look again.
            self.heap_free.pop();
            self.refresh_free(x);
        }
        None
    }

    /// The smallest valid `delta3` candidate: (step, edge).
    fn top_between(&mut self) -> Option<(i64, usize)> {
        while let Some(&Reverse((key, k))) = self.heap_between.peek() {
            let bi = self.inblossom[self.endpoint[2 * k]];
            let bj = self.inblossom[self.endpoint[2 * k + 1]];
            if bi != bj && self.label[bi] == S && self.label[bj] == S {
                let real = self.slack(k) + 2 * self.shift;
                if real == key {
                    // Both ends are S-vertices of equal parity: the slack is even.
                    return Some(((key - 2 * self.shift) / 2, k));
                }
                self.heap_between.pop();
                self.heap_between.push(Reverse((real, k)));
            } else {
                self.heap_between.pop();
            }
        }
        None
    }

    /// The smallest valid `delta4` candidate: (step, blossom).
    fn top_blossom(&mut self) -> Option<(i64, usize)> {
        while let Some(&Reverse((key, b))) = self.heap_blossom.peek() {
            if self.base[b] != NONE
                && self.parent[b] == NONE
                && self.label[b] == T
                && self.z(b) + self.shift == key
            {
                return Some((key - self.shift, b));
            }
            self.heap_blossom.pop();
        }
        None
    }

    /// Finds the dual step: its size and what happens at its end.
    pub(super) fn choose_step(&mut self) -> Option<(i64, Step)> {
        let mut other: Option<(i64, Step)> = None;
        let candidates = [
            self.top_free().map(|(d, k)| (d, Step::ToFree(k))),
            self.top_between().map(|(d, k)| (d, Step::BetweenS(k))),
            self.top_blossom().map(|(d, b)| (d, Step::Expand(b))),
        ];
        for c in candidates.into_iter().flatten() {
            if other.is_none_or(|(best, _)| c.0 < best) {
                other = Some(c);
            }
        }
        let d1 = self.top_vertex().map(|(d, v)| (d, Step::VertexZero(v)));
        // On a tie, prefer progress in the forest over stopping a tree: same weight, more pairs.
        match (d1, other) {
            (Some(a), Some(b)) => Some(if a.0 < b.0 { a } else { b }),
            (a, b) => a.or(b),
        }
    }

    /// The dual step computed the slow way, for tests.
    #[cfg(test)]
    pub(super) fn brute_force_step(&self) -> Option<i64> {
        let mut best: Option<i64> = None;
        let mut offer = |d: i64| best = Some(best.map_or(d, |b: i64| b.min(d)));
        for v in 0..self.n {
            if self.label[self.inblossom[v]] == S {
                offer(self.y(v));
            }
        }
        for k in 0..self.weight2.len() {
            let (i, j) = (self.endpoint[2 * k], self.endpoint[2 * k + 1]);
            let (bi, bj) = (self.inblossom[i], self.inblossom[j]);
            if bi == bj {
                continue;
            }
            let (li, lj) = (self.label[bi], self.label[bj]);
            if li == S && lj == S {
                assert_eq!(self.slack(k) % 2, 0, "odd slack between S-blossoms");
                offer(self.slack(k) / 2);
            } else if (li == S && lj == FREE) || (li == FREE && lj == S) {
                offer(self.slack(k));
            }
        }
        for b in self.n..2 * self.n {
            if self.base[b] != NONE && self.parent[b] == NONE && self.label[b] == T {
                offer(self.z(b));
            }
        }
        best
    }
}
