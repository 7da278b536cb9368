//! Committing a match: one transaction that claims every request with a conditional update on
//! `status = 'waiting'` (so a tick that runs twice, or two instances, never double-match),
//! creates the room (or takes a seat in an open group, re-checking it has one), adds members
//! and the facilitator, stores each side's explanation (a volunteer's on their membership), and
//! queues the "you have been matched" emails, each with its reader's sentences. If any claim
//! fails, the whole match rolls back and is simply not made.
//!
//! The plan was made from a snapshot; inside the transaction the commit re-checks what can
//! change between load and commit, and the match is lost (not an error) when any of it did:
//! a block between any two people who would share the room (the room's current members
//! included), the open group's seats, anyone ever seated in that room before (a former member
//! is never seated again, and the membership key would refuse it), and the volunteer's
//! standing and free capacity (still accepting, training current, a free one-to-one or group
//! slot).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;

use super::requests::StoredExplanation;
use crate::db::rooms::{self, ROLE_FACILITATOR, ROLE_MEMBER, Room};
use crate::db::{
    DbConn, blocks, match_offers, match_requests, savepoint, users, volunteers, write_tx,
};
use crate::domain::new_id;
use crate::email::{self, templates};
use crate::error::AppError;
use crate::realtime::{Fact, Seat as Seated};

/// Largest group room: the most members a group takes, plus its facilitator.
pub const GROUP_MAX_SIZE: i32 = super::groups::GROUP_MAX as i32 + 1;

/// One side of a match.
#[derive(Debug, Clone)]
pub struct Seat {
    pub request_id: String,
    pub user_id: String,
    pub explanation: StoredExplanation,
}

/// A match the engine proposes.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// `one_to_one`, `pair` or `group`.
    pub kind: &'static str,
    pub focus_condition: String,
    pub seats: Vec<Seat>,
    /// A volunteer: the one-to-one supporter, or a group's facilitator.
    pub facilitator: Option<String>,
    /// What the volunteer reads: who they will support and why, within what the members allow
    /// to share. Sent in their email and stored on their room membership.
    pub facilitator_explanation: Option<StoredExplanation>,
    /// Join this open group room instead of opening a new one.
    pub existing_room: Option<String>,
}

/// The code of the internal error that rolls a lost match back; never reaches a client.
const LOST: &str = "match_lost";

pub(super) fn lost() -> AppError {
    AppError::conflict(LOST, "the match could not be made any more")
}

/// The people of a batch of proposals, read once inside its write transaction: their
/// accounts (for the emails) and every block between two of them (for the re-check), two
/// queries for the whole batch instead of several per proposal. The blocks are read at the
/// start of the transaction rather than at each proposal; on SQLite nothing else can write
/// meanwhile, and on PostgreSQL the window is the batch's few milliseconds, the same race a
/// per-proposal read has with a block committed just after it.
pub struct Contacts {
    users: HashMap<String, users::User>,
    blocks: HashSet<(String, String)>,
}

impl Contacts {
    pub fn load(c: &mut DbConn, proposals: &[Proposal]) -> Result<Contacts, AppError> {
        let mut ids: Vec<String> = proposals
            .iter()
            .flat_map(|p| {
                p.seats
                    .iter()
                    .map(|s| s.user_id.clone())
                    .chain(p.facilitator.clone())
            })
            .collect();
        ids.sort();
        ids.dedup();
        let users = users::find_many(c, &ids)?
            .into_iter()
            .map(|u| (u.id.clone(), u))
            .collect();
        let among: HashSet<&str> = ids.iter().map(String::as_str).collect();
        let blocks = blocks::involving(c, &ids)?
            .into_iter()
            .filter(|(a, b)| among.contains(a.as_str()) && among.contains(b.as_str()))
            .collect();
        Ok(Contacts { users, blocks })
    }

    /// The person's account, if they have an email to write to: (user, address).
    pub fn mailbox(&self, id: &str) -> Option<(&users::User, &str)> {
        let u = self.users.get(id)?;
        Some((u, u.email.as_deref()?))
    }

    /// Whether any of `people` (all from this batch) has blocked another of them.
    fn blocked_among(&self, people: &[String]) -> bool {
        people.iter().any(|a| {
            people
                .iter()
                .any(|b| self.blocks.contains(&(a.clone(), b.clone())))
        })
    }
}

/// Where the seats' requests come from when a room opens.
#[derive(Clone, Copy)]
pub(super) enum Claim<'a> {
    /// Straight from the pool (`waiting`): the explanation is stored now.
    Pool,
    /// From an offer everyone accepted (`offered`): the explanation was stored with it.
    Offer(&'a str),
}

/// Commits `p` at once (no offer); returns the fact open sockets must hear (everyone seated,
/// the facilitator included), or None if it could not be made any more.
pub fn commit(
    c: &mut DbConn,
    p: &Proposal,
    now: NaiveDateTime,
    public_url: &str,
) -> Result<Option<Fact>, AppError> {
    write_tx(c, |c| {
        let contacts = Contacts::load(c, std::slice::from_ref(p))?;
        commit_in(c, p, now, public_url, &contacts)
    })
}

/// [`commit`] as a savepoint inside the caller's write transaction (the tick commits a batch
/// of proposals in one transaction, each atomic on its own).
pub fn commit_in(
    c: &mut DbConn,
    p: &Proposal,
    now: NaiveDateTime,
    public_url: &str,
    contacts: &Contacts,
) -> Result<Option<Fact>, AppError> {
    settle(savepoint(c, |c| -> Result<Fact, AppError> {
        recheck(c, p, now, false, contacts)?;
        open(c, p, now, public_url, Claim::Pool, contacts)
    }))
}

/// Maps the internal "lost" error to None: the match was rolled back whole because someone
/// cancelled, another tick got there first, or something it relied on changed.
pub(super) fn settle<T>(outcome: Result<T, AppError>) -> Result<Option<T>, AppError> {
    match outcome {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.code() == LOST => Ok(None),
        Err(e) => Err(e),
    }
}

/// Opens the room (or takes the seats in an open group) for `p` inside the caller's
/// transaction: claims every request, adds members and the facilitator, queues the emails.
pub(super) fn open(
    c: &mut DbConn,
    p: &Proposal,
    now: NaiveDateTime,
    public_url: &str,
    claim: Claim<'_>,
    contacts: &Contacts,
) -> Result<Fact, AppError> {
    let room_id = match &p.existing_room {
        Some(id) => {
            let room = rooms::find(c, id)?.filter(|r| r.ended_at.is_none());
            let Some(room) = room else { return Err(lost()) };
            let seated = rooms::members(c, id)?.len();
            if seated + p.seats.len() > usize::try_from(room.max_size).unwrap_or(0) {
                return Err(lost());
            }
            room.id
        }
        None => {
            let room = Room {
                id: new_id(),
                kind: p.kind.to_string(),
                focus_condition: p.focus_condition.clone(),
                max_size: if p.kind == "group" { GROUP_MAX_SIZE } else { 2 },
                created_at: now,
                ended_at: None,
                last_seq: 0,
            };
            rooms::insert(c, &room)?;
            room.id
        }
    };
    let mut seated = Vec::with_capacity(p.seats.len() + 1);
    let mut mails = Vec::with_capacity(p.seats.len() + 1);
    for seat in &p.seats {
        let claimed = match claim {
            Claim::Pool => {
                let text = serde_json::to_string(&seat.explanation).map_err(AppError::internal)?;
                match_requests::claim(c, &seat.request_id, &room_id, &text, now)?
            }
            Claim::Offer(_) => match_offers::seat(c, &seat.request_id, &room_id, now)?,
        };
        // A new room has nobody in it yet; an open group may have had this person before.
        if claimed == 0
            || (p.existing_room.is_some() && rooms::ever_member(c, &room_id, &seat.user_id)?)
        {
            return Err(lost());
        }
        if let Some((u, addr)) = contacts.mailbox(&seat.user_id) {
            let mail = templates::matched(
                addr,
                &u.display_name,
                public_url,
                p.kind,
                &room_id,
                &seat.explanation.sentences,
            );
            mails.push((Some(u.id.as_str()), mail));
        }
        seated.push(Seated {
            user_id: seat.user_id.clone(),
            request_id: Some(seat.request_id.clone()),
        });
    }
    let mut members: Vec<(&str, &str, Option<&str>)> = p
        .seats
        .iter()
        .map(|s| (s.user_id.as_str(), ROLE_MEMBER, None))
        .collect();
    // Why the volunteer was asked, kept on their membership for the room view.
    let volunteer_text = p
        .facilitator_explanation
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(AppError::internal)?;
    let facilitator = p.facilitator.as_ref().filter(|_| p.existing_room.is_none());
    if let Some(v) = facilitator {
        members.push((v.as_str(), ROLE_FACILITATOR, volunteer_text.as_deref()));
        let sentences = p
            .facilitator_explanation
            .as_ref()
            .map_or(&[][..], |e| e.sentences.as_slice());
        if let Some((u, addr)) = contacts.mailbox(v) {
            let mail = templates::matched_as_volunteer(
                addr,
                &u.display_name,
                public_url,
                p.kind,
                &room_id,
                sentences,
            );
            mails.push((Some(u.id.as_str()), mail));
        }
        seated.push(Seated {
            user_id: v.clone(),
            request_id: None,
        });
    }
    for (u, role, e) in &members {
        rooms::add_member(c, &room_id, u, role, now)?;
        if let Some(e) = e {
            rooms::set_explanation(c, &room_id, u, e)?;
        }
    }
    for (u, m) in &mails {
        email::enqueue(c, *u, m, now)?;
    }
    if let Claim::Offer(offer) = claim
        && match_offers::close(c, offer, match_offers::OPENED, Some(&room_id), now)? == 0
    {
        return Err(lost());
    }
    Ok(Fact::Seated {
        room_id,
        seats: seated,
    })
}

/// What may have changed since the pool was loaded; `Err(lost())` when the match no longer
/// holds. `offering`: the volunteer's open offers count against their capacity too (a new
/// offer); an offer being opened holds its own slot already.
pub(super) fn recheck(
    c: &mut DbConn,
    p: &Proposal,
    now: NaiveDateTime,
    offering: bool,
    contacts: &Contacts,
) -> Result<(), AppError> {
    let mut everyone: Vec<String> = p.seats.iter().map(|s| s.user_id.clone()).collect();
    match &p.existing_room {
        Some(room) => {
            everyone.extend(rooms::members(c, room)?.into_iter().map(|m| m.user_id));
        }
        None => {
            if let Some(v) = &p.facilitator {
                everyone.push(v.clone());
                if !volunteer_has_room(c, v, p.kind, now, offering)? {
                    return Err(lost());
                }
            }
        }
    }
    // A new room holds only this batch's people; an open group also its current members.
    let blocked = if p.existing_room.is_some() {
        blocks::any_between(c, &everyone)?
    } else {
        contacts.blocked_among(&everyone)
    };
    if blocked {
        return Err(lost());
    }
    Ok(())
}

/// Whether volunteer `v` still takes a new room of `kind`: accepting, training current on
/// `now`, and a free slot of that kind.
fn volunteer_has_room(
    c: &mut DbConn,
    v: &str,
    kind: &str,
    now: NaiveDateTime,
    offering: bool,
) -> Result<bool, AppError> {
    let Some(record) = volunteers::find_volunteer(c, v)? else {
        return Ok(false);
    };
    if !record.accepting || record.training_expires_on < now.date() {
        return Ok(false);
    }
    let capacity = if kind == "one_to_one" {
        record.one_to_one_capacity
    } else {
        record.max_groups
    };
    let held = rooms::active_memberships(c, &[v.to_string()])?
        .iter()
        .filter(|(_, k, role, _)| k == kind && role == ROLE_FACILITATOR)
        .count();
    let offers = if offering {
        match_offers::held_by(c, &[v.to_string()])?
            .first()
            .map_or(0, |(_, n)| *n)
    } else {
        0
    };
    let held = i64::try_from(held)
        .unwrap_or(i64::MAX)
        .saturating_add(offers);
    Ok(held < i64::from(capacity))
}
