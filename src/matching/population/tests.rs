//! Unit tests of the synthetic population: reproducibility, the shape of §4.8, the
//! vocabulary copies, sharing defaults, availability and volunteers.

use super::super::model::{DAY_SECS, Day, Part, Strength, availability_mask, shared_hours};
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
    let share = |f: &dyn Fn(&Person) -> bool| p.people.iter().filter(|x| f(x)).count() as f64 / n;
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
