//! A volunteer's own caseload settings (`PUT /me/volunteer`): settings left out keep their
//! current values; only approved volunteers have any (a withdrawn record is not changed).

use serde::Deserialize;

use super::fields::known_conditions;
use crate::auth::AuthUser;
use crate::db::volunteers;
use crate::db::{users, write_tx};
use crate::domain::Role;
use crate::error::AppError;
use crate::profiles::service::{VolunteerView, volunteer_view};
use crate::state::AppState;

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
                let record = volunteers::find_volunteer(c, &id)?;
                if record.as_ref().is_some_and(|v| v.withdrawn_at.is_some()) {
                    return Err(AppError::forbidden(
                        "volunteer_withdrawn",
                        "Your volunteer status was withdrawn; to volunteer again, apply afresh.",
                    ));
                }
                let Some(mut v) = record.filter(|_| user.role != Role::Member.as_str()) else {
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
