//! Messages over HTTP: the same send as the websocket (through the same writer, so the same
//! ordering, idempotency, limits and crisis handling), and seq-ordered history pages.
//! Non-members get 404, as for the room itself.
//!
//! Holds (`moderation::holds`): a held message is never in a page (its placeholder seq is
//! below 1); the writer alone finds their own held and rejected messages under `held`.

use serde::Deserialize;
use tokio::sync::oneshot;

use super::Live;
use super::protocol::MessageView;
use super::send::{Draft, Refusal, Reply, Stored};
use crate::auth::AuthUser;
use crate::db::{blocks, hidden_messages, holds, messages, rooms};
use crate::domain::ids::parse_uuid;
use crate::error::AppError;
use crate::state::AppState;

/// Largest history page.
pub const MAX_PAGE: i64 = 100;
pub const DEFAULT_PAGE: i64 = 50;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostMessage {
    pub client_id: String,
    pub body: String,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub after: Option<String>,
    pub before: Option<String>,
    pub limit: Option<String>,
}

fn query_int(name: &str, v: Option<&str>, min: i64, max: i64) -> Result<Option<i64>, AppError> {
    match v {
        None => Ok(None),
        Some(raw) => match raw.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(AppError::validation(
                "invalid_query",
                format!("`{name}` must be a whole number from {min} to {max}."),
            )),
        },
    }
}

/// `POST /rooms/{id}/messages`: the websocket's send (`rooms::send`), answered over HTTP.
pub async fn post(
    state: &AppState,
    live: &Live,
    who: &AuthUser,
    room: &str,
    req: PostMessage,
) -> Result<Stored, AppError> {
    let room = parse_uuid(room).ok_or(AppError::NotFound)?;
    let (tx, rx) = oneshot::channel();
    let draft = Draft {
        room_id: room,
        client_id: req.client_id,
        body: req.body,
    };
    live.send(state, &who.id, draft, Reply::Http(tx))
        .map_err(|(why, _)| why)?;
    match rx.await {
        Ok(outcome) => Ok(outcome?),
        Err(_) => Err(Refusal::Unavailable.into()),
    }
}

/// Most of the caller's own held messages listed with a page.
pub const MAX_HELD: i64 = 50;

/// One of the caller's own messages that is held for review, or was rejected.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HeldView {
    pub room_id: String,
    pub id: String,
    pub client_id: String,
    pub body: String,
    pub created_at: String,
    /// `held` (waiting for a moderator) or `rejected` (never shown to the room).
    pub status: String,
}

/// `GET /rooms/{id}/messages`: (messages ascending, whether more exist beyond the page in
/// the direction asked, the caller's own held messages).
pub async fn page(
    state: &AppState,
    who: &AuthUser,
    room: &str,
    q: PageQuery,
) -> Result<(Vec<MessageView>, bool, Vec<HeldView>), AppError> {
    let room = parse_uuid(room).ok_or(AppError::NotFound)?;
    let after = query_int("after", q.after.as_deref(), 0, i64::MAX)?;
    let before = query_int("before", q.before.as_deref(), 1, i64::MAX)?;
    let limit = query_int("limit", q.limit.as_deref(), 1, MAX_PAGE)?.unwrap_or(DEFAULT_PAGE);
    let me = who.id.clone();
    state
        .db
        .run(move |c| {
            if !rooms::is_member(c, &room, &me)? {
                return Err(AppError::NotFound);
            }
            let blocked = blocks::blocked_by(c, &me)?;
            let mut rows = messages::page(c, &room, after, before, limit + 1)?;
            let more = rows.len() as i64 > limit;
            if more {
                // One extra row was read to learn whether more exist; drop it from the end
                // the page grows towards.
                if after.is_some() {
                    rows.pop();
                } else {
                    rows.remove(0);
                }
            }
            let held = holds::pending_of(c, &room, &me, MAX_HELD)?
                .into_iter()
                .map(|h| HeldView {
                    room_id: h.room_id,
                    id: h.id,
                    client_id: h.client_id,
                    body: h.body,
                    created_at: crate::domain::time::ts(h.created_at),
                    status: h.hold_state.unwrap_or_default(),
                })
                .collect();
            // Hidden by a moderator: listed in its seq slot, marked hidden, with no body.
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            let hidden = hidden_messages::among(c, &ids)?;
            Ok((
                rows.into_iter()
                    .filter(|r| !blocked.contains(&r.sender_id))
                    .map(|r| {
                        let h = hidden.contains(&r.id);
                        let v = MessageView::from(r);
                        if h { v.hide() } else { v }
                    })
                    .collect(),
                more,
                held,
            ))
        })
        .await
}
