//! Load generator for Kindred's realtime rooms.
//!
//! It starts the server itself (`<server-bin> serve`) on a free port with a fresh SQLite file in
//! a temporary folder (or the given `--database-url`), waits for `GET /readyz`, seeds users,
//! sessions and group rooms of `--room-size` members straight into the database through the
//! library, mints access tokens with the same secret, opens `--connections` websockets (one user
//! each, `Authorization: Bearer` on the upgrade, TCP_NODELAY), waits until every connection has
//! its `ready` frame, then has each connection send `--messages` messages:
//!
//! - `--rate R > 0`: open loop, `R` messages/s in total, spread evenly over the connections
//!   (message `k` of connection `i` is due at `start + (i + k·C) / R` seconds, acks or not);
//! - `--rate 0`: flat out, each connection keeps up to `--window` unacked messages in flight and
//!   sends the next one as soon as an ack arrives.
//!
//! Every `client_id` is `<connection>-<n>-<nanoseconds since the loadgen started>`, so a receiver
//! measures latency from the id alone (one monotonic clock in one process) and the body is only
//! padding. When all senders are done it waits until every expected delivery has arrived or
//! nothing arrived for 5 s, reads the server's memory from `/proc/<pid>/status`, closes the
//! sockets, stops the server and prints ONE JSON line on stdout (progress goes to stderr).
//!
//! Run it from the repository root:
//!
//! ```text
//! cargo build --release && cargo run --release --example loadgen -- \
//!     --connections 1000 --room-size 6 --messages 20 --rate 1000
//! cargo run --release --example loadgen -- --connections 300 --messages 50 --rate 0 --window 4
//! ```
//!
//! The fields of the JSON line:
//!
//! | field | meaning |
//! | --- | --- |
//! | `connections` | websockets that reached `ready` (`connections_requested` were attempted) |
//! | `connections_failed` | attempts that did not; `connect_errors` counts them by reason |
//! | `room_size`, `rate`, `window`, `messages_per_connection`, `body_bytes` | the run's settings |
//! | `messages_sent` | distinct messages sent (a resend of the same `client_id` is counted in `resends`) |
//! | `acked` | messages whose `ack` arrived; `unacked` = sent − acked |
//! | `deliveries` | distinct `message` frames received for our messages, by every connection in the room, **the sender's own echo included** (`echoes` of them) |
//! | `expected_deliveries` | Σ over acked messages of the connections that reached `ready` in that room (sender included) |
//! | `lost` | expected deliveries of acked messages that never arrived |
//! | `duplicated` | a message (same `client_id`) or a `seq` received twice by one connection |
//! | `out_of_order` | `message` frames whose `seq` was not exactly the previous one + 1 on that connection |
//! | `seq_mismatch` | a receiver saw an acked message under another `seq` than its ack carried |
//! | `errors`, `error_detail` | everything unexpected: `error` frames by code, closes, protocol surprises |
//! | `duration_s` | sending start → last ack |
//! | `throughput_msgs_per_s` | `acked / duration_s` |
//! | `fanout_ms` | send → arrival of the `message` frame at each OTHER member's connection |
//! | `ack_ms` | send → arrival of the `ack` at the sender |
//! | `send_lag_ms` | how late sends left against their schedule (rate mode): large values mean the client, not the server, is the bottleneck |
//! | `server_rss_mb` | the server's `VmRSS` after the drain, with every socket still open |
//! | `server_peak_rss_mb` | its `VmHWM`: the peak since it started, start-up included (one argon2 dummy hash there takes ~19 MiB for a moment) |
//! | `server_idle_rss_mb`, `server_load_peak_rss_mb` | `VmRSS` before the first connection, and the largest `VmRSS` sampled every 10 ms from then on |
//! | `server_cpu_s`, `client_cpu_s` | CPU time used by each process during the sending phase and drain |
//! | `backend` | `sqlite` or `postgres` |
//!
//! Latencies sent during the first `--warmup-secs` of the sending phase are left out of the
//! histograms; they still count for loss, duplicates and order. Access tokens live 15 minutes,
//! so a run must finish within that.

mod common;

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use common::{BoxError, Server, ServerSpec, Ws, close_reason, seed};
use futures_util::{SinkExt, StreamExt};
use kindred::config::DatabaseUrl;
use serde::{Deserialize, Serialize};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::time::Instant as TInstant;
use tokio_tungstenite::tungstenite::{self, Message};

/// How long one connection may take from TCP connect to its `ready` frame.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// The drain ends after this long without a new delivery.
const DRAIN_QUIET: Duration = Duration::from_secs(5);
/// Gap between announcing the start and the first send, so every task has seen it.
const START_DELAY: Duration = Duration::from_millis(200);
/// Resend delay after `unavailable` (the server names none).
const UNAVAILABLE_RETRY: Duration = Duration::from_millis(100);
/// Linux reports process CPU time in clock ticks of 1/100 s.
const TICKS_PER_SEC: f64 = 100.0;

#[derive(Parser, Debug)]
#[command(about = "Load generator for Kindred's realtime rooms; prints one JSON line")]
struct Args {
    /// Websocket connections, one user each.
    #[arg(long, default_value_t = 1000)]
    connections: usize,
    /// Members per room (the last room takes the remainder).
    #[arg(long, default_value_t = 6)]
    room_size: usize,
    /// Messages sent by each connection.
    #[arg(long, default_value_t = 20)]
    messages: usize,
    /// Messages per second across all connections; 0 = flat out (see --window).
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    /// Flat out only: unacked messages a connection keeps in flight.
    #[arg(long, default_value_t = 1)]
    window: usize,
    /// The server binary, started as `<server-bin> serve`.
    #[arg(long, default_value = "target/release/kindred")]
    server_bin: PathBuf,
    /// `postgres://...` to test PostgreSQL; default: a fresh SQLite file in a temporary folder.
    #[arg(long)]
    database_url: Option<String>,
    /// Padding characters in each message body (1..=4000).
    #[arg(long, default_value_t = 100)]
    body_bytes: usize,
    /// Seconds at the start of the sending phase left out of the latency histograms.
    #[arg(long, default_value_t = 0.0)]
    warmup_secs: f64,
    /// Connections being opened at once.
    #[arg(long, default_value_t = 64)]
    connect_concurrency: usize,
    /// Give up on senders still waiting for acks after this many seconds of sending.
    #[arg(long, default_value_t = 300)]
    timeout_secs: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("loadgen: could not start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("loadgen: {e}");
            ExitCode::FAILURE
        }
    }
}

/// When sending starts, shared by every connection.
#[derive(Clone, Copy, Debug)]
struct Start {
    at: TInstant,
    warmup_end_ns: u64,
}

/// Read-mostly state shared by all connection tasks; counters only for progress and the drain.
struct Shared {
    t0: Instant,
    addr: SocketAddr,
    ws_url: String,
    body: String,
    connections: usize,
    room_size: usize,
    messages: usize,
    rate: f64,
    window: usize,
    room_ids: Vec<String>,
    room_acked: Vec<AtomicU64>,
    sent: AtomicU64,
    acked: AtomicU64,
    deliveries: AtomicU64,
    senders_done: AtomicU64,
    last_ack_ns: AtomicU64,
}

impl Shared {
    fn now_ns(&self) -> u64 {
        self.t0.elapsed().as_nanos() as u64
    }
}

async fn run(args: Args) -> Result<String, BoxError> {
    if args.connections == 0 || args.room_size < 2 || args.messages == 0 || args.window == 0 {
        return Err("--connections, --messages and --window must be ≥ 1, --room-size ≥ 2".into());
    }
    if !(1..=4000).contains(&args.body_bytes) || args.rate < 0.0 || args.warmup_secs < 0.0 {
        return Err("--body-bytes must be 1..=4000; --rate and --warmup-secs ≥ 0".into());
    }
    let t0 = Instant::now();
    let tmp = tempfile::tempdir()?;
    let raw_url = match &args.database_url {
        Some(u) => u.clone(),
        None => format!("sqlite://{}", tmp.path().join("load.db").display()),
    };
    let db_url = DatabaseUrl::parse(&raw_url).map_err(|e| format!("--database-url: {e}"))?;
    let spec = ServerSpec::new(args.server_bin.clone(), raw_url)?;
    let port = spec.port;
    // Our stdout carries only the JSON line; the server's output goes to stderr.
    let mut server: Server = spec.spawn(Stdio::from(std::io::stderr()))?;
    server.wait_ready(&spec.public_url).await?;
    eprintln!(
        "loadgen: server up after {:.1} s",
        t0.elapsed().as_secs_f64()
    );

    let seed_started = Instant::now();
    let (c, s) = (args.connections, args.room_size);
    let (public_url, secret) = (spec.public_url.clone(), spec.secret.clone());
    let seeded =
        tokio::task::spawn_blocking(move || seed(&db_url, &public_url, secret.as_bytes(), c, s))
            .await??;
    eprintln!(
        "loadgen: seeded {} users in {} rooms in {:.1} s",
        seeded.tokens.len(),
        seeded.room_ids.len(),
        seed_started.elapsed().as_secs_f64()
    );

    let shared = Arc::new(Shared {
        t0,
        addr: spec.addr(),
        ws_url: format!("ws://127.0.0.1:{port}/api/v1/ws"),
        body: "x".repeat(args.body_bytes),
        connections: c,
        room_size: s,
        messages: args.messages,
        rate: args.rate,
        window: args.window,
        room_acked: seeded.room_ids.iter().map(|_| AtomicU64::new(0)).collect(),
        room_ids: seeded.room_ids,
        sent: AtomicU64::new(0),
        acked: AtomicU64::new(0),
        deliveries: AtomicU64::new(0),
        senders_done: AtomicU64::new(0),
        last_ack_ns: AtomicU64::new(0),
    });
    let outcome = drive(&args, &shared, seeded.tokens, &server).await?;
    drop(server);
    Ok(report(&args, &shared, &outcome, spec.backend()))
}

/// Per-connection results, merged by the main task at the end.
struct ConnState {
    index: usize,
    room: usize,
    /// Global index of the room's first seat, and its number of seats.
    room_first: usize,
    room_len: usize,
    connected: bool,
    /// `seq` of the last message before `ready`; live messages follow it.
    base_seq: i64,
    last_seq: i64,
    next_k: usize,
    inflight: usize,
    sent_ns: Vec<u64>,
    resent: Vec<bool>,
    /// Per own message: the seq its ack carried (0 = not acked).
    ack_seq: Vec<i64>,
    failed: Vec<bool>,
    /// Per (sender seat in the room, n): the seq it arrived with here (0 = not yet).
    recv_seq: Vec<i64>,
    seq_seen: Vec<bool>,
    resend_queue: VecDeque<(TInstant, usize)>,
    done_reported: bool,
    resends: u64,
    duplicated: u64,
    out_of_order: u64,
    fanout_us: Vec<u32>,
    ack_us: Vec<u32>,
    lag_us: Vec<u32>,
    errors: BTreeMap<String, u64>,
}

impl ConnState {
    fn new(index: usize, sh: &Shared) -> Self {
        let room = index / sh.room_size;
        let room_first = room * sh.room_size;
        let room_len = sh.room_size.min(sh.connections - room_first);
        let m = sh.messages;
        ConnState {
            index,
            room,
            room_first,
            room_len,
            connected: false,
            base_seq: 0,
            last_seq: 0,
            next_k: 0,
            inflight: 0,
            sent_ns: vec![0; m],
            resent: vec![false; m],
            ack_seq: vec![0; m],
            failed: vec![false; m],
            recv_seq: vec![0; room_len * m],
            seq_seen: vec![false; room_len * m + 1],
            resend_queue: VecDeque::new(),
            done_reported: false,
            resends: 0,
            duplicated: 0,
            out_of_order: 0,
            fanout_us: Vec::with_capacity(room_len * m),
            ack_us: Vec::with_capacity(m),
            lag_us: Vec::new(),
            errors: BTreeMap::new(),
        }
    }

    fn error(&mut self, what: impl Into<String>) {
        *self.errors.entry(what.into()).or_insert(0) += 1;
    }

    fn sending_finished(&self) -> bool {
        self.next_k == self.messages() && self.inflight == 0 && self.resend_queue.is_empty()
    }

    fn messages(&self) -> usize {
        self.sent_ns.len()
    }

    /// Parses `<connection>-<n>-<nanos>`; only ids of this room are ours to check.
    fn parse_client_id(&self, cid: &str) -> Option<(usize, usize, u64)> {
        let mut parts = cid.splitn(3, '-');
        let conn = parts.next()?.parse().ok()?;
        let n = parts.next()?.parse().ok()?;
        let ns = parts.next()?.parse().ok()?;
        (n < self.messages()).then_some((conn, n, ns))
    }

    fn on_text(&mut self, text: &str, now_ns: u64, sh: &Shared, start: Option<Start>) {
        let frame: Frame<'_> = match serde_json::from_str(text) {
            Ok(f) => f,
            Err(_) => return self.error("unparsable_frame"),
        };
        let warmup_end = start.map_or(u64::MAX, |s| s.warmup_end_ns);
        match frame.kind {
            "message" => self.on_message(&frame, now_ns, sh, warmup_end),
            "ack" => self.on_ack(&frame, now_ns, sh, warmup_end),
            "error" => self.on_error(&frame),
            "presence" | "typing" | "read" | "pong" => {}
            other => self.error(format!("unexpected_frame:{other}")),
        }
    }

    fn on_message(&mut self, f: &Frame<'_>, now_ns: u64, sh: &Shared, warmup_end: u64) {
        if f.room_id != Some(sh.room_ids[self.room].as_str()) {
            return self.error("message_for_another_room");
        }
        let (Some(cid), Some(seq)) = (f.client_id, f.seq) else {
            return self.error("message_without_client_id_or_seq");
        };
        let Some((sender, n, sent_ns)) = self.parse_client_id(cid) else {
            return self.error("message_with_foreign_client_id");
        };
        if !(self.room_first..self.room_first + self.room_len).contains(&sender) {
            return self.error("message_from_outside_the_room");
        }
        let rel = seq - self.base_seq;
        if rel < 1 || rel as usize >= self.seq_seen.len() {
            return self.error("seq_out_of_range");
        }
        let slot = (sender - self.room_first) * self.messages() + n;
        if self.recv_seq[slot] != 0 || self.seq_seen[rel as usize] {
            self.duplicated += 1;
            return;
        }
        if seq != self.last_seq + 1 {
            self.out_of_order += 1;
        }
        self.last_seq = self.last_seq.max(seq);
        self.recv_seq[slot] = seq;
        self.seq_seen[rel as usize] = true;
        sh.deliveries.fetch_add(1, Ordering::Relaxed);
        if sender != self.index && sent_ns >= warmup_end {
            self.fanout_us.push(micros(now_ns.saturating_sub(sent_ns)));
        }
    }

    fn on_ack(&mut self, f: &Frame<'_>, now_ns: u64, sh: &Shared, warmup_end: u64) {
        let Some((sender, n, sent_ns)) = f.client_id.and_then(|c| self.parse_client_id(c)) else {
            return self.error("ack_with_foreign_client_id");
        };
        let Some(seq) = f.seq.filter(|s| *s > 0) else {
            return self.error("ack_without_seq");
        };
        if sender != self.index || n >= self.next_k {
            return self.error("ack_for_a_message_not_sent_here");
        }
        if self.ack_seq[n] != 0 {
            // A resend legitimately gets the original ack again.
            if !self.resent[n] {
                self.error("duplicate_ack");
            }
            return;
        }
        self.ack_seq[n] = seq;
        if self.failed[n] {
            self.error("ack_after_error");
            return;
        }
        if let Some(pos) = self.resend_queue.iter().position(|(_, k)| *k == n) {
            self.resend_queue.remove(pos);
        }
        self.inflight -= 1;
        if sent_ns >= warmup_end {
            self.ack_us.push(micros(now_ns.saturating_sub(sent_ns)));
        }
        sh.room_acked[self.room].fetch_add(1, Ordering::Relaxed);
        sh.acked.fetch_add(1, Ordering::Relaxed);
        sh.last_ack_ns.fetch_max(now_ns, Ordering::Relaxed);
    }

    fn on_error(&mut self, f: &Frame<'_>) {
        let code = f.code.unwrap_or("none");
        self.error(format!("error:{code}"));
        let Some((sender, n, _)) = f.client_id.and_then(|c| self.parse_client_id(c)) else {
            return;
        };
        if sender != self.index || n >= self.next_k || self.ack_seq[n] != 0 || self.failed[n] {
            return;
        }
        let retry = match code {
            "unavailable" => Some(UNAVAILABLE_RETRY),
            "rate_limited" => Some(Duration::from_millis(f.retry_after_ms.unwrap_or(100))),
            _ => None,
        };
        match retry {
            Some(d) if !self.resend_queue.iter().any(|(_, k)| *k == n) => {
                self.resend_queue.push_back((TInstant::now() + d, n));
            }
            Some(_) => {}
            None => {
                // The server refused it for good: it will never be acked.
                self.failed[n] = true;
                self.inflight -= 1;
            }
        }
    }

    fn next_resend_due(&self) -> Option<TInstant> {
        self.resend_queue.iter().map(|(t, _)| *t).min()
    }
}

/// The fields of a server frame the loadgen reads; everything else is skipped unparsed.
#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(default, borrow)]
    room_id: Option<&'a str>,
    #[serde(default)]
    seq: Option<i64>,
    #[serde(default, borrow)]
    client_id: Option<&'a str>,
    #[serde(default, borrow)]
    code: Option<&'a str>,
    #[serde(default)]
    retry_after_ms: Option<u64>,
}

fn micros(ns: u64) -> u32 {
    u32::try_from(ns / 1_000).unwrap_or(u32::MAX)
}

/// Connects, upgrades with the Bearer token and waits for `ready`; returns the room's last seq.
async fn open(sh: &Shared, token: &str, room_id: &str) -> Result<(Ws, i64), String> {
    let (ws, ready) = common::open(sh.addr, &sh.ws_url, token).await?;
    let room = ready
        .rooms
        .iter()
        .find(|r| r.room_id == room_id)
        .ok_or("ready_without_our_room")?;
    Ok((ws, room.last_seq))
}

/// When message `k` of connection `i` is due in rate mode.
fn due(sh: &Shared, start: Start, i: usize, k: usize) -> TInstant {
    start.at + Duration::from_secs_f64((i + k * sh.connections) as f64 / sh.rate)
}

async fn sleep_opt(t: Option<TInstant>) {
    match t {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

async fn send_one(
    ws: &mut Ws,
    st: &mut ConnState,
    sh: &Shared,
    k: usize,
) -> Result<(), tungstenite::Error> {
    let resend = k < st.next_k;
    if resend {
        st.resent[k] = true;
        st.resends += 1;
    } else {
        st.sent_ns[k] = sh.now_ns();
        st.next_k = k + 1;
        st.inflight += 1;
        sh.sent.fetch_add(1, Ordering::Relaxed);
    }
    let frame = format!(
        r#"{{"type":"send","room_id":"{}","client_id":"{}-{}-{}","body":"{}"}}"#,
        sh.room_ids[st.room], st.index, k, st.sent_ns[k], sh.body
    );
    ws.send(Message::text(frame)).await
}

/// One connection from connect to close. Reports its open result on `opened`, waits for the
/// start, sends, keeps receiving until `stop`.
async fn connection(
    index: usize,
    token: String,
    sh: Arc<Shared>,
    gate: Arc<Semaphore>,
    opened: mpsc::Sender<(usize, Result<(), String>)>,
    mut start_rx: watch::Receiver<Option<Start>>,
    mut stop_rx: watch::Receiver<bool>,
) -> ConnState {
    let mut st = ConnState::new(index, &sh);
    let attempt = match gate.acquire().await {
        Ok(_permit) => {
            tokio::time::timeout(CONNECT_TIMEOUT, open(&sh, &token, &sh.room_ids[st.room])).await
        }
        Err(_) => return st,
    };
    let (mut ws, base_seq) = match attempt {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            if opened.send((index, Err(e))).await.is_err() {
                st.error("main_task_gone");
            }
            return st;
        }
        Err(_) => {
            if opened.send((index, Err("timeout".into()))).await.is_err() {
                st.error("main_task_gone");
            }
            return st;
        }
    };
    st.connected = true;
    st.base_seq = base_seq;
    st.last_seq = base_seq;
    if opened.send((index, Ok(()))).await.is_err() {
        st.error("main_task_gone");
        return st;
    }
    drop(opened);

    let flat_out = sh.rate <= 0.0;
    let mut start: Option<Start> = None;
    let mut next_due: Option<TInstant> = None;
    loop {
        let timer = match (next_due, st.next_resend_due()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        tokio::select! {
            biased;
            frame = ws.next() => {
                let now_ns = sh.now_ns();
                match frame {
                    Some(Ok(Message::Text(t))) => st.on_text(t.as_str(), now_ns, &sh, start),
                    Some(Ok(Message::Close(f))) => {
                        st.error(close_reason(f.as_ref()));
                        break;
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => {
                        st.error(format!("read: {e}"));
                        break;
                    }
                    None => {
                        st.error("eof");
                        break;
                    }
                }
                if flat_out
                    && start.is_some()
                    && next_due.is_none()
                    && let Err(e) = fill_window(&mut ws, &mut st, &sh).await
                {
                    st.error(format!("write: {e}"));
                    break;
                }
            }
            () = sleep_opt(timer) => {
                let now = TInstant::now();
                let resend = st.resend_queue.iter().position(|(t, _)| *t <= now);
                let result = match (resend, next_due.filter(|d| *d <= now), start) {
                    (Some(pos), _, _) => match st.resend_queue.remove(pos) {
                        Some((_, k)) => send_one(&mut ws, &mut st, &sh, k).await,
                        None => Ok(()),
                    },
                    (None, Some(_), _) if flat_out => {
                        next_due = None;
                        fill_window(&mut ws, &mut st, &sh).await
                    }
                    (None, Some(d), Some(s)) => {
                        let k = st.next_k;
                        st.lag_us.push(micros(now.saturating_duration_since(d).as_nanos() as u64));
                        next_due = (k + 1 < st.messages()).then(|| due(&sh, s, index, k + 1));
                        send_one(&mut ws, &mut st, &sh, k).await
                    }
                    _ => Ok(()),
                };
                if let Err(e) = result {
                    st.error(format!("write: {e}"));
                    break;
                }
            }
            changed = start_rx.changed(), if start.is_none() => {
                if changed.is_err() {
                    break;
                }
                if let Some(s) = *start_rx.borrow_and_update() {
                    start = Some(s);
                    next_due = Some(if flat_out { s.at } else { due(&sh, s, index, 0) });
                }
            }
            _ = stop_rx.changed() => break,
        }
        if start.is_some() && !st.done_reported && st.sending_finished() {
            st.done_reported = true;
            sh.senders_done.fetch_add(1, Ordering::Relaxed);
        }
    }
    if !st.done_reported {
        st.done_reported = true;
        sh.senders_done.fetch_add(1, Ordering::Relaxed);
    }
    if *stop_rx.borrow() && ws.close(None).await.is_err() {
        st.error("close_failed");
    }
    st
}

async fn fill_window(
    ws: &mut Ws,
    st: &mut ConnState,
    sh: &Shared,
) -> Result<(), tungstenite::Error> {
    while st.next_k < st.messages() && st.inflight < sh.window {
        let k = st.next_k;
        send_one(ws, st, sh, k).await?;
    }
    Ok(())
}

/// Everything measured, for the report.
struct Outcome {
    states: Vec<ConnState>,
    connect_errors: BTreeMap<String, u64>,
    start_ns: u64,
    end_ns: u64,
    server_idle_rss_kb: Option<u64>,
    server_rss_kb: Option<u64>,
    server_sampled_max_kb: Option<u64>,
    server_hwm_kb: Option<u64>,
    server_cpu_s: Option<f64>,
    client_cpu_s: Option<f64>,
    drain_complete: bool,
}

async fn drive(
    args: &Args,
    sh: &Arc<Shared>,
    tokens: Vec<String>,
    server: &Server,
) -> Result<Outcome, BoxError> {
    let c = sh.connections;
    let pid = server.child.id();
    let server_idle_rss_kb = memory_kb(pid).0;
    let mut sampled_max = server_idle_rss_kb;
    let gate = Arc::new(Semaphore::new(args.connect_concurrency.max(1)));
    let (open_tx, mut open_rx) = mpsc::channel(c);
    let (start_tx, start_rx) = watch::channel(None);
    let (stop_tx, stop_rx) = watch::channel(false);
    let opening = Instant::now();
    let handles: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(i, token)| {
            tokio::spawn(connection(
                i,
                token,
                Arc::clone(sh),
                Arc::clone(&gate),
                open_tx.clone(),
                start_rx.clone(),
                stop_rx.clone(),
            ))
        })
        .collect();
    drop(open_tx);
    let mut connect_errors = BTreeMap::new();
    let mut made = 0u64;
    let mut ready_in_room = vec![0u64; sh.room_ids.len()];
    while let Some((i, result)) = open_rx.recv().await {
        match result {
            Ok(()) => {
                made += 1;
                ready_in_room[i / sh.room_size] += 1;
            }
            Err(e) => *connect_errors.entry(e).or_insert(0) += 1,
        }
    }
    eprintln!(
        "loadgen: {made} of {c} connections ready in {:.1} s{}",
        opening.elapsed().as_secs_f64(),
        if connect_errors.is_empty() {
            String::new()
        } else {
            format!("; failures: {connect_errors:?}")
        }
    );

    let server_cpu_before = cpu_ticks(&format!("/proc/{pid}/stat"));
    let client_cpu_before = cpu_ticks("/proc/self/stat");
    let start_at = Instant::now() + START_DELAY;
    let start_ns = (start_at - sh.t0).as_nanos() as u64;
    let start = Start {
        at: TInstant::from_std(start_at),
        warmup_end_ns: start_ns + (args.warmup_secs * 1e9) as u64,
    };
    start_tx.send(Some(start))?;

    let deadline = start_at + Duration::from_secs(args.timeout_secs);
    let mut last_progress = Instant::now();
    while sh.senders_done.load(Ordering::Relaxed) < made {
        if Instant::now() > deadline {
            eprintln!("loadgen: --timeout-secs reached with senders still waiting for acks");
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        sampled_max = sampled_max.max(memory_kb(pid).0);
        if last_progress.elapsed() >= Duration::from_secs(2) {
            last_progress = Instant::now();
            eprintln!(
                "loadgen: {:.0} s: sent {}, acked {}, deliveries {}",
                (Instant::now().saturating_duration_since(start_at)).as_secs_f64(),
                sh.sent.load(Ordering::Relaxed),
                sh.acked.load(Ordering::Relaxed),
                sh.deliveries.load(Ordering::Relaxed)
            );
        }
    }

    // Drain: every acked message is due at every ready connection of its room.
    let expected: u64 = sh
        .room_acked
        .iter()
        .zip(&ready_in_room)
        .map(|(a, n)| a.load(Ordering::Relaxed) * n)
        .sum();
    let mut seen = sh.deliveries.load(Ordering::Relaxed);
    let mut quiet_since = Instant::now();
    while seen < expected && quiet_since.elapsed() < DRAIN_QUIET {
        tokio::time::sleep(Duration::from_millis(10)).await;
        sampled_max = sampled_max.max(memory_kb(pid).0);
        let now_seen = sh.deliveries.load(Ordering::Relaxed);
        if now_seen != seen {
            seen = now_seen;
            quiet_since = Instant::now();
        }
    }
    let drain_complete = seen >= expected;
    let end_ns = sh.last_ack_ns.load(Ordering::Relaxed).max(start_ns);
    let (server_rss_kb, server_hwm_kb) = memory_kb(pid);
    let server_cpu_s = cpu_diff(server_cpu_before, cpu_ticks(&format!("/proc/{pid}/stat")));
    let client_cpu_s = cpu_diff(client_cpu_before, cpu_ticks("/proc/self/stat"));

    stop_tx.send(true)?;
    let mut states = Vec::with_capacity(c);
    for h in handles {
        states.push(h.await?);
    }
    Ok(Outcome {
        states,
        connect_errors,
        start_ns,
        end_ns,
        server_idle_rss_kb,
        server_rss_kb,
        server_sampled_max_kb: sampled_max.max(server_rss_kb),
        server_hwm_kb,
        server_cpu_s,
        client_cpu_s,
        drain_complete,
    })
}

/// `VmRSS` and `VmHWM` of a process, in kB.
fn memory_kb(pid: u32) -> (Option<u64>, Option<u64>) {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return (None, None);
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kb| kb.parse().ok())
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// User plus system CPU ticks from a `/proc/<pid>/stat` file.
fn cpu_ticks(path: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(path).ok()?;
    // Fields after the parenthesised command name start at field 3 (state); utime is 14.
    let mut rest = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let utime: u64 = rest.next()?.parse().ok()?;
    let stime: u64 = rest.next()?.parse().ok()?;
    Some(utime + stime)
}

fn cpu_diff(before: Option<u64>, after: Option<u64>) -> Option<f64> {
    Some(round2((after? - before?) as f64 / TICKS_PER_SEC))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Nearest-rank percentile of sorted microseconds, in milliseconds.
fn percentile_ms(sorted: &[u32], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(round2(f64::from(sorted[rank - 1]) / 1000.0))
}

/// Merges the per-connection results per room and renders the JSON line.
fn report(args: &Args, sh: &Shared, o: &Outcome, backend: &str) -> String {
    let m = sh.messages;
    let (mut sent, mut acked, mut resends) = (0u64, 0u64, 0u64);
    let (mut deliveries, mut echoes, mut expected, mut lost) = (0u64, 0u64, 0u64, 0u64);
    let (mut duplicated, mut out_of_order, mut seq_mismatch) = (0u64, 0u64, 0u64);
    let mut delivered_unacked = 0u64;
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    let (mut fanout, mut ack, mut lag) = (Vec::new(), Vec::new(), Vec::new());
    for room in o.states.chunks(sh.room_size) {
        let ready: Vec<&ConnState> = room.iter().filter(|s| s.connected).collect();
        for sender in &ready {
            let seat = sender.index - sender.room_first;
            for k in 0..m {
                let slot = seat * m + k;
                let acked_seq = sender.ack_seq[k];
                for r in &ready {
                    let got = r.recv_seq[slot];
                    if got != 0 {
                        deliveries += 1;
                        if r.index == sender.index {
                            echoes += 1;
                        }
                    }
                    if acked_seq == 0 || sender.failed[k] {
                        if got != 0 {
                            delivered_unacked += 1;
                        }
                        continue;
                    }
                    expected += 1;
                    if got == 0 {
                        lost += 1;
                    } else if got != acked_seq {
                        seq_mismatch += 1;
                    }
                }
            }
        }
    }
    for st in &o.states {
        sent += st.next_k as u64;
        acked += st
            .ack_seq
            .iter()
            .zip(&st.failed)
            .filter(|(a, f)| **a != 0 && !**f)
            .count() as u64;
        resends += st.resends;
        duplicated += st.duplicated;
        out_of_order += st.out_of_order;
        for (k, n) in &st.errors {
            *errors.entry(k.clone()).or_insert(0) += n;
        }
        fanout.extend_from_slice(&st.fanout_us);
        ack.extend_from_slice(&st.ack_us);
        lag.extend_from_slice(&st.lag_us);
    }
    if !o.drain_complete {
        *errors.entry("drain_incomplete".into()).or_insert(0) += 1;
    }
    fanout.sort_unstable();
    ack.sort_unstable();
    lag.sort_unstable();
    let made = o.states.iter().filter(|s| s.connected).count();
    let duration_s = (o.end_ns.saturating_sub(o.start_ns)) as f64 / 1e9;
    let throughput = if duration_s > 0.0 {
        acked as f64 / duration_s
    } else {
        0.0
    };
    let mb = |kb: Option<u64>| kb.map(|k| round2(k as f64 / 1024.0));
    let report = Report {
        connections: made,
        connections_requested: sh.connections,
        connections_failed: sh.connections - made,
        connect_errors: &o.connect_errors,
        room_size: sh.room_size,
        messages_per_connection: m,
        rate: args.rate,
        window: args.window,
        body_bytes: args.body_bytes,
        messages_sent: sent,
        resends,
        acked,
        unacked: sent - acked,
        deliveries,
        echoes,
        expected_deliveries: expected,
        delivered_unacked,
        lost,
        duplicated,
        out_of_order,
        seq_mismatch,
        errors: errors.values().sum(),
        error_detail: &errors,
        duration_s: round2(duration_s),
        throughput_msgs_per_s: round2(throughput),
        fanout_ms: Latency::of(&fanout),
        ack_ms: Latency::of(&ack),
        send_lag_ms: Latency::of(&lag),
        server_rss_mb: mb(o.server_rss_kb),
        server_peak_rss_mb: mb(o.server_hwm_kb),
        server_idle_rss_mb: mb(o.server_idle_rss_kb),
        server_load_peak_rss_mb: mb(o.server_sampled_max_kb),
        server_cpu_s: o.server_cpu_s,
        client_cpu_s: o.client_cpu_s,
        backend,
    };
    serde_json::to_string(&report).unwrap_or_else(|e| format!(r#"{{"error":"{e}"}}"#))
}

/// The JSON line, fields in the order a reader wants them.
#[derive(Serialize)]
struct Report<'a> {
    connections: usize,
    connections_requested: usize,
    connections_failed: usize,
    connect_errors: &'a BTreeMap<String, u64>,
    room_size: usize,
    messages_per_connection: usize,
    rate: f64,
    window: usize,
    body_bytes: usize,
    messages_sent: u64,
    resends: u64,
    acked: u64,
    unacked: u64,
    deliveries: u64,
    echoes: u64,
    expected_deliveries: u64,
    delivered_unacked: u64,
    lost: u64,
    duplicated: u64,
    out_of_order: u64,
    seq_mismatch: u64,
    errors: u64,
    error_detail: &'a BTreeMap<String, u64>,
    duration_s: f64,
    throughput_msgs_per_s: f64,
    fanout_ms: Latency,
    ack_ms: Latency,
    send_lag_ms: Latency,
    server_rss_mb: Option<f64>,
    server_peak_rss_mb: Option<f64>,
    server_idle_rss_mb: Option<f64>,
    server_load_peak_rss_mb: Option<f64>,
    server_cpu_s: Option<f64>,
    client_cpu_s: Option<f64>,
    backend: &'a str,
}

#[derive(Serialize)]
struct Latency {
    samples: usize,
    p50: Option<f64>,
    p99: Option<f64>,
    p999: Option<f64>,
    max: Option<f64>,
}

impl Latency {
    fn of(sorted: &[u32]) -> Latency {
        Latency {
            samples: sorted.len(),
            p50: percentile_ms(sorted, 0.50),
            p99: percentile_ms(sorted, 0.99),
            p999: percentile_ms(sorted, 0.999),
            max: percentile_ms(sorted, 1.0),
        }
    }
}
