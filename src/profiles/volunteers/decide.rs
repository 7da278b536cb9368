//! The moderators' side: the [`queue`], and [`approve`] or [`reject`]. A decision is audited in
//! the same transaction, makes a member a volunteer on approval, and emails the applicant.
//!
//! A moderator must not decide their own application.

use chrono::NaiveDateTime;

use super::fields::{Decision, default_expiry, explicit_expiry, queue_status, text};
use super::view::{ApplicationView, QueuedApplication, view};
use super::{DEFAULT_MAX_GROUPS, DEFAULT_ONE_TO_ONE_CAPACITY, MAX_NOTE_CHARS};
use crate::auth::AuthUser;
use crate::db::volunteers::{self, Application, STATUS_APPROVED, STATUS_REJECTED, Volunteer};
use crate::db::{audit, users, write_tx};
use crate::domain::{Role, new_id};
use crate::email::{self, templates};
use crate::error::AppError;
use crate::state::AppState;

/// `GET /moderation/volunteer-applications?status=`: a queue, oldest first.
pub async fn queue(
    state: &AppState,
    status: Option<&str>,
) -> Result<Vec<QueuedApplication>, AppError> {
    let status = queue_status(status)?;
    let rows = state
        .db
        .run(move |c| Ok(volunteers::queue(c, &status, 100)?))
        .await?;
    rows.iter()
        .map(|(a, name)| {
            Ok(QueuedApplication {
                application: view(a)?,
                user_id: a.user_id.clone(),
                display_name: name.clone(),
                decided_by: a.decided_by.clone(),
                decision_note: a.decision_note.clone(),
            })
        })
        .collect()
}

/// `POST /moderation/volunteer-applications/{id}/approve`.
pub async fn approve(
    state: &AppState,
    moderator: &AuthUser,
    id: &str,
    expires: Option<&str>,
    note: &str,
) -> Result<ApplicationView, AppError> {
    let expires = explicit_expiry(expires, state.clock.now().date_naive())?;
    let note = text(note, MAX_NOTE_CHARS, "invalid_note", "note")?;
    decide(state, moderator, id, Decision::Approve { expires }, note).await
}

/// `POST /moderation/volunteer-applications/{id}/reject`.
pub async fn reject(
    state: &AppState,
    moderator: &AuthUser,
    id: &str,
    reason: &str,
) -> Result<ApplicationView, AppError> {
    let reason = text(reason, MAX_NOTE_CHARS, "invalid_reason", "reason")?;
    decide(state, moderator, id, Decision::Reject, reason).await
}

async fn decide(
    state: &AppState,
    moderator: &AuthUser,
    id: &str,
    decision: Decision,
    note: String,
) -> Result<ApplicationView, AppError> {
    let id = crate::domain::ids::parse_uuid(id).ok_or(AppError::NotFound)?;
    let moderator_id = moderator.id.clone();
    let now: NaiveDateTime = state.clock.now_naive();
    let public_url = state.settings.public_url.clone();
    let updated = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<Application, AppError> {
                let app = volunteers::find_application(c, &id)?.ok_or(AppError::NotFound)?;
                if app.user_id == moderator_id {
                    return Err(AppError::forbidden(
                        "cannot_decide_own",
                        "Another moderator must decide your own application.",
                    ));
                }
                let status = match decision {
                    Decision::Approve { .. } => STATUS_APPROVED,
                    Decision::Reject => STATUS_REJECTED,
                };
                if volunteers::decide(c, &id, status, &moderator_id, &note, now)? == 0 {
                    return Err(AppError::conflict(
                        "application_not_pending",
                        "This application has already been decided.",
                    ));
                }
                let user = users::find(c, &app.user_id)?.ok_or(AppError::NotFound)?;
                let mut details = serde_json::json!({"application_id": app.id});
                match decision {
                    Decision::Approve { expires } => {
                        let expires =
                            expires.unwrap_or_else(|| default_expiry(app.training_completed_on));
                        if expires <= now.date() {
                            return Err(AppError::validation(
                                "training_expired",
                                "The training on record has expired; give training_expires_on from a current record.",
                            ));
                        }
                        if user.role == Role::Member.as_str() {
                            users::set_role(c, &user.id, Role::Volunteer.as_str(), now)?;
                            details["role"] =
                                serde_json::json!({"from": "member", "to": "volunteer"});
                        }
                        // A withdrawn record is not carried over: approval starts afresh.
                        let existing = volunteers::find_volunteer(c, &user.id)?
                            .filter(|v| v.withdrawn_at.is_none());
                        volunteers::save_volunteer(
                            c,
                            &Volunteer {
                                user_id: user.id.clone(),
                                accepting: existing.as_ref().is_none_or(|v| v.accepting),
                                one_to_one_capacity: existing
                                    .as_ref()
                                    .map_or(DEFAULT_ONE_TO_ONE_CAPACITY, |v| v.one_to_one_capacity),
                                max_groups: existing
                                    .as_ref()
                                    .map_or(DEFAULT_MAX_GROUPS, |v| v.max_groups),
                                conditions_supported: app.conditions.clone(),
                                training_expires_on: expires,
                                approved_at: now,
                                updated_at: now,
                                withdrawn_at: None,
                                withdrawal_reason: None,
                            },
                        )?;
                        details["training_expires_on"] = serde_json::json!(expires.to_string());
                        if let Some(addr) = &user.email {
                            let mail = templates::volunteer_approved(
                                addr,
                                &user.display_name,
                                &public_url,
                                &expires.to_string(),
                            );
                            email::enqueue(c, Some(&user.id), &mail, now)?;
                        }
                    }
                    Decision::Reject => {
                        if let Some(addr) = &user.email {
                            let mail =
                                templates::volunteer_rejected(addr, &user.display_name, &note);
                            email::enqueue(c, Some(&user.id), &mail, now)?;
                        }
                    }
                }
                audit::insert(
                    c,
                    &audit::NewAuditEntry {
                        id: &new_id(),
                        actor_id: Some(&moderator_id),
                        action: if status == STATUS_APPROVED {
                            "volunteer.approved"
                        } else {
                            "volunteer.rejected"
                        },
                        target_type: "user",
                        target_id: Some(&user.id),
                        reason: Some(&note),
                        details: &details.to_string(),
                        created_at: now,
                    },
                )?;
                volunteers::find_application(c, &id)?.ok_or(AppError::NotFound)
            })
        })
        .await?;
    tracing::info!(event = "volunteer_decided", moderator_id = %moderator.id, application_id = %updated.id, status = %updated.status, "volunteer application decided");
    state.mail_wakeup.notify_one();
    view(&updated)
}
