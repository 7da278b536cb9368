//! Becoming a peer volunteer: one open application at a time, moderators approve or reject
//! (audited in the same transaction, the applicant emailed), and the volunteer's own settings.
//!
//! Decisions where the issue is silent: the email must be verified to apply; a moderator may
//! not decide their own application; approval makes a `member` a `volunteer` (a moderator or
//! admin keeps their role and gains the volunteer record, and counts as a volunteer); the
//! approval note is not shown in the app (it is in the audit log, and in the person's own
//! export), the rejection reason is sent to the applicant; a new record starts accepting, with
//! one-to-one capacity 2 and one group; approval without a date uses completion + 12 months
//! and is refused if that has already passed; settings left out of `PUT /me/volunteer` keep
//! their current values.

use chrono::{Months, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::service::{VolunteerView, ts, volunteer_view};
use crate::auth::AuthUser;
use crate::db::volunteers::{
    self, Application, STATUS_APPROVED, STATUS_PENDING, STATUS_REJECTED, Volunteer,
};
use crate::db::{audit, users, write_tx};
use crate::domain::{Role, new_id};
use crate::email::{self, templates};
use crate::error::AppError;
use crate::state::AppState;

pub const MAX_STATEMENT_CHARS: usize = 2000;
pub const MAX_NOTE_CHARS: usize = 500;
pub const DEFAULT_ONE_TO_ONE_CAPACITY: i32 = 2;
pub const DEFAULT_MAX_GROUPS: i32 = 1;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingIn {
    pub course: String,
    pub completed_on: String,
    pub certificate_ref: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationIn {
    pub motivation: String,
    pub lived_experience: String,
    pub conditions: Vec<String>,
    pub training: TrainingIn,
}

#[derive(Debug, Serialize)]
pub struct TrainingView {
    pub course: String,
    pub completed_on: NaiveDate,
    pub certificate_ref: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ApplicationView {
    pub id: String,
    pub status: String,
    pub motivation: String,
    pub lived_experience: String,
    pub conditions: Vec<String>,
    pub training: TrainingView,
    pub created_at: String,
    pub decided_at: Option<String>,
    /// The rejection reason (approval notes stay in the audit log).
    pub reason: Option<String>,
}

/// What moderators see in the queue.
#[derive(Debug, Serialize)]
pub struct QueuedApplication {
    #[serde(flatten)]
    pub application: ApplicationView,
    pub user_id: String,
    pub display_name: String,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
}

fn view(a: &Application) -> Result<ApplicationView, AppError> {
    Ok(ApplicationView {
        id: a.id.clone(),
        status: a.status.clone(),
        motivation: a.motivation.clone(),
        lived_experience: a.lived_experience.clone(),
        conditions: serde_json::from_str(&a.conditions).map_err(AppError::internal)?,
        training: TrainingView {
            course: a.training_course.clone(),
            completed_on: a.training_completed_on,
            certificate_ref: a.certificate_ref.clone(),
        },
        created_at: ts(a.created_at),
        decided_at: a.decided_at.map(ts),
        reason: (a.status == STATUS_REJECTED)
            .then(|| a.decision_note.clone())
            .flatten(),
    })
}

fn text(value: &str, max: usize, code: &'static str, what: &str) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max || v.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AppError::validation(
            code,
            format!("{what} is required, at most {max} characters"),
        ));
    }
    Ok(v.to_string())
}

fn date(value: &str, code: &'static str, what: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| AppError::validation(code, format!("{what} must be a date like 2026-03-31")))
}

fn known_conditions(state: &AppState, ids: &[String]) -> Result<(), AppError> {
    if ids.len() > super::service::MAX_CONDITIONS {
        return Err(AppError::validation(
            "too_many_conditions",
            "list at most 20 conditions",
        ));
    }
    for id in ids {
        if !state.vocab.is_condition(id) {
            return Err(AppError::validation(
                "unknown_condition",
                format!("`{id}` is not a condition id"),
            ));
        }
    }
    Ok(())
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
    let course = text(
        &input.training.course,
        200,
        "invalid_training",
        "training.course",
    )?;
    let completed = date(
        &input.training.completed_on,
        "invalid_training_date",
        "training.completed_on",
    )?;
    let now = state.clock.now_naive();
    if completed > now.date() {
        return Err(AppError::validation(
            "invalid_training_date",
            "training.completed_on is in the future",
        ));
    }
    let certificate = match input.training.certificate_ref.as_deref().map(str::trim) {
        Some("") | None => None,
        Some(c) if c.chars().count() <= 100 && !c.chars().any(char::is_control) => {
            Some(c.to_string())
        }
        Some(_) => {
            return Err(AppError::validation(
                "invalid_training",
                "training.certificate_ref is at most 100 characters",
            ));
        }
    };
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
        training_course: course,
        training_completed_on: completed,
        certificate_ref: certificate,
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
                if role != Role::Member && volunteers::find_volunteer(c, &id)?.is_some() {
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

/// `GET /moderation/volunteer-applications?status=`: a queue, oldest first.
pub async fn queue(
    state: &AppState,
    status: Option<&str>,
) -> Result<Vec<QueuedApplication>, AppError> {
    let status = status.unwrap_or(STATUS_PENDING).to_string();
    if ![STATUS_PENDING, STATUS_APPROVED, STATUS_REJECTED].contains(&status.as_str()) {
        return Err(AppError::validation(
            "invalid_status",
            "status is pending, approved or rejected",
        ));
    }
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

enum Decision {
    Approve { expires: Option<NaiveDate> },
    Reject,
}

/// `POST /moderation/volunteer-applications/{id}/approve`.
pub async fn approve(
    state: &AppState,
    moderator: &AuthUser,
    id: &str,
    expires: Option<&str>,
    note: &str,
) -> Result<ApplicationView, AppError> {
    let expires = match expires {
        Some(e) => {
            let d = date(e, "invalid_training_expires_on", "training_expires_on")?;
            if d <= state.clock.now().date_naive() {
                return Err(AppError::validation(
                    "invalid_training_expires_on",
                    "training_expires_on must be in the future",
                ));
            }
            Some(d)
        }
        None => None,
    };
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
                        let expires = expires.unwrap_or_else(|| {
                            app.training_completed_on
                                .checked_add_months(Months::new(12))
                                .unwrap_or(app.training_completed_on)
                        });
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
                        let existing = volunteers::find_volunteer(c, &user.id)?;
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolunteerSettingsIn {
    pub accepting: bool,
    pub one_to_one_capacity: Option<i32>,
    pub max_groups: Option<i32>,
    pub conditions_supported: Option<Vec<String>>,
}

/// `PUT /me/volunteer`: a volunteer's own caseload settings.
pub async fn put_settings(
    state: &AppState,
    who: &AuthUser,
    input: VolunteerSettingsIn,
) -> Result<VolunteerView, AppError> {
    if let Some(capacity) = input.one_to_one_capacity
        && !(1..=5).contains(&capacity)
    {
        return Err(AppError::validation(
            "invalid_capacity",
            "one_to_one_capacity is 1 to 5",
        ));
    }
    if let Some(g) = input.max_groups
        && !(0..=3).contains(&g)
    {
        return Err(AppError::validation(
            "invalid_max_groups",
            "max_groups is 0 to 3",
        ));
    }
    if let Some(list) = &input.conditions_supported {
        known_conditions(state, list)?;
    }
    let (id, now) = (who.id.clone(), state.clock.now_naive());
    state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<VolunteerView, AppError> {
                let user = users::find(c, &id)?.ok_or(AppError::NotFound)?;
                let Some(mut v) = volunteers::find_volunteer(c, &id)?
                    .filter(|_| user.role != Role::Member.as_str())
                else {
                    return Err(AppError::forbidden(
                        "not_a_volunteer",
                        "Only approved volunteers have volunteer settings.",
                    ));
                };
                v.accepting = input.accepting;
                if let Some(capacity) = input.one_to_one_capacity {
                    v.one_to_one_capacity = capacity;
                }
                if let Some(g) = input.max_groups {
                    v.max_groups = g;
                }
                if let Some(mut list) = input.conditions_supported {
                    list.sort();
                    list.dedup();
                    v.conditions_supported =
                        serde_json::to_string(&list).map_err(AppError::internal)?;
                }
                v.updated_at = now;
                volunteers::save_volunteer(c, &v)?;
                volunteer_view(Some(&v), None, &user.role, now.date())
            })
        })
        .await
}
