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
//! The textbook version restarts its search forest after every augmentation and pays `O(n)`
//! per dual step, which is too slow for the engine's graphs (thousands of vertices, tens of
//! edges each). Four changes keep the same primal-dual invariants while making the work
//! follow the edges actually involved:
//!
//! - **Greedy warm start.** Every vertex dual starts feasible and high, split so that a
//!   per-person part of the weights (such as a waiting bonus added for each person) lands on
//!   that person's dual rather than on all of their neighbours'; each dual is then lowered as
//!   far as feasibility allows, tight edges are matched greedily (heaviest first) and
//!   augmenting paths of length three over tight edges are taken. On the engine's graphs
//!   about four in five vertices are matched before the blossom search starts.
//! - **Trees stop one at a time.** After the warm start the single vertices have different
//!   duals, so reaching a zero dual ends only that vertex's tree, not the run: if the vertex
//!   is matched, the alternating path from its root is flipped so that it becomes the single
//!   one (legal, its dual being zero). Single vertices with a zero dual are never roots but
//!   are valid ends of an augmenting path. Root duals are made even at the start and fall
//!   together, so every labelled vertex has the same parity and the halved slack of `delta3`
//!   stays an integer.
//! - **One forest for the whole run.** After an augmentation only the two trees on the path
//!   are taken apart (their vertices become unlabelled, zero-dual S-blossoms among them are
//!   expanded, their edges lose the "tight" mark and are offered again to the surviving
//!   trees); every other tree keeps growing.
//! - **Lazy duals and heaps.** A dual step only adds to a running total: each vertex and
//!   blossom stores its dual as of the last time its label changed, and the current value is
//!   derived from the label and the total. The four `delta` candidates come from binary heaps
//!   with lazy deletion (S-vertices by dual; unlabelled vertices by their least-slack edge to
//!   an S-vertex; edges between S-blossoms by slack; T-blossoms by dual), each entry checked
//!   against the current state when it reaches the top.
//!
//! The run ends when no single vertex has a positive dual. The final duals then certify
//! optimality: every edge has non-negative slack, matched edges and positive-dual blossoms are
//! tight, and single vertices have a zero dual. The tests check exactly that certificate, and
//! every dual step against a brute-force recomputation.
//!
//! # Complexity
//!
//! Memory `O(n + m)`; `O(m log m)` to sort and de-duplicate the edges. Between two
//! augmentations (or tree stops, at most `n` of either) there are `O(n)` dual steps, each
//! vertex is scanned at most once per label, and heap work is charged to the edges pushed, so
//! a run costs `O(n · m · log m)` plus the re-offering of edges when nested blossoms are
//! expanded (at most `O(n · m)` more per augmentation in the worst, deeply nested case). In
//! practice it is far below that: the engine's graph (5,000 people with about 30 candidates
//! each, independent weights) solves in about a tenth of a second in a release build.
//!
//! Degenerate weights are the slow case: when almost every edge is tight at the optimum
//! without a per-person structure the warm start can find (synthetic weights such as
//! `w(u, v) = f((u + v) mod k)`), the alternating trees span most of the graph and each
//! augmentation re-grows `O(m)` worth of forest; such instances at 5,000 vertices take
//! seconds, not tenths.
//!
//! # What it must not do
//!
//! It is pure arithmetic on integers: no I/O, no clock, no randomness, no logging, no
//! knowledge of people, scores or rules. Whatever turns people into vertices and preferences
//! into weights lives elsewhere. No `unwrap`, `expect`, `panic!` or `unsafe`; loops that could
//! only run away through a bug are bounded.
//!
//! Weights are clamped to at most [`MAX_WEIGHT`] (2^40) so that no intermediate sum can
//! overflow; below that bound the result is exact.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

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

/// Labels of top-level blossoms (and of vertices, see `Matcher::label`).
const FREE: u8 = 0;
const S: u8 = 1;
const T: u8 = 2;

/// A min-heap of `(key, item)` with lazy deletion: entries are checked when they reach the
/// top.
type MinHeap = BinaryHeap<Reverse<(i64, usize)>>;

/// The state of one run. Vertices are `0..n`; non-trivial blossoms are `n..2n`. Edge `k`
/// has endpoints `2k` and `2k + 1`; `endpoint[p]` is the vertex of endpoint `p`, and `p ^ 1`
/// is the other end of the same edge.
///
/// Duals are stored lazily: the true dual of vertex `v` is `dual[v]` moved by
/// `shift - stamp[v]` (down for an S-vertex, up for a T-vertex, not at all when unlabelled),
/// where `shift` is the sum of all dual steps so far; likewise for top-level blossoms (up for
/// S, down for T). A vertex or blossom is re-based ("fixed") just before its label changes, so
/// a dual step costs O(1) instead of a pass over the forest.
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
    /// Unused blossom numbers.
    unused: Vec<usize>,
    /// Vertex duals (twice the textbook value) then blossom duals, as of `stamp`.
    dual: Vec<i64>,
    /// The value of `shift` when each dual was last fixed.
    stamp: Vec<i64>,
    /// Sum of the dual steps taken so far.
    shift: i64,
    /// Edges known to be tight while their ends keep their labels.
    allowed: Vec<bool>,
    allowed_list: Vec<usize>,
    /// S-vertices waiting to be scanned.
    queue: Vec<usize>,
    /// Single tight edges waiting to be followed: (S-vertex, remote endpoint).
    edge_queue: Vec<(usize, usize)>,
    /// Breadcrumbs of `scan_blossom`.
    crumb: Vec<bool>,
    /// Single vertices with a positive dual: the roots.
    roots: Vec<usize>,
    /// Vertices and non-trivial blossoms labelled in this stage.
    touched_v: Vec<usize>,
    is_touched_v: Vec<bool>,
    touched_b: Vec<usize>,
    is_touched_b: Vec<bool>,
    /// `tree[v]`: the root of the alternating tree that labelled `v` last.
    tree: Vec<usize>,
    /// Per root: the vertices labelled in its tree (may hold stale entries).
    members: Vec<Vec<usize>>,
    /// Scratch marks for `kill_trees`.
    mark_v: Vec<bool>,
    mark_b: Vec<bool>,
    /// `delta1` candidates: S-vertices keyed by dual + shift.
    heap_vertex: MinHeap,
    /// `delta2` candidates: unlabelled vertices keyed by the slack of their least-slack edge
    /// to an S-vertex (`best_free`) + shift.
    heap_free: MinHeap,
    /// For an unlabelled vertex (or one inside a T-blossom): its least-slack edge to an
    /// S-vertex, or `NONE`. May be stale after a tree is removed; checked when used.
    best_free: Vec<usize>,
    /// `delta3` candidates: edges between S-blossoms, keyed by slack + 2 shift.
    heap_between: MinHeap,
    /// `delta4` candidates: T-blossoms keyed by dual + shift.
    heap_blossom: MinHeap,
    /// Tests: compare every dual step with a brute-force computation.
    /// Set if the step limit stopped the run (never expected; checked by the tests).
    gave_up: bool,
    #[cfg(test)]
    check_steps: bool,
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
            unused: (n..nb).rev().collect(),
            dual: vec![0; nb],
            stamp: vec![0; nb],
            shift: 0,
            allowed: vec![false; m],
            allowed_list: Vec::new(),
            queue: Vec::new(),
            edge_queue: Vec::new(),
            crumb: vec![false; nb],
            roots: Vec::new(),
            touched_v: Vec::new(),
            is_touched_v: vec![false; n],
            touched_b: Vec::new(),
            is_touched_b: vec![false; nb],
            tree: vec![NONE; n],
            members: vec![Vec::new(); n],
            mark_v: vec![false; n],
            mark_b: vec![false; nb],
            heap_vertex: MinHeap::new(),
            heap_free: MinHeap::new(),
            best_free: vec![NONE; n],
            heap_between: MinHeap::new(),
            heap_blossom: MinHeap::new(),
            gave_up: false,
            #[cfg(test)]
            check_steps: false,
        }
    }

    /// The current dual of vertex `v`.
    #[inline]
    fn y(&self, v: usize) -> i64 {
        match self.label[self.inblossom[v]] {
            S => self.dual[v] - (self.shift - self.stamp[v]),
            T => self.dual[v] + (self.shift - self.stamp[v]),
            _ => self.dual[v],
        }
    }

    /// The current dual of non-trivial blossom `b` (frozen unless it is top-level).
    #[inline]
    fn z(&self, b: usize) -> i64 {
        if self.parent[b] != NONE {
            return self.dual[b];
        }
        match self.label[b] {
            S => self.dual[b] + (self.shift - self.stamp[b]),
            T => self.dual[b] - (self.shift - self.stamp[b]),
            _ => self.dual[b],
        }
    }

    /// Re-bases the dual of vertex `v` on the current shift; call before its label changes.
    fn fix_v(&mut self, v: usize) {
        self.dual[v] = self.y(v);
        self.stamp[v] = self.shift;
    }

    /// Re-bases the dual of blossom `b`; call before its label or its parent changes.
    fn fix_b(&mut self, b: usize) {
        self.dual[b] = self.z(b);
        self.stamp[b] = self.shift;
    }

    /// Twice the slack of edge `k` (valid for edges not inside a blossom).
    #[inline]
    fn slack(&self, k: usize) -> i64 {
        self.y(self.endpoint[2 * k]) + self.y(self.endpoint[2 * k + 1]) - self.weight2[k]
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
    fn warm_start(&mut self) {
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
    fn refresh_free(&mut self, x: usize) {
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
    fn assign_label(&mut self, w: usize, t: u8, p: usize) {
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
    fn expand_blossom(&mut self, b0: usize, endstage: bool) {
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
    fn augment_blossom(&mut self, b0: usize, v0: usize) {
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

    /// Sets `mate[s] = p` and flips the alternating path from `s` up to the root of its tree.
    /// With `p == NONE` this makes `s` single (its dual is zero) and the root matched.
    fn augment_from(&mut self, s: usize, p: usize) {
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
    fn scan(&mut self, v: usize) -> Option<(usize, usize)> {
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
    fn follow_edge(&mut self, v: usize, p: usize) -> Option<(usize, usize)> {
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
    fn choose_step(&mut self) -> Option<(i64, Step)> {
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
    fn brute_force_step(&self) -> Option<i64> {
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
    fn kill_trees(&mut self, r1: usize, r2: usize) {
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
    fn run(&mut self) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    type Edges = Vec<(u32, u32, i64)>;

    /// Runs the solver and keeps its final state for the certificate check.
    fn solve_state(n: usize, edges: &[(u32, u32, i64)], warm: bool) -> Matcher {
        let mut m = Matcher::new(n, edges);
        m.check_steps = n <= 300;
        if warm {
            m.warm_start();
        } else {
            m.cold_start();
        }
        m.run();
        m
    }

    /// The best weight of any matching, by trying every matching (small `n` only).
    fn brute_force(n: usize, edges: &[(u32, u32, i64)]) -> i64 {
        let mut w = vec![vec![0_i64; n]; n];
        for &(a, b, x) in edges {
            let (a, b) = (a as usize, b as usize);
            if a != b && a < n && b < n && x > w[a][b] {
                w[a][b] = x;
                w[b][a] = x;
            }
        }
        fn go(v: usize, used: &mut Vec<bool>, w: &[Vec<i64>]) -> i64 {
            let n = used.len();
            let Some(v) = (v..n).find(|&x| !used[x]) else {
                return 0;
            };
            used[v] = true;
            let mut best = go(v + 1, used, w);
            for u in v + 1..n {
                if !used[u] && w[v][u] > 0 {
                    used[u] = true;
                    best = best.max(w[v][u] + go(v + 1, used, w));
                    used[u] = false;
                }
            }
            used[v] = false;
            best
        }
        go(0, &mut vec![false; n], &w)
    }

    /// Symmetric, and every matched pair is joined by a positive edge of the input.
    fn assert_valid(n: usize, edges: &[(u32, u32, i64)], mate: &[Option<u32>]) {
        assert_eq!(mate.len(), n);
        for (v, m) in mate.iter().enumerate() {
            if let Some(u) = *m {
                assert_ne!(u as usize, v, "vertex {v} matched to itself");
                assert_eq!(
                    mate[u as usize],
                    Some(v as u32),
                    "mate not symmetric at {v}"
                );
                assert!(
                    edges.iter().any(|&(a, b, w)| w > 0
                        && ((a as usize == v && b == u) || (b as usize == v && a == u))),
                    "pair {v}-{u} has no positive edge"
                );
            }
        }
    }

    /// Checks the dual certificate of optimality left by a finished run: non-negative duals,
    /// non-negative slack on every edge (counting the blossoms around it), tight matched edges,
    /// zero dual on single vertices, and full blossoms wherever the blossom dual is positive.
    fn assert_certificate(m: &Matcher) {
        assert!(!m.gave_up, "the step limit was reached");
        let n = m.n;
        for v in 0..n {
            assert!(m.dual[v] >= 0, "vertex {v} has negative dual");
            if m.mate[v] == NONE {
                assert_eq!(m.dual[v], 0, "single vertex {v} has a positive dual");
            } else {
                assert_eq!(
                    m.mate[m.endpoint[m.mate[v]]],
                    m.mate[v] ^ 1,
                    "asymmetric at {v}"
                );
            }
        }
        let chain = |v: usize| {
            let mut c = vec![v];
            while m.parent[*c.last().unwrap()] != NONE {
                c.push(m.parent[*c.last().unwrap()]);
            }
            c.reverse();
            c
        };
        for k in 0..m.weight2.len() {
            let (i, j) = (m.endpoint[2 * k], m.endpoint[2 * k + 1]);
            let mut s = m.dual[i] + m.dual[j] - m.weight2[k];
            for (bi, bj) in chain(i).into_iter().zip(chain(j)) {
                if bi != bj {
                    break;
                }
                s += 2 * m.dual[bi];
            }
            assert!(s >= 0, "edge {i}-{j} has negative slack {s}");
            let matched = m.mate[i] != NONE && m.mate[i] >> 1 == k;
            if matched {
                assert_eq!(m.mate[j] >> 1, k);
                assert_eq!(s, 0, "matched edge {i}-{j} is not tight");
            }
        }
        for b in n..2 * n {
            if m.base[b] == NONE {
                continue;
            }
            assert!(m.dual[b] >= 0, "blossom {b} has negative dual");
            if m.dual[b] > 0 {
                assert_eq!(m.endps[b].len() % 2, 1);
                for &p in m.endps[b].iter().skip(1).step_by(2) {
                    assert_eq!(m.mate[m.endpoint[p]], p ^ 1, "blossom {b} is not full");
                    assert_eq!(m.mate[m.endpoint[p ^ 1]], p, "blossom {b} is not full");
                }
            }
        }
    }

    fn random_graph(rng: &mut StdRng, n: usize, per_vertex: usize, lo: i64, hi: i64) -> Edges {
        let mut edges = Vec::new();
        for v in 0..n {
            for _ in 0..per_vertex {
                let u = rng.gen_range(0..n);
                if u != v {
                    edges.push((v as u32, u as u32, rng.gen_range(lo..=hi)));
                }
            }
        }
        edges
    }

    fn check_against_brute_force(n: usize, edges: &[(u32, u32, i64)]) {
        let expected = brute_force(n, edges);
        for warm in [true, false] {
            let state = solve_state(n, edges, warm);
            assert_certificate(&state);
            let mate = state.mates();
            assert_valid(n, edges, &mate);
            assert_eq!(
                matching_weight(edges, &mate),
                expected,
                "warm start: {warm}"
            );
        }
        let mate = max_weight_matching(n, edges);
        assert_eq!(matching_weight(edges, &mate), expected);
    }

    #[test]
    fn an_empty_graph_has_an_empty_matching() {
        assert_eq!(max_weight_matching(0, &[]), Vec::<Option<u32>>::new());
        assert_eq!(max_weight_matching(3, &[]), vec![None, None, None]);
        assert_eq!(matching_weight(&[], &[]), 0);
    }

    #[test]
    fn a_single_edge_is_taken() {
        assert_eq!(max_weight_matching(2, &[(0, 1, 7)]), vec![Some(1), Some(0)]);
    }

    #[test]
    fn self_loops_out_of_range_and_non_positive_edges_are_ignored() {
        let edges = [
            (0, 0, 100),
            (1, 1, 5),
            (0, 1, 0),
            (1, 2, -4),
            (2, 9, 50),
            (7, 8, 3),
        ];
        assert_eq!(max_weight_matching(3, &edges), vec![None, None, None]);
    }

    #[test]
    fn a_triangle_takes_its_heaviest_edge() {
        let edges = [(0, 1, 5), (1, 2, 6), (0, 2, 4)];
        let mate = max_weight_matching(3, &edges);
        assert_eq!(mate, vec![None, Some(2), Some(1)]);
        assert_eq!(matching_weight(&edges, &mate), 6);
    }

    #[test]
    fn a_path_can_prefer_one_heavy_edge_over_two_light_ones() {
        // 0-1 (5), 1-2 (11), 2-3 (5): two pairs weigh 10, the middle pair alone 11.
        let edges = [(0, 1, 5), (1, 2, 11), (2, 3, 5)];
        let mate = max_weight_matching(4, &edges);
        assert_eq!(mate, vec![None, Some(2), Some(1), None]);
        assert_eq!(matching_weight(&edges, &mate), 11);
    }

    #[test]
    fn a_path_takes_both_ends_when_they_outweigh_the_middle() {
        let edges = [(0, 1, 6), (1, 2, 11), (2, 3, 6)];
        let mate = max_weight_matching(4, &edges);
        assert_eq!(mate, vec![Some(1), Some(0), Some(3), Some(2)]);
    }

    #[test]
    fn an_odd_cycle_with_a_pendant_edge_beats_greedy() {
        // Triangle 0-1-2 with a pendant 2-3. Greedy takes 1-2 (10) and stops; the optimum pairs
        // 0-1 and 2-3 (9 + 8 = 17) through the blossom {0, 1, 2}.
        let edges = [(0, 1, 9), (1, 2, 10), (0, 2, 9), (2, 3, 8)];
        let greedy = greedy_matching(4, &edges);
        assert_eq!(matching_weight(&edges, &greedy), 10);
        let mate = max_weight_matching(4, &edges);
        assert_eq!(matching_weight(&edges, &mate), 17);
        assert_eq!(mate, vec![Some(1), Some(0), Some(3), Some(2)]);
    }

    #[test]
    fn a_pentagon_with_pendants_needs_a_blossom() {
        // Odd cycle 0..4 with pendants at 0 and 2; the heavy cycle edges lure greedy away.
        let edges = [
            (0, 1, 10),
            (1, 2, 10),
            (2, 3, 10),
            (3, 4, 10),
            (4, 0, 10),
            (0, 5, 7),
            (2, 6, 7),
        ];
        check_against_brute_force(7, &edges);
        // Greedy takes two cycle edges (20) and strands both pendants; the optimum uses one
        // pendant and two cycle edges (27).
        assert_eq!(matching_weight(&edges, &greedy_matching(7, &edges)), 20);
        let mate = max_weight_matching(7, &edges);
        assert_eq!(matching_weight(&edges, &mate), 27);
    }

    #[test]
    fn duplicate_edges_count_with_their_heaviest_weight() {
        let edges = [(0, 1, 3), (1, 0, 9), (0, 1, -2), (1, 2, 8)];
        let mate = max_weight_matching(3, &edges);
        assert_eq!(mate, vec![Some(1), Some(0), None]);
        assert_eq!(matching_weight(&edges, &mate), 9);
    }

    #[test]
    fn disconnected_components_and_isolated_vertices_are_solved_independently() {
        let edges = [
            (0, 1, 4),
            (1, 2, 5),
            (4, 5, 3),
            (5, 6, 3),
            (6, 4, 3),
            (7, 8, 1),
        ];
        check_against_brute_force(10, &edges);
        let mate = max_weight_matching(10, &edges);
        assert_eq!(mate[3], None);
        assert_eq!(mate[9], None);
        assert_eq!(matching_weight(&edges, &mate), 5 + 3 + 1);
    }

    #[test]
    fn nested_and_relabelled_blossoms_reach_the_optimum() {
        // Small graphs built to create S-blossoms, T-blossoms, nesting and expansion.
        let cases: Vec<(usize, Edges)> = vec![
            (5, vec![(1, 2, 8), (1, 3, 9), (2, 3, 10), (3, 4, 7)]),
            (
                7,
                vec![
                    (1, 2, 8),
                    (1, 3, 9),
                    (2, 3, 10),
                    (3, 4, 7),
                    (1, 6, 5),
                    (4, 5, 6),
                ],
            ),
            (
                7,
                vec![
                    (1, 2, 9),
                    (1, 3, 8),
                    (2, 3, 10),
                    (1, 4, 5),
                    (4, 5, 4),
                    (1, 6, 3),
                ],
            ),
            (
                7,
                vec![
                    (1, 2, 9),
                    (1, 3, 8),
                    (2, 3, 10),
                    (1, 4, 5),
                    (4, 5, 3),
                    (3, 6, 4),
                ],
            ),
            (
                7,
                vec![
                    (1, 2, 9),
                    (1, 3, 9),
                    (2, 3, 10),
                    (2, 4, 8),
                    (3, 5, 8),
                    (4, 5, 10),
                    (5, 6, 6),
                ],
            ),
            (
                9,
                vec![
                    (1, 2, 23),
                    (1, 5, 22),
                    (1, 6, 15),
                    (2, 3, 25),
                    (3, 4, 22),
                    (4, 5, 25),
                    (4, 8, 14),
                    (5, 7, 13),
                ],
            ),
            (
                11,
                vec![
                    (1, 2, 45),
                    (1, 5, 45),
                    (2, 3, 50),
                    (3, 4, 45),
                    (4, 5, 50),
                    (1, 6, 30),
                    (3, 9, 35),
                    (4, 8, 28),
                    (5, 7, 26),
                    (9, 10, 5),
                ],
            ),
            (
                13,
                vec![
                    (1, 2, 45),
                    (1, 7, 45),
                    (2, 3, 50),
                    (3, 4, 45),
                    (4, 5, 95),
                    (4, 6, 94),
                    (5, 6, 94),
                    (6, 7, 50),
                    (1, 8, 30),
                    (3, 11, 35),
                    (5, 9, 36),
                    (7, 10, 26),
                    (11, 12, 5),
                ],
            ),
        ];
        for (n, edges) in cases {
            check_against_brute_force(n, &edges);
        }
    }

    #[test]
    fn greedy_never_beats_the_optimum_on_a_large_graph() {
        let mut rng = StdRng::seed_from_u64(7);
        let edges = random_graph(&mut rng, 600, 12, 1, 50);
        let state = solve_state(600, &edges, true);
        assert_certificate(&state);
        let best = matching_weight(&edges, &state.mates());
        let greedy = matching_weight(&edges, &greedy_matching(600, &edges));
        assert!(greedy <= best);
        assert!(greedy > best / 2);
    }

    #[test]
    fn warm_and_cold_starts_certify_the_same_optimum_on_random_graphs() {
        for seed in 0..40 {
            let mut rng = StdRng::seed_from_u64(seed);
            let n = rng.gen_range(20..200);
            let per = rng.gen_range(1..8);
            let hi = if seed % 2 == 0 { 8 } else { 12_000 };
            let edges = random_graph(&mut rng, n, per, -3, hi);
            let warm = solve_state(n, &edges, true);
            let cold = solve_state(n, &edges, false);
            assert_certificate(&warm);
            assert_certificate(&cold);
            let (ww, cw) = (
                matching_weight(&edges, &warm.mates()),
                matching_weight(&edges, &cold.mates()),
            );
            assert_eq!(ww, cw, "seed {seed}");
            assert_valid(n, &edges, &warm.mates());
        }
    }

    #[test]
    fn near_additive_weights_with_giant_blossoms_are_certified() {
        // Weights that are (almost) a sum of per-vertex terms make nearly every edge tight:
        // large, nested blossoms and many ties.
        for seed in 0..16 {
            let mut rng = StdRng::seed_from_u64(seed);
            let n = 250;
            let rank: Vec<i64> = (0..n).map(|_| rng.gen_range(0..1_000)).collect();
            let mut edges = Vec::new();
            for v in 0..n {
                for _ in 0..8 {
                    let u = rng.gen_range(0..n);
                    // Per-vertex priority bonus for a few vertices (hubs of heavy edges).
                    let hub = |x: usize| if rank[x] < 30 { 100_000 } else { 0 };
                    let w = match seed % 4 {
                        0 => 200 + (rank[u] + rank[v]) / 2,
                        1 => 200 + ((u + v) as i64 * 7) % 1_000,
                        2 => rng.gen_range(200..=1_200) + 5 * (rank[u] + rank[v]),
                        _ => rng.gen_range(200..=1_200) + hub(u) + hub(v),
                    };
                    edges.push((v as u32, u as u32, w));
                }
            }
            for warm in [true, false] {
                let state = solve_state(n, &edges, warm);
                assert_certificate(&state);
                assert_valid(n, &edges, &state.mates());
            }
        }
    }

    #[test]
    fn the_engine_sized_graph_is_certified_optimal() {
        let mut rng = StdRng::seed_from_u64(2024);
        let edges = random_graph(&mut rng, 2_000, 30, 2_000, 12_000);
        let state = solve_state(2_000, &edges, true);
        assert_certificate(&state);
        assert_valid(2_000, &edges, &state.mates());
    }

    #[test]
    fn huge_weights_are_clamped_without_overflow() {
        let edges = [
            (0, 1, i64::MAX),
            (1, 2, i64::MAX),
            (2, 3, i64::MAX - 1),
            (3, 0, 5),
        ];
        let mate = max_weight_matching(4, &edges);
        assert_valid(4, &edges, &mate);
        assert_eq!(mate.iter().flatten().count(), 4);
        assert_eq!(matching_weight(&edges, &mate), i64::MAX);
    }

    #[test]
    fn matching_weight_ignores_one_sided_and_edgeless_pairs() {
        let edges = [(0, 1, 5), (0, 1, 8), (2, 3, 4)];
        assert_eq!(
            matching_weight(&edges, &[Some(1), Some(0), Some(3), None]),
            8
        );
        assert_eq!(matching_weight(&edges, &[Some(2), None, Some(0), None]), 0);
    }

    fn small_graph() -> impl Strategy<Value = (usize, Edges)> {
        (0_usize..=10).prop_flat_map(|n| {
            let vertex = 0..(n.max(1) as u32);
            let edge = (vertex.clone(), vertex, -4_i64..=12);
            (Just(n), prop::collection::vec(edge, 0..=30))
        })
    }

    fn medium_graph() -> impl Strategy<Value = (usize, Edges)> {
        (2_usize..=60, 1_i64..=40).prop_flat_map(|(n, hi)| {
            let vertex = 0..(n as u32);
            let edge = (vertex.clone(), vertex, -2_i64..=hi);
            (Just(n), prop::collection::vec(edge, 0..=4 * n))
        })
    }

    fn tie_heavy_graph() -> impl Strategy<Value = (usize, Edges)> {
        (2_usize..=120).prop_flat_map(|n| {
            let vertex = 0..(n as u32);
            let edge = (vertex.clone(), vertex, 1_i64..=3);
            (Just(n), prop::collection::vec(edge, 0..=6 * n))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100))]

        #[test]
        fn graphs_full_of_ties_and_odd_cycles_are_certified((n, edges) in tie_heavy_graph()) {
            let warm = solve_state(n, &edges, true);
            let cold = solve_state(n, &edges, false);
            assert_certificate(&warm);
            assert_certificate(&cold);
            prop_assert_eq!(
                matching_weight(&edges, &warm.mates()),
                matching_weight(&edges, &cold.mates())
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn warm_and_cold_starts_agree_and_every_dual_step_is_exact((n, edges) in medium_graph()) {
            // `solve_state` compares every dual step with a brute-force computation.
            let warm = solve_state(n, &edges, true);
            let cold = solve_state(n, &edges, false);
            assert_certificate(&warm);
            assert_certificate(&cold);
            assert_valid(n, &edges, &warm.mates());
            prop_assert_eq!(
                matching_weight(&edges, &warm.mates()),
                matching_weight(&edges, &cold.mates())
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn the_matching_is_valid_and_as_heavy_as_brute_force((n, edges) in small_graph()) {
            check_against_brute_force(n, &edges);
        }

        #[test]
        fn greedy_is_valid_and_never_better((n, edges) in small_graph()) {
            let greedy = greedy_matching(n, &edges);
            assert_valid(n, &edges, &greedy);
            prop_assert!(matching_weight(&edges, &greedy) <= brute_force(n, &edges));
        }
    }
}
