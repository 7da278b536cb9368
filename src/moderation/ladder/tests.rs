use chrono::{NaiveDateTime, TimeDelta};

use super::*;

fn now() -> NaiveDateTime {
    chrono::DateTime::from_timestamp(1_796_281_281, 0)
        .unwrap()
        .naive_utc()
}

fn action(kind: &str, category: Option<&str>, days_ago: i64) -> ActionRow {
    ActionRow {
        id: format!("a-{kind}-{days_ago}"),
        kind: kind.into(),
        actor_id: "mod".into(),
        target_user_id: "pat".into(),
        room_id: None,
        message_id: None,
        category: category.map(str::to_string),
        reason: "because".into(),
        source_type: None,
        source_id: None,
        until: None,
        created_at: now() - TimeDelta::days(days_ago),
        reversed_at: None,
        reversed_by: None,
        reversed_reason: None,
    }
}

fn builtin() -> Ladder {
    Ladder::builtin().expect("the shipped ladder validates")
}

#[test]
fn the_shipped_ladder_validates_and_covers_every_category() {
    let l = builtin();
    assert_eq!(l.version(), "2026-12-03");
    for c in CATEGORIES {
        assert!(l.weights.contains_key(c), "{c}");
    }
}

#[test]
fn a_clean_record_gets_the_first_step_for_its_category() {
    let l = builtin();
    let s = l.suggest(&[], "spam", now());
    assert_eq!(
        (s.step, s.strikes_before, s.strikes_after),
        ("warning", 0, 1)
    );
    assert_eq!(s.duration_hours, None);
    // Abuse carries two strikes: straight to a 24 h mute.
    let s = l.suggest(&[], "abuse_harassment", now());
    assert_eq!((s.step, s.duration_hours), ("mute", Some(24)));
}

#[test]
fn strikes_climb_the_ladder() {
    let l = builtin();
    let table: &[(&[&str], &str, &str, Option<u32>)] = &[
        (&["spam"], "spam", "mute", Some(24)),
        (&["spam", "spam"], "other", "mute", Some(24)),
        (&["spam", "spam", "spam"], "spam", "suspension", Some(168)),
        (
            &["abuse_harassment", "abuse_harassment"],
            "abuse_harassment",
            "ban",
            None,
        ),
        (
            &["abuse_harassment", "personal_info"],
            "spam",
            "suspension",
            Some(168),
        ),
    ];
    for (past, new, step, hours) in table {
        let rows: Vec<ActionRow> = past
            .iter()
            .enumerate()
            .map(|(i, c)| action("warn", Some(c), i as i64 + 1))
            .collect();
        let s = l.suggest(&rows, new, now());
        assert_eq!(
            (s.step, s.duration_hours),
            (*step, *hours),
            "{past:?} + {new}"
        );
    }
}

#[test]
fn reversed_expired_uncategorised_and_reinstatements_do_not_count() {
    let l = builtin();
    let mut reversed = action("mute", Some("abuse_harassment"), 3);
    reversed.reversed_at = Some(now() - TimeDelta::days(1));
    let expired = action("suspend", Some("abuse_harassment"), 181);
    let just_inside = action("warn", Some("spam"), 179);
    let uncategorised = action("hide", None, 2);
    let reinstate = action("reinstate", Some("abuse_harassment"), 1);
    let unknown = action("warn", Some("crisis"), 1);
    let rows = [
        reversed,
        expired,
        just_inside,
        uncategorised,
        reinstate,
        unknown,
    ];
    assert_eq!(l.live_strikes(&rows, now()), 1);
    let s = l.suggest(&rows, "spam", now());
    assert_eq!((s.step, s.strikes_before, s.strikes_after), ("mute", 1, 2));
}

#[test]
fn actions_for_one_source_are_one_incident() {
    let l = builtin();
    let mut hide = action("hide", Some("spam"), 2);
    let mut mute = action("mute", Some("abuse_harassment"), 2);
    for a in [&mut hide, &mut mute] {
        a.source_type = Some("report".into());
        a.source_id = Some("r-1".into());
    }
    let mut other = action("warn", Some("spam"), 5);
    other.source_type = Some("report".into());
    other.source_id = Some("r-2".into());
    // r-1 counts once at its heaviest (2), r-2 once (1).
    assert_eq!(l.live_strikes(&[hide, mute, other], now()), 3);
}

#[test]
fn a_category_without_strikes_suggests_no_sanction_whatever_the_record() {
    let l = builtin();
    let rows = vec![action("suspend", Some("abuse_harassment"), 1); 3];
    let s = l.suggest(&rows, "self_harm", now());
    assert_eq!(s.step, "none");
    assert_eq!(s.strikes_after, s.strikes_before);
}

#[test]
fn below_the_first_step_suggests_nothing() {
    let l = Ladder::from_json(
        r#"{"version":"t","strike_lifetime_days":30,
            "categories":{"self_harm":0,"abuse_harassment":1,"personal_info":1,"spam":1,"other":1},
            "steps":[{"at_strikes":3,"suggest":"ban"}]}"#,
    )
    .unwrap();
    assert_eq!(l.suggest(&[], "spam", now()).step, "none");
    let rows = vec![action("warn", Some("spam"), 1); 2];
    assert_eq!(l.suggest(&rows, "spam", now()).step, "ban");
}

#[test]
fn bad_files_are_refused_with_a_reason() {
    let ok_cats =
        r#""categories":{"self_harm":0,"abuse_harassment":2,"personal_info":1,"spam":1,"other":1}"#;
    let cases: Vec<(String, &str)> = vec![
        ("not json".into(), "not valid JSON"),
        (
            format!(r#"{{"version":" ","strike_lifetime_days":30,{ok_cats},"steps":[{{"at_strikes":1,"suggest":"warning"}}]}}"#),
            "version",
        ),
        (
            format!(r#"{{"version":"v","strike_lifetime_days":0,{ok_cats},"steps":[{{"at_strikes":1,"suggest":"warning"}}]}}"#),
            "strike_lifetime_days",
        ),
        (
            r#"{"version":"v","strike_lifetime_days":30,"categories":{"spam":1},"steps":[{"at_strikes":1,"suggest":"warning"}]}"#.into(),
            "has no strikes",
        ),
        (
            r#"{"version":"v","strike_lifetime_days":30,"categories":{"self_harm":0,"abuse_harassment":2,"personal_info":1,"spam":1,"other":1,"rudeness":1},"steps":[{"at_strikes":1,"suggest":"warning"}]}"#.into(),
            "unknown category",
        ),
        (
            format!(r#"{{"version":"v","strike_lifetime_days":30,{ok_cats},"steps":[]}}"#),
            "at least one step",
        ),
        (
            format!(r#"{{"version":"v","strike_lifetime_days":30,{ok_cats},"steps":[{{"at_strikes":2,"suggest":"warning"}},{{"at_strikes":2,"suggest":"ban"}}]}}"#),
            "rise strictly",
        ),
        (
            format!(r#"{{"version":"v","strike_lifetime_days":30,{ok_cats},"steps":[{{"at_strikes":1,"suggest":"mute"}}]}}"#),
            "needs duration_hours",
        ),
        (
            format!(r#"{{"version":"v","strike_lifetime_days":30,{ok_cats},"steps":[{{"at_strikes":1,"suggest":"ban","duration_hours":5}}]}}"#),
            "takes no duration_hours",
        ),
        (
            format!(r#"{{"version":"v","strike_lifetime_days":30,{ok_cats},"steps":[{{"at_strikes":1,"suggest":"exile"}}]}}"#),
            "not valid JSON",
        ),
    ];
    for (json, needle) in cases {
        let err = Ladder::from_json(&json).expect_err(&json);
        assert!(err.contains(needle), "{json}: {err}");
    }
}

#[test]
fn a_missing_file_names_its_path() {
    let err = Ladder::load(Path::new("/nonexistent/sanctions.json")).unwrap_err();
    assert!(err.contains("/nonexistent/sanctions.json"), "{err}");
}
