//! The alert queue (`GET /moderation/alerts`): open alerts first, then acknowledged, then
//! resolved; within each, red before amber, oldest first. Cursor-paged over those six slices,
//! so a page is at most six small indexed queries whatever the queue's length.
//!
//! Each alert comes with what a moderator needs to decide: the room's kind, the message and up
//! to [`CONTEXT`] messages either side (or, for an escalation about the room as a whole, its
//! latest messages), and what moderators did before to the message's sender. Showing that
//! context is reading a room's content, so every alert on the page gets an
//! `alert_context_read` audit row for the reader, in the same transaction as the read.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::AlertView;
use crate::auth::AuthUser;
use crate::db::alerts::{self, AlertRow};
use crate::db::messages::{self, MessageRow};
use crate::db::{DbConn, audit, moderation_actions, rooms, write_tx};
use crate::domain::{new_id, time::ts};
use crate::error::AppError;
use crate::state::AppState;

/// Messages shown either side of the alert's message.
pub const CONTEXT: i64 = 3;
/// Default and largest page.
const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 50;
/// Prior actions shown per person.
const PRIOR_ACTIONS: usize = 20;

/// The queue's order: (status, severity) slices.
const SLICES: &[(&str, &str)] = &[
    ("open", "red"),
    ("open", "amber"),
    ("acknowledged", "red"),
    ("acknowledged", "amber"),
    ("resolved", "red"),
    ("resolved", "amber"),
];

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// Only `open`, `acknowledged` or `resolved` alerts.
    pub status: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Serialize)]
pub struct QueueItem {
    #[serde(flatten)]
    pub alert: AlertView,
    pub room: Option<RoomBrief>,
    pub message: Option<ContextMessage>,
    pub context: Vec<ContextMessage>,
    pub prior_actions: Vec<PriorAction>,
}

#[derive(Serialize)]
pub struct RoomBrief {
    pub id: String,
    pub kind: String,
    pub ended: bool,
}

#[derive(Serialize)]
pub struct ContextMessage {
    pub id: String,
    pub seq: i64,
    pub sender_id: String,
    pub sender_name: String,
    pub body: String,
    pub removed: bool,
    pub created_at: String,
}

impl From<MessageRow> for ContextMessage {
    fn from(m: MessageRow) -> Self {
        ContextMessage {
            removed: m.removed_at.is_some(),
            id: m.id,
            seq: m.seq,
            sender_id: m.sender_id,
            sender_name: m.sender_name,
            body: m.body,
            created_at: ts(m.created_at),
        }
    }
}

#[derive(Serialize)]
pub struct PriorAction {
    pub id: String,
    pub kind: String,
    pub category: Option<String>,
    pub reason: String,
    pub created_at: String,
    pub until: Option<String>,
    pub reversed: bool,
}

#[derive(Serialize)]
pub struct QueuePage {
    pub alerts: Vec<QueueItem>,
    pub next_cursor: Option<String>,
}

/// `GET /moderation/alerts`.
pub async fn list(
    state: &AppState,
    moderator: &AuthUser,
    q: QueueQuery,
) -> Result<QueuePage, AppError> {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::bad_request(
            "invalid_limit",
            format!("limit must be from 1 to {MAX_LIMIT}."),
        ));
    }
    if let Some(s) = &q.status
        && !SLICES.iter().any(|(st, _)| st == s)
    {
        return Err(AppError::bad_request(
            "invalid_status",
            "status must be open, acknowledged or resolved.",
        ));
    }
    let after = match &q.cursor {
        Some(c) => Some(decode_cursor(c)?),
        None => None,
    };
    let reader = moderator.id.clone();
    let now = state.clock.now_naive();
    state
        .db
        .run(move |c| {
            write_tx(c, |c| {
                let (rows, next) = page(c, q.status.as_deref(), after, limit)?;
                let mut items = Vec::with_capacity(rows.len());
                for a in rows {
                    items.push(item(c, a, &reader, now)?);
                }
                Ok(QueuePage {
                    alerts: items,
                    next_cursor: next,
                })
            })
        })
        .await
}

type Cursor = (usize, NaiveDateTime, String);

fn page(
    c: &mut DbConn,
    status: Option<&str>,
    after: Option<Cursor>,
    limit: i64,
) -> Result<(Vec<AlertRow>, Option<String>), AppError> {
    let mut out: Vec<(usize, AlertRow)> = Vec::new();
    // One more than the page, to know whether there is a next one.
    let want = limit + 1;
    for (rank, (st, sev)) in SLICES.iter().enumerate() {
        if status.is_some_and(|s| s != *st) {
            continue;
        }
        let from = match &after {
            Some((r, _, _)) if rank < *r => continue,
            Some((r, t, id)) if rank == *r => Some((*t, id.as_str())),
            _ => None,
        };
        let left = want - out.len() as i64;
        if left <= 0 {
            break;
        }
        for a in alerts::queue_slice(c, st, sev, from, left)? {
            out.push((rank, a));
        }
    }
    let more = out.len() as i64 > limit;
    out.truncate(limit as usize);
    let next = match (more, out.last()) {
        (true, Some((rank, a))) => Some(encode_cursor(*rank, a.created_at, &a.id)),
        _ => None,
    };
    Ok((out.into_iter().map(|(_, a)| a).collect(), next))
}

fn item(
    c: &mut DbConn,
    a: AlertRow,
    reader: &str,
    now: NaiveDateTime,
) -> Result<QueueItem, AppError> {
    let room = rooms::find(c, &a.room_id)?.map(|r| RoomBrief {
        id: r.id,
        kind: r.kind,
        ended: r.ended_at.is_some(),
    });
    let message = match &a.message_id {
        Some(m) => messages::find(c, m)?,
        None => None,
    };
    let context: Vec<MessageRow> = match &message {
        Some(m) => {
            let mut v = messages::page(c, &a.room_id, None, Some(m.seq), CONTEXT)?;
            v.extend(messages::page(c, &a.room_id, Some(m.seq), None, CONTEXT)?);
            v
        }
        None => messages::page(c, &a.room_id, None, None, CONTEXT * 2)?,
    };
    let prior_actions = match &message {
        Some(m) => moderation_actions::against(c, &m.sender_id)?
            .into_iter()
            .take(PRIOR_ACTIONS)
            .map(|p| PriorAction {
                reversed: p.reversed_at.is_some(),
                id: p.id,
                kind: p.kind,
                category: p.category,
                reason: p.reason,
                created_at: ts(p.created_at),
                until: p.until.map(ts),
            })
            .collect(),
        None => Vec::new(),
    };
    audit::insert(
        c,
        &audit::NewAuditEntry {
            id: &new_id(),
            actor_id: Some(reader),
            action: "alert_context_read",
            target_type: "safety_alert",
            target_id: Some(&a.id),
            reason: None,
            details: &serde_json::json!({"room_id": a.room_id, "messages": context.len() + usize::from(message.is_some())}).to_string(),
            created_at: now,
        },
    )?;
    Ok(QueueItem {
        alert: AlertView::of(a, now),
        room,
        message: message.map(ContextMessage::from),
        context: context.into_iter().map(ContextMessage::from).collect(),
        prior_actions,
    })
}

fn encode_cursor(rank: usize, t: NaiveDateTime, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{rank}|{}|{id}", t.and_utc().timestamp_micros()))
}

fn decode_cursor(c: &str) -> Result<Cursor, AppError> {
    let bad = || AppError::bad_request("invalid_cursor", "The cursor is not one this API gave.");
    let raw = URL_SAFE_NO_PAD.decode(c).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let mut parts = text.splitn(3, '|');
    let rank: usize = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let micros: i64 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let id = parts.next().ok_or_else(bad)?.to_string();
    let t = chrono::DateTime::from_timestamp_micros(micros)
        .ok_or_else(bad)?
        .naive_utc();
    if rank >= SLICES.len() {
        return Err(bad());
    }
    Ok((rank, t, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_a_forged_one_is_refused() {
        let t = chrono::DateTime::from_timestamp_micros(1_700_000_000_123_456)
            .unwrap()
            .naive_utc();
        let c = encode_cursor(2, t, "abc");
        assert_eq!(decode_cursor(&c).unwrap(), (2, t, "abc".to_string()));
        assert_eq!(decode_cursor("zz!").unwrap_err().code(), "invalid_cursor");
        let forged = URL_SAFE_NO_PAD.encode("9|1|x");
        assert_eq!(decode_cursor(&forged).unwrap_err().code(), "invalid_cursor");
    }
}
