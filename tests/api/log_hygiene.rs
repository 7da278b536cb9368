//! TESTPLAN T39, log hygiene: a scenario through the real application with a canary in every
//! kind of personal data (passwords, emails, display names, message bodies, condition names,
//! the tokens and links the service hands out), CR/LF and ANSI escapes in names and messages;
//! then the captured log must hold no canary, only JSON lines, and every security event
//! below. `.ci/loglint.py` applies the line and event checks to the whole suite's capture.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};

use crate::actions::say;
use crate::realtime::room;
use crate::support::ws::Ws;
use crate::support::{Backend, MAIL_WAIT, PUBLIC_URL, TestApp, capture_logs};

/// The security events (SEC-LOG) the scenario must leave in the log: sign-up and verification,
/// sign-in success and failure, refused tokens and roles, rate limits, token reuse, resets,
/// password changes and sign-out. `.ci/loglint.py` checks the same list.
pub const SEC_LOG: &[&str] = &[
    "user_registered",
    "email_verified",
    "authn_login_success",
    "authn_login_fail",
    "authn_token_rejected",
    "authn_token_reuse",
    "authz_fail",
    "excess_rate_limit_exceeded",
    "password_reset",
    "password_changed",
    "session_logout",
];

/// CR/LF and an ANSI escape that would forge a line (or recolour a terminal) in a text log.
const FORGE: &str = "\r\n{\"event\":\"forged\"}\u{1b}[31m";
/// The same, short enough for a display name (at most 32 characters).
const NAME_FORGE: &str = "\r\n\u{1b}[31m";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_holds_no_personal_data_only_json_and_every_security_event() {
    let log = capture_logs();
    let app = TestApp::spawn(Backend::Sqlite).await;
    let tag = uuid::Uuid::now_v7().simple().to_string();
    let c = |what: &str| format!("cnry{what}{}", &tag[tag.len() - 12..]);
    let mut canaries: Vec<String> = Vec::new();

    // Register, verify and sign in; the email, name and password carry canaries.
    let email = format!("{}@example.org", c("mail"));
    let password = format!("{} river at dawn", c("pw"));
    let name = format!("N{}", c("nm"));
    let verify = app.register(&email, &password, &name).await;
    let verified = app
        .post("/api/v1/auth/verify-email", &json!({"token": verify}))
        .await;
    assert_eq!(verified.status(), 200);
    let sam = app.signin(&email, &password, &name).await;
    canaries.extend([
        email.clone(),
        password.clone(),
        name.clone(),
        verify,
        sam.access.clone(),
        sam.refresh.clone(),
    ]);

    // A failed sign-in, and an unknown email failing until the limit refuses it.
    let wrong = format!("{} not the password", c("wrongpw"));
    assert_eq!(app.login(&email, &wrong).await.status(), 401);
    let ghost = format!("{}@example.org", c("ghost"));
    let mut limited = false;
    for _ in 0..15 {
        limited |= app.login(&ghost, &wrong).await.status() == 429;
    }
    assert!(limited, "the per-account failure limit applies");
    canaries.extend([wrong, ghost]);

    // Names and messages with CR/LF and ANSI escapes, refused or not.
    let forged_name = format!("N{}{NAME_FORGE}", c("fn"));
    let renamed = app
        .patch_auth(
            "/api/v1/me",
            &sam.access,
            &json!({"display_name": forged_name}),
        )
        .await;
    assert!(renamed.status().is_client_error() || renamed.status().is_success());
    let forged_reg = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": format!("{}@example.org", c("fmail")), "password": password,
                    "display_name": forged_name}),
        )
        .await;
    assert!(forged_reg.status().is_client_error() || forged_reg.status().is_success());
    canaries.push(c("fn"));
    canaries.push(c("fmail"));

    // A condition name and a message body (over HTTP and over the websocket).
    let condition = app
        .put_auth(
            "/api/v1/me/conditions",
            &sam.access,
            &json!([{"id": format!("lungs.{}", c("cond"))}]),
        )
        .await;
    assert!(condition.status().is_client_error());
    canaries.push(c("cond"));
    let bob = app.signup(&format!("Bob{}", &tag[tag.len() - 6..])).await;
    let id = room(&app, "pair", &[&sam, &bob]).await;
    let body = format!("{} I feel {FORGE} low today", c("body"));
    let posted = app
        .post_auth(
            &format!("/api/v1/rooms/{id}/messages"),
            &sam.access,
            &json!({"client_id": "h1", "body": body}),
        )
        .await;
    assert!(posted.status().is_success(), "{}", posted.status());
    let (mut ws, _) = Ws::connect(&app, &bob).await;
    let ws_body = format!("{} over the socket {FORGE}", c("wsbody"));
    assert_eq!(say(&mut ws, &id, "w1", &ws_body).await["type"], "ack");
    canaries.extend([c("body"), c("wsbody")]);

    // Refused access: a forged bearer token and a member on a moderator route.
    let forged_token = format!("{}.{}.x", c("jwt"), c("jwt"));
    let refused = app.get_auth("/api/v1/me", &forged_token).await;
    assert_eq!(refused.status(), 401);
    let staff_only = app
        .get_auth("/api/v1/moderation/volunteer-applications", &sam.access)
        .await;
    assert_eq!(staff_only.status(), 403);
    canaries.push(c("jwt"));

    // A refresh token used twice.
    let again = app.signin(&email, &password, &name).await;
    let first = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": again.refresh}),
        )
        .await;
    assert_eq!(first.status(), 200);
    let reused = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": again.refresh}),
        )
        .await;
    assert_eq!(reused.status(), 401);
    assert_eq!(
        reused.json::<Value>().await.unwrap()["code"],
        "refresh_token_reused"
    );
    canaries.extend([again.access, again.refresh]);

    // A password reset through the link in the email, then a change of password.
    let ask = app
        .post("/api/v1/auth/password-reset", &json!({"email": email}))
        .await;
    assert_eq!(ask.status(), 202);
    let mail = app
        .smtp
        .wait_for_subject(&email, "Reset your Kindred password", MAIL_WAIT)
        .await
        .expect("reset email");
    let reset = mail
        .token_from_link(&format!("{PUBLIC_URL}/reset-password"))
        .expect("reset link");
    let reset_pw = format!("{} a new river", c("resetpw"));
    let confirmed = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": reset, "password": reset_pw}),
        )
        .await;
    assert_eq!(confirmed.status(), 200, "{:?}", confirmed.text().await);
    let after = app.signin(&email, &reset_pw, &name).await;
    let changed_pw = format!("{} changed again", c("changedpw"));
    let changed = app
        .post_auth(
            "/api/v1/me/password",
            &after.access,
            &json!({"current_password": reset_pw, "new_password": changed_pw}),
        )
        .await;
    assert!(changed.status().is_success(), "{}", changed.status());
    canaries.extend([
        reset.clone(),
        format!("{PUBLIC_URL}/reset-password?token={reset}"),
        reset_pw,
        changed_pw,
        after.access.clone(),
    ]);

    // Sign out.
    let out = app
        .post(
            "/api/v1/auth/logout",
            &json!({"refresh_token": after.refresh}),
        )
        .await;
    assert!(out.status().is_success());
    canaries.push(after.refresh);

    // Let the mail worker and the background tasks finish writing.
    app.smtp
        .wait_for_subject(&email, "Your Kindred password was changed", MAIL_WAIT)
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let text = std::fs::read_to_string(log).expect("captured log");
    let found: Vec<&String> = canaries
        .iter()
        .filter(|k| text.contains(k.as_str()))
        .collect();
    assert!(found.is_empty(), "personal data in the log: {found:?}");
    assert!(!text.contains("cnry"), "a canary prefix is in the log");
    let mut events = BTreeSet::new();
    let complete = text.rsplit_once('\n').map_or("", |(done, _)| done);
    for line in complete.lines() {
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("log line is not JSON ({e}): {line:?}"));
        assert!(v.is_object(), "log line is not an object: {line}");
        if let Some(e) = v["event"].as_str() {
            events.insert(e.to_string());
        }
    }
    let missing: Vec<&&str> = SEC_LOG.iter().filter(|e| !events.contains(**e)).collect();
    assert!(
        missing.is_empty(),
        "security events never logged: {missing:?}"
    );
}
