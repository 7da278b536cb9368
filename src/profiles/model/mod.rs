//! The profile's shape and rules, pure: what `PATCH /me` accepts, each field validated with its
//! own `code`, merged onto what is stored. No I/O here.
//!
//! Decisions where the issue is silent:
//! - Absent means "leave as it is"; `null` clears an optional field (pronouns, bio, timezone,
//!   age band, gender). `support_preferences` and `sharing` merge field by field.
//! - A language's `session` flag defaults to true.
//! - Gender is one of `woman`, `man`, `non_binary`, `another` (or unset). A `must` preference on
//!   gender or age needs the member's own gender or age band to be set, or it could never be met.
//! - Sharing defaults: conditions, stage, availability and languages shared; each lived-experience
//!   tag shared unless it is sensitive, until the member says otherwise.

mod patch;
mod profile;

#[cfg(test)]
mod tests;

pub use patch::{LanguageIn, ProfilePatch, SharingIn, SupportPreferencesIn, apply_patch};
pub use profile::{Language, Profile, Sharing, Slot, SupportPreferences};

pub const MAX_BIO_CHARS: usize = 500;
pub const MAX_PRONOUNS_CHARS: usize = 32;
pub const AGE_BANDS: &[&str] = &["18-24", "25-34", "35-49", "50-64", "65-74", "75+"];
pub const GENDERS: &[&str] = &["woman", "man", "non_binary", "another"];
pub const FORMATS: &[&str] = &["one_to_one", "pair", "group"];
pub const PREFERENCE_STRENGTHS: &[&str] = &["none", "prefer", "must"];
pub const WANTS: &[&str] = &[
    "someone_to_listen",
    "practical_tips",
    "goal_setting",
    "meet_people_like_me",
    "helping_others",
];
pub const DAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
pub const PARTS_OF_DAY: &[&str] = &["morning", "afternoon", "evening", "night"];

/// A validation failure: a stable code and a sentence.
pub type Invalid = (&'static str, String);

/// The earliest year someone in `age_band` can have been born, in `this_year`.
pub fn earliest_birth_year(age_band: &str, this_year: i32) -> Option<i32> {
    let oldest = match age_band {
        "18-24" => 24,
        "25-34" => 34,
        "35-49" => 49,
        "50-64" => 64,
        "65-74" => 74,
        "75+" => 110,
        _ => return None,
    };
    Some(this_year - oldest - 1)
}
