//! Candidate edges for the pair solver: feasible, offered peer edges found through buckets of
//! (session language, focus group), each person keeping its best few, widened for anyone the
//! buckets leave with too few.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use crate::matching::model::{Config, Exclusions, Format, Person, Vocab};

use super::constraints::level_allowed;
use super::feature::total_of;
use super::idf::tag_idf;
use super::packed::{Batch, NONE, Packed};
use super::wait::{edge_weight, offered};

/// Candidates are ranked by compatibility (`round(100·score)`), not by the solver weight:
/// ranking by weight would fill everyone's list with the longest-waiting people (whose
/// priority bonus dwarfs any score) and drop every edge between ordinary members, costing
/// several percent of the optimum. The weight rides along as the third element.
type Heap = BinaryHeap<Reverse<(i64, Reverse<u32>, i64)>>;

fn keep_top(heap: &mut Heap, k: usize, rank: i64, other: u32, weight: i64) {
    let item = Reverse((rank, Reverse(other), weight));
    if heap.len() < k {
        heap.push(item);
    } else if heap.peek().is_some_and(|worst| item < *worst) {
        // `Reverse` inverts: a smaller `Reverse` is a better edge.
        heap.pop();
        heap.push(item);
    }
}

/// Feasible, offered peer edges for the pair (or group) solver, as `(i, j, weight)` with
/// `i < j` indices into `people`, sorted; each person keeps its best `per_person` edges by
/// [`edge_weight`] (ties to the lower index) and the union is returned without duplicates.
///
/// Candidate generation: people are bucketed by (session language, focus group); each person
/// is compared once with everyone sharing a language whose focus group is the same as or related
/// to theirs (the mental-health rows only when both list a mental-health condition). Someone
/// left with fewer than `per_person` offered edges (a rare condition or a minority language) is
/// then compared with everyone sharing a language, so nobody with a feasible partner is lost to
/// the bucketing.
///
/// Tag weights come from [`tag_idf`] over `people`; use [`candidate_pairs_with_idf`] to pass
/// the table the rest of the tick uses, so that edge weights and stored scores agree.
pub fn candidate_pairs(
    people: &[Person],
    vocab: &Vocab,
    excl: &Exclusions,
    cfg: &Config,
    per_person: usize,
) -> Vec<(u32, u32, i64)> {
    let refs: Vec<&Person> = people.iter().collect();
    candidate_pairs_with_idf(people, vocab, excl, cfg, per_person, &tag_idf(&refs))
}

/// [`candidate_pairs`] with a given tag-weight table.
pub fn candidate_pairs_with_idf(
    people: &[Person],
    vocab: &Vocab,
    excl: &Exclusions,
    cfg: &Config,
    per_person: usize,
    idf: &HashMap<String, f64>,
) -> Vec<(u32, u32, i64)> {
    let n = people.len();
    if per_person == 0 || n < 2 || n > u32::MAX as usize / 2 {
        return Vec::new();
    }
    let refs: Vec<&Person> = people.iter().collect();
    let batch = Batch::build(&refs, &[], vocab, excl, idf, cfg);
    let ng = batch.n_groups.max(1);

    // Related focus groups of each group: itself first, then its related groups with the
    // "both mental" flag.
    let related: Vec<Vec<(u32, bool)>> = (0..batch.n_groups as u32)
        .map(|g| {
            let mut list = vec![(g, false)];
            for h in 0..batch.n_groups as u32 {
                match batch.relation(g, h) {
                    1 => list.push((h, false)),
                    2 => list.push((h, true)),
                    _ => {}
                }
            }
            list
        })
        .collect();
    // People who can never be in a peer room (one-to-one requests, level 1 in a pair by
    // default) are left out of the buckets; everyone else is indexed by language and focus group.
    let eligible: Vec<bool> = batch
        .people
        .iter()
        .map(|p| {
            p.format == Format::Group || (p.format == Format::Pair && level_allowed(p.level, cfg))
        })
        .collect();
    let mut by_focus: Vec<Vec<u32>> = vec![Vec::new(); batch.n_langs * ng];
    let mut by_lang: Vec<Vec<u32>> = vec![Vec::new(); batch.n_langs];
    for (i, p) in batch.people.iter().enumerate() {
        if !eligible.get(i).copied().unwrap_or(false) {
            continue;
        }
        for l in batch.slice(p.langs) {
            if let Some(bucket) = by_lang.get_mut(*l as usize) {
                bucket.push(i as u32);
            }
            if p.focus_group != NONE
                && let Some(bucket) = by_focus.get_mut(*l as usize * ng + p.focus_group as usize)
            {
                bucket.push(i as u32);
            }
        }
    }
    let in_focus_range = |a: &Packed, b: &Packed| -> bool {
        a.focus_group != NONE
            && (a.focus_group == b.focus_group
                || batch.related(a.focus_group, b.focus_group, a.has_mental && b.has_mental))
    };

    let mut heaps: Vec<Heap> = (0..n).map(|_| Heap::new()).collect();
    let mut offered_count = vec![0usize; n];
    let mut seen = vec![u32::MAX; n];
    let consider = |i: usize, j: usize, heaps: &mut [Heap], count: &mut [usize]| {
        let (Some(a), Some(b)) = (batch.people.get(i), batch.people.get(j)) else {
            return;
        };
        if !batch.feasible_peer(a, b, cfg) {
            return;
        }
        let total = total_of(&batch.peer_parts(a, b, cfg), cfg);
        if !offered(total, a.step, b.step, cfg) {
            return;
        }
        let w = edge_weight(total, a.bonus, b.bonus);
        let rank = edge_weight(total, 0, 0);
        for (x, y) in [(i, j), (j, i)] {
            if let Some(h) = heaps.get_mut(x) {
                keep_top(h, per_person, rank, y as u32, w);
            }
            if let Some(c) = count.get_mut(x) {
                *c += 1;
            }
        }
    };

    // Phase 1: same or related focus group, each unordered pair once (the relation is
    // symmetric, so the lower index finds the higher).
    for (i, a) in batch.people.iter().enumerate() {
        if a.focus_group == NONE || !eligible.get(i).copied().unwrap_or(false) {
            continue;
        }
        let stamp = i as u32;
        for l in batch.slice(a.langs) {
            for (g, needs_mental) in related.get(a.focus_group as usize).into_iter().flatten() {
                if *needs_mental && !a.has_mental {
                    continue;
                }
                let Some(bucket) = by_focus.get(*l as usize * ng + *g as usize) else {
                    continue;
                };
                let from = bucket.partition_point(|j| (*j as usize) <= i);
                for j in bucket.iter().skip(from) {
                    let j = *j as usize;
                    if seen.get(j) == Some(&stamp) {
                        continue;
                    }
                    if let Some(s) = seen.get_mut(j) {
                        *s = stamp;
                    }
                    let b_mental = batch.people.get(j).is_some_and(|b| b.has_mental);
                    if *needs_mental && !b_mental {
                        continue;
                    }
                    consider(i, j, &mut heaps, &mut offered_count);
                }
            }
        }
    }

    // Phase 2: widen thin people to everyone sharing a language.
    let widened: Vec<bool> = offered_count
        .iter()
        .zip(&eligible)
        .map(|(c, e)| *e && *c < per_person)
        .collect();
    for (i, a) in batch.people.iter().enumerate() {
        if !widened.get(i).copied().unwrap_or(false) {
            continue;
        }
        let stamp = (n + i) as u32;
        for l in batch.slice(a.langs) {
            for j in by_lang.get(*l as usize).into_iter().flatten() {
                let j = *j as usize;
                if j == i || seen.get(j) == Some(&stamp) {
                    continue;
                }
                if let Some(s) = seen.get_mut(j) {
                    *s = stamp;
                }
                let Some(b) = batch.people.get(j) else {
                    continue;
                };
                if in_focus_range(a, b) || (j < i && widened.get(j).copied().unwrap_or(false)) {
                    continue; // done in phase 1, or by j's own widening
                }
                consider(i, j, &mut heaps, &mut offered_count);
            }
        }
    }

    let mut edges: Vec<(u32, u32, i64)> = heaps
        .iter()
        .enumerate()
        .flat_map(|(i, h)| {
            h.iter().map(move |Reverse((_, Reverse(j), w))| {
                let i = i as u32;
                (i.min(*j), i.max(*j), *w)
            })
        })
        .collect();
    edges.sort_unstable();
    edges.dedup();
    edges
}
