//! Becoming a volunteer: applying, moderators deciding (audited, emailed), settings, expiry.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Account, MAIL_WAIT, TestApp, assert_problem};

fn application() -> Value {
    json!({
        "motivation": "I want to give back what my peer gave me.",
        "lived_experience": "Twelve years with COPD; pulmonary rehab twice.",
        "conditions": ["lungs.copd", "lungs.asthma"],
        "training": {"course": "Peer Support Foundations (level 2)", "completed_on": "2026-09-01", "certificate_ref": "PSF-2231"}
    })
}

async fn moderator(app: &TestApp, name: &str) -> Account {
    let m = app.signup(name).await;
    app.make_role(&m.id, "moderator").await;
    m
}

async fn apply(app: &TestApp, who: &Account) -> Value {
    let resp = app
        .post_auth(
            "/api/v1/volunteer-applications",
            &who.access,
            &application(),
        )
        .await;
    assert_eq!(resp.status(), 201);
    resp.json().await.unwrap()
}

async fn a_member_applies_and_a_moderator_approves(app: TestApp) {
    let mo = moderator(&app, "Moira").await;
    let sam = app.signup("Sam").await;
    let created = apply(&app, &sam).await;
    assert_eq!(created["status"], "pending");
    assert_eq!(created["conditions"], json!(["lungs.asthma", "lungs.copd"]));
    let again = app
        .post_auth(
            "/api/v1/volunteer-applications",
            &sam.access,
            &application(),
        )
        .await;
    assert_problem(again, 409, "application_already_open").await;
    let mine: Value = app
        .get_auth("/api/v1/volunteer-applications/mine", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["applications"][0]["id"], created["id"]);
    let me: Value = app
        .get_auth("/api/v1/me", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["volunteer"]["status"], "pending");

    // Only moderators see the queue and decide.
    assert_problem(
        app.get_auth("/api/v1/moderation/volunteer-applications", &sam.access)
            .await,
        403,
        "insufficient_role",
    )
    .await;
    let queue: Value = app
        .get_auth(
            "/api/v1/moderation/volunteer-applications?status=pending",
            &mo.access,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(queue["applications"][0]["display_name"], "Sam");
    assert_eq!(queue["applications"][0]["user_id"], sam.id.as_str());
    assert_problem(
        app.get_auth(
            "/api/v1/moderation/volunteer-applications?status=maybe",
            &mo.access,
        )
        .await,
        422,
        "invalid_status",
    )
    .await;

    let id = created["id"].as_str().unwrap();
    let path = format!("/api/v1/moderation/volunteer-applications/{id}/approve");
    assert_problem(
        app.post_auth(&path, &sam.access, &json!({"note": "me"}))
            .await,
        403,
        "insufficient_role",
    )
    .await;
    let resp = app
        .post_auth(
            &path,
            &mo.access,
            &json!({"note": "Training record checked with the course lead."}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let decided: Value = resp.json().await.unwrap();
    assert_eq!(decided["status"], "approved");
    assert_eq!(
        decided["reason"],
        Value::Null,
        "approval notes stay internal"
    );
    let twice = app
        .post_auth(&path, &mo.access, &json!({"note": "again"}))
        .await;
    assert_problem(twice, 409, "application_not_pending").await;

    let me: Value = app
        .get_auth("/api/v1/me", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "volunteer");
    assert_eq!(me["volunteer"]["status"], "active");
    assert_eq!(me["volunteer"]["eligible_for_matching"], true);
    assert_eq!(me["volunteer"]["one_to_one_capacity"], 2);
    assert_eq!(
        me["volunteer"]["training_expires_on"], "2027-09-01",
        "a year after completion by default"
    );
    let mail = app.smtp.wait_for(&sam.email, MAIL_WAIT).await.unwrap();
    assert_eq!(mail.subject, "You are now a Kindred peer volunteer");
    let sam_id = sam.id.clone();
    let audit = app
        .db(move |c| kindred::db::audit::for_target(c, &sam_id).unwrap())
        .await;
    let row = audit
        .iter()
        .find(|a| a.action == "volunteer.approved")
        .expect("audited");
    assert_eq!(row.actor_id.as_deref(), Some(mo.id.as_str()));
    assert_eq!(
        row.reason.as_deref(),
        Some("Training record checked with the course lead.")
    );
    assert_problem(
        app.post_auth(
            "/api/v1/volunteer-applications",
            &sam.access,
            &application(),
        )
        .await,
        409,
        "already_volunteer",
    )
    .await;
}
both_backends!(a_member_applies_and_a_moderator_approves);

async fn a_rejection_is_explained_and_the_member_may_apply_again(app: TestApp) {
    let mo = moderator(&app, "Moira").await;
    let sam = app.signup("Sam").await;
    let created = apply(&app, &sam).await;
    let id = created["id"].as_str().unwrap();
    let path = format!("/api/v1/moderation/volunteer-applications/{id}/reject");
    assert_problem(
        app.post_auth(&path, &mo.access, &json!({"reason": "  "}))
            .await,
        422,
        "invalid_reason",
    )
    .await;
    let resp = app
        .post_auth(
            &path,
            &mo.access,
            &json!({"reason": "Please finish the safeguarding module first."}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let mail = app.smtp.wait_for(&sam.email, MAIL_WAIT).await.unwrap();
    assert!(
        mail.text
            .contains("Please finish the safeguarding module first.")
    );
    let mine: Value = app
        .get_auth("/api/v1/volunteer-applications/mine", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["applications"][0]["status"], "rejected");
    assert_eq!(
        mine["applications"][0]["reason"],
        "Please finish the safeguarding module first."
    );
    let me: Value = app
        .get_auth("/api/v1/me", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["volunteer"]["status"], "rejected");
    assert_eq!(me["role"], "member");
    apply(&app, &sam).await;
}
both_backends!(a_rejection_is_explained_and_the_member_may_apply_again);

async fn applications_are_validated_and_need_a_verified_email(app: TestApp) {
    app.register("new@example.org", "a calm river at dawn", "Newbie")
        .await;
    let unverified = app
        .signin("new@example.org", "a calm river at dawn", "Newbie")
        .await;
    assert_problem(
        app.post_auth(
            "/api/v1/volunteer-applications",
            &unverified.access,
            &application(),
        )
        .await,
        403,
        "email_not_verified",
    )
    .await;
    let sam = app.signup("Sam").await;
    let with = |f: &dyn Fn(&mut Value)| {
        let mut a = application();
        f(&mut a);
        app.send(
            Method::POST,
            "/api/v1/volunteer-applications",
            &sam.access,
            a,
        )
    };
    assert_problem(
        with(&|a| a["motivation"] = json!("   ")).await,
        422,
        "invalid_motivation",
    )
    .await;
    assert_problem(
        with(&|a| a["lived_experience"] = json!("x".repeat(2001))).await,
        422,
        "invalid_lived_experience",
    )
    .await;
    assert_problem(
        with(&|a| a["conditions"] = json!([])).await,
        422,
        "invalid_conditions",
    )
    .await;
    assert_problem(
        with(&|a| a["conditions"] = json!(["lungs.gills"])).await,
        422,
        "unknown_condition",
    )
    .await;
    assert_problem(
        with(&|a| a["training"]["completed_on"] = json!("01/09/2026")).await,
        422,
        "invalid_training_date",
    )
    .await;
    assert_problem(
        with(&|a| a["training"]["completed_on"] = json!("2099-01-01")).await,
        422,
        "invalid_training_date",
    )
    .await;
    assert_problem(
        with(&|a| a["training"]["course"] = json!("")).await,
        422,
        "invalid_training",
    )
    .await;
    assert_problem(
        with(&|a| a["role"] = json!("volunteer")).await,
        422,
        "invalid_body",
    )
    .await;
}
both_backends!(applications_are_validated_and_need_a_verified_email);

async fn volunteers_set_their_caseload_and_expire_with_their_training(app: TestApp) {
    let mo = moderator(&app, "Moira").await;
    let sam = app.signup("Sam").await;
    let put = |body: Value| app.send(Method::PUT, "/api/v1/me/volunteer", &sam.access, body);
    assert_problem(
        put(json!({"accepting": true})).await,
        403,
        "not_a_volunteer",
    )
    .await;
    let created = apply(&app, &sam).await;
    let tomorrow = (app.state.clock.now() + chrono::Duration::days(1))
        .date_naive()
        .to_string();
    let path = format!(
        "/api/v1/moderation/volunteer-applications/{}/approve",
        created["id"].as_str().unwrap()
    );
    assert_problem(
        app.post_auth(
            &path,
            &mo.access,
            &json!({"note": "ok", "training_expires_on": "2001-01-01"}),
        )
        .await,
        422,
        "invalid_training_expires_on",
    )
    .await;
    let resp = app
        .post_auth(
            &path,
            &mo.access,
            &json!({"note": "ok", "training_expires_on": tomorrow}),
        )
        .await;
    assert_eq!(resp.status(), 200);

    assert_problem(
        put(json!({"accepting": true, "one_to_one_capacity": 6})).await,
        422,
        "invalid_capacity",
    )
    .await;
    assert_problem(
        put(json!({"accepting": true, "max_groups": 4})).await,
        422,
        "invalid_max_groups",
    )
    .await;
    assert_problem(
        put(json!({"accepting": true, "conditions_supported": ["x.y"]})).await,
        422,
        "unknown_condition",
    )
    .await;
    let v: Value = put(json!({"accepting": false, "one_to_one_capacity": 4, "max_groups": 0, "conditions_supported": ["lungs.copd"]}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "not_accepting");
    assert_eq!(v["one_to_one_capacity"], 4);
    assert_eq!(v["eligible_for_matching"], false);
    let v: Value = put(json!({"accepting": true})).await.json().await.unwrap();
    assert_eq!(v["status"], "active");
    assert_eq!(
        v["one_to_one_capacity"], 4,
        "settings left out keep their values"
    );
    assert_eq!(v["max_groups"], 0);

    app.clock.advance(Duration::from_secs(2 * 24 * 3600));
    let sam = app.signin(&sam.email, &sam.password, "Sam").await;
    let me: Value = app
        .get_auth("/api/v1/me", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["volunteer"]["status"], "training_expired");
    assert_eq!(me["volunteer"]["eligible_for_matching"], false);
}
both_backends!(volunteers_set_their_caseload_and_expire_with_their_training);

async fn a_moderator_cannot_decide_their_own_application(app: TestApp) {
    let mo = moderator(&app, "Moira").await;
    let created = apply(&app, &mo).await;
    let path = format!(
        "/api/v1/moderation/volunteer-applications/{}/approve",
        created["id"].as_str().unwrap()
    );
    assert_problem(
        app.post_auth(&path, &mo.access, &json!({"note": "self"}))
            .await,
        403,
        "cannot_decide_own",
    )
    .await;
    let missing = format!(
        "/api/v1/moderation/volunteer-applications/{}/approve",
        uuid::Uuid::now_v7()
    );
    assert_problem(
        app.post_auth(&missing, &mo.access, &json!({"note": "x"}))
            .await,
        404,
        "not_found",
    )
    .await;
}
both_backends!(a_moderator_cannot_decide_their_own_application);

async fn a_moderator_who_volunteers_counts_as_a_volunteer(app: TestApp) {
    let mo = moderator(&app, "Moira").await;
    let mia = moderator(&app, "Mia").await;
    let created = apply(&app, &mia).await;
    let path = format!(
        "/api/v1/moderation/volunteer-applications/{}/approve",
        created["id"].as_str().unwrap()
    );
    assert_eq!(
        app.post_auth(&path, &mo.access, &json!({"note": "ok"}))
            .await
            .status(),
        200
    );
    let me: Value = app
        .get_auth("/api/v1/me", &mia.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "moderator", "keeps the higher role");
    assert_eq!(me["volunteer"]["status"], "active");
    let resp = app
        .put_auth(
            "/api/v1/me/volunteer",
            &mia.access,
            &json!({"accepting": false}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_problem(
        app.post_auth(
            "/api/v1/volunteer-applications",
            &mia.access,
            &application(),
        )
        .await,
        409,
        "already_volunteer",
    )
    .await;
}
both_backends!(a_moderator_who_volunteers_counts_as_a_volunteer);

async fn an_expired_training_record_cannot_be_approved_by_default(app: TestApp) {
    let mo = moderator(&app, "Moira").await;
    let sam = app.signup("Sam").await;
    let mut body = application();
    body["training"]["completed_on"] = json!("2024-01-15");
    let created: Value = app
        .post_auth("/api/v1/volunteer-applications", &sam.access, &body)
        .await
        .json()
        .await
        .unwrap();
    let path = format!(
        "/api/v1/moderation/volunteer-applications/{}/approve",
        created["id"].as_str().unwrap()
    );
    assert_problem(
        app.post_auth(&path, &mo.access, &json!({"note": "ok"}))
            .await,
        422,
        "training_expired",
    )
    .await;
    let next_year = (app.state.clock.now() + chrono::Duration::days(365))
        .date_naive()
        .to_string();
    let resp = app
        .post_auth(
            &path,
            &mo.access,
            &json!({"note": "refresher done", "training_expires_on": next_year}),
        )
        .await;
    assert_eq!(resp.status(), 200);
}
both_backends!(an_expired_training_record_cannot_be_approved_by_default);
