//! A full matching tick at scale (issue 10, "the pool at scale"): a fresh database per run,
//! seeded with `n` waiting requests (`matching::pool::seed`: half pairs, a quarter one-to-one,
//! a quarter groups, n/10 volunteers, n/100 open groups, blocks and recent rooms), then one
//! tick timed by phase:
//!
//! - `load`: `pool::load` in one `Db::run` (every query of the pool);
//! - `plan`: the engine on the blocking pool (`engine::plan`), its share of the tick;
//! - `commit`: every proposal through `proposals::commit_batch` (batches of `BATCH`, one
//!   transaction each, a savepoint per proposal, rooms opened at once), as
//!   `matching::service::tick` does it (the socket delivery is left out: no socket is open).
//!   The waiting ladder that follows in a tick is not timed: on a fresh seed nobody has
//!   waited long enough for it to act.
//!
//! Not criterion: each sample needs thousands of freshly seeded rows, so this is a plain
//! `harness = false` main that prints one line per run and the median per size.
//!
//! ```text
//! cargo bench --bench tick                        # SQLite, n = 1,000 and 5,000, 3 runs each
//! KINDRED_BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench tick
//! KINDRED_BENCH_SIZES=1000 KINDRED_BENCH_RUNS=5 cargo bench --bench tick
//! ```
//!
//! With `KINDRED_BENCH_PG` (an admin URL) each PostgreSQL run creates its own database and drops
//! it afterwards. Without `--bench` (e.g. `cargo test --benches`) it runs once at n = 20 on
//! SQLite, as a smoke test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, connection::SimpleConnection};
use kindred::config::DatabaseUrl;
use kindred::db::{Db, migrations};
use kindred::matching::engine::plan;
use kindred::matching::model::Config;
use kindred::matching::pool::{self, seed};
use kindred::matching::proposals;
use kindred::matching::service::engine_vocab;
use kindred::profiles::vocab::Vocabulary;

const PUBLIC_URL: &str = "https://kindred.invalid";

#[derive(Debug, Clone, Copy, Default)]
struct Run {
    load: Duration,
    plan: Duration,
    commit: Duration,
    waiting: usize,
    proposed: usize,
    made: usize,
}

impl Run {
    fn total(&self) -> Duration {
        self.load + self.plan + self.commit
    }
}

/// A fresh database: a new SQLite file in `dir`, or a new PostgreSQL database (dropped by the
/// returned guard).
enum Fresh {
    Sqlite { _dir: tempfile::TempDir },
    Pg { admin: String, name: String },
}

impl Drop for Fresh {
    fn drop(&mut self) {
        if let Fresh::Pg { admin, name } = self
            && let Ok(mut c) = PgConnection::establish(admin)
        {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

fn fresh(pg_admin: Option<&str>) -> (Fresh, String) {
    match pg_admin {
        None => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}/kindred.db", dir.path().display());
            (Fresh::Sqlite { _dir: dir }, url)
        }
        Some(admin) => {
            let name = format!("kindred_bench_{}", uuid::Uuid::now_v7().simple());
            let mut c = PgConnection::establish(admin).expect("KINDRED_BENCH_PG reachable");
            c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
            let mut url = url::Url::parse(admin).unwrap();
            url.set_path(&name);
            let guard = Fresh::Pg {
                admin: admin.to_string(),
                name,
            };
            (guard, url.to_string())
        }
    }
}

async fn one_run(pg_admin: Option<&str>, n: usize, rng_seed: u64) -> Run {
    let (_guard, url) = fresh(pg_admin);
    let db = Db::connect(&DatabaseUrl::parse(&url).unwrap(), 4).unwrap();
    let now = chrono::Utc::now().naive_utc();
    let vocab = {
        let mut c = db.get_blocking().unwrap();
        migrations::run(&mut c).unwrap();
        let vocab = Vocabulary::build(kindred::db::vocab::load(&mut c).unwrap()).unwrap();
        let seeded = seed::seed(&mut c, n, rng_seed, now).unwrap();
        assert_eq!(seeded.waiting, n);
        Arc::new(vocab)
    };
    let cfg = Config::default();

    // The tick, phase by phase, as matching::service::tick runs it.
    let t = Instant::now();
    let v = vocab.clone();
    let loaded = db.run(move |c| pool::load(c, &v, now)).await.unwrap();
    let load = t.elapsed();
    let waiting = loaded.people.len();

    let t = Instant::now();
    let v = vocab.clone();
    let planned = tokio::task::spawn_blocking(move || {
        let ev = engine_vocab(&v);
        let labels = |id: &str| v.phrase(id);
        plan(
            &loaded.people,
            &loaded.volunteers,
            &loaded.open_groups,
            &loaded.relax_steps,
            &ev,
            &loaded.exclusions,
            &cfg,
            &labels,
        )
    })
    .await
    .unwrap();
    let plan_time = t.elapsed();

    let t = Instant::now();
    let proposed = planned.proposals.len();
    let mut made = 0;
    let mut rest = planned.proposals.into_iter().peekable();
    while rest.peek().is_some() {
        let batch: Vec<_> = rest.by_ref().take(proposals::BATCH).collect();
        let outcomes = db
            .run(move |c| proposals::commit_batch(c, &batch, None, now, PUBLIC_URL))
            .await
            .unwrap();
        made += outcomes.iter().filter(|o| matches!(o, Ok(Some(_)))).count();
    }
    let commit_time = t.elapsed();
    Run {
        load,
        plan: plan_time,
        commit: commit_time,
        waiting,
        proposed,
        made,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn env_list(name: &str) -> Option<Vec<usize>> {
    let raw = std::env::var(name).ok()?;
    Some(
        raw.split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect(),
    )
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let sizes = env_list("KINDRED_BENCH_SIZES")
        .unwrap_or_else(|| if bench { vec![1_000, 5_000] } else { vec![20] });
    let runs = env_list("KINDRED_BENCH_RUNS")
        .and_then(|v| v.first().copied())
        .unwrap_or(if bench { 3 } else { 1 })
        .max(1);
    let pg = std::env::var("KINDRED_BENCH_PG")
        .ok()
        .filter(|s| !s.is_empty());
    let mut backends: Vec<(&str, Option<&str>)> = vec![("sqlite", None)];
    if bench && let Some(u) = pg.as_deref() {
        backends.push(("postgres", Some(u)));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!("backend   n      run  load_ms  plan_ms  commit_ms  total_ms  waiting proposed made");
    for (name, admin) in &backends {
        for &n in &sizes {
            let mut all = Vec::new();
            for r in 0..runs {
                let run = rt.block_on(one_run(*admin, n, 42 + r as u64));
                println!(
                    "{name:<9} {n:<6} {r:<4} {:>7.1}  {:>7.1}  {:>9.1}  {:>8.1}  {:>7} {:>8} {:>4}",
                    ms(run.load),
                    ms(run.plan),
                    ms(run.commit),
                    ms(run.total()),
                    run.waiting,
                    run.proposed,
                    run.made
                );
                all.push(run);
            }
            println!(
                "{name:<9} {n:<6} med  {:>7.1}  {:>7.1}  {:>9.1}  {:>8.1}",
                ms(median(all.iter().map(|r| r.load).collect())),
                ms(median(all.iter().map(|r| r.plan).collect())),
                ms(median(all.iter().map(|r| r.commit).collect())),
                ms(median(all.iter().map(Run::total).collect())),
            );
        }
    }
}
