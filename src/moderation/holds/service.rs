//! The moderators' side of holds: the queue of held messages, release and reject. Each
//! decision, its state change and its audit row are one transaction; the sockets hear after
//! the commit through `crate::realtime`. Reads and writes go through `db::holds`.

use serde::Serialize;

use crate::auth::AuthUser;
use crate::db::holds::{self, HELD, HeldRow};
use crate::db::{audit, messages, write_tx};
use crate::domain::ids::parse_uuid;
use crate::domain::new_id;
use crate::domain::time::ts;
use crate::error::AppError;
use crate::realtime::{Fact, ReleasedMessage};
use crate::state::AppState;

use super::PERSONAL_INFO;

/// Largest page of the queue, and the default.
pub const MAX_PAGE: i64 = 100;
pub const DEFAULT_PAGE: i64 = 20;
/// Messages before a held one that a moderator reads with it.
pub const CONTEXT: i64 = 5;
/// Longest stated reason.
pub const MAX_REASON_CHARS: usize = 1000;
/// Shown for an erased writer, as everywhere else.
const FORMER_MEMBER: &str = crate::domain::display_name::FORMER_MEMBER;

#[derive(Debug, Serialize)]
pub struct SenderOut {
    pub id: String,
    pub display_name: String,
    pub role: String,
}

/// A message as a moderator reads it.
#[derive(Debug, Serialize)]
pub struct MessageOut {
    pub id: String,
    pub room_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
    pub sender: SenderOut,
    pub body: String,
    pub client_id: String,
    pub created_at: String,
}

#[derive(Debug, Serialize)]
pub struct AlertOut {
    pub id: String,
    pub severity: String,
    pub status: String,
}

/// One held message in the queue, with what a moderator needs to decide.
#[derive(Debug, Serialize)]
pub struct HeldItem {
    pub message: MessageOut,
    /// The crisis rule id, or `personal_info`.
    pub category: String,
    /// `crisis` or `personal_info`.
    pub source: &'static str,
    pub room: RoomOut,
    /// Up to five messages before it in the room, oldest first.
    pub context: Vec<MessageOut>,
    /// The safety alerts its crisis flag raised (none for personal information).
    pub alerts: Vec<AlertOut>,
}

#[derive(Debug, Serialize)]
pub struct RoomOut {
    pub id: String,
    pub kind: String,
}

/// What a decision did.
#[derive(Debug, Serialize)]
pub struct Decision {
    pub id: String,
    pub room_id: String,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
}

fn name(display_name: String, removed: bool) -> String {
    if removed {
        FORMER_MEMBER.to_string()
    } else {
        display_name
    }
}

fn held_out(r: &HeldRow) -> MessageOut {
    MessageOut {
        id: r.id.clone(),
        room_id: r.room_id.clone(),
        seq: (r.seq > 0).then_some(r.seq),
        sender: SenderOut {
            id: r.sender_id.clone(),
            display_name: name(r.sender_name.clone(), r.removed_at.is_some()),
            role: r
                .sender_room_role
                .clone()
                .unwrap_or_else(|| "member".into()),
        },
        body: r.body.clone(),
        client_id: r.client_id.clone(),
        created_at: ts(r.created_at),
    }
}

fn limit_of(raw: Option<&str>) -> Result<i64, AppError> {
    match raw {
        None => Ok(DEFAULT_PAGE),
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
            _ => Err(AppError::validation(
                "invalid_query",
                format!("`limit` must be a whole number from 1 to {MAX_PAGE}."),
            )),
        },
    }
}

/// `GET /moderation/held`: held messages oldest first, after the one whose id is `cursor`;
/// returns the page and the next cursor (None at the end).
pub async fn queue(
    state: &AppState,
    cursor: Option<String>,
    limit: Option<String>,
) -> Result<(Vec<HeldItem>, Option<String>), AppError> {
    let limit = limit_of(limit.as_deref())?;
    let bad_cursor = || AppError::validation("invalid_cursor", "`cursor` is not from this list.");
    let cursor = match cursor {
        None => None,
        Some(c) => Some(parse_uuid(&c).ok_or_else(bad_cursor)?),
    };
    state
        .db
        .run(move |c| {
            let after = match cursor {
                None => None,
                Some(id) => {
                    let row = holds::find(c, &id)?.ok_or_else(bad_cursor)?;
                    Some((row.created_at, row.id))
                }
            };
            let mut rows = holds::queue(c, after, limit + 1)?;
            let more = rows.len() as i64 > limit;
            rows.truncate(limit as usize);
            let next = if more {
                rows.last().map(|r| r.id.clone())
            } else {
                None
            };
            let mut items = Vec::with_capacity(rows.len());
            for r in rows {
                let before = r.hold_after_seq.unwrap_or(0);
                let context = messages::page(c, &r.room_id, None, Some(before + 1), CONTEXT)?
                    .into_iter()
                    .map(|m| MessageOut {
                        id: m.id,
                        room_id: m.room_id,
                        seq: Some(m.seq),
                        sender: SenderOut {
                            id: m.sender_id,
                            display_name: name(m.sender_name, m.removed_at.is_some()),
                            role: m.sender_room_role.unwrap_or_else(|| "member".into()),
                        },
                        body: m.body,
                        client_id: m.client_id,
                        created_at: ts(m.created_at),
                    })
                    .collect();
                let alerts = messages::alerts_for_message(c, &r.id)?
                    .into_iter()
                    .map(|(id, severity, status)| AlertOut {
                        id,
                        severity,
                        status,
                    })
                    .collect();
                let category = r.hold_category.clone().unwrap_or_default();
                items.push(HeldItem {
                    message: held_out(&r),
                    source: if category == PERSONAL_INFO {
                        "personal_info"
                    } else {
                        "crisis"
                    },
                    category,
                    room: RoomOut {
                        id: r.room_id.clone(),
                        kind: r.room_kind.clone(),
                    },
                    context,
                    alerts,
                });
            }
            Ok((items, next))
        })
        .await
}

fn reason_of(raw: Option<String>, required: bool) -> Result<Option<String>, AppError> {
    let reason = raw.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
    match &reason {
        None if required => Err(AppError::validation(
            "invalid_reason",
            "reason is required, at most 1000 characters",
        )),
        Some(r) if r.chars().count() > MAX_REASON_CHARS => Err(AppError::validation(
            "invalid_reason",
            "reason must be at most 1000 characters",
        )),
        _ => Ok(reason),
    }
}

/// The held message `id`, checked: it exists, is still held, and is not the moderator's own.
fn still_held(c: &mut crate::db::DbConn, id: &str, moderator: &str) -> Result<HeldRow, AppError> {
    let row = holds::find(c, id)?.ok_or(AppError::NotFound)?;
    if row.hold_state.as_deref() != Some(HELD) {
        return Err(AppError::conflict(
            "not_held",
            "This message is not waiting for review: it was never held, or was already released or rejected.",
        ));
    }
    if row.sender_id == moderator {
        return Err(AppError::forbidden(
            "cannot_act_on_self",
            "Another moderator must decide on your own held message.",
        ));
    }
    Ok(row)
}

fn audit_decision(
    c: &mut crate::db::DbConn,
    actor: &str,
    action: &str,
    row: &HeldRow,
    reason: Option<&str>,
    seq: Option<i64>,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let details = serde_json::json!({
        "room_id": row.room_id,
        "writer_id": row.sender_id,
        "category": row.hold_category,
        "seq": seq,
    });
    audit::insert(
        c,
        &audit::NewAuditEntry {
            id: &new_id(),
            actor_id: Some(actor),
            action,
            target_type: "message",
            target_id: Some(&row.id),
            reason,
            details: &details.to_string(),
            created_at: now,
        },
    )?;
    Ok(())
}

/// `POST /moderation/messages/{id}/release`: the message takes the room's next seq and is
/// delivered to every member.
pub async fn release(
    state: &AppState,
    moderator: &AuthUser,
    id: &str,
    reason: Option<String>,
) -> Result<Decision, AppError> {
    let id = parse_uuid(id).ok_or(AppError::NotFound)?;
    let reason = reason_of(reason, false)?;
    let (actor, now) = (moderator.id.clone(), state.clock.now_naive());
    let (row, seq) = state
        .db
        .run(move |c| {
            write_tx(c, |c| {
                let row = still_held(c, &id, &actor)?;
                // The room's row lock, then its next seq: the same order as the writer's.
                let seq = messages::reserve_seqs(c, &row.room_id, 1)?;
                if holds::release(c, &row.id, seq, &actor, now)? != 1 {
                    return Err(AppError::conflict(
                        "not_held",
                        "The message is no longer held.",
                    ));
                }
                audit_decision(
                    c,
                    &actor,
                    "message.released",
                    &row,
                    reason.as_deref(),
                    Some(seq),
                    now,
                )?;
                Ok((row, seq))
            })
        })
        .await?;
    tracing::info!(event = "held_message_released", moderator_id = %moderator.id, message_id = %row.id, room_id = %row.room_id, seq, "held message released");
    let removed = row.removed_at.is_some();
    state.sockets.deliver(Fact::MessageReleased {
        message: ReleasedMessage {
            room_id: row.room_id.clone(),
            id: row.id.clone(),
            seq,
            sender_id: row.sender_id.clone(),
            sender_name: name(row.sender_name.clone(), removed),
            sender_role: row
                .sender_room_role
                .clone()
                .unwrap_or_else(|| "member".into()),
            body: row.body.clone(),
            client_id: row.client_id.clone(),
            created_at: ts(row.created_at),
            removed,
        },
    });
    Ok(Decision {
        id: row.id,
        room_id: row.room_id,
        status: holds::RELEASED,
        seq: Some(seq),
    })
}

/// `POST /moderation/messages/{id}/reject`: nobody else ever sees it; the writer is told.
pub async fn reject(
    state: &AppState,
    moderator: &AuthUser,
    id: &str,
    reason: Option<String>,
) -> Result<Decision, AppError> {
    let id = parse_uuid(id).ok_or(AppError::NotFound)?;
    let reason = reason_of(reason, true)?;
    let (actor, now) = (moderator.id.clone(), state.clock.now_naive());
    let row = state
        .db
        .run(move |c| {
            write_tx(c, |c| {
                let row = still_held(c, &id, &actor)?;
                if holds::reject(c, &row.id, &actor, now)? != 1 {
                    return Err(AppError::conflict(
                        "not_held",
                        "The message is no longer held.",
                    ));
                }
                audit_decision(
                    c,
                    &actor,
                    "message.rejected",
                    &row,
                    reason.as_deref(),
                    None,
                    now,
                )?;
                Ok(row)
            })
        })
        .await?;
    tracing::info!(event = "held_message_rejected", moderator_id = %moderator.id, message_id = %row.id, room_id = %row.room_id, "held message rejected");
    state.sockets.deliver(Fact::MessageRejected {
        room_id: row.room_id.clone(),
        message_id: row.id.clone(),
        client_id: row.client_id.clone(),
        writer_id: row.sender_id.clone(),
    });
    Ok(Decision {
        id: row.id,
        room_id: row.room_id,
        status: holds::REJECTED,
        seq: None,
    })
}
