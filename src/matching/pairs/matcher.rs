//! The state of one run of the solver ([`Matcher`]): the graph laid out as endpoints and
//! adjacency, the matching, blossoms, labels and lazily stored duals, with the small
//! accessors every phase uses. The phases themselves are in `start`, `forest`, `blossom`,
//! `duals` and `stage`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The largest weight taken at face value; larger weights are treated as this value, which
/// keeps every dual and slack far from `i64` overflow.
pub const MAX_WEIGHT: i64 = 1 << 40;

/// Marks "no vertex / no edge / no blossom" in the internal index arrays.
pub(super) const NONE: usize = usize::MAX;

/// Labels of top-level blossoms (and of vertices, see `Matcher::label`).
pub(super) const FREE: u8 = 0;
pub(super) const S: u8 = 1;
pub(super) const T: u8 = 2;

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
pub(super) struct Matcher {
    pub(super) n: usize,
    /// `endpoint[p]`: the vertex at endpoint `p`.
    pub(super) endpoint: Vec<usize>,
    /// Twice the (clamped) weight of each edge.
    pub(super) weight2: Vec<i64>,
    /// Adjacency in compressed form: the remote endpoints of `v`'s edges are
    /// `adj[adj_start[v]..adj_start[v + 1]]`.
    pub(super) adj_start: Vec<usize>,
    pub(super) adj: Vec<usize>,
    /// `mate[v]`: the remote endpoint of `v`'s matched edge, or `NONE`.
    pub(super) mate: Vec<usize>,
    /// Label of a top-level blossom (`FREE`, `S`, `T`); for a vertex inside a T-blossom, `T`
    /// when the vertex is reachable from an S-vertex outside the blossom.
    pub(super) label: Vec<u8>,
    /// The remote endpoint of the edge through which a labelled blossom got its label, or
    /// `NONE` for a root.
    pub(super) labelend: Vec<usize>,
    /// `inblossom[v]`: the top-level blossom containing vertex `v`.
    pub(super) inblossom: Vec<usize>,
    /// Parent blossom of a (sub-)blossom, or `NONE` at top level.
    pub(super) parent: Vec<usize>,
    /// Sub-blossoms of a non-trivial blossom, starting with the one holding the base.
    pub(super) childs: Vec<Vec<usize>>,
    /// Base vertex of each (sub-)blossom, `NONE` for unused blossom numbers.
    pub(super) base: Vec<usize>,
    /// `endps[b][i]`: the endpoint, in `childs[b][i]`, of the edge joining it to the next
    /// sub-blossom round the cycle.
    pub(super) endps: Vec<Vec<usize>>,
    /// Unused blossom numbers.
    pub(super) unused: Vec<usize>,
    /// Vertex duals (twice the textbook value) then blossom duals, as of `stamp`.
    pub(super) dual: Vec<i64>,
    /// The value of `shift` when each dual was last fixed.
    pub(super) stamp: Vec<i64>,
    /// Sum of the dual steps taken so far.
    pub(super) shift: i64,
    /// Edges known to be tight while their ends keep their labels.
    pub(super) allowed: Vec<bool>,
    pub(super) allowed_list: Vec<usize>,
    /// S-vertices waiting to be scanned.
    pub(super) queue: Vec<usize>,
    /// Single tight edges waiting to be followed: (S-vertex, remote endpoint).
    pub(super) edge_queue: Vec<(usize, usize)>,
    /// Breadcrumbs of `scan_blossom`.
    pub(super) crumb: Vec<bool>,
    /// Single vertices with a positive dual: the roots.
    pub(super) roots: Vec<usize>,
    /// Vertices and non-trivial blossoms labelled in this stage.
    pub(super) touched_v: Vec<usize>,
    pub(super) is_touched_v: Vec<bool>,
    pub(super) touched_b: Vec<usize>,
    pub(super) is_touched_b: Vec<bool>,
    /// `tree[v]`: the root of the alternating tree that labelled `v` last.
    pub(super) tree: Vec<usize>,
    /// Per root: the vertices labelled in its tree (may hold stale entries).
    pub(super) members: Vec<Vec<usize>>,
    /// Scratch marks for `kill_trees`.
    pub(super) mark_v: Vec<bool>,
    pub(super) mark_b: Vec<bool>,
    /// `delta1` candidates: S-vertices keyed by dual + shift.
    pub(super) heap_vertex: MinHeap,
    /// `delta2` candidates: unlabelled vertices keyed by the slack of their least-slack edge
    /// to an S-vertex (`best_free`) + shift.
    pub(super) heap_free: MinHeap,
    /// For an unlabelled vertex (or one inside a T-blossom): its least-slack edge to an
    /// S-vertex, or `NONE`. May be stale after a tree is removed; checked when used.
    pub(super) best_free: Vec<usize>,
    /// `delta3` candidates: edges between S-blossoms, keyed by slack + 2 shift.
    pub(super) heap_between: MinHeap,
    /// `delta4` candidates: T-blossoms keyed by dual + shift.
    pub(super) heap_blossom: MinHeap,
    /// Tests: compare every dual step with a brute-force computation.
    /// Set if the step limit stopped the run (never expected; checked by the tests).
    pub(super) gave_up: bool,
    #[cfg(test)]
    pub(super) check_steps: bool,
}

impl Matcher {
    /// Builds the graph: drops self-loops, out-of-range ends and weights `<= 0`, keeps the
    /// heaviest of duplicate edges, clamps weights, and lays out the adjacency lists.
    pub(super) fn new(n: usize, edges: &[(u32, u32, i64)]) -> Self {
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
    pub(super) fn y(&self, v: usize) -> i64 {
        match self.label[self.inblossom[v]] {
            S => self.dual[v] - (self.shift - self.stamp[v]),
            T => self.dual[v] + (self.shift - self.stamp[v]),
            _ => self.dual[v],
        }
    }

    /// The current dual of non-trivial blossom `b` (frozen unless it is top-level).
    #[inline]
    pub(super) fn z(&self, b: usize) -> i64 {
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
    pub(super) fn fix_v(&mut self, v: usize) {
        self.dual[v] = self.y(v);
        self.stamp[v] = self.shift;
    }

    /// Re-bases the dual of blossom `b`; call before its label or its parent changes.
    pub(super) fn fix_b(&mut self, b: usize) {
        self.dual[b] = self.z(b);
        self.stamp[b] = self.shift;
    }

    /// Twice the slack of edge `k` (valid for edges not inside a blossom).
    #[inline]
    pub(super) fn slack(&self, k: usize) -> i64 {
        self.y(self.endpoint[2 * k]) + self.y(self.endpoint[2 * k + 1]) - self.weight2[k]
    }

    #[inline]
    pub(super) fn neighbours(&self, v: usize) -> std::ops::Range<usize> {
        self.adj_start[v]..self.adj_start[v + 1]
    }

    pub(super) fn touch_v(&mut self, v: usize) {
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
    pub(super) fn set_label(&mut self, x: usize, l: u8) {
        self.label[x] = l;
        if x < self.n {
            self.touch_v(x);
        } else {
            self.touch_b(x);
        }
    }

    pub(super) fn allow(&mut self, k: usize) {
        if !self.allowed[k] {
            self.allowed[k] = true;
            self.allowed_list.push(k);
        }
    }

    /// Appends the vertices of blossom `b` to `out`.
    pub(super) fn leaves(&self, b: usize, out: &mut Vec<usize>) {
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

    pub(super) fn mates(&self) -> Vec<Option<u32>> {
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
