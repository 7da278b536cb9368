//! The field checks the volunteer flows share: bounded free text, ISO dates, a training record,
//! and condition ids from the vocabulary. Each failure carries its own validation `code`.

use chrono::{Months, NaiveDate};
use serde::Deserialize;

use super::TRAINING_VALID_MONTHS;

use crate::error::AppError;
use crate::state::AppState;

pub(super) fn text(
    value: &str,
    max: usize,
    code: &'static str,
    what: &str,
) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max || v.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AppError::validation(
            code,
            format!("{what} is required, at most {max} characters"),
        ));
    }
    Ok(v.to_string())
}

pub(super) fn date(value: &str, code: &'static str, what: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| AppError::validation(code, format!("{what} must be a date like 2026-03-31")))
}

pub(super) fn known_conditions(state: &AppState, ids: &[String]) -> Result<(), AppError> {
    if ids.len() > crate::profiles::service::MAX_CONDITIONS {
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

/// A training record as the volunteer gives it (in an application, or as a renewal).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingIn {
    pub course: String,
    pub completed_on: String,
    pub certificate_ref: Option<String>,
}

/// A checked training record: the course, its completion date (not after `today`) and an
/// optional certificate reference. `prefix` names the fields in messages (`training.`, or
/// nothing for a renewal's body).
pub(super) struct Training {
    pub course: String,
    pub completed_on: NaiveDate,
    pub certificate_ref: Option<String>,
}

pub(super) fn training(
    input: &TrainingIn,
    today: NaiveDate,
    prefix: &str,
) -> Result<Training, AppError> {
    let course = text(
        &input.course,
        200,
        "invalid_training",
        &format!("{prefix}course"),
    )?;
    let completed_on = date(
        &input.completed_on,
        "invalid_training_date",
        &format!("{prefix}completed_on"),
    )?;
    if completed_on > today {
        return Err(AppError::validation(
            "invalid_training_date",
            format!("{prefix}completed_on is in the future"),
        ));
    }
    let certificate_ref = match input.certificate_ref.as_deref().map(str::trim) {
        Some("") | None => None,
        Some(c) if c.chars().count() <= 100 && !c.chars().any(char::is_control) => {
            Some(c.to_string())
        }
        Some(_) => {
            return Err(AppError::validation(
                "invalid_training",
                format!("{prefix}certificate_ref is at most 100 characters"),
            ));
        }
    };
    Ok(Training {
        course,
        completed_on,
        certificate_ref,
    })
}

/// Training is current for [`TRAINING_VALID_MONTHS`] after its completion, unless a moderator
/// gives another expiry when approving it.
pub(super) fn default_expiry(completed_on: NaiveDate) -> NaiveDate {
    completed_on
        .checked_add_months(Months::new(TRAINING_VALID_MONTHS))
        .unwrap_or(completed_on)
}

/// A moderator's explicit expiry: a date after `today`.
pub(super) fn explicit_expiry(
    value: Option<&str>,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, AppError> {
    let Some(e) = value else { return Ok(None) };
    let d = date(e, "invalid_training_expires_on", "training_expires_on")?;
    if d <= today {
        return Err(AppError::validation(
            "invalid_training_expires_on",
            "training_expires_on must be in the future",
        ));
    }
    Ok(Some(d))
}

/// A moderators' queue filter: `pending` (the default), `approved` or `rejected`.
pub(super) fn queue_status(status: Option<&str>) -> Result<String, AppError> {
    use crate::db::volunteers::{STATUS_APPROVED, STATUS_PENDING, STATUS_REJECTED};
    let status = status.unwrap_or(STATUS_PENDING);
    if ![STATUS_PENDING, STATUS_APPROVED, STATUS_REJECTED].contains(&status) {
        return Err(AppError::validation(
            "invalid_status",
            "status is pending, approved or rejected",
        ));
    }
    Ok(status.to_string())
}

/// A moderator's decision on an application or a renewal.
pub(super) enum Decision {
    /// Approved, with the expiry the moderator gave (None: the default from the course date).
    Approve {
        expires: Option<NaiveDate>,
    },
    Reject,
}
