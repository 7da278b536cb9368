//! Who reads what: group seats from the member's side, the volunteer's side, languages by
//! language. (Sentences over the served vocabulary: `tests/api/explanations.rs`.)

use std::collections::HashMap;

use super::*;
use crate::matching::model::{Condition, Format, Strength};

fn cond(id: &str) -> Condition {
    Condition::new(id, id.split('.').next().unwrap_or(id))
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Someone with `condition` as focus, sharing everything, English, group format.
fn person(user: &str, condition: &str) -> Person {
    Person {
        key: format!("req-{user}"),
        user: user.to_string(),
        format: Format::Group,
        focus: cond(condition),
        conditions: vec![cond(condition)],
        has_mental: false,
        tags: strs(&["life.carer"]),
        shared_tags: strs(&["life.carer"]),
        stage_bin: Some(1),
        progressive: false,
        level: Some(3),
        session_languages: strs(&["en"]),
        first_language: Some("en".into()),
        age_band: Some(2),
        gender: None,
        gender_pref: Strength::None,
        age_pref: Strength::None,
        availability: [0; 3],
        utc_offset_minutes: 0,
        wait_secs: 0,
        share_conditions: true,
        share_stage: true,
        share_availability: true,
        share_languages: true,
    }
}

fn volunteer() -> Volunteer {
    Volunteer {
        user: "v".into(),
        conditions_supported: strs(&["lungs.copd", "lungs.asthma"]),
        groups_supported: strs(&["lungs"]),
        conditions: vec![cond("lungs.copd")],
        has_mental: false,
        tags: strs(&["life.carer"]),
        shared_tags: strs(&["life.carer"]),
        stage_bin: Some(3),
        session_languages: strs(&["en-GB"]),
        first_language: Some("en-GB".into()),
        age_band: Some(2),
        gender: None,
        availability: [0; 3],
        free_one_to_one: 1,
        free_groups: 1,
        display_name: "Sam".into(),
        share_conditions: true,
        share_stage: true,
        share_availability: true,
        share_languages: true,
    }
}

#[test]
fn a_seat_counts_the_others_who_share_the_readers_condition() {
    let room: Vec<Person> = ["a", "b", "c"]
        .iter()
        .map(|u| person(u, "lungs.copd"))
        .collect();
    let others: Vec<&Person> = room.iter().collect();
    let me = person("me", "lungs.copd");
    assert_eq!(
        explain_seat(&me, &others, "lungs"),
        [Fact::OthersShareCondition {
            condition: "lungs.copd".into(),
            others: 3
        }]
    );
}

#[test]
fn asthma_in_a_copd_group_hears_about_the_lung_group_not_asthma() {
    let mut room: Vec<Person> = ["a", "b", "c"]
        .iter()
        .map(|u| person(u, "lungs.copd"))
        .collect();
    room[0].share_conditions = false;
    let others: Vec<&Person> = room.iter().collect();
    let me = person("me", "lungs.asthma");
    assert_eq!(
        explain_seat(&me, &others, "lungs"),
        [Fact::OthersShareGroup {
            group: "lungs".into(),
            others: 2
        }],
        "the member keeping conditions private is not counted"
    );
}

#[test]
fn a_seat_with_nothing_shareable_says_what_the_group_is_for() {
    let mut room = [person("a", "lungs.copd")];
    let me = person("me", "lungs.copd");
    room[0].share_conditions = false;
    let others: Vec<&Person> = room.iter().collect();
    let for_group = [Fact::GroupFor {
        group: "lungs".into(),
    }];
    assert_eq!(explain_seat(&me, &others, "lungs"), for_group);
    room[0].share_conditions = true;
    let mut private = me.clone();
    private.share_conditions = false;
    let others: Vec<&Person> = room.iter().collect();
    assert_eq!(explain_seat(&private, &others, "lungs"), for_group);
}

#[test]
fn a_facilitator_hears_the_size_and_the_shared_conditions() {
    let mut members: Vec<Person> = ["a", "b", "c", "d"]
        .iter()
        .map(|u| person(u, "lungs.copd"))
        .collect();
    members[1] = person("b", "lungs.asthma");
    members[3].share_conditions = false;
    let refs: Vec<&Person> = members.iter().collect();
    assert_eq!(
        explain_to_facilitator(&refs, &cond("lungs.copd")),
        [
            Fact::FacilitatingGroup { members: 4 },
            Fact::MembersWithCondition {
                condition: "lungs.copd".into(),
                count: 2
            },
            Fact::MembersWithGroup {
                group: "lungs".into(),
                count: 3
            },
        ]
    );
}

#[test]
fn a_volunteer_hears_who_and_why_within_what_the_member_shares() {
    let v = volunteer();
    let mut m = person("m", "lungs.copd");
    m.format = Format::OneToOne;
    m.session_languages = strs(&["en"]);
    let idf = HashMap::new();
    assert_eq!(
        explain_to_volunteer(&v, &m, &idf),
        [
            Fact::SupportingOneToOne,
            Fact::SameCondition {
                condition: "lungs.copd".into()
            },
            Fact::MemberSince {
                since: Since::SixMonthsToTwoYears
            },
            Fact::SharedTag {
                tag: "life.carer".into()
            },
        ]
    );
    let mut asthma = person("m", "lungs.asthma");
    asthma.tags.clear();
    asthma.shared_tags.clear();
    asthma.share_stage = false;
    assert_eq!(
        explain_to_volunteer(&v, &asthma, &idf),
        [
            Fact::SupportingOneToOne,
            Fact::MemberLivesWith {
                condition: "lungs.asthma".into()
            },
            // en-GB and en are one language.
            Fact::SameLanguage {
                language: "en-GB".into()
            },
        ]
    );
    let mut private = m.clone();
    private.share_conditions = false;
    private.share_stage = false;
    private.shared_tags.clear();
    private.share_languages = false;
    assert_eq!(
        explain_to_volunteer(&v, &private, &idf),
        [Fact::SupportingOneToOne]
    );
}

#[test]
fn a_first_language_is_the_same_whatever_the_region() {
    let mut a = person("a", "lungs.copd");
    let mut b = person("b", "lungs.copd");
    a.first_language = Some("en-GB".into());
    a.session_languages = strs(&["en-GB"]);
    b.session_languages = strs(&["en", "pl"]);
    assert!(language_fact(&Side::person(&a), &Side::person(&b)).is_some());
    b.first_language = Some("pl".into());
    assert!(language_fact(&Side::person(&a), &Side::person(&b)).is_none());
    // A sign language is not the spoken language of the same country.
    a.first_language = Some("sgn-GB".into());
    a.session_languages = strs(&["sgn-GB"]);
    b.first_language = Some("bfi".into());
    b.session_languages = strs(&["bfi"]);
    assert_eq!(
        language_fact(&Side::person(&a), &Side::person(&b)),
        Some(Fact::SameLanguage {
            language: "sgn-GB".into()
        })
    );
    b.first_language = Some("en-GB".into());
    b.session_languages = strs(&["en-GB"]);
    assert!(language_fact(&Side::person(&a), &Side::person(&b)).is_none());
}
