//! Group formation, pure. First each waiting group request is offered a seat in an existing
//! open group of the same focus (same condition first, then same group), sharing a language,
//! with no exclusion against anyone in it; then the rest are formed into new groups of 3–8
//! (target 5–6) per focus group: seeded from the longest-waiting person, grown greedily by the
//! candidate adding the most compatibility, then improved by local search (moves and swaps
//! between groups that raise the total within-group score and keep every rule). A volunteer
//! with a free group slot who covers the focus group and shares the group's language is added
//! as facilitator when one exists.
//!
//! Composition rules (MATCHING.md 4.5): levels mixed; when a level-2 member is present at least
//! one member is level 3 or 4, and level-2 members are at most half; level-1 members only in a
//! facilitated group; the spread of time since diagnosis is at most two bins when anyone is
//! newly diagnosed. Unknown levels and stages never break a rule. No I/O here.

use std::collections::HashMap;

use super::model::{Config, Exclusions, Person, Vocab, Volunteer};
use super::score::{Scorer, offered};

/// Smallest new group.
pub const GROUP_MIN: usize = 3;
/// Size a new group grows to before it stops taking more at formation.
pub const GROUP_TARGET: usize = 6;
/// Largest group (members; the facilitator sits on top within the room's limit).
pub const GROUP_MAX: usize = 7;
/// Local-search passes over a bucket.
const PASSES: usize = 3;

/// An open group room as the engine sees it. The pool builds it: `members` are the people
/// seated now (not the facilitator), each as a [`Person`] with `key` = their user id,
/// `format` = group and `focus` = the room's focus, so a seat is checked with the same rules
/// as a new group (every pair feasible, composition kept).
#[derive(Debug, Clone)]
pub struct RoomSlot {
    pub room_id: String,
    pub focus_condition: String,
    pub focus_group: String,
    pub free_seats: usize,
    pub members: Vec<Person>,
    /// The facilitator's user id, when the room has one.
    pub facilitator: Option<String>,
    /// User ids of people who were seated here once and left: never proposed for it again.
    pub former: Vec<String>,
}

impl RoomSlot {
    pub fn has_facilitator(&self) -> bool {
        self.facilitator.is_some()
    }

    /// Session languages every current member shares.
    pub fn languages(&self) -> Vec<String> {
        let mut it = self.members.iter();
        let Some(first) = it.next() else {
            return Vec::new();
        };
        let mut common = first.session_languages.clone();
        for m in it {
            common.retain(|l| m.session_languages.contains(l));
        }
        common
    }
}

/// The groups plan: seats in existing rooms and new groups.
#[derive(Debug, Default)]
pub struct GroupPlan {
    /// (person index, room id)
    pub placements: Vec<(usize, String)>,
    /// (member indices, facilitator volunteer index)
    pub new_groups: Vec<(Vec<usize>, Option<usize>)>,
}

struct Ctx<'a> {
    people: &'a [&'a Person],
    scorer: Scorer,
    cfg: &'a Config,
    /// Pair scores within a bucket, None when infeasible or not offered.
    scores: HashMap<(usize, usize), Option<f64>>,
}

impl Ctx<'_> {
    fn pair(&mut self, a: usize, b: usize, _idf: &HashMap<String, f64>) -> Option<f64> {
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
    fn fit(&mut self, x: usize, group: &[usize], idf: &HashMap<String, f64>) -> Option<f64> {
        let mut total = 0.0;
        for &m in group {
            if m == x {
                continue;
            }
            total += self.pair(x, m, idf)?;
        }
        Some(total)
    }
}

fn common_language(people: &[&Person], members: &[usize]) -> Option<String> {
    let first = people[*members.first()?];
    first
        .session_languages
        .iter()
        .find(|l| {
            members
                .iter()
                .all(|&m| people[m].session_languages.contains(l))
        })
        .cloned()
}

/// The composition rules of MATCHING.md 4.5 for a group of `members`.
pub fn composition_ok(people: &[&Person], members: &[usize], facilitated: bool) -> bool {
    let levels: Vec<u8> = members.iter().filter_map(|&m| people[m].level).collect();
    if !facilitated && levels.contains(&1) {
        return false;
    }
    let l2 = levels.iter().filter(|l| **l == 2).count();
    if l2 > 0 && !levels.iter().any(|l| *l >= 3) {
        return false;
    }
    if l2 * 2 > members.len() {
        return false;
    }
    let stages: Vec<u8> = members
        .iter()
        .filter_map(|&m| people[m].stage_bin)
        .collect();
    if stages.contains(&0) {
        let (lo, hi) = (stages.iter().min(), stages.iter().max());
        if let (Some(lo), Some(hi)) = (lo, hi)
            && hi - lo > 2
        {
            return false;
        }
    }
    common_language(people, members).is_some()
}

fn total_score(ctx: &mut Ctx<'_>, group: &[usize], idf: &HashMap<String, f64>) -> Option<f64> {
    let mut t = 0.0;
    for (i, &a) in group.iter().enumerate() {
        for &b in &group[i + 1..] {
            t += ctx.pair(a, b, idf)?;
        }
    }
    Some(t)
}

/// Plans seats and new groups for the waiting group requests `people`.
pub fn plan_groups(
    people: &[&Person],
    rooms: &[RoomSlot],
    volunteers: &mut [Volunteer],
    vocab: &Vocab,
    excl: &Exclusions,
    idf: &HashMap<String, f64>,
    cfg: &Config,
) -> GroupPlan {
    let mut plan = GroupPlan::default();
    let mut placed = vec![false; people.len()];
    let mut free: Vec<usize> = rooms.iter().map(|r| r.free_seats).collect();
    let mut taken: Vec<Vec<String>> = rooms
        .iter()
        .map(|r| r.members.iter().map(|m| m.user.clone()).collect())
        .collect();
    let room_languages: Vec<Vec<String>> = rooms.iter().map(RoomSlot::languages).collect();

    // 1. Seats in open groups, longest-waiting first.
    let mut order: Vec<usize> = (0..people.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(people[i].wait_secs));
    for &i in &order {
        let p = people[i];
        let mut best: Option<(u8, usize, usize)> = None; // (closeness, seats taken, room)
        for (r, room) in rooms.iter().enumerate() {
            if free[r] == 0
                || room.former.contains(&p.user)
                || !room_languages[r]
                    .iter()
                    .any(|l| p.session_languages.contains(l))
            {
                continue;
            }
            if p.level == Some(1) && !room.has_facilitator() {
                continue;
            }
            if taken[r]
                .iter()
                .any(|u| *u == p.user || excl.contains(&p.user, u))
            {
                continue;
            }
            let closeness = if room.focus_condition == p.focus.id {
                2
            } else if room.focus_group == p.focus.group {
                1
            } else {
                continue;
            };
            let candidate = (closeness, usize::MAX - taken[r].len(), r);
            if best.is_none_or(|b| candidate > b) {
                best = Some(candidate);
            }
        }
        if let Some((_, _, r)) = best {
            placed[i] = true;
            free[r] -= 1;
            taken[r].push(p.user.clone());
            plan.placements.push((i, rooms[r].room_id.clone()));
        }
    }

    // 2. New groups per focus group.
    let mut buckets: HashMap<&str, Vec<usize>> = HashMap::new();
    for &i in &order {
        if !placed[i] {
            buckets
                .entry(people[i].focus.group.as_str())
                .or_default()
                .push(i);
        }
    }
    let mut keys: Vec<&str> = buckets.keys().copied().collect();
    keys.sort_unstable();
    let vol_refs: Vec<&Volunteer> = volunteers.iter().collect();
    let mut ctx = Ctx {
        people,
        scorer: Scorer::new(people, &vol_refs, vocab, excl, idf, cfg),
        cfg,
        scores: HashMap::new(),
    };
    drop(vol_refs);
    for key in keys {
        let bucket = &buckets[key];
        if bucket.len() < GROUP_MIN {
            continue;
        }
        let mut groups = seed_groups(&mut ctx, bucket, idf);
        improve(&mut ctx, &mut groups, bucket, idf);
        for g in groups {
            let facilitator = pick_facilitator(&ctx.scorer, people, &g, key, volunteers, excl);
            let mut members = g;
            if facilitator.is_none() {
                // Without a facilitator, level-1 members wait for a facilitated group.
                members.retain(|&m| people[m].level != Some(1));
            }
            if members.len() >= GROUP_MIN && composition_ok(people, &members, facilitator.is_some())
            {
                if let Some(v) = facilitator {
                    volunteers[v].free_groups = volunteers[v].free_groups.saturating_sub(1);
                }
                plan.new_groups.push((members, facilitator));
            }
        }
    }
    plan
}

fn seed_groups(ctx: &mut Ctx<'_>, bucket: &[usize], idf: &HashMap<String, f64>) -> Vec<Vec<usize>> {
    let mut free: Vec<usize> = bucket.to_vec(); // longest-waiting first
    let mut groups = Vec::new();
    while free.len() >= GROUP_MIN {
        let seed = free.remove(0);
        let mut g = vec![seed];
        while g.len() < GROUP_TARGET {
            let mut best: Option<(f64, usize)> = None;
            for (k, &c) in free.iter().enumerate() {
                if let Some(f) = ctx.fit(c, &g, idf) {
                    let mut trial = g.clone();
                    trial.push(c);
                    if common_language(ctx.people, &trial).is_none() {
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
fn improve(
    ctx: &mut Ctx<'_>,
    groups: &mut [Vec<usize>],
    bucket: &[usize],
    idf: &HashMap<String, f64>,
) {
    for _ in 0..PASSES {
        let mut changed = false;
        // Moves of people left out into groups with room.
        let inside: std::collections::HashSet<usize> = groups.iter().flatten().copied().collect();
        for &x in bucket.iter().filter(|x| !inside.contains(x)) {
            let mut best: Option<(f64, usize)> = None;
            for (gi, g) in groups.iter().enumerate() {
                if g.len() >= GROUP_MAX {
                    continue;
                }
                let mut trial = g.clone();
                trial.push(x);
                if let Some(f) = ctx.fit(x, g, idf)
                    && composition_ok(ctx.people, &trial, true)
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
        // Swaps between groups.
        for a in 0..groups.len() {
            for b in a + 1..groups.len() {
                let before = total_score(ctx, &groups[a], idf).unwrap_or(f64::MIN)
                    + total_score(ctx, &groups[b], idf).unwrap_or(f64::MIN);
                let mut best: Option<(f64, usize, usize)> = None;
                for i in 0..groups[a].len() {
                    for j in 0..groups[b].len() {
                        let mut ga = groups[a].clone();
                        let mut gb = groups[b].clone();
                        std::mem::swap(&mut ga[i], &mut gb[j]);
                        let (Some(sa), Some(sb)) =
                            (total_score(ctx, &ga, idf), total_score(ctx, &gb, idf))
                        else {
                            continue;
                        };
                        if sa + sb > before + 1e-9
                            && composition_ok(ctx.people, &ga, true)
                            && composition_ok(ctx.people, &gb, true)
                            && best.is_none_or(|(bs, _, _)| sa + sb > bs)
                        {
                            best = Some((sa + sb, i, j));
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

fn pick_facilitator(
    scorer: &Scorer,
    people: &[&Person],
    group: &[usize],
    focus_group: &str,
    volunteers: &[Volunteer],
    excl: &Exclusions,
) -> Option<usize> {
    let language = common_language(people, group)?;
    let mut best: Option<(f64, usize)> = None;
    for (vi, v) in volunteers.iter().enumerate() {
        if v.free_groups == 0
            || !v.groups_supported.iter().any(|g| g == focus_group)
            || !v.session_languages.contains(&language)
            || group
                .iter()
                .any(|&m| people[m].user == v.user || excl.contains(&people[m].user, &v.user))
        {
            continue;
        }
        let fit: f64 = group
            .iter()
            .map(|&m| scorer.volunteer_score(m, vi).total)
            .sum::<f64>()
            / group.len() as f64;
        if best.is_none_or(|(bf, _)| fit > bf) {
            best = Some((fit, vi));
        }
    }
    best.map(|(_, vi)| vi)
}
