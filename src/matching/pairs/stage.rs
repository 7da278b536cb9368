//! The main loop: a stage grows the forest from every root, taking dual steps and acting on
//! what ends each (a tree stops, an edge turns tight, a blossom expands) until no tree is left;
//! the end of a stage fixes every dual and clears what it touched; a run repeats stages until
//! no single vertex has a positive dual.

use super::duals::Step;
use super::matcher::{FREE, Matcher, NONE, S};

impl Matcher {
    /// Grows the forest from all roots, augmenting and removing trees as paths are found,
    /// until no tree is left.
    fn stage(&mut self) {
        let roots = std::mem::take(&mut self.roots);
        for &r in &roots {
            if self.label[self.inblossom[r]] == FREE {
                self.assign_label(r, S, NONE);
            }
        }
        self.roots = roots;
        let step_limit = 16 * (self.n + 2) * (self.n + 2);
        let mut steps = 0_usize;
        loop {
            loop {
                let found = if let Some((v, p)) = self.edge_queue.pop() {
                    if self.label[self.inblossom[v]] != S {
                        continue;
                    }
                    self.follow_edge(v, p)
                } else if let Some(v) = self.queue.pop() {
                    if self.label[self.inblossom[v]] != S {
                        continue;
                    }
                    self.scan(v)
                } else {
                    break;
                };
                if let Some((r1, r2)) = found {
                    self.kill_trees(r1, r2);
                }
            }
            #[cfg(test)]
            let expected = if self.check_steps {
                self.brute_force_step()
            } else {
                None
            };
            let Some((delta, step)) = self.choose_step() else {
                return;
            };
            steps += 1;
            if steps > step_limit {
                // Cannot happen (O(n^2) steps suffice); never loop forever regardless.
                self.gave_up = true;
                return;
            }
            #[cfg(test)]
            if self.check_steps {
                assert_eq!(Some(delta), expected, "dual step differs from brute force");
            }
            self.shift += delta;
            match step {
                Step::VertexZero(v) => {
                    let r = self.tree[v];
                    self.augment_from(v, NONE);
                    self.kill_trees(r, NONE);
                }
                Step::ToFree(k) => {
                    self.allow(k);
                    if self.label[self.inblossom[self.endpoint[2 * k]]] == S {
                        self.edge_queue.push((self.endpoint[2 * k], 2 * k + 1));
                    } else {
                        self.edge_queue.push((self.endpoint[2 * k + 1], 2 * k));
                    }
                }
                Step::BetweenS(k) => {
                    self.allow(k);
                    self.edge_queue.push((self.endpoint[2 * k], 2 * k + 1));
                }
                Step::Expand(b) => self.expand_blossom(b, false),
            }
        }
    }

    /// Fixes every dual, expands zero-dual S-blossoms and clears what the stage touched.
    fn end_stage(&mut self) {
        for i in 0..self.touched_v.len() {
            let v = self.touched_v[i];
            self.fix_v(v);
        }
        let blossoms = std::mem::take(&mut self.touched_b);
        for &b in &blossoms {
            if self.base[b] != NONE {
                self.fix_b(b);
            }
        }
        for &b in &blossoms {
            if self.parent[b] == NONE
                && self.base[b] != NONE
                && self.label[b] == S
                && self.dual[b] == 0
            {
                self.expand_blossom(b, true);
            }
        }
        for &b in &blossoms {
            self.label[b] = FREE;
            self.is_touched_b[b] = false;
        }
        self.touched_b = blossoms;
        self.touched_b.clear();
        for &v in &self.touched_v {
            self.label[v] = FREE;
            self.best_free[v] = NONE;
            self.is_touched_v[v] = false;
            self.members[v].clear();
            self.tree[v] = NONE;
        }
        self.touched_v.clear();
        for &k in &self.allowed_list {
            self.allowed[k] = false;
        }
        self.allowed_list.clear();
        self.queue.clear();
        self.edge_queue.clear();
        self.heap_vertex.clear();
        self.heap_free.clear();
        self.heap_between.clear();
        self.heap_blossom.clear();
    }

    /// Runs until no single vertex has a positive dual. One stage normally suffices; the
    /// loop is a safeguard.
    pub(super) fn run(&mut self) {
        for _ in 0..=self.n {
            let (mate, dual) = (&self.mate, &self.dual);
            self.roots.retain(|&v| mate[v] == NONE && dual[v] > 0);
            if self.roots.is_empty() {
                return;
            }
            self.stage();
            self.end_stage();
        }
    }
}
