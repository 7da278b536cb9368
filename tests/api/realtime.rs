//! Realtime rooms over a real websocket client, on both backends: ready, send/ack/message,
//! ordering under concurrent senders, idempotent resends, resume during live traffic,
//! membership on every frame, origin and authentication checks, limits, slow consumers,
//! leaving, presence, typing, read markers, crisis signposting, erasure and session ends.

use std::time::Duration;

use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::both_backends;
use crate::support::ws::{Event, Open, Ws};
use crate::support::{Account, TestApp, assert_problem};

/// Opens a room with these members directly in the database (matching is tested elsewhere).
pub async fn room(app: &TestApp, kind: &str, members: &[&Account]) -> String {
    let ids: Vec<String> = members.iter().map(|a| a.id.clone()).collect();
    let kind = kind.to_string();
    let now = app.state.clock.now_naive();
    app.db(move |c| {
        let id = kindred::domain::new_id();
        kindred::db::rooms::insert(
            c,
            &kindred::db::rooms::Room {
                id: id.clone(),
                kind,
                focus_condition: "lungs.copd".into(),
                max_size: 8,
                created_at: now,
                ended_at: None,
                last_seq: 0,
            },
        )
        .expect("room");
        for u in &ids {
            kindred::db::rooms::add_member(c, &id, u, "member", now).expect("member");
        }
        id
    })
    .await
}

fn many_messages(s: &mut kindred::config::Settings) {
    s.message_burst = 10_000;
    s.message_per_sec = 10_000;
}

fn seqs(frames: &[Value]) -> Vec<i64> {
    frames
        .iter()
        .map(|f| f["seq"].as_i64().expect("seq"))
        .collect()
}

/// Reads frames until `n` messages of `room` arrived; returns them (other types skipped).
async fn messages(ws: &mut Ws, room: &str, n: usize) -> Vec<Value> {
    let mut out = Vec::new();
    while out.len() < n {
        match ws.next().await {
            Event::Frame(f) if f["type"] == "message" && f["room_id"] == room => out.push(f),
            Event::Frame(_) => {}
            Event::Closed(code, why) => panic!("closed {code} {why} after {} messages", out.len()),
        }
    }
    out
}

async fn send_and_messages(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let id = room(&app, "pair", &[&ann, &bob]).await;

    let (mut a, ready) = Ws::connect(&app, &ann).await;
    assert_eq!(ready["user"]["id"], ann.id.as_str());
    assert_eq!(ready["user"]["display_name"], "Ann");
    assert_eq!(ready["rooms"][0]["room_id"], id.as_str());
    assert_eq!(ready["rooms"][0]["last_seq"], 0);
    assert_eq!(ready["limits"]["max_body_chars"], 4000);
    let (mut a2, _) = Ws::connect(&app, &ann).await;
    let (mut b, ready_b) = Ws::connect(&app, &bob).await;
    let online = ready_b["rooms"][0]["online"].as_array().unwrap().clone();
    assert!(online.contains(&json!(ann.id)), "{online:?}");
    assert!(
        online.contains(&json!(bob.id)),
        "the reader counts too: {online:?}"
    );

    a.say(&id, "c-1", "  Hello, how was the clinic?  ").await;
    let ack = a.next_of("ack").await;
    assert_eq!(ack["client_id"], "c-1");
    assert_eq!(ack["seq"], 1);
    assert_eq!(ack["room_id"], id.as_str());
    let mine = a.next_of("message").await;
    assert_eq!(mine["id"], ack["id"]);
    for ws in [&mut a2, &mut b] {
        let m = ws.next_of("message").await;
        assert_eq!(m["id"], ack["id"]);
        assert_eq!(m["seq"], 1);
        assert_eq!(m["body"], "Hello, how was the clinic?", "stored trimmed");
        assert_eq!(m["client_id"], "c-1");
        assert_eq!(m["sender"]["id"], ann.id.as_str());
        assert_eq!(m["sender"]["display_name"], "Ann");
        assert_eq!(m["sender"]["role"], "member");
        assert!(m.get("removed").is_none());
    }

    // HTTP send: same writer, same fan-out.
    let r = app
        .post_auth(
            &format!("/api/v1/rooms/{id}/messages"),
            &bob.access,
            &json!({"client_id": "b-1", "body": "Long wait, but fine 🙂"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert!(r.headers().get("idempotent-replayed").is_none());
    let posted: Value = r.json().await.unwrap();
    assert_eq!(posted["seq"], 2);
    let m = a.next_of("message").await;
    assert_eq!(m["id"], posted["id"]);
    assert_eq!(m["body"], "Long wait, but fine 🙂");

    // History, newest page and cursors.
    let r = app
        .get_auth(&format!("/api/v1/rooms/{id}/messages"), &bob.access)
        .await;
    assert_eq!(r.status(), 200);
    let page: Value = r.json().await.unwrap();
    assert_eq!(seqs(page["messages"].as_array().unwrap()), vec![1, 2]);
    assert_eq!(page["has_more"], false);
    let r = app
        .get_auth(&format!("/api/v1/rooms/{id}/messages?after=1"), &bob.access)
        .await;
    let page: Value = r.json().await.unwrap();
    assert_eq!(seqs(page["messages"].as_array().unwrap()), vec![2]);
    let r = app
        .get_auth(
            &format!("/api/v1/rooms/{id}/messages?before=2&limit=1"),
            &bob.access,
        )
        .await;
    let page: Value = r.json().await.unwrap();
    assert_eq!(seqs(page["messages"].as_array().unwrap()), vec![1]);
    for bad in ["limit=0", "limit=101", "after=-1", "before=x"] {
        let r = app
            .get_auth(&format!("/api/v1/rooms/{id}/messages?{bad}"), &bob.access)
            .await;
        assert_problem(r, 422, "invalid_query").await;
    }

    // Reconnecting shows the position and what is unread.
    drop(b);
    let (_b, ready_b) = Ws::connect(&app, &bob).await;
    assert_eq!(ready_b["rooms"][0]["last_seq"], 2);
    assert_eq!(
        ready_b["rooms"][0]["unread"], 1,
        "Ann's message; Bob's own is not unread"
    );
}
both_backends!(send_and_messages);

async fn ordering_under_concurrent_senders(app: TestApp) {
    const EACH: usize = 40;
    let people = [
        app.signup("Ann").await,
        app.signup("Bob").await,
        app.signup("Cat").await,
        app.signup("Dan").await,
    ];
    let id = room(&app, "group", &people.iter().collect::<Vec<_>>()).await;
    let mut conns = Vec::new();
    for p in &people {
        conns.push(Ws::connect(&app, p).await.0);
    }
    // Everyone sends at once, without waiting for acks.
    for round in 0..EACH {
        for (i, ws) in conns.iter_mut().enumerate() {
            ws.say(
                &id,
                &format!("{i}-{round}"),
                &format!("message {round} from {i}"),
            )
            .await;
        }
    }
    let total = EACH * people.len();
    let mut orders = Vec::new();
    for ws in &mut conns {
        let got = messages(ws, &id, total).await;
        let s = seqs(&got);
        assert_eq!(
            s,
            (1..=total as i64).collect::<Vec<_>>(),
            "gap-free and in order"
        );
        orders.push(got.iter().map(|m| m["id"].clone()).collect::<Vec<_>>());
    }
    assert!(
        orders.windows(2).all(|w| w[0] == w[1]),
        "everyone sees one order"
    );
    // Each sender's messages keep their send order.
    for i in 0..people.len() {
        let mine: Vec<String> = orders[0]
            .iter()
            .zip(messages_by_id(&app, &id).await)
            .filter(|(_, (_, client))| client.starts_with(&format!("{i}-")))
            .map(|(_, (_, client))| client)
            .collect();
        let expected: Vec<String> = (0..EACH).map(|r| format!("{i}-{r}")).collect();
        assert_eq!(mine, expected);
    }
}
both_backends!(ordering_under_concurrent_senders, super::many_messages);

/// (seq, client id) of every stored message in seq order.
async fn messages_by_id(app: &TestApp, room: &str) -> Vec<(i64, String)> {
    let room = room.to_string();
    app.db(move |c| {
        kindred::db::messages::page(c, &room, Some(0), None, 100_000)
            .expect("page")
            .into_iter()
            .map(|m| (m.seq, m.client_id))
            .collect()
    })
    .await
}

async fn idempotent_resend(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let id = room(&app, "pair", &[&ann, &bob]).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let (mut b, _) = Ws::connect(&app, &bob).await;
    let (mut watcher, _) = Ws::connect(&app, &bob).await;

    a.say(&id, "same", "first").await;
    let first = a.next_of("ack").await;
    a.next_of("message").await;
    // A resend (say, after a lost ack) with the same client id, even with another body.
    a.say(&id, "same", "first").await;
    let again = a.next_of("ack").await;
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["seq"], first["seq"]);
    // Two at once in one batch.
    a.say(&id, "twin", "x").await;
    a.say(&id, "twin", "x").await;
    let t1 = a.next_of("ack").await;
    let t2 = a.next_of("ack").await;
    assert_eq!(t1["id"], t2["id"]);
    // The same over HTTP.
    let path = format!("/api/v1/rooms/{id}/messages");
    let r = app
        .post_auth(
            &path,
            &ann.access,
            &json!({"client_id": "same", "body": "first"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["idempotent-replayed"], "true");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["id"], first["id"]);
    // Another sender may use the same client id: it is scoped to the sender.
    b.say(&id, "same", "mine").await;
    let theirs = b.next_of("ack").await;
    assert_ne!(theirs["id"], first["id"]);

    assert_eq!(
        messages_by_id(&app, &id).await,
        vec![(1, "same".into()), (2, "twin".into()), (3, "same".into())]
    );
    // Bob's other connection saw each message exactly once.
    let got = messages(&mut watcher, &id, 3).await;
    assert_eq!(seqs(&got), vec![1, 2, 3]);
    assert!(
        watcher
            .drain(Duration::from_millis(300))
            .await
            .iter()
            .all(|e| !matches!(e, Event::Frame(f) if f["type"] == "message"))
    );
}
both_backends!(idempotent_resend, super::many_messages);

async fn resume_while_messages_arrive(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let id = room(&app, "pair", &[&ann, &bob]).await;
    let (mut b, _) = Ws::connect(&app, &bob).await;
    for i in 0..30 {
        b.say(&id, &format!("early-{i}"), "before Ann comes back")
            .await;
    }
    for _ in 0..30 {
        b.next_of("ack").await;
    }

    // Bob keeps talking while Ann reconnects and resumes from seq 10.
    let room_id = id.clone();
    let talker = tokio::spawn(async move {
        for i in 0..60 {
            b.say(&room_id, &format!("live-{i}"), "while Ann resumes")
                .await;
            if i % 5 == 0 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        for _ in 0..60 {
            b.next_of("ack").await;
        }
        b
    });
    // `?resume=1`: live messages wait for the resume, so the replay is never overtaken.
    let mut a = Ws::open(
        &app,
        Open {
            token: Some(&ann.access),
            query: Some("resume=1"),
            ..Default::default()
        },
    )
    .await
    .expect("upgrade");
    a.next_of("ready").await;
    a.send(&json!({"type": "resume", "rooms": {id.clone(): 10}}))
        .await;
    let _b = talker.await.unwrap();
    let got = messages(&mut a, &id, 80).await;
    assert_eq!(
        seqs(&got),
        (11..=90).collect::<Vec<_>>(),
        "exactly the missed messages then the live ones: no gap, no duplicate"
    );
    assert!(
        a.drain(Duration::from_millis(300))
            .await
            .iter()
            .all(|e| !matches!(e, Event::Frame(f) if f["type"] == "message")),
        "nothing twice"
    );

    // Resuming from the current position replays nothing; from 0 replays everything.
    a.send(&json!({"type": "resume", "rooms": {id.clone(): 90}}))
        .await;
    a.send(&json!({"type": "ping"})).await;
    a.next_of("pong").await;
    a.send(&json!({"type": "resume", "rooms": {id.clone(): 0}}))
        .await;
    assert_eq!(
        seqs(&messages(&mut a, &id, 90).await),
        (1..=90).collect::<Vec<_>>()
    );
}
both_backends!(resume_while_messages_arrive, super::many_messages);

async fn resume_beyond_the_replay_cap_asks_for_resync(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let id = room(&app, "pair", &[&ann, &bob]).await;
    // 1,001 messages straight into the database.
    let (room_id, sender) = (id.clone(), bob.id.clone());
    let now = app.state.clock.now_naive();
    app.db(move |c| {
        for i in 1..=1001i64 {
            let seq = kindred::db::messages::reserve_seqs(c, &room_id, 1).unwrap();
            kindred::db::messages::insert(
                c,
                &kindred::db::messages::NewMessage {
                    id: &kindred::domain::new_id(),
                    room_id: &room_id,
                    seq,
                    sender_id: &sender,
                    client_id: &format!("bulk-{i}"),
                    body: "bulk",
                    created_at: now,
                },
            )
            .unwrap();
        }
    })
    .await;
    let (mut a, ready) = Ws::connect(&app, &ann).await;
    assert_eq!(ready["rooms"][0]["last_seq"], 1001);
    a.send(&json!({"type": "resume", "rooms": {id.clone(): 0}}))
        .await;
    let r = a.next_of("resync_required").await;
    assert_eq!(r["room_id"], id.as_str());
    assert_eq!(r["last_seq"], 1001);
    // A resume within the cap replays.
    a.send(&json!({"type": "resume", "rooms": {id.clone(): 1}}))
        .await;
    let got = messages(&mut a, &id, 1000).await;
    assert_eq!(got.first().unwrap()["seq"], 2);
    assert_eq!(got.last().unwrap()["seq"], 1001);
}
both_backends!(resume_beyond_the_replay_cap_asks_for_resync);

async fn non_members_get_nothing(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let eve = app.signup("Eve").await;
    let id = room(&app, "pair", &[&ann, &bob]).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let (mut e, ready) = Ws::connect(&app, &eve).await;
    assert_eq!(ready["rooms"], json!([]));

    e.say(&id, "x", "let me in").await;
    let err = e.next_of("error").await;
    assert_eq!(err["code"], "not_a_member");
    assert_eq!(err["client_id"], "x");
    for frame in [
        json!({"type": "read", "room_id": id, "seq": 1}),
        json!({"type": "typing", "room_id": id}),
        json!({"type": "resume", "rooms": {id.clone(): 0}}),
        json!({"type": "send", "room_id": "not-a-uuid", "client_id": "y", "body": "hi"}),
    ] {
        e.send(&frame).await;
        assert_eq!(e.next_of("error").await["code"], "not_a_member", "{frame}");
    }
    // Over HTTP the room does not exist for Eve.
    let path = format!("/api/v1/rooms/{id}/messages");
    assert_problem(app.get_auth(&path, &eve.access).await, 404, "not_found").await;
    let r = app
        .post_auth(&path, &eve.access, &json!({"client_id": "z", "body": "hi"}))
        .await;
    assert_problem(r, 404, "not_found").await;
    assert!(messages_by_id(&app, &id).await.is_empty(), "nothing stored");

    // Room traffic never reaches her: count everything on the wire.
    a.say(&id, "a-1", "private").await;
    a.next_of("ack").await;
    a.send(&json!({"type": "typing", "room_id": id})).await;
    a.send(&json!({"type": "read", "room_id": id, "seq": 1}))
        .await;
    let (_b, _) = Ws::connect(&app, &bob).await;
    let seen = e.drain(Duration::from_millis(500)).await;
    assert!(seen.is_empty(), "Eve received {seen:?}");
}
both_backends!(non_members_get_nothing);

async fn origin_and_authentication(app: TestApp) {
    let ann = app.signup("Ann").await;
    // Origins not on the allowlist are refused before the upgrade.
    for origin in [
        "https://evil.example",
        "null",
        "https://kindred.test.evil.com",
        "http://kindred.test",
        "https://kindred.test:8443",
    ] {
        let r = Ws::open(
            &app,
            Open {
                token: Some(&ann.access),
                origin: Some(origin),
                ..Default::default()
            },
        )
        .await;
        let (status, body) = r.err().unwrap_or_else(|| panic!("{origin} was accepted"));
        assert_eq!(status, 403, "{origin}");
        assert!(body.contains("origin_not_allowed"), "{body}");
    }
    // The allowed origin, in any letter case and with its default port.
    for origin in ["https://kindred.test", "https://KINDRED.test:443"] {
        let mut ws = Ws::open(
            &app,
            Open {
                token: Some(&ann.access),
                origin: Some(origin),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{origin}: {e:?}"));
        ws.next_of("ready").await;
    }
    // A bad bearer token is refused with 401 problem+json before the upgrade.
    let r = Ws::open(
        &app,
        Open {
            token: Some("not.a.token"),
            ..Default::default()
        },
    )
    .await;
    let (status, body) = r.err().expect("refused");
    assert_eq!(status, 401);
    assert!(body.contains("invalid_token"));
    // Not an upgrade at all.
    assert_problem(
        app.get_auth("/api/v1/ws", &ann.access).await,
        400,
        "not_a_websocket",
    )
    .await;

    // Browsers: the first frame authenticates.
    let mut ws = Ws::open(&app, Open::default()).await.expect("upgrade");
    ws.send(&json!({"type": "auth", "token": ann.access})).await;
    let ready = ws.next_of("ready").await;
    assert_eq!(ready["user"]["id"], ann.id.as_str());
    // …a bad one closes with 1008, as does any other first frame.
    let mut ws = Ws::open(&app, Open::default()).await.expect("upgrade");
    ws.send(&json!({"type": "auth", "token": "forged"})).await;
    assert_eq!(ws.closed().await, (1008, "invalid_token".into()));
    let mut ws = Ws::open(&app, Open::default()).await.expect("upgrade");
    ws.send(&json!({"type": "ping"})).await;
    assert_eq!(ws.closed().await, (1008, "auth_required".into()));
    // …and silence closes after the auth timeout.
    let mut ws = Ws::open(&app, Open::default()).await.expect("upgrade");
    assert_eq!(ws.closed().await, (1008, "auth_timeout".into()));

    // Too many connections for one person.
    let mut open = Vec::new();
    while app.state.sockets.connections_of(&ann.id) < app.state.settings.ws_max_per_user {
        open.push(Ws::connect(&app, &ann).await.0);
    }
    let r = Ws::open(
        &app,
        Open {
            token: Some(&ann.access),
            ..Default::default()
        },
    )
    .await;
    let (status, body) = r.err().expect("refused");
    assert_eq!(status, 429);
    assert!(body.contains("too_many_connections"));
}
both_backends!(origin_and_authentication, |s| {
    s.ws_auth_timeout = std::time::Duration::from_millis(400);
});

async fn limits_and_malformed_frames(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let id = room(&app, "pair", &[&ann, &bob]).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;

    // Malformed JSON and unknown types get an error frame, not a disconnect.
    a.send_text("this is not json".into()).await;
    assert_eq!(a.next_of("error").await["code"], "malformed_frame");
    a.send_text(r#"{"type":"shout","room_id":"x"}"#.into())
        .await;
    assert_eq!(a.next_of("error").await["code"], "unknown_type");
    a.send_text(r#"{"type":"send","room_id":"x"}"#.into()).await;
    assert_eq!(a.next_of("error").await["code"], "malformed_frame");
    a.send_text(r#"{"type":"send","room_id":"x","client_id":"c","body":"\ud800"}"#.into())
        .await;
    assert_eq!(a.next_of("error").await["code"], "malformed_frame");
    a.send_raw(Message::binary(vec![1u8, 2, 3])).await.unwrap();
    assert_eq!(a.next_of("error").await["code"], "malformed_frame");
    // Bodies: empty after trimming, and one past 4,000 characters (4-byte ones).
    a.say(&id, "e", " \n\t ").await;
    assert_eq!(a.next_of("error").await["code"], "invalid_body");
    a.say(&id, "long", &"🙂".repeat(4001)).await;
    assert_eq!(a.next_of("error").await["code"], "invalid_body");
    a.say(&id, &"x".repeat(65), "hi").await;
    assert_eq!(a.next_of("error").await["code"], "invalid_client_id");
    a.say(&id, "max", &"🙂".repeat(4000)).await;
    assert_eq!(a.next_of("ack").await["client_id"], "max");
    let r = app
        .post_auth(
            &format!("/api/v1/rooms/{id}/messages"),
            &ann.access,
            &json!({"client_id": "h", "body": "x".repeat(4001)}),
        )
        .await;
    assert_problem(r, 422, "invalid_body").await;
    assert_eq!(messages_by_id(&app, &id).await.len(), 1);
    a.send(&json!({"type": "ping"})).await;
    a.next_of("pong").await;

    // A frame over 64 KiB closes with 1009.
    a.send_text("x".repeat(64 * 1024 + 1)).await;
    assert_eq!(a.closed().await.0, 1009);
    // So does a message of continuations adding up to more.
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let big = format!(
        r#"{{"type":"send","room_id":"{id}","client_id":"c","body":"{}"}}"#,
        "y".repeat(70_000)
    );
    let frames = big.as_bytes().chunks(16 * 1024).collect::<Vec<_>>();
    use tokio_tungstenite::tungstenite::protocol::frame::{
        Frame,
        coding::{Data, OpCode},
    };
    for (i, chunk) in frames.iter().enumerate() {
        let op = if i == 0 {
            OpCode::Data(Data::Text)
        } else {
            OpCode::Data(Data::Continue)
        };
        let frame = Frame::message(chunk.to_vec(), op, i == frames.len() - 1);
        if a.send_raw(Message::Frame(frame)).await.is_err() {
            break;
        }
    }
    assert_eq!(a.closed().await.0, 1009);
    assert_eq!(messages_by_id(&app, &id).await.len(), 1, "nothing stored");
}
both_backends!(limits_and_malformed_frames);

async fn sends_are_rate_limited(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let id = room(&app, "pair", &[&ann, &bob]).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    for i in 0..5 {
        a.say(&id, &format!("r{i}"), "quick").await;
    }
    let mut acks = 0;
    let mut limited = Vec::new();
    // Three fit the burst; the fourth is told `rate_limited` once for the window, and the
    // fifth is dropped unanswered (the client resends unacked ids later).
    while acks + limited.len() < 4 {
        match a.next().await {
            Event::Frame(f) if f["type"] == "ack" => acks += 1,
            Event::Frame(f) if f["type"] == "error" => limited.push(f),
            Event::Frame(_) => {}
            Event::Closed(c, r) => panic!("closed {c} {r}"),
        }
    }
    assert_eq!(acks, 3, "the burst");
    assert_eq!(limited.len(), 1, "one rate_limited per window");
    let more = a.drain(Duration::from_millis(300)).await;
    assert!(
        !more
            .iter()
            .any(|e| matches!(e, Event::Frame(f) if f["type"] == "error" || f["type"] == "ack")),
        "{more:?}"
    );
    for f in &limited {
        assert_eq!(f["code"], "rate_limited");
        assert!(f["retry_after_ms"].as_u64().unwrap() > 0);
    }
    // HTTP shares the allowance.
    let r = app
        .post_auth(
            &format!("/api/v1/rooms/{id}/messages"),
            &ann.access,
            &json!({"client_id": "h", "body": "hi"}),
        )
        .await;
    assert_problem(r, 429, "rate_limited").await;
    // Time refills it.
    app.clock.advance(Duration::from_secs(1));
    a.say(&id, "later", "after a pause").await;
    assert_eq!(a.next_of("ack").await["client_id"], "later");
    // Other people are not affected.
    let (mut b, _) = Ws::connect(&app, &bob).await;
    b.say(&id, "b", "hi").await;
    assert_eq!(b.next_of("ack").await["client_id"], "b");
}
both_backends!(sends_are_rate_limited, |s| {
    s.message_burst = 3;
    s.message_per_sec = 1;
});

async fn a_slow_consumer_is_closed(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let id = room(&app, "pair", &[&ann, &bob]).await;
    // Bob's client stops reading (a tiny receive buffer and no reads).
    let mut slow = Ws::open(
        &app,
        Open {
            token: Some(&bob.access),
            recv_buffer: Some(4096),
            ..Default::default()
        },
    )
    .await
    .expect("upgrade");
    // Ann reads everything promptly in her own task, while four writers post over HTTP:
    // enough to fill the (test-sized) socket buffers towards Bob.
    const N: usize = 400;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let room_id = id.clone();
    let reader = tokio::spawn(async move { messages(&mut a, &room_id, N).await.len() });
    let path = format!("/api/v1/rooms/{id}/messages");
    let mut writers = Vec::new();
    for w in 0..4 {
        let (client, url, token) = (app.client.clone(), app.url(&path), ann.access.clone());
        writers.push(tokio::spawn(async move {
            let body = "z".repeat(4000);
            for i in 0..N / 4 {
                let r = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"client_id": format!("w{w}-{i}"), "body": body}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    assert_eq!(reader.await.unwrap(), N, "a reading client keeps up");
    let mut closed = None;
    for _ in 0..50 {
        if app.state.sockets.connections_of(&bob.id) == 0 {
            closed = Some(());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(closed.is_some(), "the slow connection was closed");
    // When Bob's client reads again it finds the close, 1013 "resync", after what was sent.
    assert_eq!(slow.closed().await, (1013, "resync".to_string()));
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("kindred_ws_closed_slow_total 1"),
        "{metrics}"
    );
}
both_backends!(a_slow_consumer_is_closed, |s| {
    s.message_burst = 10_000;
    s.message_per_sec = 10_000;
    s.ws_queue = 16;
    s.tcp_send_buffer = Some(64 * 1024);
});

async fn leaving_stops_delivery(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let cat = app.signup("Cat").await;
    let id = room(&app, "group", &[&ann, &bob, &cat]).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let (mut c, _) = Ws::connect(&app, &cat).await;
    let (mut c2, _) = Ws::connect(&app, &cat).await;
    let r = app
        .post_auth(
            &format!("/api/v1/rooms/{id}/leave"),
            &cat.access,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 204);
    for ws in [&mut c, &mut c2] {
        let left = ws.next_of("room_left").await;
        assert_eq!(left["room_id"], id.as_str());
        assert_eq!(left["reason"], "left");
    }
    loop {
        let p = a.next_of("presence").await;
        if p["user_id"] == cat.id.as_str() && p["online"] == false {
            break;
        }
    }
    a.say(&id, "after", "are you still there?").await;
    a.next_of("ack").await;
    a.next_of("message").await;
    for ws in [&mut c, &mut c2] {
        let seen = ws.drain(Duration::from_secs(1)).await;
        assert!(seen.is_empty(), "after leaving: {seen:?}");
    }
    c.say(&id, "back", "hello?").await;
    assert_eq!(c.next_of("error").await["code"], "not_a_member");

    // In a pair, one leaving ends the room for the other too.
    let dan = app.signup("Dan").await;
    let pair = room(&app, "pair", &[&ann, &dan]).await;
    let (mut d, _) = Ws::connect(&app, &dan).await;
    let r = app
        .post_auth(
            &format!("/api/v1/rooms/{pair}/leave"),
            &ann.access,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 204);
    let ended = d.next_of("room_left").await;
    assert_eq!(ended["reason"], "ended");
    d.say(&pair, "x", "hello?").await;
    assert_eq!(d.next_of("error").await["code"], "not_a_member");
}
both_backends!(leaving_stops_delivery);

async fn presence_typing_and_read_markers(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let id = room(&app, "pair", &[&ann, &bob]).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let (mut b, _) = Ws::connect(&app, &bob).await;
    let p = a.next().await;
    let Event::Frame(p) = p else { panic!("{p:?}") };
    assert_eq!(
        p,
        json!({"type": "presence", "room_id": id, "user_id": bob.id, "online": true})
    );

    b.send(&json!({"type": "typing", "room_id": id})).await;
    b.send(&json!({"type": "typing", "room_id": id})).await;
    let Event::Frame(t) = a.next().await else {
        panic!()
    };
    assert_eq!(
        t,
        json!({"type": "typing", "room_id": id, "user_id": bob.id})
    );
    // Throttled: the second typing frame within 3 s is not fanned out; not echoed to Bob.
    assert!(a.drain(Duration::from_millis(300)).await.is_empty());
    assert!(b.drain(Duration::from_millis(100)).await.is_empty());

    a.say(&id, "1", "one").await;
    a.say(&id, "2", "two").await;
    messages(&mut b, &id, 2).await;
    b.send(&json!({"type": "read", "room_id": id, "seq": 99}))
        .await;
    let r = a.next_of("read").await;
    assert_eq!(r["user_id"], bob.id.as_str());
    assert_eq!(r["seq"], 2, "clamped to the newest message");
    let (room_id, bob_id) = (id.clone(), bob.id.clone());
    let marker: i64 = app
        .db(move |c| {
            use diesel::prelude::*;
            use kindred::db::schema::room_members as rm;
            rm::table
                .find((room_id, bob_id))
                .select(rm::last_read_seq)
                .first(c)
                .unwrap()
        })
        .await;
    assert_eq!(marker, 2);
    drop(b);
    let (_b, ready) = Ws::connect(&app, &bob).await;
    assert_eq!(ready["rooms"][0]["unread"], 0);

    // Bob's last connection closing is announced.
    drop(_b);
    let mut offline = false;
    for e in a.drain(Duration::from_secs(1)).await {
        if let Event::Frame(f) = e
            && f["type"] == "presence"
            && f["online"] == false
        {
            offline = true;
        }
    }
    assert!(offline);
}
both_backends!(presence_typing_and_read_markers);

async fn crisis_language_reaches_a_human(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let mo = app.staff("Moira", "moderator").await;
    let id = room(&app, "pair", &[&ann, &bob]).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let (mut b, _) = Ws::connect(&app, &bob).await;
    let (mut m, _) = Ws::connect(&app, &mo).await;

    a.say(&id, "c", "some days I think I want to kill myself")
        .await;
    let ack = a.next_of("ack").await;
    // The writer sees signposting at once…
    let mut safety = None;
    for _ in 0..3 {
        if let Event::Frame(f) = a.next().await
            && f["type"] == "safety"
        {
            safety = Some(f);
            break;
        }
    }
    let safety = safety.expect("signposting");
    assert_eq!(safety["message_id"], ack["id"]);
    let text = safety["resources"].to_string();
    for must in ["999", "111", "116 123", "85258"] {
        assert!(text.contains(must), "{must} in {text}");
    }
    // …the message is delivered normally, and Bob receives no flag data.
    let delivered = b.next_of("message").await;
    assert_eq!(delivered["id"], ack["id"]);
    assert!(
        b.drain(Duration::from_millis(300))
            .await
            .iter()
            .all(|e| !matches!(e, Event::Frame(f) if f["type"] != "message")),
        "no safety frames to other members"
    );
    // The online moderator is alerted; the alert is durable; every moderator is emailed.
    let alert = m.next_of("safety_alert").await;
    assert_eq!(alert["message_id"], ack["id"]);
    assert_eq!(alert["severity"], "red");
    let mid = ack["id"].as_str().unwrap().to_string();
    let rows = app
        .db(move |c| kindred::db::messages::alerts_for_message(c, &mid).unwrap())
        .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, alert["alert_id"].as_str().unwrap());
    assert_eq!((rows[0].1.as_str(), rows[0].2.as_str()), ("red", "open"));
    let mail = app
        .smtp
        .wait_for(&mo.email, Duration::from_secs(10))
        .await
        .expect("the moderator is emailed");
    assert!(mail.subject.contains("safety alert"), "{}", mail.subject);
    assert!(!mail.text.contains("kill"), "no message text in the email");
    // The public signposting route.
    let r = app.get("/api/v1/safety/resources?region=wales").await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["region"], "wales");
    assert_problem(
        app.get("/api/v1/safety/resources?region=mars").await,
        422,
        "invalid_query",
    )
    .await;
    // Ordinary messages raise nothing.
    a.say(&id, "d", "the new inhaler is helping").await;
    a.next_of("ack").await;
    assert!(
        m.drain(Duration::from_millis(300))
            .await
            .iter()
            .all(|e| !matches!(e, Event::Frame(f) if f["type"] == "safety_alert"))
    );
}
both_backends!(crisis_language_reaches_a_human);

async fn sessions_ending_close_sockets(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let id = room(&app, "group", &[&ann, &bob]).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    a.say(&id, "canary", "CANARY-7f3a my own words").await;
    a.next_of("ack").await;

    // Logout closes the session's sockets with 1008.
    let (mut b, _) = Ws::connect(&app, &bob).await;
    let r = app
        .post(
            "/api/v1/auth/logout",
            &json!({"refresh_token": bob.refresh}),
        )
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(b.closed().await, (1008, "session_revoked".into()));

    // Erasure closes the person's sockets; their messages stay as "Former member", text gone.
    let bob = app.signin(&bob.email, &bob.password, "Bob").await;
    let export: Value = app
        .get_auth("/api/v1/me/export", &ann.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        export["messages_you_wrote"][0]["body"],
        "CANARY-7f3a my own words"
    );
    let r = app
        .send(
            reqwest::Method::DELETE,
            "/api/v1/me",
            &ann.access,
            json!({"password": ann.password}),
        )
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(a.closed().await, (1008, "account_erased".into()));
    let page: Value = app
        .get_auth(&format!("/api/v1/rooms/{id}/messages"), &bob.access)
        .await
        .json()
        .await
        .unwrap();
    let m = &page["messages"][0];
    assert_eq!(m["sender"]["display_name"], "Former member");
    assert_eq!(m["body"], "");
    assert_eq!(m["removed"], true);
    assert!(app.find_anywhere("CANARY-7f3a").await.is_empty());
}
both_backends!(sessions_ending_close_sockets);

async fn a_match_arrives_on_the_open_socket(app: TestApp) {
    let ann = crate::matching::ready_member(&app, "Ann").await;
    let bob = crate::matching::ready_member(&app, "Bob").await;
    let (mut a, ready) = Ws::connect(&app, &ann).await;
    assert_eq!(ready["rooms"], json!([]));
    let r = crate::matching::request(&app, &ann, "pair").await;
    assert_eq!(r.status(), 201);
    let req: Value = r.json().await.unwrap();
    let r = crate::matching::request(&app, &bob, "pair").await;
    assert_eq!(r.status(), 201);
    kindred::matching::service::tick(&app.state, &kindred::matching::model::Config::default())
        .await
        .unwrap();
    let joined = a.next_of("room_joined").await;
    let room_id = joined["room"]["room_id"].as_str().unwrap().to_string();
    assert_eq!(joined["room"]["last_seq"], 0);
    let found = a.next_of("match_found").await;
    assert_eq!(found["request_id"], req["id"]);
    assert_eq!(found["room_id"], room_id.as_str());
    // And the new room is live at once.
    let (mut b, _) = Ws::connect(&app, &bob).await;
    b.say(&room_id, "hi", "hello, fellow traveller").await;
    assert_eq!(
        a.next_of("message").await["body"],
        "hello, fellow traveller"
    );
}
both_backends!(
    a_match_arrives_on_the_open_socket,
    crate::matching::manual_ticks
);

/// The volunteer of a one-to-one is seated by the match too: their open socket joins the room
/// at once, hears the member's first message live and may reply on it (issue 9's defect).
async fn a_connected_volunteer_joins_a_one_to_one_live(app: TestApp) {
    let vic = crate::matching::volunteer(&app, "Vic", 1).await;
    let sam = crate::matching::ready_member(&app, "Sam").await;
    let (mut v, ready) = Ws::connect(&app, &vic).await;
    assert_eq!(ready["rooms"], json!([]));
    let r = crate::matching::request(&app, &sam, "one_to_one").await;
    assert_eq!(r.status(), 201);
    let report =
        kindred::matching::service::tick(&app.state, &kindred::matching::model::Config::default())
            .await
            .unwrap();
    assert_eq!(report.made, 1);
    let joined = v.next_of("room_joined").await;
    let room_id = joined["room"]["room_id"].as_str().unwrap().to_string();
    assert_eq!(joined["room"]["last_seq"], 0);
    let (mut s, ready) = Ws::connect(&app, &sam).await;
    assert_eq!(ready["rooms"][0]["room_id"], room_id.as_str());
    s.say(&room_id, "m1", "hello, is anyone there?").await;
    assert_eq!(
        s.next_of("message").await["body"],
        "hello, is anyone there?"
    );
    let first = v.next_of("message").await;
    assert_eq!(first["body"], "hello, is anyone there?");
    assert_eq!(first["sender"]["id"], sam.id.as_str());
    v.say(&room_id, "v1", "Hi Sam, I'm here.").await;
    let ack = v.next_of("ack").await;
    assert_eq!(ack["client_id"], "v1");
    assert_eq!(s.next_of("message").await["body"], "Hi Sam, I'm here.");
}
both_backends!(
    a_connected_volunteer_joins_a_one_to_one_live,
    crate::matching::manual_ticks
);

async fn silent_connections_are_reaped(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    // Ann's client reads (and so answers the server's pings); Bob's has vanished (no reads,
    // no pongs: a half-open connection).
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let (_b, _) = Ws::connect(&app, &bob).await;
    let seen = a.drain(Duration::from_millis(1500)).await;
    assert!(
        seen.iter().all(|e| !matches!(e, Event::Closed(..))),
        "a live client stays: {seen:?}"
    );
    assert_eq!(app.state.sockets.connections_of(&ann.id), 1);
    assert_eq!(
        app.state.sockets.connections_of(&bob.id),
        0,
        "the silent one was closed after the idle timeout"
    );
}
both_backends!(silent_connections_are_reaped, |s| {
    s.ws_ping_interval = std::time::Duration::from_millis(100);
    s.ws_idle_timeout = std::time::Duration::from_millis(400);
});

async fn blocking_hides_messages_at_once(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let cat = app.signup("Cat").await;
    let id = room(&app, "group", &[&ann, &bob, &cat]).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let (mut b, _) = Ws::connect(&app, &bob).await;
    let (mut c, _) = Ws::connect(&app, &cat).await;
    let r = app
        .put_auth(
            &format!("/api/v1/blocks/{}", bob.id),
            &ann.access,
            &json!({}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());

    b.say(&id, "b1", "from Bob").await;
    b.next_of("ack").await;
    c.say(&id, "c1", "from Cat").await;
    // Ann's socket skips Bob's message without a gap; Cat (who blocked nobody) gets both.
    let got = messages(&mut a, &id, 1).await;
    assert_eq!(got[0]["body"], "from Cat");
    assert_eq!(got[0]["seq"], 2);
    assert_eq!(seqs(&messages(&mut c, &id, 2).await), vec![1, 2]);
    let page: Value = app
        .get_auth(&format!("/api/v1/rooms/{id}/messages"), &ann.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seqs(page["messages"].as_array().unwrap()), vec![2]);
    // Bob sees nothing that reveals the block: his send was acked like any other.

    let r = app
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/blocks/{}", bob.id),
            &ann.access,
            json!({}),
        )
        .await;
    assert!(r.status().is_success());
    b.say(&id, "b2", "Bob again").await;
    assert_eq!(messages(&mut a, &id, 1).await[0]["body"], "Bob again");
}
both_backends!(blocking_hides_messages_at_once);

async fn an_expired_token_closes_the_socket(app: TestApp) {
    let ann = app.signup("Ann").await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    app.clock.advance(Duration::from_secs(16 * 60));
    assert_eq!(a.closed().await, (1008, "token_expired".into()));
}
both_backends!(an_expired_token_closes_the_socket, |s| {
    s.ws_ping_interval = std::time::Duration::from_millis(100);
});

/// A raw TCP client: the upgrade by hand, then frames written byte by byte (T16).
mod raw {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    pub async fn upgraded(port: u16, token: &str) -> TcpStream {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let req = format!(
            "GET /api/v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n"
        );
        s.write_all(req.as_bytes()).await.unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            s.read_exact(&mut byte).await.unwrap();
            head.push(byte[0]);
        }
        assert!(
            head.starts_with(b"HTTP/1.1 101"),
            "{}",
            String::from_utf8_lossy(&head)
        );
        s
    }

    /// A client frame: FIN + opcode, masked with a zero key unless `masked` is false.
    pub fn frame(first: u8, payload: &[u8], masked: bool) -> Vec<u8> {
        let mut f = vec![first];
        let mask_bit = if masked { 0x80 } else { 0 };
        match payload.len() {
            n if n < 126 => f.push(mask_bit | n as u8),
            n if n < 65536 => {
                f.push(mask_bit | 126);
                f.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                f.push(mask_bit | 127);
                f.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        if masked {
            f.extend_from_slice(&[0, 0, 0, 0]);
        }
        f.extend_from_slice(payload);
        f
    }

    /// Reads server frames until a close; returns its code (None if the socket just ended).
    pub async fn close_code(s: &mut TcpStream) -> Option<u16> {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            // Parse whole frames from the front of the buffer.
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
                    return (len >= 2).then(|| u16::from_be_bytes([buf[off], buf[off + 1]]));
                }
                buf.drain(..off + len);
            }
            let n = tokio::time::timeout(std::time::Duration::from_secs(10), s.read(&mut chunk))
                .await
                .expect("the server answers")
                .unwrap_or(0);
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
    }
}

async fn malformed_frames_on_the_wire(app: TestApp) {
    use tokio::io::AsyncWriteExt;
    let ann = app.signup("Ann").await;
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        (
            "invalid UTF-8 in a text frame",
            raw::frame(0x81, &[0x7b, 0xff, 0xfe, 0x7d], true),
            1007,
        ),
        (
            "unmasked client frame",
            raw::frame(0x81, br#"{"type":"ping"}"#, false),
            1002,
        ),
        ("reserved opcode 0x3", raw::frame(0x83, b"x", true), 1002),
        (
            "continuation without a start",
            raw::frame(0x80, b"x", true),
            1002,
        ),
        (
            "a 2^63 length",
            {
                let mut f = vec![0x81, 0x80 | 127];
                f.extend_from_slice(&(1u64 << 63).to_be_bytes());
                f.extend_from_slice(&[0, 0, 0, 0]);
                f
            },
            1009,
        ),
    ];
    for (what, bytes, code) in cases {
        let mut s = raw::upgraded(app.port, &ann.access).await;
        s.write_all(&bytes).await.unwrap();
        assert_eq!(raw::close_code(&mut s).await, Some(code), "{what}");
    }
    // The server is still up and serving.
    assert_eq!(app.get("/readyz").await.status(), 200);
    let (mut ok, _) = Ws::connect(&app, &ann).await;
    ok.send(&json!({"type": "ping"})).await;
    ok.next_of("pong").await;
}
both_backends!(malformed_frames_on_the_wire);
