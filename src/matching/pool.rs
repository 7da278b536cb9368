//! Loading the waiting pool from the database into the engine's inputs: every waiting request
//! of an active, verified account becomes a `Person`; every approved volunteer who is accepting,
//! with current training and free capacity, a `Volunteer`; blocks (either way) and the 90-day
//! re-match cool-down become `Exclusions`. Runs inside one blocking database closure.
//!
//! Eligibility gates applied here, before the engine sees anyone: suspended, banned or erased
//! accounts and unverified emails are left out; volunteers need role above member, an accepting
//! record and training that has not expired. (MATCHING.md's "volunteers at level 4 with 12
//! months' lived experience" is a recruitment rule the moderators check on approval, not an
//! engine gate: a volunteer without a recent check-in must not vanish from matching.)

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDateTime, Offset, TimeZone};

use super::groups::RoomSlot;
use super::model::{
    Condition, Day, Exclusions, Format, Part, Person, Strength, Volunteer, availability_mask,
};
use crate::db::match_requests::{self, MatchRequest};
use crate::db::{DbConn, blocks, check_ins, profiles, rooms, users, volunteers};
use crate::error::AppError;
use crate::profiles::model::Profile;
use crate::profiles::service::decode;
use crate::profiles::vocab::Vocabulary;

/// How long two people are not matched again after sharing a room.
pub const REMATCH_COOL_DOWN_DAYS: i64 = 90;
/// Age bands in order; a person's band is its index.
pub const AGE_BANDS: &[&str] = crate::profiles::model::AGE_BANDS;

pub struct Pool {
    pub people: Vec<Person>,
    pub volunteers: Vec<Volunteer>,
    pub exclusions: Exclusions,
    /// Open group rooms with their current members.
    pub open_groups: Vec<RoomSlot>,
    /// The stored relax step of each request (to tell members once when it changes).
    pub relax_steps: HashMap<String, i32>,
}

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

struct Features {
    conditions: Vec<Condition>,
    diagnosed: HashMap<String, Option<i32>>,
    tags: Vec<String>,
    shared_tags: Vec<String>,
    profile: Profile,
    level: Option<u8>,
    mask: [u64; 3],
    offset: i32,
}

fn features(
    c: &mut DbConn,
    vocab: &Vocabulary,
    user: &str,
    now: NaiveDateTime,
) -> Result<Features, AppError> {
    let profile = decode(profiles::find(c, user)?)?;
    let ucs = profiles::conditions(c, user)?;
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
    let all_tags = profiles::experiences(c, user)?;
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
    let level = check_ins::latest(c, user)?.and_then(|ci| u8::try_from(ci.level).ok());
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

fn age_index(band: Option<&str>) -> Option<u8> {
    band.and_then(|b| AGE_BANDS.iter().position(|x| *x == b))
        .and_then(|i| u8::try_from(i).ok())
}

fn person(
    r: &MatchRequest,
    f: &Features,
    vocab: &Vocabulary,
    now: NaiveDateTime,
) -> Option<Person> {
    let format = Format::parse(&r.format)?;
    let focus_group = vocab.group_of(&r.focus_condition)?.to_string();
    let p = &f.profile;
    let session_languages: Vec<String> = p
        .languages
        .iter()
        .filter(|l| l.session)
        .map(|l| l.tag.clone())
        .collect();
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
        session_languages,
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

/// Reads everything the engine needs.
pub fn load(c: &mut DbConn, vocab: &Vocabulary, now: NaiveDateTime) -> Result<Pool, AppError> {
    let waiting = match_requests::waiting(c)?;
    let mut people = Vec::with_capacity(waiting.len());
    let mut relax_steps = HashMap::new();
    let mut cache: HashMap<String, Option<Features>> = HashMap::new();
    for r in &waiting {
        if !cache.contains_key(&r.user_id) {
            let eligible = users::find(c, &r.user_id)?
                .is_some_and(|u| u.status == users::STATUS_ACTIVE && u.email_verified_at.is_some());
            let f = if eligible {
                Some(features(c, vocab, &r.user_id, now)?)
            } else {
                None
            };
            cache.insert(r.user_id.clone(), f);
        }
        if let Some(Some(f)) = cache.get(&r.user_id)
            && let Some(p) = person(r, f, vocab, now)
        {
            relax_steps.insert(r.id.clone(), r.relax_step);
            people.push(p);
        }
    }

    // Volunteers: approved, accepting, current, with free capacity.
    let mut vols = Vec::new();
    for v in volunteers::accepting(c, now.date())? {
        let Some(u) = users::find(c, &v.user_id)? else {
            continue;
        };
        if u.status != users::STATUS_ACTIVE || u.role == "member" {
            continue;
        }
        let active = rooms::active_memberships(c, std::slice::from_ref(&v.user_id))?;
        let one_to_one = active
            .iter()
            .filter(|(_, k, role, _)| k == "one_to_one" && role == rooms::ROLE_FACILITATOR)
            .count();
        let groups = active
            .iter()
            .filter(|(_, k, role, _)| k == "group" && role == rooms::ROLE_FACILITATOR)
            .count();
        let f = features(c, vocab, &v.user_id, now)?;
        let supported: Vec<String> =
            serde_json::from_str(&v.conditions_supported).unwrap_or_default();
        let mut groups_supported: Vec<String> = supported
            .iter()
            .filter_map(|id| vocab.group_of(id).map(str::to_string))
            .collect();
        groups_supported.sort();
        groups_supported.dedup();
        let p = &f.profile;
        vols.push(Volunteer {
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
            session_languages: p
                .languages
                .iter()
                .filter(|l| l.session)
                .map(|l| l.tag.clone())
                .collect(),
            first_language: p.languages.first().map(|l| l.tag.clone()),
            age_band: age_index(p.age_band.as_deref()),
            gender: p.gender.clone(),
            availability: f.mask,
            free_one_to_one: u32::try_from(
                (i64::from(v.one_to_one_capacity) - one_to_one as i64).max(0),
            )
            .unwrap_or(0),
            free_groups: u32::try_from((i64::from(v.max_groups) - groups as i64).max(0))
                .unwrap_or(0),
            display_name: u.display_name.clone(),
            share_conditions: p.sharing.conditions,
            share_stage: p.sharing.stage,
            share_availability: p.sharing.availability,
            share_languages: p.sharing.languages,
        });
    }

    // Exclusions: blocks either way, and anyone who shared a room within the cool-down.
    let mut everyone: Vec<String> = people.iter().map(|p| p.user.clone()).collect();
    everyone.extend(vols.iter().map(|v| v.user.clone()));
    everyone.sort();
    everyone.dedup();
    let mut exclusions = Exclusions::new();
    for (a, b) in blocks::involving(c, &everyone)? {
        exclusions.add(&a, &b);
    }
    let since = now - chrono::Duration::days(REMATCH_COOL_DOWN_DAYS);
    let memberships = rooms::memberships_since(c, &everyone, since)?;
    let room_ids: Vec<String> = memberships
        .iter()
        .map(|(r, _)| r.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut by_room: HashMap<String, Vec<String>> = HashMap::new();
    for (room, user) in rooms::members_of(c, &room_ids, since)? {
        by_room.entry(room).or_default().push(user);
    }
    for members in by_room.values() {
        for (i, a) in members.iter().enumerate() {
            for b in &members[i + 1..] {
                exclusions.add(a, b);
            }
        }
    }

    let mut open_groups = Vec::new();
    for room in rooms::open_groups(c)? {
        let Some(focus_group) = vocab.group_of(&room.focus_condition) else {
            continue;
        };
        let rows = rooms::members(c, &room.id)?;
        let mut members = Vec::with_capacity(rows.len());
        let mut facilitator = None;
        let (mut facilitator_gender, mut facilitator_age_band) = (None, None);
        for m in &rows {
            if m.room_role == rooms::ROLE_FACILITATOR {
                // Their gender and age band: a joiner's `must` applies to the facilitator too.
                let profile = decode(profiles::find(c, &m.user_id)?)?;
                facilitator_gender = profile.gender.clone();
                facilitator_age_band = age_index(profile.age_band.as_deref());
                facilitator = Some(m.user_id.clone());
                continue;
            }
            // A seated member is checked as if asking for this room: their own request is
            // matched, so the room's focus stands in for it.
            let seated = MatchRequest {
                id: m.user_id.clone(),
                user_id: m.user_id.clone(),
                format: "group".into(),
                focus_condition: room.focus_condition.clone(),
                experience_tags: "[]".into(),
                status: match_requests::MATCHED.into(),
                room_id: Some(room.id.clone()),
                explanation: None,
                relax_step: 0,
                created_at: now,
                closed_at: None,
            };
            let f = features(c, vocab, &m.user_id, now)?;
            if let Some(p) = person(&seated, &f, vocab, now) {
                members.push(p);
            }
        }
        open_groups.push(RoomSlot {
            room_id: room.id.clone(),
            focus_condition: room.focus_condition.clone(),
            focus_group: focus_group.to_string(),
            free_seats: usize::try_from(room.max_size)
                .unwrap_or(0)
                .saturating_sub(rows.len()),
            members,
            facilitator,
            facilitator_gender,
            facilitator_age_band,
            former: rooms::former_members(c, &room.id)?,
        });
    }
    Ok(Pool {
        people,
        volunteers: vols,
        exclusions,
        open_groups,
        relax_steps,
    })
}
