//! Authentication costs: an Argon2id hash at production parameters, issuing and validating an
//! access token, and a whole login over HTTP against the real application (SQLite, production
//! hashing, loopback). Run with `cargo bench --bench auth`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use kindred::auth::password::{PasswordHasher, PasswordParams};
use kindred::auth::tokens::TokenKeys;
use kindred::clock::SystemClock;
use kindred::config::Settings;
use kindred::domain::Password;
use kindred::startup::Application;

fn hashing(c: &mut Criterion) {
    let hasher = PasswordHasher::new(PasswordParams::default(), 1).unwrap();
    let pw = Password::new_secret("a calm river at dawn").unwrap();
    c.bench_function("argon2id_hash_m19456_t2_p1", |b| {
        b.iter(|| hasher.hash_now(&pw).unwrap())
    });
}

fn tokens(c: &mut Criterion) {
    let keys = TokenKeys::new(
        b"0123456789abcdef0123456789abcdef",
        "https://kindred.example",
    );
    let uid = uuid::Uuid::now_v7().to_string();
    let sid = uuid::Uuid::now_v7().to_string();
    c.bench_function("jwt_issue_and_validate", |b| {
        b.iter(|| {
            let now = chrono::Utc::now();
            let t = keys.issue(&uid, &sid, now).unwrap();
            keys.validate(&t, now).unwrap()
        })
    });
}

fn login_over_http(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/bench.db", dir.path().display());
    let vars: HashMap<&str, String> = HashMap::from([
        ("KINDRED_BIND", "127.0.0.1:0".to_string()),
        ("DATABASE_URL", db),
        (
            "KINDRED_JWT_SECRET",
            "0123456789abcdef0123456789abcdef".to_string(),
        ),
    ]);
    let mut settings = Settings::from_lookup(|k| vars.get(k).cloned()).unwrap();
    settings.http_workers = Some(1);
    let (port, params) = rt.block_on(async {
        let app = Application::build_with_clock(settings, Arc::new(SystemClock))
            .await
            .unwrap();
        let port = app.port();
        let state = app.state().clone();
        let params = state.hasher.params();
        tokio::spawn(app.run_until_stopped(false));
        state
            .db
            .run(move |c| {
                kindred::auth::service::create_admin(
                    c,
                    params,
                    "bench@example.org",
                    "Bench",
                    "a calm river at dawn",
                    chrono::Utc::now().naive_utc(),
                )
                .map_err(|e| kindred::error::AppError::internal(std::io::Error::other(e)))
            })
            .await
            .unwrap();
        (port, params)
    });
    assert!(params.meets_production_floor());
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/api/v1/auth/login");
    let body =
        serde_json::json!({"email": "bench@example.org", "password": "a calm river at dawn"});
    c.bench_function("login_http_production_argon2", |b| {
        b.to_async(&rt).iter(|| async {
            let r = client.post(&url).json(&body).send().await.unwrap();
            assert_eq!(r.status(), 200);
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = hashing, tokens, login_over_http
}
criterion_main!(benches);
