//! `POST /moderation/reports/{id}/claim` and `…/resolve`: a moderator opens a case, then
//! closes it with an outcome and a sentence for the reporters. Each step is one transaction
//! with its audit row (and, at the close, every reporter's email through the outbox); the
//! `report_update` frames follow the commit. Only reporters hear of it.
//!
//! A moderator does not decide a case about themselves, nor one they reported
//! (`403 cannot_decide_own`); linked actions must exist and be about the case's person (or, for
//! a room, taken in that room).

use chrono::NaiveDateTime;
use serde::Deserialize;

use super::queue::{CaseView, case_view};
use super::{
    CLOSED_RANK_OFFSET, IN_REVIEW_MESSAGE, MAX_LINKED_ACTIONS, MAX_NOTE_CHARS,
    MAX_OUTCOME_MESSAGE_CHARS, bounded, severity_rank,
};
use crate::auth::AuthUser;
use crate::db::reports::{
    self, Closing, FilingRow, ReportRow, STATUS_ACTIONED, STATUS_NO_ACTION, STATUS_RECEIVED,
};
use crate::db::{DbConn, audit, moderation_actions, users, write_tx};
use crate::domain::ids::parse_uuid;
use crate::domain::new_id;
use crate::email::{self, report_mail};
use crate::error::AppError;
use crate::realtime::{Fact, ReportNote};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveIn {
    pub outcome: String,
    pub message_to_reporter: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub action_ids: Option<Vec<String>>,
}

fn closed() -> AppError {
    AppError::conflict("report_closed", "This report has already been resolved.")
}

/// Loads an open case `moderator` may decide, with its filings.
fn open_case(
    c: &mut DbConn,
    id: &str,
    moderator: &str,
) -> Result<(ReportRow, Vec<FilingRow>), AppError> {
    let case = reports::find(c, id)?.ok_or(AppError::NotFound)?;
    if case.open_key.is_none() {
        return Err(closed());
    }
    let filings = reports::filings_of(c, std::slice::from_ref(&case.id))?;
    if case.target_user_id.as_deref() == Some(moderator)
        || filings.iter().any(|f| f.reporter_id == moderator)
    {
        return Err(AppError::forbidden(
            "cannot_decide_own",
            "Another moderator must handle a report about you or made by you.",
        ));
    }
    Ok((case, filings))
}

fn audit_row(
    c: &mut DbConn,
    moderator: &str,
    action: &str,
    case_id: &str,
    reason: Option<&str>,
    details: serde_json::Value,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    audit::insert(
        c,
        &audit::NewAuditEntry {
            id: &new_id(),
            actor_id: Some(moderator),
            action,
            target_type: "report",
            target_id: Some(case_id),
            reason,
            details: &details.to_string(),
            created_at: now,
        },
    )?;
    Ok(())
}

/// `received` → `in_review` with its audit row; false when someone already had it.
fn claim_tx(
    c: &mut DbConn,
    case: &ReportRow,
    moderator: &str,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    if reports::claim(c, &case.id, moderator, now)? == 0 {
        return Ok(false);
    }
    audit_row(
        c,
        moderator,
        "report_claimed",
        &case.id,
        None,
        serde_json::json!({}),
        now,
    )?;
    Ok(true)
}

fn notes(filings: &[FilingRow], status: &str, message: &str) -> Vec<ReportNote> {
    filings
        .iter()
        .map(|f| ReportNote {
            user_id: f.reporter_id.clone(),
            report_id: f.id.clone(),
            status: status.to_string(),
            message: message.to_string(),
        })
        .collect()
}

/// `POST /moderation/reports/{id}/claim`: idempotent; reporters hear `in_review` once.
pub async fn claim(state: &AppState, moderator: &AuthUser, id: &str) -> Result<CaseView, AppError> {
    let id = parse_uuid(id).ok_or(AppError::NotFound)?;
    let (me, now) = (moderator.id.clone(), state.clock.now_naive());
    let (case, fresh) = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<_, AppError> {
                let (case, filings) = open_case(c, &id, &me)?;
                let fresh = claim_tx(c, &case, &me, now)?
                    .then(|| notes(&filings, reports::STATUS_IN_REVIEW, IN_REVIEW_MESSAGE));
                let case = reports::find(c, &case.id)?.ok_or(AppError::NotFound)?;
                Ok((case, fresh))
            })
        })
        .await?;
    if let Some(notes) = fresh {
        tracing::info!(event = "report_claimed", case_id = %case.id, moderator_id = %moderator.id, "report claimed");
        state.sockets.deliver(Fact::ReportUpdated { notes });
    }
    Ok(case_view(&case, now))
}

struct Resolution {
    status: &'static str,
    message: String,
    note: Option<String>,
    action_ids: Vec<String>,
}

fn parse_resolution(input: ResolveIn) -> Result<Resolution, AppError> {
    let status = match input.outcome.as_str() {
        "actioned" => STATUS_ACTIONED,
        "no_action" => STATUS_NO_ACTION,
        _ => {
            return Err(AppError::validation(
                "invalid_outcome",
                "outcome must be actioned or no_action",
            ));
        }
    };
    let message = bounded(
        Some(&input.message_to_reporter),
        MAX_OUTCOME_MESSAGE_CHARS,
        "invalid_message_to_reporter",
        "message_to_reporter",
        true,
    )?
    .unwrap_or_default();
    let note = bounded(
        input.note.as_deref(),
        MAX_NOTE_CHARS,
        "invalid_note",
        "note",
        false,
    )?;
    let raw = input.action_ids.unwrap_or_default();
    if raw.len() > MAX_LINKED_ACTIONS {
        return Err(AppError::validation(
            "invalid_action_ids",
            format!("link at most {MAX_LINKED_ACTIONS} actions"),
        ));
    }
    let mut action_ids = Vec::new();
    for a in &raw {
        let id = parse_uuid(a).ok_or_else(|| {
            AppError::validation("invalid_action_ids", "action_ids must be action ids")
        })?;
        if !action_ids.contains(&id) {
            action_ids.push(id);
        }
    }
    if status == STATUS_NO_ACTION && !action_ids.is_empty() {
        return Err(AppError::validation(
            "actions_with_no_action",
            "a no_action outcome links no actions; use actioned",
        ));
    }
    Ok(Resolution {
        status,
        message,
        note,
        action_ids,
    })
}

/// Each linked action exists and is about this case.
fn check_actions(c: &mut DbConn, case: &ReportRow, ids: &[String]) -> Result<(), AppError> {
    for id in ids {
        let a = moderation_actions::find(c, id)?.ok_or_else(|| {
            AppError::validation("unknown_action", format!("no moderation action {id}"))
        })?;
        let fits = match case.target_user_id.as_deref() {
            Some(u) => a.target_user_id == u,
            None => a.room_id.is_some() && a.room_id == case.room_id,
        };
        if !fits {
            return Err(AppError::validation(
                "action_not_for_target",
                format!("action {id} is not about this report's target"),
            ));
        }
    }
    Ok(())
}

/// What a reporter's email calls the target.
fn what(target_type: &str) -> &'static str {
    match target_type {
        "message" => "a message",
        "user" => "a member",
        _ => "a room",
    }
}

/// `POST /moderation/reports/{id}/resolve`: closes the case; every reporter gets the frame
/// and the email.
pub async fn resolve(
    state: &AppState,
    moderator: &AuthUser,
    id: &str,
    input: ResolveIn,
) -> Result<CaseView, AppError> {
    let id = parse_uuid(id).ok_or(AppError::NotFound)?;
    let res = parse_resolution(input)?;
    let (me, now) = (moderator.id.clone(), state.clock.now_naive());
    let public_url = state.settings.public_url.clone();
    let (case, notes) = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<_, AppError> {
                let (case, filings) = open_case(c, &id, &me)?;
                check_actions(c, &case, &res.action_ids)?;
                if case.status == STATUS_RECEIVED {
                    claim_tx(c, &case, &me, now)?;
                }
                let rank = severity_rank(&case.category).unwrap_or(0) + CLOSED_RANK_OFFSET;
                let action_ids = (!res.action_ids.is_empty())
                    .then(|| serde_json::json!(res.action_ids).to_string());
                let closing = Closing {
                    status: res.status,
                    queue_rank: rank,
                    by: &me,
                    now,
                    message: &res.message,
                    note: res.note.as_deref(),
                    action_ids: action_ids.as_deref(),
                };
                if reports::close(c, &case.id, &closing)? == 0 {
                    return Err(closed());
                }
                audit_row(
                    c,
                    &me,
                    "report_resolved",
                    &case.id,
                    res.note.as_deref(),
                    serde_json::json!({
                        "outcome": res.status,
                        "action_ids": res.action_ids,
                        "reporters": filings.len(),
                    }),
                    now,
                )?;
                for f in &filings {
                    let Some(u) = users::find(c, &f.reporter_id)? else {
                        continue;
                    };
                    // An erased reporter has no address left; anyone else hears by email.
                    let Some(addr) = u.email.as_deref() else {
                        continue;
                    };
                    let on = f.created_at.format("%-d %B %Y").to_string();
                    let mail = report_mail::report_closed(
                        addr,
                        &u.display_name,
                        &public_url,
                        what(&case.target_type),
                        &on,
                        res.status,
                        &res.message,
                    );
                    email::enqueue(c, Some(&u.id), &mail, now)?;
                }
                let case = reports::find(c, &case.id)?.ok_or(AppError::NotFound)?;
                Ok((case, notes(&filings, res.status, &res.message)))
            })
        })
        .await?;
    tracing::info!(event = "report_resolved", case_id = %case.id, moderator_id = %moderator.id, outcome = %case.status, reporters = notes.len(), "report resolved");
    state.mail_wakeup.notify_one();
    state.sockets.deliver(Fact::ReportUpdated { notes });
    Ok(case_view(&case, now))
}
