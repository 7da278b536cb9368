//! The seeded synthetic population of MATCHING.md §4.8, for benchmarks, solver-quality checks
//! and offline policy evaluation: waiting requests, volunteers and the related-groups table.
//!
//! This module owns its own copy of the vocabulary ids (§5.2 conditions with rough prevalence
//! weights, §5.4 tags with their `sensitive` flag, §5.3 related groups) so that it runs without
//! a database. It must not be used to match real people, must not do I/O, and must stay
//! reproducible: the same `(n, seed, format)` gives the same population on every run of the
//! same build (draws come only from one `StdRng`, never from hash-map order).
//!
//! Choices where §4.8 leaves room [ours]:
//! - Condition weights are rough England QOF register prevalences (% of list size) where a
//!   register exists, and rough survey-style guesses elsewhere; they only need the right shape
//!   (hypertension, depression, obesity, osteoarthritis, type 2 diabetes, asthma common; MND,
//!   sickle cell rare). The first condition drawn is the request's focus.
//! - Tags are drawn by a Zipf law (weight 1/rank) over the 30 tags that are not derived from
//!   stage, in the order of [`TAGS`]. Sensitive tags are shared in explanations only by the
//!   quarter of people who opt in; others follow the default (shared).
//! - 10 % speak another language first, half of them also English.
//! - Availability is 2–6 (day, part) slots; each part is six hours, so "one-hour-ish" slots
//!   become parts of the day, the unit the profile stores. Offsets are 0 (80 %) or +60 min.
//! - 5 % have no stage (no year of diagnosis) and 5 % no check-in yet; 3 % give no age band and
//!   3 % no gender. Volunteers have at least 6 months' experience (bins 1–3, mostly 2–3).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::model::{
    Condition, DAY_SECS, Day, Format, Part, Person, Strength, Vocab, Volunteer, availability_mask,
};

/// The 54 condition ids of §5.2 with a rough prevalence weight (≈ % of adults).
pub const CONDITIONS: [(&str, f64); 54] = [
    ("heart.high_blood_pressure", 14.0),
    ("heart.coronary_heart_disease", 3.0),
    ("heart.heart_failure", 1.0),
    ("heart.atrial_fibrillation", 2.1),
    ("heart.stroke_tia", 1.9),
    ("heart.peripheral_arterial_disease", 0.6),
    ("lungs.asthma", 6.5),
    ("lungs.copd", 1.9),
    ("lungs.bronchiectasis", 0.5),
    ("lungs.pulmonary_fibrosis", 0.2),
    ("metabolic.type1_diabetes", 0.5),
    ("metabolic.type2_diabetes", 7.0),
    ("metabolic.prediabetes", 5.0),
    ("metabolic.thyroid", 3.5),
    ("metabolic.obesity", 9.0),
    ("kidney.ckd", 4.0),
    ("kidney.kidney_failure", 0.2),
    ("cancer.breast", 1.2),
    ("cancer.prostate", 0.9),
    ("cancer.bowel", 0.5),
    ("cancer.lung", 0.15),
    ("cancer.blood", 0.3),
    ("cancer.other", 0.9),
    ("neuro.epilepsy", 0.8),
    ("neuro.multiple_sclerosis", 0.2),
    ("neuro.parkinsons", 0.25),
    ("neuro.migraine", 3.0),
    ("neuro.dementia", 0.7),
    ("neuro.mnd", 0.02),
    ("mental.depression", 13.0),
    ("mental.anxiety", 6.0),
    ("mental.bipolar", 0.4),
    ("mental.psychosis", 0.5),
    ("mental.eating_disorder", 0.5),
    ("mental.ptsd", 1.0),
    ("mental.substance_recovery", 1.0),
    ("msk.osteoarthritis", 8.0),
    ("msk.rheumatoid_arthritis", 0.8),
    ("msk.osteoporosis", 1.0),
    ("msk.back_pain", 6.0),
    ("msk.lupus_autoimmune", 0.3),
    ("digestive.ibd", 0.5),
    ("digestive.ibs", 4.0),
    ("digestive.coeliac", 0.5),
    ("digestive.liver", 0.6),
    ("pain_fatigue.chronic_pain", 5.0),
    ("pain_fatigue.fibromyalgia", 1.0),
    ("pain_fatigue.me_cfs", 0.4),
    ("pain_fatigue.long_covid", 1.5),
    ("sensory.sight_loss", 1.5),
    ("sensory.hearing_loss", 4.0),
    ("other.hiv", 0.15),
    ("other.sickle_cell", 0.03),
    ("other.skin", 3.0),
];

/// The 12 condition groups of §5.2.
pub const GROUPS: [&str; 12] = [
    "heart",
    "lungs",
    "metabolic",
    "kidney",
    "cancer",
    "neuro",
    "mental",
    "msk",
    "digestive",
    "pain_fatigue",
    "sensory",
    "other",
];

/// The 30 lived-experience tags of §5.4 that are not derived from stage, most popular first,
/// with their `sensitive` flag. (`journey.newly_diagnosed` and `journey.long_term` come from
/// the diagnosis date and are left out of the tag score.)
pub const TAGS: [(&str, bool); 30] = [
    ("journey.more_than_one_condition", false),
    ("life.living_alone", false),
    ("work.working", false),
    ("feelings.loneliness", false),
    ("journey.flare_up", false),
    ("work.stopped", false),
    ("work.money_worries", true),
    ("life.carer", false),
    ("life.older_adult", false),
    ("journey.new_treatment", false),
    ("journey.waiting_for_treatment", false),
    ("feelings.body_image", true),
    ("life.parent", false),
    ("journey.progressive", true),
    ("life.cared_for", false),
    ("journey.waiting_for_diagnosis", false),
    ("feelings.bereavement", true),
    ("journey.after_hospital", false),
    ("identity.faith", true),
    ("work.returning", false),
    ("life.rural", false),
    ("journey.device_or_equipment", false),
    ("identity.ethnic_minority", true),
    ("feelings.relationship_change", true),
    ("journey.finished_treatment", false),
    ("life.young_adult", false),
    ("identity.neurodivergent", true),
    ("identity.lgbtq", true),
    ("work.student", false),
    ("life.pregnancy", true),
];

/// Languages other than English in the synthetic population.
pub const OTHER_LANGUAGES: [&str; 5] = ["pl", "ur", "pa", "ro", "bn"];

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

/// A synthetic waiting pool.
#[derive(Clone, Debug, PartialEq)]
pub struct Population {
    /// Waiting requests, all of the requested format.
    pub people: Vec<Person>,
    /// Volunteers, one per ten people (rounded up).
    pub volunteers: Vec<Volunteer>,
    /// The related-groups table of §5.3.
    pub vocab: Vocab,
}

/// The related-groups table of §5.3, built in code: cardio-renal-metabolic, pain and fatigue,
/// breathlessness, and mental health with every other group when both people list a
/// mental-health condition. (Cancer subtypes already share a group.)
pub fn related_groups() -> Vocab {
    let mut v = Vocab::new();
    for (a, b) in [
        ("metabolic", "heart"),
        ("metabolic", "kidney"),
        ("msk", "pain_fatigue"),
        ("neuro", "pain_fatigue"),
        ("lungs", "heart"),
    ] {
        v.add_related(a, b, false);
    }
    for g in GROUPS {
        if g != "mental" {
            v.add_related("mental", g, true);
        }
    }
    v
}

/// The group of a condition id (`lungs.copd` → `lungs`).
pub fn group_of(condition: &str) -> &str {
    condition.split('.').next().unwrap_or(condition)
}

/// Whether a tag id is sensitive (§5.4); unknown ids are treated as sensitive.
pub fn is_sensitive(tag: &str) -> bool {
    TAGS.iter().find(|(t, _)| *t == tag).is_none_or(|(_, s)| *s)
}

/// Generates `n` waiting requests of `format` and `ceil(n / 10)` volunteers from `seed`.
pub fn generate(n: usize, seed: u64, format: Format) -> Population {
    let mut rng = StdRng::seed_from_u64(seed);
    let cond_cum = cumulative(CONDITIONS.iter().map(|(_, w)| *w));
    let tag_cum = cumulative((0..TAGS.len()).map(|r| 1.0 / (r as f64 + 1.0)));
    let people = (0..n)
        .map(|i| person(&mut rng, i, format, &cond_cum, &tag_cum))
        .collect();
    let volunteers = (0..n.div_ceil(10))
        .map(|i| volunteer(&mut rng, i, &cond_cum, &tag_cum))
        .collect();
    Population {
        people,
        volunteers,
        vocab: related_groups(),
    }
}

fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut sum = 0.0;
    weights
        .map(|w| {
            sum += w.max(0.0);
            sum
        })
        .collect()
}

/// An index drawn with probability proportional to its weight.
fn pick(rng: &mut StdRng, cum: &[f64]) -> usize {
    let total = cum.last().copied().unwrap_or(0.0);
    let x = rng.gen_range(0.0..1.0) * total;
    cum.partition_point(|c| *c <= x)
        .min(cum.len().saturating_sub(1))
}

/// `k` distinct indices drawn by weight.
fn pick_distinct(rng: &mut StdRng, cum: &[f64], k: usize) -> Vec<usize> {
    let k = k.min(cum.len());
    let mut out = Vec::with_capacity(k);
    while out.len() < k {
        let i = pick(rng, cum);
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// Knuth's method; fine for a small mean.
fn poisson(rng: &mut StdRng, mean: f64) -> usize {
    let limit = (-mean).exp();
    let mut k = 0;
    let mut p = rng.gen_range(0.0..1.0);
    while p > limit && k < 50 {
        k += 1;
        p *= rng.gen_range(0.0..1.0);
    }
    k
}

/// Box–Muller.
fn normal(rng: &mut StdRng, mean: f64, sd: f64) -> f64 {
    let u1: f64 = 1.0 - rng.gen_range(0.0..1.0);
    let u2: f64 = rng.gen_range(0.0..1.0);
    mean + sd * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn chance(rng: &mut StdRng, p: f64) -> bool {
    rng.gen_range(0.0..1.0) < p
}

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

fn person(rng: &mut StdRng, i: usize, format: Format, cond_cum: &[f64], tag_cum: &[f64]) -> Person {
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

fn volunteer(rng: &mut StdRng, i: usize, cond_cum: &[f64], tag_cum: &[f64]) -> Volunteer {
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

#[cfg(test)]
mod tests {
    use super::super::model::shared_hours;
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_population() {
        let a = generate(500, 42, Format::Pair);
        let b = generate(500, 42, Format::Pair);
        assert_eq!(a, b);
        let c = generate(500, 43, Format::Pair);
        assert_ne!(a.people, c.people);
    }

    #[test]
    fn every_request_has_the_asked_format_and_volunteers_are_one_in_ten() {
        let p = generate(95, 1, Format::Group);
        assert_eq!(p.people.len(), 95);
        assert_eq!(p.volunteers.len(), 10);
        assert!(p.people.iter().all(|x| x.format == Format::Group));
        assert!(generate(0, 1, Format::Pair).people.is_empty());
    }

    #[test]
    fn the_vocabulary_copies_have_the_documented_sizes() {
        assert_eq!(CONDITIONS.len(), 54);
        let mut ids: Vec<&str> = CONDITIONS.iter().map(|(c, _)| *c).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 54);
        for (c, _) in CONDITIONS {
            assert!(GROUPS.contains(&group_of(c)), "{c}");
        }
        for g in GROUPS {
            assert!(CONDITIONS.iter().any(|(c, _)| group_of(c) == g), "{g}");
        }
        assert_eq!(TAGS.iter().filter(|(_, s)| *s).count(), 10);
        assert!(!TAGS.iter().any(|(t, _)| *t == "journey.newly_diagnosed"));
        assert!(!TAGS.iter().any(|(t, _)| *t == "journey.long_term"));
    }

    #[test]
    fn related_groups_follow_section_5_3() {
        let v = related_groups();
        assert_eq!(v.relation("heart", "metabolic"), Some(false));
        assert_eq!(v.relation("kidney", "metabolic"), Some(false));
        assert_eq!(v.relation("pain_fatigue", "msk"), Some(false));
        assert_eq!(v.relation("pain_fatigue", "neuro"), Some(false));
        assert_eq!(v.relation("heart", "lungs"), Some(false));
        assert_eq!(v.relation("other", "mental"), Some(true));
        assert_eq!(v.relation("cancer", "cancer"), None);
        assert_eq!(v.relation("heart", "kidney"), None);
        assert_eq!(v.related_to("mental").count(), 11);
    }

    #[test]
    fn the_population_has_the_shape_section_4_8_describes() {
        let p = generate(20_000, 7, Format::Pair);
        let n = p.people.len() as f64;
        let share =
            |f: &dyn Fn(&Person) -> bool| p.people.iter().filter(|x| f(x)).count() as f64 / n;
        let multimorbid = share(&|x| x.conditions.len() > 1);
        assert!((0.40..0.50).contains(&multimorbid), "{multimorbid}");
        let english_only = share(&|x| x.session_languages == ["en"]);
        assert!((0.88..0.92).contains(&english_only), "{english_only}");
        let level1 = share(&|x| x.level == Some(1));
        assert!((0.20..0.32).contains(&level1), "{level1}");
        let level4 = share(&|x| x.level == Some(4));
        assert!((0.05..0.15).contains(&level4), "{level4}");
        let must_gender = share(&|x| x.gender_pref == Strength::Must);
        assert!((0.02..0.04).contains(&must_gender), "{must_gender}");
        let prefer_age = share(&|x| x.age_pref == Strength::Prefer);
        assert!((0.08..0.12).contains(&prefer_age), "{prefer_age}");
        assert!(p.people.iter().all(|x| x.tags.len() <= 5));
        assert!(
            p.people
                .iter()
                .all(|x| x.wait_secs >= 0 && x.wait_secs < 10 * DAY_SECS)
        );
        assert!(
            p.people
                .iter()
                .all(|x| x.conditions.first() == Some(&x.focus))
        );
        // Hypertension and depression are the most common focus conditions.
        let focus = |id: &str| p.people.iter().filter(|x| x.focus.id == id).count();
        assert!(focus("heart.high_blood_pressure") > focus("lungs.asthma"));
        assert!(focus("mental.depression") > focus("neuro.parkinsons") * 20);
    }

    #[test]
    fn availability_is_evening_heavy() {
        let p = generate(2_000, 3, Format::Pair);
        let evening = availability_mask(&Day::ALL.map(|d| (d, Part::Evening)), 0);
        let morning = availability_mask(&Day::ALL.map(|d| (d, Part::Morning)), 0);
        let (mut e, mut m) = (0, 0);
        for x in &p.people {
            e += shared_hours(&x.availability, &evening);
            m += shared_hours(&x.availability, &morning);
        }
        assert!(e > 2 * m, "evening {e} morning {m}");
    }

    #[test]
    fn volunteers_support_their_own_conditions_with_a_free_place() {
        let p = generate(300, 9, Format::OneToOne);
        for v in &p.volunteers {
            assert!((1..=3).contains(&v.free_one_to_one));
            assert!(v.stage_bin.is_some_and(|b| b >= 1));
            for c in &v.conditions {
                assert!(v.conditions_supported.contains(&c.id));
                assert!(v.groups_supported.contains(&c.group));
            }
        }
    }

    #[test]
    fn only_sensitive_tags_can_be_withheld_by_default() {
        let p = generate(1_000, 11, Format::Pair);
        for x in &p.people {
            for t in &x.tags {
                if !is_sensitive(t) {
                    assert!(x.shared_tags.contains(t));
                }
            }
            assert_eq!(
                x.progressive,
                x.tags.iter().any(|t| t == "journey.progressive")
            );
        }
    }
}
