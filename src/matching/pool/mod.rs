//! Loading the waiting pool from the database into the engine's inputs: every waiting request
//! of an active, verified account becomes a `Person`; every approved volunteer who is accepting,
//! with current training and free capacity, a `Volunteer`; blocks (either way) and the 90-day
//! re-match cool-down become `Exclusions`; open group rooms become `RoomSlot`s with their members as
//! `Person`s, their facilitator and former members. Runs inside one blocking database closure.
//!
//! Eligibility gates applied here, before the engine sees anyone: suspended, banned or erased
//! accounts and unverified emails are left out; volunteers need role above member, an accepting
//! record and training that has not expired. (MATCHING.md's "volunteers at level 4 with 12
//! months' lived experience" is a recruitment rule the moderators check on approval, not an
//! engine gate: a volunteer without a recent check-in must not vanish from matching.)
//!
//! The load reads in a fixed number of queries whatever the pool's size: the waiting requests,
//! the accepting volunteers and the open groups (one each), then one query per table for
//! everyone at once (`eq_any` over the ids): seated members and former members of the open
//! groups; users, profiles, conditions, experiences and latest check-ins of every person
//! (`rows`); volunteers' current rooms; blocks, recent memberships and those rooms' members.
//! That is 14 queries (fewer when a list is empty), the eleven over a list repeated once per
//! further 5,000 ids in it (`db::IDS_PER_QUERY`, under SQLite's bind-parameter limit): 14 while
//! the people read (requesters, volunteers, seated members) are at most 5,000, 21 at 5,000
//! waiting with their 500 volunteers, 25 at most up to 10,000. `tests/api/pool.rs` counts them.
//!
//! Layout: `load` here; `rows` (the batched reads, decoded once per person), `features` (rows
//! to `Person`/`Volunteer`, no I/O), `seed` (a synthetic pool written to a database, for the
//! tick benchmark and tests).

mod features;
mod rows;
pub mod seed;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;

use super::groups::RoomSlot;
use super::model::{Exclusions, Person, Volunteer};
use crate::db::match_requests::{self, MatchRequest};
use crate::db::rooms::{self, MemberRow};
use crate::db::{DbConn, IDS_PER_QUERY, blocks, users, volunteers};
use crate::error::AppError;
use crate::profiles::vocab::Vocabulary;
use features::{Load, person, volunteer};
use rows::Rows;

/// How long two people are not matched again after sharing a room.
pub const REMATCH_COOL_DOWN_DAYS: i64 = 90;
/// Age bands in order; a person's band is its index.
pub const AGE_BANDS: &[&str] = crate::profiles::model::AGE_BANDS;

pub struct Pool {
    pub people: Vec<Person>,
    pub volunteers: Vec<Volunteer>,
    pub exclusions: Exclusions,
    /// Open group rooms with their current members.
    pub open_groups: Vec<RoomSlot>,
    /// The stored relax step of each request (to tell members once when it changes).
    pub relax_steps: HashMap<String, i32>,
}

/// Runs `query` over `ids` one chunk of [`IDS_PER_QUERY`] at a time and concatenates the rows
/// (for the single-query functions of `db` that take a list).
fn chunked<T>(
    c: &mut DbConn,
    ids: &[String],
    mut query: impl FnMut(&mut DbConn, &[String]) -> diesel::QueryResult<Vec<T>>,
) -> Result<Vec<T>, AppError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        out.extend(query(c, chunk)?);
    }
    Ok(out)
}

fn sorted_unique(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids.dedup();
    ids
}

/// Reads everything the engine needs.
pub fn load(c: &mut DbConn, vocab: &Vocabulary, now: NaiveDateTime) -> Result<Pool, AppError> {
    let waiting = match_requests::waiting(c)?;
    let accepting = volunteers::accepting(c, now.date())?;
    let groups: Vec<rooms::Room> = rooms::open_groups(c)?
        .into_iter()
        .filter(|r| vocab.group_of(&r.focus_condition).is_some())
        .collect();
    let group_ids: Vec<String> = groups.iter().map(|r| r.id.clone()).collect();
    let mut seated: HashMap<String, Vec<MemberRow>> = HashMap::new();
    for (room, m) in rooms::members_of_rooms(c, &group_ids)? {
        seated.entry(room).or_default().push(m);
    }
    let mut former: HashMap<String, Vec<String>> = HashMap::new();
    for (room, user) in rooms::former_members_of(c, &group_ids)? {
        former.entry(room).or_default().push(user);
    }

    // Everyone whose rows are read: requesters, volunteers and seated members.
    let mut ids: Vec<String> = waiting.iter().map(|r| r.user_id.clone()).collect();
    ids.extend(accepting.iter().map(|v| v.user_id.clone()));
    ids.extend(seated.values().flatten().map(|m| m.user_id.clone()));
    let mut rows = Rows::fetch(c, &sorted_unique(ids))?;

    let mut people = Vec::with_capacity(waiting.len());
    let mut relax_steps = HashMap::new();
    for r in &waiting {
        let eligible = rows.user(&r.user_id).is_some_and(|u| {
            u.status == users::STATUS_ACTIVE
                && u.email_verified_at.is_some()
                && !u.is_suspended(now)
        });
        if !eligible {
            continue;
        }
        if let Some(p) = person(r, rows.features(vocab, &r.user_id, now)?, vocab, now) {
            relax_steps.insert(r.id.clone(), r.relax_step);
            people.push(p);
        }
    }

    // Volunteers: approved, accepting, current, with free capacity.
    let vol_ids: Vec<String> = accepting.iter().map(|v| v.user_id.clone()).collect();
    let mut loads: HashMap<String, Load> = HashMap::new();
    for (user, kind, role, _) in chunked(c, &vol_ids, rooms::active_memberships)? {
        if role != rooms::ROLE_FACILITATOR {
            continue;
        }
        let l = loads.entry(user).or_default();
        match kind.as_str() {
            "one_to_one" => l.one_to_one += 1,
            "group" => l.groups += 1,
            _ => {}
        }
    }
    let mut vols = Vec::new();
    for v in &accepting {
        let Some(u) = rows.user(&v.user_id).cloned() else {
            continue;
        };
        if u.status != users::STATUS_ACTIVE || u.role == "member" || u.is_suspended(now) {
            continue;
        }
        let load = loads.get(&v.user_id).copied().unwrap_or_default();
        let f = rows.features(vocab, &v.user_id, now)?;
        vols.push(volunteer(v, &u, f, load, vocab, now));
    }

    // Exclusions: blocks either way, and anyone who shared a room within the cool-down.
    let mut everyone: Vec<String> = people.iter().map(|p| p.user.clone()).collect();
    everyone.extend(vols.iter().map(|v| v.user.clone()));
    let everyone = sorted_unique(everyone);
    let mut exclusions = Exclusions::new();
    for (a, b) in chunked(c, &everyone, blocks::involving)? {
        exclusions.add(&a, &b);
    }
    let since = now - chrono::Duration::days(REMATCH_COOL_DOWN_DAYS);
    let memberships = chunked(c, &everyone, |c, ids| {
        rooms::memberships_since(c, ids, since)
    })?;
    let room_ids: Vec<String> = memberships
        .iter()
        .map(|(r, _)| r.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut by_room: HashMap<String, Vec<String>> = HashMap::new();
    for (room, user) in chunked(c, &room_ids, |c, ids| rooms::members_of(c, ids, since))? {
        by_room.entry(room).or_default().push(user);
    }
    for members in by_room.values() {
        for (i, a) in members.iter().enumerate() {
            for b in &members[i + 1..] {
                exclusions.add(a, b);
            }
        }
    }

    let mut open_groups = Vec::with_capacity(groups.len());
    for room in groups {
        let Some(focus_group) = vocab.group_of(&room.focus_condition) else {
            continue;
        };
        let room_rows = seated.remove(&room.id).unwrap_or_default();
        let mut members = Vec::with_capacity(room_rows.len());
        let mut facilitator = None;
        let (mut facilitator_gender, mut facilitator_age_band) = (None, None);
        for m in &room_rows {
            if m.room_role == rooms::ROLE_FACILITATOR {
                // Their gender and age band: a joiner's `must` applies to the facilitator too.
                (facilitator_gender, facilitator_age_band) =
                    rows.features(vocab, &m.user_id, now)?.gender_and_age();
                facilitator = Some(m.user_id.clone());
                continue;
            }
            // A seated member is checked as if asking for this room: their own request is
            // matched, so the room's focus stands in for it.
            let seated_as = MatchRequest {
                id: m.user_id.clone(),
                user_id: m.user_id.clone(),
                format: "group".into(),
                focus_condition: room.focus_condition.clone(),
                experience_tags: "[]".into(),
                status: match_requests::MATCHED.into(),
                room_id: Some(room.id.clone()),
                explanation: None,
                relax_step: 0,
                created_at: now,
                closed_at: None,
            };
            if let Some(p) = person(
                &seated_as,
                rows.features(vocab, &m.user_id, now)?,
                vocab,
                now,
            ) {
                members.push(p);
            }
        }
        open_groups.push(RoomSlot {
            focus_group: focus_group.to_string(),
            free_seats: usize::try_from(room.max_size)
                .unwrap_or(0)
                .saturating_sub(room_rows.len()),
            members,
            facilitator,
            facilitator_gender,
            facilitator_age_band,
            former: former.remove(&room.id).unwrap_or_default(),
            room_id: room.id,
            focus_condition: room.focus_condition,
        });
    }
    Ok(Pool {
        people,
        volunteers: vols,
        exclusions,
        open_groups,
        relax_steps,
    })
}
