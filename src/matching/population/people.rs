//! Drawing one synthetic waiting request ([`Person`]) or volunteer ([`Volunteer`]) with the
//! shapes MATCHING.md §4.8 describes: conditions, tags and what is shared, languages, age band,
//! gender, availability, stage, level and preferences.

use rand::Rng;
use rand::rngs::StdRng;

use crate::matching::model::{
    Condition, DAY_SECS, Day, Format, Part, Person, Strength, Volunteer, availability_mask,
};

use super::sampling::{chance, cumulative, normal, pick, pick_distinct, poisson};
use super::vocabulary::{CONDITIONS, OTHER_LANGUAGES, TAGS, group_of, is_sensitive};

const GENDERS: [(&str, f64); 4] = [
    ("woman", 0.52),
    ("man", 0.45),
    ("non_binary", 0.02),
    ("another", 0.01),
];
const AGE_BAND_WEIGHTS: [f64; 6] = [0.07, 0.12, 0.22, 0.27, 0.18, 0.14];
const PART_WEIGHTS: [(Part, f64); 4] = [
    (Part::Morning, 0.2),
    (Part::Afternoon, 0.2),
    (Part::Evening, 0.5),
    (Part::Night, 0.1),
];
const NAMES: [&str; 10] = [
    "Sam", "Alex", "Jo", "Priya", "Tom", "Aisha", "Chris", "Maya", "Ben", "Lena",
];

fn level_from_semcd(score: f64) -> u8 {
    let s = (score.clamp(1.0, 10.0) * 100.0).round() / 100.0;
    if s >= 8.0 {
        4
    } else if s >= 6.0 {
        3
    } else if s >= 4.0 {
        2
    } else {
        1
    }
}

fn conditions(rng: &mut StdRng, cond_cum: &[f64]) -> Vec<Condition> {
    let k = 1 + poisson(rng, 0.6);
    pick_distinct(rng, cond_cum, k)
        .into_iter()
        .filter_map(|i| CONDITIONS.get(i))
        .map(|(id, _)| Condition::new(*id, group_of(id)))
        .collect()
}

struct Common {
    tags: Vec<String>,
    shared_tags: Vec<String>,
    session_languages: Vec<String>,
    first_language: Option<String>,
    age_band: Option<u8>,
    gender: Option<String>,
    availability: [u64; 3],
    offset: i32,
}

fn common(rng: &mut StdRng, tag_cum: &[f64]) -> Common {
    let tag_count = rng.gen_range(0..=5);
    let tags: Vec<String> = pick_distinct(rng, tag_cum, tag_count)
        .into_iter()
        .filter_map(|i| TAGS.get(i))
        .map(|(t, _)| t.to_string())
        .collect();
    let opt_in = chance(rng, 0.25);
    let shared_tags = tags
        .iter()
        .filter(|t| opt_in || !is_sensitive(t))
        .cloned()
        .collect();

    let session_languages: Vec<String> = if chance(rng, 0.9) {
        vec!["en".to_string()]
    } else {
        let other = OTHER_LANGUAGES
            .get(rng.gen_range(0..OTHER_LANGUAGES.len()))
            .copied()
            .unwrap_or("pl");
        if chance(rng, 0.5) {
            vec![other.to_string(), "en".to_string()]
        } else {
            vec![other.to_string()]
        }
    };
    let first_language = session_languages.first().cloned();

    let age_band = if chance(rng, 0.03) {
        None
    } else {
        let cum = cumulative(AGE_BAND_WEIGHTS.into_iter());
        u8::try_from(pick(rng, &cum)).ok()
    };
    let gender = if chance(rng, 0.03) {
        None
    } else {
        let cum = cumulative(GENDERS.iter().map(|(_, w)| *w));
        GENDERS.get(pick(rng, &cum)).map(|(g, _)| g.to_string())
    };

    let slot_count = rng.gen_range(2..=6);
    let part_cum = cumulative(PART_WEIGHTS.iter().map(|(_, w)| *w));
    let slots: Vec<(Day, Part)> = (0..slot_count)
        .map(|_| {
            let day = Day::ALL
                .get(rng.gen_range(0..Day::ALL.len()))
                .copied()
                .unwrap_or(Day::Mon);
            let part = PART_WEIGHTS
                .get(pick(rng, &part_cum))
                .map_or(Part::Evening, |(p, _)| *p);
            (day, part)
        })
        .collect();
    let offset = if chance(rng, 0.8) { 0 } else { 60 };
    Common {
        tags,
        shared_tags,
        session_languages,
        first_language,
        age_band,
        gender,
        availability: availability_mask(&slots, offset),
        offset,
    }
}

fn preference(rng: &mut StdRng, has_own: bool) -> Strength {
    let u = rng.gen_range(0.0..1.0);
    if !has_own {
        Strength::None
    } else if u < 0.03 {
        Strength::Must
    } else if u < 0.13 {
        Strength::Prefer
    } else {
        Strength::None
    }
}

pub(super) fn person(
    rng: &mut StdRng,
    i: usize,
    format: Format,
    cond_cum: &[f64],
    tag_cum: &[f64],
) -> Person {
    let conditions = conditions(rng, cond_cum);
    let focus = conditions
        .first()
        .cloned()
        .unwrap_or_else(|| Condition::new("other.skin", "other"));
    let c = common(rng, tag_cum);
    let stage_bin = if chance(rng, 0.05) {
        None
    } else {
        Some(rng.gen_range(0..4u8))
    };
    let level = if chance(rng, 0.05) {
        None
    } else {
        Some(level_from_semcd(normal(rng, 5.2, 2.2)))
    };
    let gender_pref = preference(rng, c.gender.is_some());
    let age_pref = preference(rng, c.age_band.is_some());
    let wait_secs = rng.gen_range(0..10 * DAY_SECS);
    let share = [0; 4].map(|_| chance(rng, 0.95));
    Person {
        key: format!("req-{i:06}"),
        user: format!("user-{i:06}"),
        format,
        has_mental: conditions.iter().any(|c| c.group == "mental"),
        progressive: c.tags.iter().any(|t| t == "journey.progressive"),
        focus,
        conditions,
        tags: c.tags,
        shared_tags: c.shared_tags,
        stage_bin,
        level,
        session_languages: c.session_languages,
        first_language: c.first_language,
        age_band: c.age_band,
        gender: c.gender,
        gender_pref,
        age_pref,
        availability: c.availability,
        utc_offset_minutes: c.offset,
        wait_secs,
        share_conditions: share[0],
        share_stage: share[1],
        share_availability: share[2],
        share_languages: share[3],
    }
}

pub(super) fn volunteer(
    rng: &mut StdRng,
    i: usize,
    cond_cum: &[f64],
    tag_cum: &[f64],
) -> Volunteer {
    let conditions = conditions(rng, cond_cum);
    let c = common(rng, tag_cum);
    let mut groups_supported: Vec<String> = Vec::new();
    for cond in &conditions {
        if !groups_supported.contains(&cond.group) {
            groups_supported.push(cond.group.clone());
        }
    }
    let stage_cum = cumulative([0.2, 0.4, 0.4].into_iter());
    let stage_bin = u8::try_from(1 + pick(rng, &stage_cum)).ok();
    let name = NAMES.get(i % NAMES.len()).copied().unwrap_or("Sam");
    Volunteer {
        user: format!("vol-{i:06}"),
        conditions_supported: conditions.iter().map(|c| c.id.clone()).collect(),
        groups_supported,
        has_mental: conditions.iter().any(|c| c.group == "mental"),
        conditions,
        tags: c.tags,
        shared_tags: c.shared_tags,
        stage_bin,
        session_languages: c.session_languages,
        first_language: c.first_language,
        age_band: c.age_band,
        gender: c.gender,
        availability: c.availability,
        free_one_to_one: rng.gen_range(1..=3),
        free_groups: rng.gen_range(0..=1),
        display_name: format!("{name} {}", i / NAMES.len() + 1),
        share_conditions: true,
        share_stage: true,
        share_availability: true,
        share_languages: true,
    }
}
