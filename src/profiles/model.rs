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

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Deserializer, Serialize};

use crate::domain::language::{MAX_LANGUAGES, parse_language_tag};

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

fn invalid(code: &'static str, detail: impl Into<String>) -> Invalid {
    (code, detail.into())
}

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

/// Distinguishes an absent field (None) from an explicit null (Some(None)).
fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Some(Option::deserialize(d)?))
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct LanguageIn {
    pub tag: String,
    #[serde(default)]
    pub session: Option<bool>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct SupportPreferencesIn {
    pub formats: Option<Vec<String>>,
    pub gender: Option<String>,
    pub age: Option<String>,
    pub wants_from_support: Option<Vec<String>>,
    pub same_condition_volunteer: Option<bool>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct SharingIn {
    pub conditions: Option<bool>,
    pub stage: Option<bool>,
    pub availability: Option<bool>,
    pub languages: Option<bool>,
    pub experiences: Option<BTreeMap<String, bool>>,
}

/// `PATCH /me`.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub pronouns: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub bio: Option<Option<String>>,
    pub languages: Option<Vec<LanguageIn>>,
    #[serde(default, deserialize_with = "nullable")]
    pub timezone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub age_band: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub gender: Option<Option<String>>,
    pub availability: Option<Vec<Slot>>,
    pub support_preferences: Option<SupportPreferencesIn>,
    pub sharing: Option<SharingIn>,
}

impl ProfilePatch {
    /// Whether anything besides the display name is being changed.
    pub fn touches_profile(&self) -> bool {
        self.pronouns.is_some()
            || self.bio.is_some()
            || self.languages.is_some()
            || self.timezone.is_some()
            || self.age_band.is_some()
            || self.gender.is_some()
            || self.availability.is_some()
            || self.support_preferences.is_some()
            || self.sharing.is_some()
    }
}

fn has_spoofing_chars(s: &str, allow_newlines: bool) -> bool {
    s.chars().any(|c| {
        (c.is_control() && !(allow_newlines && (c == '\n' || c == '\t')))
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    })
}

fn one_of(value: &str, allowed: &[&str]) -> bool {
    allowed.contains(&value)
}

/// Applies a patch to a profile, validating every field; `is_experience` and `is_sensitive`
/// answer from the vocabulary.
pub fn apply_patch(
    mut p: Profile,
    patch: ProfilePatch,
    is_experience: impl Fn(&str) -> bool,
) -> Result<Profile, Invalid> {
    if let Some(v) = patch.pronouns {
        p.pronouns = match v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
            Some(s) if s.chars().count() > MAX_PRONOUNS_CHARS || has_spoofing_chars(&s, false) => {
                return Err(invalid(
                    "invalid_pronouns",
                    "pronouns are at most 32 plain characters",
                ));
            }
            other => other,
        };
    }
    if let Some(v) = patch.bio {
        p.bio = match v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
            Some(s) if s.chars().count() > MAX_BIO_CHARS => {
                return Err(invalid("bio_too_long", "bio is at most 500 characters"));
            }
            Some(s) if has_spoofing_chars(&s, true) => {
                return Err(invalid(
                    "invalid_bio",
                    "bio contains control or invisible characters",
                ));
            }
            other => other,
        };
    }
    if let Some(langs) = patch.languages {
        if langs.is_empty() {
            return Err(invalid("languages_required", "list at least one language"));
        }
        if langs.len() > MAX_LANGUAGES {
            return Err(invalid(
                "too_many_languages",
                format!("list at most {MAX_LANGUAGES} languages"),
            ));
        }
        let mut out: Vec<Language> = Vec::new();
        for l in langs {
            let tag = parse_language_tag(&l.tag)
                .map_err(|e| invalid("invalid_language_tag", format!("`{}`: {e}", l.tag)))?;
            if out.iter().any(|o| o.tag.eq_ignore_ascii_case(&tag)) {
                return Err(invalid(
                    "duplicate_language",
                    format!("{tag} is listed twice"),
                ));
            }
            out.push(Language {
                tag,
                session: l.session.unwrap_or(true),
            });
        }
        p.languages = out;
    }
    if let Some(v) = patch.timezone {
        p.timezone = match v {
            Some(tz) => match tz.parse::<chrono_tz::Tz>() {
                Ok(parsed) => Some(parsed.name().to_string()),
                Err(_) => {
                    return Err(invalid(
                        "invalid_timezone",
                        "timezone must be an IANA name such as Europe/London",
                    ));
                }
            },
            None => None,
        };
    }
    if let Some(v) = patch.age_band {
        if let Some(b) = &v
            && !one_of(b, AGE_BANDS)
        {
            return Err(invalid(
                "invalid_age_band",
                format!("age_band is one of {}", AGE_BANDS.join(", ")),
            ));
        }
        p.age_band = v;
    }
    if let Some(v) = patch.gender {
        if let Some(g) = &v
            && !one_of(g, GENDERS)
        {
            return Err(invalid(
                "invalid_gender",
                format!("gender is one of {}", GENDERS.join(", ")),
            ));
        }
        p.gender = v;
    }
    if let Some(slots) = patch.availability {
        // Kept in week order (mon…sun, morning…night), each slot once.
        let mut set = BTreeSet::new();
        for s in &slots {
            let (Some(d), Some(part)) = (
                DAYS.iter().position(|x| *x == s.day),
                PARTS_OF_DAY.iter().position(|x| *x == s.part),
            ) else {
                return Err(invalid(
                    "invalid_availability",
                    "each slot is {day: mon…sun, part: morning|afternoon|evening|night}",
                ));
            };
            set.insert((d, part));
        }
        p.availability = set
            .into_iter()
            .map(|(d, part)| Slot {
                day: DAYS[d].to_string(),
                part: PARTS_OF_DAY[part].to_string(),
            })
            .collect();
    }
    if let Some(sp) = patch.support_preferences {
        let cur = &mut p.support_preferences;
        if let Some(f) = sp.formats {
            let set: BTreeSet<String> = f.into_iter().collect();
            if set.is_empty() || set.iter().any(|x| !one_of(x, FORMATS)) {
                return Err(invalid(
                    "invalid_formats",
                    "formats is a non-empty list of one_to_one, pair, group",
                ));
            }
            cur.formats = FORMATS
                .iter()
                .filter(|x| set.contains(**x))
                .map(|x| x.to_string())
                .collect();
        }
        for (value, slot, name) in [
            (sp.gender, &mut cur.gender, "gender"),
            (sp.age, &mut cur.age, "age"),
        ] {
            if let Some(v) = value {
                if !one_of(&v, PREFERENCE_STRENGTHS) {
                    return Err(invalid(
                        "invalid_preference",
                        format!("support_preferences.{name} is none, prefer or must"),
                    ));
                }
                *slot = v;
            }
        }
        if let Some(w) = sp.wants_from_support {
            let set: BTreeSet<String> = w.into_iter().collect();
            if set.iter().any(|x| !one_of(x, WANTS)) {
                return Err(invalid(
                    "invalid_wants",
                    format!("wants_from_support items are among {}", WANTS.join(", ")),
                ));
            }
            cur.wants_from_support = WANTS
                .iter()
                .filter(|x| set.contains(**x))
                .map(|x| x.to_string())
                .collect();
        }
        if let Some(b) = sp.same_condition_volunteer {
            cur.same_condition_volunteer = b;
        }
    }
    if let Some(sh) = patch.sharing {
        let cur = &mut p.sharing;
        for (v, slot) in [
            (sh.conditions, &mut cur.conditions),
            (sh.stage, &mut cur.stage),
            (sh.availability, &mut cur.availability),
            (sh.languages, &mut cur.languages),
        ] {
            if let Some(b) = v {
                *slot = b;
            }
        }
        if let Some(map) = sh.experiences {
            for (id, shared) in map {
                if !is_experience(&id) {
                    return Err(invalid(
                        "unknown_experience",
                        format!("`{id}` is not a lived-experience tag"),
                    ));
                }
                cur.experiences.insert(id, shared);
            }
        }
    }
    if p.support_preferences.gender == "must" && p.gender.is_none() {
        return Err(invalid(
            "preference_needs_own_value",
            "a `must` gender preference needs your own gender on your profile",
        ));
    }
    if p.support_preferences.age == "must" && p.age_band.is_none() {
        return Err(invalid(
            "preference_needs_own_value",
            "a `must` age preference needs your own age band on your profile",
        ));
    }
    Ok(p)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(v: serde_json::Value) -> ProfilePatch {
        serde_json::from_value(v).unwrap()
    }

    fn apply(v: serde_json::Value) -> Result<Profile, Invalid> {
        apply_patch(Profile::default(), patch(v), |id| {
            id.starts_with("journey.") || id.starts_with("identity.")
        })
    }

    #[test]
    fn every_rule_has_its_code() {
        let long = "x".repeat(501);
        let cases = [
            (
                serde_json::json!({"pronouns": "a".repeat(33)}),
                "invalid_pronouns",
            ),
            (serde_json::json!({"bio": long}), "bio_too_long"),
            (serde_json::json!({"bio": "hi\u{202E}there"}), "invalid_bio"),
            (serde_json::json!({"languages": []}), "languages_required"),
            (
                serde_json::json!({"languages": [{"tag": "english"}]}),
                "invalid_language_tag",
            ),
            (
                serde_json::json!({"languages": [{"tag": "en"}, {"tag": "EN"}]}),
                "duplicate_language",
            ),
            (
                serde_json::json!({"timezone": "Mars/Olympus"}),
                "invalid_timezone",
            ),
            (serde_json::json!({"age_band": "17"}), "invalid_age_band"),
            (serde_json::json!({"gender": "x"}), "invalid_gender"),
            (
                serde_json::json!({"availability": [{"day": "monday", "part": "evening"}]}),
                "invalid_availability",
            ),
            (
                serde_json::json!({"support_preferences": {"formats": []}}),
                "invalid_formats",
            ),
            (
                serde_json::json!({"support_preferences": {"formats": ["trio"]}}),
                "invalid_formats",
            ),
            (
                serde_json::json!({"support_preferences": {"gender": "always"}}),
                "invalid_preference",
            ),
            (
                serde_json::json!({"support_preferences": {"wants_from_support": ["money"]}}),
                "invalid_wants",
            ),
            (
                serde_json::json!({"support_preferences": {"gender": "must"}}),
                "preference_needs_own_value",
            ),
            (
                serde_json::json!({"sharing": {"experiences": {"made.up": true}}}),
                "unknown_experience",
            ),
        ];
        for (body, code) in cases {
            assert_eq!(apply(body.clone()).unwrap_err().0, code, "{body}");
        }
    }

    #[test]
    fn a_full_profile_is_accepted_and_normalised() {
        let p = apply(serde_json::json!({
            "pronouns": " she/her ",
            "bio": "Walking helps.\nTea helps more.",
            "languages": [{"tag": "en-gb"}, {"tag": "cy", "session": false}],
            "timezone": "Europe/London",
            "age_band": "35-49",
            "gender": "woman",
            "availability": [{"day": "tue", "part": "evening"}, {"day": "mon", "part": "evening"}, {"day": "tue", "part": "evening"}],
            "support_preferences": {"formats": ["group", "pair"], "gender": "must", "wants_from_support": ["practical_tips", "someone_to_listen"]},
            "sharing": {"stage": false, "experiences": {"identity.faith": true}}
        }))
        .unwrap();
        assert_eq!(p.pronouns.as_deref(), Some("she/her"));
        assert_eq!(
            p.languages[0],
            Language {
                tag: "en-GB".into(),
                session: true
            }
        );
        assert!(!p.languages[1].session);
        assert_eq!(p.availability.len(), 2);
        assert_eq!(p.availability[0].day, "mon");
        assert_eq!(p.availability[1].day, "tue");
        assert_eq!(p.support_preferences.formats, vec!["pair", "group"]);
        assert_eq!(
            p.support_preferences.wants_from_support,
            vec!["someone_to_listen", "practical_tips"]
        );
        assert!(!p.sharing.stage && p.sharing.conditions);
        assert!(p.sharing.shares_experience("identity.faith", true));
        assert!(!p.sharing.shares_experience("identity.lgbtq", true));
        assert!(p.sharing.shares_experience("journey.flare_up", false));
    }

    #[test]
    fn null_clears_and_absent_keeps() {
        let p = apply(serde_json::json!({"pronouns": "they/them", "bio": "hello"})).unwrap();
        let p = apply_patch(p, patch(serde_json::json!({"pronouns": null})), |_| true).unwrap();
        assert_eq!(p.pronouns, None);
        assert_eq!(p.bio.as_deref(), Some("hello"));
    }

    #[test]
    fn birth_years_follow_the_age_band() {
        assert_eq!(earliest_birth_year("18-24", 2026), Some(2001));
        assert_eq!(earliest_birth_year("75+", 2026), Some(1915));
        assert_eq!(earliest_birth_year("x", 2026), None);
    }
}
