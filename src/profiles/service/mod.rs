//! The member's own profile: the `/me` view with its derived facts, the profile patch,
//! conditions, lived experience and check-ins. Each write is one transaction.

mod check_ins;
mod conditions;
mod me;

pub use check_ins::{CheckInEntry, CheckInHistory, CheckInView, list_check_ins, post_check_in};
pub use conditions::{ConditionIn, put_conditions, put_experiences};
pub use me::{
    ConditionView, Confidence, ExperienceView, MeView, Restriction, VolunteerView, get_me, load_me,
    patch_me, volunteer_view,
};

use chrono::NaiveDateTime;

use super::model::{Profile, Sharing, SupportPreferences};
use crate::db::profiles;
use crate::error::AppError;

/// Most conditions one profile may list.
pub const MAX_CONDITIONS: usize = 20;

fn internal(e: serde_json::Error) -> AppError {
    AppError::internal(e)
}

/// Decodes the stored profile (an absent row is the default profile).
pub fn decode(row: Option<profiles::ProfileRow>) -> Result<Profile, AppError> {
    let Some(r) = row else {
        return Ok(Profile::default());
    };
    Ok(Profile {
        pronouns: r.pronouns,
        bio: r.bio,
        languages: serde_json::from_str(&r.languages).map_err(internal)?,
        timezone: r.timezone,
        age_band: r.age_band,
        gender: r.gender,
        availability: serde_json::from_str(&r.availability).map_err(internal)?,
        support_preferences: if r.support_preferences == "{}" {
            SupportPreferences::default()
        } else {
            serde_json::from_str(&r.support_preferences).map_err(internal)?
        },
        sharing: if r.sharing == "{}" {
            Sharing::default()
        } else {
            serde_json::from_str(&r.sharing).map_err(internal)?
        },
    })
}

fn encode(
    user_id: &str,
    p: &Profile,
    now: NaiveDateTime,
) -> Result<profiles::ProfileRow, AppError> {
    Ok(profiles::ProfileRow {
        user_id: user_id.to_string(),
        pronouns: p.pronouns.clone(),
        bio: p.bio.clone(),
        languages: serde_json::to_string(&p.languages).map_err(internal)?,
        timezone: p.timezone.clone(),
        age_band: p.age_band.clone(),
        gender: p.gender.clone(),
        availability: serde_json::to_string(&p.availability).map_err(internal)?,
        support_preferences: serde_json::to_string(&p.support_preferences).map_err(internal)?,
        sharing: serde_json::to_string(&p.sharing).map_err(internal)?,
        updated_at: now,
    })
}
