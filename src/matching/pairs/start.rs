//! Where a run starts: the greedy warm start (feasible duals split per person, a matching of
//! tight edges, short augmenting paths, the roots) and, for tests, the textbook cold start.

use super::matcher::{Matcher, NONE};

impl Matcher {
    /// The textbook starting point: every vertex with an edge gets the largest weight as its
    /// dual and is a root; vertices without edges get zero. Used when the warm start is off.
    #[cfg(test)]
    pub(super) fn cold_start(&mut self) {
        let max_w = self.weight2.iter().copied().max().unwrap_or(0) / 2;
        for v in 0..self.n {
            if !self.neighbours(v).is_empty() {
                self.dual[v] = max_w;
                self.roots.push(v);
            }
        }
    }

    /// Greedy warm start: feasible duals, a matching of tight edges, and the roots.
    ///
    /// Each vertex gets an offset: how far its lightest edge lies above the lightest edge of
    /// the graph. When weights carry per-person terms (`w(u, v) ≈ a(u) + a(v) + pair part`,
    /// such as a waiting bonus) the offset estimates `a(v)`, so the vertex's own dual absorbs
    /// it instead of inflating every neighbour's. The dual starts at twice the offset plus the
    /// largest remaining part of an incident edge (feasible by construction), and one sweep
    /// lowers each dual to the least value its edges allow given its neighbours' current
    /// duals (all vertices are single, so any dual may move; a second sweep would change
    /// nothing, as lowering a neighbour only raises what a vertex needs). Tight edges are then
    /// matched greedily, heaviest first, and augmenting paths of length three over tight
    /// edges (single, matched pair, single) are taken.
    pub(super) fn warm_start(&mut self) {
        let lightest = self.weight2.iter().copied().min().unwrap_or(0) / 2;
        let mut offset = vec![0_i64; self.n];
        for (v, slot) in offset.iter_mut().enumerate() {
            let mut low = i64::MAX;
            for i in self.neighbours(v) {
                low = low.min(self.weight2[self.adj[i] >> 1] / 2);
            }
            if low != i64::MAX {
                *slot = low - lightest;
            }
        }
        for v in 0..self.n {
            let mut rest = 0;
            for i in self.neighbours(v) {
                let p = self.adj[i];
                rest = rest.max(self.weight2[p >> 1] / 2 - offset[v] - offset[self.endpoint[p]]);
            }
            // y(u) + y(v) >= 2 (offset(u) + offset(v) + rest) >= 2 w(u, v) on every edge.
            self.dual[v] = 2 * offset[v] + rest;
        }
        for v in 0..self.n {
            let mut need = 0;
            for i in self.neighbours(v) {
                let p = self.adj[i];
                need = need.max(self.weight2[p >> 1] - self.dual[self.endpoint[p]]);
            }
            self.dual[v] = need;
        }
        // Tight edges, heaviest first.
        let mut tight: Vec<usize> = (0..self.weight2.len())
            .filter(|&k| {
                self.dual[self.endpoint[2 * k]] + self.dual[self.endpoint[2 * k + 1]]
                    == self.weight2[k]
            })
            .collect();
        tight.sort_unstable_by(|&a, &b| self.weight2[b].cmp(&self.weight2[a]).then(a.cmp(&b)));
        for k in tight {
            let (a, b) = (self.endpoint[2 * k], self.endpoint[2 * k + 1]);
            if self.mate[a] == NONE && self.mate[b] == NONE {
                self.mate[a] = 2 * k + 1;
                self.mate[b] = 2 * k;
            }
        }
        // Augmenting paths of length three over tight edges: v - u = u' - x.
        for v in 0..self.n {
            if self.mate[v] != NONE || self.dual[v] == 0 {
                continue;
            }
            'outer: for i in self.neighbours(v) {
                let p = self.adj[i];
                let u = self.endpoint[p];
                if self.mate[u] == NONE || self.slack_plain(p >> 1) != 0 {
                    continue;
                }
                let q = self.mate[u];
                let u2 = self.endpoint[q];
                for j in self.neighbours(u2) {
                    let r = self.adj[j];
                    let x = self.endpoint[r];
                    if x != v && self.mate[x] == NONE && self.slack_plain(r >> 1) == 0 {
                        self.mate[v] = p;
                        self.mate[u] = p ^ 1;
                        self.mate[u2] = r;
                        self.mate[x] = r ^ 1;
                        break 'outer;
                    }
                }
            }
        }
        for v in 0..self.n {
            if self.mate[v] == NONE && self.dual[v] > 0 {
                // Raising a single vertex keeps every edge feasible; an even dual gives all
                // roots the same parity.
                self.dual[v] += self.dual[v] & 1;
                self.roots.push(v);
            }
        }
    }

    /// Twice the slack of edge `k` from the stored duals (before any label exists).
    fn slack_plain(&self, k: usize) -> i64 {
        self.dual[self.endpoint[2 * k]] + self.dual[self.endpoint[2 * k + 1]] - self.weight2[k]
    }
}
