//! Operations: health, readiness, metrics, security headers and the database's own settings.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Backend, TestApp};

async fn health_readiness_and_metrics_answer(app: TestApp) {
    let h: Value = app.get("/healthz").await.json().await.unwrap();
    assert_eq!(h, json!({"status": "ok"}));
    let r: Value = app.get("/readyz").await.json().await.unwrap();
    let backend = match app.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(r, json!({"status": "ready", "database": backend}));
    app.get("/api/v1/me").await;
    let m = app.get("/metrics").await;
    assert!(
        m.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = m.text().await.unwrap();
    for needle in [
        "kindred_http_requests_total{route=\"/api/v1/me\",method=\"GET\",status=\"401\"} 1",
        "kindred_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 1",
        "kindred_db_pool_connections",
        "kindred_db_pool_max_connections 4",
        "kindred_outbox_backlog 0",
    ] {
        assert!(text.contains(needle), "missing {needle} in\n{text}");
    }
}
both_backends!(health_readiness_and_metrics_answer);

async fn every_kind_of_response_carries_the_security_headers(app: TestApp) {
    let responses = vec![
        app.get("/healthz").await,
        app.get("/api/v1/me").await,
        app.get("/no/such/route").await,
        app.client.delete(app.url("/healthz")).send().await.unwrap(),
        app.client
            .post(app.url("/api/v1/auth/login"))
            .header("content-type", "text/plain")
            .body("x")
            .send()
            .await
            .unwrap(),
    ];
    for r in responses {
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{}", r.status());
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["cache-control"], "no-store");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'none'")
        );
        assert!(h.get("server").is_none());
    }
    let ok = app.get("/healthz").await;
    assert_eq!(
        ok.headers()["content-type"],
        "application/json; charset=utf-8"
    );
}
both_backends!(every_kind_of_response_carries_the_security_headers);

async fn connections_run_with_the_durable_settings(app: TestApp) {
    let settings = app
        .db(|c| kindred::db::connection::effective_settings(c).unwrap())
        .await;
    let get = |k: &str| {
        settings
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    match app.backend {
        Backend::Sqlite => {
            assert_eq!(get("journal_mode"), "wal");
            assert_eq!(get("synchronous"), "2", "FULL");
            assert_eq!(get("foreign_keys"), "1");
            assert_eq!(
                get("busy_timeout").parse::<u32>().unwrap(),
                kindred::db::connection::SQLITE_BUSY_TIMEOUT_MS
            );
            // The folder did not exist before the app started.
            let path = app.database_url.trim_start_matches("sqlite://");
            assert!(std::path::Path::new(path).exists());
        }
        Backend::Postgres => {
            assert_eq!(get("synchronous_commit"), "on");
            assert_eq!(get("fsync"), "on");
            assert_eq!(get("TimeZone"), "UTC");
        }
    }
}
both_backends!(connections_run_with_the_durable_settings);

async fn migrations_are_embedded_and_idempotent(app: TestApp) {
    let again = app.db(|c| kindred::db::migrations::run(c).unwrap()).await;
    assert_eq!(again, 0, "already applied at start");
    let argon = app.state.hasher.params();
    assert_eq!(argon, crate::support::TEST_PARAMS);
    assert!(kindred::auth::password::PasswordParams::default().meets_production_floor());
}
both_backends!(migrations_are_embedded_and_idempotent);

async fn timestamps_are_stored_in_utc(app: TestApp) {
    let sam = app.signup("Sam").await;
    let id = sam.id.clone();
    let created = app
        .db(move |c| {
            kindred::db::users::find(c, &id)
                .unwrap()
                .unwrap()
                .created_at
        })
        .await;
    let now = chrono::Utc::now().naive_utc();
    assert!(
        (now - created).num_seconds().abs() < 60,
        "{created} vs {now}"
    );
}
both_backends!(timestamps_are_stored_in_utc);
