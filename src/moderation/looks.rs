//! A moderator's explicit look into a room (break glass). Outside a report or an alert, a
//! moderator reads a room's content only this way: `POST /moderation/rooms/{id}/look
//! {reason}` opens a look for [`LOOK_MINUTES`], audited with the reason
//! (`room.look_opened`); `GET /moderation/rooms/{id}/messages` then pages the room's
//! messages while the look is open, each read audited (`room.look_read`). No reason, or a
//! look that expired, is refused (`invalid_reason`, `403 look_required`). Decisions where the
//! issue is silent: the look is per moderator and per room; a hidden message is shown to the
//! moderator with its body and marked `hidden` (they may need it to decide an appeal); held
//! messages are in the held queue, not here; volunteers never look (their own rooms are
//! theirs to read as members).

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::db::room_looks::{self, Look};
use crate::db::{audit, hidden_messages, messages, rooms, write_tx};
use crate::domain::ids::parse_uuid;
use crate::domain::new_id;
use crate::domain::time::ts;
use crate::error::AppError;
use crate::moderation::actions::reason;
use crate::rooms::protocol::MessageView;
use crate::state::AppState;

/// How long a look stays open.
pub const LOOK_MINUTES: i64 = 30;
/// Largest page of a look.
pub const MAX_LOOK_PAGE: i64 = 100;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookRequest {
    pub reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct LookView {
    pub id: String,
    pub room_id: String,
    pub reason: String,
    pub created_at: String,
    pub expires_at: String,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LookPageQuery {
    pub before: Option<String>,
    pub limit: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct LookPage {
    pub room_id: String,
    pub room_kind: String,
    pub look_expires_at: String,
    /// Oldest first; `before` the first seq gives the page before.
    pub messages: Vec<MessageView>,
    pub more: bool,
}

fn view(l: Look) -> LookView {
    LookView {
        id: l.id,
        room_id: l.room_id,
        reason: l.reason,
        created_at: ts(l.created_at),
        expires_at: ts(l.expires_at),
    }
}

fn audit_look(
    c: &mut crate::db::DbConn,
    who: &str,
    action: &str,
    look: &Look,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    audit::insert(
        c,
        &audit::NewAuditEntry {
            id: &new_id(),
            actor_id: Some(who),
            action,
            target_type: "room",
            target_id: Some(&look.room_id),
            reason: Some(&look.reason),
            details: &serde_json::json!({"look_id": look.id}).to_string(),
            created_at: now,
        },
    )?;
    Ok(())
}

/// Opens a look (moderators and admins; the caller's extractor checked the role).
pub async fn open(
    state: &AppState,
    who: &AuthUser,
    room: &str,
    req: LookRequest,
) -> Result<LookView, AppError> {
    let why = reason(req.reason.as_deref())?;
    let room = parse_uuid(room).ok_or(AppError::NotFound)?;
    let (me, now) = (who.id.clone(), state.clock.now_naive());
    state
        .db
        .run(move |c| {
            write_tx(c, |c| {
                rooms::find(c, &room)?.ok_or(AppError::NotFound)?;
                let look = Look {
                    id: new_id(),
                    moderator_id: me.clone(),
                    room_id: room.clone(),
                    reason: why.clone(),
                    created_at: now,
                    expires_at: now + Duration::minutes(LOOK_MINUTES),
                };
                room_looks::insert(c, &look)?;
                audit_look(c, &me, "room.look_opened", &look, now)?;
                Ok(view(look))
            })
        })
        .await
}

fn page_param(name: &str, v: Option<&str>, min: i64, max: i64) -> Result<Option<i64>, AppError> {
    match v {
        None => Ok(None),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(AppError::bad_request(
                "invalid_query",
                format!("{name} must be a whole number from {min} to {max}."),
            )),
        },
    }
}

/// Pages a room's messages through the caller's open look; each read is audited.
pub async fn read(
    state: &AppState,
    who: &AuthUser,
    room: &str,
    q: LookPageQuery,
) -> Result<LookPage, AppError> {
    let room = parse_uuid(room).ok_or(AppError::NotFound)?;
    let before = page_param("before", q.before.as_deref(), 1, i64::MAX)?;
    let limit = page_param("limit", q.limit.as_deref(), 1, MAX_LOOK_PAGE)?.unwrap_or(50);
    let (me, now) = (who.id.clone(), state.clock.now_naive());
    state
        .db
        .run(move |c| {
            write_tx(c, |c| {
                let r = rooms::find(c, &room)?.ok_or(AppError::NotFound)?;
                let look = room_looks::open_for(c, &me, &room, now)?.ok_or_else(|| {
                    AppError::forbidden(
                        "look_required",
                        "Open a look into this room with a reason first (POST …/look); a look lasts 30 minutes.",
                    )
                })?;
                audit_look(c, &me, "room.look_read", &look, now)?;
                let mut rows = messages::page(c, &room, None, before, limit + 1)?;
                let more = rows.len() as i64 > limit;
                if more {
                    rows.remove(0);
                }
                let ids: Vec<String> = rows.iter().map(|m| m.id.clone()).collect();
                let hidden = hidden_messages::among(c, &ids)?;
                let messages = rows
                    .into_iter()
                    .map(|m| {
                        let h = hidden.contains(&m.id);
                        let mut v = MessageView::from(m);
                        v.hidden = h;
                        v
                    })
                    .collect();
                Ok(LookPage {
                    room_id: r.id,
                    room_kind: r.kind,
                    look_expires_at: ts(look.expires_at),
                    messages,
                    more,
                })
            })
        })
        .await
}
