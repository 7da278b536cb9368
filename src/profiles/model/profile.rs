//! The stored profile, decoded: languages, availability slots, support preferences and sharing
//! choices, with the defaults a new member starts from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::FORMATS;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Language {
    pub tag: String,
    pub session: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slot {
    pub day: String,
    pub part: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportPreferences {
    pub formats: Vec<String>,
    pub gender: String,
    pub age: String,
    pub wants_from_support: Vec<String>,
    pub same_condition_volunteer: bool,
}

impl Default for SupportPreferences {
    fn default() -> Self {
        SupportPreferences {
            formats: FORMATS.iter().map(|s| s.to_string()).collect(),
            gender: "none".into(),
            age: "none".into(),
            wants_from_support: Vec::new(),
            same_condition_volunteer: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sharing {
    pub conditions: bool,
    pub stage: bool,
    pub availability: bool,
    pub languages: bool,
    /// Explicit choices per lived-experience tag; unlisted tags follow their default.
    pub experiences: BTreeMap<String, bool>,
}

impl Default for Sharing {
    fn default() -> Self {
        Sharing {
            conditions: true,
            stage: true,
            availability: true,
            languages: true,
            experiences: BTreeMap::new(),
        }
    }
}

impl Sharing {
    /// Whether a tag may appear in match explanations.
    pub fn shares_experience(&self, id: &str, sensitive: bool) -> bool {
        self.experiences.get(id).copied().unwrap_or(!sensitive)
    }
}

/// The stored profile, decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    pub pronouns: Option<String>,
    pub bio: Option<String>,
    pub languages: Vec<Language>,
    pub timezone: Option<String>,
    pub age_band: Option<String>,
    pub gender: Option<String>,
    pub availability: Vec<Slot>,
    pub support_preferences: SupportPreferences,
    pub sharing: Sharing,
}
