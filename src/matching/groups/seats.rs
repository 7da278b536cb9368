//! Seats in open groups, longest-waiting first. A waiting group request takes a seat only when
//! the room has a free seat, the person never sat in it before (`former`), its focus is the
//! person's condition (preferred) or group, the person is peer-feasible with every member
//! seated now — those seated earlier in this plan included — (exclusions, each side's `must`
//! gender and age, a shared language), the room with them keeps the composition rules (with
//! the room's facilitated flag: a level-1 member only where there is a facilitator), and the
//! facilitator, if any, is acceptable to them (their `must`s, no exclusion).

use crate::matching::model::{Config, Person};
use crate::matching::score::Scorer;

use super::room::RoomSlot;
use super::rules::composition_rules;

/// The open rooms as the seat loop sees them, in the scorer's indices.
pub(super) struct Rooms<'a> {
    pub(super) slots: &'a [RoomSlot],
    /// Each room's members now, as indices of the scorer's people.
    pub(super) seated: Vec<Vec<usize>>,
    /// Each room's facilitator as an index of the scorer's volunteers.
    pub(super) facilitator: Vec<Option<usize>>,
}

/// Seats for `order` (indices of waiting people, longest-waiting first): `(person, room)`.
pub(super) fn take_seats(
    everyone: &[&Person],
    order: &[usize],
    rooms: &mut Rooms<'_>,
    scorer: &Scorer,
    cfg: &Config,
) -> Vec<(usize, usize)> {
    let mut free: Vec<usize> = rooms.slots.iter().map(|r| r.free_seats).collect();
    let mut placements = Vec::new();
    for &i in order {
        let Some(p) = everyone.get(i) else { continue };
        let mut best: Option<(u8, usize, usize)> = None; // (closeness, fewer seated, room)
        for (r, room) in rooms.slots.iter().enumerate() {
            let closeness = if room.focus_condition == p.focus.id {
                2
            } else if room.focus_group == p.focus.group {
                1
            } else {
                continue;
            };
            let seated = &rooms.seated[r];
            if free[r] == 0 || seated.is_empty() || room.former.contains(&p.user) {
                continue;
            }
            if !seated.iter().all(|&m| scorer.feasible_peer(i, m)) {
                continue;
            }
            if let Some(f) = rooms.facilitator[r]
                && !scorer.accepts_facilitator(i, f)
            {
                continue;
            }
            let mut with: Vec<usize> = seated.clone();
            with.push(i);
            if !composition_rules(everyone, &with, room.has_facilitator(), cfg)
                || !scorer.share_a_language(&with)
            {
                continue;
            }
            let candidate = (closeness, usize::MAX - seated.len(), r);
            if best.is_none_or(|b| candidate > b) {
                best = Some(candidate);
            }
        }
        if let Some((_, _, r)) = best {
            free[r] -= 1;
            rooms.seated[r].push(i);
            placements.push((i, r));
        }
    }
    placements
}
