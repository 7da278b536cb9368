//! A moderator's own safety (issue 11, point 11; TESTPLAN T12): TOTP enrolment with an
//! otpauth URI, recovery codes stored hashed, the second sign-in step (a code works once, a
//! recovery code is spent, a ticket is short-lived and single-use), staff routes and staff
//! websocket powers only for second-factor sessions, and re-authentication before a role
//! change.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::realtime::room;
use crate::support::ws::{Event, Ws};
use crate::support::{Account, TestApp, assert_problem};

/// A moderator-only route (reads nothing but the queue of applications).
const MOD_ROUTE: &str = "/api/v1/moderation/volunteer-applications";

async fn start(app: &TestApp, who: &Account) -> Value {
    let resp = app
        .post_auth("/api/v1/me/mfa/totp", &who.access, &json!({}))
        .await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

async fn ticket(app: &TestApp, who: &Account) -> String {
    let resp = app.login(&who.email, &who.password).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["mfa_required"], true, "{body}");
    assert_eq!(body["expires_in"], 300);
    assert!(
        body.get("access_token").is_none(),
        "no tokens before the second step"
    );
    body["mfa_ticket"].as_str().unwrap().to_string()
}

async fn second_step(app: &TestApp, ticket: &str, code: &str) -> reqwest::Response {
    app.post(
        "/api/v1/auth/login/mfa",
        &json!({"mfa_ticket": ticket, "code": code}),
    )
    .await
}

async fn session_flags(app: &TestApp, user: &str) -> Vec<bool> {
    let u = user.to_string();
    app.db(move |c| {
        kindred::db::sessions::for_user(c, &u)
            .unwrap()
            .into_iter()
            .map(|s| s.second_factor)
            .collect()
    })
    .await
}

async fn enrolment_gives_an_otpauth_uri_and_recovery_codes_stored_hashed(app: TestApp) {
    let sam = app.signup("Sam").await;
    let first = start(&app, &sam).await;
    let again = start(&app, &sam).await;
    // Starting again replaces the pending secret.
    assert_ne!(first["secret"], again["secret"]);
    let secret = again["secret"].as_str().unwrap().to_string();
    let uri = again["otpauth_uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/Kindred:sam%40example.org?"),
        "{uri}"
    );
    for p in [
        format!("secret={secret}"),
        "issuer=Kindred".into(),
        "algorithm=SHA1".into(),
        "digits=6".into(),
        "period=30".into(),
    ] {
        assert!(uri.contains(&p), "{uri} lacks {p}");
    }
    assert_eq!(
        (again["digits"].clone(), again["period"].clone()),
        (json!(6), json!(30))
    );

    // The replaced secret's code does not confirm; a wrong code is refused.
    let old = app.totp_code(first["secret"].as_str().unwrap(), 0);
    for wrong in [old.as_str(), "000000", "not a code"] {
        if wrong == app.totp_code(&secret, 0) {
            continue;
        }
        let resp = app
            .post_auth(
                "/api/v1/me/mfa/totp/confirm",
                &sam.access,
                &json!({"code": wrong}),
            )
            .await;
        assert_problem(resp, 403, "invalid_mfa_code").await;
    }
    let resp = app
        .post_auth(
            "/api/v1/me/mfa/totp/confirm",
            &sam.access,
            &json!({"code": app.totp_code(&secret, 0)}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    let codes: Vec<String> = body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10);

    // Once confirmed, the secret is never handed out again.
    let resp = app
        .post_auth("/api/v1/me/mfa/totp", &sam.access, &json!({}))
        .await;
    assert_problem(resp, 409, "mfa_already_enrolled").await;
    let resp = app
        .post_auth(
            "/api/v1/me/mfa/totp/confirm",
            &sam.access,
            &json!({"code": app.totp_code(&secret, 1)}),
        )
        .await;
    assert_problem(resp, 409, "mfa_already_enrolled").await;
    let export = app
        .get_auth("/api/v1/me/export", &sam.access)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !export.contains(&secret),
        "the export describes the secret, never copies it"
    );
    assert!(export.contains("\"recovery_codes_left\":10"), "{export}");

    // Recovery codes are stored as hashes: no cell anywhere holds a code, in any form.
    let uid = sam.id.clone();
    let hashes: Vec<String> = app
        .db(move |c| {
            use diesel::prelude::*;
            use kindred::db::schema::mfa_recovery_codes::dsl::*;
            mfa_recovery_codes
                .filter(user_id.eq(&uid))
                .select(code_hash)
                .load(c)
                .unwrap()
        })
        .await;
    assert_eq!(hashes.len(), 10);
    for code in &codes {
        let canon = code.replace('-', "");
        let expected = kindred::auth::totp::recovery_code_hash(&sam.id, &canon);
        assert!(hashes.contains(&expected));
        assert!(!hashes.iter().any(|h| h.contains(&canon)));
    }
    // A scan of every cell of every table (two codes, both forms: each scan reads it all).
    for code in [&codes[0], &codes[9]] {
        assert!(app.find_anywhere(code).await.is_empty(), "{code} stored");
        let canon = code.replace('-', "");
        assert!(app.find_anywhere(&canon).await.is_empty(), "{canon} stored");
    }

    // A password alone no longer signs in.
    ticket(&app, &sam).await;
}
both_backends!(enrolment_gives_an_otpauth_uri_and_recovery_codes_stored_hashed);

async fn the_second_step_takes_a_code_once_and_a_recovery_code_once(app: TestApp) {
    let sam = app.signup("Sam").await;
    let (secret, recovery) = app.enrol_totp(&sam).await;

    let t = ticket(&app, &sam).await;
    // A wrong code leaves the ticket usable.
    assert_problem(
        second_step(&app, &t, "000000").await,
        401,
        "invalid_mfa_code",
    )
    .await;
    let code = app.totp_code(&secret, 1);
    let resp = second_step(&app, &t, &code).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    let access = body["access_token"].as_str().unwrap().to_string();
    assert_eq!(app.get_auth("/api/v1/me", &access).await.status(), 200);
    assert_eq!(body["user"]["id"], sam.id.as_str());

    // The same code again, on a fresh ticket: a replay, refused.
    let t2 = ticket(&app, &sam).await;
    assert_problem(second_step(&app, &t2, &code).await, 401, "invalid_mfa_code").await;
    // Nor is the step before it accepted any more (it is older than the one used).
    let older = app.totp_code(&secret, 0);
    assert_problem(
        second_step(&app, &t2, &older).await,
        401,
        "invalid_mfa_code",
    )
    .await;

    // A recovery code works once, however it is typed…
    let spaced = recovery[3].to_uppercase().replace('-', " ");
    let resp = second_step(&app, &t2, &spaced).await;
    assert_eq!(resp.status(), 200);
    // …and then it is spent.
    let t3 = ticket(&app, &sam).await;
    assert_problem(
        second_step(&app, &t3, &recovery[3]).await,
        401,
        "invalid_mfa_code",
    )
    .await;
    assert_eq!(second_step(&app, &t3, &recovery[4]).await.status(), 200);
    let id = sam.id.clone();
    let left = app
        .db(move |c| kindred::db::mfa::recovery_codes_left(c, &id).unwrap())
        .await;
    assert_eq!(left, 8);

    // The sessions remember how they were signed in: the first by password alone.
    let mut flags = session_flags(&app, &sam.id).await;
    flags.sort();
    assert_eq!(flags, vec![false, true, true, true]);
}
both_backends!(the_second_step_takes_a_code_once_and_a_recovery_code_once);

async fn an_expired_or_reused_ticket_is_refused(app: TestApp) {
    let sam = app.signup("Sam").await;
    let (secret, _) = app.enrol_totp(&sam).await;
    let t = ticket(&app, &sam).await;
    assert_eq!(
        second_step(&app, &t, &app.totp_code(&secret, 1))
            .await
            .status(),
        200
    );
    // Reused, with a good code: refused, and the code is not spent by the refusal.
    app.clock.advance(Duration::from_secs(60));
    let fresh = app.totp_code(&secret, 0);
    assert_problem(
        second_step(&app, &t, &fresh).await,
        401,
        "mfa_ticket_invalid",
    )
    .await;
    let t2 = ticket(&app, &sam).await;
    assert_eq!(second_step(&app, &t2, &fresh).await.status(), 200);

    // Expired: five minutes and it is gone.
    let t3 = ticket(&app, &sam).await;
    app.clock.advance(Duration::from_secs(5 * 60 + 1));
    let code = app.totp_code(&secret, 0);
    assert_problem(
        second_step(&app, &t3, &code).await,
        401,
        "mfa_ticket_invalid",
    )
    .await;
    // Made up, or the wrong shape.
    for bad in ["A".repeat(43), "short".to_string()] {
        assert_problem(
            second_step(&app, &bad, &code).await,
            401,
            "mfa_ticket_invalid",
        )
        .await;
    }
    // Tickets are stored hashed.
    assert!(app.find_anywhere(&t3).await.is_empty());
    // A malformed body is problem+json too.
    let resp = app
        .post("/api/v1/auth/login/mfa", &json!({"mfa_ticket": t3}))
        .await;
    assert_problem(resp, 422, "invalid_body").await;
}
both_backends!(an_expired_or_reused_ticket_is_refused);

async fn wrong_codes_are_rate_limited_like_logins(app: TestApp) {
    let sam = app.signup("Sam").await;
    let (secret, _) = app.enrol_totp(&sam).await;
    let t = ticket(&app, &sam).await;
    let good = app.totp_code(&secret, 1);
    let wrong = if good == "123456" { "654321" } else { "123456" };
    let mut limited = false;
    for _ in 0..12 {
        let resp = second_step(&app, &t, wrong).await;
        if resp.status() == 429 {
            limited = true;
            break;
        }
        assert_problem(resp, 401, "invalid_mfa_code").await;
    }
    assert!(limited, "ten wrong codes and then 429");
    // Even the right code waits now.
    assert_eq!(second_step(&app, &t, &good).await.status(), 429);
}
both_backends!(wrong_codes_are_rate_limited_like_logins);

async fn a_moderator_without_a_second_factor_is_refused(app: TestApp) {
    let mo = app.signup("Moe").await;
    app.make_role(&mo.id, "moderator").await;
    let ada = app.signup("Ada").await;
    app.make_role(&ada.id, "admin").await;
    assert_problem(
        app.get_auth(MOD_ROUTE, &mo.access).await,
        403,
        "mfa_required",
    )
    .await;
    assert_problem(
        app.get_auth(MOD_ROUTE, &ada.access).await,
        403,
        "mfa_required",
    )
    .await;
    let resp = app
        .put_auth(
            &format!("/api/v1/admin/users/{}/role", mo.id),
            &ada.access,
            &json!({"role": "member", "reason": "x", "password": ada.password}),
        )
        .await;
    assert_problem(resp, 403, "mfa_required").await;
    // A member still hears about their role first.
    let sam = app.signup("Sam").await;
    assert_problem(
        app.get_auth(MOD_ROUTE, &sam.access).await,
        403,
        "insufficient_role",
    )
    .await;

    // With a second factor, the same person is let in, and refreshing keeps it.
    let (secret, _) = app.enrol_totp(&mo).await;
    let mo = app.signin_mfa(&mo, &secret).await;
    assert_eq!(app.get_auth(MOD_ROUTE, &mo.access).await.status(), 200);
    let resp = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": mo.refresh}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    let refreshed = body["access_token"].as_str().unwrap();
    assert_eq!(app.get_auth(MOD_ROUTE, refreshed).await.status(), 200);
}
both_backends!(a_moderator_without_a_second_factor_is_refused);

async fn a_staff_socket_without_a_second_factor_gets_no_safety_alerts(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let with = app.staff("Moira", "moderator").await;
    let without = app.signup("Mona").await;
    app.make_role(&without.id, "moderator").await;
    let id = room(&app, "pair", &[&ann, &bob]).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let (mut m1, _) = Ws::connect(&app, &with).await;
    let (mut m2, ready) = Ws::connect(&app, &without).await;
    // Still a moderator by role; only the staff powers wait for the second factor.
    assert_eq!(ready["user"]["role"], "moderator");
    a.say(&id, "c", "some days I think I want to kill myself")
        .await;
    let ack = a.next_of("ack").await;
    let alert = m1.next_of("safety_alert").await;
    assert_eq!(alert["message_id"], ack["id"]);
    let seen = m2.drain(Duration::from_millis(700)).await;
    assert!(
        seen.iter()
            .all(|e| !matches!(e, Event::Frame(f) if f["type"] == "safety_alert")),
        "{seen:?}"
    );
}
both_backends!(a_staff_socket_without_a_second_factor_gets_no_safety_alerts);

async fn a_granted_role_opens_nothing_until_enrolled_and_signed_in_with_it(app: TestApp) {
    let ada = app.staff("Ada", "admin").await;
    let sam = app.signup("Sam").await;
    let resp = app
        .put_auth(
            &format!("/api/v1/admin/users/{}/role", sam.id),
            &ada.access,
            &json!({"role": "moderator", "reason": "trained", "password": ada.password}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let me: Value = app
        .get_auth("/api/v1/me", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "moderator");
    assert_problem(
        app.get_auth(MOD_ROUTE, &sam.access).await,
        403,
        "mfa_required",
    )
    .await;
    // Enrolling does not raise the session it was done in…
    let (secret, _) = app.enrol_totp(&sam).await;
    assert_problem(
        app.get_auth(MOD_ROUTE, &sam.access).await,
        403,
        "mfa_required",
    )
    .await;
    // …signing in with the factor does.
    let sam2 = app.signin_mfa(&sam, &secret).await;
    assert_eq!(app.get_auth(MOD_ROUTE, &sam2.access).await.status(), 200);
    // Staff keep their factor.
    let resp = app
        .send(
            Method::DELETE,
            "/api/v1/me/mfa",
            &sam2.access,
            json!({"password": sam.password}),
        )
        .await;
    assert_problem(resp, 409, "second_factor_required").await;
}
both_backends!(a_granted_role_opens_nothing_until_enrolled_and_signed_in_with_it);

async fn an_admin_role_change_needs_reauthentication(app: TestApp) {
    let ada = app.staff("Ada", "admin").await;
    let secret = ada.totp_secret.clone().unwrap();
    let sam = app.signup("Sam").await;
    let path = format!("/api/v1/admin/users/{}/role", sam.id);
    let put = |body: Value| app.send(Method::PUT, &path, &ada.access, body);
    let base = json!({"role": "moderator", "reason": "trained"});
    assert_problem(put(base.clone()).await, 403, "reauthentication_required").await;
    let with = |k: &str, v: &str| {
        let mut b = base.clone();
        b[k] = json!(v);
        b
    };
    assert_problem(
        put(with("password", "")).await,
        403,
        "reauthentication_required",
    )
    .await;
    assert_problem(
        put(with("password", "not my password")).await,
        401,
        "reauthentication_failed",
    )
    .await;
    assert_problem(
        put(with("password", &sam.password)).await,
        401,
        "reauthentication_failed",
    )
    .await;
    assert_problem(
        put(with("code", "000000")).await,
        401,
        "reauthentication_failed",
    )
    .await;
    // Both given: both must be right.
    app.clock.advance(Duration::from_secs(60));
    let code = app.totp_code(&secret, 0);
    let mut both = with("code", &code);
    both["password"] = json!("wrong");
    assert_problem(put(both).await, 401, "reauthentication_failed").await;
    let id = sam.id.clone();
    let role_rows = || {
        let id = id.clone();
        app.db(move |c| {
            kindred::db::audit::for_target(c, &id)
                .unwrap()
                .into_iter()
                .filter(|r| r.action == "user.role_changed")
                .count()
        })
    };
    assert_eq!(
        role_rows().await,
        0,
        "nothing changed without re-authentication"
    );
    let me: Value = app
        .get_auth("/api/v1/me", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "member");

    // A current code works, once.
    assert_eq!(put(with("code", &code)).await.status(), 200);
    assert_eq!(role_rows().await, 1);
    let back = json!({"role": "member", "reason": "undo", "code": code});
    assert_problem(put(back).await, 401, "reauthentication_failed").await;
    // The password works too.
    let back = json!({"role": "member", "reason": "undo", "password": ada.password});
    assert_eq!(put(back).await.status(), 200);
    assert_eq!(role_rows().await, 2);
}
both_backends!(an_admin_role_change_needs_reauthentication);

async fn mfa_status(app: &TestApp, token: &str) -> Value {
    let r = app.get_auth("/api/v1/me/mfa", token).await;
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()
}

async fn members_may_opt_in_and_out(app: TestApp) {
    let sam = app.signup("Sam").await;
    let s = mfa_status(&app, &sam.access).await;
    assert_eq!(s["totp"], "none", "{s}");
    assert_eq!(s["recovery_codes_left"], 0);
    let (secret, _) = app.enrol_totp(&sam).await;
    let s = mfa_status(&app, &sam.access).await;
    assert_eq!(s["totp"], "confirmed", "{s}");
    assert!(s["confirmed_at"].is_string());
    assert_eq!(s["recovery_codes_left"], 10);
    assert_eq!(
        s["session_second_factor"], false,
        "enrolling does not raise this session"
    );
    assert!(!s.to_string().contains(&secret), "never the secret");
    let mo = app.staff("Moe", "moderator").await;
    assert_eq!(
        mfa_status(&app, &mo.access).await["session_second_factor"],
        true
    );
    let del = |body: Value| app.send(Method::DELETE, "/api/v1/me/mfa", &sam.access, body);
    assert_problem(del(json!({})).await, 403, "reauthentication_required").await;
    assert_problem(
        del(json!({"password": "nope"})).await,
        401,
        "reauthentication_failed",
    )
    .await;
    assert_problem(del(json!({"pin": "1"})).await, 422, "invalid_body").await;
    let code = app.totp_code(&secret, 1);
    assert_eq!(del(json!({"code": code})).await.status(), 204);
    assert_problem(
        del(json!({"password": sam.password})).await,
        404,
        "not_found",
    )
    .await;
    // A password signs in on its own again.
    let resp = app.login(&sam.email, &sam.password).await;
    let body: Value = resp.json().await.unwrap();
    assert!(body["access_token"].is_string(), "{body}");
    assert!(body.get("mfa_required").is_none());
    let id = sam.id.clone();
    let left = app
        .db(move |c| kindred::db::mfa::recovery_codes_left(c, &id).unwrap())
        .await;
    assert_eq!(left, 0);
    assert_eq!(mfa_status(&app, &sam.access).await["totp"], "none");
}
both_backends!(members_may_opt_in_and_out);
