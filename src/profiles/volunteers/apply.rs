//! The applicant's side: [`apply`] (one open application at a time, the email verified first)
//! and [`mine`], their own applications.

use serde::Deserialize;

use super::MAX_STATEMENT_CHARS;
use super::fields::{TrainingIn, known_conditions, text, training};
use super::view::{ApplicationView, view};
use crate::auth::AuthUser;
use crate::db::volunteers::{self, Application, STATUS_PENDING};
use crate::db::write_tx;
use crate::domain::{Role, new_id};
use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationIn {
    pub motivation: String,
    pub lived_experience: String,
    pub conditions: Vec<String>,
    pub training: TrainingIn,
}
/// `POST /volunteer-applications`.
pub async fn apply(
    state: &AppState,
    who: &AuthUser,
    input: ApplicationIn,
) -> Result<ApplicationView, AppError> {
    if !who.email_verified {
        return Err(AppError::forbidden(
            "email_not_verified",
            "Verify your email address before applying.",
        ));
    }
    let motivation = text(
        &input.motivation,
        MAX_STATEMENT_CHARS,
        "invalid_motivation",
        "motivation",
    )?;
    let lived = text(
        &input.lived_experience,
        MAX_STATEMENT_CHARS,
        "invalid_lived_experience",
        "lived_experience",
    )?;
    if input.conditions.is_empty() {
        return Err(AppError::validation(
            "invalid_conditions",
            "name at least one condition you have lived experience of",
        ));
    }
    known_conditions(state, &input.conditions)?;
    let now = state.clock.now_naive();
    let t = training(&input.training, now.date(), "training.")?;
    let mut conditions = input.conditions.clone();
    conditions.sort();
    conditions.dedup();
    let row = Application {
        id: new_id(),
        user_id: who.id.clone(),
        status: STATUS_PENDING.into(),
        motivation,
        lived_experience: lived,
        conditions: serde_json::to_string(&conditions).map_err(AppError::internal)?,
        training_course: t.course,
        training_completed_on: t.completed_on,
        certificate_ref: t.certificate_ref,
        decided_by: None,
        decided_at: None,
        decision_note: None,
        created_at: now,
    };
    let (role, id) = (who.role, who.id.clone());
    let saved = state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<Application, AppError> {
                // A withdrawn volunteer may apply afresh; moderators see the history.
                if role != Role::Member
                    && volunteers::find_volunteer(c, &id)?.is_some_and(|v| v.withdrawn_at.is_none())
                {
                    return Err(AppError::conflict(
                        "already_volunteer",
                        "You are already a volunteer.",
                    ));
                }
                if volunteers::has_pending(c, &id)? {
                    return Err(AppError::conflict(
                        "application_already_open",
                        "You already have an application waiting for a decision.",
                    ));
                }
                volunteers::insert_application(c, &row).map_err(|e| {
                    crate::db::unique_or(e, || {
                        AppError::conflict(
                            "application_already_open",
                            "You already have an application waiting for a decision.",
                        )
                    })
                })?;
                Ok(row)
            })
        })
        .await?;
    tracing::info!(event = "volunteer_applied", user_id = %who.id, application_id = %saved.id, "volunteer application");
    view(&saved)
}

/// `GET /volunteer-applications/mine`, newest first.
pub async fn mine(state: &AppState, who: &AuthUser) -> Result<Vec<ApplicationView>, AppError> {
    let id = who.id.clone();
    let rows = state
        .db
        .run(move |c| Ok(volunteers::applications_of(c, &id)?))
        .await?;
    rows.iter().map(view).collect()
}
