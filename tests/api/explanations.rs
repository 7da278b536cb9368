//! Explanations that are true (issue 10): every template rendered with the vocabulary the
//! service serves (loaded from the migrated database, as the running service loads it), and
//! the sentences members and volunteers read after real ticks.

use std::collections::HashSet;

use kindred::domain::language_names::{known_keys, language_name};
use kindred::matching::model::Part;
use kindred::matching::score::{Days, Fact, Since, render};
use kindred::profiles::vocab::Vocabulary;
use serde_json::{Value, json};

use crate::both_backends;
use crate::matching::{id_of, ready_member, request, tick, volunteer};
use crate::support::{Account, TestApp};

/// Abbreviations and names a condition phrase may start with; anything else starts lower case.
const CAPITALISED: &[&str] = &[
    "COPD",
    "MS",
    "Parkinson's",
    "PTSD",
    "Crohn's",
    "IBS",
    "ME",
    "HIV",
];

/// The verbs a tag phrase starts with: plural present (or past) after "You both".
const TAG_VERBS: &[&str] = &[
    "are", "have", "live", "care", "rely", "work", "feel", "say", "were",
];

/// A condition or group phrase reads after "live with": a noun phrase, not form wording.
fn check_noun_phrase(id: &str, phrase: &str) {
    let first = phrase.split(' ').next().unwrap();
    assert!(
        first.chars().next().unwrap().is_lowercase() || CAPITALISED.contains(&first),
        "{id}: {phrase:?} starts like a form label"
    );
    // A gerund ("Living with obesity", "Getting used to …") is form wording; "hearing" is a
    // noun.
    assert!(
        !first.ends_with("ing") || first == "hearing",
        "{id}: {phrase:?} does not read after \"live with\""
    );
    for bad in ["(", ")", "/", ".", "  ", " i ", "my "] {
        assert!(!phrase.contains(bad), "{id}: {phrase:?} contains {bad:?}");
    }
}

/// A tag phrase reads after "You both": a plural verb phrase, not first-person form wording.
fn check_verb_phrase(id: &str, phrase: &str) {
    let first = phrase.split(' ').next().unwrap();
    assert!(
        TAG_VERBS.contains(&first),
        "{id}: {phrase:?} does not read after \"You both\""
    );
    let words: Vec<&str> = phrase.split([' ', ',']).collect();
    for bad in ["I", "me", "my", "My"] {
        assert!(!words.contains(&bad), "{id}: {phrase:?} is first person");
    }
    for bad in ["(", ")", "/", ".", "  "] {
        assert!(!phrase.contains(bad), "{id}: {phrase:?} contains {bad:?}");
    }
    assert!(
        !phrase.chars().any(|c| c.is_ascii_digit()),
        "{id}: {phrase:?}"
    );
}

/// What every sentence must be: a capitalised sentence ending in one full stop, with no id,
/// tag, score, level or number beyond what its own words (`inserted`) carry.
fn check_sentence(v: &Vocabulary, ids: &[String], sentence: &str, inserted: &[&str]) {
    let first = sentence.chars().next().unwrap();
    assert!(first.is_uppercase(), "{sentence}");
    assert!(
        sentence.ends_with('.') && !sentence.ends_with(".."),
        "{sentence}"
    );
    assert!(
        !sentence.contains("  ") && !sentence.contains(" ."),
        "{sentence}"
    );
    let mut rest = sentence.to_string();
    for w in inserted {
        assert!(sentence.contains(w), "{sentence} lacks {w:?}");
        rest = rest.replace(w, "");
    }
    assert!(!rest.chars().any(|c| c.is_ascii_digit()), "{sentence}");
    let lower = sentence.to_lowercase();
    for bad in ["score", "level", "%", "_", "you're both bereavement"] {
        assert!(!lower.contains(bad), "{sentence}");
    }
    for id in ids.iter().filter(|id| id.contains(['.', '_'])) {
        assert!(!sentence.contains(id.as_str()), "{sentence} shows {id}");
    }
    // Never the form label unless the sentence words hold it ("Asthma", "Living with obesity",
    // "Bereavement" never appear; "HIV" or "LGBTQ+" may).
    for id in ids {
        let label = v.label(id);
        if !v.phrase(id).is_some_and(|p| p.contains(label.as_str())) {
            assert!(
                !sentence.contains(label.as_str()),
                "{sentence} uses the label of {id}"
            );
        }
    }
}

fn say(v: &Vocabulary, fact: &Fact) -> Option<String> {
    render(fact, &|id: &str| v.phrase(id))
}

async fn every_template_holds_for_every_served_id(app: TestApp) {
    let v = app.state.vocab.clone();
    let mut conditions: Vec<String> = v.conditions.keys().cloned().collect();
    let mut groups: Vec<String> = v.groups.keys().cloned().collect();
    let mut tags: Vec<String> = v.experiences.keys().cloned().collect();
    conditions.sort();
    groups.sort();
    tags.sort();
    assert!(conditions.len() >= 54 && groups.len() >= 12 && tags.len() >= 32);
    let ids: Vec<String> = conditions
        .iter()
        .chain(&groups)
        .chain(&tags)
        .cloned()
        .collect();
    let mut sentences = 0;
    let mut check = |fact: Fact, inserted: &[&str]| {
        let s = say(&v, &fact).unwrap_or_else(|| panic!("{fact:?} has no words"));
        check_sentence(&v, &ids, &s, inserted);
        sentences += 1;
        s
    };

    for c in &conditions {
        let p = v.phrase(c).unwrap_or_else(|| panic!("{c} has no phrase"));
        check_noun_phrase(c, &p);
        let w = [p.as_str()];
        check(
            Fact::SameCondition {
                condition: c.clone(),
            },
            &w,
        );
        check(
            Fact::MemberLivesWith {
                condition: c.clone(),
            },
            &w,
        );
        for n in 1..=8 {
            check(
                Fact::OthersShareCondition {
                    condition: c.clone(),
                    others: n,
                },
                &w,
            );
            check(
                Fact::MembersWithCondition {
                    condition: c.clone(),
                    count: n,
                },
                &w,
            );
        }
    }
    for g in &groups {
        let p = v.phrase(g).unwrap_or_else(|| panic!("{g} has no phrase"));
        check_noun_phrase(g, &p);
        let w = [p.as_str()];
        check(Fact::SameGroup { group: g.clone() }, &w);
        check(Fact::GroupFor { group: g.clone() }, &w);
        for n in 1..=8 {
            check(
                Fact::OthersShareGroup {
                    group: g.clone(),
                    others: n,
                },
                &w,
            );
            check(
                Fact::MembersWithGroup {
                    group: g.clone(),
                    count: n,
                },
                &w,
            );
        }
    }
    for t in &tags {
        let p = v.phrase(t).unwrap_or_else(|| panic!("{t} has no phrase"));
        check_verb_phrase(t, &p);
        let w = [p.as_str()];
        check(Fact::SharedTag { tag: t.clone() }, &w);
        check(
            Fact::Relaxed {
                tag: Some(t.clone()),
            },
            &w,
        );
    }

    // Every language with a name, in every spelling a profile may hold, is named in words.
    let mut languages: Vec<String> = Vec::new();
    for key in known_keys() {
        languages.push(key.to_string());
        languages.push(format!("{key}-GB"));
        languages.push(format!("{}-Latn-IE", key.to_uppercase()));
    }
    languages.extend(["sgn-GB", "sgn-US", "sgn-IE"].map(String::from));
    for tag in &languages {
        let name = language_name(tag).unwrap();
        let s = check(
            Fact::SameLanguage {
                language: tag.clone(),
            },
            &[name],
        );
        let tokens: Vec<String> = s.split([' ', '.']).map(str::to_lowercase).collect();
        let primary = tag.split('-').next().unwrap().to_lowercase();
        assert!(
            !tokens.contains(&tag.to_lowercase()) && !tokens.contains(&primary),
            "{s} shows the tag"
        );
    }
    // A tag with no name is never said.
    for tag in ["xx", "xx-GB", "qaa", "sgn", "sgn-ZZ"] {
        assert_eq!(
            say(
                &v,
                &Fact::SameLanguage {
                    language: tag.into()
                }
            ),
            None
        );
    }

    // The facts without ids.
    let sinces = [
        Since::UnderSixMonths,
        Since::SixMonthsToTwoYears,
        Since::TwoToFiveYears,
        Since::OverFiveYears,
    ];
    for since in sinces {
        check(Fact::SameStage { since }, &[]);
        check(Fact::MemberSince { since }, &[]);
        check(
            Fact::VolunteerAhead {
                name: "Sam".into(),
                since,
            },
            &["Sam"],
        );
    }
    check(Fact::SimilarStage, &[]);
    for days in [Days::Weekdays, Days::Weekends, Days::AllWeek] {
        for part in Part::ALL {
            check(Fact::SharedAvailability { days, part }, &[]);
        }
    }
    check(Fact::Relaxed { tag: None }, &[]);
    check(Fact::SupportingOneToOne, &[]);
    for members in 3..=8 {
        check(Fact::FacilitatingGroup { members }, &[]);
    }

    // An id the vocabulary does not know is never shown.
    assert_eq!(
        say(
            &v,
            &Fact::SameCondition {
                condition: "lungs.unknown".into()
            }
        ),
        None
    );

    // The sentences the issue found wrong, as they read now.
    let pinned = [
        (
            Fact::SameLanguage {
                language: "en-GB".into(),
            },
            "You both prefer to talk in English.",
        ),
        (
            Fact::SameLanguage {
                language: "sgn-GB".into(),
            },
            "You both prefer to talk in British Sign Language.",
        ),
        (
            Fact::SharedTag {
                tag: "feelings.bereavement".into(),
            },
            "You both have been bereaved.",
        ),
        (
            Fact::OthersShareCondition {
                condition: "lungs.copd".into(),
                others: 2,
            },
            "Two others in this group also live with COPD.",
        ),
        (
            Fact::OthersShareGroup {
                group: "lungs".into(),
                others: 1,
            },
            "One other person in this group also lives with a lung or breathing condition.",
        ),
        (
            Fact::SameCondition {
                condition: "metabolic.obesity".into(),
            },
            "You both live with obesity.",
        ),
    ];
    for (fact, text) in pinned {
        assert_eq!(say(&v, &fact).as_deref(), Some(text));
    }
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "ids are unique across kinds");
    assert!(sentences > 1000, "{sentences}");
}
both_backends!(every_template_holds_for_every_served_id);

/// The sentences `who` reads on their request.
async fn sentences_of(app: &TestApp, who: &Account, id: &str) -> Vec<String> {
    let v: Value = app
        .get_auth(&format!("/api/v1/match-requests/{id}"), &who.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "matched", "{v}");
    serde_json::from_value(v["explanation"].clone()).unwrap()
}

async fn patch_me(app: &TestApp, who: &Account, body: Value) {
    let r = app.patch_auth("/api/v1/me", &who.access, &body).await;
    assert_eq!(r.status(), 200);
}

async fn a_group_seat_is_explained_from_the_members_side(app: TestApp) {
    // Ann keeps her conditions to herself; Ben and Cat share theirs.
    let mut ids = Vec::new();
    let mut people = Vec::new();
    for name in ["Ann", "Ben", "Cat"] {
        let p = ready_member(&app, name).await;
        ids.push(id_of(request(&app, &p, "group").await).await);
        people.push(p);
    }
    patch_me(&app, &people[0], json!({"sharing": {"conditions": false}})).await;
    assert_eq!(tick(&app).await.made, 1);
    assert_eq!(
        sentences_of(&app, &people[0], &ids[0]).await,
        ["This group is for people living with a lung or breathing condition."],
        "nothing about the others for someone who shares nothing"
    );
    for k in [1, 2] {
        assert_eq!(
            sentences_of(&app, &people[k], &ids[k]).await,
            ["One other person in this group also lives with COPD."],
            "Ann is not counted: she keeps her conditions private"
        );
    }

    // Dee has asthma, not COPD: she joins the lung group and is never told she shares asthma.
    let dee = app.signup("Dee").await;
    patch_me(
        &app,
        &dee,
        json!({"languages": [{"tag": "en"}], "age_band": "50-64"}),
    )
    .await;
    let r = app
        .put_auth(
            "/api/v1/me/conditions",
            &dee.access,
            &json!([{"id": "lungs.asthma", "diagnosed_year": 2025}]),
        )
        .await;
    assert_eq!(r.status(), 200);
    let rd = id_of(
        app.post_auth(
            "/api/v1/match-requests",
            &dee.access,
            &json!({"format": "group", "focus_condition": "lungs.asthma"}),
        )
        .await,
    )
    .await;
    assert_eq!(tick(&app).await.made, 1);
    let text = sentences_of(&app, &dee, &rd).await;
    assert_eq!(
        text,
        ["Two others in this group also live with a lung or breathing condition."]
    );
    let all = text.join(" ").to_lowercase();
    assert!(
        !all.contains("asthma") && !all.contains("you both"),
        "{all}"
    );
}
both_backends!(
    a_group_seat_is_explained_from_the_members_side,
    crate::matching::manual_ticks
);

async fn a_shared_language_is_named_in_words(app: TestApp) {
    let mut people = Vec::new();
    let mut ids = Vec::new();
    for name in ["Sam", "Alex"] {
        let p = ready_member(&app, name).await;
        // en-GB for both, and conditions kept private so the language is among the top facts.
        patch_me(
            &app,
            &p,
            json!({"languages": [{"tag": "en-GB", "session": true}],
                   "sharing": {"conditions": false}}),
        )
        .await;
        ids.push(id_of(request(&app, &p, "pair").await).await);
        people.push(p);
    }
    assert_eq!(tick(&app).await.made, 1);
    for (p, id) in people.iter().zip(&ids) {
        let text = sentences_of(&app, p, id).await;
        assert!(
            text.iter()
                .any(|s| s == "You both prefer to talk in English."),
            "{text:?}"
        );
        let all = text.join(" ");
        assert!(!all.contains("en-GB") && !all.contains("COPD"), "{all}");
    }
}
both_backends!(
    a_shared_language_is_named_in_words,
    crate::matching::manual_ticks
);

async fn a_volunteer_reads_who_they_support_within_what_is_shared(app: TestApp) {
    let vic = volunteer(&app, "Vic", 2).await;
    let sam = ready_member(&app, "Sam").await;
    let alex = ready_member(&app, "Alex").await;
    // Alex keeps conditions, stage and tags private.
    patch_me(
        &app,
        &alex,
        json!({"sharing": {"conditions": false, "stage": false,
                           "experiences": {"life.carer": false, "journey.new_treatment": false}}}),
    )
    .await;
    let rs = id_of(request(&app, &sam, "one_to_one").await).await;
    let ra = id_of(request(&app, &alex, "one_to_one").await).await;
    assert_eq!(tick(&app).await.made, 2);

    let room_of = |v: Value| v["room_id"].as_str().unwrap().to_string();
    let get = |who: &Account, path: String| {
        let (app, access) = (&app, who.access.clone());
        async move {
            app.get_auth(&path, &access)
                .await
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let sam_room = room_of(get(&sam, format!("/api/v1/match-requests/{rs}")).await);
    let alex_room = room_of(get(&alex, format!("/api/v1/match-requests/{ra}")).await);

    let view = get(&vic, format!("/api/v1/rooms/{sam_room}")).await;
    let told: Vec<String> = serde_json::from_value(view["explanation"].clone()).unwrap();
    assert_eq!(told[0], "You've been asked to support a member one-to-one.");
    assert_eq!(told[1], "You both live with COPD.", "{told:?}");
    assert!(
        told.iter().any(|s| s.starts_with("They were diagnosed ")),
        "{told:?}"
    );
    assert!(told.len() <= 4);
    for s in &told {
        assert!(!s.contains("lungs.") && !s.contains("life."), "{s}");
    }

    let view = get(&vic, format!("/api/v1/rooms/{alex_room}")).await;
    let told: Vec<String> = serde_json::from_value(view["explanation"].clone()).unwrap();
    assert_eq!(told[0], "You've been asked to support a member one-to-one.");
    let all = told.join(" ");
    assert!(
        !all.contains("COPD") && !all.contains("diagnosed") && !all.contains("care for"),
        "only what Alex shares: {all}"
    );

    // The member's own view of the room carries no volunteer explanation; theirs is on the
    // request.
    let view = get(&sam, format!("/api/v1/rooms/{sam_room}")).await;
    assert!(view.get("explanation").is_none(), "{view}");
    // The list shows the same to the volunteer.
    let list = get(&vic, "/api/v1/rooms".to_string()).await;
    assert!(
        list["rooms"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["explanation"][0] == "You've been asked to support a member one-to-one."),
        "{list}"
    );

    // And the volunteer's email says it too.
    let mail = loop {
        let mail = app
            .smtp
            .wait_for(&vic.email, crate::support::MAIL_WAIT)
            .await
            .expect("the volunteer's matched email");
        if mail.subject == "You have been matched on Kindred" {
            break mail;
        }
    };
    assert!(
        mail.text
            .contains("You've been asked to support a member one-to-one."),
        "{}",
        mail.text
    );
}
both_backends!(
    a_volunteer_reads_who_they_support_within_what_is_shared,
    crate::matching::manual_ticks
);

async fn a_new_groups_facilitator_reads_what_the_members_share(app: TestApp) {
    let vic = volunteer(&app, "Vic", 1).await;
    let mut ids = Vec::new();
    let mut people = Vec::new();
    for name in ["Ann", "Ben", "Cat"] {
        let p = ready_member(&app, name).await;
        ids.push(id_of(request(&app, &p, "group").await).await);
        people.push(p);
    }
    patch_me(&app, &people[0], json!({"sharing": {"conditions": false}})).await;
    assert_eq!(tick(&app).await.made, 1);
    let room: Value = app
        .get_auth(
            &format!("/api/v1/match-requests/{}", ids[1]),
            &people[1].access,
        )
        .await
        .json()
        .await
        .unwrap();
    let room = room["room_id"].as_str().unwrap().to_string();
    let view: Value = app
        .get_auth(&format!("/api/v1/rooms/{room}"), &vic.access)
        .await
        .json()
        .await
        .unwrap();
    let facilitator = view["members"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["display_name"] == "Vic" && m["room_role"] == "facilitator");
    assert!(facilitator, "{view}");
    assert_eq!(
        view["explanation"],
        json!([
            "You've been asked to facilitate a new group of three members.",
            "Two of them live with COPD."
        ]),
        "Ann keeps her conditions private and is not counted"
    );
    // The members read about each other, never about the volunteer.
    assert_eq!(
        sentences_of(&app, &people[1], &ids[1]).await,
        ["One other person in this group also lives with COPD."]
    );
}
both_backends!(
    a_new_groups_facilitator_reads_what_the_members_share,
    crate::matching::manual_ticks
);
