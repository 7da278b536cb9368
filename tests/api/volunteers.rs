//! Becoming a volunteer: applying, moderators deciding (audited, emailed), settings, expiry.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::matching::tick;
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
    app.staff(name, "moderator").await
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

// ---- Renewing training, and withdrawing volunteer status ----

/// The moved clock's date, `days` from now, as `YYYY-MM-DD`.
fn day(app: &TestApp, days: i64) -> chrono::NaiveDate {
    (app.state.clock.now() + chrono::Duration::days(days)).date_naive()
}

/// A member ready to be matched (COPD, English) whom `mo` approves as a volunteer, with
/// training current until `expires` (or the default, a year after 2026-09-01).
async fn trained_volunteer(
    app: &TestApp,
    mo: &Account,
    name: &str,
    expires: Option<chrono::NaiveDate>,
) -> Account {
    let v = crate::matching::ready_member(app, name).await;
    let created = apply(app, &v).await;
    let path = format!(
        "/api/v1/moderation/volunteer-applications/{}/approve",
        created["id"].as_str().unwrap()
    );
    let mut body = json!({"note": "Training record checked."});
    if let Some(e) = expires {
        body["training_expires_on"] = json!(e.to_string());
    }
    assert_eq!(app.post_auth(&path, &mo.access, &body).await.status(), 200);
    assert_eq!(
        app.smtp
            .wait_for(&v.email, MAIL_WAIT)
            .await
            .unwrap()
            .subject,
        "You are now a Kindred peer volunteer"
    );
    v
}

async fn me(app: &TestApp, who: &Account) -> Value {
    app.get_auth("/api/v1/me", &who.access)
        .await
        .json()
        .await
        .unwrap()
}

async fn renewal(app: &TestApp, who: &Account, completed_on: &str) -> reqwest::Response {
    app.post_auth(
        "/api/v1/me/volunteer/renewals",
        &who.access,
        &json!({"course": "Peer Support Refresher", "completed_on": completed_on, "certificate_ref": "PSR-1"}),
    )
    .await
}

async fn audit_actions(app: &TestApp, target: &str) -> Vec<kindred::db::audit::AuditEntry> {
    let id = target.to_string();
    app.db(move |c| kindred::db::audit::for_target(c, &id).unwrap())
        .await
}

/// The next mail to `to` with `subject`, passing over others (match notices and the like).
async fn mail_titled(app: &TestApp, to: &str, subject: &str) -> crate::support::smtp::ReceivedMail {
    loop {
        let mail = app
            .smtp
            .wait_for(to, MAIL_WAIT)
            .await
            .unwrap_or_else(|| panic!("no mail `{subject}` to {to}"));
        if mail.subject == subject {
            return mail;
        }
    }
}

async fn one_to_one_request(app: &TestApp, who: &Account) -> String {
    let resp = crate::matching::request(app, who, "one_to_one").await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    v["id"].as_str().unwrap().to_string()
}

async fn request_status(app: &TestApp, who: &Account, id: &str) -> Value {
    app.get_auth(&format!("/api/v1/match-requests/{id}"), &who.access)
        .await
        .json()
        .await
        .unwrap()
}

async fn an_expired_volunteer_renews_and_is_matched_again(app: TestApp) {
    let mo = moderator(&app, "Moira").await;
    let tomorrow = day(&app, 1);
    let vic = trained_volunteer(&app, &mo, "Vic", Some(tomorrow)).await;
    let sam = crate::matching::ready_member(&app, "Sam").await;
    app.clock.advance(Duration::from_secs(2 * 24 * 3600));
    let (vic, sam, mo) = (
        app.signin(&vic.email, &vic.password, "Vic").await,
        app.signin(&sam.email, &sam.password, "Sam").await,
        app.signin_again(&mo).await,
    );
    assert_eq!(
        me(&app, &vic).await["volunteer"]["status"],
        "training_expired"
    );
    let sam_request = one_to_one_request(&app, &sam).await;
    assert_eq!(
        tick(&app).await.made,
        0,
        "an expired volunteer is not matched"
    );
    // Applying again is still refused; renewal is the way back.
    assert_problem(
        app.post_auth(
            "/api/v1/volunteer-applications",
            &vic.access,
            &application(),
        )
        .await,
        409,
        "already_volunteer",
    )
    .await;

    let today = day(&app, 0);
    let resp = renewal(&app, &vic, &today.to_string()).await;
    assert_eq!(resp.status(), 201);
    let sent: Value = resp.json().await.unwrap();
    assert_eq!(sent["status"], "pending");
    assert_eq!(sent["training"]["course"], "Peer Support Refresher");
    assert_eq!(sent["training_expires_on"], Value::Null);
    assert_problem(
        renewal(&app, &vic, &today.to_string()).await,
        409,
        "renewal_already_pending",
    )
    .await;
    // Until a moderator approves it, the expired record stands.
    assert_eq!(
        me(&app, &vic).await["volunteer"]["status"],
        "training_expired"
    );
    assert_eq!(tick(&app).await.made, 0, "a pending renewal does not match");

    // Moderators see it beside the applications.
    assert_problem(
        app.get_auth("/api/v1/moderation/volunteer-applications", &vic.access)
            .await,
        403,
        "insufficient_role",
    )
    .await;
    let queue: Value = app
        .get_auth("/api/v1/moderation/volunteer-applications", &mo.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(queue["applications"], json!([]));
    assert_eq!(queue["renewals"][0]["id"], sent["id"]);
    assert_eq!(queue["renewals"][0]["user_id"], vic.id.as_str());
    assert_eq!(queue["renewals"][0]["display_name"], "Vic");

    let id = sent["id"].as_str().unwrap();
    let path = format!("/api/v1/moderation/volunteer-renewals/{id}/approve");
    for who in [&vic, &sam] {
        assert_problem(
            app.post_auth(&path, &who.access, &json!({"note": "mine"}))
                .await,
            403,
            "insufficient_role",
        )
        .await;
    }
    let resp = app
        .post_auth(
            &path,
            &mo.access,
            &json!({"note": "Refresher certificate checked."}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let decided: Value = resp.json().await.unwrap();
    let expected = today
        .checked_add_months(chrono::Months::new(12))
        .unwrap()
        .to_string();
    assert_eq!(decided["status"], "approved");
    assert_eq!(decided["training_expires_on"], expected.as_str());
    assert_eq!(
        decided["reason"],
        Value::Null,
        "approval notes stay internal"
    );
    assert_problem(
        app.post_auth(&path, &mo.access, &json!({"note": "again"}))
            .await,
        409,
        "renewal_not_pending",
    )
    .await;

    let v = me(&app, &vic).await["volunteer"].clone();
    assert_eq!(v["status"], "active");
    assert_eq!(v["training_expires_on"], expected.as_str());
    assert_eq!(v["eligible_for_matching"], true);
    let mine: Value = app
        .get_auth("/api/v1/me/volunteer/renewals", &vic.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["renewals"][0]["status"], "approved");
    let mail = app.smtp.wait_for(&vic.email, MAIL_WAIT).await.unwrap();
    assert_eq!(mail.subject, "Your Kindred volunteer training is renewed");
    assert!(mail.text.contains(&expected));
    assert!(!mail.text.contains("Refresher certificate checked."));
    let audit = audit_actions(&app, &vic.id).await;
    let row = audit
        .iter()
        .find(|a| a.action == "volunteer.renewal_approved")
        .expect("audited");
    assert_eq!(row.actor_id.as_deref(), Some(mo.id.as_str()));
    assert_eq!(
        row.reason.as_deref(),
        Some("Refresher certificate checked.")
    );
    let details: Value = serde_json::from_str(&row.details).unwrap();
    assert_eq!(details["renewal_id"], id);
    assert_eq!(details["training_expires_on"]["from"], tomorrow.to_string());
    assert_eq!(details["training_expires_on"]["to"], expected.as_str());

    // The renewed volunteer is matched again.
    assert_eq!(tick(&app).await.made, 1);
    let status = request_status(&app, &sam, &sam_request).await;
    assert_ne!(status["status"], "waiting", "{status}");
}
both_backends!(
    an_expired_volunteer_renews_and_is_matched_again,
    crate::matching::manual_ticks
);

async fn renewals_are_validated_and_bad_input_changes_nothing(app: TestApp) {
    let mo = moderator(&app, "Moira").await;
    let sam = app.signup("Sam").await;
    let today = day(&app, 0).to_string();
    // A member who is not a volunteer (nor one with an application waiting) cannot renew.
    assert_problem(renewal(&app, &sam, &today).await, 403, "not_a_volunteer").await;
    apply(&app, &sam).await;
    assert_problem(renewal(&app, &sam, &today).await, 403, "not_a_volunteer").await;

    // Vic's record (completed 2026-09-01) is current until 2027-09-01.
    let vic = trained_volunteer(&app, &mo, "Vic", None).await;
    let post = |body: Value| {
        app.send(
            Method::POST,
            "/api/v1/me/volunteer/renewals",
            &vic.access,
            body,
        )
    };
    let good = json!({"course": "Peer Support Refresher", "completed_on": today});
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = good.clone();
        f(&mut b);
        post(b)
    };
    assert_problem(
        with(&|b| b["completed_on"] = json!("10/11/2026")).await,
        422,
        "invalid_training_date",
    )
    .await;
    assert_problem(
        with(&|b| b["completed_on"] = json!("2026-02-30")).await,
        422,
        "invalid_training_date",
    )
    .await;
    assert_problem(
        with(&|b| b["completed_on"] = json!(day(&app, 1).to_string())).await,
        422,
        "invalid_training_date",
    )
    .await;
    assert_problem(
        with(&|b| b["completed_on"] = json!(day(&app, -400).to_string())).await,
        422,
        "training_too_old",
    )
    .await;
    assert_problem(
        with(&|b| b["completed_on"] = json!("0001-01-01")).await,
        422,
        "training_too_old",
    )
    .await;
    assert_problem(
        with(&|b| b["completed_on"] = json!("2026-08-01")).await,
        422,
        "renewal_not_newer",
    )
    .await;
    assert_problem(
        with(&|b| b["course"] = json!("  ")).await,
        422,
        "invalid_training",
    )
    .await;
    assert_problem(
        with(&|b| b["certificate_ref"] = json!("x".repeat(101))).await,
        422,
        "invalid_training",
    )
    .await;
    assert_problem(
        with(&|b| b["training_expires_on"] = json!("2030-01-01")).await,
        422,
        "invalid_body",
    )
    .await;
    assert_problem(
        with(&|b| b["completed_on"] = json!(20261203)).await,
        422,
        "invalid_body",
    )
    .await;
    let raw = app
        .client
        .post(app.url("/api/v1/me/volunteer/renewals"))
        .bearer_auth(&vic.access)
        .header("content-type", "application/json")
        .body("{\"course\": ")
        .send()
        .await
        .unwrap();
    assert_problem(raw, 400, "malformed_json").await;
    let mine: Value = app
        .get_auth("/api/v1/me/volunteer/renewals", &vic.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["renewals"], json!([]), "nothing was stored");
    assert_eq!(
        me(&app, &vic).await["volunteer"]["training_expires_on"],
        "2027-09-01"
    );

    // A still-current volunteer may renew early, and keeps matching meanwhile.
    let resp = post(good.clone()).await;
    assert_eq!(resp.status(), 201);
    let sent: Value = resp.json().await.unwrap();
    assert_eq!(me(&app, &vic).await["volunteer"]["status"], "active");
    let id = sent["id"].as_str().unwrap();

    // The moderator's side is validated too.
    let approve = format!("/api/v1/moderation/volunteer-renewals/{id}/approve");
    let reject = format!("/api/v1/moderation/volunteer-renewals/{id}/reject");
    assert_problem(
        app.post_auth(&approve, &mo.access, &json!({"note": " "}))
            .await,
        422,
        "invalid_note",
    )
    .await;
    assert_problem(
        app.post_auth(
            &approve,
            &mo.access,
            &json!({"note": "ok", "training_expires_on": today}),
        )
        .await,
        422,
        "invalid_training_expires_on",
    )
    .await;
    assert_problem(
        app.post_auth(&reject, &mo.access, &json!({"reason": ""}))
            .await,
        422,
        "invalid_reason",
    )
    .await;
    assert_problem(
        app.post_auth(
            "/api/v1/moderation/volunteer-renewals/not-a-uuid/approve",
            &mo.access,
            &json!({"note": "ok"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.post_auth(
            &format!(
                "/api/v1/moderation/volunteer-renewals/{}/approve",
                uuid::Uuid::now_v7()
            ),
            &mo.access,
            &json!({"note": "ok"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        me(&app, &vic).await["volunteer"]["training_expires_on"],
        "2027-09-01",
        "refused decisions change nothing"
    );

    // A rejection keeps the record, tells the volunteer why, and lets them send again.
    let resp = app
        .post_auth(
            &reject,
            &mo.access,
            &json!({"reason": "That course is not accredited; please send the accredited refresher."}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let rejected: Value = resp.json().await.unwrap();
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(
        rejected["reason"],
        "That course is not accredited; please send the accredited refresher."
    );
    assert_problem(
        app.post_auth(&approve, &mo.access, &json!({"note": "late"}))
            .await,
        409,
        "renewal_not_pending",
    )
    .await;
    let mail = app.smtp.wait_for(&vic.email, MAIL_WAIT).await.unwrap();
    assert_eq!(
        mail.subject,
        "About your Kindred volunteer training renewal"
    );
    assert!(mail.text.contains("That course is not accredited"));
    assert_eq!(
        me(&app, &vic).await["volunteer"]["training_expires_on"],
        "2027-09-01"
    );
    assert!(
        audit_actions(&app, &vic.id)
            .await
            .iter()
            .any(|a| a.action == "volunteer.renewal_rejected"
                && a.actor_id.as_deref() == Some(mo.id.as_str()))
    );
    assert_eq!(post(good).await.status(), 201);
}
both_backends!(renewals_are_validated_and_bad_input_changes_nothing);

async fn a_moderator_cannot_decide_their_own_renewal(app: TestApp) {
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
    let sent: Value = renewal(&app, &mia, &day(&app, 0).to_string())
        .await
        .json()
        .await
        .unwrap();
    let id = sent["id"].as_str().unwrap();
    assert_problem(
        app.post_auth(
            &format!("/api/v1/moderation/volunteer-renewals/{id}/approve"),
            &mia.access,
            &json!({"note": "self"}),
        )
        .await,
        403,
        "cannot_decide_own",
    )
    .await;
    assert_problem(
        app.post_auth(
            &format!("/api/v1/moderation/volunteers/{}/withdraw", mia.id),
            &mia.access,
            &json!({"reason": "self"}),
        )
        .await,
        403,
        "cannot_decide_own",
    )
    .await;
}
both_backends!(a_moderator_cannot_decide_their_own_renewal);

async fn withdrawal_stops_matching_ends_one_to_one_rooms_and_keeps_groups(app: TestApp) {
    let mo = moderator(&app, "Moira").await;
    let vic = trained_volunteer(&app, &mo, "Vic", None).await;
    // Vic facilitates a group of three and supports Sam one-to-one.
    let mut group_members = Vec::new();
    for name in ["Ana", "Bob", "Cyd"] {
        let m = crate::matching::ready_member(&app, name).await;
        assert_eq!(
            crate::matching::request(&app, &m, "group").await.status(),
            201
        );
        group_members.push(m);
    }
    assert_eq!(tick(&app).await.made, 1);
    let rooms: Value = app
        .get_auth("/api/v1/rooms", &vic.access)
        .await
        .json()
        .await
        .unwrap();
    let group = rooms["rooms"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(rooms["rooms"][0]["kind"], "group");
    let sam = crate::matching::ready_member(&app, "Sam").await;
    let sam_request = one_to_one_request(&app, &sam).await;
    assert_eq!(tick(&app).await.made, 1);
    let one_to_one = request_status(&app, &sam, &sam_request).await["room_id"]
        .as_str()
        .expect("Sam is in a one-to-one room")
        .to_string();
    // A renewal waiting when status is withdrawn is closed.
    assert_eq!(
        renewal(&app, &vic, &day(&app, 0).to_string())
            .await
            .status(),
        201
    );
    let (mut vic_ws, _) = crate::support::ws::Ws::connect(&app, &vic).await;

    let path = format!("/api/v1/moderation/volunteers/{}/withdraw", vic.id);
    let reason = "Our safeguarding review found messages that broke the volunteer agreement.";
    assert_problem(
        app.post_auth(&path, &sam.access, &json!({"reason": reason}))
            .await,
        403,
        "insufficient_role",
    )
    .await;
    assert_problem(
        app.post_auth(&path, &mo.access, &json!({"reason": "  "}))
            .await,
        422,
        "invalid_reason",
    )
    .await;
    assert_problem(
        app.post_auth(&path, &mo.access, &json!({"why": reason}))
            .await,
        422,
        "invalid_body",
    )
    .await;
    assert_problem(
        app.post_auth(
            "/api/v1/moderation/volunteers/nobody/withdraw",
            &mo.access,
            &json!({"reason": reason}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.post_auth(
            &format!("/api/v1/moderation/volunteers/{}/withdraw", sam.id),
            &mo.access,
            &json!({"reason": reason}),
        )
        .await,
        409,
        "not_a_volunteer",
    )
    .await;
    assert_eq!(me(&app, &vic).await["volunteer"]["status"], "active");

    let resp = app
        .post_auth(&path, &mo.access, &json!({"reason": reason}))
        .await;
    assert_eq!(resp.status(), 200);
    let done: Value = resp.json().await.unwrap();
    assert_eq!(done["status"], "withdrawn");
    assert_eq!(done["reason"], reason);
    assert_eq!(done["rooms_ended"], json!([one_to_one]));
    assert_eq!(done["groups_without_facilitator"], json!([group]));
    assert_problem(
        app.post_auth(&path, &mo.access, &json!({"reason": reason}))
            .await,
        409,
        "already_withdrawn",
    )
    .await;

    // The volunteer is told why, in the app and by email, and is no longer a volunteer.
    let vic_me = me(&app, &vic).await;
    assert_eq!(vic_me["role"], "member");
    assert_eq!(vic_me["volunteer"]["status"], "withdrawn");
    assert_eq!(vic_me["volunteer"]["withdrawal_reason"], reason);
    assert_eq!(vic_me["volunteer"]["eligible_for_matching"], false);
    let mail = mail_titled(
        &app,
        &vic.email,
        "Your Kindred volunteer status has been withdrawn",
    )
    .await;
    assert!(mail.text.contains(reason));
    // Their sockets reconnect (the role changed) and no longer hear the rooms.
    assert_eq!(vic_ws.closed().await.1, "role_changed");
    let rooms: Value = app
        .get_auth("/api/v1/rooms", &vic.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rooms["rooms"], json!([]));
    let renewals: Value = app
        .get_auth("/api/v1/me/volunteer/renewals", &vic.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(renewals["renewals"][0]["status"], "rejected");
    for (method, url, body) in [
        (
            Method::PUT,
            "/api/v1/me/volunteer",
            json!({"accepting": true}),
        ),
        (
            Method::POST,
            "/api/v1/me/volunteer/renewals",
            json!({"course": "Refresher", "completed_on": day(&app, 0).to_string()}),
        ),
    ] {
        assert_problem(
            app.send(method, url, &vic.access, body).await,
            403,
            "volunteer_withdrawn",
        )
        .await;
    }

    // Sam's one-to-one room ended with notice (never the reason); Sam may ask again.
    assert_problem(
        app.get_auth(&format!("/api/v1/rooms/{one_to_one}"), &sam.access)
            .await,
        404,
        "not_found",
    )
    .await;
    let notice = mail_titled(
        &app,
        &sam.email,
        "Your one-to-one conversation on Kindred has closed",
    )
    .await;
    assert!(!notice.text.contains("safeguarding"));
    // The group goes on without its facilitator; its members and the moderators are told.
    let view: Value = app
        .get_auth(&format!("/api/v1/rooms/{group}"), &group_members[0].access)
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = view["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["display_name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(!names.contains(&"Vic"));
    for m in &group_members {
        let mail = mail_titled(
            &app,
            &m.email,
            "Your Kindred group's facilitator has stepped away",
        )
        .await;
        assert!(!mail.text.contains("safeguarding"));
        assert!(mail.text.contains(&group));
    }
    let mo_mail = mail_titled(&app, &mo.email, "Kindred groups without a facilitator").await;
    assert!(mo_mail.text.contains(&group));

    // Audited, with what it did.
    let audit = audit_actions(&app, &vic.id).await;
    let row = audit
        .iter()
        .find(|a| a.action == "volunteer.withdrawn")
        .expect("audited");
    assert_eq!(row.actor_id.as_deref(), Some(mo.id.as_str()));
    assert_eq!(row.reason.as_deref(), Some(reason));
    let details: Value = serde_json::from_str(&row.details).unwrap();
    assert_eq!(details["rooms_ended"], json!([one_to_one]));
    assert_eq!(details["groups_without_facilitator"], json!([group]));
    assert_eq!(details["renewals_closed"], 1);
    assert_eq!(details["role"]["to"], "member");

    // Vic is never offered to Sam again.
    one_to_one_request(&app, &sam).await;
    assert_eq!(tick(&app).await.made, 0);
    // To volunteer again, Vic applies afresh.
    apply(&app, &vic).await;
    assert_eq!(me(&app, &vic).await["volunteer"]["status"], "pending");
}
both_backends!(
    withdrawal_stops_matching_ends_one_to_one_rooms_and_keeps_groups,
    crate::matching::manual_ticks
);

async fn a_withdrawn_moderator_keeps_their_role_but_is_never_matched(app: TestApp) {
    let mo = moderator(&app, "Moira").await;
    let mia = crate::matching::ready_member(&app, "Mia").await;
    app.make_role(&mia.id, "moderator").await;
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
    let resp = app
        .post_auth(
            &format!("/api/v1/moderation/volunteers/{}/withdraw", mia.id),
            &mo.access,
            &json!({"reason": "Stepping back while the complaint is looked at."}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let done: Value = resp.json().await.unwrap();
    assert_eq!(done["rooms_ended"], json!([]));
    let mia_me = me(&app, &mia).await;
    assert_eq!(mia_me["role"], "moderator");
    assert_eq!(mia_me["volunteer"]["status"], "withdrawn");
    let sam = crate::matching::ready_member(&app, "Sam").await;
    one_to_one_request(&app, &sam).await;
    assert_eq!(
        tick(&app).await.made,
        0,
        "a withdrawn record is never matched"
    );
    // Re-applying is allowed after a withdrawal; approval starts a new record.
    let again = apply(&app, &mia).await;
    let path = format!(
        "/api/v1/moderation/volunteer-applications/{}/approve",
        again["id"].as_str().unwrap()
    );
    assert_eq!(
        app.post_auth(&path, &mo.access, &json!({"note": "Cleared."}))
            .await
            .status(),
        200
    );
    let v = me(&app, &mia).await["volunteer"].clone();
    assert_eq!(v["status"], "active");
    assert_eq!(v["accepting"], true);
    assert_eq!(tick(&app).await.made, 1);
}
both_backends!(
    a_withdrawn_moderator_keeps_their_role_but_is_never_matched,
    crate::matching::manual_ticks
);
