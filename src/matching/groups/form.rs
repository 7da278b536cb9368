//! Forming new groups within one focus-group bucket: seeded from the longest-waiting person,
//! grown greedily by the candidate adding the most compatibility, then improved by local search
//! (moves and swaps between groups that raise the total within-group score and keep every
//! rule). Every pair inside a group is peer-feasible and offered; the composition rules are
//! checked as if the group will be facilitated (the facilitator is chosen afterwards, and a
//! group that gets none is checked again without).

use std::collections::{HashMap, HashSet};

use crate::matching::model::{Config, Person};
use crate::matching::score::{Scorer, offered};

use super::rules::{GROUP_MAX, GROUP_MIN, GROUP_TARGET, composition_rules};

/// Local-search passes over a bucket.
const PASSES: usize = 3;

pub(super) struct Ctx<'a> {
    /// The waiting group requests; index `i` here is index `i` in the scorer.
    pub(super) people: &'a [&'a Person],
    pub(super) scorer: &'a Scorer,
    pub(super) cfg: &'a Config,
    /// Pair scores within a bucket, None when infeasible or not offered.
    scores: HashMap<(usize, usize), Option<f64>>,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(people: &'a [&'a Person], scorer: &'a Scorer, cfg: &'a Config) -> Self {
        Ctx {
            people,
            scorer,
            cfg,
            scores: HashMap::new(),
        }
    }

    fn pair(&mut self, a: usize, b: usize) -> Option<f64> {
        let key = if a < b { (a, b) } else { (b, a) };
        if let Some(s) = self.scores.get(&key) {
            return *s;
        }
        let s = if self.scorer.feasible_peer(a, b) {
            let total = self.scorer.peer_total(a, b);
            offered(total, self.scorer.step(a), self.scorer.step(b), self.cfg).then_some(total)
        } else {
            None
        };
        self.scores.insert(key, s);
        s
    }

    /// Sum of pair scores of `x` with every member, or None if any pair is not allowed.
    fn fit(&mut self, x: usize, group: &[usize]) -> Option<f64> {
        let mut total = 0.0;
        for &m in group {
            if m == x {
                continue;
            }
            total += self.pair(x, m)?;
        }
        Some(total)
    }

    /// Sum of pair scores of `x` with every member but `skip` (who `x` would replace).
    fn fit_without(&mut self, x: usize, group: &[usize], skip: usize) -> Option<f64> {
        let mut total = 0.0;
        for &m in group {
            if m == x || m == skip {
                continue;
            }
            total += self.pair(x, m)?;
        }
        Some(total)
    }

    fn total_score(&mut self, group: &[usize]) -> Option<f64> {
        let mut t = 0.0;
        for (i, &a) in group.iter().enumerate() {
            for &b in &group[i + 1..] {
                t += self.pair(a, b)?;
            }
        }
        Some(t)
    }

    fn composition(&self, group: &[usize]) -> bool {
        composition_rules(self.people, group, true, self.cfg) && self.scorer.share_a_language(group)
    }
}

/// Groups of `GROUP_MIN..=GROUP_TARGET` from `bucket` (longest-waiting first), then improved.
pub(super) fn form_groups(ctx: &mut Ctx<'_>, bucket: &[usize]) -> Vec<Vec<usize>> {
    let mut groups = seed_groups(ctx, bucket);
    improve(ctx, &mut groups, bucket);
    groups
}

fn seed_groups(ctx: &mut Ctx<'_>, bucket: &[usize]) -> Vec<Vec<usize>> {
    let mut free: Vec<usize> = bucket.to_vec(); // longest-waiting first
    let mut groups = Vec::new();
    while free.len() >= GROUP_MIN {
        let seed = free.remove(0);
        let mut g = vec![seed];
        while g.len() < GROUP_TARGET {
            let mut best: Option<(f64, usize)> = None;
            for (k, &c) in free.iter().enumerate() {
                if let Some(f) = ctx.fit(c, &g) {
                    let mut trial = g.clone();
                    trial.push(c);
                    if !ctx.scorer.share_a_language(&trial) {
                        continue;
                    }
                    if best.is_none_or(|(bf, _)| f > bf) {
                        best = Some((f, k));
                    }
                }
            }
            match best {
                Some((_, k)) => g.push(free.remove(k)),
                None => break,
            }
        }
        if g.len() >= GROUP_MIN {
            groups.push(g);
        }
        // A seed that found too few companions waits for the next tick.
    }
    groups
}

/// Local search: move a waiting person into a group, or swap two people between groups, when
/// it raises the total within-group score and keeps every group valid.
fn improve(ctx: &mut Ctx<'_>, groups: &mut [Vec<usize>], bucket: &[usize]) {
    for _ in 0..PASSES {
        let mut changed = false;
        // Moves of people left out into groups with room.
        let inside: HashSet<usize> = groups.iter().flatten().copied().collect();
        for &x in bucket.iter().filter(|x| !inside.contains(x)) {
            let mut best: Option<(f64, usize)> = None;
            for (gi, g) in groups.iter().enumerate() {
                if g.len() >= GROUP_MAX {
                    continue;
                }
                let mut trial = g.clone();
                trial.push(x);
                if let Some(f) = ctx.fit(x, g)
                    && ctx.composition(&trial)
                    && best.is_none_or(|(bf, _)| f > bf)
                {
                    best = Some((f, gi));
                }
            }
            if let Some((_, gi)) = best {
                groups[gi].push(x);
                changed = true;
            }
        }
        // Swaps between groups. A swap's new totals come from the members' fits (O(size) per
        // trial, not the O(size²) of re-scoring both groups); composition is checked only for
        // a swap that would be the best so far.
        for a in 0..groups.len() {
            for b in a + 1..groups.len() {
                let (Some(ta), Some(tb)) =
                    (ctx.total_score(&groups[a]), ctx.total_score(&groups[b]))
                else {
                    continue;
                };
                let before = ta + tb;
                let fit_a: Vec<Option<f64>> =
                    groups[a].iter().map(|&x| ctx.fit(x, &groups[a])).collect();
                let fit_b: Vec<Option<f64>> =
                    groups[b].iter().map(|&y| ctx.fit(y, &groups[b])).collect();
                let mut best: Option<(f64, usize, usize)> = None;
                for (i, &x) in groups[a].iter().enumerate() {
                    for (j, &y) in groups[b].iter().enumerate() {
                        let (Some(fx), Some(fy)) = (fit_a[i], fit_b[j]) else {
                            continue;
                        };
                        let (Some(ya), Some(xb)) = (
                            ctx.fit_without(y, &groups[a], x),
                            ctx.fit_without(x, &groups[b], y),
                        ) else {
                            continue;
                        };
                        let total = (ta - fx + ya) + (tb - fy + xb);
                        if total > before + 1e-9 && best.is_none_or(|(bs, _, _)| total > bs) {
                            let mut ga = groups[a].clone();
                            let mut gb = groups[b].clone();
                            ga[i] = y;
                            gb[j] = x;
                            if ctx.composition(&ga) && ctx.composition(&gb) {
                                best = Some((total, i, j));
                            }
                        }
                    }
                }
                if let Some((_, i, j)) = best {
                    let (left, right) = groups.split_at_mut(b);
                    std::mem::swap(&mut left[a][i], &mut right[0][j]);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
}
