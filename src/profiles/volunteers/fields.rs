//! The field checks the volunteer flows share: bounded free text, ISO dates, and condition ids
//! from the vocabulary. Each failure carries its own validation `code`.

use chrono::NaiveDate;

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
