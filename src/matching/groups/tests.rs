//! Unit tests of group planning: a seat in an open group holds every hard constraint (`must`s
//! both ways and towards the facilitator, composition, former members, languages by key), and
//! level-1 members are placed in facilitated groups, new or open.

use std::collections::HashMap;

use super::*;
use crate::matching::model::{Condition, Format, Strength};

fn copd() -> Condition {
    Condition::new("lungs.copd", "lungs")
}

/// A level-3 woman aged 35–49 with COPD, speaking `en`, waiting for a group.
fn person(user: &str) -> Person {
    Person {
        key: format!("req-{user}"),
        user: user.to_string(),
        format: Format::Group,
        focus: copd(),
        conditions: vec![copd()],
        has_mental: false,
        tags: Vec::new(),
        shared_tags: Vec::new(),
        stage_bin: Some(1),
        progressive: false,
        level: Some(3),
        session_languages: vec!["en".into()],
        first_language: Some("en".into()),
        age_band: Some(2),
        gender: Some("woman".into()),
        gender_pref: Strength::None,
        age_pref: Strength::None,
        availability: [0; 3],
        utc_offset_minutes: 0,
        wait_secs: 1_000,
        share_conditions: true,
        share_stage: true,
        share_availability: true,
        share_languages: true,
    }
}

fn man(user: &str) -> Person {
    let mut p = person(user);
    p.gender = Some("man".into());
    p
}

/// A seated member as the pool passes one: key = user id, the room's focus.
fn seated(mut p: Person) -> Person {
    p.key = p.user.clone();
    p.wait_secs = 0;
    p
}

fn room(members: Vec<Person>) -> RoomSlot {
    RoomSlot {
        room_id: "room-1".into(),
        focus_condition: "lungs.copd".into(),
        focus_group: "lungs".into(),
        free_seats: 3,
        members: members.into_iter().map(seated).collect(),
        ..RoomSlot::default()
    }
}

fn facilitated(mut r: RoomSlot, gender: &str) -> RoomSlot {
    r.facilitator = Some("fac".into());
    r.facilitator_gender = Some(gender.into());
    r.facilitator_age_band = Some(2);
    r
}

/// A volunteer of `gender` with a free group place who covers lungs.
fn volunteer(user: &str, gender: &str) -> Volunteer {
    Volunteer {
        user: user.to_string(),
        conditions_supported: vec!["lungs.copd".into()],
        groups_supported: vec!["lungs".into()],
        conditions: vec![copd()],
        has_mental: false,
        tags: Vec::new(),
        shared_tags: Vec::new(),
        stage_bin: Some(3),
        session_languages: vec!["en-GB".into()],
        first_language: Some("en-GB".into()),
        age_band: Some(2),
        gender: Some(gender.into()),
        availability: [0; 3],
        free_one_to_one: 0,
        free_groups: 1,
        display_name: "Sam".into(),
        share_conditions: true,
        share_stage: true,
        share_availability: true,
        share_languages: true,
    }
}

fn plan(people: &[Person], rooms: &[RoomSlot], volunteers: &mut [Volunteer]) -> GroupPlan {
    plan_with(people, rooms, volunteers, &Exclusions::new())
}

fn plan_with(
    people: &[Person],
    rooms: &[RoomSlot],
    volunteers: &mut [Volunteer],
    excl: &Exclusions,
) -> GroupPlan {
    let refs: Vec<&Person> = people.iter().collect();
    plan_groups(
        &refs,
        rooms,
        volunteers,
        &Vocab::new(),
        excl,
        &HashMap::new(),
        &Config::default(),
    )
}

fn women_only(user: &str) -> Person {
    let mut p = person(user);
    p.gender_pref = Strength::Must;
    p
}

#[test]
fn a_woman_who_must_be_with_women_is_not_seated_with_three_men() {
    let men = room(vec![man("m1"), man("m2"), man("m3")]);
    let p = plan(&[women_only("w")], &[men], &mut []);
    assert!(p.placements.is_empty());
    let women = room(vec![person("w1"), person("w2"), person("w3")]);
    let p = plan(&[women_only("w")], &[women], &mut []);
    assert_eq!(p.placements, vec![(0, "room-1".to_string())]);
}

#[test]
fn a_members_must_holds_against_the_joiner_too() {
    // The room's woman must be with women: a man may not join her.
    let r = room(vec![women_only("w1"), person("w2")]);
    assert!(
        plan(&[man("m")], std::slice::from_ref(&r), &mut [])
            .placements
            .is_empty()
    );
    assert_eq!(plan(&[person("w")], &[r], &mut []).placements.len(), 1);
}

#[test]
fn an_age_must_holds_in_a_seat() {
    let mut older = person("o");
    older.age_band = Some(4);
    older.age_pref = Strength::Must;
    let r = room(vec![person("a"), person("b")]);
    assert!(plan(&[older], &[r], &mut []).placements.is_empty());
}

#[test]
fn a_must_applies_to_the_facilitator_of_an_open_room() {
    let women = room(vec![person("w1"), person("w2")]);
    let by_a_man = facilitated(women.clone(), "man");
    assert!(
        plan(&[women_only("w")], &[by_a_man], &mut [])
            .placements
            .is_empty()
    );
    let by_a_woman = facilitated(women.clone(), "woman");
    assert_eq!(
        plan(&[women_only("w")], &[by_a_woman], &mut [])
            .placements
            .len(),
        1
    );
    // A facilitator whose gender is unknown meets no `must`.
    let mut unknown = facilitated(women, "woman");
    unknown.facilitator_gender = None;
    assert!(
        plan(&[women_only("w")], &[unknown], &mut [])
            .placements
            .is_empty()
    );
}

#[test]
fn nobody_joins_a_room_whose_facilitator_they_blocked() {
    let r = facilitated(room(vec![person("w1"), person("w2")]), "woman");
    let mut excl = Exclusions::new();
    excl.add("w", "fac");
    assert!(
        plan_with(&[person("w")], &[r], &mut [], &excl)
            .placements
            .is_empty()
    );
}

#[test]
fn a_seat_keeps_the_composition_rules() {
    // Two level-2 members and a level-3: a third level-2 would make them more than half.
    let mut l2a = person("a");
    l2a.level = Some(2);
    let mut l2b = person("b");
    l2b.level = Some(2);
    let r = room(vec![l2a, l2b, person("c")]);
    let mut joiner = person("j");
    joiner.level = Some(2);
    assert!(
        plan(&[joiner], std::slice::from_ref(&r), &mut [])
            .placements
            .is_empty()
    );
    assert_eq!(plan(&[person("j")], &[r], &mut []).placements.len(), 1);
}

#[test]
fn seats_taken_in_this_plan_count_for_the_next_joiner() {
    // Free seats for two: a woman-only joiner cannot follow a man seated just before her.
    let r = room(vec![person("w1"), person("w2")]);
    let mut first = man("m");
    first.wait_secs = 5_000;
    let p = plan(&[first, women_only("w")], &[r], &mut []);
    assert_eq!(p.placements, vec![(0, "room-1".to_string())]);
}

#[test]
fn a_former_member_is_never_seated_again() {
    let mut r = room(vec![person("w1"), person("w2")]);
    r.former = vec!["w".into()];
    assert!(plan(&[person("w")], &[r], &mut []).placements.is_empty());
}

#[test]
fn a_room_speaking_en_gb_takes_a_member_who_speaks_en() {
    let mut a = person("a");
    a.session_languages = vec!["en-GB".into()];
    let mut b = person("b");
    b.session_languages = vec!["en-US".into(), "pl".into()];
    let r = room(vec![a, b]);
    assert_eq!(r.languages(), vec!["en".to_string()]);
    assert_eq!(plan(&[person("j")], &[r], &mut []).placements.len(), 1);
    let mut bsl = person("bsl");
    bsl.session_languages = vec!["bfi".into()];
    let mut sgn = room(vec![person("x")]);
    sgn.members[0].session_languages = vec!["sgn-GB".into()];
    assert_eq!(plan(&[bsl.clone()], &[sgn], &mut []).placements.len(), 1);
    let spoken = room(vec![person("y"), person("z")]);
    assert!(plan(&[bsl], &[spoken], &mut []).placements.is_empty());
}

#[test]
fn level_1_members_take_seats_only_where_there_is_a_facilitator() {
    let mut l1 = person("l1");
    l1.level = Some(1);
    let r = room(vec![person("a"), person("b")]);
    assert!(
        plan(&[l1.clone()], std::slice::from_ref(&r), &mut [])
            .placements
            .is_empty()
    );
    let with = facilitated(r, "woman");
    assert_eq!(plan(&[l1], &[with], &mut []).placements.len(), 1);
}

fn waiting(n: usize) -> Vec<Person> {
    (0..n)
        .map(|i| {
            let mut p = person(&format!("p{i}"));
            p.wait_secs = 10_000 - i as i64;
            p
        })
        .collect()
}

#[test]
fn level_1_members_are_placed_in_a_new_facilitated_group() {
    let mut people = waiting(4);
    people[0].level = Some(1);
    people[1].level = Some(1);
    let mut vols = [volunteer("v", "woman")];
    let p = plan(&people, &[], &mut vols);
    assert_eq!(p.new_groups.len(), 1, "{:?}", p.new_groups);
    let (members, facilitator) = &p.new_groups[0];
    assert_eq!(*facilitator, Some(0));
    assert!(members.contains(&0) && members.contains(&1), "{members:?}");
    assert_eq!(vols[0].free_groups, 0);
}

#[test]
fn without_a_facilitator_level_1_members_wait_and_the_others_go_ahead() {
    let mut people = waiting(4);
    people[0].level = Some(1);
    let p = plan(&people, &[], &mut []);
    assert_eq!(p.new_groups.len(), 1);
    let (members, facilitator) = &p.new_groups[0];
    assert_eq!(*facilitator, None);
    assert_eq!(members.len(), 3);
    assert!(!members.contains(&0));
}

#[test]
fn a_new_groups_facilitator_meets_every_members_must() {
    let mut people = waiting(4);
    people[2].gender_pref = Strength::Must;
    // A man covers the group but the woman who must be with women would not accept him.
    let mut vols = [volunteer("v", "man")];
    let p = plan(&people, &[], &mut vols);
    assert_eq!(p.new_groups.len(), 1);
    assert_eq!(p.new_groups[0].1, None);
    let mut vols = [volunteer("v", "man"), volunteer("u", "woman")];
    let p = plan(&people, &[], &mut vols);
    assert_eq!(p.new_groups[0].1, Some(1));
    // With level-1 members and only a facilitator someone refuses, they wait.
    let mut people = waiting(5);
    people[0].level = Some(1);
    people[4].gender_pref = Strength::Must;
    let mut vols = [volunteer("v", "man")];
    let p = plan(&people, &[], &mut vols);
    for (members, facilitator) in &p.new_groups {
        assert!(facilitator.is_none() || !members.contains(&4));
        assert!(facilitator.is_some() || !members.contains(&0));
    }
}
