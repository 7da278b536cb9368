//! Unit tests of the engine's inputs: availability masks across offsets and the week's
//! wrap, parsing, the related-groups table, exclusions and the defaults.

use super::*;

fn hours(mask: &[u64; 3]) -> Vec<u32> {
    (0..HOURS_PER_WEEK).filter(|h| mask_has(mask, *h)).collect()
}

#[test]
fn each_part_of_the_day_covers_its_six_local_hours() {
    let cases = [
        (Part::Night, 0..6),
        (Part::Morning, 6..12),
        (Part::Afternoon, 12..18),
        (Part::Evening, 18..24),
    ];
    for (part, want) in cases {
        let m = availability_mask(&[(Day::Mon, part)], 0);
        assert_eq!(hours(&m), want.collect::<Vec<_>>(), "{part:?}");
    }
}

#[test]
fn a_positive_offset_moves_the_slot_earlier_in_utc() {
    // Tuesday evening in UTC+1 is Tuesday 17:00–23:00 UTC.
    let m = availability_mask(&[(Day::Tue, Part::Evening)], 60);
    assert_eq!(hours(&m), (24 + 17..24 + 23).collect::<Vec<_>>());
}

#[test]
fn monday_night_east_of_utc_wraps_to_sunday() {
    let m = availability_mask(&[(Day::Mon, Part::Night)], 120);
    assert_eq!(hours(&m), vec![0, 1, 2, 3, 166, 167]);
}

#[test]
fn sunday_evening_west_of_utc_wraps_to_monday() {
    let m = availability_mask(&[(Day::Sun, Part::Evening)], -300);
    // 18:00–24:00 local = 23:00–05:00 UTC (Sun 23:00 to Mon 05:00).
    assert_eq!(hours(&m), vec![0, 1, 2, 3, 4, 167]);
}

#[test]
fn a_half_hour_offset_keeps_the_hours_covered_more_than_half() {
    let m = availability_mask(&[(Day::Wed, Part::Morning)], 330);
    // 06:00–12:00 at UTC+5:30 is 00:30–06:30 UTC: hours 1..=5 are fully covered.
    assert_eq!(hours(&m), (48 + 1..48 + 6).collect::<Vec<_>>());
}

#[test]
fn repeated_slots_count_once_and_shared_hours_count_both() {
    let a = availability_mask(&[(Day::Fri, Part::Evening), (Day::Fri, Part::Evening)], 0);
    let b = availability_mask(&[(Day::Fri, Part::Evening), (Day::Sat, Part::Morning)], 60);
    assert_eq!(hours(&a).len(), 6);
    assert_eq!(shared_hours(&a, &b), 5);
}

#[test]
fn names_parse_back_to_their_values() {
    for d in Day::ALL {
        assert_eq!(Day::parse(d.name()), Some(d));
    }
    for p in Part::ALL {
        assert_eq!(Part::parse(p.name()), Some(p));
        assert_eq!(Part::of_hour(p.start_hour()), p);
    }
    assert_eq!(Format::parse("pair"), Some(Format::Pair));
    assert_eq!(Strength::parse("must"), Some(Strength::Must));
    assert_eq!(Day::parse("monday"), None);
}

#[test]
fn relations_are_symmetric_and_never_reflexive() {
    let mut v = Vocab::new();
    v.add_related("heart", "lungs", false);
    v.add_related("mental", "heart", true);
    v.add_related("cancer", "cancer", false);
    assert_eq!(v.relation("lungs", "heart"), Some(false));
    assert_eq!(v.relation("heart", "mental"), Some(true));
    assert_eq!(v.relation("cancer", "cancer"), None);
    assert_eq!(v.related_to("heart").count(), 2);
}

#[test]
fn exclusions_hold_both_ways() {
    let mut e = Exclusions::new();
    e.add("u1", "u2");
    assert!(e.contains("u2", "u1") && e.contains("u1", "u2"));
    assert!(!e.contains("u1", "u3"));
    assert!(e.involves("u2") && !e.involves("u3"));
}

#[test]
fn the_default_weights_sum_to_one_hundred() {
    let w = Weights::default();
    let sum =
        w.condition + w.tags + w.stage + w.availability + w.level + w.language + w.age + w.gender;
    assert_eq!(sum, 100.0);
    assert_eq!(
        Config::default().max_wait_secs(Format::Group),
        14 * DAY_SECS
    );
}
