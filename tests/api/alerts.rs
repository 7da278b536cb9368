//! The alert desk (SAFE-SG-4, SAFE-SG-9, T35, T32's "alert reaches online moderators"), on
//! both backends with the real SMTP sink, a real webhook listener and the movable clock: the
//! queue and its context, acknowledge and resolve, escalation once per level across a restart
//! and two instances, the signed webhook and its retries, stats and the histogram, and a
//! volunteer's escalation.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::webhook::{Hook, WebhookSink};
use crate::support::ws::Ws;
use crate::support::{Account, MAIL_WAIT, TestApp, assert_problem};

const ONCALL: &str = "oncall@example.org";
const SECRET: &str = "the paging webhook's secret, 32+ bytes long";
/// Long enough for several escalation passes (50 ms) and webhook polls (100 ms).
const QUIET: Duration = Duration::from_millis(700);
const RED: Duration = Duration::from_secs(300);

/// Settings for the alert desk under test: a fast escalation worker, an on-call address and
/// the webhook pointed at this test's listener.
pub fn desk(url: String) -> impl FnOnce(&mut kindred::config::Settings) {
    move |s| {
        s.alerts.escalation_interval = Duration::from_millis(50);
        s.alerts.oncall = vec![ONCALL.to_string()];
        s.alerts.webhook_url = Some(url);
        s.alerts.webhook_secret = SECRET.as_bytes().to_vec();
    }
}

/// `async fn name(app, hook)` once per backend, the app's webhook pointed at `hook`; the
/// settings are `desk`'s unless another function of the URL is named.
macro_rules! with_desk {
    ($name:ident) => {
        with_desk!($name, desk);
    };
    ($name:ident, $settings:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let hook = crate::support::webhook::WebhookSink::start().await;
                let app = crate::support::TestApp::spawn_with(
                    crate::support::Backend::Sqlite,
                    super::$settings(hook.url()),
                )
                .await;
                super::$name(app, hook).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if crate::support::postgres_base_url().is_some() {
                    let hook = crate::support::webhook::WebhookSink::start().await;
                    let app = crate::support::TestApp::spawn_with(
                        crate::support::Backend::Postgres,
                        super::$settings(hook.url()),
                    )
                    .await;
                    super::$name(app, hook).await;
                }
            }
        }
    };
}

/// A room whose people have these room roles (`member`, `facilitator`).
async fn room_with(app: &TestApp, people: &[(&Account, &str)]) -> String {
    let people: Vec<(String, String)> = people
        .iter()
        .map(|(a, r)| (a.id.clone(), r.to_string()))
        .collect();
    let now = app.state.clock.now_naive();
    app.db(move |c| {
        let id = kindred::domain::new_id();
        kindred::db::rooms::insert(
            c,
            &kindred::db::rooms::Room {
                id: id.clone(),
                kind: "group".into(),
                focus_condition: "lungs.copd".into(),
                max_size: 8,
                created_at: now,
                ended_at: None,
                last_seq: 0,
            },
        )
        .unwrap();
        for (u, role) in &people {
            kindred::db::rooms::add_member(c, &id, u, role, now).unwrap();
        }
        id
    })
    .await
}

/// Posts a message; returns its id.
async fn say(app: &TestApp, who: &Account, room: &str, body: &str) -> String {
    let r = app
        .post_auth(
            &format!("/api/v1/rooms/{room}/messages"),
            &who.access,
            &json!({"client_id": kindred::domain::new_id(), "body": body}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    v["id"].as_str().unwrap().to_string()
}

/// The alert a message raised.
async fn alert_of(app: &TestApp, message: &str) -> String {
    let m = message.to_string();
    let rows = app
        .db(move |c| kindred::db::messages::alerts_for_message(c, &m).unwrap())
        .await;
    assert_eq!(rows.len(), 1, "one alert for the message");
    rows[0].0.clone()
}

fn escalations(app: &TestApp) -> Vec<String> {
    app.smtp
        .all_for(ONCALL)
        .into_iter()
        .map(|m| m.subject)
        .collect()
}

fn levels(hooks: &[Hook]) -> Vec<i64> {
    hooks
        .iter()
        .map(|h| h.json()["level"].as_i64().unwrap())
        .collect()
}

async fn audit_actions(app: &TestApp, alert: &str) -> Vec<String> {
    let a = alert.to_string();
    let mut rows = app
        .db(move |c| kindred::db::audit::for_target(c, &a).unwrap())
        .await;
    rows.reverse();
    rows.into_iter().map(|r| r.action).collect()
}

async fn get_json(app: &TestApp, path: &str, who: &Account) -> Value {
    let r = app.get_auth(path, &who.access).await;
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

async fn a_red_alert_left_alone_escalates_once_per_level_across_a_restart(
    app: TestApp,
    hook: WebhookSink,
) {
    let mo = app.staff("Moira", "moderator").await;
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let room = room_with(&app, &[(&ann, "member"), (&bob, "member")]).await;
    let (mut m, _) = Ws::connect(&app, &mo).await;

    // T32: the alert reaches the online moderator within 5 s.
    let sent = Instant::now();
    let msg = say(&app, &ann, &room, "some days I think I want to kill myself").await;
    let frame = m.next_of("safety_alert").await;
    let reached = sent.elapsed();
    assert!(reached < Duration::from_secs(5), "{reached:?}");
    println!("figure: safety_alert reached the online moderator in {reached:?}");
    assert_eq!(frame["kind"], "crisis");
    assert_eq!(frame["message_id"], msg.as_str());
    let alert = alert_of(&app, &msg).await;
    assert!(app.smtp.wait_for(&mo.email, MAIL_WAIT).await.is_some());

    // Before the target nothing escalates.
    app.clock.advance(RED - Duration::from_secs(2));
    tokio::time::sleep(QUIET).await;
    assert!(escalations(&app).is_empty());
    assert!(hook.received().is_empty());

    // A second instance on the same database: two escalation workers race for level 1.
    let twin = app.spawn_beside(desk(hook.url())).await;
    app.clock.advance(Duration::from_secs(3));
    let subject = "Kindred safety alert (red) not acknowledged: escalation 1";
    assert!(
        app.smtp
            .wait_for_subject(ONCALL, subject, MAIL_WAIT)
            .await
            .is_some(),
        "level 1 reaches the on-call list"
    );
    let hooks = hook.wait_for(1, MAIL_WAIT).await.expect("level 1 webhook");
    tokio::time::sleep(QUIET).await;
    assert_eq!(escalations(&app), vec![subject.to_string()], "level 1 once");
    assert_eq!(levels(&hook.received()), vec![1], "one webhook for level 1");
    let h = &hooks[0];
    assert_eq!(h.method, "POST");
    assert_eq!(
        h.header("x-kindred-signature").unwrap(),
        kindred::moderation::alerts::sign(SECRET.as_bytes(), &h.body),
        "signed over the exact body"
    );
    assert_eq!(h.json()["alert_id"], alert.as_str());
    assert_eq!(h.json()["severity"], "red");
    assert!(
        !String::from_utf8_lossy(&h.body).contains("kill"),
        "no text"
    );

    // A restart: both instances stop, a new one starts on the same database. It does not
    // repeat level 1, and sends level 2 once at twice the target.
    app.stop().await;
    twin.stop().await;
    drop(twin);
    let next = app.spawn_beside(desk(hook.url())).await;
    tokio::time::sleep(QUIET).await;
    assert_eq!(
        escalations(&app).len(),
        1,
        "level 1 not repeated after the restart"
    );
    app.clock.advance(RED);
    let subject2 = "Kindred safety alert (red) not acknowledged: escalation 2";
    assert!(
        app.smtp
            .wait_for_subject(ONCALL, subject2, MAIL_WAIT)
            .await
            .is_some()
    );
    hook.wait_for(2, MAIL_WAIT).await.expect("level 2 webhook");
    tokio::time::sleep(QUIET).await;
    assert_eq!(escalations(&app).len(), 2);
    assert_eq!(levels(&hook.received()), vec![1, 2]);

    // Acknowledgement stops it.
    app.clock.advance(Duration::from_secs(30));
    let r = next
        .post_auth(
            &format!("/api/v1/moderation/alerts/{alert}/acknowledge"),
            &mo.access,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "acknowledged");
    assert_eq!(v["escalation_level"], 2);
    assert_eq!(v["breached"], true);
    // The time to acknowledge, in the stats and in the histogram.
    let stats = get_json(&next, "/api/v1/moderation/stats", &mo).await;
    let red = &stats["red"];
    assert_eq!(red["acknowledged"], 1);
    assert_eq!(red["breaches"], 1);
    assert_eq!(red["target_seconds"], 300);
    let p50 = red["p50_seconds"].as_f64().unwrap();
    assert!((631.0..640.0).contains(&p50), "{p50}");
    assert_eq!(stats["moderators"][0]["moderator_id"], mo.id.as_str());
    assert_eq!(stats["moderators"][0]["acknowledged"], 1);
    println!("figure: red alert left alone, acknowledged after {p50} s at escalation level 2");
    let metrics = next.get("/metrics").await.text().await.unwrap();
    let n = "kindred_alert_time_to_acknowledge_seconds";
    assert!(
        metrics.contains(&format!("{n}_count{{severity=\"red\"}} 1")),
        "{metrics}"
    );
    assert!(metrics.contains(&format!("{n}_bucket{{severity=\"red\",le=\"600\"}} 0")));
    assert!(metrics.contains(&format!("{n}_bucket{{severity=\"red\",le=\"1800\"}} 1")));

    // Acknowledgement stopped it: nothing more, however long.
    app.clock.advance(RED * 4);
    tokio::time::sleep(QUIET).await;
    assert_eq!(
        escalations(&app).len(),
        2,
        "no escalation after acknowledgement"
    );
    assert_eq!(hook.received().len(), 2);
    assert_eq!(
        audit_actions(&app, &alert).await,
        [
            "alert_raised",
            "alert_escalated",
            "alert_escalated",
            "alert_acknowledged"
        ]
    );
}
with_desk!(a_red_alert_left_alone_escalates_once_per_level_across_a_restart);

async fn an_alert_is_acknowledged_then_resolved_and_wrong_steps_are_refused(
    app: TestApp,
    hook: WebhookSink,
) {
    let mo = app.staff("Moira", "moderator").await;
    // On shift with a socket open, so the shift lasts the whole test.
    let (_moira_ws, _) = crate::support::ws::Ws::connect(&app, &mo).await;
    let r = app
        .put_auth("/api/v1/moderation/shift", &mo.access, &json!({"on": true}))
        .await;
    assert_eq!(r.status(), 200);
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let room = room_with(&app, &[(&ann, "member"), (&bob, "member")]).await;
    let first = alert_of(&app, &say(&app, &ann, &room, "I want to kill myself").await).await;
    let second = alert_of(&app, &say(&app, &ann, &room, "I want to end my life").await).await;
    let ack = |id: &str| format!("/api/v1/moderation/alerts/{id}/acknowledge");
    let resolve = |id: &str| format!("/api/v1/moderation/alerts/{id}/resolve");
    let done = json!({"outcome": "support_offered", "note": "Spoke with Ann; she has a plan for tonight."});

    // Only staff.
    let r = app.post_auth(&ack(&first), &ann.access, &json!({})).await;
    assert_problem(r, 403, "insufficient_role").await;
    let r = app.get_auth("/api/v1/moderation/alerts", &ann.access).await;
    assert_problem(r, 403, "insufficient_role").await;
    let r = app.get_auth("/api/v1/moderation/stats", &ann.access).await;
    assert_problem(r, 403, "insufficient_role").await;
    let r = app
        .post_auth(&ack(&kindred::domain::new_id()), &mo.access, &json!({}))
        .await;
    assert_problem(r, 404, "not_found").await;

    // Resolving before acknowledging is refused.
    let r = app.post_auth(&resolve(&first), &mo.access, &done).await;
    assert_problem(r, 409, "alert_not_acknowledged").await;

    app.clock.advance(Duration::from_secs(45));
    let r = app.post_auth(&ack(&first), &mo.access, &json!({})).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["acknowledged_by"], mo.id.as_str());
    assert_eq!(v["breached"], false);
    let r = app.post_auth(&ack(&first), &mo.access, &json!({})).await;
    assert_problem(r, 409, "alert_already_acknowledged").await;

    for (body, code) in [
        (json!({"outcome": "sorted", "note": "x"}), "invalid_outcome"),
        (
            json!({"outcome": "signposted", "note": "  "}),
            "invalid_note",
        ),
        (
            json!({"outcome": "signposted", "note": "x".repeat(2001)}),
            "invalid_note",
        ),
        (json!({"outcome": "signposted"}), "invalid_body"),
    ] {
        let r = app.post_auth(&resolve(&first), &mo.access, &body).await;
        assert_problem(r, 422, code).await;
    }
    let r = app.post_auth(&resolve(&first), &mo.access, &done).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "resolved");
    assert_eq!(v["outcome"], "support_offered");
    assert_eq!(v["resolved_by"], mo.id.as_str());
    let r = app.post_auth(&resolve(&first), &mo.access, &done).await;
    assert_problem(r, 409, "alert_already_resolved").await;
    let r = app.post_auth(&ack(&first), &mo.access, &json!({})).await;
    assert_problem(r, 409, "alert_already_resolved").await;
    assert_eq!(
        audit_actions(&app, &first).await,
        ["alert_raised", "alert_acknowledged", "alert_resolved"]
    );

    // The second is acknowledged late, at 400 s: a breach, after level 1 went out.
    app.clock.advance(Duration::from_secs(355));
    hook.wait_for(1, MAIL_WAIT)
        .await
        .expect("the second alert escalates");
    let r = app.post_auth(&ack(&second), &mo.access, &json!({})).await;
    assert_eq!(r.status(), 200);
    let s = get_json(&app, "/api/v1/moderation/stats?days=7", &mo).await;
    assert_eq!(s["window_days"], 7);
    let red = &s["red"];
    assert_eq!(
        (red["raised"].as_i64(), red["acknowledged"].as_i64()),
        (Some(2), Some(2))
    );
    assert_eq!(red["breaches"], 1);
    let (p50, p90, max) = (
        red["p50_seconds"].as_f64().unwrap(),
        red["p90_seconds"].as_f64().unwrap(),
        red["max_seconds"].as_f64().unwrap(),
    );
    assert!((45.0..50.0).contains(&p50), "{p50}");
    assert!(
        (400.0..405.0).contains(&p90) && (400.0..405.0).contains(&max),
        "{p90} {max}"
    );
    println!("figure: red p50 {p50} s, p90 {p90} s, max {max} s, breaches 1 of 2");
    assert_eq!(s["moderators"][0]["acknowledged"], 2);
    assert_eq!(s["moderators"][0]["resolved"], 1);
    // SAFE-SG-9: the same work, counted in the shift it was done in.
    let shifts = s["shifts"].as_array().unwrap();
    assert_eq!(shifts.len(), 1, "{s}");
    assert_eq!(shifts[0]["moderator_id"], mo.id.as_str());
    assert_eq!(
        (&shifts[0]["acknowledged"], &shifts[0]["resolved"]),
        (&json!(2), &json!(1))
    );
    assert!(shifts[0]["ended_at"].is_null());
    assert_eq!(s["amber"]["raised"], 0);
    let r = app
        .get_auth("/api/v1/moderation/stats?days=0", &mo.access)
        .await;
    assert_problem(r, 400, "invalid_days").await;
    let metrics = app.get("/metrics").await.text().await.unwrap();
    let n = "kindred_alert_time_to_acknowledge_seconds";
    assert!(metrics.contains(&format!("{n}_bucket{{severity=\"red\",le=\"60\"}} 1")));
    assert!(metrics.contains(&format!("{n}_bucket{{severity=\"red\",le=\"600\"}} 2")));
}
with_desk!(an_alert_is_acknowledged_then_resolved_and_wrong_steps_are_refused);

async fn the_queue_shows_open_red_first_with_its_context_and_pages_by_cursor(
    app: TestApp,
    _hook: WebhookSink,
) {
    let mo = app.staff("Moira", "moderator").await;
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let vic = app.signup("Vic").await;
    let room = room_with(
        &app,
        &[(&ann, "member"), (&bob, "member"), (&vic, "facilitator")],
    )
    .await;
    for i in 0..4 {
        say(&app, &bob, &room, &format!("before {i}")).await;
    }
    let early_red = alert_of(&app, &say(&app, &ann, &room, "I want to kill myself").await).await;
    for i in 0..4 {
        say(&app, &bob, &room, &format!("after {i}")).await;
    }
    app.clock.advance(Duration::from_secs(1));
    let amber = alert_of(&app, &say(&app, &ann, &room, "I keep hurting myself").await).await;
    app.clock.advance(Duration::from_secs(1));
    let late_red = alert_of(&app, &say(&app, &ann, &room, "I want to end my life").await).await;
    let r = app
        .post_auth(
            &format!("/api/v1/moderation/alerts/{early_red}/acknowledge"),
            &mo.access,
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    // A prior action against Ann, as the actions service would record it.
    let (ann_id, mo_id, now) = (ann.id.clone(), mo.id.clone(), app.state.clock.now_naive());
    app.db(move |c| {
        kindred::db::moderation_actions::insert(
            c,
            &kindred::db::moderation_actions::NewAction {
                id: &kindred::domain::new_id(),
                kind: "warn",
                actor_id: &mo_id,
                target_user_id: &ann_id,
                room_id: None,
                message_id: None,
                category: Some("spam"),
                reason: "links to a shop",
                source_type: None,
                source_id: None,
                until: None,
                created_at: now,
            },
        )
        .unwrap()
    })
    .await;

    // Open before acknowledged; red before amber; oldest first — one per page.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/moderation/alerts?limit=1&cursor={c}"),
            None => "/api/v1/moderation/alerts?limit=1".to_string(),
        };
        let page = get_json(&app, &path, &mo).await;
        let items = page["alerts"].as_array().unwrap().clone();
        assert_eq!(items.len(), 1);
        seen.push(items[0].clone());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let ids: Vec<&str> = seen.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [late_red.as_str(), amber.as_str(), early_red.as_str()]);
    let early = &seen[2];
    assert_eq!(early["status"], "acknowledged");
    assert_eq!(early["kind"], "crisis");
    assert_eq!(early["room"]["kind"], "group");
    assert_eq!(early["message"]["body"], "I want to kill myself");
    let around: Vec<&str> = early["context"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        around,
        [
            "before 1", "before 2", "before 3", "after 0", "after 1", "after 2"
        ]
    );
    assert_eq!(early["prior_actions"][0]["kind"], "warn");
    assert_eq!(early["prior_actions"][0]["reason"], "links to a shop");
    assert!(early["due_at"].is_string());
    // Reading context is audited, per alert, for the reader.
    let a = early_red.clone();
    let reads = app
        .db(move |c| kindred::db::audit::for_target(c, &a).unwrap())
        .await
        .into_iter()
        .filter(|e| e.action == "alert_context_read")
        .collect::<Vec<_>>();
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].actor_id.as_deref(), Some(mo.id.as_str()));

    let open = get_json(&app, "/api/v1/moderation/alerts?status=acknowledged", &mo).await;
    assert_eq!(open["alerts"].as_array().unwrap().len(), 1);
    for (q, code) in [
        ("cursor=not-a-cursor", "invalid_cursor"),
        ("limit=0", "invalid_limit"),
        ("status=pending", "invalid_status"),
        ("colour=red", "invalid_query"),
    ] {
        let r = app
            .get_auth(&format!("/api/v1/moderation/alerts?{q}"), &mo.access)
            .await;
        let status = if code == "invalid_query" { 422 } else { 400 };
        assert_problem(r, status, code).await;
    }
}
with_desk!(the_queue_shows_open_red_first_with_its_context_and_pages_by_cursor);

async fn a_volunteer_escalates_to_an_amber_alert_and_others_cannot(
    app: TestApp,
    hook: WebhookSink,
) {
    let mo = app.staff("Moira", "moderator").await;
    let ann = app.signup("Ann").await;
    let vic = app.signup("Vic").await;
    let carl = app.signup("Carl").await;
    let room = room_with(&app, &[(&ann, "member"), (&vic, "facilitator")]).await;
    let other = room_with(&app, &[(&carl, "member"), (&vic, "facilitator")]).await;
    let msg = say(&app, &ann, &room, "It has been a rough week for me").await;
    let elsewhere = say(&app, &carl, &other, "hello").await;
    let (mut m, _) = Ws::connect(&app, &mo).await;
    let path = format!("/api/v1/rooms/{room}/escalate");
    let why = json!({"reason": "Ann has gone quiet after a worrying message", "message_id": msg});

    // Not staff of the room: a member is told why, a stranger finds no room.
    let r = app.post_auth(&path, &ann.access, &why).await;
    assert_problem(r, 403, "not_room_staff").await;
    let r = app.post_auth(&path, &carl.access, &why).await;
    assert_problem(r, 404, "not_found").await;
    let r = app
        .post_auth(
            &format!("/api/v1/rooms/{}/escalate", kindred::domain::new_id()),
            &vic.access,
            &why,
        )
        .await;
    assert_problem(r, 404, "not_found").await;
    for (body, code) in [
        (json!({"reason": " "}), "invalid_reason"),
        (json!({"reason": "x".repeat(1001)}), "invalid_reason"),
        (
            json!({"reason": "look", "message_id": elsewhere}),
            "invalid_message_id",
        ),
        (
            json!({"reason": "look", "message_id": "nope"}),
            "invalid_message_id",
        ),
        (json!({"why": "look"}), "invalid_body"),
    ] {
        let r = app.post_auth(&path, &vic.access, &body).await;
        assert_problem(r, 422, code).await;
    }

    let r = app.post_auth(&path, &vic.access, &why).await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["kind"], "volunteer_escalation");
    assert_eq!(v["severity"], "amber");
    assert_eq!(v["status"], "open");
    assert_eq!(v["raised_by"], vic.id.as_str());
    let id = v["id"].as_str().unwrap().to_string();
    let created = chrono::DateTime::parse_from_rfc3339(v["created_at"].as_str().unwrap()).unwrap();
    let due = chrono::DateTime::parse_from_rfc3339(v["due_at"].as_str().unwrap()).unwrap();
    assert_eq!((due - created).num_seconds(), 3600, "the amber target");
    // Online moderators get the same frame; every moderator is emailed.
    let frame = m.next_of("safety_alert").await;
    assert_eq!(frame["alert_id"], id.as_str());
    assert_eq!(frame["kind"], "volunteer_escalation");
    assert_eq!(frame["severity"], "amber");
    assert_eq!(frame["message_id"], msg.as_str());
    let mail = app.smtp.wait_for(&mo.email, MAIL_WAIT).await.expect("mail");
    assert!(mail.subject.contains("(amber)"), "{}", mail.subject);
    assert!(!mail.text.contains("worrying"), "no reason in the email");

    // In the queue, amber, with the reason, the message and its context.
    let q = get_json(&app, "/api/v1/moderation/alerts", &mo).await;
    let item = &q["alerts"][0];
    assert_eq!(item["id"], id.as_str());
    assert_eq!(
        item["reason"],
        "Ann has gone quiet after a worrying message"
    );
    assert_eq!(item["message"]["body"], "It has been a rough week for me");

    // Without a message: about the room as a whole.
    let r = app
        .post_auth(
            &path,
            &vic.access,
            &json!({"reason": "the room feels unsafe tonight"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let frame = m.next_of("safety_alert").await;
    assert_eq!(frame["message_id"], Value::Null);

    // The same target: at 60 minutes it escalates like any amber alert.
    app.clock.advance(Duration::from_secs(3599));
    tokio::time::sleep(QUIET).await;
    assert!(hook.received().is_empty());
    app.clock.advance(Duration::from_secs(2));
    let hooks = hook.wait_for(1, MAIL_WAIT).await.expect("escalated");
    assert_eq!(hooks[0].json()["kind"], "volunteer_escalation");
    assert!(
        app.smtp
            .wait_for_subject(
                ONCALL,
                "Kindred safety alert (amber) not acknowledged: escalation 1",
                MAIL_WAIT
            )
            .await
            .is_some()
    );
    assert_eq!(
        audit_actions(&app, &id).await,
        ["alert_raised", "alert_context_read", "alert_escalated"]
    );
}
with_desk!(a_volunteer_escalates_to_an_amber_alert_and_others_cannot);

async fn a_refused_webhook_is_retried_with_the_same_delivery_id(app: TestApp, hook: WebhookSink) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let room = room_with(&app, &[(&ann, "member"), (&bob, "member")]).await;
    let alert = alert_of(&app, &say(&app, &ann, &room, "I want to kill myself").await).await;
    hook.set_status(503);
    app.clock.advance(RED + Duration::from_secs(1));
    hook.wait_for(1, MAIL_WAIT).await.expect("first attempt");
    tokio::time::sleep(QUIET).await;
    assert_eq!(hook.received().len(), 1, "the retry waits for its backoff");
    hook.set_status(204);
    app.clock.advance(Duration::from_secs(6));
    let hooks = hook.wait_for(2, MAIL_WAIT).await.expect("retried");
    assert_eq!(
        hooks[0].header("x-kindred-delivery"),
        hooks[1].header("x-kindred-delivery")
    );
    assert_eq!(hooks[0].body, hooks[1].body);
    tokio::time::sleep(QUIET).await;
    assert_eq!(hook.received().len(), 2, "delivered once accepted");
    let a = alert.clone();
    let rows = app
        .db(move |c| kindred::db::webhook_outbox::for_alert(c, &a).unwrap())
        .await;
    assert_eq!(rows, [(1, true)]);
}
with_desk!(a_refused_webhook_is_retried_with_the_same_delivery_id);

fn by_hand(url: String) -> impl FnOnce(&mut kindred::config::Settings) {
    move |s| {
        desk(url)(s);
        s.alerts.escalation_worker = false;
    }
}

fn escalator(app: &TestApp) -> kindred::moderation::alerts::Escalator {
    kindred::moderation::alerts::Escalator {
        db: app.state.db.clone(),
        clock: app.state.clock.clone(),
        settings: app.state.settings.alerts.clone(),
        public_url: app.state.settings.public_url.clone(),
        mail_wakeup: app.state.mail_wakeup.clone(),
        webhook_wakeup: std::sync::Arc::new(tokio::sync::Notify::new()),
    }
}

/// Two workers that read the same overdue alert: one claims the level, the other's
/// conditional update changes nothing, and one email and one webhook go out.
async fn two_workers_racing_for_one_level_send_it_once(app: TestApp, hook: WebhookSink) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let room = room_with(&app, &[(&ann, "member"), (&bob, "member")]).await;
    let alert = alert_of(&app, &say(&app, &ann, &room, "I want to kill myself").await).await;
    app.clock.advance(RED + Duration::from_secs(1));
    let (a, b) = (escalator(&app), escalator(&app));
    let (x, y) = tokio::join!(a.sweep(), b.sweep());
    assert_eq!(x.unwrap() + y.unwrap(), 1, "one of the two claims level 1");
    // A worker holding a stale read (level 0, due) loses its claim.
    let (id, now) = (alert.clone(), app.state.clock.now_naive());
    let stale = app
        .db(move |c| kindred::db::alerts::claim_escalation(c, &id, 0, 1, None, now).unwrap())
        .await;
    assert_eq!(stale, 0);
    assert_eq!(
        escalator(&app).sweep().await.unwrap(),
        0,
        "nothing more is due"
    );
    hook.wait_for(1, MAIL_WAIT).await.expect("webhook");
    assert!(app.smtp.wait_for(ONCALL, MAIL_WAIT).await.is_some());
    tokio::time::sleep(QUIET).await;
    assert_eq!(levels(&hook.received()), vec![1]);
    assert_eq!(escalations(&app).len(), 1);
}
with_desk!(two_workers_racing_for_one_level_send_it_once, by_hand);
