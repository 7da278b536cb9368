//! Unit tests for the profile rules: every validation code, normalisation, null versus absent.

use super::*;

fn patch(v: serde_json::Value) -> ProfilePatch {
    serde_json::from_value(v).unwrap()
}

fn apply(v: serde_json::Value) -> Result<Profile, Invalid> {
    apply_patch(Profile::default(), patch(v), |id| {
        id.starts_with("journey.") || id.starts_with("identity.")
    })
}

#[test]
fn every_rule_has_its_code() {
    let long = "x".repeat(501);
    let cases = [
        (
            serde_json::json!({"pronouns": "a".repeat(33)}),
            "invalid_pronouns",
        ),
        (serde_json::json!({"bio": long}), "bio_too_long"),
        (serde_json::json!({"bio": "hi\u{202E}there"}), "invalid_bio"),
        (serde_json::json!({"languages": []}), "languages_required"),
        (
            serde_json::json!({"languages": [{"tag": "english"}]}),
            "invalid_language_tag",
        ),
        (
            serde_json::json!({"languages": [{"tag": "en"}, {"tag": "EN"}]}),
            "duplicate_language",
        ),
        (
            serde_json::json!({"timezone": "Mars/Olympus"}),
            "invalid_timezone",
        ),
        (serde_json::json!({"age_band": "17"}), "invalid_age_band"),
        (serde_json::json!({"gender": "x"}), "invalid_gender"),
        (
            serde_json::json!({"availability": [{"day": "monday", "part": "evening"}]}),
            "invalid_availability",
        ),
        (
            serde_json::json!({"support_preferences": {"formats": []}}),
            "invalid_formats",
        ),
        (
            serde_json::json!({"support_preferences": {"formats": ["trio"]}}),
            "invalid_formats",
        ),
        (
            serde_json::json!({"support_preferences": {"gender": "always"}}),
            "invalid_preference",
        ),
        (
            serde_json::json!({"support_preferences": {"wants_from_support": ["money"]}}),
            "invalid_wants",
        ),
        (
            serde_json::json!({"support_preferences": {"gender": "must"}}),
            "preference_needs_own_value",
        ),
        (
            serde_json::json!({"sharing": {"experiences": {"made.up": true}}}),
            "unknown_experience",
        ),
    ];
    for (body, code) in cases {
        assert_eq!(apply(body.clone()).unwrap_err().0, code, "{body}");
    }
}

#[test]
fn a_full_profile_is_accepted_and_normalised() {
    let p = apply(serde_json::json!({
        "pronouns": " she/her ",
        "bio": "Walking helps.\nTea helps more.",
        "languages": [{"tag": "en-gb"}, {"tag": "cy", "session": false}],
        "timezone": "Europe/London",
        "age_band": "35-49",
        "gender": "woman",
        "availability": [{"day": "tue", "part": "evening"}, {"day": "mon", "part": "evening"}, {"day": "tue", "part": "evening"}],
        "support_preferences": {"formats": ["group", "pair"], "gender": "must", "wants_from_support": ["practical_tips", "someone_to_listen"]},
        "sharing": {"stage": false, "experiences": {"identity.faith": true}}
    }))
    .unwrap();
    assert_eq!(p.pronouns.as_deref(), Some("she/her"));
    assert_eq!(
        p.languages[0],
        Language {
            tag: "en-GB".into(),
            session: true
        }
    );
    assert!(!p.languages[1].session);
    assert_eq!(p.availability.len(), 2);
    assert_eq!(p.availability[0].day, "mon");
    assert_eq!(p.availability[1].day, "tue");
    assert_eq!(p.support_preferences.formats, vec!["pair", "group"]);
    assert_eq!(
        p.support_preferences.wants_from_support,
        vec!["someone_to_listen", "practical_tips"]
    );
    assert!(!p.sharing.stage && p.sharing.conditions);
    assert!(p.sharing.shares_experience("identity.faith", true));
    assert!(!p.sharing.shares_experience("identity.lgbtq", true));
    assert!(p.sharing.shares_experience("journey.flare_up", false));
}

#[test]
fn null_clears_and_absent_keeps() {
    let p = apply(serde_json::json!({"pronouns": "they/them", "bio": "hello"})).unwrap();
    let p = apply_patch(p, patch(serde_json::json!({"pronouns": null})), |_| true).unwrap();
    assert_eq!(p.pronouns, None);
    assert_eq!(p.bio.as_deref(), Some("hello"));
}

#[test]
fn birth_years_follow_the_age_band() {
    assert_eq!(earliest_birth_year("18-24", 2026), Some(2001));
    assert_eq!(earliest_birth_year("75+", 2026), Some(1915));
    assert_eq!(earliest_birth_year("x", 2026), None);
}
