//! Registering, verifying, and the account's own view and name.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{MAIL_WAIT, PUBLIC_URL, TestApp, assert_problem};

async fn a_person_registers_verifies_and_signs_in(app: TestApp) {
    let resp = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "  River.Walker@Example.ORG ", "password": "a calm river at dawn", "display_name": "RiverWalker"}),
        )
        .await;
    assert_eq!(resp.status(), 202);
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({"status": "verification_sent"})
    );
    // The address was normalised: trimmed, domain lower-cased.
    let first = app
        .smtp
        .wait_for("River.Walker@example.org", MAIL_WAIT)
        .await
        .unwrap();
    assert_eq!(first.rcpt_to, vec!["River.Walker@example.org".to_string()]);
    let token = first
        .token_from_link(&format!("{PUBLIC_URL}/verify-email"))
        .unwrap();
    let mail = app.smtp.all_for("River.Walker@example.org");
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].subject, "Confirm your email address for Kindred");
    assert!(
        mail[0]
            .html
            .as_deref()
            .unwrap_or("")
            .contains("verify-email?token=")
    );
    assert_eq!(mail[0].mail_from, "no-reply@kindred.test");

    // Unverified accounts may sign in, and are told what they cannot do yet.
    let early = app
        .signin(
            "river.walker@example.org",
            "a calm river at dawn",
            "RiverWalker",
        )
        .await;
    let me: Value = app
        .get_auth("/api/v1/me", &early.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["email_verified"], false);
    assert!(
        me["restrictions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["action"] == "request_match" && r["reason"] == "email_not_verified")
    );

    let resp = app
        .post("/api/v1/auth/verify-email", &json!({"token": token}))
        .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["user"]["display_name"], "RiverWalker");
    assert_eq!(body["user"]["email_verified"], true);
    assert_eq!(body["user"]["role"], "member");

    let resp = app
        .login("RIVER.WALKER@example.org", "a calm river at dawn")
        .await;
    assert_eq!(resp.status(), 200);
    let login: Value = resp.json().await.unwrap();
    assert_eq!(login["token_type"], "Bearer");
    assert_eq!(login["expires_in"], 900);
    assert!(login["refresh_token"].as_str().unwrap().len() >= 43);
    assert_eq!(
        login["user"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        vec!["display_name", "email_verified", "id", "role"]
    );
    let me: Value = app
        .get_auth("/api/v1/me", login["access_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "River.Walker@example.org");
    // Verified now; what remains is the profile a match needs.
    assert_eq!(
        me["restrictions"],
        json!([
            {"action": "request_match", "reason": "no_session_language"},
            {"action": "request_match", "reason": "no_conditions"}
        ])
    );
}
both_backends!(a_person_registers_verifies_and_signs_in);

async fn registering_a_known_email_answers_the_same_and_warns_the_owner(app: TestApp) {
    app.register("owner@example.org", "a calm river at dawn", "Owner")
        .await;
    let fresh = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "nobody@example.org", "password": "another calm river", "display_name": "Nobody"}),
        )
        .await;
    let again = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "OWNER@example.org", "password": "another calm river", "display_name": "Intruder"}),
        )
        .await;
    assert_eq!(fresh.status(), again.status());
    assert_eq!(fresh.status(), 202);
    let strip = |r: &reqwest::Response| {
        let mut h: Vec<(String, String)> = r
            .headers()
            .iter()
            .filter(|(k, _)| *k != "date")
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
            .collect();
        h.sort();
        h
    };
    assert_eq!(strip(&fresh), strip(&again));
    assert_eq!(fresh.bytes().await.unwrap(), again.bytes().await.unwrap());
    // The owner is told someone tried, with a way to reset; no second account exists.
    let notice = app
        .smtp
        .wait_for("owner@example.org", MAIL_WAIT)
        .await
        .unwrap();
    assert_eq!(
        notice.subject,
        "Someone tried to register with your email address"
    );
    assert!(
        notice
            .link_starting_with(&format!("{PUBLIC_URL}/reset-password"))
            .is_some()
    );
    let login = app.login("owner@example.org", "another calm river").await;
    assert_problem(login, 401, "invalid_credentials").await;
}
both_backends!(registering_a_known_email_answers_the_same_and_warns_the_owner);

async fn display_names_are_unique_whatever_the_case(app: TestApp) {
    app.register("a@example.org", "a calm river at dawn", "Willow Tree")
        .await;
    let resp = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "b@example.org", "password": "a calm river at dawn", "display_name": "willow TREE"}),
        )
        .await;
    assert_problem(resp, 409, "display_name_taken").await;
    // Even for an email that exists: the answer never depends on the email.
    let resp = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "a@example.org", "password": "a calm river at dawn", "display_name": "WILLOW tree"}),
        )
        .await;
    assert_problem(resp, 409, "display_name_taken").await;
}
both_backends!(display_names_are_unique_whatever_the_case);

async fn every_registration_rule_has_its_code(app: TestApp) {
    let ok_pw = "a calm river at dawn";
    let long_name = "n".repeat(33);
    let cases: Vec<(&str, String, &str, &str)> = vec![
        ("not-an-email", ok_pw.into(), "Valid Name", "invalid_email"),
        ("a@localhost", ok_pw.into(), "Valid Name", "invalid_email"),
        (
            "x@example.org",
            "elevenchars".into(),
            "Valid Name",
            "password_too_short",
        ),
        (
            "x@example.org",
            "x".repeat(129),
            "Valid Name",
            "password_too_long",
        ),
        (
            "x@example.org",
            "1qaz2wsx3edc".into(),
            "Valid Name",
            "password_too_common",
        ),
        (
            "x@example.org",
            "KindredSupport2025!".into(),
            "Valid Name",
            "password_too_common",
        ),
        (
            "x@example.org",
            ok_pw.into(),
            "me@home",
            "invalid_display_name",
        ),
        ("x@example.org", ok_pw.into(), "ab", "invalid_display_name"),
        (
            "x@example.org",
            ok_pw.into(),
            &long_name,
            "invalid_display_name",
        ),
        (
            "x@example.org",
            ok_pw.into(),
            "evil\u{202E}name",
            "invalid_display_name",
        ),
        (
            "x@example.org",
            ok_pw.into(),
            "zero\u{200B}width",
            "invalid_display_name",
        ),
        (
            "x@example.org",
            ok_pw.into(),
            "Moderator",
            "display_name_reserved",
        ),
        (
            "x@example.org",
            ok_pw.into(),
            "NHS Helper",
            "display_name_reserved",
        ),
        (
            "x@example.org",
            ok_pw.into(),
            "Mоderatоr",
            "display_name_reserved",
        ),
    ];
    for (email, password, name, code) in cases {
        let resp = app
            .post(
                "/api/v1/auth/register",
                &json!({"email": email, "password": password, "display_name": name}),
            )
            .await;
        assert_problem(resp, 422, code).await;
    }
    assert!(
        app.smtp.received().is_empty(),
        "no mail for rejected registrations"
    );
}
// Fourteen attempts from one address: lift the signup burst so the rules, not the limit, answer.
both_backends!(
    every_registration_rule_has_its_code,
    |s: &mut kindred::config::Settings| {
        s.rate_limits.address_signup_burst = 100;
    }
);

async fn passwords_of_12_and_128_characters_work_untruncated(app: TestApp) {
    let p12 = "Tq8#vLm2@pZ9";
    let p128: String = "Tq8#vLm2@pZ9wXk ".chars().cycle().take(128).collect();
    app.register("twelve@example.org", p12, "Twelve").await;
    app.register("long@example.org", &p128, "LongOne").await;
    assert_eq!(app.login("twelve@example.org", p12).await.status(), 200);
    assert_eq!(app.login("long@example.org", &p128).await.status(), 200);
    // Nothing is cut off: one character more or less is a different password.
    let p127 = &p128[..127];
    assert_eq!(app.login("long@example.org", p127).await.status(), 401);
    assert_eq!(
        app.login("long@example.org", &format!("{p128}x"))
            .await
            .status(),
        401
    );
}
both_backends!(passwords_of_12_and_128_characters_work_untruncated);

async fn nfc_and_nfd_spellings_of_a_password_are_the_same(app: TestApp) {
    app.register("cafe@example.org", "caf\u{e9} au lait chaque matin", "Cafe")
        .await;
    let resp = app
        .login("cafe@example.org", "cafe\u{301} au lait chaque matin")
        .await;
    assert_eq!(resp.status(), 200);
}
both_backends!(nfc_and_nfd_spellings_of_a_password_are_the_same);

async fn a_verification_link_works_once_and_for_a_day(app: TestApp) {
    let token = app
        .register("once@example.org", "a calm river at dawn", "Once")
        .await;
    let first = app
        .post("/api/v1/auth/verify-email", &json!({"token": token}))
        .await;
    assert_eq!(first.status(), 200);
    let second = app
        .post("/api/v1/auth/verify-email", &json!({"token": token}))
        .await;
    assert_problem(second, 400, "invalid_token").await;

    let late = app
        .register("late@example.org", "a calm river at dawn", "Late")
        .await;
    app.clock
        .advance(std::time::Duration::from_secs(24 * 3600 + 1));
    let resp = app
        .post("/api/v1/auth/verify-email", &json!({"token": late}))
        .await;
    assert_problem(resp, 400, "invalid_token").await;

    for junk in ["", "short", "' OR 1=1--", &"A".repeat(43)] {
        let resp = app
            .post("/api/v1/auth/verify-email", &json!({"token": junk}))
            .await;
        assert_problem(resp, 400, "invalid_token").await;
    }
}
both_backends!(a_verification_link_works_once_and_for_a_day);

async fn a_member_renames_themselves_within_the_rules(app: TestApp) {
    let sam = app.signup("Sam").await;
    let alex = app.signup("Alex").await;
    let resp = app
        .patch_auth(
            "/api/v1/me",
            &sam.access,
            &json!({"display_name": "Zoë 李 O'Neill"}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let me: Value = resp.json().await.unwrap();
    assert_eq!(me["display_name"], "Zoë 李 O'Neill");
    let me: Value = app
        .get_auth("/api/v1/me", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["display_name"], "Zoë 李 O'Neill");

    let resp = app
        .patch_auth(
            "/api/v1/me",
            &alex.access,
            &json!({"display_name": "zoë 李 o'neill"}),
        )
        .await;
    assert_problem(resp, 409, "display_name_taken").await;
    // Renaming to your own name in another case is fine.
    let resp = app
        .patch_auth(
            "/api/v1/me",
            &sam.access,
            &json!({"display_name": "ZOË 李 O'NEILL"}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let resp = app
        .patch_auth("/api/v1/me", &sam.access, &json!({"display_name": "admin"}))
        .await;
    assert_problem(resp, 422, "display_name_reserved").await;
    // Fields from elsewhere cannot be slipped in (mass assignment).
    let resp = app
        .patch_auth("/api/v1/me", &sam.access, &json!({"role": "admin"}))
        .await;
    assert_problem(resp, 422, "invalid_body").await;
    let me: Value = app
        .get_auth("/api/v1/me", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "member");
}
both_backends!(a_member_renames_themselves_within_the_rules);

async fn me_needs_a_valid_token(app: TestApp) {
    assert_problem(app.get("/api/v1/me").await, 401, "missing_token").await;
    let resp = app
        .client
        .get(app.url("/api/v1/me"))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .unwrap();
    let www = resp.headers().get("www-authenticate").cloned();
    assert_problem(resp, 401, "missing_token").await;
    assert_eq!(www.unwrap(), "Bearer");
    assert_problem(
        app.get_auth("/api/v1/me", "not.a.token").await,
        401,
        "invalid_token",
    )
    .await;
}
both_backends!(me_needs_a_valid_token);
