//! `POST /reports` and `GET /reports/mine`: a member's side of reporting. What a member may
//! report, and how repeats fold, are in the module docs (`super`).

use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

use super::{MAX_DETAIL_CHARS, TARGET_TYPES, bounded, category_of};
use crate::auth::AuthUser;
use crate::db::reports::{self, FilingRow, NewReport, ReportRow, STATUS_RECEIVED};
use crate::db::{DbConn, audit, users, write_tx};
use crate::domain::ids::parse_uuid;
use crate::domain::new_id;
use crate::domain::time::ts;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportIn {
    pub target_type: String,
    pub target_id: String,
    pub category: String,
    #[serde(default)]
    pub detail: Option<String>,
}

/// A report as its reporter sees it: their own words, the status, the moderator's sentence.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct MyReport {
    pub id: String,
    pub target_type: String,
    pub target_id: String,
    pub category: String,
    pub detail: Option<String>,
    /// `received`, `in_review`, `actioned` or `no_action`.
    pub status: String,
    /// The sentence the moderator chose for the reporter, once closed.
    pub message: Option<String>,
    pub created_at: String,
    pub resolved_at: Option<String>,
}

pub(super) fn my_view(f: &FilingRow, r: &ReportRow) -> MyReport {
    MyReport {
        id: f.id.clone(),
        target_type: r.target_type.clone(),
        target_id: r.target_id.clone(),
        category: f.category.clone(),
        detail: f.detail.clone(),
        status: r.status.clone(),
        message: r.outcome_message.clone(),
        created_at: ts(f.created_at),
        resolved_at: r.resolved_at.map(ts),
    }
}

/// The reported target: who it is about and where.
struct Target {
    user_id: Option<String>,
    room_id: Option<String>,
    message_id: Option<String>,
}

fn cannot_report_self() -> AppError {
    AppError::validation(
        "cannot_report_self",
        "You cannot report yourself or your own messages.",
    )
}

/// What `reporter` may report; anything they cannot see is `NotFound`, like a missing id.
fn resolve_target(
    c: &mut DbConn,
    reporter: &str,
    kind: &str,
    id: &str,
) -> Result<Target, AppError> {
    match kind {
        "message" => {
            let (room, sender, at) = reports::message_meta(c, id)?.ok_or(AppError::NotFound)?;
            let (_, left) =
                reports::membership_window(c, &room, reporter)?.ok_or(AppError::NotFound)?;
            if left.is_some_and(|l| at > l) {
                return Err(AppError::NotFound);
            }
            if sender == reporter {
                return Err(cannot_report_self());
            }
            Ok(Target {
                user_id: Some(sender),
                room_id: Some(room),
                message_id: Some(id.to_string()),
            })
        }
        "user" => {
            users::find(c, id)?.ok_or(AppError::NotFound)?;
            if id == reporter {
                return Err(cannot_report_self());
            }
            if !reports::shared_a_room(c, reporter, id)? {
                return Err(AppError::NotFound);
            }
            Ok(Target {
                user_id: Some(id.to_string()),
                room_id: None,
                message_id: None,
            })
        }
        _ => {
            reports::membership_window(c, id, reporter)?.ok_or(AppError::NotFound)?;
            Ok(Target {
                user_id: None,
                room_id: Some(id.to_string()),
                message_id: None,
            })
        }
    }
}

/// A concurrent report of the same target won a unique index; `file` runs once more.
fn raced() -> AppError {
    AppError::conflict(
        "report_raced",
        "Another report of this target was being filed; try again.",
    )
}

struct Filing {
    reporter: String,
    kind: &'static str,
    target_id: String,
    category: &'static str,
    rank: i32,
    detail: Option<String>,
    now: NaiveDateTime,
    due_in: TimeDelta,
}

/// The transaction: fold, join the open case, or open one. Returns (filing, case, created).
fn file_tx(c: &mut DbConn, f: &Filing) -> Result<(FilingRow, ReportRow, bool), AppError> {
    let target = resolve_target(c, &f.reporter, f.kind, &f.target_id)?;
    let open_only = f.kind != "message";
    if let Some((filing, case)) =
        reports::filing_of(c, &f.reporter, f.kind, &f.target_id, open_only)?
    {
        return Ok((filing, case, false));
    }
    let open_key = format!("{}:{}", f.kind, f.target_id);
    let case = match reports::open_for(c, &open_key)? {
        Some(case) => {
            reports::raise_category(c, &case.id, f.category, f.rank)?;
            case
        }
        None => {
            let id = new_id();
            reports::insert_report(
                c,
                &NewReport {
                    id: &id,
                    target_type: f.kind,
                    target_id: &f.target_id,
                    target_user_id: target.user_id.as_deref(),
                    room_id: target.room_id.as_deref(),
                    message_id: target.message_id.as_deref(),
                    category: f.category,
                    status: STATUS_RECEIVED,
                    open_key: Some(&open_key),
                    queue_rank: f.rank,
                    created_at: f.now,
                    due_at: f.now + f.due_in,
                },
            )
            .map_err(|e| crate::db::unique_or(e, raced))?;
            reports::find(c, &id)?.ok_or(AppError::NotFound)?
        }
    };
    let filing = FilingRow {
        id: new_id(),
        report_id: case.id.clone(),
        reporter_id: f.reporter.clone(),
        category: f.category.to_string(),
        detail: f.detail.clone(),
        created_at: f.now,
    };
    reports::insert_filing(c, &filing).map_err(|e| crate::db::unique_or(e, raced))?;
    // The reporter is named only next to their own report's id: never next to the person
    // reported, whose export lists the audit rows about them.
    let details = serde_json::json!({
        "report_id": case.id,
        "target_type": f.kind,
        "category": f.category,
    })
    .to_string();
    audit::insert(
        c,
        &audit::NewAuditEntry {
            id: &new_id(),
            actor_id: Some(&f.reporter),
            action: "report_filed",
            target_type: "report_filing",
            target_id: Some(&filing.id),
            reason: None,
            details: &details,
            created_at: f.now,
        },
    )?;
    Ok((filing, case, true))
}

/// `POST /reports`: the reporter's report and whether it is new (201) or folded (200).
pub async fn file(
    state: &AppState,
    who: &AuthUser,
    input: ReportIn,
) -> Result<(MyReport, bool), AppError> {
    let kind = TARGET_TYPES
        .iter()
        .copied()
        .find(|t| *t == input.target_type)
        .ok_or_else(|| {
            AppError::validation(
                "invalid_target_type",
                "target_type must be message, user or room",
            )
        })?;
    let (category, rank) = category_of(&input.category)?;
    let detail = bounded(
        input.detail.as_deref(),
        MAX_DETAIL_CHARS,
        "invalid_detail",
        "detail",
        false,
    )?;
    let target_id = parse_uuid(&input.target_id).ok_or(AppError::NotFound)?;
    let due_in = TimeDelta::from_std(state.settings.reports.target).map_err(AppError::internal)?;
    let filing = Filing {
        reporter: who.id.clone(),
        kind,
        target_id,
        category,
        rank,
        detail,
        now: state.clock.now_naive(),
        due_in,
    };
    let (f, case, created) = state
        .db
        .run(move |c| {
            // Two first reports of one target racing on PostgreSQL: the loser's insert hits
            // the open-case index and rolls back; run again, it joins the winner's case.
            match write_tx(c, |c| file_tx(c, &filing)) {
                Err(AppError::Conflict { .. }) => write_tx(c, |c| file_tx(c, &filing)),
                other => other,
            }
        })
        .await?;
    if created {
        tracing::info!(event = "report_filed", report_id = %f.id, case_id = %case.id, category = %f.category, "report filed");
    }
    Ok((my_view(&f, &case), created))
}

/// `GET /reports/mine`, newest first.
pub async fn mine(state: &AppState, who: &AuthUser) -> Result<Vec<MyReport>, AppError> {
    let me = who.id.clone();
    let rows = state
        .db
        .run(move |c| Ok(reports::by_reporter(c, &me)?))
        .await?;
    Ok(rows.iter().map(|(f, r)| my_view(f, r)).collect())
}
