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
//!
//! Layout: the public functions here; `matcher` (the state of a run), `start` (warm and cold
//! starts), `forest` (labels, edges, augmentation, tree removal), `blossom` (shrink, expand,
//! rotate), `duals` (the dual step), `stage` (the main loop); `greedy` (the baseline).

mod blossom;
mod duals;
mod forest;
mod greedy;
mod matcher;
mod stage;
mod start;

pub use greedy::greedy_matching;

pub use matcher::MAX_WEIGHT;
use matcher::Matcher;

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

#[cfg(test)]
mod tests;
