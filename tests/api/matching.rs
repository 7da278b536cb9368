//! Asking for support, blocking, and (with the engine) being matched into rooms.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Account, TestApp, assert_problem};

/// A verified member with a session language, COPD as primary condition and two tags.
pub async fn ready_member(app: &TestApp, name: &str) -> Account {
    let a = app.signup(name).await;
    let r = app
        .patch_auth(
            "/api/v1/me",
            &a.access,
            &json!({"languages": [{"tag": "en"}], "age_band": "50-64"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .put_auth(
            "/api/v1/me/conditions",
            &a.access,
            &json!([{"id": "lungs.copd", "diagnosed_year": 2025}]),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .put_auth(
            "/api/v1/me/experiences",
            &a.access,
            &json!(["life.carer", "journey.new_treatment"]),
        )
        .await;
    assert_eq!(r.status(), 200);
    a
}

pub async fn request(app: &TestApp, who: &Account, format: &str) -> reqwest::Response {
    app.post_auth(
        "/api/v1/match-requests",
        &who.access,
        &json!({"format": format, "focus_condition": "lungs.copd"}),
    )
    .await
}

async fn asking_for_support_follows_the_rules(app: TestApp) {
    // Unverified accounts may not ask.
    app.register("new@example.org", "a calm river at dawn", "Newbie")
        .await;
    let newbie = app
        .signin("new@example.org", "a calm river at dawn", "Newbie")
        .await;
    assert_problem(
        request(&app, &newbie, "pair").await,
        403,
        "email_not_verified",
    )
    .await;

    let bare = app.signup("Bare").await;
    assert_problem(
        request(&app, &bare, "pair").await,
        422,
        "no_session_language",
    )
    .await;
    app.patch_auth(
        "/api/v1/me",
        &bare.access,
        &json!({"languages": [{"tag": "en"}]}),
    )
    .await;
    assert_problem(
        request(&app, &bare, "pair").await,
        422,
        "focus_not_on_profile",
    )
    .await;

    let sam = ready_member(&app, "Sam").await;
    let post = |body: Value| app.send(Method::POST, "/api/v1/match-requests", &sam.access, body);
    assert_problem(
        post(json!({"format": "trio", "focus_condition": "lungs.copd"})).await,
        422,
        "invalid_format",
    )
    .await;
    assert_problem(
        post(json!({"format": "pair", "focus_condition": "lungs.gills"})).await,
        422,
        "unknown_condition",
    )
    .await;
    assert_problem(
        post(json!({"format": "pair", "focus_condition": "lungs.copd", "experience_tags": ["life.parent"]})).await,
        422,
        "experience_not_on_profile",
    )
    .await;
    assert_problem(
        post(json!({"format": "pair", "focus_condition": "lungs.copd", "room_id": "x"})).await,
        422,
        "invalid_body",
    )
    .await;

    let resp = post(json!({"format": "pair", "focus_condition": "lungs.copd", "experience_tags": ["life.carer"]})).await;
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.unwrap();
    assert_eq!(created["status"], "waiting");
    assert_eq!(created["format"], "pair");
    assert!(created["created_at"].is_string());
    assert_problem(
        request(&app, &sam, "pair").await,
        409,
        "request_already_open",
    )
    .await;
    // Another format is another queue.
    assert_eq!(request(&app, &sam, "group").await.status(), 201);

    let id = created["id"].as_str().unwrap();
    let one: Value = app
        .get_auth(&format!("/api/v1/match-requests/{id}"), &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["id"], id);
    assert!(one["waited_seconds"].as_i64().unwrap() >= 0);
    let mine: Value = app
        .get_auth("/api/v1/match-requests", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["match_requests"].as_array().unwrap().len(), 2);
    // Someone else's request does not exist for them.
    let other = ready_member(&app, "Alex").await;
    assert_problem(
        app.get_auth(&format!("/api/v1/match-requests/{id}"), &other.access)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.send(
            Method::DELETE,
            &format!("/api/v1/match-requests/{id}"),
            &other.access,
            json!({}),
        )
        .await,
        404,
        "not_found",
    )
    .await;

    let cancelled: Value = app
        .send(
            Method::DELETE,
            &format!("/api/v1/match-requests/{id}"),
            &sam.access,
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    assert_problem(
        app.send(
            Method::DELETE,
            &format!("/api/v1/match-requests/{id}"),
            &sam.access,
            json!({}),
        )
        .await,
        409,
        "request_not_waiting",
    )
    .await;
    assert_eq!(
        request(&app, &sam, "pair").await.status(),
        201,
        "a new request after cancelling"
    );

    // Formats outside the member's preferences are refused.
    app.patch_auth(
        "/api/v1/me",
        &other.access,
        &json!({"support_preferences": {"formats": ["group"]}}),
    )
    .await;
    assert_problem(
        request(&app, &other, "one_to_one").await,
        422,
        "format_not_accepted",
    )
    .await;
}
both_backends!(asking_for_support_follows_the_rules);

async fn a_member_finding_it_hard_is_offered_one_to_one_not_a_pair(app: TestApp) {
    let sam = ready_member(&app, "Sam").await;
    app.post_auth(
        "/api/v1/me/check-ins",
        &sam.access,
        &json!({"answers": [2, 3, 2, 3, 2, 3]}),
    )
    .await;
    assert_problem(request(&app, &sam, "pair").await, 422, "suggest_one_to_one").await;
    assert_eq!(request(&app, &sam, "one_to_one").await.status(), 201);
}
both_backends!(a_member_finding_it_hard_is_offered_one_to_one_not_a_pair);

async fn blocks_are_private_and_idempotent(app: TestApp) {
    let sam = app.signup("Sam").await;
    let alex = app.signup("Alex").await;
    let path = format!("/api/v1/blocks/{}", alex.id);
    assert_eq!(
        app.send(Method::PUT, &path, &sam.access, json!(null))
            .await
            .status(),
        204
    );
    assert_eq!(
        app.send(Method::PUT, &path, &sam.access, json!(null))
            .await
            .status(),
        204
    );
    let list: Value = app
        .get_auth("/api/v1/blocks", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["blocks"].as_array().unwrap().len(), 1);
    assert_eq!(list["blocks"][0]["user_id"], alex.id.as_str());
    assert_eq!(list["blocks"][0]["display_name"], "Alex");
    // Alex sees nothing of it, not even in their export.
    let theirs: Value = app
        .get_auth("/api/v1/blocks", &alex.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["blocks"], json!([]));
    let export = app
        .get_auth("/api/v1/me/export", &alex.access)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !export.contains(&sam.id),
        "the blocked person's export must not reveal the block"
    );

    assert_problem(
        app.send(
            Method::PUT,
            &format!("/api/v1/blocks/{}", sam.id),
            &sam.access,
            json!(null),
        )
        .await,
        422,
        "cannot_block_self",
    )
    .await;
    let nobody = format!("/api/v1/blocks/{}", uuid::Uuid::now_v7());
    assert_problem(
        app.send(Method::PUT, &nobody, &sam.access, json!(null))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.send(
            Method::PUT,
            "/api/v1/blocks/not-a-uuid",
            &sam.access,
            json!(null),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        app.send(Method::DELETE, &path, &sam.access, json!(null))
            .await
            .status(),
        204
    );
    let list: Value = app
        .get_auth("/api/v1/blocks", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["blocks"], json!([]));
}
both_backends!(blocks_are_private_and_idempotent);
