//! Vocabularies, the profile, conditions, lived experience and check-ins.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{TestApp, assert_problem};

async fn vocabularies_are_public_complete_and_cacheable(app: TestApp) {
    let resp = app.get("/api/v1/conditions").await;
    assert_eq!(resp.status(), 200);
    let etag = resp.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(resp.headers()["cache-control"], "public, max-age=3600");
    let doc: Value = resp.json().await.unwrap();
    let groups = doc["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 12);
    let all: Vec<&Value> = groups
        .iter()
        .flat_map(|g| g["conditions"].as_array().unwrap())
        .collect();
    assert_eq!(all.len(), 54);
    let copd = all.iter().find(|c| c["id"] == "lungs.copd").unwrap();
    assert_eq!(copd["label"], "COPD (emphysema, chronic bronchitis)");
    let metabolic = groups.iter().find(|g| g["id"] == "metabolic").unwrap();
    let related: Vec<&str> = metabolic["related_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["group"].as_str().unwrap())
        .collect();
    for g in ["heart", "kidney", "mental"] {
        assert!(related.contains(&g), "{related:?}");
    }
    let again = app
        .client
        .get(app.url("/api/v1/conditions"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
    let weak = app
        .client
        .get(app.url("/api/v1/conditions"))
        .header("if-none-match", format!("\"other\", W/{etag}"))
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), 304, "weak comparison");

    let doc: Value = app.get("/api/v1/experiences").await.json().await.unwrap();
    let tags: Vec<&Value> = doc["categories"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["experiences"].as_array().unwrap())
        .collect();
    assert_eq!(tags.len(), 32);
    assert_eq!(tags.iter().filter(|t| t["sensitive"] == true).count(), 10);
    assert!(
        tags.iter()
            .any(|t| t["id"] == "journey.newly_diagnosed" && t["derived_from_stage"] == true)
    );
}
both_backends!(vocabularies_are_public_complete_and_cacheable);

async fn the_check_in_instrument_is_semcd6_verbatim(app: TestApp) {
    let resp = app.get("/api/v1/check-in-instrument").await;
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    assert!(!text.contains("PAM") && !text.contains("Patient Activation"));
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["id"], "semcd6");
    assert_eq!(doc["items"].as_array().unwrap().len(), 6);
    assert!(
        doc["items"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("How confident are you that you can keep the fatigue")
    );
    assert_eq!(doc["scale"]["anchors"][0]["label"], "Not at all confident");
    assert!(doc["attribution"].as_str().unwrap().contains("Stanford"));
    assert!(doc["helper"].as_str().unwrap().contains("'disease' means"));
}
both_backends!(the_check_in_instrument_is_semcd6_verbatim);

async fn a_member_fills_in_their_profile(app: TestApp) {
    let sam = app.signup("Sam").await;
    let resp = app
        .patch_auth(
            "/api/v1/me",
            &sam.access,
            &json!({
                "pronouns": "she/her",
                "bio": "Walking helps. ' OR 1=1 -- \"quotes\" and emoji 🌿 stay exactly as written.",
                "languages": [{"tag": "en-gb", "session": true}, {"tag": "cy", "session": false}],
                "timezone": "Europe/London",
                "age_band": "35-49",
                "gender": "woman",
                "availability": [{"day": "tue", "part": "evening"}, {"day": "sat", "part": "morning"}],
                "support_preferences": {"formats": ["pair", "group"], "gender": "prefer", "age": "none",
                                        "wants_from_support": ["practical_tips"], "same_condition_volunteer": true},
                "sharing": {"availability": false, "experiences": {"identity.faith": true}}
            }),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let me: Value = app
        .get_auth("/api/v1/me", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        me["bio"],
        "Walking helps. ' OR 1=1 -- \"quotes\" and emoji 🌿 stay exactly as written."
    );
    assert_eq!(
        me["languages"],
        json!([{"tag": "en-GB", "session": true}, {"tag": "cy", "session": false}])
    );
    assert_eq!(me["timezone"], "Europe/London");
    assert_eq!(
        me["support_preferences"]["formats"],
        json!(["pair", "group"])
    );
    assert_eq!(me["sharing"]["availability"], false);
    assert_eq!(me["sharing"]["conditions"], true);
    assert_eq!(me["volunteer"]["status"], "none");
    assert_eq!(me["confidence"], Value::Null);
    // With a session language, only the missing conditions stop a match request now.
    assert_eq!(
        me["restrictions"],
        json!([{"action": "request_match", "reason": "no_conditions"}])
    );
    // null clears; absent keeps.
    let me: Value = app
        .patch_auth("/api/v1/me", &sam.access, &json!({"pronouns": null}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["pronouns"], Value::Null);
    assert_eq!(me["gender"], "woman");
}
both_backends!(a_member_fills_in_their_profile);

async fn every_profile_rule_answers_with_its_code(app: TestApp) {
    let sam = app.signup("Sam").await;
    let cases = [
        (
            json!({"languages": [{"tag": "klingon!"}]}),
            "invalid_language_tag",
        ),
        (json!({"languages": []}), "languages_required"),
        (json!({"timezone": "Europe/Londres"}), "invalid_timezone"),
        (json!({"bio": "x".repeat(501)}), "bio_too_long"),
        (json!({"age_band": "16-17"}), "invalid_age_band"),
        (json!({"gender": "robot"}), "invalid_gender"),
        (
            json!({"availability": [{"day": "mon", "part": "dawn"}]}),
            "invalid_availability",
        ),
        (
            json!({"support_preferences": {"formats": []}}),
            "invalid_formats",
        ),
        (
            json!({"support_preferences": {"age": "must"}}),
            "preference_needs_own_value",
        ),
        (
            json!({"sharing": {"experiences": {"journey.nope": true}}}),
            "unknown_experience",
        ),
        (json!({"display_name": "x"}), "invalid_display_name"),
    ];
    for (body, code) in cases {
        assert_problem(
            app.patch_auth("/api/v1/me", &sam.access, &body).await,
            422,
            code,
        )
        .await;
    }
    assert_problem(
        app.patch_auth("/api/v1/me", &sam.access, &json!({"is_moderator": true}))
            .await,
        422,
        "invalid_body",
    )
    .await;
    // A failed patch changes nothing, not even the parts that were valid.
    app.patch_auth(
        "/api/v1/me",
        &sam.access,
        &json!({"display_name": "Samuel", "gender": "robot"}),
    )
    .await;
    let me: Value = app
        .get_auth("/api/v1/me", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["display_name"], "Sam");
}
both_backends!(every_profile_rule_answers_with_its_code);

async fn conditions_follow_the_vocabulary_and_the_primary_rule(app: TestApp) {
    let sam = app.signup("Sam").await;
    app.patch_auth("/api/v1/me", &sam.access, &json!({"age_band": "25-34"}))
        .await;
    let put = |body: Value| {
        app.send(
            reqwest::Method::PUT,
            "/api/v1/me/conditions",
            &sam.access,
            body,
        )
    };
    assert_problem(
        put(json!([{"id": "lungs.unicorn"}])).await,
        422,
        "unknown_condition",
    )
    .await;
    assert_problem(
        put(json!([{"id": "lungs.copd"}, {"id": "lungs.copd"}])).await,
        422,
        "duplicate_condition",
    )
    .await;
    assert_problem(
        put(json!([{"id": "lungs.copd"}, {"id": "lungs.asthma"}])).await,
        422,
        "invalid_primary_condition",
    )
    .await;
    assert_problem(
        put(
            json!([{"id": "lungs.copd", "primary": true}, {"id": "lungs.asthma", "primary": true}]),
        )
        .await,
        422,
        "invalid_primary_condition",
    )
    .await;
    assert_problem(
        put(json!([{"id": "lungs.copd", "diagnosed_year": 2099}])).await,
        422,
        "invalid_diagnosed_year",
    )
    .await;
    // Someone aged 25–34 cannot have been diagnosed in 1980.
    assert_problem(
        put(json!([{"id": "lungs.copd", "diagnosed_year": 1980}])).await,
        422,
        "invalid_diagnosed_year",
    )
    .await;
    assert_problem(
        put(json!([{"id": "lungs.copd", "severity": "high"}])).await,
        422,
        "invalid_body",
    )
    .await;

    let resp = put(json!([{"id": "lungs.copd", "diagnosed_year": 2024}])).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["conditions"],
        json!([{"id": "lungs.copd", "label": "COPD (emphysema, chronic bronchitis)", "group": "lungs", "diagnosed_year": 2024, "primary": true}])
    );
    let resp =
        put(json!([{"id": "mental.anxiety"}, {"id": "metabolic.type2_diabetes", "primary": true}]))
            .await;
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["conditions"][0]["id"], "metabolic.type2_diabetes");
    assert_eq!(body["conditions"][0]["primary"], true);
    assert_eq!(body["conditions"][1]["primary"], false);
    let me: Value = app
        .get_auth("/api/v1/me", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["conditions"].as_array().unwrap().len(), 2);
    let cleared: Value = put(json!([])).await.json().await.unwrap();
    assert_eq!(cleared["conditions"], json!([]));
}
both_backends!(conditions_follow_the_vocabulary_and_the_primary_rule);

async fn lived_experience_tags_and_their_sharing(app: TestApp) {
    let sam = app.signup("Sam").await;
    let put = |body: Value| {
        app.send(
            reqwest::Method::PUT,
            "/api/v1/me/experiences",
            &sam.access,
            body,
        )
    };
    assert_problem(
        put(json!(["life.unicorn"])).await,
        422,
        "unknown_experience",
    )
    .await;
    assert_problem(
        put(json!(["life.carer", "life.carer"])).await,
        422,
        "duplicate_experience",
    )
    .await;
    let body: Value = put(json!(["life.carer", "feelings.bereavement"]))
        .await
        .json()
        .await
        .unwrap();
    let tags = body["experiences"].as_array().unwrap();
    let bereavement = tags
        .iter()
        .find(|t| t["id"] == "feelings.bereavement")
        .unwrap();
    assert_eq!(bereavement["sensitive"], true);
    assert_eq!(
        bereavement["shared"], false,
        "sensitive tags are not shared by default"
    );
    let carer = tags.iter().find(|t| t["id"] == "life.carer").unwrap();
    assert_eq!(carer["shared"], true);
    app.patch_auth(
        "/api/v1/me",
        &sam.access,
        &json!({"sharing": {"experiences": {"feelings.bereavement": true, "life.carer": false}}}),
    )
    .await;
    let me: Value = app
        .get_auth("/api/v1/me", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    let shared: Vec<(String, bool)> = me["experiences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_string(),
                t["shared"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(shared.contains(&("feelings.bereavement".into(), true)));
    assert!(shared.contains(&("life.carer".into(), false)));
}
both_backends!(lived_experience_tags_and_their_sharing);

async fn check_ins_are_scored_banded_and_tracked(app: TestApp) {
    let sam = app.signup("Sam").await;
    let post = |answers: Value| {
        app.send(
            reqwest::Method::POST,
            "/api/v1/me/check-ins",
            &sam.access,
            json!({"answers": answers}),
        )
    };
    assert_problem(
        post(json!([5, 5, 5, null, null, null])).await,
        422,
        "too_many_missing",
    )
    .await;
    assert_problem(post(json!([5, 5, 5, 5, 5])).await, 422, "invalid_answers").await;
    assert_problem(
        post(json!([5, 5, 5, 5, 5, 11])).await,
        422,
        "invalid_answers",
    )
    .await;
    assert_problem(
        post(json!([5, 5, 5, 5, 5, 0])).await,
        422,
        "invalid_answers",
    )
    .await;
    assert_problem(post(json!([5, 5, 5, 5, 5, "7"])).await, 422, "invalid_body").await;

    let resp = post(json!([3, 4, 3, null, 4, 3])).await;
    assert_eq!(resp.status(), 201);
    let first: Value = resp.json().await.unwrap();
    assert_eq!(first["score"], 3.4);
    assert_eq!(first["level"], 1);
    app.clock
        .advance(std::time::Duration::from_secs(6 * 7 * 24 * 3600));
    // Six weeks later the old tokens have long expired: Sam signs in again.
    let sam = app.signin(&sam.email, &sam.password, "Sam").await;
    let second: Value = app
        .post_auth(
            "/api/v1/me/check-ins",
            &sam.access,
            &json!({"answers": [7, 8, 8, null, 9, 7]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["score"], 7.8);
    assert_eq!(second["level"], 3);

    let history: Value = app
        .get_auth("/api/v1/me/check-ins", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history["check_ins"].as_array().unwrap().len(), 2);
    assert_eq!(
        history["check_ins"][0]["answers"],
        json!([3, 4, 3, null, 4, 3])
    );
    assert_eq!(history["change_since_first"], 4.4);
    assert_eq!(history["notable_change"], true);
    let me: Value = app
        .get_auth("/api/v1/me", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["confidence"]["level"], 3);
}
both_backends!(check_ins_are_scored_banded_and_tracked);
