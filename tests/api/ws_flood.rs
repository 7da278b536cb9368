//! A member's client that bursts (issue 12, finding 6; TESTPLAN T17's flood): 1,000 `send`
//! frames in one write are throttled to the configured rate, not answered with a close. The
//! connection stays open, sends within the rate are acked, the sender hears exactly one
//! `rate_limited` per rate window, and the sends over the rate are neither stored nor
//! answered; resent later with the same client ids, they are acked once each. Another member
//! in the room is heard promptly during the flood. (The sixth connection refused is checked in
//! `realtime::origin_and_authentication`.)

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::both_backends;
use crate::realtime::room;
use crate::support::TestApp;
use crate::support::ws::{Event, Ws};

/// Sends a sender may make at once (the test's `message_burst`); the sustained rate is two a
/// second (`message_per_sec`, the default), so a rate window (`retry_after_ms`) is at most
/// half a second, and a full burst is back after 50 s.
const BURST: usize = 100;
const PER_SEC: usize = 2;
const WINDOW_MS: u128 = 500;
const N: usize = 1000;

/// What came back for one burst.
#[derive(Default)]
struct Answers {
    /// client_id → seq, in arrival order of the acks.
    acks: Vec<(String, i64)>,
    limited: Vec<Value>,
    /// Error frames other than `rate_limited` (there should be none).
    errors: Vec<Value>,
    /// From the burst's first frame to the `pong` that follows its last.
    took: Duration,
}

/// Sends `ids` as one burst (a `ping` last) and reads what comes back: everything up to the
/// `pong`, then whatever acks the writer still had in flight.
async fn burst(ws: &mut Ws, room: &str, ids: &[String]) -> Answers {
    let started = Instant::now();
    let mut frames: Vec<Value> = ids
        .iter()
        .map(|id| json!({"type": "send", "room_id": room, "client_id": id, "body": format!("outbox {id}")}))
        .collect();
    frames.push(json!({"type": "ping"}));
    ws.burst(frames).await;
    let mut out = Answers::default();
    let mut ponged = false;
    loop {
        let wait = if ponged {
            Duration::from_millis(500)
        } else {
            Duration::from_secs(10)
        };
        let Some(event) = ws.next_within(wait).await else {
            assert!(ponged, "no pong after the burst");
            return out;
        };
        match event {
            Event::Closed(code, why) => panic!(
                "closed {code} {why} after {} acks and {} rate_limited",
                out.acks.len(),
                out.limited.len()
            ),
            Event::Frame(f) if f["type"] == "ack" => out.acks.push((
                f["client_id"].as_str().expect("client_id").to_string(),
                f["seq"].as_i64().expect("seq"),
            )),
            Event::Frame(f) if f["type"] == "error" && f["code"] == "rate_limited" => {
                out.limited.push(f)
            }
            Event::Frame(f) if f["type"] == "error" => out.errors.push(f),
            Event::Frame(f) if f["type"] == "pong" && !ponged => {
                ponged = true;
                out.took = started.elapsed();
            }
            Event::Frame(_) => {}
        }
    }
}

/// Checks one burst's refusals: no other errors, and at most one `rate_limited` per window
/// that could have passed while it was read (at least one when `over` sends were over).
fn check_refusals(a: &Answers, room: &str, over: bool) {
    assert!(a.errors.is_empty(), "unexpected errors: {:?}", a.errors);
    let windows = 1 + a.took.as_millis() / WINDOW_MS;
    assert!(
        a.limited.len() as u128 <= windows,
        "{} rate_limited in {:?}",
        a.limited.len(),
        a.took
    );
    if over {
        assert!(!a.limited.is_empty(), "the sender is told to slow down");
    }
    for f in &a.limited {
        assert_eq!(f["room_id"], room);
        let retry = f["retry_after_ms"].as_u64().expect("retry_after_ms");
        assert!(retry > 0 && u128::from(retry) <= WINDOW_MS, "{f}");
    }
}

/// Every message of the room over HTTP, oldest first.
async fn history(app: &TestApp, room: &str, token: &str) -> Vec<Value> {
    let mut all: Vec<Value> = Vec::new();
    loop {
        let after = all.last().map_or(0, |m| m["seq"].as_i64().expect("seq"));
        let r = app
            .get_auth(
                &format!("/api/v1/rooms/{room}/messages?after={after}&limit=100"),
                token,
            )
            .await;
        assert_eq!(r.status(), 200);
        let page: Value = r.json().await.expect("page");
        let msgs = page["messages"].as_array().expect("messages").clone();
        if msgs.is_empty() {
            return all;
        }
        all.extend(msgs);
    }
}

/// client_id → seq of `sender`'s stored messages; panics on a client id stored twice.
fn stored_by(msgs: &[Value], sender: &str) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for m in msgs.iter().filter(|m| m["sender"]["id"] == sender) {
        let id = m["client_id"].as_str().expect("client_id").to_string();
        let dup = out.insert(id.clone(), m["seq"].as_i64().expect("seq"));
        assert!(dup.is_none(), "{id} stored twice");
    }
    out
}

async fn a_burst_is_throttled_not_closed(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let cat = app.signup("Cat").await;
    let id = room(&app, "group", &[&ann, &bob, &cat]).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let (mut b, _) = Ws::connect(&app, &bob).await;
    let (mut c, _) = Ws::connect(&app, &cat).await;

    // Ann's client flushes an offline outbox of 1,000 messages in one write…
    let ids: Vec<String> = (0..N).map(|i| format!("outbox-{i}")).collect();
    let mut acked: BTreeMap<String, i64> = BTreeMap::new();
    let flood = {
        let room = id.clone();
        let ids = ids.clone();
        tokio::spawn(async move {
            let answers = burst(&mut a, &room, &ids).await;
            (a, answers)
        })
    };
    // …while Bob says something: Cat hears it promptly, and Bob is acked promptly.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let said = Instant::now();
    b.say(&id, "bob-1", "is anyone there?").await;
    let ack = b.next_of("ack").await;
    assert_eq!(ack["client_id"], "bob-1");
    let bob_acked = said.elapsed();
    let heard = loop {
        let m = c.next_of("message").await;
        if m["sender"]["id"] == bob.id.as_str() {
            break said.elapsed();
        }
    };
    let (mut a, first) = flood.await.expect("flood task");
    eprintln!(
        "burst of {N}: {} acked, {} rate_limited, {} unanswered in {:?}; Bob acked in {bob_acked:?}, heard by Cat in {heard:?}",
        first.acks.len(),
        first.limited.len(),
        N - first.acks.len(),
        first.took,
    );
    assert!(heard < Duration::from_secs(1), "Bob heard after {heard:?}");
    assert!(
        bob_acked < Duration::from_secs(1),
        "Bob acked after {bob_acked:?}"
    );
    check_refusals(&first, &id, true);
    // Throttled to the configured rate: the burst, plus the rate while it was read.
    let allowed = BURST + 1 + first.took.as_millis() as usize * PER_SEC / 1000;
    assert!(
        first.acks.len() >= BURST && first.acks.len() <= allowed,
        "{} acked",
        first.acks.len()
    );
    for (cid, seq) in &first.acks {
        assert!(
            acked.insert(cid.clone(), *seq).is_none(),
            "{cid} acked twice"
        );
    }
    // Nothing over the rate was stored.
    let stored = stored_by(&history(&app, &id, &ann.access).await, &ann.id);
    assert_eq!(stored, acked, "exactly the acked sends are stored");

    // The client waits as told and resends what was not acked, with the same client ids,
    // in one write each time: each window takes a burst's worth and refuses the rest once.
    let mut rounds = 0;
    while acked.len() < N {
        rounds += 1;
        assert!(rounds <= N / BURST + 2, "still {} unacked", N - acked.len());
        app.clock
            .advance(Duration::from_secs((BURST / PER_SEC) as u64));
        let unacked: Vec<String> = ids
            .iter()
            .filter(|i| !acked.contains_key(*i))
            .cloned()
            .collect();
        let r = burst(&mut a, &id, &unacked).await;
        check_refusals(&r, &id, unacked.len() > BURST + 1);
        assert!(
            r.acks.len() >= BURST.min(unacked.len()),
            "round {rounds}: {} acked of {}",
            r.acks.len(),
            unacked.len()
        );
        for (cid, seq) in r.acks {
            assert!(!acked.contains_key(&cid), "{cid} acked twice");
            acked.insert(cid, seq);
        }
    }
    // A resend of something already acked is answered with the original, not stored again.
    app.clock
        .advance(Duration::from_secs((BURST / PER_SEC) as u64));
    let again: Vec<String> = ids[..5].to_vec();
    let r = burst(&mut a, &id, &again).await;
    check_refusals(&r, &id, false);
    let replayed: BTreeSet<(String, i64)> = r.acks.into_iter().collect();
    let original: BTreeSet<(String, i64)> = again.iter().map(|i| (i.clone(), acked[i])).collect();
    assert_eq!(replayed, original);

    let stored = stored_by(&history(&app, &id, &ann.access).await, &ann.id);
    assert_eq!(stored.len(), N);
    assert_eq!(
        stored, acked,
        "every send stored once, at the seq its ack named"
    );
    eprintln!("all {N} acked after {rounds} resend rounds, none twice");
}
both_backends!(a_burst_is_throttled_not_closed, |s| {
    s.message_burst = super::BURST as u32;
    s.message_per_sec = super::PER_SEC as u32;
});
