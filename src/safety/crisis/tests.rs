//! The detector's unit tests: the red, amber and negative fixtures (recall gated, T32), the
//! rules file's validation, and the normalisation's promises.

use super::compact::Normalised;
use super::fold::fold_char;
use super::rules::{BUILTIN_RULES_JSON, RulesFile};
use super::tokenise::Chunker;
use super::*;

fn detector() -> CrisisDetector {
    CrisisDetector::builtin().unwrap()
}

fn compact(s: &str) -> String {
    String::from_utf8(normalise(s, LeetOne::AsI).text).unwrap()
}

/// Must be flagged red. Recall on these is gated at 100% (T32).
const RED: &[&str] = &[
    "I want to kill myself",
    "kms",
    "honestly k m s",
    "k.m.s",
    "K-M-S tbh",
    "kms.",
    "i'm going to unalive myself",
    "unalive",
    "k1ll mys3lf",
    "ki11 myse1f",
    "k!ll myself",
    "I wanna d i e",
    "SUICIDAL!!!",
    "s u i c i d e",
    "s.u.i.c.i.d.e",
    "$uicide",
    "su1c1d3",
    "I feel so sucidal today",
    "thinking about suicde",
    "i'm gonna kil myself",
    "kiiiiill myseeeelf",
    "I want to diiiiie",
    "i wanna die lol",
    "want2die",
    "w4nt t0 d1e",
    "I\u{2019}m going to kill myself",
    "I WANT TO END IT ALL",
    "I can't see any other way. I'm going to end it all.",
    "I've been thinking about ending my life for weeks",
    "I might take my own life",
    "there is no reason to live",
    "thinking of taking an overdose tonight",
    "I won't be here tomorrow",
    "I'm going to jump off the bridge",
    "I want to hang myself",
    "going to slit my wrists",
    "everyone would be better off without me",
    "I'd be better off dead",
    "I was suicidal last year",
    "this is suicide",
    "#killmyself",
    "killmyself",
    "kill my self",
    "sewer slide",
    "sewerslide",
    "$u!c!d3",
    "un-alive",
    "i wanna kms",
    "I dont want to be alive anymore",
    "life isn't worth living",
    "i'm done with life",
    // Quoted, negated and third-person forms still match: a moderator glances.
    "my friend said she wants to die",
    "I don't want to die",
    "I'm not going to kill myself, don't worry",
    "\"I want to end my life\" is what she texted me",
    "my brother killed himself last year",
    // Said to someone else (SAFE-SG-2 encouragement).
    "kys",
    "K Y S",
    "go kill urself",
    "you should just kill yourself",
    // Look-alikes, invisible characters and marks.
    "\u{FF4B}\u{FF49}\u{FF4C}\u{FF4C} \u{FF4D}\u{FF59}\u{FF53}\u{FF45}\u{FF4C}\u{FF46}",
    "\u{1D424}\u{1D422}\u{1D425}\u{1D425} \u{1D426}\u{1D432}\u{1D42C}\u{1D41E}\u{1D425}\u{1D41F}",
    "k\u{0456}ll myself",
    "\u{041A}\u{0406}LL MYSELF",
    "ki\u{200B}ll my\u{200B}self",
    "s\u{0337}u\u{0337}i\u{0337}c\u{0337}i\u{0337}d\u{0337}e\u{0337}",
    "suíćídé",
];

/// Must be flagged amber.
const AMBER: &[&str] = &[
    "I've been self-harming again",
    "self harm",
    "selfharm",
    "s3lf h4rm",
    "I keep cutting myself",
    "I hurt myself again last night",
    "I can't go on like this",
    "I feel hopeless",
    "HOPELESS!!!",
    "there's no way out",
    "nobody would miss me",
    "No one would miss me",
    "I'm giving up on everything",
    "I hate myself",
    "he hits me when he's drunk",
    "I don't want to wake up tomorrow",
    "I'm a burden to everyone",
    "can't cope anymore",
    "I am worthless",
    "I just want to disappear",
];

/// Must not be flagged. The false-positive rate is recorded, not gated (T32), but these
/// are the cases the design promises.
const NEGATIVE: &[&str] = &[
    "I need to work on my skills",
    "My therapist is great",
    "I'd die for a cup of tea",
    // Decided: hyperbole about traffic, work or jokes is not flagged ("killing me" is not
    // a phrase); "kill myself" and friends are.
    "this traffic is killing me",
    "that joke killed me lol",
    "I'm dying to see that film",
    "That deadline nearly killed me",
    "We killed it at the quiz last night",
    "The killer whale documentary was amazing",
    "She's such a killjoy",
    "I'll hang my coat up",
    "my phone's battery is dead",
    "We should end the meeting early",
    "The film's ending was sad",
    "Good morning everyone, how is everyone doing?",
    "Thanks, Ms Jones",
    "my bookmarks are a mess",
    "Skimmed the news, nothing much",
    "I hope you're well",
    "The Samaritans number is 116 123 and Shout is 85258",
    "jump rope at the gym",
    "I assume the class passes",
    "",
    "!!!???...",
];

#[test]
fn builtin_rules_parse() {
    let d = detector();
    assert_eq!(d.version(), "2026-12-03.1");
    assert!(d.rule_count() >= 20, "only {} rules", d.rule_count());
}

#[test]
fn every_red_fixture_is_flagged_red() {
    let d = detector();
    let missed: Vec<&str> = RED
        .iter()
        .copied()
        .filter(|text| d.detect(text).map(|hit| hit.severity) != Some(Severity::Red))
        .collect();
    assert!(missed.is_empty(), "red fixtures missed: {missed:?}");
}

#[test]
fn every_amber_fixture_is_flagged_amber() {
    let d = detector();
    let wrong: Vec<(&str, Option<Detection>)> = AMBER
        .iter()
        .map(|&text| (text, d.detect(text)))
        .filter(|(_, hit)| hit.as_ref().map(|h| h.severity) != Some(Severity::Amber))
        .collect();
    assert!(wrong.is_empty(), "amber fixtures not amber: {wrong:?}");
}

#[test]
fn negative_fixtures_are_not_flagged() {
    let d = detector();
    let flagged: Vec<(&str, Detection)> = NEGATIVE
        .iter()
        .filter_map(|&text| d.detect(text).map(|hit| (text, hit)))
        .collect();
    assert!(flagged.is_empty(), "negatives flagged: {flagged:?}");
}

#[test]
fn a_phrase_at_the_end_of_a_long_message_is_found() {
    let d = detector();
    let filler = "Today I went to the clinic, had a long chat with the nurse about my medication and then walked home through the park. ";
    let mut body = String::new();
    while body.chars().count() < 3_985 {
        body.push_str(filler);
    }
    assert_eq!(d.detect(&body), None);
    body.push_str("I want to die");
    assert!(body.chars().count() >= 4_000);
    let hit = d.detect(&body).unwrap();
    assert_eq!(hit.rule_id, "want_to_die");
    assert_eq!(hit.severity, Severity::Red);
}

#[test]
fn the_most_severe_rule_wins_and_ties_go_to_file_order() {
    let d = CrisisDetector::from_json(
        r#"{"version": "t", "rules": [
            {"id": "first_amber", "severity": "amber", "phrases": ["feel low"]},
            {"id": "second_amber", "severity": "amber", "phrases": ["so tired"]},
            {"id": "the_red", "severity": "red", "phrases": ["want to die"]}
        ]}"#,
    )
    .unwrap();
    let hit = d.detect("so tired, feel low").unwrap();
    assert_eq!(hit.rule_id, "first_amber");
    let hit = d.detect("so tired, feel low, want to die").unwrap();
    assert_eq!(
        hit,
        Detection {
            rule_id: "the_red".to_owned(),
            severity: Severity::Red,
            hold: None,
        }
    );
}

#[test]
fn a_phrase_in_two_rules_reports_the_more_severe_one() {
    let d = CrisisDetector::from_json(
        r#"{"version": "t", "rules": [
            {"id": "a", "severity": "amber", "phrases": ["end it"]},
            {"id": "r", "severity": "red", "phrases": ["end it"]}
        ]}"#,
    )
    .unwrap();
    assert_eq!(d.detect("end it").unwrap().rule_id, "r");
}

#[test]
fn every_shipped_phrase_detects_itself() {
    let d = detector();
    let file: RulesFile = serde_json::from_str(BUILTIN_RULES_JSON).unwrap();
    for (index, rule) in file.rules.iter().enumerate() {
        let severity = Severity::parse(&rule.severity).unwrap();
        for phrase in &rule.phrases {
            let hit = d
                .detect(phrase)
                .unwrap_or_else(|| panic!("{phrase:?} not detected"));
            assert!(hit.severity >= severity, "{phrase:?} came back {hit:?}");
            if hit.severity == severity {
                let found = d.rules.iter().position(|r| r.id == hit.rule_id).unwrap();
                assert!(found <= index, "{phrase:?} came back {hit:?}");
            }
        }
    }
}

#[test]
fn shipped_phrases_are_not_repeated_once_normalised() {
    let file: RulesFile = serde_json::from_str(BUILTIN_RULES_JSON).unwrap();
    let mut seen = std::collections::HashMap::new();
    for rule in &file.rules {
        for phrase in &rule.phrases {
            if let Some(earlier) = seen.insert(compact(phrase), phrase.clone()) {
                panic!("{phrase:?} normalises the same as {earlier:?}");
            }
        }
    }
}

#[test]
fn shipped_rules_include_bare_common_words_never() {
    let file: RulesFile = serde_json::from_str(BUILTIN_RULES_JSON).unwrap();
    for rule in &file.rules {
        for phrase in &rule.phrases {
            for banned in ["die", "dead", "sh", "kill", "end", "cut", "hang", "od"] {
                assert_ne!(compact(phrase), compact(banned), "{phrase:?} is too common");
            }
        }
    }
}

fn rejected(json: &str) -> String {
    CrisisDetector::from_json(json).unwrap_err()
}

#[test]
fn from_json_rejects_an_empty_version() {
    let e = rejected(
        r#"{"version": " ", "rules": [{"id": "a", "severity": "red", "phrases": ["kms"]}]}"#,
    );
    assert!(e.contains("version"), "{e}");
}

#[test]
fn from_json_rejects_duplicate_rule_ids() {
    let e = rejected(
        r#"{"version": "1", "rules": [
            {"id": "a", "severity": "red", "phrases": ["kms"]},
            {"id": "a", "severity": "amber", "phrases": ["hopeless"]}]}"#,
    );
    assert!(e.contains("used twice"), "{e}");
}

#[test]
fn from_json_rejects_empty_or_meaningless_phrases() {
    for phrase in ["", "   ", "!!!", "a", "'"] {
        let json = format!(
            r#"{{"version": "1", "rules": [{{"id": "a", "severity": "red", "phrases": ["kms", {phrase:?}]}}]}}"#
        );
        let e = rejected(&json);
        assert!(e.contains("too short"), "{phrase:?}: {e}");
    }
    let e =
        rejected(r#"{"version": "1", "rules": [{"id": "a", "severity": "red", "phrases": []}]}"#);
    assert!(e.contains("no phrases"), "{e}");
}

#[test]
fn from_json_rejects_unknown_severities() {
    for severity in ["orange", "Red", "", "critical"] {
        let json = format!(
            r#"{{"version": "1", "rules": [{{"id": "a", "severity": {severity:?}, "phrases": ["kms"]}}]}}"#
        );
        let e = rejected(&json);
        assert!(e.contains("severity"), "{severity:?}: {e}");
    }
}

#[test]
fn from_json_rejects_malformed_files() {
    assert!(rejected("").contains("not valid JSON"));
    assert!(rejected(r#"{"version": "1", "rules": []}"#).contains("at least one rule"));
    assert!(rejected(r#"{"version": "1"}"#).contains("not valid JSON"));
    let typo = r#"{"version": "1", "rules": [{"id": "a", "severity": "red", "phrase": ["kms"]}]}"#;
    assert!(rejected(typo).contains("not valid JSON"));
    for id in ["", "Kill Myself", "kill-myself", &"x".repeat(65)] {
        let json = format!(
            r#"{{"version": "1", "rules": [{{"id": {id:?}, "severity": "red", "phrases": ["kms"]}}]}}"#
        );
        assert!(rejected(&json).contains("ids are"), "{id:?}");
    }
}

#[test]
fn from_json_accepts_a_note_on_a_rule() {
    let d = CrisisDetector::from_json(
        r#"{"version": "2", "rules": [{"id": "a_1", "severity": "amber", "note": "why", "phrases": ["feel low"]}]}"#,
    )
    .unwrap();
    assert_eq!((d.version(), d.rule_count()), ("2", 1));
}

#[test]
fn load_reads_a_rules_file_and_names_it_in_errors() {
    let path = std::env::temp_dir().join(format!("kindred-crisis-{}.json", std::process::id()));
    std::fs::write(
        &path,
        r#"{"version": "cso-1", "rules": [{"id": "x", "severity": "red", "phrases": ["zorblat"]}]}"#,
    )
    .unwrap();
    let d = CrisisDetector::load(&path).unwrap();
    assert_eq!(d.version(), "cso-1");
    assert_eq!(d.detect("z o r b l a t").unwrap().rule_id, "x");
    std::fs::write(&path, "{").unwrap();
    let e = CrisisDetector::load(&path).unwrap_err();
    assert!(e.contains(&path.display().to_string()), "{e}");
    std::fs::remove_file(&path).unwrap();
    let e = CrisisDetector::load(&path).unwrap_err();
    assert!(e.contains("cannot read"), "{e}");
}

#[test]
fn normalisation_undoes_the_usual_tricks() {
    assert_eq!(compact("Can\u{2019}t go on"), "cantgon");
    assert_eq!(compact("diiiie"), "die");
    assert_eq!(compact("k.m.s"), "kms");
    assert_eq!(compact("SUICIDAL!!!"), "suicidal");
    assert_eq!(compact("k!ll"), "kil");
    assert_eq!(compact("un@live"), "unalive");
    // Numbers stay numbers (squeezed like everything else).
    assert_eq!(compact("116 123 and 24/7"), "16123and247");
}

/// The byte path for ASCII must read text exactly as the character path does.
fn normalise_by_chars(input: &str, one: LeetOne) -> Normalised {
    let mut chunker = Chunker::new(input.len(), one);
    for c in input.chars() {
        fold_char(c, |folded| chunker.feed(folded));
    }
    chunker.end_chunk();
    chunker.flush_singles();
    chunker.out.finish()
}

#[test]
fn the_ascii_fast_path_agrees_with_the_character_path() {
    let file: RulesFile = serde_json::from_str(BUILTIN_RULES_JSON).unwrap();
    let mut inputs: Vec<String> = RED
        .iter()
        .chain(AMBER)
        .chain(NEGATIVE)
        .map(|s| s.to_string())
        .collect();
    inputs.extend(file.rules.iter().flat_map(|r| r.phrases.clone()));
    // Short strings over an alphabet of the awkward cases, from a fixed-seed generator.
    let alphabet: Vec<char> = "aAbkKmMsSiI10!!3457@$'`.- \t\n\u{b}\u{1c}_#29"
        .chars()
        .collect();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..20_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = (seed % 12) as usize;
        let text: String = (0..len)
            .map(|i| alphabet[((seed >> (i * 5)) as usize) % alphabet.len()])
            .collect();
        inputs.push(text);
    }
    for input in inputs.iter().filter(|s| s.is_ascii()) {
        for one in [LeetOne::AsI, LeetOne::AsL] {
            let fast = normalise(input, one);
            let slow = normalise_by_chars(input, one);
            assert_eq!(
                (&fast.text, &fast.boundaries, fast.read_one_as_letter),
                (&slow.text, &slow.boundaries, slow.read_one_as_letter),
                "{input:?} {one:?}"
            );
        }
    }
}

#[test]
fn mixed_messages_read_like_their_ascii_twins() {
    for (mixed, plain) in [
        (
            "I\u{2019}m going to kill myself",
            "I'm going to kill myself",
        ),
        ("can\u{2019}t go on \u{1F622}", "can't go on"),
        ("k\u{00A0}m\u{00A0}s", "k m s"),
    ] {
        let mixed = normalise(mixed, LeetOne::AsI);
        let plain = normalise(plain, LeetOne::AsI);
        assert_eq!(
            (mixed.text, mixed.boundaries),
            (plain.text, plain.boundaries)
        );
    }
}

#[test]
fn phrases_match_only_on_word_boundaries() {
    let d = detector();
    assert_eq!(d.detect("skills"), None);
    assert_eq!(d.detect("therapist"), None);
    assert_eq!(d.detect("akms"), None);
    assert_eq!(d.detect("kmsx"), None);
    assert!(d.detect("kms!").is_some());
}

#[test]
fn hostile_input_is_handled_without_fuss() {
    let d = detector();
    assert_eq!(d.detect(&"!".repeat(20_000)), None);
    assert_eq!(d.detect(&"a ".repeat(10_000)), None);
    assert_eq!(d.detect(&"\u{200B}".repeat(5_000)), None);
    assert_eq!(d.detect(&"e\u{0301}".repeat(5_000)), None);
    assert!(d.detect(&"k m s ".repeat(2_000)).is_some());
}

#[test]
fn severities_have_stable_names() {
    assert_eq!(Severity::Red.as_str(), "red");
    assert_eq!(Severity::Amber.as_str(), "amber");
    assert_eq!(
        serde_json::to_string(&Severity::Amber).unwrap(),
        "\"amber\""
    );
    assert!(Severity::Red > Severity::Amber);
}

#[test]
fn debug_output_does_not_list_phrases() {
    let text = format!("{:?}", detector());
    assert!(text.contains("2026-12-03.1"));
    assert!(!text.contains("myself"));
}
