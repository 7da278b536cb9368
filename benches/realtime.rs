//! Realtime hot paths: the crisis detector on every message, parsing a client frame, and the
//! group-commit writer storing durable messages (through the one send path, `rooms::send`)
//! on a real SQLite file (`synchronous=FULL`, one fsync per batch). Run with `cargo bench --bench realtime`. End-to-end figures over
//! websockets (fan-out and ack latency, RSS) come from `examples/loadgen.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kindred::clock::SystemClock;
use kindred::config::Settings;
use kindred::rooms::Live;
use kindred::rooms::protocol::ClientFrame;
use kindred::rooms::send::{Draft, Reply};
use kindred::safety::crisis::CrisisDetector;
use kindred::startup::Application;

fn detector(c: &mut Criterion) {
    let d = CrisisDetector::builtin().unwrap();
    let long = "The new inhaler helps on the stairs, and the nurse said to keep a diary of good and bad days. "
        .repeat(45);
    let long: String = long.chars().take(4000).collect();
    let mut g = c.benchmark_group("crisis_detect");
    g.bench_function("short_benign", |b| {
        b.iter(|| d.detect("How did the appointment go? I hope the new dose suits you."))
    });
    g.bench_function("4000_chars_benign", |b| b.iter(|| d.detect(&long)));
    g.bench_function("flagged", |b| {
        b.iter(|| d.detect("honestly some nights i think about ending it all"))
    });
    g.finish();
}

fn frames(c: &mut Criterion) {
    let text = r#"{"type":"send","room_id":"01a20523-f0ff-7218-845b-05fb7a27c726","client_id":"c-123","body":"Hello, how was the clinic today?"}"#;
    c.bench_function("parse_send_frame", |b| {
        b.iter(|| ClientFrame::parse(text).unwrap())
    });
}

/// A running app on a fresh SQLite file with one room of two members.
struct Fixture {
    app_state: kindred::state::AppState,
    live: Live,
    room: String,
    sender: String,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/bench.db", dir.path().display());
    let vars: HashMap<&str, String> = HashMap::from([
        ("KINDRED_BIND", "127.0.0.1:0".to_string()),
        ("DATABASE_URL", url),
        ("KINDRED_JWT_SECRET", "b".repeat(48)),
    ]);
    let mut s = Settings::from_lookup(|k| vars.get(k).cloned()).unwrap();
    s.matcher_worker = false;
    s.message_burst = 1_000_000;
    s.message_per_sec = 1_000_000;
    s.password_params = kindred::auth::password::PasswordParams {
        m_cost_kib: 1024,
        t_cost: 1,
        p_cost: 1,
    };
    let app = Application::build_with_clock(s, Arc::new(SystemClock))
        .await
        .unwrap();
    let state = app.state().clone();
    let live = app.live().clone();
    tokio::spawn(app.run_until_stopped(false));
    let now = state.clock.now_naive();
    let (room, sender) = state
        .db
        .run(move |c| {
            let room = kindred::domain::new_id();
            kindred::db::rooms::insert(
                c,
                &kindred::db::rooms::Room {
                    id: room.clone(),
                    kind: "pair".into(),
                    focus_condition: "lungs.copd".into(),
                    max_size: 2,
                    created_at: now,
                    ended_at: None,
                    last_seq: 0,
                },
            )?;
            let mut first = String::new();
            for name in ["bench-ann", "bench-bob"] {
                let id = kindred::domain::new_id();
                kindred::db::users::insert(
                    c,
                    &kindred::db::users::NewUser {
                        id: &id,
                        email: &format!("{name}@example.org"),
                        email_key: &format!("{name}@example.org"),
                        display_name: name,
                        display_name_key: name,
                        password_hash: "unused",
                        role: "member",
                        status: "active",
                        email_verified_at: Some(now),
                        created_at: now,
                        updated_at: now,
                    },
                )?;
                kindred::db::rooms::add_member(c, &room, &id, "member", now)?;
                if first.is_empty() {
                    first = id;
                }
            }
            Ok((room, first))
        })
        .await
        .unwrap();
    Fixture {
        app_state: state,
        live,
        room,
        sender,
        _dir: dir,
    }
}

/// Submits `n` sends at once and waits for every durable ack.
async fn burst(f: &Fixture, n: usize, counter: &mut u64) {
    let mut waits = Vec::with_capacity(n);
    for _ in 0..n {
        *counter += 1;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let draft = Draft {
            room_id: f.room.clone(),
            client_id: format!("b-{counter}"),
            body: "A message of ordinary length about the day and how it went.".into(),
        };
        // The HTTP door: the same checks and writer as a websocket send.
        assert!(
            f.live
                .send(&f.app_state, &f.sender, draft, Reply::Http(tx))
                .is_ok()
        );
        waits.push(rx);
    }
    for w in waits {
        w.await.unwrap().unwrap();
    }
}

fn group_commit(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let f = rt.block_on(fixture());
    let mut g = c.benchmark_group("durable_messages_sqlite");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(5));
    for n in [1usize, 16, 128, 512] {
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("burst", n), &n, |b, &n| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let mut counter = rand_start();
                    let started = Instant::now();
                    for _ in 0..iters {
                        burst(&f, n, &mut counter).await;
                    }
                    started.elapsed()
                })
            })
        });
    }
    g.finish();
}

/// Client ids must be new on every run of the benchmark (a repeat would be an idempotent
/// replay, which is cheaper and would flatter the figure).
fn rand_start() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

criterion_group!(benches, detector, frames, group_commit);
criterion_main!(benches);
