//! Committing a match: one transaction that claims every request with a conditional update on
//! `status = 'waiting'` (so a tick that runs twice, or two instances, never double-match),
//! creates the room (or takes a seat in an open group, re-checking it has one), adds members
//! and the facilitator, stores each side's explanation (a volunteer's on their membership), and
//! queues the "you have been matched" emails, each with its reader's sentences. If any claim fails, the whole match rolls back and is simply not made.

use chrono::NaiveDateTime;

use super::requests::StoredExplanation;
use crate::db::rooms::{self, ROLE_FACILITATOR, ROLE_MEMBER, Room};
use crate::db::{DbConn, match_requests, users, write_tx};
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

fn lost() -> AppError {
    AppError::conflict(LOST, "the match could not be made any more")
}

/// Commits `p`; returns the fact open sockets must hear (everyone seated, the facilitator
/// included), or None if it could not be made any more.
pub fn commit(
    c: &mut DbConn,
    p: &Proposal,
    now: NaiveDateTime,
    public_url: &str,
) -> Result<Option<Fact>, AppError> {
    let outcome = write_tx(c, |c| -> Result<Fact, AppError> {
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
        for seat in &p.seats {
            let text = serde_json::to_string(&seat.explanation).map_err(AppError::internal)?;
            if match_requests::claim(c, &seat.request_id, &room_id, &text, now)? == 0 {
                return Err(lost());
            }
            if rooms::is_member(c, &room_id, &seat.user_id)? {
                return Err(lost());
            }
            rooms::add_member(c, &room_id, &seat.user_id, ROLE_MEMBER, now)?;
            if let Some(u) = users::find(c, &seat.user_id)?
                && let Some(addr) = &u.email
            {
                let mail = templates::matched(
                    addr,
                    &u.display_name,
                    public_url,
                    p.kind,
                    &room_id,
                    &seat.explanation.sentences,
                );
                email::enqueue(c, Some(&u.id), &mail, now)?;
            }
            seated.push(Seated {
                user_id: seat.user_id.clone(),
                request_id: Some(seat.request_id.clone()),
            });
        }
        if let Some(v) = &p.facilitator
            && p.existing_room.is_none()
        {
            rooms::add_member(c, &room_id, v, ROLE_FACILITATOR, now)?;
            // Why they were asked, kept on their membership for the room view.
            let sentences = match &p.facilitator_explanation {
                Some(e) => {
                    let text = serde_json::to_string(e).map_err(AppError::internal)?;
                    rooms::set_explanation(c, &room_id, v, &text)?;
                    e.sentences.as_slice()
                }
                None => &[],
            };
            if let Some(u) = users::find(c, v)?
                && let Some(addr) = &u.email
            {
                let mail = templates::matched_as_volunteer(
                    addr,
                    &u.display_name,
                    public_url,
                    p.kind,
                    &room_id,
                    sentences,
                );
                email::enqueue(c, Some(&u.id), &mail, now)?;
            }
            seated.push(Seated {
                user_id: v.clone(),
                request_id: None,
            });
        }
        Ok(Fact::Seated {
            room_id,
            seats: seated,
        })
    });
    match outcome {
        Ok(fact) => Ok(Some(fact)),
        // Rolled back whole: someone cancelled, or another tick got there first.
        Err(e) if e.code() == LOST => Ok(None),
        Err(e) => Err(e),
    }
}
