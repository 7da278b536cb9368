//! Sessions: refresh rotation and reuse, logout, expiry, password reset and change, limits.

use std::time::Duration;

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Backend, MAIL_WAIT, PUBLIC_URL, TestApp, assert_problem};

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post("/api/v1/auth/refresh", &json!({"refresh_token": token}))
        .await
}

async fn refresh_tokens_rotate_and_a_reused_one_ends_the_session(app: TestApp) {
    let sam = app.signup("Sam").await;
    let r1 = sam.refresh.clone();
    let resp = refresh(&app, &r1).await;
    assert_eq!(resp.status(), 200);
    let b2: Value = resp.json().await.unwrap();
    let r2 = b2["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(r1, r2);
    assert_eq!(b2["user"]["id"], sam.id.as_str());
    let b3: Value = refresh(&app, &r2).await.json().await.unwrap();
    let r3 = b3["refresh_token"].as_str().unwrap().to_string();
    let a3 = b3["access_token"].as_str().unwrap().to_string();
    assert_eq!(app.get_auth("/api/v1/me", &a3).await.status(), 200);

    // R1 again: a replay. The whole family dies, R3 and its access token included.
    assert_problem(refresh(&app, &r1).await, 401, "refresh_token_reused").await;
    assert_problem(refresh(&app, &r3).await, 401, "session_revoked").await;
    assert_problem(
        app.get_auth("/api/v1/me", &a3).await,
        401,
        "session_revoked",
    )
    .await;
    assert_problem(
        app.get_auth("/api/v1/me", &sam.access).await,
        401,
        "session_revoked",
    )
    .await;

    // The owner is told, and the event is in the audit log.
    let notice = app.smtp.wait_for(&sam.email, MAIL_WAIT).await;
    let notice = match notice {
        Some(m) if m.subject.contains("signed one of your devices out") => m,
        Some(_) => app.smtp.wait_for(&sam.email, MAIL_WAIT).await.unwrap(),
        None => panic!("no notice email"),
    };
    assert!(notice.text.contains("used twice"));
    let sid_rows = app
        .db(|c| {
            use diesel::prelude::*;
            use kindred::db::schema::audit_log::dsl::*;
            audit_log
                .filter(action.eq("authn_token_reuse"))
                .count()
                .get_result::<i64>(c)
                .unwrap()
        })
        .await;
    assert_eq!(sid_rows, 1);
    // Another device's session is untouched.
    let other = app.signin(&sam.email, &sam.password, "Sam").await;
    assert_eq!(
        app.get_auth("/api/v1/me", &other.access).await.status(),
        200
    );
}
both_backends!(refresh_tokens_rotate_and_a_reused_one_ends_the_session);

async fn two_concurrent_refreshes_leave_exactly_one_winner_then_revoke(app: TestApp) {
    let sam = app.signup("Sam").await;
    let (a, b) = tokio::join!(refresh(&app, &sam.refresh), refresh(&app, &sam.refresh));
    let statuses = [a.status().as_u16(), b.status().as_u16()];
    // The documented rule: no grace window; the loser is a reuse and ends the session.
    assert!(statuses.contains(&401), "{statuses:?}");
    let winner = if a.status() == 200 {
        Some(a)
    } else if b.status() == 200 {
        Some(b)
    } else {
        None
    };
    if let Some(w) = winner {
        let body: Value = w.json().await.unwrap();
        let new_refresh = body["refresh_token"].as_str().unwrap();
        assert_eq!(refresh(&app, new_refresh).await.status(), 401);
    }
}
both_backends!(two_concurrent_refreshes_leave_exactly_one_winner_then_revoke);

async fn the_database_holds_only_token_hashes(app: TestApp) {
    let sam = app.signup("Sam").await;
    let b: Value = refresh(&app, &sam.refresh).await.json().await.unwrap();
    let r2 = b["refresh_token"].as_str().unwrap().to_string();
    let (r1, r2c) = (sam.refresh.clone(), r2.clone());
    let found = app
        .db(move |c| {
            use diesel::prelude::*;
            use kindred::db::schema::{email_tokens, refresh_tokens};
            let hashes: Vec<String> = refresh_tokens::table
                .select(refresh_tokens::token_hash)
                .load(c)
                .unwrap();
            let mail_hashes: Vec<String> = email_tokens::table
                .select(email_tokens::token_hash)
                .load(c)
                .unwrap();
            (hashes, mail_hashes, r1, r2c)
        })
        .await;
    let (hashes, mail_hashes, r1, r2) = found;
    assert_eq!(hashes.len(), 2);
    assert!(!hashes.contains(&r1) && !hashes.contains(&r2));
    assert!(hashes.contains(&kindred::auth::tokens::hash_token(&r2)));
    assert!(mail_hashes.iter().all(|h| h.len() == 64));
    if app.backend == Backend::Sqlite {
        // The file itself (and its WAL) never saw a raw refresh token.
        let path = app.database_url.trim_start_matches("sqlite://").to_string();
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
        for raw in [&r1, &r2] {
            assert!(!bytes.windows(raw.len()).any(|w| w == raw.as_bytes()));
        }
    }
}
both_backends!(the_database_holds_only_token_hashes);

async fn logout_stops_the_access_token_at_once(app: TestApp) {
    let sam = app.signup("Sam").await;
    assert_eq!(app.get_auth("/api/v1/me", &sam.access).await.status(), 200);
    let resp = app
        .post(
            "/api/v1/auth/logout",
            &json!({"refresh_token": sam.refresh}),
        )
        .await;
    assert_eq!(resp.status(), 204);
    assert_problem(
        app.get_auth("/api/v1/me", &sam.access).await,
        401,
        "session_revoked",
    )
    .await;
    assert_problem(refresh(&app, &sam.refresh).await, 401, "session_revoked").await;
    // Logging out twice, or with junk, is harmless.
    let again = app
        .post(
            "/api/v1/auth/logout",
            &json!({"refresh_token": sam.refresh}),
        )
        .await;
    assert_eq!(again.status(), 204);
    let junk = app
        .post("/api/v1/auth/logout", &json!({"refresh_token": "junk"}))
        .await;
    assert_eq!(junk.status(), 204);
}
both_backends!(logout_stops_the_access_token_at_once);

async fn access_tokens_expire_after_fifteen_minutes_and_refresh_still_works(app: TestApp) {
    let sam = app.signup("Sam").await;
    app.clock.advance(Duration::from_secs(15 * 60 + 10));
    assert_problem(
        app.get_auth("/api/v1/me", &sam.access).await,
        401,
        "token_expired",
    )
    .await;
    let b: Value = refresh(&app, &sam.refresh).await.json().await.unwrap();
    let fresh = b["access_token"].as_str().unwrap();
    assert_eq!(app.get_auth("/api/v1/me", fresh).await.status(), 200);
    // A refresh token lives 30 days.
    let r = b["refresh_token"].as_str().unwrap().to_string();
    app.clock.advance(Duration::from_secs(31 * 24 * 3600));
    assert_problem(refresh(&app, &r).await, 401, "refresh_token_expired").await;
}
both_backends!(access_tokens_expire_after_fifteen_minutes_and_refresh_still_works);

async fn a_password_reset_sets_a_new_password_and_ends_every_session(app: TestApp) {
    let sam = app.signup("Sam").await;
    let phone = app.signin(&sam.email, &sam.password, "Sam").await;
    let known = app
        .post("/api/v1/auth/password-reset", &json!({"email": sam.email}))
        .await;
    let unknown = app
        .post(
            "/api/v1/auth/password-reset",
            &json!({"email": "ghost@example.org"}),
        )
        .await;
    assert_eq!(known.status(), 202);
    assert_eq!(unknown.status(), 202);
    assert_eq!(known.bytes().await.unwrap(), unknown.bytes().await.unwrap());
    let mail = app.smtp.wait_for(&sam.email, MAIL_WAIT).await.unwrap();
    assert_eq!(mail.subject, "Reset your Kindred password");
    let token = mail
        .token_from_link(&format!("{PUBLIC_URL}/reset-password"))
        .expect("reset link uses KINDRED_PUBLIC_URL");
    assert!(app.smtp.all_for("ghost@example.org").is_empty());

    let weak = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "password": "short"}),
        )
        .await;
    assert_problem(weak, 422, "password_too_short").await;
    let resp = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "password": "a brand new river song"}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert!(body.get("access_token").is_none(), "a reset never signs in");

    for a in [&sam, &phone] {
        assert_problem(
            app.get_auth("/api/v1/me", &a.access).await,
            401,
            "session_revoked",
        )
        .await;
        assert_eq!(refresh(&app, &a.refresh).await.status(), 401);
    }
    assert_eq!(app.login(&sam.email, &sam.password).await.status(), 401);
    assert_eq!(
        app.login(&sam.email, "a brand new river song")
            .await
            .status(),
        200
    );
    let reuse = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            &json!({"token": token, "password": "yet another river song"}),
        )
        .await;
    assert_problem(reuse, 400, "invalid_token").await;
    let changed = app.smtp.wait_for(&sam.email, MAIL_WAIT).await.unwrap();
    assert_eq!(changed.subject, "Your Kindred password was changed");
}
both_backends!(a_password_reset_sets_a_new_password_and_ends_every_session);

async fn a_newer_reset_link_voids_the_older_and_links_expire_in_an_hour(app: TestApp) {
    let sam = app.signup("Sam").await;
    let ask = json!({"email": sam.email});
    assert_eq!(
        app.post("/api/v1/auth/password-reset", &ask).await.status(),
        202
    );
    let first = app.smtp.wait_for(&sam.email, MAIL_WAIT).await.unwrap();
    assert_eq!(
        app.post("/api/v1/auth/password-reset", &ask).await.status(),
        202
    );
    let second = app.smtp.wait_for(&sam.email, MAIL_WAIT).await.unwrap();
    let prefix = format!("{PUBLIC_URL}/reset-password");
    let (t1, t2) = (
        first.token_from_link(&prefix).unwrap(),
        second.token_from_link(&prefix).unwrap(),
    );
    let confirm = |t: String| json!({"token": t, "password": "a brand new river song"});
    let path = "/api/v1/auth/password-reset/confirm";
    assert_problem(app.post(path, &confirm(t1)).await, 400, "invalid_token").await;
    app.clock.advance(Duration::from_secs(3601));
    assert_problem(app.post(path, &confirm(t2)).await, 400, "invalid_token").await;
}
both_backends!(a_newer_reset_link_voids_the_older_and_links_expire_in_an_hour);

async fn changing_a_password_needs_the_current_one_and_ends_other_sessions(app: TestApp) {
    let sam = app.signup("Sam").await;
    let laptop = app.signin(&sam.email, &sam.password, "Sam").await;
    let wrong = app
        .post_auth(
            "/api/v1/me/password",
            &sam.access,
            &json!({"current_password": "not my password at all", "new_password": "a brand new river song"}),
        )
        .await;
    assert_problem(wrong, 403, "current_password_incorrect").await;
    let weak = app
        .post_auth(
            "/api/v1/me/password",
            &sam.access,
            &json!({"current_password": sam.password, "new_password": "password1234"}),
        )
        .await;
    assert_problem(weak, 422, "password_too_common").await;
    let resp = app
        .post_auth(
            "/api/v1/me/password",
            &sam.access,
            &json!({"current_password": sam.password, "new_password": "a brand new river song"}),
        )
        .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(app.get_auth("/api/v1/me", &sam.access).await.status(), 200);
    assert_problem(
        app.get_auth("/api/v1/me", &laptop.access).await,
        401,
        "session_revoked",
    )
    .await;
    let mail = app.smtp.wait_for(&sam.email, MAIL_WAIT).await.unwrap();
    assert_eq!(mail.subject, "Your Kindred password was changed");
    assert_eq!(
        app.login(&sam.email, "a brand new river song")
            .await
            .status(),
        200
    );
}
both_backends!(changing_a_password_needs_the_current_one_and_ends_other_sessions);

async fn failed_logins_are_limited_per_account_softly(app: TestApp) {
    let sam = app.signup("Sam").await;
    for _ in 0..10 {
        assert_eq!(
            app.login(&sam.email, "wrong password guess").await.status(),
            401
        );
    }
    let limited = app.login(&sam.email, "wrong password guess").await;
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=40).contains(&retry), "{retry}");
    assert_problem(limited, 429, "rate_limited").await;
    // While limited, even the right password waits: the limit is checked before any hash.
    assert_problem(
        app.login(&sam.email, &sam.password).await,
        429,
        "rate_limited",
    )
    .await;
    // Unknown accounts are limited the same way (no enumeration through the limiter).
    for _ in 0..10 {
        assert_eq!(
            app.login("ghost@example.org", "wrong password guess")
                .await
                .status(),
            401
        );
    }
    assert_problem(
        app.login("ghost@example.org", "wrong password guess").await,
        429,
        "rate_limited",
    )
    .await;
    // Soft: after the wait, the owner gets in; and a reset works meanwhile.
    app.clock.advance(Duration::from_secs(retry));
    assert_eq!(app.login(&sam.email, &sam.password).await.status(), 200);
}
both_backends!(failed_logins_are_limited_per_account_softly);

async fn rehash_on_login_upgrades_old_parameters(app: TestApp) {
    let sam = app.signup("Sam").await;
    // Store a hash made with older, cheaper parameters, as if the policy had since been raised.
    let old = kindred::auth::password::PasswordHasher::new(
        kindred::auth::password::PasswordParams {
            m_cost_kib: 512,
            t_cost: 1,
            p_cost: 1,
        },
        1,
    )
    .unwrap()
    .hash_now(&kindred::domain::Password::for_verify(&sam.password))
    .unwrap();
    let id = sam.id.clone();
    let now = app.state.clock.now_naive();
    app.db(move |c| kindred::db::users::set_password_hash(c, &id, &old, now).unwrap())
        .await;
    assert_eq!(app.login(&sam.email, &sam.password).await.status(), 200);
    let id = sam.id.clone();
    let stored = app
        .db(move |c| {
            kindred::db::users::find(c, &id)
                .unwrap()
                .unwrap()
                .password_hash
                .unwrap()
        })
        .await;
    assert!(
        stored.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"),
        "{stored}"
    );
    assert_eq!(app.login(&sam.email, &sam.password).await.status(), 200);
}
both_backends!(rehash_on_login_upgrades_old_parameters);
