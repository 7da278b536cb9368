//! The volunteer's side of renewal: [`renew`] sends a renewed training record (course,
//! completion date) for a moderator to approve, and [`my_renewals`] lists them. Until a
//! moderator approves it the record on file stands: an expired volunteer stays out of
//! matching, a current one keeps matching.

use super::fields::{TrainingIn, default_expiry, training};
use super::view::{RenewalView, renewal_view};
use crate::auth::AuthUser;
use crate::db::volunteer_renewals::{self, Renewal, STATUS_PENDING};
use crate::db::{users, volunteers, write_tx};
use crate::domain::{Role, new_id};
use crate::error::AppError;
use crate::state::AppState;

fn already_pending() -> AppError {
    AppError::conflict(
        "renewal_already_pending",
        "You already have a training renewal waiting for a moderator.",
    )
}

/// `POST /me/volunteer/renewals`.
pub async fn renew(
    state: &AppState,
    who: &AuthUser,
    input: TrainingIn,
) -> Result<RenewalView, AppError> {
    let now = state.clock.now_naive();
    let t = training(&input, now.date(), "")?;
    let expires = default_expiry(t.completed_on);
    if expires <= now.date() {
        return Err(AppError::validation(
            "training_too_old",
            format!(
                "Training completed on {} expired on {expires}; send a course completed in the last 12 months.",
                t.completed_on
            ),
        ));
    }
    let row = Renewal {
        id: new_id(),
        user_id: who.id.clone(),
        status: STATUS_PENDING.into(),
        training_course: t.course,
        training_completed_on: t.completed_on,
        certificate_ref: t.certificate_ref,
        training_expires_on: None,
        decided_by: None,
        decided_at: None,
        decision_note: None,
        created_at: now,
    };
    let id = who.id.clone();
    let saved = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<Renewal, AppError> {
                let user = users::find(c, &id)?.ok_or(AppError::NotFound)?;
                let record = volunteers::find_volunteer(c, &id)?;
                if record.as_ref().is_some_and(|v| v.withdrawn_at.is_some()) {
                    return Err(AppError::forbidden(
                        "volunteer_withdrawn",
                        "Your volunteer status was withdrawn; to volunteer again, apply afresh.",
                    ));
                }
                let Some(record) = record.filter(|_| user.role != Role::Member.as_str()) else {
                    return Err(AppError::forbidden(
                        "not_a_volunteer",
                        "Only approved volunteers renew their training; to volunteer, apply.",
                    ));
                };
                if volunteer_renewals::has_pending(c, &id)? {
                    return Err(already_pending());
                }
                if expires <= record.training_expires_on {
                    return Err(AppError::validation(
                        "renewal_not_newer",
                        format!(
                            "This training would be current until {expires}; your record is already current until {}.",
                            record.training_expires_on
                        ),
                    ));
                }
                volunteer_renewals::insert(c, &row)
                    .map_err(|e| crate::db::unique_or(e, already_pending))?;
                Ok(row)
            })
        })
        .await?;
    tracing::info!(event = "volunteer_renewal_sent", user_id = %who.id, renewal_id = %saved.id, "volunteer training renewal");
    Ok(renewal_view(&saved))
}

/// `GET /me/volunteer/renewals`, newest first.
pub async fn my_renewals(state: &AppState, who: &AuthUser) -> Result<Vec<RenewalView>, AppError> {
    let id = who.id.clone();
    let rows = state
        .db
        .run(move |c| Ok(volunteer_renewals::of_user(c, &id)?))
        .await?;
    Ok(rows.iter().map(renewal_view).collect())
}
