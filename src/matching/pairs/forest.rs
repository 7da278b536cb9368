//! The alternating forest: labelling blossoms S and T, following tight edges from S-vertices,
//! recording the least-slack edges as dual-step candidates, flipping augmenting paths, and
//! taking apart the trees an augmentation used while the others keep growing.

use std::cmp::Reverse;

use super::matcher::{FREE, Matcher, NONE, S, T};

impl Matcher {
    /// Records edge `k`, with the given slack, from an S-vertex to `w` (unlabelled or inside
    /// a T-blossom) if it beats `w`'s least-slack edge.
    fn offer_free_edge(&mut self, w: usize, k: usize, slack: i64) {
        let cur = self.best_free[w];
        if cur == NONE || slack < self.slack(cur) {
            self.best_free[w] = k;
            self.touch_v(w);
            self.heap_free.push(Reverse((slack + self.shift, w)));
        }
    }

    /// Recomputes the least-slack edge from vertex `x` (unlabelled) to the S-vertices and
    /// offers it as a `delta2` candidate; edges that are already tight are queued to be
    /// followed.
    pub(super) fn refresh_free(&mut self, x: usize) {
        let mut best = NONE;
        let mut best_slack = 0;
        for i in self.neighbours(x) {
            let p = self.adj[i];
            let s = self.endpoint[p];
            if self.label[self.inblossom[s]] == S {
                let k = p >> 1;
                let sl = self.slack(k);
                if sl <= 0 {
                    self.allow(k);
                    self.edge_queue.push((s, p ^ 1));
                }
                if best == NONE || sl < best_slack {
                    best = k;
                    best_slack = sl;
                }
            }
        }
        self.best_free[x] = best;
        self.touch_v(x);
        if best != NONE {
            self.heap_free.push(Reverse((best_slack + self.shift, x)));
        }
    }

    /// Labels the top-level blossom containing `w` with `t`, reached through remote endpoint
    /// `p`. A T-blossom passes label S on to the mate of its base.
    pub(super) fn assign_label(&mut self, w: usize, t: u8, p: usize) {
        let (mut w, mut t, mut p) = (w, t, p);
        let mut vs = Vec::new();
        loop {
            let b = self.inblossom[w];
            let root = if p == NONE {
                w
            } else {
                self.tree[self.endpoint[p]]
            };
            vs.clear();
            self.leaves(b, &mut vs);
            for &v in &vs {
                self.fix_v(v);
            }
            if b >= self.n {
                self.fix_b(b);
            }
            self.set_label(w, t);
            self.set_label(b, t);
            self.labelend[w] = p;
            self.labelend[b] = p;
            for &v in &vs {
                self.touch_v(v);
                self.tree[v] = root;
            }
            if root != NONE {
                self.members[root].extend_from_slice(&vs);
            }
            if t == S {
                for &v in &vs {
                    let key = self.dual[v] + self.shift;
                    self.heap_vertex.push(Reverse((key, v)));
                }
                self.queue.extend_from_slice(&vs);
                return;
            }
            if b >= self.n {
                let key = self.dual[b] + self.shift;
                self.heap_blossom.push(Reverse((key, b)));
            }
            let mp = self.mate[self.base[b]];
            if mp == NONE {
                return;
            }
            w = self.endpoint[mp];
            t = S;
            p = mp ^ 1;
        }
    }

    /// Sets `mate[s] = p` and flips the alternating path from `s` up to the root of its tree.
    /// With `p == NONE` this makes `s` single (its dual is zero) and the root matched.
    pub(super) fn augment_from(&mut self, s: usize, p: usize) {
        let (mut s, mut p) = (s, p);
        // A path visits each blossom at most once; the bound only guards against the
        // impossible.
        for _ in 0..=self.n {
            let bs = self.inblossom[s];
            if bs >= self.n {
                self.augment_blossom(bs, s);
            }
            self.mate[s] = p;
            let le = self.labelend[bs];
            if le == NONE {
                return;
            }
            let t = self.endpoint[le];
            let bt = self.inblossom[t];
            let lt = self.labelend[bt];
            if lt == NONE {
                return;
            }
            s = self.endpoint[lt];
            let j = self.endpoint[lt ^ 1];
            if bt >= self.n {
                self.augment_blossom(bt, j);
            }
            self.mate[j] = lt;
            p = lt ^ 1;
        }
    }

    /// Scans every edge of S-vertex `v`. When the matching was augmented, returns the roots
    /// of the trees that took part (see `follow_edge`).
    pub(super) fn scan(&mut self, v: usize) -> Option<(usize, usize)> {
        for i in self.neighbours(v) {
            let p = self.adj[i];
            let found = self.follow_edge(v, p);
            if found.is_some() {
                return found;
            }
        }
        None
    }

    /// Looks at the edge from S-vertex `v` to remote endpoint `p`: follows it if tight
    /// (labelling, shrinking a blossom or augmenting), else records it as a dual-step
    /// candidate. After an augmentation returns the roots of the trees that took part (the
    /// second is `NONE` when the path ended at a single vertex of zero dual outside the
    /// forest).
    pub(super) fn follow_edge(&mut self, v: usize, p: usize) -> Option<(usize, usize)> {
        let k = p >> 1;
        let w = self.endpoint[p];
        let bv = self.inblossom[v];
        let bw = self.inblossom[w];
        if bv == bw {
            return None;
        }
        let mut kslack = 0;
        if !self.allowed[k] {
            kslack = self.slack(k);
            if kslack <= 0 {
                self.allow(k);
            }
        }
        if self.allowed[k] {
            match self.label[bw] {
                FREE => {
                    if self.mate[self.base[bw]] == NONE {
                        // A single vertex with zero dual: augment to it.
                        let root = self.tree[v];
                        if bw >= self.n {
                            self.augment_blossom(bw, w);
                        }
                        self.mate[w] = p ^ 1;
                        self.augment_from(v, p);
                        return Some((root, NONE));
                    }
                    self.assign_label(w, T, p ^ 1);
                }
                S => {
                    let found = self.scan_blossom(v, w);
                    if found != NONE {
                        self.add_blossom(found, k);
                    } else {
                        let roots = (self.tree[v], self.tree[w]);
                        self.augment_from(v, p);
                        self.augment_from(w, p ^ 1);
                        return Some(roots);
                    }
                }
                _ => {
                    if self.label[w] == FREE {
                        // w is inside a T-blossom and now reachable from outside it.
                        self.set_label(w, T);
                        self.labelend[w] = p ^ 1;
                    }
                }
            }
        } else {
            match self.label[bw] {
                S => self
                    .heap_between
                    .push(Reverse((kslack + 2 * self.shift, k))),
                _ => {
                    if self.label[w] == FREE {
                        self.offer_free_edge(w, k, kslack);
                    }
                }
            }
        }
        None
    }

    /// Clears the labels of blossom `b` and of every blossom nested in it.
    fn clear_blossom_labels(&mut self, b: usize) {
        let mut stack = vec![b];
        while let Some(x) = stack.pop() {
            self.label[x] = FREE;
            for i in 0..self.childs[x].len() {
                let c = self.childs[x][i];
                if c >= self.n {
                    stack.push(c);
                }
            }
        }
    }

    /// Removes the trees rooted at `r1` and `r2` (`NONE` for none) from the forest after an
    /// augmentation, while the other trees go on: their vertices become unlabelled, zero-dual
    /// S-blossoms among them are expanded, their edges lose the "tight" mark, and their edges
    /// to the remaining S-vertices become `delta2` candidates.
    pub(super) fn kill_trees(&mut self, r1: usize, r2: usize) {
        let mut dead = Vec::new();
        for r in [r1, r2] {
            if r == NONE {
                continue;
            }
            let list = std::mem::take(&mut self.members[r]);
            for &x in &list {
                if self.tree[x] == r && !self.mark_v[x] && self.label[self.inblossom[x]] != FREE {
                    self.mark_v[x] = true;
                    dead.push(x);
                }
            }
        }
        let mut tops = Vec::new();
        for &x in &dead {
            self.fix_v(x);
            let b = self.inblossom[x];
            if b >= self.n && !self.mark_b[b] {
                self.mark_b[b] = true;
                tops.push(b);
            }
        }
        let mut zero_s = Vec::new();
        for &b in &tops {
            self.mark_b[b] = false;
            self.fix_b(b);
            if self.label[b] == S && self.dual[b] == 0 {
                zero_s.push(b);
            }
            self.clear_blossom_labels(b);
        }
        for &x in &dead {
            self.label[x] = FREE;
            self.tree[x] = NONE;
        }
        for b in zero_s {
            self.expand_blossom(b, true);
        }
        for &x in &dead {
            for i in self.neighbours(x) {
                let p = self.adj[i];
                self.allowed[p >> 1] = false;
                // A vertex inside a surviving T-blossom may be marked as reached from x;
                // that mark is void now (another tight edge, if any, is found again when the
                // blossom is expanded).
                let y = self.endpoint[p];
                if self.label[y] == T && self.inblossom[y] != y && self.labelend[y] == p ^ 1 {
                    self.label[y] = FREE;
                }
            }
        }
        for &x in &dead {
            self.mark_v[x] = false;
            self.refresh_free(x);
        }
    }
}
