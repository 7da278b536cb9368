//! `GET /moderation/audit`: the append-only audit log for moderators and admins, filtered by
//! actor, target and action, newest first, cursor-paged. The cursor (`before`, and `next` in
//! each page) is the id of the last entry seen; entries are ordered by time, then id, so a
//! page never repeats or skips an entry. The rows themselves hold ids, action names and the
//! actor's stated reason only.

use serde::{Deserialize, Serialize};

use crate::db::audit::{self, AuditEntry, AuditFilter};
use crate::domain::ids::parse_uuid;
use crate::domain::time::ts;
use crate::error::AppError;
use crate::state::AppState;

pub const DEFAULT_PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 200;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub target: Option<String>,
    pub action: Option<String>,
    pub before: Option<String>,
    pub limit: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct EntryView {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    pub action: String,
    pub target_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub details: serde_json::Value,
    pub created_at: String,
}

#[derive(Debug, Serialize)]
pub struct AuditPage {
    pub entries: Vec<EntryView>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

fn view(e: AuditEntry) -> EntryView {
    EntryView {
        details: serde_json::from_str(&e.details).unwrap_or(serde_json::Value::Null),
        id: e.id,
        actor_id: e.actor_id,
        action: e.action,
        target_type: e.target_type,
        target_id: e.target_id,
        reason: e.reason,
        created_at: ts(e.created_at),
    }
}

fn id_filter(name: &str, v: Option<String>) -> Result<Option<String>, AppError> {
    match v {
        None => Ok(None),
        Some(raw) => parse_uuid(&raw).map(Some).ok_or_else(|| {
            AppError::validation("invalid_query", format!("`{name}` must be an id."))
        }),
    }
}

pub async fn page(state: &AppState, q: AuditQuery) -> Result<AuditPage, AppError> {
    let limit = match q.limit.as_deref() {
        None => DEFAULT_PAGE,
        Some(raw) => match raw.parse::<i64>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
            _ => {
                return Err(AppError::validation(
                    "invalid_query",
                    format!("`limit` must be a whole number from 1 to {MAX_PAGE}."),
                ));
            }
        },
    };
    let action = match q.action {
        Some(a) if a.is_empty() || a.len() > 64 => {
            return Err(AppError::validation(
                "invalid_query",
                "`action` is an action name such as moderation.ban.",
            ));
        }
        other => other,
    };
    let filter = AuditFilter {
        actor: id_filter("actor", q.actor)?,
        target: id_filter("target", q.target)?,
        action,
    };
    let before = id_filter("before", q.before)?;
    state
        .db
        .run(move |c| {
            let cursor = match &before {
                Some(id) => Some(audit::find(c, id)?.ok_or_else(|| {
                    AppError::validation("invalid_cursor", "`before` is not an entry of this log.")
                })?),
                None => None,
            };
            let mut rows = audit::page(c, &filter, cursor.as_ref(), limit + 1)?;
            let more = rows.len() as i64 > limit;
            rows.truncate(usize::try_from(limit).unwrap_or(0));
            let next = if more {
                rows.last().map(|e| e.id.clone())
            } else {
                None
            };
            Ok(AuditPage {
                entries: rows.into_iter().map(view).collect(),
                next,
            })
        })
        .await
}
