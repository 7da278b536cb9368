//! Group formation, pure. First each waiting group request is offered a seat in an existing
//! open group of the same focus (same condition first, then same group); then the rest are
//! formed into new groups of 3–8 (target 5–6) per focus group, and a volunteer with a free
//! group place is added as facilitator when one fits.
//!
//! One rule set on every group path. A person sits in a group — new, or open and joined —
//! only if they are peer-feasible with every other member (`score`'s peer rule: exclusions,
//! both directions of every `must` gender and age preference, a shared session language by
//! language not region, condition relevance), the group with them keeps the composition rules
//! (`rules`), and the facilitator, if there is one, is acceptable to them. A former member of
//! a room is never seated in it again.
//!
//! Composition rules (MATCHING.md 4.5): levels mixed; when a level-2 member is present at least
//! one member is level 3 or 4, and level-2 members are at most half; level-1 members only in a
//! facilitated group; the spread of time since diagnosis is at most two bins when anyone is
//! newly diagnosed; one session language everyone shares. Unknown levels and stages never break
//! a rule.
//!
//! Decisions where MATCHING.md is silent:
//! - **A `must` applies to the facilitator too.** A member who must be with women is not
//!   facilitated by a man, and one who must be with their own age band is not facilitated from
//!   another; an unknown gender or age band never meets a `must`. So an open room whose
//!   facilitator's gender or age band the pool does not know takes nobody with that `must`.
//! - **Level 1 in groups** is a composition rule, not a pair rule: two group requests are
//!   peer-feasible whatever their levels, and a group with a level-1 member needs a
//!   facilitator. Level-1 members join a bucket's new groups only while some volunteer with a
//!   free group place covers that focus group; groups holding level-1 members choose their
//!   facilitator first; a group left without one goes ahead without its level-1 members (they
//!   wait) if the rest still make a valid group. They take seats only in facilitated rooms.
//! - The facilitator of a new group covers the focus group, can hold a session in a language
//!   every member shares, and is acceptable to every member; among those, the best mean
//!   volunteer score wins. A room's facilitator is not re-checked for language when someone
//!   joins (the pool does not pass their languages); the joiner shares a language with every
//!   member.
//! - An open room with nobody seated takes nobody: a person is never seated alone.
//!
//! Layout: `room` ([`RoomSlot`]), `rules` (sizes, composition, common language), `seats` (open rooms), `form` (new groups:
//! seeding and local search), `facilitator` (the choice for a new group). No I/O here.

mod facilitator;
mod form;
mod room;
mod rules;
mod seats;

use std::collections::HashMap;

use super::model::{Config, Exclusions, Person, Vocab, Volunteer};
use super::score::Scorer;

use facilitator::pick_facilitator;
use form::{Ctx, form_groups};
use seats::{Rooms, take_seats};

pub use room::RoomSlot;
use rules::composition_rules;
pub use rules::{GROUP_MAX, GROUP_MIN, GROUP_TARGET, common_language, composition_ok};

/// The groups plan: seats in existing rooms and new groups.
#[derive(Debug, Default)]
pub struct GroupPlan {
    /// (person index, room id)
    pub placements: Vec<(usize, String)>,
    /// (member indices, facilitator volunteer index)
    pub new_groups: Vec<(Vec<usize>, Option<usize>)>,
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

    // One scorer for everyone a rule may compare: the waiting people (indices 0..n), then each
    // room's members; the volunteers, then each room's facilitator.
    let mut everyone: Vec<&Person> = people.to_vec();
    let mut seated = Vec::with_capacity(rooms.len());
    for room in rooms {
        let start = everyone.len();
        everyone.extend(room.members.iter());
        seated.push((start..everyone.len()).collect::<Vec<usize>>());
    }
    let room_facilitators: Vec<Option<Volunteer>> = rooms
        .iter()
        .map(RoomSlot::facilitator_as_volunteer)
        .collect();
    let mut vol_refs: Vec<&Volunteer> = volunteers.iter().collect();
    let mut facilitator = Vec::with_capacity(rooms.len());
    for f in &room_facilitators {
        facilitator.push(f.as_ref().map(|v| {
            vol_refs.push(v);
            vol_refs.len() - 1
        }));
    }
    let scorer = Scorer::new(&everyone, &vol_refs, vocab, excl, idf, cfg);
    drop(vol_refs);

    // 1. Seats in open groups, longest-waiting first.
    let mut order: Vec<usize> = (0..people.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(people[i].wait_secs));
    let mut open = Rooms {
        slots: rooms,
        seated,
        facilitator,
    };
    let mut placed = vec![false; people.len()];
    for (i, r) in take_seats(&everyone, &order, &mut open, &scorer, cfg) {
        placed[i] = true;
        plan.placements.push((i, rooms[r].room_id.clone()));
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
    let mut ctx = Ctx::new(people, &scorer, cfg);
    for key in keys {
        // Level-1 members need a facilitator: they join this bucket's groups only while a
        // volunteer with a free group place covers it.
        let can_facilitate = volunteers
            .iter()
            .any(|v| v.free_groups > 0 && v.groups_supported.iter().any(|g| g == key));
        let bucket: Vec<usize> = buckets[key]
            .iter()
            .copied()
            .filter(|&i| can_facilitate || cfg.level1_in_peer_rooms || people[i].level != Some(1))
            .collect();
        if bucket.len() < GROUP_MIN {
            continue;
        }
        let mut groups = form_groups(&mut ctx, &bucket);
        // Groups that hold level-1 members choose their facilitator first.
        groups.sort_by_key(|g| !g.iter().any(|&m| people[m].level == Some(1)));
        for g in groups {
            let facilitator = pick_facilitator(&scorer, &g, key, volunteers);
            let mut members = g;
            if facilitator.is_none() && !cfg.level1_in_peer_rooms {
                // Without a facilitator, level-1 members wait for a facilitated group.
                members.retain(|&m| people[m].level != Some(1));
            }
            if members.len() >= GROUP_MIN
                && composition_rules(people, &members, facilitator.is_some(), cfg)
                && scorer.share_a_language(&members)
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

#[cfg(test)]
mod tests;
