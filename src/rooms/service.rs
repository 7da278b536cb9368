//! Room services: a member's rooms, one room (members only; anyone else gets 404), leaving.
//! A pair or one-to-one room ends when either side leaves; a group room ends when its last
//! member leaves. Leaving a one-to-one room frees the volunteer's capacity, which is counted
//! from open rooms.

use serde::Serialize;

use crate::auth::AuthUser;
use crate::db::rooms::{self, Room};
use crate::db::{DbConn, write_tx};
use crate::domain::time::ts;
use crate::error::AppError;
use crate::matching::requests::StoredExplanation;
use crate::realtime::Fact;
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct MemberView {
    pub user_id: String,
    pub display_name: String,
    /// `member` or `facilitator`.
    pub room_role: String,
}

#[derive(Debug, Serialize)]
pub struct RoomView {
    pub id: String,
    /// `one_to_one`, `pair` or `group`.
    pub kind: String,
    pub focus_condition: String,
    pub members: Vec<MemberView>,
    pub created_at: String,
    /// To a volunteer seated as this room's supporter or facilitator only: why they were
    /// asked, in plain words (what the members allowed to share). Members read theirs on their
    /// match request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Vec<String>>,
}

/// The reader's stored explanation on their membership: only a volunteer seated by the matcher
/// has one.
fn explanation(c: &mut DbConn, r: &Room, reader: &str) -> Result<Option<Vec<String>>, AppError> {
    Ok(rooms::explanation_of(c, &r.id, reader)?
        .and_then(|e| serde_json::from_str::<StoredExplanation>(&e).ok())
        .map(|e| e.sentences))
}

fn view(c: &mut DbConn, r: &Room, reader: &str) -> Result<RoomView, AppError> {
    Ok(RoomView {
        explanation: explanation(c, r, reader)?,
        id: r.id.clone(),
        kind: r.kind.clone(),
        focus_condition: r.focus_condition.clone(),
        members: rooms::members(c, &r.id)?
            .into_iter()
            .map(|m| MemberView {
                user_id: m.user_id,
                display_name: m.display_name,
                room_role: m.room_role,
            })
            .collect(),
        created_at: ts(r.created_at),
    })
}

pub async fn list(state: &AppState, who: &AuthUser) -> Result<Vec<RoomView>, AppError> {
    let me = who.id.clone();
    state
        .db
        .run(move |c| {
            let mine = rooms::for_user(c, &me)?;
            mine.iter().map(|r| view(c, r, &me)).collect()
        })
        .await
}

/// The room if `who` is a current member, else 404 (never 403: existence is not revealed).
pub async fn get(state: &AppState, who: &AuthUser, id: &str) -> Result<RoomView, AppError> {
    let id = crate::domain::ids::parse_uuid(id).ok_or(AppError::NotFound)?;
    let me = who.id.clone();
    state
        .db
        .run(move |c| {
            if !rooms::is_member(c, &id, &me)? {
                return Err(AppError::NotFound);
            }
            let r = rooms::find(c, &id)?.ok_or(AppError::NotFound)?;
            view(c, &r, &me)
        })
        .await
}

/// `POST /rooms/{id}/leave`.
pub async fn leave(state: &AppState, who: &AuthUser, id: &str) -> Result<(), AppError> {
    let id = crate::domain::ids::parse_uuid(id).ok_or(AppError::NotFound)?;
    let (me, now) = (who.id.clone(), state.clock.now_naive());
    let room_id = id.clone();
    let (ended, others) = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<(bool, Vec<String>), AppError> {
                let room = rooms::find(c, &id)?.ok_or(AppError::NotFound)?;
                if rooms::leave(c, &id, &me, now)? == 0 {
                    return Err(AppError::NotFound);
                }
                let remaining: Vec<String> = rooms::members(c, &id)?
                    .into_iter()
                    .map(|m| m.user_id)
                    .collect();
                let ends = room.kind != "group" || remaining.is_empty();
                if ends {
                    rooms::end(c, &id, now)?;
                }
                Ok((ends, remaining))
            })
        })
        .await?;
    state.sockets.deliver(Fact::Left {
        room_id,
        user_id: who.id.clone(),
        ended_for: if ended { others } else { Vec::new() },
    });
    tracing::info!(event = "room_left", user_id = %who.id, room_ended = ended, "left a room");
    Ok(())
}
