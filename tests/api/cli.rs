//! The `kindred` binary itself: configuration errors, `migrate`, `admin create`, serving, and
//! graceful shutdown on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::support::{Backend, PUBLIC_URL, fresh_database, postgres_base_url};

const BIN: &str = env!("CARGO_BIN_EXE_kindred");
const SECRET: &str = "0123456789abcdef0123456789abcdef-cli";

fn kindred(database_url: &str) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("KINDRED_JWT_SECRET", SECRET)
        .env("KINDRED_PUBLIC_URL", PUBLIC_URL)
        .env("RUST_LOG", "info");
    c
}

#[test]
fn bad_configuration_is_refused_naming_every_variable() {
    let out = Command::new(BIN)
        .env_clear()
        .env("KINDRED_BIND", "nowhere")
        .env("DATABASE_URL", "mysql://db")
        .env("KINDRED_MATCH_INTERVAL_SECS", "soon")
        .env("KINDRED_JWT_SECRET", SECRET)
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for var in [
        "KINDRED_BIND",
        "DATABASE_URL",
        "KINDRED_MATCH_INTERVAL_SECS",
    ] {
        assert!(err.contains(var), "{var} not named in: {err}");
    }
    let out = Command::new(BIN)
        .env_clear()
        .env("KINDRED_ENV", "production")
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("KINDRED_JWT_SECRET"));
}

async fn the_binary_migrates_creates_an_admin_serves_and_stops_gracefully(backend: Backend) {
    let (url, _guard) = fresh_database(backend).await;
    let out = kindred(&url).arg("migrate").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let applied = String::from_utf8_lossy(&out.stdout).to_string();
    let expected = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .count();
    assert!(
        applied.contains(&format!("{expected} migration(s) applied")),
        "{applied}"
    );
    let out = kindred(&url).arg("migrate").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 migration(s) applied"));

    let out = kindred(&url)
        .args([
            "admin",
            "create",
            "--email",
            "ada@example.org",
            "--display-name",
            "Ada",
        ])
        .env("KINDRED_ADMIN_PASSWORD", "password")
        .output()
        .unwrap();
    assert!(!out.status.success(), "a common password is refused");
    let out = kindred(&url)
        .args([
            "admin",
            "create",
            "--email",
            "ada@example.org",
            "--display-name",
            "Ada",
        ])
        .env(
            "KINDRED_ADMIN_PASSWORD",
            "the first admin's long passphrase",
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = kindred(&url)
        .args([
            "admin",
            "create",
            "--email",
            "ADA@example.org",
            "--display-name",
            "Ada Two",
        ])
        .env(
            "KINDRED_ADMIN_PASSWORD",
            "the first admin's long passphrase",
        )
        .output()
        .unwrap();
    assert!(!out.status.success(), "the same email twice is refused");

    let mut child = kindred(&url)
        .env("KINDRED_BIND", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let port = loop {
        let line = lines.next().expect("server log ends early").unwrap();
        let v: Value = serde_json::from_str(&line).expect("every log line is JSON");
        if v["message"] == "kindred listening" {
            break v["port"].as_u64().unwrap();
        }
    };
    // Keep draining the log so the child never blocks on a full pipe.
    let drain = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());
    let client = reqwest::Client::new();
    let resp = client
        .post(format!("http://127.0.0.1:{port}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "ada@example.org", "password": "the first admin's long passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["user"]["role"], "admin");
    assert_eq!(body["user"]["email_verified"], true);

    // An open websocket is closed with 1001 on SIGTERM, and does not hold the shutdown up.
    let mut req = format!("ws://127.0.0.1:{port}/api/v1/ws")
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "Authorization",
        format!("Bearer {}", body["access_token"].as_str().unwrap())
            .parse()
            .unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    let ready = ws.next().await.unwrap().unwrap();
    assert!(ready.to_text().unwrap().contains(r#""type":"ready""#));

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = Instant::now();
    let close = loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => break frame,
            Ok(Some(Ok(_))) => {}
            other => panic!("no close frame: {other:?}"),
        }
    };
    let close = close.expect("a close reason");
    assert_eq!(u16::from(close.code), 1001);
    assert_eq!(close.reason.as_str(), "server_stopping");
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    let log = drain.join().unwrap();
    assert!(log.iter().any(|l| l.contains("outbox worker stopped")));
    for line in &log {
        assert!(
            !line.contains("ada@example.org"),
            "an email address reached the log"
        );
        assert!(!line.contains("passphrase"), "a password reached the log");
        assert!(
            serde_json::from_str::<Value>(line).is_ok(),
            "not JSON: {line}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_migrates_creates_an_admin_serves_and_stops_gracefully_on_sqlite() {
    the_binary_migrates_creates_an_admin_serves_and_stops_gracefully(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_migrates_creates_an_admin_serves_and_stops_gracefully_on_postgres() {
    if postgres_base_url().is_some() {
        the_binary_migrates_creates_an_admin_serves_and_stops_gracefully(Backend::Postgres).await;
    }
}
