//! The crash loop's clients: writers that send one message at a time and wait for its ack,
//! resending an unacked one with the same `client_id` after every reconnect, and readers that
//! resume from the last seq they saw. Both reconnect until told to stop; each returns its log
//! for the checker.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

use crate::common::{self, BoxError, Ws, close_reason};

/// Pause between connection attempts while the server is down or starting.
const RECONNECT_PAUSE: Duration = Duration::from_millis(30);
/// One connection attempt (TCP, upgrade, `ready`) at most.
const OPEN_TIMEOUT: Duration = Duration::from_secs(5);
/// Resend delay after `unavailable` (the server names none).
const UNAVAILABLE_RETRY: Duration = Duration::from_millis(100);

/// Where the server is, and one HTTP client for history.
pub struct Net {
    pub addr: SocketAddr,
    pub ws_url: String,
    pub public_url: String,
    pub http: reqwest::Client,
}

/// The fields of a server frame the clients read.
#[derive(Deserialize)]
struct Frame {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    room_id: Option<String>,
    #[serde(default)]
    seq: Option<i64>,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    held: Option<bool>,
    #[serde(default)]
    retry_after_ms: Option<u64>,
    #[serde(default)]
    last_seq: Option<i64>,
    #[serde(default)]
    created_at: Option<String>,
}

/// A stored message as the HTTP history (or a `message` frame) shows it.
#[derive(Clone, Debug, Deserialize)]
pub struct Stored {
    pub room_id: String,
    pub id: String,
    pub seq: i64,
    pub client_id: String,
    pub sender: Sender,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Sender {
    pub id: String,
}

#[derive(Deserialize)]
struct Page {
    messages: Vec<Stored>,
    has_more: bool,
}

/// `GET /api/v1/rooms/{id}/messages` from `after` up to `upto` (or the end), page by page.
pub async fn history(
    net: &Net,
    token: &str,
    room_id: &str,
    after: i64,
    upto: Option<i64>,
) -> Result<Vec<Stored>, BoxError> {
    let mut out: Vec<Stored> = Vec::new();
    let mut from = after;
    loop {
        let url = format!(
            "{}/api/v1/rooms/{room_id}/messages?after={from}&limit=100",
            net.public_url
        );
        let resp = net.http.get(&url).bearer_auth(token).send().await?;
        if !resp.status().is_success() {
            return Err(format!("history: HTTP {}", resp.status()).into());
        }
        let page: Page = resp.json().await?;
        let Some(last) = page.messages.last().map(|m| m.seq) else {
            return Ok(out);
        };
        out.extend(page.messages);
        if !page.has_more || upto.is_some_and(|u| last >= u) {
            out.retain(|m| upto.is_none_or(|u| m.seq <= u));
            return Ok(out);
        }
        from = last;
    }
}

/// One writer's message, in send order.
pub struct Sent {
    pub client_id: String,
    /// The seq its ack carried; None if no ack ever arrived.
    pub ack_seq: Option<i64>,
    /// Sent again after a reconnect because no ack had arrived.
    pub resent: u32,
    /// Sent again after `unavailable` or `rate_limited`.
    pub retried: u32,
    /// Refused for good (an `error` frame other than the retryable ones).
    pub refused: Option<String>,
    /// When its connection last dropped with it unacked.
    pub dropped_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The ack of a resend carried a `created_at` before that drop: it had been committed
    /// before the kill and the resend got the original ack back.
    pub replayed: bool,
}

pub struct WriterLog {
    pub room: usize,
    pub sent: Vec<Sent>,
    pub connects: u32,
    pub connect_failures: BTreeMap<String, u64>,
    /// Frames the protocol does not allow here (an ack for another message, a held ack, …).
    pub surprises: Vec<String>,
    /// Longest wait for an ack on a connection that stayed up, in ms.
    pub max_ack_ms: u128,
}

/// What a writer needs to know.
pub struct WriterSpec {
    pub index: usize,
    pub room: usize,
    pub room_id: String,
    pub token: String,
    pub tag: String,
}

/// Reconnects and sends until `stop`; after `stop` it sends nothing new and no resend, and
/// returns once its connection is gone (the driver sets `stop` while the server is down).
pub async fn writer(
    me: WriterSpec,
    net: Arc<Net>,
    stop: Arc<AtomicBool>,
    acked: Arc<AtomicU64>,
) -> WriterLog {
    let mut log = WriterLog {
        room: me.room,
        sent: Vec::new(),
        connects: 0,
        connect_failures: BTreeMap::new(),
        surprises: Vec::new(),
        max_ack_ms: 0,
    };
    while !stop.load(Ordering::SeqCst) {
        match tokio::time::timeout(OPEN_TIMEOUT, common::open(net.addr, &net.ws_url, &me.token))
            .await
        {
            Ok(Ok((mut ws, _))) => {
                log.connects += 1;
                write_session(&mut ws, &me, &mut log, &stop, &acked).await;
                if let Some(m) = log.sent.last_mut()
                    && m.ack_seq.is_none()
                {
                    m.dropped_at = Some(chrono::Utc::now());
                }
            }
            Ok(Err(why)) => {
                *log.connect_failures.entry(why).or_insert(0) += 1;
                tokio::time::sleep(RECONNECT_PAUSE).await;
            }
            Err(_) => *log.connect_failures.entry("timeout".into()).or_insert(0) += 1,
        }
    }
    log
}

async fn write_session(
    ws: &mut Ws,
    me: &WriterSpec,
    log: &mut WriterLog,
    stop: &AtomicBool,
    acked: &AtomicU64,
) {
    let mut resend = true;
    loop {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let pending = log
            .sent
            .last()
            .is_some_and(|m| m.ack_seq.is_none() && m.refused.is_none());
        if pending {
            let m = log.sent.len() - 1;
            if resend {
                log.sent[m].resent += 1;
            }
        } else {
            let k = log.sent.len();
            log.sent.push(Sent {
                client_id: format!("{}-w{}-{k}", me.tag, me.index),
                ack_seq: None,
                resent: 0,
                retried: 0,
                refused: None,
                dropped_at: None,
                replayed: false,
            });
        }
        let k = log.sent.len() - 1;
        let frame = serde_json::json!({
            "type": "send",
            "room_id": me.room_id,
            "client_id": log.sent[k].client_id,
            "body": format!("crash loop note {k} from writer {}", me.index),
        });
        if ws.send(Message::text(frame.to_string())).await.is_err() {
            return;
        }
        let sent_at = Instant::now();
        // Wait for this message's ack (or a refusal); anything else is fan-out and skipped.
        loop {
            let text = match ws.next().await {
                Some(Ok(Message::Text(t))) => t,
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => continue,
            };
            let Ok(f) = serde_json::from_str::<Frame>(text.as_str()) else {
                log.surprises.push("unparsable frame".into());
                continue;
            };
            let ours = f.client_id.as_deref() == Some(log.sent[k].client_id.as_str());
            match f.kind.as_str() {
                "ack" if ours => {
                    if f.held == Some(true) || f.seq.is_none() {
                        log.surprises.push(format!(
                            "{}: held or seq-less ack",
                            f.client_id.unwrap_or_default()
                        ));
                    }
                    log.sent[k].ack_seq = f.seq.or(Some(0));
                    let created = f
                        .created_at
                        .as_deref()
                        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
                    log.sent[k].replayed = matches!(
                        (created, log.sent[k].dropped_at),
                        (Some(c), Some(d)) if c < d
                    );
                    log.max_ack_ms = log.max_ack_ms.max(sent_at.elapsed().as_millis());
                    acked.fetch_add(1, Ordering::Relaxed);
                    resend = true;
                    break;
                }
                "ack" => log.surprises.push(format!(
                    "ack for {:?} while waiting for {}",
                    f.client_id, log.sent[k].client_id
                )),
                "error" if ours => {
                    let code = f.code.unwrap_or_default();
                    let pause = match code.as_str() {
                        "unavailable" => Some(UNAVAILABLE_RETRY),
                        "rate_limited" => {
                            Some(Duration::from_millis(f.retry_after_ms.unwrap_or(100)))
                        }
                        _ => None,
                    };
                    match pause {
                        Some(p) => {
                            log.sent[k].retried += 1;
                            tokio::time::sleep(p).await;
                            resend = false;
                        }
                        None => log.sent[k].refused = Some(code),
                    }
                    break;
                }
                "error" => log.surprises.push(format!("error frame {:?}", f.code)),
                _ => {}
            }
        }
    }
}

/// What one reader saw.
pub struct ReaderLog {
    pub room: usize,
    /// Every message received, live, replayed or filled over HTTP after `resync_required`.
    pub received: Vec<Stored>,
    /// `message` frames naming another room.
    pub foreign: u64,
    /// A seq at or below one already seen (a duplicate before dedupe).
    pub duplicates: u64,
    /// A seq more than one past the last seen.
    pub gaps: u64,
    /// `ready` said the room's last seq was below one already seen: a message vanished.
    pub went_back: u64,
    pub resyncs: u64,
    pub connects: u32,
    pub surprises: Vec<String>,
}

pub struct ReaderSpec {
    pub room: usize,
    pub room_id: String,
    pub token: String,
}

/// Connects with `?resume=1`, resumes from `last_seen`, reads until `stop` changes.
pub async fn reader(
    me: ReaderSpec,
    net: Arc<Net>,
    mut stop: watch::Receiver<bool>,
    last_seen: Arc<AtomicI64>,
) -> ReaderLog {
    let mut log = ReaderLog {
        room: me.room,
        received: Vec::new(),
        foreign: 0,
        duplicates: 0,
        gaps: 0,
        went_back: 0,
        resyncs: 0,
        connects: 0,
        surprises: Vec::new(),
    };
    let url = format!("{}?resume=1", net.ws_url);
    while !*stop.borrow() {
        let (mut ws, ready) =
            match tokio::time::timeout(OPEN_TIMEOUT, common::open(net.addr, &url, &me.token)).await
            {
                Ok(Ok(v)) => v,
                _ => {
                    tokio::time::sleep(RECONNECT_PAUSE).await;
                    continue;
                }
            };
        log.connects += 1;
        let last = last_seen.load(Ordering::SeqCst);
        match ready.rooms.iter().find(|r| r.room_id == me.room_id) {
            Some(r) if r.last_seq < last => log.went_back += 1,
            Some(_) => {}
            None => log.surprises.push("ready without our room".into()),
        }
        let resume = serde_json::json!({"type": "resume", "rooms": {me.room_id.as_str(): last}});
        if ws.send(Message::text(resume.to_string())).await.is_err() {
            continue;
        }
        loop {
            let frame = tokio::select! {
                _ = stop.changed() => {
                    let _ = ws.close(None).await;
                    return log;
                }
                frame = ws.next() => frame,
            };
            let text = match frame {
                Some(Ok(Message::Text(t))) => t,
                Some(Ok(Message::Close(f))) => {
                    log.surprises.push(close_reason(f.as_ref()));
                    break;
                }
                Some(Err(_)) | None => break,
                Some(Ok(_)) => continue,
            };
            let Ok(f) = serde_json::from_str::<Frame>(text.as_str()) else {
                log.surprises.push("unparsable frame".into());
                continue;
            };
            match f.kind.as_str() {
                "message" => match serde_json::from_str::<Stored>(text.as_str()) {
                    Ok(m) => log.take(m, &me.room_id, &last_seen),
                    Err(e) => log.surprises.push(format!("bad message frame: {e}")),
                },
                "resync_required" if f.room_id.as_deref() == Some(me.room_id.as_str()) => {
                    log.resyncs += 1;
                    let from = last_seen.load(Ordering::SeqCst);
                    match history(&net, &me.token, &me.room_id, from, f.last_seq).await {
                        Ok(ms) => ms
                            .into_iter()
                            .for_each(|m| log.take(m, &me.room_id, &last_seen)),
                        Err(_) => break,
                    }
                }
                "error" => log.surprises.push(format!("error frame {:?}", f.code)),
                _ => {}
            }
        }
    }
    log
}

impl ReaderLog {
    fn take(&mut self, m: Stored, room_id: &str, last_seen: &AtomicI64) {
        if m.room_id != room_id {
            self.foreign += 1;
            return;
        }
        let last = last_seen.load(Ordering::SeqCst);
        if m.seq <= last {
            self.duplicates += 1;
        } else {
            if m.seq > last + 1 {
                self.gaps += 1;
            }
            last_seen.store(m.seq, Ordering::SeqCst);
        }
        self.received.push(m);
    }
}
