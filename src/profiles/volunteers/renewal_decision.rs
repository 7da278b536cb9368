//! The moderators' side of renewal: pending renewals sit in the same queue as applications
//! ([`renewal_queue`]), and a moderator [`approve_renewal`]s or [`reject_renewal`]s one. A
//! decision is audited in the same transaction and emails the volunteer; approval applies the
//! new expiry (completion + 12 months unless the moderator gives one, and refused if that has
//! passed), rejection leaves the record as it was. A moderator must not decide their own.

use super::MAX_NOTE_CHARS;
use super::fields::{Decision, default_expiry, explicit_expiry, queue_status, text};
use super::view::{QueuedRenewal, RenewalView, renewal_view};
use crate::auth::AuthUser;
use crate::db::volunteer_renewals::{self, Renewal, STATUS_APPROVED, STATUS_REJECTED};
use crate::db::{audit, users, volunteers, write_tx};
use crate::domain::{Role, new_id};
use crate::email::{self, templates};
use crate::error::AppError;
use crate::state::AppState;

/// The renewals half of `GET /moderation/volunteer-applications?status=`, oldest first.
pub async fn renewal_queue(
    state: &AppState,
    status: Option<&str>,
) -> Result<Vec<QueuedRenewal>, AppError> {
    let status = queue_status(status)?;
    let rows = state
        .db
        .run(move |c| Ok(volunteer_renewals::queue(c, &status, 100)?))
        .await?;
    Ok(rows
        .iter()
        .map(|(r, name)| QueuedRenewal {
            renewal: renewal_view(r),
            user_id: r.user_id.clone(),
            display_name: name.clone(),
            decided_by: r.decided_by.clone(),
            decision_note: r.decision_note.clone(),
        })
        .collect())
}

/// `POST /moderation/volunteer-renewals/{id}/approve`.
pub async fn approve_renewal(
    state: &AppState,
    moderator: &AuthUser,
    id: &str,
    expires: Option<&str>,
    note: &str,
) -> Result<RenewalView, AppError> {
    let expires = explicit_expiry(expires, state.clock.now().date_naive())?;
    let note = text(note, MAX_NOTE_CHARS, "invalid_note", "note")?;
    decide(state, moderator, id, Decision::Approve { expires }, note).await
}

/// `POST /moderation/volunteer-renewals/{id}/reject`.
pub async fn reject_renewal(
    state: &AppState,
    moderator: &AuthUser,
    id: &str,
    reason: &str,
) -> Result<RenewalView, AppError> {
    let reason = text(reason, MAX_NOTE_CHARS, "invalid_reason", "reason")?;
    decide(state, moderator, id, Decision::Reject, reason).await
}

async fn decide(
    state: &AppState,
    moderator: &AuthUser,
    id: &str,
    decision: Decision,
    note: String,
) -> Result<RenewalView, AppError> {
    let id = crate::domain::ids::parse_uuid(id).ok_or(AppError::NotFound)?;
    let moderator_id = moderator.id.clone();
    let now = state.clock.now_naive();
    let public_url = state.settings.public_url.clone();
    let approving = matches!(decision, Decision::Approve { .. });
    let updated = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<Renewal, AppError> {
                let renewal = volunteer_renewals::find(c, &id)?.ok_or(AppError::NotFound)?;
                if renewal.user_id == moderator_id {
                    return Err(AppError::forbidden(
                        "cannot_decide_own",
                        "Another moderator must decide your own renewal.",
                    ));
                }
                let user = users::find(c, &renewal.user_id)?.ok_or(AppError::NotFound)?;
                let mut details = serde_json::json!({"renewal_id": renewal.id});
                let (status, expires) = match decision {
                    Decision::Approve { expires } => {
                        let expires = expires
                            .unwrap_or_else(|| default_expiry(renewal.training_completed_on));
                        if expires <= now.date() {
                            return Err(AppError::validation(
                                "training_expired",
                                "This training has expired since it was sent; give training_expires_on from a current record.",
                            ));
                        }
                        (STATUS_APPROVED, Some(expires))
                    }
                    Decision::Reject => (STATUS_REJECTED, None),
                };
                if volunteer_renewals::decide(c, &id, status, &moderator_id, &note, expires, now)?
                    == 0
                {
                    return Err(AppError::conflict(
                        "renewal_not_pending",
                        "This renewal has already been decided.",
                    ));
                }
                if let Some(expires) = expires {
                    // The record must still be a volunteer's (an admin may have changed the
                    // role since; a withdrawal closes pending renewals itself).
                    let record = volunteers::find_volunteer(c, &user.id)?
                        .filter(|_| user.role != Role::Member.as_str())
                        .ok_or_else(|| {
                            AppError::conflict(
                                "not_a_volunteer",
                                "This person is no longer a volunteer.",
                            )
                        })?;
                    if volunteers::set_training_expiry(c, &user.id, expires, now)? == 0 {
                        return Err(AppError::conflict(
                            "volunteer_withdrawn",
                            "This person's volunteer status was withdrawn.",
                        ));
                    }
                    details["training_expires_on"] = serde_json::json!({
                        "from": record.training_expires_on.to_string(),
                        "to": expires.to_string(),
                    });
                    if let Some(addr) = &user.email {
                        let mail = templates::volunteer_renewed(
                            addr,
                            &user.display_name,
                            &public_url,
                            &expires.to_string(),
                        );
                        email::enqueue(c, Some(&user.id), &mail, now)?;
                    }
                } else if let Some(addr) = &user.email {
                    let mail =
                        templates::volunteer_renewal_rejected(addr, &user.display_name, &note);
                    email::enqueue(c, Some(&user.id), &mail, now)?;
                }
                audit::insert(
                    c,
                    &audit::NewAuditEntry {
                        id: &new_id(),
                        actor_id: Some(&moderator_id),
                        action: if approving {
                            "volunteer.renewal_approved"
                        } else {
                            "volunteer.renewal_rejected"
                        },
                        target_type: "user",
                        target_id: Some(&user.id),
                        reason: Some(&note),
                        details: &details.to_string(),
                        created_at: now,
                    },
                )?;
                volunteer_renewals::find(c, &id)?.ok_or(AppError::NotFound)
            })
        })
        .await?;
    tracing::info!(event = "volunteer_renewal_decided", moderator_id = %moderator.id, renewal_id = %updated.id, status = %updated.status, "volunteer renewal decided");
    state.mail_wakeup.notify_one();
    if approving {
        // A volunteer whose training had expired can be matched again at once.
        state.matcher_wakeup.notify_one();
    }
    Ok(renewal_view(&updated))
}
