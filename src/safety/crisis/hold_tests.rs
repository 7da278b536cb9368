//! The hold marking (SAFE-SG-2): which fixtures are held for review, which are flagged but
//! delivered, and that a holding rule is reported even when another rule is the best match.

use super::*;

fn detector() -> CrisisDetector {
    CrisisDetector::builtin().unwrap()
}

/// Method detail and encouragement of self-harm: held (and still flagged red).
const HELD: &[(&str, &str)] = &[
    (
        "how many pills would it take to not wake up",
        "method_detail",
    ),
    ("how many paracetamol is a lethal dose?", "method_detail"),
    ("whats the fatal dose of that", "method_detail"),
    ("does anyone know how to tie a noose", "method_detail"),
    ("what's the most painless way to die", "method_detail"),
    ("how deep do you cut to", "method_detail"),
    ("H0W T0 T1E A N00SE", "method_detail"),
    ("is that bridge high enough to die", "method_detail"),
    // "kill myself" is the best (earlier) rule, but the message still asks for method.
    ("how do i kill myself quickly", "method_detail"),
    ("kys", "encouragement_of_self_harm"),
    ("honestly just go kill urself", "encouragement_of_self_harm"),
    ("nobody would miss you", "encouragement_of_self_harm"),
    (
        "you should just hang yourself",
        "encouragement_of_self_harm",
    ),
    ("K Y S", "encouragement_of_self_harm"),
];

/// Flagged (a moderator is alerted, the writer signposted) but delivered: disclosures of
/// intent, plans or past attempts must not be silenced.
const FLAGGED_NOT_HELD: &[&str] = &[
    "I want to kill myself",
    "I want to hang myself",
    "thinking of taking an overdose tonight",
    "I took an overdose last year",
    "going to slit my wrists",
    "I'm going to jump off the bridge",
    "I've been self-harming again",
    "nobody would miss me",
];

#[test]
fn method_detail_and_encouragement_are_held() {
    let d = detector();
    let wrong: Vec<(&str, Option<Detection>)> = HELD
        .iter()
        .map(|&(text, rule)| (text, rule, d.detect(text)))
        .filter(|(_, rule, hit)| {
            hit.as_ref()
                .is_none_or(|h| h.hold.as_deref() != Some(rule) || h.severity != Severity::Red)
        })
        .map(|(text, _, hit)| (text, hit))
        .collect();
    assert!(wrong.is_empty(), "not held as expected: {wrong:?}");
}

#[test]
fn disclosures_are_flagged_but_not_held() {
    let d = detector();
    let wrong: Vec<(&str, Option<Detection>)> = FLAGGED_NOT_HELD
        .iter()
        .map(|&text| (text, d.detect(text)))
        .filter(|(_, hit)| hit.as_ref().is_none_or(|h| h.hold.is_some()))
        .collect();
    assert!(wrong.is_empty(), "held or missed: {wrong:?}");
}

#[test]
fn the_shipped_hold_rules_are_method_detail_and_encouragement() {
    assert_eq!(
        detector().hold_rules(),
        vec!["method_detail", "encouragement_of_self_harm"]
    );
}

#[test]
fn a_hold_rule_is_reported_when_a_more_severe_rule_wins() {
    let d = CrisisDetector::from_json(
        r#"{"version": "t", "rules": [
            {"id": "the_red", "severity": "red", "phrases": ["want to die"]},
            {"id": "held_amber", "severity": "amber", "hold": true, "phrases": ["tell me how"]},
            {"id": "other", "severity": "amber", "phrases": ["so tired"]}
        ]}"#,
    )
    .unwrap();
    let hit = d.detect("want to die, tell me how").unwrap();
    assert_eq!(hit.rule_id, "the_red");
    assert_eq!(hit.hold.as_deref(), Some("held_amber"));
    assert_eq!(d.detect("so tired").unwrap().hold, None);
    assert_eq!(d.detect("want to die").unwrap().hold, None);
}

#[test]
fn a_phrase_shared_by_a_held_and_an_unheld_rule_holds() {
    let d = CrisisDetector::from_json(
        r#"{"version": "t", "rules": [
            {"id": "r", "severity": "red", "phrases": ["end it"]},
            {"id": "h", "severity": "amber", "hold": true, "phrases": ["end it"]}
        ]}"#,
    )
    .unwrap();
    let hit = d.detect("end it").unwrap();
    assert_eq!(
        (hit.rule_id.as_str(), hit.hold.as_deref()),
        ("r", Some("h"))
    );
}

#[test]
fn hold_is_false_unless_marked_and_must_be_a_boolean() {
    let d = CrisisDetector::from_json(
        r#"{"version": "t", "rules": [{"id": "a", "severity": "red", "phrases": ["kms"]}]}"#,
    )
    .unwrap();
    assert!(d.hold_rules().is_empty());
    let e = CrisisDetector::from_json(
        r#"{"version": "t", "rules": [{"id": "a", "severity": "red", "hold": "yes", "phrases": ["kms"]}]}"#,
    )
    .unwrap_err();
    assert!(e.contains("not valid JSON"), "{e}");
}
