//! Maximum-weight matching on a general (non-bipartite) graph: the pair solver of the matching
//! engine.
//!
//! # What it computes
//!
//! Given `n` vertices and undirected integer-weighted edges, [`max_weight_matching`] returns a
//! matching (a set of edges, no two sharing a vertex) whose total weight is as large as
//! possible. It is exact, and it maximises weight, not cardinality: a vertex stays single when
//! every way of pairing it would lower the total. Only edges with weight `> 0` take part;
//! self-loops and edges naming a vertex `>= n` are ignored, and of duplicate edges between the
//! same pair only the heaviest counts.
//!
//! # Algorithm
//!
//! Edmonds' blossom algorithm in its primal-dual weighted form, as described by Galil
//! ("Efficient algorithms for finding maximum matching in graphs", ACM Computing Surveys,
//! 1986) and as laid out in Joris van Rantwijk's `mwmatching.py` (which networkx and rustworkx
//! port): alternating trees grow from the single vertices along tight edges, odd cycles are
//! shrunk into blossoms, and when no tight edge helps the dual variables move by the largest
//! step that keeps them feasible (`delta1`..`delta4`). Vertex duals are kept at twice their
//! textbook value, so with integer weights every quantity stays an integer.
//!
//! Three changes make it fast on the engine's sparse graphs without changing the result:
//!
//! - **Adjacency lists and least-slack bookkeeping** (`best_edge`, per-blossom lists of
//!   least-slack edges), so a stage scans only the edges of labelled vertices.
//! - **Work proportional to the forest, not to `n`.** A stage records what it touches
//!   (labelled vertices and blossoms, vertices given a least-slack edge, edges marked tight);
//!   the dual updates, the `delta` minima and the reset at the end of a stage walk those lists
//!   instead of every vertex and every edge.
//! - **A greedy warm start.** Every vertex dual starts at its heaviest incident weight; each
//!   single vertex then lowers its dual as far as feasibility allows and, if that makes an edge
//!   to another single vertex tight, takes it. What remains single with a positive dual is
//!   what the blossom algorithm still has to settle, and single vertices start with different
//!   duals. The algorithm therefore stops a tree, instead of the whole run, when a dual
//!   reaches zero: if the vertex whose dual reached zero is matched, the alternating path from
//!   its root is flipped so that this vertex becomes the single one (legal, since its dual is
//!   zero), and single vertices with a zero dual are never roots but are valid ends of an
//!   augmenting path. All single roots keep equal parity (their duals are made even at the
//!   start and fall together), so the halved slack of `delta3` stays an integer. The run ends
//!   when no single vertex has a positive dual; then the duals certify optimality (every slack
//!   non-negative, matched edges and blossoms tight, single vertices at dual zero).
//!
//! # Complexity
//!
//! `O(n^3)` in the worst case, as for the reference algorithm (at most `n` stages, each with
//! `O(n)` dual updates of `O(n)` work), plus `O(m log m)` to sort and de-duplicate the edges;
//! memory `O(n + m)`. In practice a stage costs about the size of its alternating forest: the
//! engine's graph (5,000 people with about 30 candidates each) solves in a few hundredths of a
//! second in a release build.
//!
//! # What it must not do
//!
//! It is pure arithmetic on integers: no I/O, no clock, no randomness, no logging, no
//! knowledge of people, scores or rules. Whatever turns people into vertices and preferences
//! into weights lives elsewhere. It never panics and uses no `unsafe`.
//!
//! Weights are clamped to at most [`MAX_WEIGHT`] (2^40) so that no intermediate sum can
//! overflow; below that bound the result is exact.

/// The largest weight taken at face value; larger weights are treated as this value, which
/// keeps every dual and slack far from `i64` overflow.
pub const MAX_WEIGHT: i64 = 1 << 40;

/// Marks "no vertex / no edge / no blossom" in the internal index arrays.
const NONE: usize = usize::MAX;

/// Maximum-weight matching (not necessarily maximum cardinality) of an undirected graph with
/// `n` vertices and integer edge weights (only edges with weight > 0 matter; ignore others).
/// Returns `mate[v] = Some(u)` if v is matched to u. Exact.
///
/// Self-loops and edges with an endpoint `>= n` are ignored; of duplicate edges between the
/// same pair the heaviest is kept. Weights above [`MAX_WEIGHT`] are clamped to it. The result
/// has length `n` and is symmetric: `mate[v] == Some(u)` exactly when `mate[u] == Some(v)`.
pub fn max_weight_matching(n: usize, edges: &[(u32, u32, i64)]) -> Vec<Option<u32>> {
    let mut matcher = Matcher::new(n, edges);
    matcher.warm_start();
    matcher.run();
    matcher.mates()
}

/// The total weight of a matching: the sum, over matched pairs `{u, v}` (with
/// `mate[u] == Some(v)` and `mate[v] == Some(u)`), of the largest weight among the edges of
/// `edges` joining `u` and `v`. A pair without such an edge adds nothing; one-sided entries are
/// ignored. The sum saturates instead of overflowing.
pub fn matching_weight(edges: &[(u32, u32, i64)], mate: &[Option<u32>]) -> i64 {
    let mut best: Vec<Option<i64>> = vec![None; mate.len()];
    for &(a, b, w) in edges {
        let (a, b) = (a as usize, b as usize);
        if a == b || a >= mate.len() || b >= mate.len() {
            continue;
        }
        if mate[a] == Some(b as u32) && mate[b] == Some(a as u32) {
            let low = a.min(b);
            best[low] = Some(best[low].map_or(w, |old| old.max(w)));
        }
    }
    best.into_iter()
        .flatten()
        .fold(0_i64, |acc, w| acc.saturating_add(w))
}

/// Greedy matching: edges sorted by weight (heaviest first, ties by vertex numbers), each
/// taken when both ends are still single. Only edges with weight > 0 are considered.
///
/// For comparison in tests and benchmarks only: it can lose up to half of the optimum weight,
/// and the matching engine must not use it.
pub fn greedy_matching(n: usize, edges: &[(u32, u32, i64)]) -> Vec<Option<u32>> {
    let mut sorted: Vec<(i64, u32, u32)> = edges
        .iter()
        .filter(|&&(a, b, w)| w > 0 && a != b && (a as usize) < n && (b as usize) < n)
        .map(|&(a, b, w)| (w, a.min(b), a.max(b)))
        .collect();
    sorted.sort_unstable_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let mut mate = vec![None; n];
    for (_, a, b) in sorted {
        if mate[a as usize].is_none() && mate[b as usize].is_none() {
            mate[a as usize] = Some(b);
            mate[b as usize] = Some(a);
        }
    }
    mate
}

/// Which kind of dual step ends a substage.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Step {
    /// The dual of this S-vertex reaches zero: its tree stops.
    VertexZero(usize),
    /// This edge from an S-vertex to an unlabelled vertex becomes tight.
    ToFree(usize),
    /// This edge between two S-blossoms becomes tight.
    BetweenS(usize),
    /// The dual of this T-blossom reaches zero: it is expanded.
    Expand(usize),
}

/// Labels of top-level blossoms (and of vertices, see `label`).
const FREE: u8 = 0;
const S: u8 = 1;
const T: u8 = 2;

/// The state of one run. Vertices are `0..n`; non-trivial blossoms are `n..2n`. Edge `k`
/// has endpoints `2k` and `2k + 1`; `endpoint[p]` is the vertex of endpoint `p`, and `p ^ 1`
/// is the other end of the same edge.
struct Matcher {
    n: usize,
    /// `endpoint[p]`: the vertex at endpoint `p`.
    endpoint: Vec<usize>,
    /// Twice the (clamped) weight of each edge.
    weight2: Vec<i64>,
    /// Adjacency in compressed form: the remote endpoints of `v`'s edges are
    /// `adj[adj_start[v]..adj_start[v + 1]]`.
    adj_start: Vec<usize>,
    adj: Vec<usize>,
    /// `mate[v]`: the remote endpoint of `v`'s matched edge, or `NONE`.
    mate: Vec<usize>,
    /// Label of a top-level blossom (`FREE`, `S`, `T`); for a vertex inside a T-blossom, `T`
    /// when the vertex is reachable from an S-vertex outside the blossom.
    label: Vec<u8>,
    /// The remote endpoint of the edge through which a labelled blossom got its label, or
    /// `NONE` for a root.
    labelend: Vec<usize>,
    /// `inblossom[v]`: the top-level blossom containing vertex `v`.
    inblossom: Vec<usize>,
    /// Parent blossom of a (sub-)blossom, or `NONE` at top level.
    parent: Vec<usize>,
    /// Sub-blossoms of a non-trivial blossom, starting with the one holding the base.
    childs: Vec<Vec<usize>>,
    /// Base vertex of each (sub-)blossom, `NONE` for unused blossom numbers.
    base: Vec<usize>,
    /// `endps[b][i]`: the endpoint, in `childs[b][i]`, of the edge joining it to the next
    /// sub-blossom round the cycle.
    endps: Vec<Vec<usize>>,
    /// Least-slack edge: for an unlabelled vertex (or an unreached vertex in a T-blossom) to
    /// an S-vertex; for a top-level S-blossom to another S-blossom.
    bestedge: Vec<usize>,
    /// For a non-trivial top-level S-blossom: least-slack edges to neighbouring S-blossoms.
    best_list: Vec<Vec<usize>>,
    has_best_list: Vec<bool>,
    /// Unused blossom numbers.
    unused: Vec<usize>,
    /// Vertex duals (twice the textbook value) then blossom duals.
    dual: Vec<i64>,
    /// Edges known to be tight in this stage.
    allowed: Vec<bool>,
    /// S-vertices waiting to be scanned.
    queue: Vec<usize>,
    /// Breadcrumbs of `scan_blossom`.
    crumb: Vec<bool>,
    /// Single vertices with a positive dual: the roots of the next stage.
    roots: Vec<usize>,
    /// Vertices whose label or least-slack edge was set in this stage.
    touched_v: Vec<usize>,
    is_touched_v: Vec<bool>,
    /// Non-trivial blossoms labelled in this stage.
    touched_b: Vec<usize>,
    is_touched_b: Vec<bool>,
    /// Edges marked tight in this stage.
    allowed_list: Vec<usize>,
    /// Scratch for `add_blossom`: least-slack edge to each neighbouring S-blossom.
    best_to: Vec<usize>,
}

impl Matcher {
    /// Builds the graph: drops self-loops, out-of-range ends and weights `<= 0`, keeps the
    /// heaviest of duplicate edges, clamps weights, and lays out the adjacency lists.
    fn new(n: usize, edges: &[(u32, u32, i64)]) -> Self {
        let mut list: Vec<(u32, u32, i64)> = edges
            .iter()
            .filter(|&&(a, b, w)| w > 0 && a != b && (a as usize) < n && (b as usize) < n)
            .map(|&(a, b, w)| (a.min(b), a.max(b), w.min(MAX_WEIGHT)))
            .collect();
        // Heaviest first within a pair, so `dedup_by` keeps it.
        list.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(x.1.cmp(&y.1)).then(y.2.cmp(&x.2)));
        list.dedup_by(|later, kept| later.0 == kept.0 && later.1 == kept.1);

        let m = list.len();
        let mut endpoint = Vec::with_capacity(2 * m);
        let mut weight2 = Vec::with_capacity(m);
        let mut degree = vec![0_usize; n + 1];
        for &(a, b, w) in &list {
            endpoint.push(a as usize);
            endpoint.push(b as usize);
            weight2.push(2 * w);
            degree[a as usize] += 1;
            degree[b as usize] += 1;
        }
        let mut adj_start = vec![0_usize; n + 1];
        for v in 0..n {
            adj_start[v + 1] = adj_start[v] + degree[v];
        }
        let mut fill = adj_start.clone();
        let mut adj = vec![0_usize; 2 * m];
        for k in 0..m {
            let (a, b) = (endpoint[2 * k], endpoint[2 * k + 1]);
            adj[fill[a]] = 2 * k + 1;
            fill[a] += 1;
            adj[fill[b]] = 2 * k;
            fill[b] += 1;
        }

        let nb = 2 * n;
        let mut base = vec![NONE; nb];
        for (v, slot) in base.iter_mut().enumerate().take(n) {
            *slot = v;
        }
        Matcher {
            n,
            endpoint,
            weight2,
            adj_start,
            adj,
            mate: vec![NONE; n],
            label: vec![FREE; nb],
            labelend: vec![NONE; nb],
            inblossom: (0..n).collect(),
            parent: vec![NONE; nb],
            childs: vec![Vec::new(); nb],
            base,
            endps: vec![Vec::new(); nb],
            bestedge: vec![NONE; nb],
            best_list: vec![Vec::new(); nb],
            has_best_list: vec![false; nb],
            unused: (n..nb).rev().collect(),
            dual: vec![0; nb],
            allowed: vec![false; m],
            queue: Vec::new(),
            crumb: vec![false; nb],
            roots: Vec::new(),
            touched_v: Vec::new(),
            is_touched_v: vec![false; n],
            touched_b: Vec::new(),
            is_touched_b: vec![false; nb],
            allowed_list: Vec::new(),
            best_to: vec![NONE; nb],
        }
    }

    /// Twice the slack of edge `k` (valid for edges not inside a blossom).
    #[inline]
    fn slack(&self, k: usize) -> i64 {
        self.dual[self.endpoint[2 * k]] + self.dual[self.endpoint[2 * k + 1]] - self.weight2[k]
    }

    #[inline]
    fn neighbours(&self, v: usize) -> std::ops::Range<usize> {
        self.adj_start[v]..self.adj_start[v + 1]
    }

    /// The textbook starting point: every vertex with an edge gets the largest weight as its
    /// dual and is a root; vertices without edges get zero. Used when the warm start is off.
    #[cfg(test)]
    fn cold_start(&mut self) {
        let max_w = self.weight2.iter().copied().max().unwrap_or(0) / 2;
        for v in 0..self.n {
            if !self.neighbours(v).is_empty() {
                self.dual[v] = max_w;
                self.roots.push(v);
            }
        }
    }

    /// Greedy warm start: feasible duals, a matching of tight edges, and the roots.
    fn warm_start(&mut self) {
        for v in 0..self.n {
            let mut top = 0;
            for i in self.neighbours(v) {
                top = top.max(self.weight2[self.adj[i] >> 1] / 2);
            }
            self.dual[v] = top;
        }
        // Two passes: lowering a vertex can let an earlier one go lower.
        for _ in 0..2 {
            for v in 0..self.n {
                if self.mate[v] != NONE || self.dual[v] == 0 {
                    continue;
                }
                // The least dual that keeps every edge of v feasible, and a single neighbour
                // whose edge it makes tight.
                let mut need = i64::MIN;
                let mut partner = NONE;
                for i in self.neighbours(v) {
                    let p = self.adj[i];
                    let u = self.endpoint[p];
                    let value = self.weight2[p >> 1] - self.dual[u];
                    let single = self.mate[u] == NONE;
                    if value > need {
                        need = value;
                        partner = if single { p } else { NONE };
                    } else if value == need && partner == NONE && single {
                        partner = p;
                    }
                }
                if need <= 0 {
                    self.dual[v] = 0;
                    if need < 0 {
                        partner = NONE;
                    }
                } else {
                    self.dual[v] = need;
                }
                if partner != NONE {
                    let u = self.endpoint[partner];
                    self.mate[v] = partner;
                    self.mate[u] = partner ^ 1;
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

    fn touch_v(&mut self, v: usize) {
        if !self.is_touched_v[v] {
            self.is_touched_v[v] = true;
            self.touched_v.push(v);
        }
    }

    fn touch_b(&mut self, b: usize) {
        if b >= self.n && !self.is_touched_b[b] {
            self.is_touched_b[b] = true;
            self.touched_b.push(b);
        }
    }

    /// Sets a label on a vertex or blossom, recording it for the end-of-stage reset.
    fn set_label(&mut self, x: usize, l: u8) {
        self.label[x] = l;
        if x < self.n {
            self.touch_v(x);
        } else {
            self.touch_b(x);
        }
    }

    fn allow(&mut self, k: usize) {
        if !self.allowed[k] {
            self.allowed[k] = true;
            self.allowed_list.push(k);
        }
    }

    /// Appends the vertices of blossom `b` to `out`.
    fn leaves(&self, b: usize, out: &mut Vec<usize>) {
        if b < self.n {
            out.push(b);
            return;
        }
        let mut stack = vec![b];
        while let Some(x) = stack.pop() {
            for &c in &self.childs[x] {
                if c < self.n {
                    out.push(c);
                } else {
                    stack.push(c);
                }
            }
        }
    }

    /// Labels the top-level blossom containing `w` with `t`, reached through remote endpoint
    /// `p`. A T-blossom passes label S on to the mate of its base.
    fn assign_label(&mut self, w: usize, t: u8, p: usize) {
        let (mut w, mut t, mut p) = (w, t, p);
        loop {
            let b = self.inblossom[w];
            self.set_label(w, t);
            self.set_label(b, t);
            self.labelend[w] = p;
            self.labelend[b] = p;
            self.bestedge[w] = NONE;
            self.bestedge[b] = NONE;
            let mut vs = Vec::new();
            self.leaves(b, &mut vs);
            for &v in &vs {
                self.touch_v(v);
            }
            if t == S {
                self.queue.extend_from_slice(&vs);
                return;
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

    /// Traces back from S-vertices `v` and `w` (ends of a tight edge). Returns the base of the
    /// new blossom, or `NONE` if the two trees differ (an augmenting path).
    fn scan_blossom(&mut self, v: usize, w: usize) -> usize {
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
    fn add_blossom(&mut self, base_v: usize, k: usize) {
        let Some(b) = self.unused.pop() else {
            return;
        };
        let (v, w) = (self.endpoint[2 * k], self.endpoint[2 * k + 1]);
        let bb = self.inblossom[base_v];
        let mut bv = self.inblossom[v];
        let mut bw = self.inblossom[w];
        self.base[b] = base_v;
        self.parent[b] = NONE;
        self.parent[bb] = b;
        let mut path = Vec::new();
        let mut eps = Vec::new();
        while bv != bb {
            self.parent[bv] = b;
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
            self.parent[bw] = b;
            path.push(bw);
            eps.push(self.labelend[bw] ^ 1);
            let x = self.endpoint[self.labelend[bw]];
            bw = self.inblossom[x];
        }
        self.set_label(b, S);
        self.labelend[b] = self.labelend[bb];
        self.dual[b] = 0;
        self.childs[b] = path.clone();
        self.endps[b] = eps;

        let mut vs = Vec::new();
        self.leaves(b, &mut vs);
        for &x in &vs {
            if self.label[self.inblossom[x]] == T {
                // A T-vertex turns S inside the new blossom; scan it.
                self.queue.push(x);
            }
            self.inblossom[x] = b;
        }

        // Least-slack edges from the new blossom to every neighbouring S-blossom.
        let mut reached: Vec<usize> = Vec::new();
        let mut sub_vs = Vec::new();
        for &sub in &path {
            let candidates: Vec<usize> = if self.has_best_list[sub] {
                std::mem::take(&mut self.best_list[sub])
            } else {
                sub_vs.clear();
                self.leaves(sub, &mut sub_vs);
                let mut ks = Vec::new();
                for &x in &sub_vs {
                    for i in self.neighbours(x) {
                        ks.push(self.adj[i] >> 1);
                    }
                }
                ks
            };
            for k2 in candidates {
                // The end of the edge outside the new blossom, if any.
                let mut j = self.endpoint[2 * k2 + 1];
                if self.inblossom[j] == b {
                    j = self.endpoint[2 * k2];
                }
                let bj = self.inblossom[j];
                if bj != b
                    && self.label[bj] == S
                    && (self.best_to[bj] == NONE || self.slack(k2) < self.slack(self.best_to[bj]))
                {
                    if self.best_to[bj] == NONE {
                        reached.push(bj);
                    }
                    self.best_to[bj] = k2;
                }
            }
            self.best_list[sub].clear();
            self.has_best_list[sub] = false;
            self.bestedge[sub] = NONE;
        }
        let mut list = Vec::with_capacity(reached.len());
        let mut best = NONE;
        for bj in reached {
            let k2 = self.best_to[bj];
            self.best_to[bj] = NONE;
            if best == NONE || self.slack(k2) < self.slack(best) {
                best = k2;
            }
            list.push(k2);
        }
        self.best_list[b] = list;
        self.has_best_list[b] = true;
        self.bestedge[b] = best;
    }

    /// Expands top-level blossom `b0`. During a stage (`endstage == false`) it is a T-blossom
    /// whose dual reached zero, and its sub-blossoms are relabelled; at the end of a stage,
    /// sub-blossoms with a zero dual are expanded too.
    fn expand_blossom(&mut self, b0: usize, endstage: bool) {
        let mut pending = vec![b0];
        let mut vs = Vec::new();
        while let Some(b) = pending.pop() {
            let childs = std::mem::take(&mut self.childs[b]);
            for &s in &childs {
                self.parent[s] = NONE;
                if s < self.n {
                    self.inblossom[s] = s;
                } else if endstage && self.dual[s] == 0 {
                    pending.push(s);
                } else {
                    vs.clear();
                    self.leaves(s, &mut vs);
                    for &v in &vs {
                        self.inblossom[v] = s;
                    }
                }
            }
            if !endstage && self.label[b] == T && !childs.is_empty() {
                self.relabel_expanded(b, &childs);
            }
            self.label[b] = FREE;
            self.labelend[b] = NONE;
            self.endps[b].clear();
            self.base[b] = NONE;
            self.best_list[b].clear();
            self.has_best_list[b] = false;
            self.bestedge[b] = NONE;
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
        self.bestedge[bv] = NONE;
        j += jstep;
        let mut vs = Vec::new();
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
    fn augment_blossom(&mut self, b0: usize, v0: usize) {
        // Each sub-blossom's rotation is independent of the others, so a work list replaces
        // recursion.
        let mut work = vec![(b0, v0)];
        while let Some((b, v)) = work.pop() {
            let mut t = v;
            while self.parent[t] != b {
                t = self.parent[t];
                if t == NONE {
                    break;
                }
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

    /// Sets `mate[s] = p` and flips the alternating path from `s` up to the root of its tree.
    /// With `p == NONE` this makes `s` single (its dual is zero) and the root matched.
    fn augment_from(&mut self, s: usize, p: usize) {
        let (mut s, mut p) = (s, p);
        loop {
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

    /// Scans S-vertex `v`. Returns true when the matching was augmented.
    fn scan(&mut self, v: usize) -> bool {
        for i in self.neighbours(v) {
            let p = self.adj[i];
            let k = p >> 1;
            let w = self.endpoint[p];
            let bv = self.inblossom[v];
            let bw = self.inblossom[w];
            if bv == bw {
                continue;
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
                            if bw >= self.n {
                                self.augment_blossom(bw, w);
                            }
                            self.mate[w] = p ^ 1;
                            self.augment_from(v, p);
                            return true;
                        }
                        self.assign_label(w, T, p ^ 1);
                    }
                    S => {
                        let found = self.scan_blossom(v, w);
                        if found != NONE {
                            self.add_blossom(found, k);
                        } else {
                            self.augment_from(v, p);
                            self.augment_from(w, p ^ 1);
                            return true;
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
            } else if self.label[bw] == S {
                if self.bestedge[bv] == NONE || kslack < self.slack(self.bestedge[bv]) {
                    self.bestedge[bv] = k;
                }
            } else if self.label[w] == FREE
                && (self.bestedge[w] == NONE || kslack < self.slack(self.bestedge[w]))
            {
                self.bestedge[w] = k;
                self.touch_v(w);
            }
        }
        false
    }

    /// Finds the dual step: its size and what happens at its end.
    fn choose_step(&self) -> Option<(i64, Step)> {
        let mut d1: Option<(i64, Step)> = None;
        let mut other: Option<(i64, Step)> = None;
        let mut offer = |slot: &mut Option<(i64, Step)>, d: i64, step: Step| {
            if slot.is_none_or(|(best, _)| d < best) {
                *slot = Some((d, step));
            }
        };
        for &v in &self.touched_v {
            let b = self.inblossom[v];
            match self.label[b] {
                S => {
                    offer(&mut d1, self.dual[v], Step::VertexZero(v));
                    let e = self.bestedge[v];
                    if b == v && e != NONE {
                        offer(&mut other, self.slack(e) / 2, Step::BetweenS(e));
                    }
                }
                FREE => {
                    let e = self.bestedge[v];
                    if e != NONE {
                        offer(&mut other, self.slack(e), Step::ToFree(e));
                    }
                }
                _ => {}
            }
        }
        for &b in &self.touched_b {
            if self.parent[b] != NONE || self.base[b] == NONE {
                continue;
            }
            match self.label[b] {
                S => {
                    let e = self.bestedge[b];
                    if e != NONE {
                        offer(&mut other, self.slack(e) / 2, Step::BetweenS(e));
                    }
                }
                T => offer(&mut other, self.dual[b], Step::Expand(b)),
                _ => {}
            }
        }
        // On a tie, prefer progress in the forest over stopping a tree: same weight, more pairs.
        match (d1, other) {
            (Some(a), Some(b)) => Some(if a.0 < b.0 { a } else { b }),
            (a, b) => a.or(b),
        }
    }

    fn apply_step(&mut self, delta: i64) {
        for &v in &self.touched_v {
            match self.label[self.inblossom[v]] {
                S => self.dual[v] -= delta,
                T => self.dual[v] += delta,
                _ => {}
            }
        }
        for &b in &self.touched_b {
            if self.parent[b] != NONE || self.base[b] == NONE {
                continue;
            }
            match self.label[b] {
                S => self.dual[b] += delta,
                T => self.dual[b] -= delta,
                _ => {}
            }
        }
    }

    /// One stage: grow the forest from all roots until an augmentation or until a tree stops.
    /// Returns false if nothing could be done (which cannot happen while roots remain).
    fn stage(&mut self) -> bool {
        let roots = std::mem::take(&mut self.roots);
        for &r in &roots {
            if self.label[self.inblossom[r]] == FREE {
                self.assign_label(r, S, NONE);
            }
        }
        self.roots = roots;
        loop {
            while let Some(v) = self.queue.pop() {
                if self.scan(v) {
                    return true;
                }
            }
            let Some((delta, step)) = self.choose_step() else {
                return false;
            };
            self.apply_step(delta);
            match step {
                Step::VertexZero(v) => {
                    self.augment_from(v, NONE);
                    return true;
                }
                Step::ToFree(k) => {
                    self.allow(k);
                    let (mut i, j) = (self.endpoint[2 * k], self.endpoint[2 * k + 1]);
                    if self.label[self.inblossom[i]] != S {
                        i = j;
                    }
                    self.queue.push(i);
                }
                Step::BetweenS(k) => {
                    self.allow(k);
                    self.queue.push(self.endpoint[2 * k]);
                }
                Step::Expand(b) => self.expand_blossom(b, false),
            }
        }
    }

    /// Expands zero-dual S-blossoms and clears everything the stage touched.
    fn end_stage(&mut self) {
        let blossoms = std::mem::take(&mut self.touched_b);
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
            self.bestedge[b] = NONE;
            self.best_list[b].clear();
            self.has_best_list[b] = false;
            self.is_touched_b[b] = false;
        }
        self.touched_b = blossoms;
        self.touched_b.clear();
        for &v in &self.touched_v {
            self.label[v] = FREE;
            self.bestedge[v] = NONE;
            self.is_touched_v[v] = false;
        }
        self.touched_v.clear();
        for &k in &self.allowed_list {
            self.allowed[k] = false;
        }
        self.allowed_list.clear();
        self.queue.clear();
    }

    /// Runs stages until no single vertex has a positive dual.
    fn run(&mut self) {
        loop {
            let (mate, dual) = (&self.mate, &self.dual);
            self.roots.retain(|&v| mate[v] == NONE && dual[v] > 0);
            if self.roots.is_empty() {
                return;
            }
            let progress = self.stage();
            self.end_stage();
            if !progress {
                return;
            }
        }
    }

    fn mates(&self) -> Vec<Option<u32>> {
        self.mate
            .iter()
            .map(|&p| {
                if p == NONE {
                    None
                } else {
                    u32::try_from(self.endpoint[p]).ok()
                }
            })
            .collect()
    }
}
