//! Unit tests of scoring: every hard constraint and score term against its definition, the
//! wait ladder, explanations, candidate edges against the pairwise rules, and properties.

use std::collections::HashMap;

use super::super::model::{
    Condition, Config, DAY_SECS, Day, Exclusions, Format, Part, Person, Strength, Vocab, Volunteer,
    availability_mask,
};
use super::super::population::{generate, related_groups};
use super::*;

const W: i64 = 7 * DAY_SECS;

fn cond(id: &str) -> Condition {
    Condition::new(id, id.split('.').next().unwrap())
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// A level-3, English-speaking woman aged 35–49 with COPD, diagnosed 6–24 months ago, free
/// on Monday evenings (UTC), sharing everything, waiting for a pair.
fn person(user: &str) -> Person {
    Person {
        key: format!("req-{user}"),
        user: user.to_string(),
        format: Format::Pair,
        focus: cond("lungs.copd"),
        conditions: vec![cond("lungs.copd")],
        has_mental: false,
        tags: Vec::new(),
        shared_tags: Vec::new(),
        stage_bin: Some(1),
        progressive: false,
        level: Some(3),
        session_languages: strs(&["en"]),
        first_language: Some("en".into()),
        age_band: Some(2),
        gender: Some("woman".into()),
        gender_pref: Strength::None,
        age_pref: Strength::None,
        availability: availability_mask(&[(Day::Mon, Part::Evening)], 0),
        utc_offset_minutes: 0,
        wait_secs: 0,
        share_conditions: true,
        share_stage: true,
        share_availability: true,
        share_languages: true,
    }
}

fn focus(p: &mut Person, ids: &[&str]) {
    p.conditions = ids.iter().map(|c| cond(c)).collect();
    p.focus = p.conditions[0].clone();
    p.has_mental = p.conditions.iter().any(|c| c.group == "mental");
}

fn tags(p: &mut Person, t: &[&str]) {
    p.tags = strs(t);
    p.shared_tags = strs(t);
}

/// A volunteer with COPD diagnosed over five years ago, supporting COPD and lungs.
fn volunteer(user: &str) -> Volunteer {
    Volunteer {
        user: user.to_string(),
        conditions_supported: strs(&["lungs.copd"]),
        groups_supported: strs(&["lungs"]),
        conditions: vec![cond("lungs.copd")],
        has_mental: false,
        tags: Vec::new(),
        shared_tags: Vec::new(),
        stage_bin: Some(3),
        session_languages: strs(&["en"]),
        first_language: Some("en".into()),
        age_band: Some(2),
        gender: Some("woman".into()),
        availability: availability_mask(&[(Day::Mon, Part::Evening)], 0),
        free_one_to_one: 2,
        free_groups: 0,
        display_name: "Sam".into(),
        share_conditions: true,
        share_stage: true,
        share_availability: true,
        share_languages: true,
    }
}

fn member(user: &str) -> Person {
    let mut m = person(user);
    m.format = Format::OneToOne;
    m
}

fn idf(pairs: &[(&str, f64)]) -> HashMap<String, f64> {
    pairs.iter().map(|(t, w)| (t.to_string(), *w)).collect()
}

type PeerSetup = fn(&mut Person, &mut Person, &mut Exclusions, &mut Config);

#[test]
fn every_peer_hard_constraint_holds() {
    let rows: &[(&str, PeerSetup, bool)] = &[
        ("two compatible people are feasible", |_, _, _, _| {}, true),
        (
            "the same user is never matched with themself",
            |_, b, _, _| b.user = "a".into(),
            false,
        ),
        (
            "a block or cool-down excludes the pair",
            |_, _, e, _| e.add("b", "a"),
            false,
        ),
        (
            "an exclusion between others does not matter",
            |_, _, e, _| e.add("a", "c"),
            true,
        ),
        (
            "no shared session language",
            |_, b, _, _| {
                b.session_languages = strs(&["pl"]);
                b.first_language = Some("pl".into());
            },
            false,
        ),
        (
            "a shared second language is enough",
            |_, b, _, _| {
                b.session_languages = strs(&["pl", "en"]);
                b.first_language = Some("pl".into());
            },
            true,
        ),
        (
            "a must on gender met by the same gender",
            |a, _, _, _| a.gender_pref = Strength::Must,
            true,
        ),
        (
            "a must on gender not met",
            |a, b, _, _| {
                a.gender_pref = Strength::Must;
                b.gender = Some("man".into());
            },
            false,
        ),
        (
            "an unknown gender never meets a must",
            |a, b, _, _| {
                a.gender_pref = Strength::Must;
                b.gender = None;
            },
            false,
        ),
        (
            "the other side's must counts too",
            |a, b, _, _| {
                b.gender_pref = Strength::Must;
                a.gender = Some("man".into());
            },
            false,
        ),
        (
            "a must on age met by the same band",
            |a, _, _, _| a.age_pref = Strength::Must,
            true,
        ),
        (
            "a must on age is not met one band away",
            |a, b, _, _| {
                a.age_pref = Strength::Must;
                b.age_band = Some(3);
            },
            false,
        ),
        (
            "an unknown age band never meets a must",
            |a, b, _, _| {
                a.age_pref = Strength::Must;
                b.age_band = None;
            },
            false,
        ),
        (
            "a must is never relaxed by waiting",
            |a, b, _, _| {
                a.gender_pref = Strength::Must;
                b.gender = Some("man".into());
                a.wait_secs = 3 * W;
            },
            false,
        ),
        (
            "an unmet prefer is not a hard constraint",
            |a, b, _, _| {
                a.gender_pref = Strength::Prefer;
                b.gender = Some("man".into());
            },
            true,
        ),
        (
            "level 1 is not placed in a peer room",
            |a, _, _, _| a.level = Some(1),
            false,
        ),
        (
            "level 1 on the other side either",
            |_, b, _, _| b.level = Some(1),
            false,
        ),
        (
            "level 1 is allowed when configured",
            |a, _, _, c| {
                a.level = Some(1);
                c.level1_in_peer_rooms = true;
            },
            true,
        ),
        (
            "an unknown level is allowed",
            |a, _, _, _| a.level = None,
            true,
        ),
        (
            "different groups and no shared tag are not relevant",
            |_, b, _, _| focus(b, &["msk.back_pain"]),
            false,
        ),
        (
            "a shared tag makes different groups relevant",
            |a, b, _, _| {
                focus(b, &["msk.back_pain"]);
                tags(a, &["life.carer"]);
                tags(b, &["life.carer"]);
            },
            true,
        ),
        (
            "a shared secondary group is relevant",
            |_, b, _, _| focus(b, &["msk.back_pain", "lungs.asthma"]),
            true,
        ),
        (
            "a related group alone is not relevant before the wait",
            |_, b, _, _| focus(b, &["heart.heart_failure"]),
            false,
        ),
        (
            "a related group is relevant once one side has waited W",
            |a, b, _, _| {
                focus(b, &["heart.heart_failure"]);
                a.wait_secs = W;
            },
            true,
        ),
        (
            "either side's relaxation counts",
            |_, b, _, _| {
                focus(b, &["heart.heart_failure"]);
                b.wait_secs = W;
            },
            true,
        ),
        (
            "relaxation does not make unrelated groups relevant",
            |a, b, _, _| {
                focus(b, &["msk.back_pain"]);
                a.wait_secs = 3 * W;
            },
            false,
        ),
        (
            "a mental-health relation needs both to list one",
            |a, b, _, _| {
                focus(a, &["mental.depression"]);
                focus(b, &["heart.heart_failure"]);
                a.wait_secs = W;
            },
            false,
        ),
        (
            "one-to-one requests are never peer-matched",
            |a, b, _, _| {
                a.format = Format::OneToOne;
                b.format = Format::OneToOne;
            },
            false,
        ),
        (
            "a pair request does not meet a group request",
            |_, b, _, _| b.format = Format::Group,
            false,
        ),
        (
            "two group requests are feasible",
            |a, b, _, _| {
                a.format = Format::Group;
                b.format = Format::Group;
            },
            true,
        ),
        (
            "availability is not a hard constraint",
            |_, b, _, _| b.availability = [0; 3],
            true,
        ),
    ];
    let vocab = related_groups();
    for (rule, setup, want) in rows {
        let (mut a, mut b) = (person("a"), person("b"));
        let mut excl = Exclusions::new();
        let mut cfg = Config::default();
        setup(&mut a, &mut b, &mut excl, &mut cfg);
        assert_eq!(feasible_peer(&a, &b, &vocab, &excl, &cfg), *want, "{rule}");
        assert_eq!(
            feasible_peer(&b, &a, &vocab, &excl, &cfg),
            *want,
            "{rule} (swapped)"
        );
    }
}

type VolunteerSetup = fn(&mut Person, &mut Volunteer, &mut Exclusions);

#[test]
fn every_volunteer_hard_constraint_holds() {
    let rows: &[(&str, VolunteerSetup, bool)] = &[
        (
            "a covering volunteer with a free place is feasible",
            |_, _, _| {},
            true,
        ),
        (
            "a member is never matched with themself",
            |_, v, _| v.user = "m".into(),
            false,
        ),
        (
            "a block or cool-down excludes the pair",
            |_, _, e| e.add("v", "m"),
            false,
        ),
        (
            "no shared session language",
            |_, v, _| v.session_languages = strs(&["pl"]),
            false,
        ),
        (
            "a volunteer at their caseload limit",
            |_, v, _| v.free_one_to_one = 0,
            false,
        ),
        (
            "covering the focus group is enough",
            |_, v, _| v.conditions_supported = strs(&["lungs.asthma"]),
            true,
        ),
        (
            "covering the focus condition is enough",
            |_, v, _| v.groups_supported.clear(),
            true,
        ),
        (
            "a volunteer for another group does not cover",
            |_, v, _| {
                v.conditions_supported = strs(&["heart.heart_failure"]);
                v.groups_supported = strs(&["heart"]);
            },
            false,
        ),
        (
            "a must on gender met",
            |m, _, _| m.gender_pref = Strength::Must,
            true,
        ),
        (
            "a must on gender not met",
            |m, v, _| {
                m.gender_pref = Strength::Must;
                v.gender = Some("man".into());
            },
            false,
        ),
        (
            "an unknown gender never meets a must",
            |m, v, _| {
                m.gender_pref = Strength::Must;
                v.gender = None;
            },
            false,
        ),
        (
            "a must on age not met",
            |m, v, _| {
                m.age_pref = Strength::Must;
                v.age_band = Some(4);
            },
            false,
        ),
        (
            "a must on age met",
            |m, _, _| m.age_pref = Strength::Must,
            true,
        ),
        (
            "a level-1 member can have a volunteer",
            |m, _, _| m.level = Some(1),
            true,
        ),
        (
            "only one-to-one requests go to volunteers",
            |m, _, _| m.format = Format::Pair,
            false,
        ),
    ];
    for (rule, setup, want) in rows {
        let (mut m, mut v) = (member("m"), volunteer("v"));
        let mut excl = Exclusions::new();
        setup(&mut m, &mut v, &mut excl);
        assert_eq!(
            feasible_volunteer(&m, &v, &excl, &Config::default()),
            *want,
            "{rule}"
        );
    }
}

type PeerTerm = fn(&mut Person, &mut Person);

fn assert_close(got: f64, want: f64, what: &str) {
    assert!((got - want).abs() < 1e-9, "{what}: got {got}, want {want}");
}

#[test]
fn every_peer_score_term_follows_its_definition() {
    let rows: &[(&str, Feature, PeerTerm, f64)] = &[
        ("same focus condition", Feature::Condition, |_, _| {}, 1.0),
        (
            "same group, other condition",
            Feature::Condition,
            |_, b| focus(b, &["lungs.asthma"]),
            0.5,
        ),
        (
            "related group",
            Feature::Condition,
            |_, b| focus(b, &["heart.heart_failure"]),
            0.25,
        ),
        (
            "unrelated groups",
            Feature::Condition,
            |_, b| focus(b, &["msk.back_pain"]),
            0.0,
        ),
        (
            "each side's focus against the other's conditions, averaged",
            Feature::Condition,
            |_, b| focus(b, &["lungs.asthma", "lungs.copd"]),
            0.75,
        ),
        (
            "a mental-health relation needs both to list one",
            Feature::Condition,
            |a, b| {
                focus(a, &["heart.heart_failure"]);
                focus(b, &["mental.anxiety"]);
            },
            0.0,
        ),
        (
            "with both listing one it scores as related",
            Feature::Condition,
            |a, b| {
                focus(a, &["heart.heart_failure", "mental.depression"]);
                focus(b, &["mental.anxiety"]);
            },
            0.375,
        ),
        ("no tags share nothing", Feature::Tags, |_, _| {}, 0.0),
        (
            "identical tags",
            Feature::Tags,
            |a, b| {
                tags(a, &["x", "y"]);
                tags(b, &["y", "x"]);
            },
            1.0,
        ),
        (
            "IDF-weighted Jaccard",
            Feature::Tags,
            |a, b| {
                tags(a, &["x", "y"]);
                tags(b, &["x", "z"]);
            },
            1.0 / 6.0,
        ),
        (
            "a rare shared tag counts more",
            Feature::Tags,
            |a, b| {
                tags(a, &["x", "r"]);
                tags(b, &["r"]);
            },
            0.75,
        ),
        (
            "a tag missing from the table weighs ln 2",
            Feature::Tags,
            |a, b| {
                tags(a, &["unknown"]);
                tags(b, &["unknown", "q"]);
            },
            0.5,
        ),
        ("same stage bin", Feature::Stage, |_, _| {}, 1.0),
        (
            "one bin apart",
            Feature::Stage,
            |_, b| b.stage_bin = Some(2),
            2.0 / 3.0,
        ),
        (
            "three bins apart",
            Feature::Stage,
            |a, b| {
                a.stage_bin = Some(0);
                b.stage_bin = Some(3);
            },
            0.0,
        ),
        (
            "unknown stage is neutral",
            Feature::Stage,
            |a, _| a.stage_bin = None,
            0.5,
        ),
        (
            "newly diagnosed with a progressive >5 y peer",
            Feature::Stage,
            |a, b| {
                a.stage_bin = Some(0);
                b.stage_bin = Some(3);
                b.progressive = true;
            },
            0.0,
        ),
        (
            "the progressive penalty is only for >5 y",
            Feature::Stage,
            |a, b| {
                a.stage_bin = Some(0);
                b.stage_bin = Some(2);
                b.progressive = true;
            },
            1.0 / 3.0,
        ),
        (
            "no shared hours",
            Feature::Availability,
            |_, b| b.availability = [0; 3],
            0.0,
        ),
        (
            "an hour outside the other's slots",
            Feature::Availability,
            |_, b| b.availability = [1 << 10, 0, 0],
            0.0,
        ),
        (
            "one shared hour of Monday evening",
            Feature::Availability,
            |_, b| b.availability = [1 << 18, 0, 0],
            1.0 / 3.0,
        ),
        (
            "three shared hours are enough",
            Feature::Availability,
            |_, b| b.availability = [0b111 << 18, 0, 0],
            1.0,
        ),
        (
            "six shared hours cap at one",
            Feature::Availability,
            |_, _| {},
            1.0,
        ),
        ("same level", Feature::Level, |_, _| {}, 1.0),
        (
            "one level apart",
            Feature::Level,
            |_, b| b.level = Some(2),
            2.0 / 3.0,
        ),
        (
            "three levels apart",
            Feature::Level,
            |a, b| {
                a.level = Some(1);
                b.level = Some(4);
            },
            0.0,
        ),
        (
            "unknown level is neutral",
            Feature::Level,
            |_, b| b.level = None,
            0.5,
        ),
        ("same first language", Feature::Language, |_, _| {}, 1.0),
        (
            "a shared second language",
            Feature::Language,
            |_, b| {
                b.session_languages = strs(&["pl", "en"]);
                b.first_language = Some("pl".into());
            },
            0.5,
        ),
        (
            "a first language that is not a session language",
            Feature::Language,
            |a, b| {
                a.session_languages = strs(&["pl"]);
                b.session_languages = strs(&["pl"]);
            },
            0.5,
        ),
        (
            "no shared language",
            Feature::Language,
            |_, b| {
                b.session_languages = strs(&["pl"]);
                b.first_language = Some("pl".into());
            },
            0.0,
        ),
        ("same age band", Feature::Age, |_, _| {}, 1.0),
        (
            "two bands apart",
            Feature::Age,
            |_, b| b.age_band = Some(4),
            0.6,
        ),
        (
            "five bands apart",
            Feature::Age,
            |a, b| {
                a.age_band = Some(0);
                b.age_band = Some(5);
            },
            0.0,
        ),
        (
            "unknown age band is neutral",
            Feature::Age,
            |_, b| b.age_band = None,
            0.5,
        ),
        (
            "an unmet age prefer",
            Feature::Age,
            |a, b| {
                a.age_pref = Strength::Prefer;
                b.age_band = Some(3);
            },
            0.8 * 0.3,
        ),
        (
            "a met age prefer",
            Feature::Age,
            |a, _| a.age_pref = Strength::Prefer,
            1.0,
        ),
        (
            "an age prefer is dropped at W",
            Feature::Age,
            |a, b| {
                a.age_pref = Strength::Prefer;
                a.wait_secs = W;
                b.age_band = Some(3);
            },
            0.8,
        ),
        (
            "no gender preference",
            Feature::Gender,
            |_, b| b.gender = Some("man".into()),
            1.0,
        ),
        (
            "a met gender prefer",
            Feature::Gender,
            |a, _| a.gender_pref = Strength::Prefer,
            1.0,
        ),
        (
            "an unmet gender prefer",
            Feature::Gender,
            |a, b| {
                a.gender_pref = Strength::Prefer;
                b.gender = Some("man".into());
            },
            0.3,
        ),
        (
            "both directions unmet multiply",
            Feature::Gender,
            |a, b| {
                a.gender_pref = Strength::Prefer;
                b.gender_pref = Strength::Prefer;
                b.gender = Some("man".into());
            },
            0.09,
        ),
        (
            "an unknown gender does not meet a prefer",
            Feature::Gender,
            |a, b| {
                a.gender_pref = Strength::Prefer;
                b.gender = None;
            },
            0.3,
        ),
        (
            "a prefer without one's own gender is ignored",
            Feature::Gender,
            |a, _| {
                a.gender_pref = Strength::Prefer;
                a.gender = None;
            },
            1.0,
        ),
        (
            "a gender prefer is dropped at W",
            Feature::Gender,
            |a, b| {
                a.gender_pref = Strength::Prefer;
                a.wait_secs = W;
                b.gender = Some("man".into());
            },
            1.0,
        ),
    ];
    let vocab = related_groups();
    let table = idf(&[
        ("x", 1.0),
        ("y", 2.0),
        ("z", 3.0),
        ("r", 3.0),
        ("q", LN_2_TEST),
    ]);
    let cfg = Config::default();
    for (rule, feature, setup, want) in rows {
        let (mut a, mut b) = (person("a"), person("b"));
        setup(&mut a, &mut b);
        let s = peer_score(&a, &b, &vocab, &table, &cfg);
        assert_close(s.part(*feature), *want, rule);
        let t = peer_score(&b, &a, &vocab, &table, &cfg);
        assert_eq!(s, t, "{rule}: the score is symmetric");
    }
}

const LN_2_TEST: f64 = std::f64::consts::LN_2;

type VolunteerTerm = fn(&mut Person, &mut Volunteer);

#[test]
fn every_volunteer_score_term_follows_its_definition() {
    let rows: &[(&str, Feature, VolunteerTerm, f64)] = &[
        (
            "the volunteer lives with the member's focus condition",
            Feature::Condition,
            |_, _| {},
            1.0,
        ),
        (
            "same group",
            Feature::Condition,
            |_, v| v.conditions = vec![cond("lungs.asthma")],
            0.5,
        ),
        (
            "related group",
            Feature::Condition,
            |_, v| v.conditions = vec![cond("heart.stroke_tia")],
            0.25,
        ),
        (
            "unrelated",
            Feature::Condition,
            |_, v| v.conditions = vec![cond("msk.back_pain")],
            0.0,
        ),
        (
            "coverage of the member's tags",
            Feature::Tags,
            |m, v| {
                tags(m, &["x", "z"]);
                v.tags = strs(&["x", "y"]);
            },
            0.25,
        ),
        (
            "full coverage",
            Feature::Tags,
            |m, v| {
                tags(m, &["x"]);
                v.tags = strs(&["x", "y"]);
            },
            1.0,
        ),
        (
            "a member with no tags is not covered",
            Feature::Tags,
            |_, v| v.tags = strs(&["x"]),
            0.0,
        ),
        ("the volunteer is ahead", Feature::Stage, |_, _| {}, 1.0),
        (
            "the same bin",
            Feature::Stage,
            |m, v| {
                m.stage_bin = Some(3);
                v.stage_bin = Some(3);
            },
            0.5,
        ),
        (
            "the volunteer is behind",
            Feature::Stage,
            |m, v| {
                m.stage_bin = Some(3);
                v.stage_bin = Some(2);
            },
            0.0,
        ),
        (
            "unknown stage is neutral",
            Feature::Stage,
            |m, _| m.stage_bin = None,
            0.5,
        ),
        (
            "level is handled by routing",
            Feature::Level,
            |m, _| m.level = Some(1),
            1.0,
        ),
        (
            "shared hours",
            Feature::Availability,
            |_, v| v.availability = [1 << 18, 0, 0],
            1.0 / 3.0,
        ),
        (
            "a shared second language",
            Feature::Language,
            |_, v| {
                v.session_languages = strs(&["pl", "en"]);
                v.first_language = Some("pl".into());
            },
            0.5,
        ),
        (
            "age proximity",
            Feature::Age,
            |_, v| v.age_band = Some(5),
            0.4,
        ),
        (
            "the member's unmet gender prefer",
            Feature::Gender,
            |m, v| {
                m.gender_pref = Strength::Prefer;
                v.gender = Some("man".into());
            },
            0.3,
        ),
        (
            "the member's prefer is dropped at W",
            Feature::Gender,
            |m, v| {
                m.gender_pref = Strength::Prefer;
                m.wait_secs = W;
                v.gender = Some("man".into());
            },
            1.0,
        ),
    ];
    let vocab = related_groups();
    let table = idf(&[("x", 1.0), ("y", 2.0), ("z", 3.0)]);
    for (rule, feature, setup, want) in rows {
        let (mut m, mut v) = (member("m"), volunteer("v"));
        setup(&mut m, &mut v);
        let s = volunteer_score(&m, &v, &vocab, &table, &Config::default());
        assert_close(s.part(*feature), *want, rule);
    }
}

#[test]
fn the_total_is_the_weighted_sum_to_two_decimals() {
    let vocab = related_groups();
    let cfg = Config::default();
    let (a, b) = (person("a"), person("b"));
    // Everything matches except tags (none): 100 − 20.
    assert_eq!(
        peer_score(&a, &b, &vocab, &HashMap::new(), &cfg).total,
        80.0
    );
    let mut c = person("c");
    focus(&mut c, &["lungs.asthma"]); // condition 0.5 → −15
    c.stage_bin = Some(2); // stage 2/3 → −4
    c.level = Some(2); // level 2/3 → −2.666…
    let s = peer_score(&a, &c, &vocab, &HashMap::new(), &cfg);
    assert_eq!(s.total, 58.33);
    assert_eq!(edge_weight(s.total, 0, 0), 5833);
    // Weights that do not sum to 100 are normalised.
    let mut doubled = cfg;
    doubled.weights.condition = 60.0;
    doubled.weights.tags = 40.0;
    doubled.weights.stage = 24.0;
    doubled.weights.availability = 24.0;
    doubled.weights.level = 16.0;
    doubled.weights.language = 12.0;
    doubled.weights.age = 12.0;
    doubled.weights.gender = 12.0;
    assert_eq!(
        peer_score(&a, &c, &vocab, &HashMap::new(), &doubled).total,
        58.33
    );
}

#[test]
fn the_wait_bonus_follows_section_4_6() {
    let rows = [
        ("no wait", 0, 0),
        ("a negative wait counts as none", -5, 0),
        ("half the maximum wait", W / 2, 0),
        ("three quarters", 3 * W / 4, 500),
        ("just before W", W - 1, 2000),
        ("at W the priority bonus is added", W, 102_000),
        ("long past W it stays", 10 * W, 102_000),
        ("i64::MAX does not overflow", i64::MAX, 102_000),
    ];
    for (rule, wait, want) in rows {
        assert_eq!(wait_bonus(wait, W), want, "{rule}");
    }
    assert_eq!(
        wait_bonus(0, 0),
        102_000,
        "a zero W counts every wait as past it"
    );
}

#[test]
fn the_relaxation_ladder_has_three_steps() {
    let rows = [
        (0, 0),
        (W - 1, 0),
        (W, 1),
        (3 * W / 2 - 1, 1),
        (3 * W / 2, 2),
        (2 * W - 1, 2),
        (2 * W, 3),
        (i64::MAX, 3),
        (i64::MIN, 0),
    ];
    for (wait, want) in rows {
        assert_eq!(relax_step(wait, W), want, "wait {wait}");
    }
}

#[test]
fn edges_are_offered_from_40_or_from_25_after_relaxing() {
    let cfg = Config::default();
    let rows = [
        (40.0, 0, 0, true),
        (39.99, 0, 0, false),
        (25.0, 1, 0, true),
        (25.0, 0, 2, true),
        (24.99, 3, 3, false),
        (39.0, 0, 0, false),
    ];
    for (score, a, b, want) in rows {
        assert_eq!(offered(score, a, b, &cfg), want, "{score} {a} {b}");
    }
}

#[test]
fn edge_weights_add_bonuses_to_the_score_in_hundredths() {
    assert_eq!(edge_weight(57.31, 0, 0), 5731);
    assert_eq!(edge_weight(100.0, 102_000, 102_000), 214_000);
    assert_eq!(edge_weight(f64::NAN, 7, 0), 7);
    assert_eq!(edge_weight(1.0, i64::MAX, i64::MAX), i64::MAX);
}

#[test]
fn tag_weights_are_rarer_for_fewer_people() {
    let mut people: Vec<Person> = (0..4).map(|i| person(&format!("u{i}"))).collect();
    for p in &mut people {
        p.tags = strs(&["common"]);
    }
    people[0].tags = strs(&["common", "rare", "rare"]);
    let refs: Vec<&Person> = people.iter().collect();
    let w = tag_idf(&refs);
    assert_close(w["common"], 2f64.ln(), "a tag everyone has");
    assert_close(w["rare"], 5f64.ln(), "a tag one person has, listed twice");
}

/// Hand-made words for the structure tests; the truth test over the served vocabulary is
/// `tests/api/explanations.rs`.
fn labels(id: &str) -> Option<String> {
    match id {
        "lungs.copd" => Some("COPD"),
        "lungs" => Some("a lung condition"),
        "life.carer" => Some("care for someone else"),
        _ => None,
    }
    .map(str::to_string)
}

fn say(f: &Fact) -> String {
    render(f, &labels).unwrap()
}

fn facts_for(a: &Person, b: &Person) -> Vec<Fact> {
    let table = idf(&[("life.carer", 2.0), ("work.working", 1.0)]);
    let s = peer_score(a, b, &related_groups(), &table, &Config::default());
    explain_pair(a, b, &s, &table, &Config::default())
}

#[test]
fn an_explanation_gives_the_top_three_shareable_facts_in_plain_words() {
    let (mut a, mut b) = (person("a"), person("b"));
    tags(&mut a, &["life.carer"]);
    tags(&mut b, &["life.carer"]);
    let facts = facts_for(&a, &b);
    let words: Vec<String> = facts.iter().map(say).collect();
    assert_eq!(
        words,
        [
            "You both live with COPD.",
            "You both care for someone else.",
            "You were both diagnosed between six months and two years ago.",
        ]
    );
}

#[test]
fn nothing_a_person_keeps_private_is_explained() {
    let (mut a, mut b) = (person("a"), person("b"));
    tags(&mut a, &["life.carer"]);
    tags(&mut b, &["life.carer"]);
    b.shared_tags.clear();
    b.share_conditions = false;
    a.share_stage = false;
    let facts = facts_for(&a, &b);
    assert!(facts.iter().all(|f| !matches!(
        f,
        Fact::SameCondition { .. } | Fact::SharedTag { .. } | Fact::SameStage { .. }
    )));
    assert_eq!(say(&facts[0]), "You're both free on weekday evenings.");
    assert_eq!(say(&facts[1]), "You both prefer to talk in English.");
}

#[test]
fn weak_contributions_and_levels_are_never_explained() {
    let (a, mut b) = (person("a"), person("b"));
    b.stage_bin = Some(3); // f = 1/3
    b.availability = [0; 3];
    let facts = facts_for(&a, &b);
    assert!(facts.iter().all(|f| !matches!(
        f,
        Fact::SameStage { .. } | Fact::SimilarStage | Fact::SharedAvailability { .. }
    )));
    assert!(facts.len() <= 3);
}

#[test]
fn availability_is_worded_in_the_readers_own_time() {
    let (mut a, mut b) = (person("a"), person("b"));
    a.share_conditions = false;
    a.share_stage = false;
    // Saturday morning in UTC+1 for both: the reader sees "weekend mornings".
    a.availability = availability_mask(&[(Day::Sat, Part::Morning)], 60);
    b.availability = a.availability;
    a.utc_offset_minutes = 60;
    let facts = facts_for(&a, &b);
    assert_eq!(
        facts[0],
        Fact::SharedAvailability {
            days: Days::Weekends,
            part: Part::Morning
        }
    );
    assert_eq!(say(&facts[0]), "You're both free on weekend mornings.");
}

#[test]
fn a_shared_first_language_is_explained_by_name() {
    let (mut a, mut b) = (person("a"), person("b"));
    for p in [&mut a, &mut b] {
        p.session_languages = strs(&["pl", "en"]);
        p.first_language = Some("pl".into());
        p.share_conditions = false;
        p.share_stage = false;
        p.share_availability = false;
    }
    let facts = facts_for(&a, &b);
    assert_eq!(say(&facts[0]), "You both prefer to talk in Polish.");
}

#[test]
fn a_relaxed_match_says_why_first() {
    let (mut a, mut b) = (person("a"), person("b"));
    focus(&mut b, &["heart.heart_failure"]);
    a.wait_secs = W;
    tags(&mut a, &["life.carer"]);
    tags(&mut b, &["life.carer"]);
    let facts = facts_for(&a, &b);
    assert_eq!(
        say(&facts[0]),
        "We couldn't find someone with exactly the same condition this week, so we've \
         matched you on something else you have in common: you both care for someone else."
    );
    assert!(!facts.iter().any(|f| matches!(f, Fact::SharedTag { .. })));
    // The other side did not wait, so hears no apology.
    assert!(
        !facts_for(&b, &a)
            .iter()
            .any(|f| matches!(f, Fact::Relaxed { .. }))
    );
}

#[test]
fn a_volunteer_further_along_is_introduced_by_name() {
    let (m, v) = (member("m"), volunteer("v"));
    let cfg = Config::default();
    let s = volunteer_score(&m, &v, &related_groups(), &HashMap::new(), &cfg);
    let facts = explain_volunteer(&m, &v, &s, &HashMap::new(), &cfg);
    let words: Vec<String> = facts.iter().map(say).collect();
    assert_eq!(words[0], "You both live with COPD.");
    assert_eq!(
        words[1],
        "Sam was diagnosed more than five years ago and has trained as a peer supporter. \
         They've been where you are now."
    );
}

#[test]
fn facts_serialise_as_tagged_objects() {
    let f = Fact::SameCondition {
        condition: "lungs.copd".into(),
    };
    assert_eq!(
        serde_json::to_value(&f).unwrap(),
        serde_json::json!({"kind": "same_condition", "condition": "lungs.copd"})
    );
    let f = Fact::SameStage {
        since: Since::UnderSixMonths,
    };
    assert_eq!(
        serde_json::to_value(&f).unwrap(),
        serde_json::json!({"kind": "same_stage", "since": "under_six_months"})
    );
}

#[test]
fn rendered_facts_never_contain_numbers() {
    let pop = generate(300, 5, Format::Pair);
    let cfg = Config::default();
    let refs: Vec<&Person> = pop.people.iter().collect();
    let table = tag_idf(&refs);
    let mut seen = 0;
    for a in pop.people.iter().take(60) {
        for b in pop.people.iter().take(60) {
            let s = peer_score(a, b, &pop.vocab, &table, &cfg);
            for f in explain_pair(a, b, &s, &table, &cfg) {
                let text = render(&f, &|_| Some("something".to_string())).unwrap();
                assert!(!text.chars().any(|c| c.is_ascii_digit()), "{text}");
                seen += 1;
            }
        }
    }
    assert!(seen > 1000);
}

fn brute_force_has_partner(people: &[Person], vocab: &Vocab, excl: &Exclusions) -> Vec<bool> {
    let cfg = Config::default();
    let refs: Vec<&Person> = people.iter().collect();
    let table = tag_idf(&refs);
    let mut has = vec![false; people.len()];
    for i in 0..people.len() {
        for j in i + 1..people.len() {
            let (a, b) = (&people[i], &people[j]);
            if feasible_peer(a, b, vocab, excl, &cfg) {
                let s = peer_score(a, b, vocab, &table, &cfg);
                if offered(s.total, person_step(a, &cfg), person_step(b, &cfg), &cfg) {
                    has[i] = true;
                    has[j] = true;
                }
            }
        }
    }
    has
}

#[test]
fn candidate_edges_agree_with_the_pairwise_rules() {
    let pop = generate(400, 17, Format::Pair);
    let mut excl = Exclusions::new();
    excl.add(&pop.people[0].user, &pop.people[1].user);
    let cfg = Config::default();
    let edges = candidate_pairs(&pop.people, &pop.vocab, &excl, &cfg, 5);
    let refs: Vec<&Person> = pop.people.iter().collect();
    let table = tag_idf(&refs);
    assert!(!edges.is_empty());
    assert!(
        edges
            .windows(2)
            .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1))
    );
    for (i, j, w) in &edges {
        assert!(i < j);
        let (a, b) = (&pop.people[*i as usize], &pop.people[*j as usize]);
        assert!(feasible_peer(a, b, &pop.vocab, &excl, &cfg));
        let s = peer_score(a, b, &pop.vocab, &table, &cfg);
        assert!(offered(
            s.total,
            person_step(a, &cfg),
            person_step(b, &cfg),
            &cfg
        ));
        assert_eq!(
            *w,
            edge_weight(s.total, person_bonus(a, &cfg), person_bonus(b, &cfg))
        );
    }
    assert!(!edges.iter().any(|(i, j, _)| (*i, *j) == (0, 1)));
    // Nobody with an offered partner is left without an edge.
    let has = brute_force_has_partner(&pop.people, &pop.vocab, &excl);
    for (k, want) in has.iter().enumerate() {
        let got = edges
            .iter()
            .any(|(i, j, _)| *i as usize == k || *j as usize == k);
        assert_eq!(got, *want, "person {k}");
    }
}

#[test]
fn each_person_keeps_their_best_edges() {
    let pop = generate(300, 23, Format::Group);
    let cfg = Config::default();
    let k = 3;
    let edges = candidate_pairs(&pop.people, &pop.vocab, &Exclusions::new(), &cfg, k);
    let all = candidate_pairs(&pop.people, &pop.vocab, &Exclusions::new(), &cfg, 10_000);
    // Candidates are people in the same or a related focus group; someone with fewer
    // than k of those is compared with everyone.
    let in_range = |i: u32, j: u32| {
        let (a, b) = (&pop.people[i as usize], &pop.people[j as usize]);
        a.focus.group == b.focus.group
            || pop
                .vocab
                .relation(&a.focus.group, &b.focus.group)
                .is_some_and(|m| !m || (a.has_mental && b.has_mental))
    };
    let n = pop.people.len() as u32;
    let mine = |p: u32| -> Vec<&(u32, u32, i64)> {
        all.iter().filter(|(i, j, _)| *i == p || *j == p).collect()
    };
    let widened: Vec<bool> = (0..n)
        .map(|p| mine(p).iter().filter(|(i, j, _)| in_range(*i, *j)).count() < k)
        .collect();
    for p in 0..n {
        let other = |(i, j, _): &&(u32, u32, i64)| if *i == p { *j } else { *i };
        let pool: Vec<&(u32, u32, i64)> = mine(p)
            .into_iter()
            .filter(|e| widened[p as usize] || widened[other(e) as usize] || in_range(e.0, e.1))
            .collect();
        // Ranked by compatibility: the weight without either person's wait bonus.
        let rank = |(i, j, w): &(u32, u32, i64)| {
            w - person_bonus(&pop.people[*i as usize], &cfg)
                - person_bonus(&pop.people[*j as usize], &cfg)
        };
        let mut best: Vec<i64> = pool.iter().map(|e| rank(e)).collect();
        best.sort_unstable_by(|x, y| y.cmp(x));
        for r in best.iter().take(k) {
            assert!(
                edges
                    .iter()
                    .any(|e| (e.0 == p || e.1 == p) && rank(e) == *r),
                "person {p} lost a partner of compatibility {r}"
            );
        }
    }
    assert!(edges.len() < all.len());
    assert_eq!(
        edges,
        candidate_pairs(&pop.people, &pop.vocab, &Exclusions::new(), &cfg, k),
        "the same input gives the same edges"
    );
}

#[test]
fn minority_languages_and_rare_conditions_are_widened() {
    // Two Polish speakers with unrelated conditions who share a tag: outside each other's
    // focus buckets, found by widening.
    let (mut a, mut b) = (person("a"), person("b"));
    focus(&mut b, &["msk.back_pain"]);
    for p in [&mut a, &mut b] {
        p.session_languages = strs(&["pl"]);
        p.first_language = Some("pl".into());
        tags(p, &["life.carer", "work.working"]);
    }
    let mut people = vec![a, b];
    people.extend((0..20).map(|i| person(&format!("en{i}"))));
    let edges = candidate_pairs(
        &people,
        &related_groups(),
        &Exclusions::new(),
        &Config::default(),
        5,
    );
    assert!(edges.iter().any(|(i, j, _)| (*i, *j) == (0, 1)));
}

#[test]
fn many_distinct_ids_take_the_general_path_with_the_same_numbers() {
    // More than 64 tags and languages: sets are compared by merging, not by signature.
    let mut people: Vec<Person> = (0..80)
        .map(|i| {
            let mut p = person(&format!("u{i}"));
            tags(
                &mut p,
                &[
                    &format!("t{i}"),
                    &format!("t{}", (i + 1) % 80),
                    "life.carer",
                ],
            );
            p.session_languages = vec![format!("l{i}"), format!("l{}", (i + 7) % 80), "en".into()];
            p.first_language = Some(format!("l{i}"));
            p
        })
        .collect();
    people[3].session_languages = strs(&["zz"]);
    let cfg = Config::default();
    let vocab = related_groups();
    let edges = candidate_pairs(&people, &vocab, &Exclusions::new(), &cfg, 80);
    let refs: Vec<&Person> = people.iter().collect();
    let table = tag_idf(&refs);
    assert_eq!(
        edges.len(),
        79 * 78 / 2,
        "everyone but the zz speaker pairs up"
    );
    for (i, j, w) in &edges {
        let (a, b) = (&people[*i as usize], &people[*j as usize]);
        let s = peer_score(a, b, &vocab, &table, &cfg);
        assert_eq!(*w, edge_weight(s.total, 0, 0), "{i}–{j}");
    }
}

#[test]
fn degenerate_inputs_give_no_edges() {
    let vocab = related_groups();
    let cfg = Config::default();
    let one = vec![person("a")];
    assert!(candidate_pairs(&one, &vocab, &Exclusions::new(), &cfg, 5).is_empty());
    let two = vec![person("a"), person("b")];
    assert!(candidate_pairs(&two, &vocab, &Exclusions::new(), &cfg, 0).is_empty());
    assert_eq!(
        candidate_pairs(&two, &vocab, &Exclusions::new(), &cfg, 1).len(),
        1
    );
}

#[test]
fn a_packed_pool_scores_exactly_like_the_pairwise_functions() {
    let pop = generate(120, 31, Format::Pair);
    let one = generate(40, 32, Format::OneToOne);
    let mut excl = Exclusions::new();
    excl.add(&pop.people[0].user, &pop.people[1].user);
    excl.add(&one.people[0].user, &one.volunteers[0].user);
    let cfg = Config::default();
    let people: Vec<&Person> = pop.people.iter().chain(&one.people).collect();
    let vols: Vec<&Volunteer> = one.volunteers.iter().collect();
    let table = tag_idf(&people);
    let scorer = Scorer::new(&people, &vols, &pop.vocab, &excl, &table, &cfg);
    for (i, a) in people.iter().enumerate() {
        assert_eq!(scorer.step(i), person_step(a, &cfg));
        assert_eq!(scorer.bonus(i), person_bonus(a, &cfg));
        for (j, b) in people.iter().enumerate().step_by(7) {
            assert_eq!(
                scorer.feasible_peer(i, j),
                feasible_peer(a, b, &pop.vocab, &excl, &cfg)
            );
            let s = peer_score(a, b, &pop.vocab, &table, &cfg);
            assert_eq!(scorer.peer_total(i, j), s.total);
            assert_eq!(scorer.peer_score(i, j), s);
        }
        for (v, x) in vols.iter().enumerate() {
            assert_eq!(
                scorer.feasible_volunteer(i, v),
                feasible_volunteer(a, x, &excl, &cfg)
            );
            assert_eq!(
                scorer.volunteer_score(i, v),
                volunteer_score(a, x, &pop.vocab, &table, &cfg)
            );
        }
    }
    assert!(!scorer.feasible_peer(0, people.len()));
    assert_eq!(scorer.peer_total(people.len(), 0), 0.0);
}

#[test]
fn candidate_weights_use_the_given_tag_table() {
    let (mut a, mut b) = (person("a"), person("b"));
    tags(&mut a, &["x"]);
    tags(&mut b, &["x", "y"]);
    let people = vec![a, b];
    let (vocab, cfg, excl) = (related_groups(), Config::default(), Exclusions::new());
    let table = idf(&[("x", 1.0), ("y", 3.0)]);
    let edges = candidate_pairs_with_idf(&people, &vocab, &excl, &cfg, 5, &table);
    let s = peer_score(&people[0], &people[1], &vocab, &table, &cfg);
    assert_eq!(edges, vec![(0, 1, edge_weight(s.total, 0, 0))]);
    assert_ne!(
        candidate_pairs(&people, &vocab, &excl, &cfg, 5),
        edges,
        "the pool's own table weighs x and y equally"
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    const CONDS: [&str; 8] = [
        "lungs.copd",
        "lungs.asthma",
        "heart.heart_failure",
        "metabolic.type2_diabetes",
        "mental.depression",
        "mental.anxiety",
        "msk.back_pain",
        "pain_fatigue.chronic_pain",
    ];
    const TAG_IDS: [&str; 6] = ["a", "b", "c", "d", "e", "journey.progressive"];
    const LANGS: [&str; 3] = ["en", "pl", "ur"];
    const GENDERS: [&str; 3] = ["woman", "man", "non_binary"];

    fn strength() -> impl Strategy<Value = Strength> {
        prop_oneof![
            Just(Strength::None),
            Just(Strength::Prefer),
            Just(Strength::Must)
        ]
    }

    prop_compose! {
        fn arb_person(user: &'static str)(
            conds in proptest::sample::subsequence(CONDS.to_vec(), 1..4),
            first in 0usize..3,
            tag_ids in proptest::sample::subsequence(TAG_IDS.to_vec(), 0..5),
            shared in any::<[bool; 6]>(),
            langs in proptest::sample::subsequence(LANGS.to_vec(), 1..3),
            first_lang in proptest::option::of(proptest::sample::select(LANGS.to_vec())),
            stage in proptest::option::of(0u8..4),
            level in proptest::option::of(1u8..=4),
            age in proptest::option::of(0u8..6),
            gender in proptest::option::of(proptest::sample::select(GENDERS.to_vec())),
            gender_pref in strength(),
            age_pref in strength(),
            avail in any::<[u64; 3]>(),
            offset in prop_oneof![Just(0), Just(60), Just(-300)],
            wait in 0i64..30 * DAY_SECS,
            group in any::<bool>(),
            share in any::<[bool; 4]>(),
        ) -> Person {
            let mut p = person(user);
            let conds: Vec<&str> = conds;
            let f = first % conds.len();
            let mut ordered = vec![conds[f]];
            ordered.extend(conds.iter().enumerate().filter(|(i, _)| *i != f).map(|(_, c)| *c));
            focus(&mut p, &ordered);
            p.tags = strs(&tag_ids);
            p.shared_tags = tag_ids.iter().zip(shared).filter(|(_, s)| *s).map(|(t, _)| t.to_string()).collect();
            p.progressive = p.tags.iter().any(|t| t == "journey.progressive");
            p.session_languages = strs(&langs);
            p.first_language = first_lang.map(str::to_string);
            p.stage_bin = stage;
            p.level = level;
            p.age_band = age;
            p.gender = gender.map(str::to_string);
            p.gender_pref = gender_pref;
            p.age_pref = age_pref;
            p.availability = [avail[0], avail[1], avail[2] & ((1u64 << 40) - 1)];
            p.utc_offset_minutes = offset;
            p.wait_secs = wait;
            p.format = if group { Format::Group } else { Format::Pair };
            [p.share_conditions, p.share_stage, p.share_availability, p.share_languages] = share;
            p
        }
    }

    proptest! {
        #[test]
        fn peer_scores_are_bounded_and_symmetric(a in arb_person("a"), b in arb_person("b")) {
            let vocab = related_groups();
            let cfg = Config::default();
            let table = tag_idf(&[&a, &b]);
            let s = peer_score(&a, &b, &vocab, &table, &cfg);
            prop_assert!((0.0..=100.0).contains(&s.total));
            prop_assert!(s.parts.iter().all(|(_, f)| (0.0..=1.0).contains(f)));
            prop_assert_eq!(&s, &peer_score(&b, &a, &vocab, &table, &cfg));
            prop_assert_eq!((s.total * 100.0).round() / 100.0, s.total);
        }

        #[test]
        fn peer_feasibility_is_symmetric(a in arb_person("a"), b in arb_person("b"), excluded in any::<bool>()) {
            let vocab = related_groups();
            let cfg = Config::default();
            let mut excl = Exclusions::new();
            if excluded {
                excl.add("a", "b");
            }
            let ab = feasible_peer(&a, &b, &vocab, &excl, &cfg);
            prop_assert_eq!(ab, feasible_peer(&b, &a, &vocab, &excl, &cfg));
            if excluded {
                prop_assert!(!ab);
            }
        }

        #[test]
        fn volunteer_scores_are_bounded(m in arb_person("m"), p in arb_person("v")) {
            let mut v = volunteer("v");
            v.conditions = p.conditions.clone();
            v.has_mental = p.has_mental;
            v.tags = p.tags.clone();
            v.stage_bin = p.stage_bin;
            v.session_languages = p.session_languages.clone();
            v.age_band = p.age_band;
            v.gender = p.gender.clone();
            v.availability = p.availability;
            let s = volunteer_score(&m, &v, &related_groups(), &tag_idf(&[&m]), &Config::default());
            prop_assert!((0.0..=100.0).contains(&s.total));
            prop_assert!(s.parts.iter().all(|(_, f)| (0.0..=1.0).contains(f)));
        }

        #[test]
        fn edge_weights_never_overflow(total in 0.0f64..=100.0, wa in any::<i64>(), wb in any::<i64>(), max in 1i64..=30 * DAY_SECS) {
            let (ba, bb) = (wait_bonus(wa, max), wait_bonus(wb, max));
            prop_assert!((0..=WAIT_BONUS_MAX + PRIORITY_BONUS).contains(&ba));
            let w = edge_weight(total, ba, bb);
            prop_assert_eq!(w, (100.0 * total).round() as i64 + ba + bb);
            prop_assert!(w <= 10_000 + 2 * (WAIT_BONUS_MAX + PRIORITY_BONUS));
            // Even a sum over a large batch of maximal edges fits in i64.
            prop_assert!(w.checked_mul(1_000_000).is_some());
        }

        #[test]
        fn waiting_longer_never_lowers_the_bonus_or_the_step(w1 in any::<i64>(), w2 in any::<i64>(), max in 1i64..=30 * DAY_SECS) {
            let (lo, hi) = (w1.min(w2), w1.max(w2));
            prop_assert!(wait_bonus(lo, max) <= wait_bonus(hi, max));
            prop_assert!(relax_step(lo, max) <= relax_step(hi, max));
        }

        #[test]
        fn batch_edges_match_pairwise_scores(people in proptest::collection::vec(arb_person("x"), 2..12)) {
            let people: Vec<Person> = people
                .into_iter()
                .enumerate()
                .map(|(i, mut p)| { p.user = format!("u{}", i / 2); p })
                .collect();
            let vocab = related_groups();
            let cfg = Config::default();
            let refs: Vec<&Person> = people.iter().collect();
            let table = tag_idf(&refs);
            let edges = candidate_pairs(&people, &vocab, &Exclusions::new(), &cfg, 100);
            for (i, j, w) in &edges {
                let (a, b) = (&people[*i as usize], &people[*j as usize]);
                prop_assert!(feasible_peer(a, b, &vocab, &Exclusions::new(), &cfg));
                let s = peer_score(a, b, &vocab, &table, &cfg);
                prop_assert_eq!(*w, edge_weight(s.total, person_bonus(a, &cfg), person_bonus(b, &cfg)));
            }
        }
    }
}

fn speaking(user: &str, langs: &[&str]) -> Person {
    let mut p = person(user);
    p.session_languages = strs(langs);
    p.first_language = langs.first().map(|l| l.to_string());
    p
}

#[test]
fn a_language_matches_whatever_the_region() {
    let (v, e, c) = (Vocab::new(), Exclusions::new(), Config::default());
    let gb = speaking("a", &["en-GB"]);
    for other in ["en", "en-US", "en-GB"] {
        assert!(
            feasible_peer(&gb, &speaking("b", &[other]), &v, &e, &c),
            "{other}"
        );
    }
    assert!(!feasible_peer(&gb, &speaking("b", &["pl"]), &v, &e, &c));
    let mut m = member("m");
    m.session_languages = strs(&["en-GB"]);
    let mut vol = volunteer("v");
    vol.session_languages = strs(&["en"]);
    assert!(feasible_volunteer(&m, &vol, &e, &c));
}

#[test]
fn sign_languages_are_their_own_languages() {
    let (v, e, c) = (Vocab::new(), Exclusions::new(), Config::default());
    let bsl = speaking("a", &["bfi"]);
    assert!(feasible_peer(&bsl, &speaking("b", &["sgn-GB"]), &v, &e, &c));
    assert!(!feasible_peer(
        &bsl,
        &speaking("b", &["sgn-US"]),
        &v,
        &e,
        &c
    ));
    assert!(!feasible_peer(&bsl, &speaking("b", &["ase"]), &v, &e, &c));
    assert!(!feasible_peer(&bsl, &speaking("b", &["en-GB"]), &v, &e, &c));
    assert!(!feasible_peer(
        &speaking("a", &["sgn-AU"]),
        &speaking("b", &["sgn-NZ"]),
        &v,
        &e,
        &c
    ));
}

#[test]
fn a_regional_match_is_a_small_bonus_over_the_same_language() {
    let (v, c) = (Vocab::new(), Config::default());
    let lang = |a: &[&str], b: &[&str]| {
        peer_score(
            &speaking("a", a),
            &speaking("b", b),
            &v,
            &HashMap::new(),
            &c,
        )
        .part(Feature::Language)
    };
    assert_eq!(lang(&["en-GB"], &["en-GB"]), 1.0);
    assert_eq!(lang(&["en"], &["en"]), 1.0);
    assert_eq!(lang(&["en-GB"], &["en"]), c.other_region_language);
    assert_eq!(lang(&["en-GB"], &["en-US"]), 0.9);
    assert_eq!(lang(&["pl", "en-GB"], &["en"]), 0.5);
    assert_eq!(lang(&["bfi"], &["sgn-GB"]), 0.9);
    let same = peer_score(
        &speaking("a", &["en-GB"]),
        &speaking("b", &["en-GB"]),
        &v,
        &HashMap::new(),
        &c,
    );
    let other = peer_score(
        &speaking("a", &["en-GB"]),
        &speaking("b", &["en"]),
        &v,
        &HashMap::new(),
        &c,
    );
    assert!(
        (same.total - other.total - 0.6).abs() < 1e-9,
        "{} {}",
        same.total,
        other.total
    );
    // The same for a volunteer.
    let mut m = member("m");
    m.session_languages = strs(&["en-GB"]);
    m.first_language = Some("en-GB".into());
    let vol = volunteer("v");
    let s = volunteer_score(&m, &vol, &v, &HashMap::new(), &c);
    assert_eq!(s.part(Feature::Language), 0.9);
}

#[test]
fn level_1_is_a_pair_rule_and_a_group_composition_rule() {
    let (v, e, c) = (Vocab::new(), Exclusions::new(), Config::default());
    let mut a = person("a");
    a.level = Some(1);
    let b = person("b");
    assert!(!feasible_peer(&a, &b, &v, &e, &c));
    let (mut ga, mut gb) = (a, b);
    ga.format = Format::Group;
    gb.format = Format::Group;
    assert!(feasible_peer(&ga, &gb, &v, &e, &c));
}
