//! The greedy baseline the exact solver is compared with in tests and benchmarks; the engine
//! must not use it.

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
