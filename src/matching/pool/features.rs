//! From stored rows to the engine's people: a person's [`Features`] (profile decoded by
//! `profiles::service::decode`, conditions with their groups, matching and shareable tags,
//! level, availability in UTC), then a waiting request as a [`Person`] and a volunteer record
//! as a [`Volunteer`]. No I/O.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDateTime, Offset, TimeZone};

use crate::db::match_requests::MatchRequest;
use crate::db::profiles::{ProfileRow, UserCondition};
use crate::db::users::User;
use crate::db::volunteers::Volunteer as VolunteerRow;
use crate::error::AppError;
use crate::matching::model::{
    Condition, Day, Format, Part, Person, Strength, Volunteer, availability_mask,
};
use crate::profiles::model::{AGE_BANDS, Profile};
use crate::profiles::service::decode;
use crate::profiles::vocab::Vocabulary;

fn stage_bin(diagnosed_year: Option<i32>, this_year: i32, tags: &[String]) -> Option<u8> {
    match diagnosed_year {
        Some(y) => Some(match this_year - y {
            i32::MIN..=0 => 0,
            1 => 1,
            2..=5 => 2,
            _ => 3,
        }),
        None if tags.iter().any(|t| t == "journey.newly_diagnosed") => Some(0),
        None if tags.iter().any(|t| t == "journey.long_term") => Some(3),
        None => None,
    }
}

fn offset_minutes(tz: Option<&str>, now: NaiveDateTime) -> i32 {
    tz.and_then(|t| t.parse::<chrono_tz::Tz>().ok())
        .map(|tz| tz.offset_from_utc_datetime(&now).fix().local_minus_utc() / 60)
        .unwrap_or(0)
}

pub(super) fn age_index(band: Option<&str>) -> Option<u8> {
    band.and_then(|b| AGE_BANDS.iter().position(|x| *x == b))
        .and_then(|i| u8::try_from(i).ok())
}

/// One person's stored rows, as the single-person queries would return them.
#[derive(Default)]
pub(super) struct PersonRows {
    pub profile: Option<ProfileRow>,
    /// Primary first, then by id (`profiles::conditions`' order).
    pub conditions: Vec<UserCondition>,
    /// By id (`profiles::experiences`' order).
    pub experiences: Vec<String>,
    /// The level of the latest check-in (`check_ins::latest`).
    pub latest_level: Option<i32>,
}

/// What the engine needs of one person, whatever they ask for.
pub(super) struct Features {
    conditions: Vec<Condition>,
    diagnosed: HashMap<String, Option<i32>>,
    tags: Vec<String>,
    shared_tags: Vec<String>,
    profile: Profile,
    level: Option<u8>,
    mask: [u64; 3],
    offset: i32,
}

pub(super) fn features(
    rows: &PersonRows,
    vocab: &Vocabulary,
    now: NaiveDateTime,
) -> Result<Features, AppError> {
    let profile = decode(rows.profile.clone())?;
    let ucs = &rows.conditions;
    let conditions = ucs
        .iter()
        .filter_map(|uc| {
            vocab
                .group_of(&uc.condition_id)
                .map(|g| Condition::new(uc.condition_id.clone(), g))
        })
        .collect();
    let diagnosed = ucs
        .iter()
        .map(|uc| (uc.condition_id.clone(), uc.diagnosed_year))
        .collect();
    let all_tags = &rows.experiences;
    let mut tags: Vec<String> = all_tags
        .iter()
        .filter(|t| {
            !vocab
                .experiences
                .get(*t)
                .is_some_and(|e| e.derived_from_stage)
        })
        .cloned()
        .collect();
    tags.sort();
    let shared_tags = all_tags
        .iter()
        .filter(|t| {
            let sensitive = vocab.experiences.get(*t).is_some_and(|e| e.sensitive);
            profile.sharing.shares_experience(t, sensitive)
        })
        .cloned()
        .collect();
    let level = rows.latest_level.and_then(|l| u8::try_from(l).ok());
    let offset = offset_minutes(profile.timezone.as_deref(), now);
    let slots: Vec<(Day, Part)> = profile
        .availability
        .iter()
        .filter_map(|s| Some((Day::parse(&s.day)?, Part::parse(&s.part)?)))
        .collect();
    let mask = availability_mask(&slots, offset);
    Ok(Features {
        conditions,
        diagnosed,
        tags,
        shared_tags,
        profile,
        level,
        mask,
        offset,
    })
}

fn session_languages(p: &Profile) -> Vec<String> {
    p.languages
        .iter()
        .filter(|l| l.session)
        .map(|l| l.tag.clone())
        .collect()
}

/// A request as the engine's [`Person`]; None when its format or focus is unknown.
pub(super) fn person(
    r: &MatchRequest,
    f: &Features,
    vocab: &Vocabulary,
    now: NaiveDateTime,
) -> Option<Person> {
    let format = Format::parse(&r.format)?;
    let focus_group = vocab.group_of(&r.focus_condition)?.to_string();
    let p = &f.profile;
    Some(Person {
        key: r.id.clone(),
        user: r.user_id.clone(),
        format,
        focus: Condition::new(r.focus_condition.clone(), focus_group),
        has_mental: f.conditions.iter().any(|c| c.group == "mental"),
        conditions: f.conditions.clone(),
        tags: f.tags.clone(),
        shared_tags: f.shared_tags.clone(),
        stage_bin: stage_bin(
            f.diagnosed.get(&r.focus_condition).copied().flatten(),
            now.year(),
            &f.tags,
        ),
        progressive: f.tags.iter().any(|t| t == "journey.progressive"),
        level: f.level,
        first_language: p.languages.first().map(|l| l.tag.clone()),
        session_languages: session_languages(p),
        age_band: age_index(p.age_band.as_deref()),
        gender: p.gender.clone(),
        gender_pref: Strength::parse(&p.support_preferences.gender).unwrap_or(Strength::None),
        age_pref: Strength::parse(&p.support_preferences.age).unwrap_or(Strength::None),
        availability: f.mask,
        utc_offset_minutes: f.offset,
        wait_secs: (now - r.created_at).num_seconds().max(0),
        share_conditions: p.sharing.conditions,
        share_stage: p.sharing.stage,
        share_availability: p.sharing.availability,
        share_languages: p.sharing.languages,
    })
}

impl Features {
    /// Gender and age band index, for a facilitator a joiner's `must` applies to.
    pub(super) fn gender_and_age(&self) -> (Option<String>, Option<u8>) {
        (
            self.profile.gender.clone(),
            age_index(self.profile.age_band.as_deref()),
        )
    }
}

/// How many rooms a volunteer already facilitates, by kind.
#[derive(Default, Clone, Copy)]
pub(super) struct Load {
    pub one_to_one: usize,
    pub groups: usize,
}

fn free(capacity: i32, used: usize) -> u32 {
    let used = i64::try_from(used).unwrap_or(i64::MAX);
    u32::try_from((i64::from(capacity) - used).max(0)).unwrap_or(0)
}

/// A volunteer record as the engine's [`Volunteer`], with what is left of its capacity.
pub(super) fn volunteer(
    v: &VolunteerRow,
    u: &User,
    f: &Features,
    load: Load,
    vocab: &Vocabulary,
    now: NaiveDateTime,
) -> Volunteer {
    let supported: Vec<String> = serde_json::from_str(&v.conditions_supported).unwrap_or_default();
    let mut groups_supported: Vec<String> = supported
        .iter()
        .filter_map(|id| vocab.group_of(id).map(str::to_string))
        .collect();
    groups_supported.sort();
    groups_supported.dedup();
    let p = &f.profile;
    Volunteer {
        user: v.user_id.clone(),
        conditions_supported: supported,
        groups_supported,
        has_mental: f.conditions.iter().any(|c| c.group == "mental"),
        stage_bin: f
            .diagnosed
            .values()
            .flatten()
            .min()
            .map(|y| stage_bin(Some(*y), now.year(), &f.tags).unwrap_or(0)),
        conditions: f.conditions.clone(),
        tags: f.tags.clone(),
        shared_tags: f.shared_tags.clone(),
        session_languages: session_languages(p),
        first_language: p.languages.first().map(|l| l.tag.clone()),
        age_band: age_index(p.age_band.as_deref()),
        gender: p.gender.clone(),
        availability: f.mask,
        free_one_to_one: free(v.one_to_one_capacity, load.one_to_one),
        free_groups: free(v.max_groups, load.groups),
        display_name: u.display_name.clone(),
        share_conditions: p.sharing.conditions,
        share_stage: p.sharing.stage,
        share_availability: p.sharing.availability,
        share_languages: p.sharing.languages,
    }
}
