//! Unit tests of the pair solver: small graphs with known optima, brute force on random
//! graphs, the optimality certificate of the final duals, every dual step, and properties.

use super::matcher::{Matcher, NONE};
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
