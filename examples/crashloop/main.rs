//! The `kill -9` crash loop (TESTPLAN T23; issue 12): is every acknowledged message stored
//! exactly once, at the seq its ack gave, when the server is SIGKILLed at random?
//!
//! It starts the built server (`<server-bin> serve`) on a free loopback port with a fresh
//! SQLite file in a temporary folder, or with `--pg <admin url>` in a fresh PostgreSQL database
//! it creates and drops, and seeds 12 verified members with sessions into 4 group rooms of 3
//! (2 writers and 1 reader each) through the library, minting their access tokens. Then:
//!
//! - 8 writers each send one message at a time (`client_id` unique per run) and wait for its
//!   `ack`, logging `client_id → ack seq`. When the connection drops they reconnect and resend
//!   the unacked message with the same `client_id` before anything new.
//! - 4 readers connect with `?resume=1`, send `resume {room: last_seen}` and check that what
//!   arrives continues exactly from there (`resync_required` is filled over HTTP).
//! - The driver SIGKILLs the server after a random 0.3–3 s, restarts it and waits for
//!   `/readyz`, for `--cycles` cycles (default 50; `--quick`: 20) or `--max-secs` (default 360),
//!   whichever comes first. At the last kill the writers stop, so their in-flight messages stay
//!   unacknowledged: they may be stored or not, but at most once.
//! - Finally it reads every room's full history over HTTP, waits for the readers to catch up,
//!   and checks: every acked message stored exactly once, at its ack's seq, in its room; no
//!   client id twice; seqs 1, 2, 3, … with no gap (and `rooms.last_seq` agreeing); each
//!   sender's messages in send order; unacked ones at most once; readers saw no duplicate, no
//!   gap, nothing of another room, nothing the history does not hold, and everything it does;
//!   SQLite's `PRAGMA integrity_check` is `ok` (after one more kill).
//!
//! It prints one summary line on stdout (progress on stderr) and exits 1 on any violation.
//!
//! ```text
//! cargo build --examples && target/debug/examples/crashloop --quick
//! target/debug/examples/crashloop --pg postgres://postgres@127.0.0.1:5432/postgres --quick
//! target/debug/examples/crashloop --cycles 200 --max-secs 840     # the release form
//! ```

#[path = "../common/mod.rs"]
mod common;

mod check;
mod clients;

use std::fs::File;
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use common::{BoxError, Server, ServerSpec, seed};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use kindred::config::DatabaseUrl;
use kindred::db::{Db, schema};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::watch;

use check::{RoomRow, check};
use clients::{Net, ReaderSpec, WriterSpec, history, reader, writer};

const ROOMS: usize = 4;
const WRITERS_PER_ROOM: usize = 2;
/// Writers, then the reader, of each room.
const ROOM_SIZE: usize = WRITERS_PER_ROOM + 1;
/// Access tokens live 15 minutes and the clients use one each for the whole run.
const MAX_SECS: u64 = 840;
/// How long the readers get to catch up with the final history.
const CATCH_UP: Duration = Duration::from_secs(20);

#[derive(Parser, Debug)]
#[command(about = "kill -9 crash loop: every acked message stored exactly once (TESTPLAN T23)")]
struct Args {
    /// The server binary, started as `<server-bin> serve`.
    #[arg(long, env = "KINDRED_BIN", default_value = "target/debug/kindred")]
    server_bin: PathBuf,
    /// A PostgreSQL URL to create (and afterwards drop) a fresh database from; default SQLite.
    #[arg(long)]
    pg: Option<String>,
    /// The CI form: 20 cycles.
    #[arg(long)]
    quick: bool,
    /// Kill/restart cycles (default 50, or 20 with --quick).
    #[arg(long)]
    cycles: Option<u32>,
    /// Stop after this many seconds of killing even if cycles remain (at most 840).
    #[arg(long, default_value_t = 360)]
    max_secs: u64,
    /// Seed of the kill intervals, to repeat a run's timing.
    #[arg(long)]
    seed: Option<u64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("crashloop: could not start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("crashloop: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The database under test; dropping it removes the folder or drops the database.
struct Store {
    dir: tempfile::TempDir,
    url: String,
    pg: Option<(String, String)>,
}

impl Store {
    fn new(pg: Option<&str>) -> Result<Store, BoxError> {
        let dir = tempfile::tempdir()?;
        let Some(admin) = pg else {
            let url = format!("sqlite://{}", dir.path().join("crash.db").display());
            return Ok(Store { dir, url, pg: None });
        };
        let name = format!("kindred_crash_{:08x}", rand::thread_rng().r#gen::<u32>());
        diesel::PgConnection::establish(admin)?
            .batch_execute(&format!("CREATE DATABASE {name}"))?;
        let mut url = url::Url::parse(admin)?;
        url.set_path(&name);
        Ok(Store {
            dir,
            url: url.to_string(),
            pg: Some((admin.to_string(), name)),
        })
    }

    fn sqlite_path(&self) -> Option<PathBuf> {
        self.pg.is_none().then(|| self.dir.path().join("crash.db"))
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg {
            let dropped = diesel::PgConnection::establish(admin).map(|mut c| {
                c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            });
            if !matches!(dropped, Ok(Ok(()))) {
                eprintln!("crashloop: could not drop database {name}");
            }
        }
    }
}

async fn run(args: Args) -> Result<bool, BoxError> {
    let cycles = args.cycles.unwrap_or(if args.quick { 20 } else { 50 });
    if cycles == 0 || args.max_secs > MAX_SECS {
        return Err(format!("--cycles must be ≥ 1 and --max-secs ≤ {MAX_SECS}").into());
    }
    let t0 = Instant::now();
    let store = Store::new(args.pg.as_deref())?;
    let spec = ServerSpec::new(args.server_bin.clone(), store.url.clone())?;
    let backend = spec.backend();
    let log_path = store.dir.path().join("server.log");
    let log = File::create(&log_path)?;
    let spawn = || -> Result<Server, BoxError> { spec.spawn(Stdio::from(log.try_clone()?)) };
    let mut server = spawn()?;
    server.wait_ready(&spec.public_url).await?;

    let db_url = DatabaseUrl::parse(&store.url).map_err(|e| format!("database url: {e}"))?;
    let (public_url, secret) = (spec.public_url.clone(), spec.secret.clone());
    let seed_url = db_url.clone();
    let seeded = tokio::task::spawn_blocking(move || {
        seed(
            &seed_url,
            &public_url,
            secret.as_bytes(),
            ROOMS * ROOM_SIZE,
            ROOM_SIZE,
        )
    })
    .await??;
    let net = Arc::new(Net {
        addr: spec.addr(),
        ws_url: format!("ws://127.0.0.1:{}/api/v1/ws", spec.port),
        public_url: spec.public_url.clone(),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?,
    });
    let tag = format!("{:06x}", rand::thread_rng().gen_range(0..0x100_0000u32));
    let stop_writers = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(AtomicU64::new(0));
    let (stop_readers, stop_rx) = watch::channel(false);
    let mut writers = Vec::new();
    let mut readers = Vec::new();
    let mut reader_seen = Vec::new();
    for room in 0..ROOMS {
        for seat in 0..WRITERS_PER_ROOM {
            let me = WriterSpec {
                index: room * WRITERS_PER_ROOM + seat,
                room,
                room_id: seeded.room_ids[room].clone(),
                token: seeded.tokens[room * ROOM_SIZE + seat].clone(),
                tag: tag.clone(),
            };
            writers.push(tokio::spawn(writer(
                me,
                Arc::clone(&net),
                Arc::clone(&stop_writers),
                Arc::clone(&acked),
            )));
        }
        let seen = Arc::new(AtomicI64::new(0));
        reader_seen.push(Arc::clone(&seen));
        let me = ReaderSpec {
            room,
            room_id: seeded.room_ids[room].clone(),
            token: seeded.tokens[room * ROOM_SIZE + WRITERS_PER_ROOM].clone(),
        };
        readers.push(tokio::spawn(reader(
            me,
            Arc::clone(&net),
            stop_rx.clone(),
            seen,
        )));
    }
    drop(stop_rx);

    // The driver: SIGKILL at random, restart, wait for /readyz.
    let seed_value = args.seed.unwrap_or_else(|| rand::thread_rng().r#gen());
    let mut rng = StdRng::seed_from_u64(seed_value);
    let started = Instant::now();
    let budget = Duration::from_secs(args.max_secs);
    let mut done = 0u32;
    let mut restart_max = Duration::ZERO;
    eprintln!(
        "crashloop {backend}: {cycles} cycles at most, {}s at most, seed {seed_value}",
        args.max_secs
    );
    loop {
        let up_for = Duration::from_secs_f64(rng.gen_range(0.3..3.0));
        tokio::time::sleep(up_for).await;
        if let Some(status) = server.child.try_wait()? {
            return Err(format!(
                "the server died on its own ({status}); log: {}",
                tail(&log_path)
            )
            .into());
        }
        server.kill()?;
        done += 1;
        let last = done >= cycles || started.elapsed() + Duration::from_secs(3) > budget;
        if last {
            // No new message and no resend from here: what is in flight stays unacked.
            stop_writers.store(true, Ordering::SeqCst);
        }
        let restarted = Instant::now();
        server = spawn()?;
        server.wait_ready(&spec.public_url).await?;
        restart_max = restart_max.max(restarted.elapsed());
        eprintln!(
            "crashloop {backend}: cycle {done}: up {:.1} s, acked {} so far, restart {} ms",
            up_for.as_secs_f64(),
            acked.load(Ordering::Relaxed),
            restarted.elapsed().as_millis()
        );
        if last {
            break;
        }
    }
    let killing = started.elapsed();

    let mut writer_logs = Vec::new();
    for w in writers {
        writer_logs.push(tokio::time::timeout(Duration::from_secs(30), w).await??);
    }
    let mut histories = Vec::new();
    for room in 0..ROOMS {
        let token = &seeded.tokens[room * ROOM_SIZE + WRITERS_PER_ROOM];
        histories.push(history(&net, token, &seeded.room_ids[room], 0, None).await?);
    }
    let caught_up = Instant::now();
    while caught_up.elapsed() < CATCH_UP
        && (0..ROOMS).any(|r| {
            let end = histories[r].last().map_or(0, |m| m.seq);
            reader_seen[r].load(Ordering::SeqCst) < end
        })
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop_readers.send(true)?;
    let mut reader_logs = Vec::new();
    for r in readers {
        reader_logs.push(tokio::time::timeout(Duration::from_secs(30), r).await??);
    }
    let rows = tokio::task::spawn_blocking(move || room_rows(&db_url))
        .await?
        .map_err(|e| format!("reading rooms.last_seq: {e}"))?;
    // One more crash, so the integrity check also covers the recovery from it.
    server.kill()?;
    drop(server);
    let integrity = match store.sqlite_path() {
        Some(path) => tokio::task::spawn_blocking(move || integrity_check(&path))
            .await?
            .map_err(|e| format!("PRAGMA integrity_check: {e}"))?,
        None => "n/a (PostgreSQL)".to_string(),
    };

    let (c, mut violations) = check(
        &seeded.room_ids,
        &writer_logs,
        &histories,
        &reader_logs,
        &rows,
    );
    if store.sqlite_path().is_some() && integrity != "ok" {
        violations.push(format!("PRAGMA integrity_check: {integrity}"));
    }
    let connects: u32 = writer_logs.iter().map(|w| w.connects).sum();
    let max_ack = writer_logs.iter().map(|w| w.max_ack_ms).max().unwrap_or(0);
    println!(
        "crashloop {backend}: cycles={done} killing_s={:.1} total_s={:.1} sent={} acked={} \
         resent={} (resends {}, answered with the original ack {}, retries {}) unacked={} (stored {}) refused={} stored={} \
         lost={} duplicates={} seq_mismatch={} gaps={} order={} unknown={} room_rows={} \
         reader_msgs={} reader_duplicates={} reader_gaps={} reader_foreign={} \
         reader_mismatch={} reader_missing={} resyncs={} writer_connects={connects} \
         max_ack_ms={max_ack} max_restart_ms={} integrity_check={integrity} violations={}",
        killing.as_secs_f64(),
        t0.elapsed().as_secs_f64(),
        c.sent,
        c.acked,
        c.resent_messages,
        c.resends,
        c.replayed,
        c.retries,
        c.unacked,
        c.unacked_stored,
        c.refused,
        c.stored,
        c.lost,
        c.duplicates,
        c.seq_mismatch,
        c.gaps,
        c.order,
        c.unknown,
        c.room_rows,
        c.reader_received,
        c.reader_duplicates,
        c.reader_gaps,
        c.reader_foreign,
        c.reader_mismatch,
        c.reader_missing,
        c.resyncs,
        restart_max.as_millis(),
        violations.len()
    );
    if c.acked == 0 {
        violations.push("no message was acknowledged: the loop tested nothing".into());
    }
    for v in violations.iter().take(30) {
        eprintln!("crashloop {backend}: VIOLATION {v}");
    }
    if !violations.is_empty() {
        eprintln!(
            "crashloop {backend}: seed {seed_value}; server log tail:\n{}",
            tail(&log_path)
        );
    }
    Ok(violations.is_empty())
}

/// Each room's `last_seq` as the database holds it.
fn room_rows(url: &DatabaseUrl) -> Result<Vec<RoomRow>, BoxError> {
    let db = Db::connect(url, 1)?;
    let mut conn = db.get_blocking()?;
    let rows: Vec<(String, i64)> = schema::rooms::table
        .select((schema::rooms::id, schema::rooms::last_seq))
        .load(&mut *conn)?;
    Ok(rows
        .into_iter()
        .map(|(room_id, last_seq)| RoomRow { room_id, last_seq })
        .collect())
}

#[derive(QueryableByName)]
struct Integrity {
    #[diesel(sql_type = diesel::sql_types::Text)]
    integrity_check: String,
}

/// `PRAGMA integrity_check` on the file, as one string (`ok` when sound).
fn integrity_check(path: &std::path::Path) -> Result<String, BoxError> {
    let path = path.to_str().ok_or("the database path is not UTF-8")?;
    let mut conn = diesel::SqliteConnection::establish(path)?;
    // Another connection closing (the last one checkpoints the WAL) may hold the lock a moment.
    conn.batch_execute("PRAGMA busy_timeout = 5000")?;
    let rows: Vec<Integrity> = diesel::sql_query("PRAGMA integrity_check").load(&mut conn)?;
    Ok(rows
        .into_iter()
        .map(|r| r.integrity_check)
        .collect::<Vec<_>>()
        .join("; "))
}

/// The last lines of the server's log, for a failure report.
fn tail(path: &std::path::Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}
