//! Unit tests of the assignment solver: small instances with known optima, brute force, the
//! optimality certificate on random and engine-sized instances, and properties.

use std::cmp::Reverse;

use super::*;
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

type Edges = Vec<(u32, u32, i64)>;

/// The best total over every way to place the members (tiny instances only).
fn brute_force(members: usize, capacity: &[u32], edges: &[(u32, u32, i64)]) -> i64 {
    fn go(m: usize, members: usize, left: &mut [u32], edges: &[(u32, u32, i64)]) -> i64 {
        if m == members {
            return 0;
        }
        let mut best = go(m + 1, members, left, edges);
        for &(em, v, w) in edges {
            let v = v as usize;
            if em as usize == m && w > 0 && v < left.len() && left[v] > 0 {
                left[v] -= 1;
                best = best.max(w + go(m + 1, members, left, edges));
                left[v] += 1;
            }
        }
        best
    }
    go(0, members, &mut capacity.to_vec(), edges)
}

/// Every placement uses a positive edge of the input and no volunteer is over capacity.
fn assert_valid(
    members: usize,
    capacity: &[u32],
    edges: &[(u32, u32, i64)],
    assigned: &[Option<u32>],
) {
    assert_eq!(assigned.len(), members);
    let mut load = vec![0_u32; capacity.len()];
    for (m, a) in assigned.iter().enumerate() {
        if let Some(v) = *a {
            assert!(
                (v as usize) < capacity.len(),
                "member {m} placed with unknown {v}"
            );
            load[v as usize] += 1;
            assert!(
                edges
                    .iter()
                    .any(|&(em, ev, w)| em as usize == m && ev == v && w > 0),
                "member {m} placed with {v} without a positive edge"
            );
        }
    }
    for (v, (&l, &c)) in load.iter().zip(capacity).enumerate() {
        assert!(l <= c, "volunteer {v} has {l} members for capacity {c}");
    }
}

/// Optimality certificate, independent of the solver: the residual network of the
/// assignment, closed by a free arc from sink to source, has no negative cycle
/// (Bellman-Ford). For a min-cost circulation that is exactly optimality.
fn assert_no_improving_cycle(
    members: usize,
    capacity: &[u32],
    edges: &[(u32, u32, i64)],
    assigned: &[Option<u32>],
) {
    let volunteers = capacity.len();
    let (source, sink) = (members + volunteers, members + volunteers + 1);
    let mut arcs: Vec<(usize, usize, i64)> = Vec::new();
    let mut load = vec![0_u32; volunteers];
    for (m, a) in assigned.iter().enumerate() {
        match *a {
            Some(v) => {
                load[v as usize] += 1;
                arcs.push((m, source, 0));
            }
            None => arcs.push((source, m, 0)),
        }
    }
    let mut used = vec![0_i64; members];
    for &(m, v, w) in edges {
        let (mu, vu) = (m as usize, v as usize);
        if w <= 0 || mu >= members || vu >= volunteers {
            continue;
        }
        let w = w.min(MAX_WEIGHT);
        arcs.push((mu, members + vu, -w));
        if assigned[mu] == Some(v) {
            used[mu] = used[mu].max(w);
        }
    }
    for (m, a) in assigned.iter().enumerate() {
        if let Some(v) = *a {
            // Undoing a placement gives back the weight of the edge it uses.
            arcs.push((members + v as usize, m, used[m]));
        }
    }
    for v in 0..volunteers {
        if load[v] < capacity[v] {
            arcs.push((members + v, sink, 0));
        }
        if load[v] > 0 {
            arcs.push((sink, members + v, 0));
        }
    }
    arcs.push((sink, source, 0));
    if assigned.iter().any(Option::is_some) {
        arcs.push((source, sink, 0));
    }
    let n = sink + 1;
    let mut dist = vec![0_i64; n];
    for round in 0..=n {
        let mut changed = false;
        for &(u, v, c) in &arcs {
            if dist[u] + c < dist[v] {
                dist[v] = dist[u] + c;
                changed = true;
            }
        }
        if !changed {
            return;
        }
        assert!(
            round < n,
            "the residual network has a negative cycle: not optimal"
        );
    }
}

fn greedy(members: usize, capacity: &[u32], edges: &[(u32, u32, i64)]) -> Vec<Option<u32>> {
    let mut sorted: Edges = edges.iter().copied().filter(|e| e.2 > 0).collect();
    sorted.sort_by_key(|e| Reverse(e.2));
    let mut left = capacity.to_vec();
    let mut assigned = vec![None; members];
    for (m, v, _) in sorted {
        if assigned[m as usize].is_none() && left[v as usize] > 0 {
            assigned[m as usize] = Some(v);
            left[v as usize] -= 1;
        }
    }
    assigned
}

fn random_instance(
    rng: &mut StdRng,
    members: usize,
    volunteers: usize,
    per_member: usize,
    caps: (u32, u32),
    weights: (i64, i64),
) -> (Vec<u32>, Edges) {
    let capacity: Vec<u32> = (0..volunteers)
        .map(|_| rng.gen_range(caps.0..=caps.1))
        .collect();
    let mut edges = Vec::new();
    for m in 0..members {
        for _ in 0..per_member {
            let v = rng.gen_range(0..volunteers);
            edges.push((m as u32, v as u32, rng.gen_range(weights.0..=weights.1)));
        }
    }
    (capacity, edges)
}

#[test]
fn nobody_is_placed_without_edges_or_volunteers() {
    assert_eq!(
        max_weight_assignment(0, &[], &[]),
        Vec::<Option<u32>>::new()
    );
    assert_eq!(max_weight_assignment(3, &[], &[]), vec![None, None, None]);
    assert_eq!(max_weight_assignment(2, &[2, 1], &[]), vec![None, None]);
    assert_eq!(assignment_weight(&[], &[]), 0);
}

#[test]
fn a_single_edge_is_used() {
    assert_eq!(max_weight_assignment(1, &[1], &[(0, 0, 5)]), vec![Some(0)]);
}

#[test]
fn unknown_members_volunteers_and_non_positive_edges_are_ignored() {
    let edges = [(0, 0, 0), (0, 1, -5), (5, 0, 9), (1, 7, 9)];
    assert_eq!(max_weight_assignment(2, &[1, 1], &edges), vec![None, None]);
}

#[test]
fn greedy_is_beaten_when_the_heaviest_edge_blocks_two_others() {
    // Greedy gives volunteer 0 to member 0 (10) and leaves member 1 with nothing; the
    // optimum sends member 0 to volunteer 1 and member 1 to volunteer 0 (9 + 8 = 17).
    let edges = [(0, 0, 10), (0, 1, 9), (1, 0, 8)];
    let cap = [1, 1];
    assert_eq!(assignment_weight(&edges, &greedy(2, &cap, &edges)), 10);
    let assigned = max_weight_assignment(2, &cap, &edges);
    assert_eq!(assigned, vec![Some(1), Some(0)]);
    assert_eq!(assignment_weight(&edges, &assigned), 17);
}

#[test]
fn the_certificate_rejects_a_suboptimal_assignment() {
    let edges = [(0, 0, 10), (0, 1, 9), (1, 0, 8)];
    let cap = [1, 1];
    assert_no_improving_cycle(2, &cap, &edges, &max_weight_assignment(2, &cap, &edges));
    let greedy = greedy(2, &cap, &edges);
    let caught = std::panic::catch_unwind(|| assert_no_improving_cycle(2, &cap, &edges, &greedy));
    assert!(caught.is_err());
}

#[test]
fn capacities_above_one_take_several_members() {
    let edges = [(0, 0, 5), (1, 0, 6), (2, 0, 7), (2, 1, 1)];
    let assigned = max_weight_assignment(3, &[2, 1], &edges);
    assert_eq!(assigned, vec![None, Some(0), Some(0)]);
    assert_eq!(assignment_weight(&edges, &assigned), 13);
}

#[test]
fn zero_capacity_volunteers_take_nobody() {
    let edges = [(0, 0, 100), (0, 1, 3), (1, 0, 50)];
    let assigned = max_weight_assignment(2, &[0, 1], &edges);
    assert_eq!(assigned, vec![Some(1), None]);
}

#[test]
fn members_without_edges_stay_unassigned() {
    let edges = [(1, 0, 4), (3, 0, 2)];
    let assigned = max_weight_assignment(4, &[3], &edges);
    assert_eq!(assigned, vec![None, Some(0), None, Some(0)]);
}

#[test]
fn a_longer_exchange_chain_is_found() {
    // Placing member 2 needs member 1 and member 0 each to move one volunteer along.
    let edges = [
        (0, 0, 10),
        (0, 1, 9),
        (1, 1, 10),
        (1, 2, 9),
        (2, 2, 10),
        (2, 0, 1),
        (3, 0, 8),
    ];
    let cap = [1, 1, 1];
    let assigned = max_weight_assignment(4, &cap, &edges);
    assert_eq!(
        assignment_weight(&edges, &assigned),
        brute_force(4, &cap, &edges)
    );
    assert_valid(4, &cap, &edges, &assigned);
}

#[test]
fn duplicate_edges_count_with_their_heaviest_weight() {
    let edges = [(0, 0, 3), (0, 0, 9), (0, 0, -1)];
    let assigned = max_weight_assignment(1, &[1], &edges);
    assert_eq!(assigned, vec![Some(0)]);
    assert_eq!(assignment_weight(&edges, &assigned), 9);
}

#[test]
fn huge_weights_are_clamped_without_overflow() {
    let edges = [(0, 0, i64::MAX), (1, 0, i64::MAX), (1, 1, i64::MAX)];
    let assigned = max_weight_assignment(2, &[1, 1], &edges);
    assert_valid(2, &[1, 1], &edges, &assigned);
    assert_eq!(assigned.iter().flatten().count(), 2);
    assert_eq!(assignment_weight(&edges, &assigned), i64::MAX);
}

#[test]
fn the_engine_sized_instance_is_certified_optimal() {
    let mut rng = StdRng::seed_from_u64(11);
    let (cap, edges) = random_instance(&mut rng, 1_500, 150, 30, (1, 3), (2_000, 12_000));
    let assigned = max_weight_assignment(1_500, &cap, &edges);
    assert_valid(1_500, &cap, &edges, &assigned);
    assert_no_improving_cycle(1_500, &cap, &edges, &assigned);
    let g = assignment_weight(&edges, &greedy(1_500, &cap, &edges));
    assert!(g <= assignment_weight(&edges, &assigned));
}

#[test]
fn random_medium_instances_are_certified_optimal() {
    for seed in 0..60 {
        let mut rng = StdRng::seed_from_u64(seed);
        let members = rng.gen_range(1..120);
        let volunteers = rng.gen_range(1..30);
        let per = rng.gen_range(1..6);
        let hi = if seed % 2 == 0 { 6 } else { 12_000 };
        let (cap, edges) = random_instance(&mut rng, members, volunteers, per, (0, 4), (-3, hi));
        let assigned = max_weight_assignment(members, &cap, &edges);
        assert_valid(members, &cap, &edges, &assigned);
        assert_no_improving_cycle(members, &cap, &edges, &assigned);
    }
}

fn tiny_instance() -> impl Strategy<Value = (usize, Vec<u32>, Edges)> {
    (0_usize..=6, 0_usize..=3).prop_flat_map(|(members, volunteers)| {
        let edge = (
            0..(members.max(1) as u32),
            0..(volunteers.max(1) as u32),
            -3_i64..=10,
        );
        (
            Just(members),
            prop::collection::vec(0_u32..=2, volunteers),
            prop::collection::vec(edge, 0..=14),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    #[test]
    fn the_assignment_is_valid_and_as_heavy_as_brute_force((members, cap, edges) in tiny_instance()) {
        let assigned = max_weight_assignment(members, &cap, &edges);
        assert_valid(members, &cap, &edges, &assigned);
        prop_assert_eq!(assignment_weight(&edges, &assigned), brute_force(members, &cap, &edges));
    }
}
