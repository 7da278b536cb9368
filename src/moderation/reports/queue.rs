//! `GET /moderation/reports`: the queue, cursor-paged, each item with what a moderator needs
//! to decide. Showing room content is an audited look: one `report_context_viewed` row per
//! item that carries messages, in the transaction that read them.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::CLOSED_RANK_OFFSET;
use crate::db::messages::{self, MessageRow};
use crate::db::moderation_actions::{self, ActionRow};
use crate::db::reports::{self, FilingRow, ReportRow};
use crate::db::{DbConn, audit, rooms, users, write_tx};
use crate::domain::ids::parse_uuid;
use crate::domain::new_id;
use crate::domain::time::ts;
use crate::error::AppError;
use crate::moderation::ladder::{Ladder, Suggestion};
use crate::state::AppState;

/// Items per page unless `limit` says otherwise, and the most one page may hold.
pub const DEFAULT_PAGE: i64 = 20;
pub const MAX_PAGE: i64 = 100;
/// Messages shown either side of a reported message, and of a reported room.
const AROUND: i64 = 3;
const ROOM_TAIL: i64 = 5;

/// A case's own fields, as moderators see them.
#[derive(Debug, Serialize)]
pub struct CaseView {
    pub id: String,
    /// `received`, `in_review`, `actioned` or `no_action`.
    pub status: String,
    pub category: String,
    pub created_at: String,
    pub due_at: String,
    pub overdue: bool,
    pub claimed_by: Option<String>,
    pub claimed_at: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
    pub outcome_message: Option<String>,
    pub resolution_note: Option<String>,
    pub action_ids: Vec<String>,
}

pub(super) fn case_view(r: &ReportRow, now: NaiveDateTime) -> CaseView {
    CaseView {
        id: r.id.clone(),
        status: r.status.clone(),
        category: r.category.clone(),
        created_at: ts(r.created_at),
        due_at: ts(r.due_at),
        overdue: r.open_key.is_some() && now > r.due_at,
        claimed_by: r.claimed_by.clone(),
        claimed_at: r.claimed_at.map(ts),
        resolved_by: r.resolved_by.clone(),
        resolved_at: r.resolved_at.map(ts),
        outcome_message: r.outcome_message.clone(),
        resolution_note: r.resolution_note.clone(),
        action_ids: r
            .action_ids
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_default(),
    }
}

#[derive(Debug, Serialize)]
pub struct PersonView {
    pub id: String,
    pub display_name: String,
    pub status: String,
}

#[derive(Debug, Serialize)]
pub struct RoomView {
    pub id: String,
    pub kind: String,
    pub ended: bool,
}

#[derive(Debug, Serialize)]
pub struct ContextMessage {
    pub id: String,
    pub seq: i64,
    pub sender_id: String,
    pub sender_name: String,
    pub body: String,
    pub created_at: String,
    /// The reported message itself.
    pub reported: bool,
}

#[derive(Debug, Serialize)]
pub struct TargetView {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    /// The person reported (a message's writer, or the member).
    pub user: Option<PersonView>,
    pub room: Option<RoomView>,
}

/// What one reporter said; never who they are.
#[derive(Debug, Serialize)]
pub struct FilingView {
    pub category: String,
    pub detail: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Serialize)]
pub struct PriorAction {
    pub id: String,
    pub kind: String,
    pub category: Option<String>,
    pub reason: String,
    pub room_id: Option<String>,
    pub created_at: String,
    pub until: Option<String>,
    pub reversed: bool,
}

#[derive(Debug, Serialize)]
pub struct QueueItem {
    #[serde(flatten)]
    pub case: CaseView,
    /// Pass as `before` to get the items after this one.
    pub cursor: String,
    pub target: TargetView,
    /// The reported message and up to three either side (a message report); a room's newest
    /// five (a room report); empty for a member.
    pub context: Vec<ContextMessage>,
    pub reporters: usize,
    pub filings: Vec<FilingView>,
    pub prior_actions: Vec<PriorAction>,
    /// The sanction ladder's suggested next step for the person (none for a room).
    pub suggestion: Option<Suggestion>,
}

#[derive(Debug, Serialize)]
pub struct QueuePage {
    pub items: Vec<QueueItem>,
    /// The `before` of the next page; None on the last.
    pub next_before: Option<String>,
}

fn cursor_of(r: &ReportRow) -> String {
    format!(
        "{}.{}.{}",
        r.queue_rank,
        r.created_at.and_utc().timestamp_micros(),
        r.id
    )
}

fn parse_cursor(raw: &str) -> Result<(i32, NaiveDateTime, String), AppError> {
    let bad = || AppError::bad_request("invalid_cursor", "before is not a cursor from this queue");
    let mut parts = raw.splitn(3, '.');
    let rank: i32 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let micros: i64 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let id = parts.next().and_then(parse_uuid).ok_or_else(bad)?;
    if !(0..2 * CLOSED_RANK_OFFSET).contains(&rank) {
        return Err(bad());
    }
    let at = chrono::DateTime::from_timestamp_micros(micros)
        .ok_or_else(bad)?
        .naive_utc();
    Ok((rank, at, id))
}

fn context_message(m: MessageRow, reported: Option<&str>) -> ContextMessage {
    ContextMessage {
        reported: reported == Some(m.id.as_str()),
        id: m.id,
        seq: m.seq,
        sender_id: m.sender_id,
        sender_name: m.sender_name,
        body: m.body,
        created_at: ts(m.created_at),
    }
}

fn prior(a: ActionRow) -> PriorAction {
    PriorAction {
        id: a.id,
        kind: a.kind,
        category: a.category,
        reason: a.reason,
        room_id: a.room_id,
        created_at: ts(a.created_at),
        until: a.until.map(ts),
        reversed: a.reversed_at.is_some(),
    }
}

/// The messages a moderator sees for a case, and the audit row that says they looked.
fn context_of(
    c: &mut DbConn,
    r: &ReportRow,
    moderator: &str,
    now: NaiveDateTime,
) -> Result<Vec<ContextMessage>, AppError> {
    let Some(room) = r.room_id.as_deref() else {
        return Ok(Vec::new());
    };
    let rows = match r.message_id.as_deref() {
        Some(mid) => match messages::find(c, mid)? {
            Some(m) => messages::page(
                c,
                room,
                Some(m.seq - AROUND - 1),
                Some(m.seq + AROUND + 1),
                2 * AROUND + 1,
            )?,
            None => Vec::new(),
        },
        None => messages::page(c, room, None, None, ROOM_TAIL)?,
    };
    if !rows.is_empty() {
        let details = serde_json::json!({
            "report_id": r.id,
            "message_id": r.message_id,
            "messages": rows.len(),
        })
        .to_string();
        audit::insert(
            c,
            &audit::NewAuditEntry {
                id: &new_id(),
                actor_id: Some(moderator),
                action: "report_context_viewed",
                target_type: "room",
                target_id: Some(room),
                reason: Some(&format!("report {}", r.id)),
                details: &details,
                created_at: now,
            },
        )?;
    }
    Ok(rows
        .into_iter()
        .map(|m| context_message(m, r.message_id.as_deref()))
        .collect())
}

fn item(
    c: &mut DbConn,
    r: ReportRow,
    filings: Vec<FilingRow>,
    ladder: &Ladder,
    moderator: &str,
    now: NaiveDateTime,
) -> Result<QueueItem, AppError> {
    let user = match r.target_user_id.as_deref() {
        Some(u) => users::find(c, u)?.map(|u| PersonView {
            id: u.id,
            display_name: u.display_name,
            status: u.status,
        }),
        None => None,
    };
    let room = match r.room_id.as_deref() {
        Some(id) => rooms::find(c, id)?.map(|room| RoomView {
            id: room.id,
            kind: room.kind,
            ended: room.ended_at.is_some(),
        }),
        None => None,
    };
    let past = match r.target_user_id.as_deref() {
        Some(u) => moderation_actions::against(c, u)?,
        None => Vec::new(),
    };
    let suggestion = r
        .target_user_id
        .as_ref()
        .map(|_| ladder.suggest(&past, &r.category, now));
    let context = context_of(c, &r, moderator, now)?;
    Ok(QueueItem {
        cursor: cursor_of(&r),
        case: case_view(&r, now),
        target: TargetView {
            kind: r.target_type.clone(),
            id: r.target_id.clone(),
            user,
            room,
        },
        context,
        reporters: filings.len(),
        filings: filings
            .into_iter()
            .map(|f| FilingView {
                category: f.category,
                detail: f.detail,
                created_at: ts(f.created_at),
            })
            .collect(),
        prior_actions: past.into_iter().map(prior).collect(),
        suggestion,
    })
}

/// One page of the queue for `moderator`.
pub async fn queue(
    state: &AppState,
    ladder: std::sync::Arc<Ladder>,
    moderator: &str,
    before: Option<&str>,
    limit: Option<i64>,
) -> Result<QueuePage, AppError> {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(AppError::validation(
            "invalid_limit",
            format!("limit must be from 1 to {MAX_PAGE}"),
        ));
    }
    let after = before.map(parse_cursor).transpose()?;
    let (moderator, now) = (moderator.to_string(), state.clock.now_naive());
    state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<QueuePage, AppError> {
                let mut rows = reports::queue_page(c, after, limit + 1)?;
                let more = rows.len() as i64 > limit;
                rows.truncate(limit as usize);
                let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
                let mut filings = reports::filings_of(c, &ids)?;
                let next_before = if more {
                    rows.last().map(cursor_of)
                } else {
                    None
                };
                let mut items = Vec::with_capacity(rows.len());
                for r in rows {
                    let (mine, rest): (Vec<FilingRow>, Vec<FilingRow>) =
                        filings.into_iter().partition(|f| f.report_id == r.id);
                    filings = rest;
                    items.push(item(c, r, mine, &ladder, &moderator, now)?);
                }
                Ok(QueuePage { items, next_before })
            })
        })
        .await
}
