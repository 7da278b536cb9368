//! The raw websocket abuse set (TESTPLAN T16, T17; issue 12): hand-built frames on a plain
//! TCP socket, as an attacker's tool would send them, each case named by the close code it
//! must get. `realtime::malformed_frames_on_the_wire` already covers invalid UTF-8, an
//! unmasked frame, opcode 0x3, a continuation without a start and a 2^63 length; these are
//! the rest, and the ones that used to buffer without limit.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::ws::{Open, Ws};
use crate::support::{Backend, PUBLIC_URL, TestApp, fresh_database};

const MAX_FRAME: usize = 64 * 1024;

/// Upgrades by hand. Ok: the socket after `101`; Err: the refusal's status and body.
async fn upgrade(
    port: u16,
    token: Option<&str>,
    extra: &[&str],
) -> Result<TcpStream, (u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    s.set_nodelay(true).unwrap();
    let mut req = String::from(
        "GET /api/v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n",
    );
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    for h in extra {
        req.push_str(h);
        req.push_str("\r\n");
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        tokio::time::timeout(Duration::from_secs(10), s.read_exact(&mut byte))
            .await
            .expect("an answer to the upgrade")
            .unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_string();
    let status: u16 = head[9..12].parse().unwrap();
    if status == 101 {
        return Ok(s);
    }
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).await.unwrap();
    Err((status, String::from_utf8_lossy(&body).to_string()))
}

/// A client frame with FIN/RSV/opcode byte `first`, masked (zero key) unless `masked` is false.
fn frame(first: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let mut f = header(first, payload.len() as u64, masked);
    f.extend_from_slice(payload);
    f
}

/// Only the header of a client frame declaring `len` payload bytes.
fn header(first: u8, len: u64, masked: bool) -> Vec<u8> {
    let mut f = vec![first];
    let m = if masked { 0x80 } else { 0 };
    match len {
        n if n < 126 => f.push(m | n as u8),
        n if n < 65536 => {
            f.push(m | 126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            f.push(m | 127);
            f.extend_from_slice(&n.to_be_bytes());
        }
    }
    if masked {
        f.extend_from_slice(&[0, 0, 0, 0]);
    }
    f
}

/// How a socket ended.
#[derive(Debug, PartialEq, Eq)]
enum End {
    /// A close frame: its code (1005 when it had none) and reason.
    Close(u16, String),
    /// The TCP connection ended without a close frame.
    Eof,
    /// Nothing within the wait.
    Silent,
}

/// Reads server frames (skipping data and pings) until a close, EOF or `wait` passes.
async fn ending(s: &mut TcpStream, wait: Duration) -> End {
    let deadline = tokio::time::Instant::now() + wait;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        while buf.len() >= 2 {
            let op = buf[0] & 0x0f;
            let (len, off) = match buf[1] & 0x7f {
                126 if buf.len() >= 4 => (u16::from_be_bytes([buf[2], buf[3]]) as usize, 4),
                127 if buf.len() >= 10 => (
                    u64::from_be_bytes(buf[2..10].try_into().unwrap()) as usize,
                    10,
                ),
                126 | 127 => break,
                n => (n as usize, 2),
            };
            if buf.len() < off + len {
                break;
            }
            if op == 0x8 {
                let p = &buf[off..off + len];
                return if p.len() >= 2 {
                    End::Close(
                        u16::from_be_bytes([p[0], p[1]]),
                        String::from_utf8_lossy(&p[2..]).to_string(),
                    )
                } else {
                    End::Close(1005, String::new())
                };
            }
            buf.drain(..off + len);
        }
        match tokio::time::timeout_at(deadline, s.read(&mut chunk)).await {
            Err(_) => return End::Silent,
            Ok(Ok(0) | Err(_)) => return End::Eof,
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn code(e: &End) -> Option<u16> {
    match e {
        End::Close(c, _) => Some(*c),
        _ => None,
    }
}

/// Sends the first-frame `auth` and waits until `ready` has arrived.
async fn authenticate(s: &mut TcpStream, token: &str) {
    let auth = json!({"type": "auth", "token": token}).to_string();
    s.write_all(&frame(0x81, auth.as_bytes(), true))
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut chunk = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains(r#""type":"ready""#) {
        let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut chunk))
            .await
            .expect("ready arrives")
            .unwrap();
        assert!(n > 0, "closed instead of ready");
        seen.extend_from_slice(&chunk[..n]);
    }
}

fn close(code: u16, reason: &[u8]) -> Vec<u8> {
    let mut p = code.to_be_bytes().to_vec();
    p.extend_from_slice(reason);
    frame(0x88, &p, true)
}

async fn spawn_sqlite(tweak: impl FnOnce(&mut kindred::config::Settings)) -> TestApp {
    TestApp::spawn_with(Backend::Sqlite, tweak).await
}

/// Protocol errors close with 1002, before and after authentication; RSV bits used to get
/// 1007 (issue 12, finding 8).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_errors_close_with_1002() {
    let app = spawn_sqlite(|_| {}).await;
    let ann = app.signup("Ann").await;
    let text_start = frame(0x01, br#"{"type":"#, true);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("RSV1 set", frame(0xc1, br#"{"type":"ping"}"#, true)),
        ("RSV2 set", frame(0xa1, br#"{"type":"ping"}"#, true)),
        ("RSV3 set", frame(0x91, br#"{"type":"ping"}"#, true)),
        ("RSV1 on a ping", frame(0xc9, b"", true)),
        ("a fragmented ping", frame(0x09, b"hi", true)),
        (
            "a fragmented close",
            frame(0x08, &1000u16.to_be_bytes(), true),
        ),
        ("a ping of 126 bytes", frame(0x89, &[b'p'; 126], true)),
        ("reserved control opcode 0xB", frame(0x8b, b"", true)),
        ("close with code 1005", close(1005, b"")),
        ("close with code 999", close(999, b"")),
        ("close with code 1004", close(1004, b"")),
        ("close with a 1-byte payload", frame(0x88, &[3], true)),
        ("close with invalid UTF-8", close(1000, &[0xff, 0xfe])),
        ("a new text frame inside a fragmented one", {
            let mut f = text_start.clone();
            f.extend(frame(0x81, b"x", true));
            f
        }),
    ];
    for authenticated in [true, false] {
        for (what, bytes) in &cases {
            let token = authenticated.then_some(ann.access.as_str());
            let mut s = upgrade(app.port, token, &[]).await.unwrap();
            s.write_all(bytes).await.unwrap();
            let end = ending(&mut s, Duration::from_secs(5)).await;
            assert_eq!(
                code(&end),
                Some(1002),
                "{what} (authenticated: {authenticated}): {end:?}"
            );
        }
    }
    assert_eq!(app.get("/readyz").await.status(), 200);
}

/// A header declaring more than the limit closes with 1009 at once, without waiting for the
/// payload (it used to wait, buffering whatever came, for ever once authenticated).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_header_declaring_an_oversized_frame_closes_with_1009_at_once() {
    let app = spawn_sqlite(|_| {}).await;
    let ann = app.signup("Ann").await;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("a text frame of 2^62 bytes", header(0x81, 1 << 62, true)),
        ("a binary frame of 2^40 bytes", header(0x82, 1 << 40, true)),
        (
            "a text frame of 64 KiB + 1",
            header(0x81, MAX_FRAME as u64 + 1, true),
        ),
        (
            "a first fragment of 2^62 bytes",
            header(0x01, 1 << 62, true),
        ),
        ("fragments adding up to more", {
            let mut f = frame(0x01, &[b' '; 60 * 1024], true);
            f.extend(header(0x80, 8 * 1024, true));
            f
        }),
    ];
    for authenticated in [false, true] {
        for (what, bytes) in &cases {
            let mut s = if authenticated {
                upgrade(app.port, Some(&ann.access), &[]).await.unwrap()
            } else {
                upgrade(app.port, None, &[]).await.unwrap()
            };
            let started = Instant::now();
            s.write_all(bytes).await.unwrap();
            let end = ending(&mut s, Duration::from_secs(3)).await;
            assert_eq!(
                code(&end),
                Some(1009),
                "{what} (authenticated: {authenticated}): {end:?}"
            );
            assert!(
                started.elapsed() < Duration::from_secs(1),
                "{what}: closed only after {:?}",
                started.elapsed()
            );
        }
    }
    // A frame at the limit is still fine (an error frame: it is not JSON).
    let (mut ws, _) = Ws::connect(&app, &ann).await;
    ws.send_text(" ".repeat(MAX_FRAME)).await;
    assert_eq!(ws.next_of("error").await["code"], "malformed_frame");
    // So is a message of many small fragments within the limit.
    let mut s = upgrade(app.port, Some(&ann.access), &[]).await.unwrap();
    let body = br#"{"type":"ping"}"#;
    let mut bytes = frame(0x01, &body[..1], true);
    for b in &body[1..body.len() - 1] {
        bytes.extend(frame(0x00, std::slice::from_ref(b), true));
        bytes.extend(frame(0x89, b"keepalive", true));
    }
    bytes.extend(frame(0x80, &body[body.len() - 1..], true));
    s.write_all(&bytes).await.unwrap();
    let mut seen = Vec::new();
    let mut chunk = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains(r#""type":"pong""#) {
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut chunk))
            .await
            .expect("pong arrives")
            .unwrap();
        assert!(n > 0, "closed instead of pong");
        seen.extend_from_slice(&chunk[..n]);
    }
}

/// A message split into too many tiny fragments is refused (each fragment costs the server
/// more than its bytes), whatever their total.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_in_too_many_fragments_closes_with_1009() {
    let app = spawn_sqlite(|_| {}).await;
    let ann = app.signup("Ann").await;
    let mut s = upgrade(app.port, Some(&ann.access), &[]).await.unwrap();
    let mut bytes = frame(0x01, b"", true);
    for _ in 0..20_000 {
        bytes.extend(frame(0x00, b"", true));
    }
    let _ = s.write_all(&bytes).await;
    let end = ending(&mut s, Duration::from_secs(5)).await;
    assert_eq!(code(&end), Some(1009), "{end:?}");
}

/// A header cut short, then silence: the auth timeout (before authentication) or the idle
/// timeout (after) closes the socket, and the server carries on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_header_then_silence_is_closed_by_the_timeouts() {
    let app = spawn_sqlite(|s| {
        s.ws_auth_timeout = Duration::from_millis(500);
        s.ws_ping_interval = Duration::from_millis(100);
        s.ws_idle_timeout = Duration::from_millis(500);
    })
    .await;
    let ann = app.signup("Ann").await;
    for cut in [
        &[0x81u8][..],
        &[0x81, 0xfe],
        &[0x81, 0xff, 0, 0, 0],
        &[0x81, 0x85, 1, 2],
    ] {
        let mut s = upgrade(app.port, None, &[]).await.unwrap();
        s.write_all(cut).await.unwrap();
        let end = ending(&mut s, Duration::from_secs(5)).await;
        assert_eq!(end, End::Close(1008, "auth_timeout".into()), "{cut:?}");

        let mut s = upgrade(app.port, Some(&ann.access), &[]).await.unwrap();
        s.write_all(cut).await.unwrap();
        let end = ending(&mut s, Duration::from_secs(5)).await;
        assert_eq!(end, End::Close(1000, "idle_timeout".into()), "{cut:?}");
    }
    assert_eq!(app.get("/readyz").await.status(), 200);
}

/// More than one `Origin` header is refused, whichever comes first (it used to be judged by
/// the first; issue 12, finding 8).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_origin_headers_are_refused() {
    let app = spawn_sqlite(|_| {}).await;
    let ann = app.signup("Ann").await;
    let good = format!("Origin: {PUBLIC_URL}");
    for pair in [
        [good.as_str(), "Origin: https://evil.example"],
        ["Origin: https://evil.example", good.as_str()],
        [good.as_str(), good.as_str()],
    ] {
        let (status, body) = upgrade(app.port, Some(&ann.access), &pair)
            .await
            .err()
            .unwrap_or_else(|| panic!("{pair:?} was upgraded"));
        assert_eq!(status, 403, "{pair:?}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["code"], "origin_not_allowed");
    }
    // One allowed origin still works.
    let mut s = upgrade(app.port, Some(&ann.access), &[&good])
        .await
        .unwrap();
    s.write_all(&frame(0x81, br#"{"type":"ping"}"#, true))
        .await
        .unwrap();
}

/// Sockets that have not authenticated are capped per address (default 16): the next one is
/// refused with 429 before the upgrade, and there is room again once one authenticates or
/// goes away.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthenticated_sockets_are_capped_per_address() {
    let app = spawn_sqlite(|_| {}).await;
    let ann = app.signup("Ann").await;
    let mut waiting = Vec::new();
    for _ in 0..16 {
        waiting.push(upgrade(app.port, None, &[]).await.expect("under the cap"));
    }
    let (status, body) = upgrade(app.port, None, &[]).await.expect_err("refused");
    assert_eq!(status, 429, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["code"],
        "too_many_unauthenticated"
    );
    // A socket with a token in the header is authenticated at once and not counted.
    let (mut with_token, _) = Ws::connect(&app, &ann).await;
    with_token.send(&json!({"type": "ping"})).await;
    with_token.next_of("pong").await;
    // One authenticates: room for one more.
    authenticate(&mut waiting[0], &ann.access).await;
    let mut extra = upgrade(app.port, None, &[]).await.expect("room after auth");
    assert!(upgrade(app.port, None, &[]).await.is_err(), "full again");
    // One goes away: room again.
    drop(waiting.pop());
    let mut again = None;
    for _ in 0..50 {
        if let Ok(s) = upgrade(app.port, None, &[]).await {
            again = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut again = again.expect("room after a socket ended");
    // The counted ones still work: a browser's first-frame auth on the last one admitted.
    authenticate(&mut again, &ann.access).await;
    authenticate(&mut extra, &ann.access).await;
}

/// The total cap on sockets that have not authenticated: 503 once it is reached, whichever
/// address they come from.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthenticated_sockets_are_capped_in_total() {
    let app = spawn_sqlite(|s| {
        s.ws_preauth.per_address = 100;
        s.ws_preauth.total = 3;
    })
    .await;
    let ann = app.signup("Ann").await;
    let mut waiting = Vec::new();
    for _ in 0..3 {
        waiting.push(
            Ws::open(&app, Open::default())
                .await
                .expect("under the cap"),
        );
    }
    let (status, body) = Ws::open(&app, Open::default())
        .await
        .err()
        .expect("refused");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("server_busy"), "{body}");
    waiting[0]
        .send(&json!({"type": "auth", "token": ann.access}))
        .await;
    waiting[0].next_of("ready").await;
    Ws::open(&app, Open::default())
        .await
        .expect("room after auth");
}

/// Reads the server's resident set, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// Streams `mib` MiB of payload after a header declaring 2^62 bytes, stopping when the server
/// closes or stops reading for 2 s; gives the socket back open, with the MiB it took.
async fn stream_after_huge_header(mut s: TcpStream, mib: usize) -> (usize, TcpStream) {
    let mut sent = 0;
    if s.write_all(&header(0x81, 1 << 62, true)).await.is_err() {
        return (0, s);
    }
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..mib {
        match tokio::time::timeout(Duration::from_secs(2), s.write_all(&chunk)).await {
            Ok(Ok(())) => sent += 1,
            _ => break,
        }
    }
    (sent, s)
}

/// Several sockets stream a frame declaring 2^62 bytes, before and after authenticating:
/// the server's RSS stays within 64 MiB of where it started (it used to rise with every byte
/// sent). Runs the real binary, so the figure is the process's own. Prints the curve.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_oversized_stream_keeps_the_servers_memory_flat() {
    const BIN: &str = env!("CARGO_BIN_EXE_kindred");
    const SECRET: &str = "0123456789abcdef0123456789abcdef-rss";
    const PASSWORD: &str = "the streaming admin's long passphrase";
    let (url, _guard) = fresh_database(Backend::Sqlite).await;
    let kindred = || {
        let mut c = Command::new(BIN);
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &url)
            .env("KINDRED_JWT_SECRET", SECRET)
            .env("KINDRED_PUBLIC_URL", PUBLIC_URL)
            .env("RUST_LOG", "warn,kindred=info");
        c
    };
    assert!(kindred().arg("migrate").output().unwrap().status.success());
    let out = kindred()
        .args([
            "admin",
            "create",
            "--email",
            "ada@example.org",
            "--display-name",
            "Ada",
        ])
        .env("KINDRED_ADMIN_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut child = kindred()
        .env("KINDRED_BIND", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let port = loop {
        let line = lines.next().expect("server log ends early").unwrap();
        let v: Value = serde_json::from_str(&line).unwrap();
        if v["message"] == "kindred listening" {
            break v["port"].as_u64().unwrap() as u16;
        }
    };
    let drain = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());
    let login: Value = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/v1/auth/login"))
        .json(&json!({"email": "ada@example.org", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap().to_string();

    let base = rss_kib(pid);
    let sampler = tokio::spawn(async move {
        let started = Instant::now();
        let mut curve = Vec::new();
        while started.elapsed() < Duration::from_secs(6) {
            curve.push((started.elapsed().as_millis(), rss_kib(pid)));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        curve
    });
    let mut senders = Vec::new();
    for i in 0..4 {
        let s = if i % 2 == 0 {
            upgrade(port, None, &[]).await.unwrap()
        } else {
            let mut s = upgrade(port, None, &[]).await.unwrap();
            authenticate(&mut s, &token).await;
            s
        };
        senders.push(tokio::spawn(stream_after_huge_header(s, 50)));
    }
    let mut sent = 0;
    let mut open = Vec::new();
    for s in senders {
        let (mib, socket) = s.await.unwrap();
        sent += mib;
        open.push(socket);
    }
    // The sockets stay open while the sampler runs.
    let curve = sampler.await.unwrap();
    drop(open);
    let peak = curve.iter().map(|(_, r)| *r).max().unwrap();
    eprintln!(
        "oversized stream: {sent} MiB accepted by the server's socket; RSS base {} MiB, peak {} MiB; curve (ms, MiB): {:?}",
        base / 1024,
        peak / 1024,
        curve
            .iter()
            .map(|(t, r)| (*t, r / 1024))
            .collect::<Vec<_>>()
    );
    // The server is still up and answering.
    let ready = reqwest::get(format!("http://127.0.0.1:{port}/readyz"))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let _ = child.wait();
    let log = drain.join().unwrap();
    assert!(
        !log.iter().any(|l| l.contains("panicked")),
        "a panic in the log"
    );
    assert!(
        peak.saturating_sub(base) < 64 * 1024,
        "RSS grew by {} MiB",
        (peak - base) / 1024
    );
}
