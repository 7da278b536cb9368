//! Blossoms: finding the odd cycle a tight edge closes, shrinking it into a new S-blossom,
//! expanding a blossom (relabelling its sub-blossoms when it was a T-blossom), and rotating a
//! blossom's inner matching when an augmenting path passes through it.

use std::cmp::Reverse;

use super::matcher::{FREE, Matcher, NONE, S, T};

impl Matcher {
    /// Traces back from S-vertices `v` and `w` (ends of a tight edge). Returns the base of the
    /// new blossom, or `NONE` if the two trees differ (an augmenting path).
    pub(super) fn scan_blossom(&mut self, v: usize, w: usize) -> usize {
        let mut path = Vec::new();
        let mut found = NONE;
        let (mut v, mut w) = (v, w);
        while v != NONE || w != NONE {
            let b = self.inblossom[v];
            if self.crumb[b] {
                found = self.base[b];
                break;
            }
            path.push(b);
            self.crumb[b] = true;
            if self.labelend[b] == NONE {
                v = NONE;
            } else {
                let t = self.endpoint[self.labelend[b]];
                let bt = self.inblossom[t];
                v = self.endpoint[self.labelend[bt]];
            }
            if w != NONE {
                std::mem::swap(&mut v, &mut w);
            }
        }
        for b in path {
            self.crumb[b] = false;
        }
        found
    }

    /// Shrinks the odd cycle closed by tight edge `k` (between two S-blossoms of one tree)
    /// into a new S-blossom with base `base_v`.
    pub(super) fn add_blossom(&mut self, base_v: usize, k: usize) {
        let Some(b) = self.unused.pop() else {
            return;
        };
        let (v, w) = (self.endpoint[2 * k], self.endpoint[2 * k + 1]);
        let bb = self.inblossom[base_v];
        let mut bv = self.inblossom[v];
        let mut bw = self.inblossom[w];
        let mut path = Vec::new();
        let mut eps = Vec::new();
        while bv != bb {
            path.push(bv);
            eps.push(self.labelend[bv]);
            let x = self.endpoint[self.labelend[bv]];
            bv = self.inblossom[x];
        }
        path.push(bb);
        path.reverse();
        eps.reverse();
        eps.push(2 * k);
        while bw != bb {
            path.push(bw);
            eps.push(self.labelend[bw] ^ 1);
            let x = self.endpoint[self.labelend[bw]];
            bw = self.inblossom[x];
        }
        // Fix every dual that changes behaviour: T-vertices turn S, sub-blossoms freeze.
        let mut vs = Vec::new();
        for &sub in &path {
            self.leaves(sub, &mut vs);
            if sub >= self.n {
                self.fix_b(sub);
            }
        }
        for &x in &vs {
            self.fix_v(x);
        }
        for &sub in &path {
            self.parent[sub] = b;
        }
        self.base[b] = base_v;
        self.parent[b] = NONE;
        self.set_label(b, S);
        self.labelend[b] = self.labelend[bb];
        self.dual[b] = 0;
        self.stamp[b] = self.shift;
        self.childs[b] = path;
        self.endps[b] = eps;
        for &x in &vs {
            if self.label[self.inblossom[x]] == T {
                // A T-vertex turns S inside the new blossom; scan it.
                self.queue.push(x);
                let key = self.dual[x] + self.shift;
                self.heap_vertex.push(Reverse((key, x)));
            }
            self.inblossom[x] = b;
        }
    }

    /// Expands top-level blossom `b0`. During a stage (`endstage == false`) it is a T-blossom
    /// whose dual reached zero, and its sub-blossoms are relabelled; otherwise (its tree is
    /// gone) sub-blossoms with a zero dual are expanded too.
    pub(super) fn expand_blossom(&mut self, b0: usize, endstage: bool) {
        let mut pending = vec![b0];
        let mut vs = Vec::new();
        let mut sub_vs = Vec::new();
        while let Some(b) = pending.pop() {
            vs.clear();
            self.leaves(b, &mut vs);
            for &v in &vs {
                self.fix_v(v);
            }
            let childs = std::mem::take(&mut self.childs[b]);
            for &s in &childs {
                if s >= self.n {
                    self.fix_b(s);
                }
                self.parent[s] = NONE;
                if s < self.n {
                    self.inblossom[s] = s;
                } else if endstage && self.dual[s] == 0 {
                    pending.push(s);
                } else {
                    sub_vs.clear();
                    self.leaves(s, &mut sub_vs);
                    for &v in &sub_vs {
                        self.inblossom[v] = s;
                    }
                }
            }
            if !endstage && self.label[b] == T && !childs.is_empty() {
                self.relabel_expanded(b, &childs);
                // Vertices left unlabelled become `delta2` candidates.
                for &v in &vs {
                    if self.label[self.inblossom[v]] == FREE {
                        self.refresh_free(v);
                    }
                }
            }
            self.label[b] = FREE;
            self.labelend[b] = NONE;
            self.endps[b].clear();
            self.base[b] = NONE;
            self.unused.push(b);
        }
    }

    /// After expanding T-blossom `b` (sub-blossoms `childs`), labels the even-length path from
    /// the entry sub-blossom to the base as alternating T/S, and marks the other
    /// sub-blossoms T when they are reachable from outside.
    fn relabel_expanded(&mut self, b: usize, childs: &[usize]) {
        if self.labelend[b] == NONE {
            return;
        }
        let len = childs.len() as isize;
        let at = |j: isize| j.rem_euclid(len) as usize;
        let entrychild = self.inblossom[self.endpoint[self.labelend[b] ^ 1]];
        let Some(pos) = childs.iter().position(|&c| c == entrychild) else {
            return;
        };
        let mut j = pos as isize;
        let (jstep, trick): (isize, usize) = if j & 1 == 1 {
            j -= len;
            (1, 0)
        } else {
            (-1, 1)
        };
        let endps = std::mem::take(&mut self.endps[b]);
        let mut p = self.labelend[b];
        while j != 0 {
            // Relabel the T-sub-blossom.
            let a = self.endpoint[p ^ 1];
            self.set_label(a, FREE);
            let e = endps[at(j - trick as isize)];
            let c = self.endpoint[e ^ trick ^ 1];
            self.set_label(c, FREE);
            self.assign_label(a, T, p);
            // Step to the next S-sub-blossom and note its forward endpoint.
            self.allow(e >> 1);
            j += jstep;
            p = endps[at(j - trick as isize)] ^ trick;
            // Step to the next T-sub-blossom.
            self.allow(p >> 1);
            j += jstep;
        }
        // The base sub-blossom becomes T without passing the label on to its mate.
        let bv = childs[at(j)];
        let a = self.endpoint[p ^ 1];
        self.set_label(a, T);
        self.set_label(bv, T);
        self.labelend[a] = p;
        self.labelend[bv] = p;
        let mut vs = Vec::new();
        self.leaves(bv, &mut vs);
        let root = self.tree[self.endpoint[p]];
        for &v in &vs {
            self.tree[v] = root;
        }
        if root != NONE {
            self.members[root].extend_from_slice(&vs);
        }
        if bv >= self.n {
            let key = self.dual[bv] + self.shift;
            self.heap_blossom.push(Reverse((key, bv)));
        }
        j += jstep;
        while childs[at(j)] != entrychild {
            let bv = childs[at(j)];
            if self.label[bv] == S {
                j += jstep;
                continue;
            }
            vs.clear();
            self.leaves(bv, &mut vs);
            if let Some(&v) = vs.iter().find(|&&v| self.label[v] != FREE) {
                self.set_label(v, FREE);
                let mp = self.mate[self.base[bv]];
                if mp != NONE {
                    let m = self.endpoint[mp];
                    self.set_label(m, FREE);
                }
                let le = self.labelend[v];
                self.assign_label(v, T, le);
            }
            j += jstep;
        }
        self.endps[b] = endps;
    }

    /// Swaps matched and unmatched edges on the alternating path inside blossom `b0` from
    /// vertex `v0` to the base, making `v0` the base.
    pub(super) fn augment_blossom(&mut self, b0: usize, v0: usize) {
        // Each sub-blossom's rotation is independent of the others, so a work list replaces
        // recursion.
        let mut work = vec![(b0, v0)];
        while let Some((b, v)) = work.pop() {
            let mut t = v;
            while t != NONE && self.parent[t] != b {
                t = self.parent[t];
            }
            if t == NONE {
                continue;
            }
            if t >= self.n {
                work.push((t, v));
            }
            let len = self.childs[b].len() as isize;
            let at = |j: isize| j.rem_euclid(len) as usize;
            let Some(i) = self.childs[b].iter().position(|&c| c == t) else {
                continue;
            };
            let mut j = i as isize;
            let (jstep, trick): (isize, usize) = if j & 1 == 1 {
                j -= len;
                (1, 0)
            } else {
                (-1, 1)
            };
            while j != 0 {
                j += jstep;
                let t1 = self.childs[b][at(j)];
                let p = self.endps[b][at(j - trick as isize)] ^ trick;
                if t1 >= self.n {
                    work.push((t1, self.endpoint[p]));
                }
                j += jstep;
                let t2 = self.childs[b][at(j)];
                if t2 >= self.n {
                    work.push((t2, self.endpoint[p ^ 1]));
                }
                self.mate[self.endpoint[p]] = p ^ 1;
                self.mate[self.endpoint[p ^ 1]] = p;
            }
            self.childs[b].rotate_left(i);
            self.endps[b].rotate_left(i);
            self.base[b] = v;
        }
    }
}
