//! A moderator acknowledges an alert (which stops its escalation and records the time to
//! acknowledge), then resolves it with an outcome and a note. Each transition is a
//! conditional update on the status, with its audit row, in one transaction; a transition the
//! state does not allow is a 409 naming the state.

use chrono::NaiveDateTime;
use serde::Deserialize;

use super::{AlertView, MAX_NOTE_CHARS, OUTCOMES};
use crate::auth::AuthUser;
use crate::db::alerts::{self, AlertRow};
use crate::db::{DbConn, audit, write_tx};
use crate::domain::{ids::parse_uuid, new_id};
use crate::error::AppError;
use crate::state::AppState;

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    pub outcome: String,
    pub note: String,
}

/// `POST /moderation/alerts/{id}/acknowledge`.
pub async fn acknowledge(
    state: &AppState,
    moderator: &AuthUser,
    id: &str,
) -> Result<AlertView, AppError> {
    let id = parse_uuid(id).ok_or(AppError::NotFound)?;
    let by = moderator.id.clone();
    let now = state.clock.now_naive();
    let row = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<AlertRow, AppError> {
                if alerts::acknowledge(c, &id, &by, now)? == 0 {
                    return Err(refusal(c, &id, "acknowledge")?);
                }
                let row = alerts::find(c, &id)?.ok_or(AppError::NotFound)?;
                let secs = seconds_between(row.created_at, now);
                let details = serde_json::json!({
                    "severity": row.severity,
                    "seconds_to_acknowledge": secs,
                    "escalation_level": row.escalation_level,
                });
                audit_transition(c, &by, "alert_acknowledged", &id, &details, now)?;
                Ok(row)
            })
        })
        .await?;
    let secs = seconds_between(row.created_at, now);
    state
        .metrics
        .observe_alert_acknowledged(&row.severity, secs);
    tracing::info!(
        event = "alert_acknowledged",
        alert_id = %row.id,
        severity = %row.severity,
        seconds_to_acknowledge = secs,
        "safety alert acknowledged"
    );
    Ok(AlertView::of(row, now))
}

/// `POST /moderation/alerts/{id}/resolve`.
pub async fn resolve(
    state: &AppState,
    moderator: &AuthUser,
    id: &str,
    req: ResolveRequest,
) -> Result<AlertView, AppError> {
    let id = parse_uuid(id).ok_or(AppError::NotFound)?;
    if !OUTCOMES.contains(&req.outcome.as_str()) {
        return Err(AppError::validation(
            "invalid_outcome",
            format!("outcome must be one of: {}.", OUTCOMES.join(", ")),
        ));
    }
    let note = req.note.trim().to_string();
    if note.is_empty() || note.chars().count() > MAX_NOTE_CHARS {
        return Err(AppError::validation(
            "invalid_note",
            format!("note is required, at most {MAX_NOTE_CHARS} characters."),
        ));
    }
    let by = moderator.id.clone();
    let now = state.clock.now_naive();
    let outcome = req.outcome;
    let row = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<AlertRow, AppError> {
                if alerts::resolve(c, &id, &by, &outcome, &note, now)? == 0 {
                    return Err(refusal(c, &id, "resolve")?);
                }
                let details = serde_json::json!({"outcome": outcome});
                audit_transition(c, &by, "alert_resolved", &id, &details, now)?;
                alerts::find(c, &id)?.ok_or(AppError::NotFound)
            })
        })
        .await?;
    Ok(AlertView::of(row, now))
}

/// Why a transition changed nothing: a missing alert, or the state it is in.
fn refusal(c: &mut DbConn, id: &str, what: &str) -> Result<AppError, AppError> {
    let row = alerts::find(c, id)?.ok_or(AppError::NotFound)?;
    Ok(match (what, row.status.as_str()) {
        (_, "resolved") => AppError::conflict(
            "alert_already_resolved",
            "This alert has already been resolved.",
        ),
        ("acknowledge", _) => AppError::conflict(
            "alert_already_acknowledged",
            "This alert has already been acknowledged.",
        ),
        _ => AppError::conflict(
            "alert_not_acknowledged",
            "Acknowledge this alert before resolving it.",
        ),
    })
}

fn audit_transition(
    c: &mut DbConn,
    by: &str,
    action: &str,
    id: &str,
    details: &serde_json::Value,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    audit::insert(
        c,
        &audit::NewAuditEntry {
            id: &new_id(),
            actor_id: Some(by),
            action,
            target_type: "safety_alert",
            target_id: Some(id),
            reason: None,
            details: &details.to_string(),
            created_at: now,
        },
    )?;
    Ok(())
}

/// Whole and fractional seconds from `a` to `b` (never negative).
pub(super) fn seconds_between(a: NaiveDateTime, b: NaiveDateTime) -> f64 {
    ((b - a).num_milliseconds().max(0) as f64) / 1000.0
}
