//! Seeding a database with a synthetic waiting pool, for the tick benchmark
//! (`benches/tick.rs`) and the tests that load the pool at different sizes. Never used on a
//! real service: the accounts it creates have no usable password and `.invalid` addresses.
//!
//! The people come from [`population::generate`](crate::matching::population::generate)
//! (MATCHING.md §4.8) and are written through the db layer exactly as the profile, check-in,
//! request and volunteer services would store them, so `pool::load` decodes them the real way.
//! What a pool of `n` holds [ours]:
//! - `n` waiting requests: half pairs, a quarter one-to-one, a quarter groups, each of its own
//!   verified, active member, with profile, conditions (the focus primary, a year of diagnosis
//!   from the stage bin), lived experience, sharing choices and a check-in for the level;
//! - about `n / 10` accepting volunteers with current training;
//! - `max(1, n / 100)` open group rooms of four members sharing a focus, every other one with a
//!   facilitator (a volunteer, who keeps a group slot for it), each with one former member;
//! - `max(1, n / 100)` blocks and as many pairs who shared a room 10 days ago (within the
//!   cool-down), between waiting members.
//!
//! Everything is one transaction; ids are fresh, so seeding twice adds a second pool.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDateTime};

use crate::db::check_ins::{self, CheckIn};
use crate::db::match_requests::{self, MatchRequest};
use crate::db::profiles::{self, ProfileRow, UserCondition};
use crate::db::rooms::{self, ROLE_FACILITATOR, ROLE_MEMBER, Room};
use crate::db::{DbConn, blocks, users, volunteers, write_tx};
use crate::domain::ids::new_id;
use crate::error::AppError;
use crate::matching::commit::GROUP_MAX_SIZE;
use crate::matching::model::{
    Condition, Day, Format, Part, Person, Strength, Volunteer, availability_mask,
};
use crate::matching::population::generate;
use crate::profiles::model::{AGE_BANDS, Language, Sharing, Slot, SupportPreferences};

/// What [`seed`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeded {
    pub waiting: usize,
    pub volunteers: usize,
    pub open_groups: usize,
}

/// Members seated in each seeded open group (a former member comes on top).
const OPEN_GROUP_MEMBERS: usize = 4;

fn format_name(f: Format) -> &'static str {
    match f {
        Format::OneToOne => "one_to_one",
        Format::Pair => "pair",
        Format::Group => "group",
    }
}

fn strength_name(s: Strength) -> &'static str {
    match s {
        Strength::None => "none",
        Strength::Prefer => "prefer",
        Strength::Must => "must",
    }
}

/// The features a profile is written from, common to members and volunteers.
struct Features<'a> {
    conditions: &'a [Condition],
    focus: Option<&'a str>,
    stage_bin: Option<u8>,
    tags: &'a [String],
    shared_tags: &'a [String],
    session_languages: &'a [String],
    age_band: Option<u8>,
    gender: Option<&'a str>,
    gender_pref: Strength,
    age_pref: Strength,
    availability: [u64; 3],
    offset: i32,
    share: [bool; 4],
}

impl<'a> Features<'a> {
    fn of_person(p: &'a Person) -> Self {
        Features {
            conditions: &p.conditions,
            focus: Some(&p.focus.id),
            stage_bin: p.stage_bin,
            tags: &p.tags,
            shared_tags: &p.shared_tags,
            session_languages: &p.session_languages,
            age_band: p.age_band,
            gender: p.gender.as_deref(),
            gender_pref: p.gender_pref,
            age_pref: p.age_pref,
            availability: p.availability,
            offset: p.utc_offset_minutes,
            share: [
                p.share_conditions,
                p.share_stage,
                p.share_availability,
                p.share_languages,
            ],
        }
    }

    fn of_volunteer(v: &'a Volunteer) -> Self {
        Features {
            conditions: &v.conditions,
            focus: None,
            stage_bin: v.stage_bin,
            tags: &v.tags,
            shared_tags: &v.shared_tags,
            session_languages: &v.session_languages,
            age_band: v.age_band,
            gender: v.gender.as_deref(),
            gender_pref: Strength::None,
            age_pref: Strength::None,
            availability: v.availability,
            offset: 0,
            share: [
                v.share_conditions,
                v.share_stage,
                v.share_availability,
                v.share_languages,
            ],
        }
    }
}

/// The (day, part) slots whose hours are all in `mask` at `offset` (the inverse of
/// `availability_mask` for whole-hour offsets).
fn slots_of(mask: &[u64; 3], offset: i32) -> Vec<Slot> {
    let mut out = Vec::new();
    for day in Day::ALL {
        for part in Part::ALL {
            let one = availability_mask(&[(day, part)], offset);
            if one.iter().zip(mask).all(|(a, m)| a & m == *a) {
                out.push(Slot {
                    day: day.name().to_string(),
                    part: part.name().to_string(),
                });
            }
        }
    }
    out
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, AppError> {
    serde_json::to_string(v).map_err(AppError::internal)
}

/// A verified, active account with its profile, conditions, experiences and check-in.
fn account(
    c: &mut DbConn,
    role: &str,
    f: &Features<'_>,
    level: Option<u8>,
    now: NaiveDateTime,
) -> Result<String, AppError> {
    let id = new_id();
    let (name, email) = (format!("Seed {id}"), format!("{id}@seed.invalid"));
    users::insert(
        c,
        &users::NewUser {
            id: &id,
            email: &email,
            email_key: &email,
            display_name: &name,
            display_name_key: &name.to_lowercase(),
            password_hash: "!seeded",
            role,
            status: users::STATUS_ACTIVE,
            email_verified_at: Some(now),
            created_at: now,
            updated_at: now,
        },
    )?;
    let languages: Vec<Language> = f
        .session_languages
        .iter()
        .map(|t| Language {
            tag: t.clone(),
            session: true,
        })
        .collect();
    let sharing = Sharing {
        conditions: f.share[0],
        stage: f.share[1],
        availability: f.share[2],
        languages: f.share[3],
        experiences: f
            .tags
            .iter()
            .map(|t| (t.clone(), f.shared_tags.contains(t)))
            .collect::<BTreeMap<_, _>>(),
    };
    let prefs = SupportPreferences {
        gender: strength_name(f.gender_pref).into(),
        age: strength_name(f.age_pref).into(),
        ..SupportPreferences::default()
    };
    profiles::save(
        c,
        &ProfileRow {
            user_id: id.clone(),
            pronouns: None,
            bio: None,
            languages: json(&languages)?,
            timezone: Some(if f.offset == 60 { "Etc/GMT-1" } else { "UTC" }.into()),
            age_band: f
                .age_band
                .and_then(|b| AGE_BANDS.get(usize::from(b)))
                .map(|b| b.to_string()),
            gender: f.gender.map(str::to_string),
            availability: json(&slots_of(&f.availability, f.offset))?,
            support_preferences: json(&prefs)?,
            sharing: json(&sharing)?,
            updated_at: now,
        },
    )?;
    let years_ago = f.stage_bin.map(|b| match b {
        0 => 0,
        1 => 1,
        2 => 3,
        _ => 7,
    });
    let conditions: Vec<UserCondition> = f
        .conditions
        .iter()
        .map(|cond| UserCondition {
            user_id: id.clone(),
            condition_id: cond.id.clone(),
            diagnosed_year: years_ago.map(|y| now.year() - y),
            is_primary: f.focus == Some(cond.id.as_str()),
        })
        .collect();
    profiles::replace_conditions(c, &id, &conditions)?;
    profiles::replace_experiences(c, &id, f.tags)?;
    if let Some(level) = level {
        check_ins::insert(
            c,
            &CheckIn {
                id: new_id(),
                user_id: id.clone(),
                instrument: "semcd6".into(),
                instrument_version: "1".into(),
                wording: "seeded".into(),
                answers: "[]".into(),
                score: 1.0 + 2.0 * f64::from(level),
                level: i32::from(level),
                created_at: now - Duration::days(3),
            },
        )?;
    }
    Ok(id)
}

fn room(
    c: &mut DbConn,
    kind: &str,
    focus: &str,
    max: i32,
    at: NaiveDateTime,
) -> Result<String, AppError> {
    let id = new_id();
    rooms::insert(
        c,
        &Room {
            id: id.clone(),
            kind: kind.into(),
            focus_condition: focus.into(),
            max_size: max,
            created_at: at,
            ended_at: None,
            last_seq: 0,
        },
    )?;
    Ok(id)
}

/// Seeds a pool of `n` waiting requests drawn from `rng_seed` (see the module docs).
pub fn seed(
    c: &mut DbConn,
    n: usize,
    rng_seed: u64,
    now: NaiveDateTime,
) -> Result<Seeded, AppError> {
    let (pairs, one_to_one) = (n / 2, n / 4);
    let parts = [
        generate(pairs, rng_seed, Format::Pair),
        generate(one_to_one, rng_seed + 1, Format::OneToOne),
        generate(n - pairs - one_to_one, rng_seed + 2, Format::Group),
    ];
    let extra_groups = n.div_ceil(100).max(1);
    // Seated members come from their own population, bucketed by focus.
    let seated = generate(extra_groups * 40, rng_seed + 3, Format::Group);
    let mut by_focus: BTreeMap<&str, Vec<&Person>> = BTreeMap::new();
    for p in &seated.people {
        by_focus.entry(&p.focus.id).or_default().push(p);
    }
    write_tx(c, |c| -> Result<Seeded, AppError> {
        let mut waiting_users = Vec::with_capacity(n);
        for p in parts.iter().flat_map(|pop| &pop.people) {
            let user = account(c, "member", &Features::of_person(p), p.level, now)?;
            match_requests::insert(
                c,
                &MatchRequest {
                    id: new_id(),
                    user_id: user.clone(),
                    format: format_name(p.format).into(),
                    focus_condition: p.focus.id.clone(),
                    experience_tags: "[]".into(),
                    status: match_requests::WAITING.into(),
                    room_id: None,
                    explanation: None,
                    relax_step: 0,
                    created_at: now - Duration::seconds(p.wait_secs),
                    closed_at: None,
                },
            )?;
            waiting_users.push(user);
        }
        let mut volunteer_ids = Vec::new();
        for v in parts.iter().flat_map(|pop| &pop.volunteers) {
            let user = account(c, "volunteer", &Features::of_volunteer(v), Some(4), now)?;
            volunteers::save_volunteer(
                c,
                &volunteers::Volunteer {
                    user_id: user.clone(),
                    accepting: true,
                    one_to_one_capacity: i32::try_from(v.free_one_to_one).unwrap_or(1),
                    max_groups: i32::try_from(v.free_groups).unwrap_or(0) + 1,
                    conditions_supported: json(&v.conditions_supported)?,
                    training_expires_on: (now + Duration::days(365)).date(),
                    approved_at: now - Duration::days(30),
                    updated_at: now,
                    withdrawn_at: None,
                    withdrawal_reason: None,
                },
            )?;
            volunteer_ids.push(user);
        }
        let mut open_groups = 0;
        let buckets = by_focus
            .iter()
            .filter(|(_, ps)| ps.len() > OPEN_GROUP_MEMBERS);
        for (k, (focus, ps)) in buckets.take(extra_groups).enumerate() {
            let opened = now - Duration::days(20);
            let room_id = room(c, "group", focus, GROUP_MAX_SIZE, opened)?;
            for (i, p) in ps.iter().take(OPEN_GROUP_MEMBERS + 1).enumerate() {
                let user = account(c, "member", &Features::of_person(p), p.level, now)?;
                rooms::add_member(c, &room_id, &user, ROLE_MEMBER, opened)?;
                if i == OPEN_GROUP_MEMBERS {
                    rooms::leave(c, &room_id, &user, now - Duration::days(2))?;
                }
            }
            if k % 2 == 0
                && let Some(v) = volunteer_ids.get(k % volunteer_ids.len().max(1))
            {
                rooms::add_member(c, &room_id, v, ROLE_FACILITATOR, opened)?;
            }
            open_groups += 1;
        }
        let links = n.div_ceil(100).max(1);
        for k in 0..links {
            let (Some(a), Some(b), Some(x), Some(y)) = (
                waiting_users.get((k * 97) % n.max(1)),
                waiting_users.get((k * 97 + 1) % n.max(1)),
                waiting_users.get((k * 89 + 2) % n.max(1)),
                waiting_users.get((k * 89 + 3) % n.max(1)),
            ) else {
                break;
            };
            if a != b {
                blocks::put(c, a, b, now - Duration::days(1))?;
            }
            if x != y {
                let past = now - Duration::days(10);
                let id = room(c, "pair", "lungs.copd", 2, past - Duration::days(5))?;
                rooms::add_member(c, &id, x, ROLE_MEMBER, past - Duration::days(5))?;
                rooms::add_member(c, &id, y, ROLE_MEMBER, past - Duration::days(5))?;
                rooms::end(c, &id, past)?;
            }
        }
        Ok(Seeded {
            waiting: waiting_users.len(),
            volunteers: volunteer_ids.len(),
            open_groups,
        })
    })
}
