use std::time::Duration;

use chrono::NaiveDateTime;

use super::escalation::{level_due, next_due};
use super::stats::percentile;
use super::{Targets, sign};
use crate::db::alerts::AlertRow;

fn t(secs: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0)
        .unwrap()
        .naive_utc()
}

fn alert(target: i64) -> AlertRow {
    AlertRow {
        id: "a".into(),
        kind: "crisis".into(),
        flag_id: None,
        room_id: "r".into(),
        message_id: None,
        severity: "red".into(),
        status: "open".into(),
        created_at: t(0),
        due_at: t(target),
        acknowledged_at: None,
        acknowledged_by: None,
        raised_by: None,
        reason: None,
        escalation_level: 0,
        next_escalation_at: Some(t(target)),
        resolved_at: None,
        resolved_by: None,
        outcome: None,
        resolution_note: None,
    }
}

#[test]
fn levels_fall_due_at_whole_multiples_of_the_target_and_stop_at_the_maximum() {
    assert_eq!(level_due(t(0), t(300), t(299), 6), 0);
    assert_eq!(level_due(t(0), t(300), t(300), 6), 1);
    assert_eq!(level_due(t(0), t(300), t(599), 6), 1);
    assert_eq!(level_due(t(0), t(300), t(600), 6), 2);
    assert_eq!(level_due(t(0), t(300), t(100_000), 6), 6);
    let a = alert(300);
    assert_eq!(next_due(&a, 1, 6), Some(t(600)));
    assert_eq!(next_due(&a, 5, 6), Some(t(1800)));
    assert_eq!(next_due(&a, 6, 6), None);
}

#[test]
fn the_due_time_follows_the_severity_target() {
    let targets = Targets {
        red: Duration::from_secs(300),
        amber: Duration::from_secs(3600),
    };
    assert_eq!(targets.due("red", t(0)), t(300));
    assert_eq!(targets.due("amber", t(0)), t(3600));
}

#[test]
fn the_signature_is_hmac_sha256_of_the_body() {
    // RFC 4231 test case 2.
    assert_eq!(
        sign(b"Jefe", b"what do ya want for nothing?"),
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

#[test]
fn percentiles_are_nearest_rank() {
    let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
    assert_eq!(percentile(&v, 0.5), Some(5.0));
    assert_eq!(percentile(&v, 0.9), Some(9.0));
    assert_eq!(percentile(&[42.0], 0.9), Some(42.0));
    assert_eq!(percentile(&[], 0.5), None);
}
