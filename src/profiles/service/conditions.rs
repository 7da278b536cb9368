//! The member's conditions and lived-experience tags: `PUT /me/conditions`, `PUT /me/experiences`.

use chrono::Datelike;
use serde::Deserialize;

use crate::auth::AuthUser;
use crate::db::{profiles, write_tx};
use crate::error::AppError;
use crate::profiles::model;
use crate::state::AppState;

use super::me::{ConditionView, ExperienceView, load_me};
use super::{MAX_CONDITIONS, decode};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionIn {
    pub id: String,
    pub diagnosed_year: Option<i32>,
    pub primary: Option<bool>,
}

/// `PUT /me/conditions`: replaces the list. Exactly one primary when any are given (a single
/// condition with no flag is taken as primary).
pub async fn put_conditions(
    state: &AppState,
    who: &AuthUser,
    items: Vec<ConditionIn>,
) -> Result<Vec<ConditionView>, AppError> {
    if items.len() > MAX_CONDITIONS {
        return Err(AppError::validation(
            "too_many_conditions",
            "list at most 20 conditions",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for it in &items {
        if !state.vocab.is_condition(&it.id) {
            return Err(AppError::validation(
                "unknown_condition",
                format!("`{}` is not a condition id", it.id),
            ));
        }
        if !seen.insert(it.id.clone()) {
            return Err(AppError::validation(
                "duplicate_condition",
                format!("`{}` is listed twice", it.id),
            ));
        }
    }
    let primaries = items.iter().filter(|i| i.primary == Some(true)).count();
    let single_unflagged = items.len() == 1 && items[0].primary.is_none();
    if !items.is_empty() && primaries != 1 && !single_unflagged {
        return Err(AppError::validation(
            "invalid_primary_condition",
            "mark exactly one condition as primary",
        ));
    }
    let (id, vocab, now) = (who.id.clone(), state.vocab.clone(), state.clock.now_naive());
    let this_year = now.year();
    state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<Vec<ConditionView>, AppError> {
                let profile = decode(profiles::find(c, &id)?)?;
                let earliest = profile
                    .age_band
                    .as_deref()
                    .and_then(|b| model::earliest_birth_year(b, this_year))
                    .unwrap_or(1900)
                    .max(1900);
                let mut rows = Vec::new();
                for it in &items {
                    if let Some(y) = it.diagnosed_year
                        && (y > this_year || y < earliest)
                    {
                        return Err(AppError::validation(
                            "invalid_diagnosed_year",
                            format!("diagnosed_year must be between {earliest} and {this_year} (your age band sets the earliest)"),
                        ));
                    }
                    rows.push(profiles::UserCondition {
                        user_id: id.clone(),
                        condition_id: it.id.clone(),
                        diagnosed_year: it.diagnosed_year,
                        is_primary: it.primary == Some(true) || single_unflagged,
                    });
                }
                profiles::replace_conditions(c, &id, &rows)?;
                Ok(load_me(c, &vocab, &id, now.date())?.conditions)
            })
        })
        .await
}

/// `PUT /me/experiences`: replaces the list of lived-experience tags.
pub async fn put_experiences(
    state: &AppState,
    who: &AuthUser,
    ids: Vec<String>,
) -> Result<Vec<ExperienceView>, AppError> {
    let mut seen = std::collections::HashSet::new();
    for e in &ids {
        if !state.vocab.is_experience(e) {
            return Err(AppError::validation(
                "unknown_experience",
                format!("`{e}` is not a lived-experience tag"),
            ));
        }
        if !seen.insert(e.clone()) {
            return Err(AppError::validation(
                "duplicate_experience",
                format!("`{e}` is listed twice"),
            ));
        }
    }
    let (id, vocab, now) = (who.id.clone(), state.vocab.clone(), state.clock.now_naive());
    state
        .db
        .run(move |c| {
            write_tx(c, |c| -> Result<Vec<ExperienceView>, AppError> {
                profiles::replace_experiences(c, &id, &ids)?;
                Ok(load_me(c, &vocab, &id, now.date())?.experiences)
            })
        })
        .await
}
