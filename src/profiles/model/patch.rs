//! What `PATCH /me` accepts ([`ProfilePatch`]: absent keeps, `null` clears) and
//! [`apply_patch`], which validates every field with its own `code` and merges it onto the
//! stored [`Profile`].

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Deserializer};

use crate::domain::language::{MAX_LANGUAGES, parse_language_tag};

use super::{
    AGE_BANDS, DAYS, FORMATS, GENDERS, Invalid, Language, MAX_BIO_CHARS, MAX_PRONOUNS_CHARS,
    PARTS_OF_DAY, PREFERENCE_STRENGTHS, Profile, Slot, WANTS,
};

fn invalid(code: &'static str, detail: impl Into<String>) -> Invalid {
    (code, detail.into())
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
