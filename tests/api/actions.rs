//! Moderation actions (issue 11 point 5, T12, T34's `message_hidden` within 1 s), on both
//! backends with real websocket clients and the real SMTP listener: hide and unhide, mute,
//! removal and re-matching, suspension, ban, who may act on whom, reasons, audit rows and
//! the audit route.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::both_backends;
use crate::matching::{ready_member, request, tick};
use crate::realtime::room;
use crate::support::ws::{Event, Ws};
use crate::support::{Account, MAIL_WAIT, TestApp, assert_problem};

/// POSTs a moderation action and returns the response.
pub async fn act(app: &TestApp, who: &Account, path: &str, body: Value) -> reqwest::Response {
    app.post_auth(&format!("/api/v1/moderation/{path}"), &who.access, &body)
        .await
}

/// POSTs a moderation action that must succeed; returns the stored action.
pub async fn acted(app: &TestApp, who: &Account, path: &str, body: Value) -> Value {
    let resp = act(app, who, path, body).await;
    let status = resp.status();
    let text = resp.text().await.unwrap();
    assert_eq!(status, 201, "{path}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// Sends on the socket and waits for its ack or error frame.
pub async fn say(ws: &mut Ws, room: &str, client_id: &str, body: &str) -> Value {
    ws.say(room, client_id, body).await;
    loop {
        match ws.next().await {
            Event::Frame(f)
                if (f["type"] == "ack" || f["type"] == "error") && f["client_id"] == client_id =>
            {
                return f;
            }
            Event::Frame(_) => {}
            Event::Closed(c, r) => panic!("closed {c} {r}"),
        }
    }
}

/// The next frame of `ty`, skipping everything else (errors included).
pub async fn frame_of(ws: &mut Ws, ty: &str) -> Value {
    loop {
        match ws.next().await {
            Event::Frame(f) if f["type"] == ty => return f,
            Event::Frame(_) => {}
            Event::Closed(c, r) => panic!("waiting for {ty}: closed {c} {r}"),
        }
    }
}

/// Audit rows about `target` (through the audit route, as a moderator reads them).
pub async fn audit_of(app: &TestApp, moderator: &Account, target: &str) -> Vec<Value> {
    let resp = app
        .get_auth(
            &format!("/api/v1/moderation/audit?target={target}&limit=200"),
            &moderator.access,
        )
        .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    body["entries"].as_array().unwrap().clone()
}

async fn history(app: &TestApp, who: &Account, room: &str) -> Vec<Value> {
    let resp = app
        .get_auth(&format!("/api/v1/rooms/{room}/messages"), &who.access)
        .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    body["messages"].as_array().unwrap().clone()
}

async fn a_hidden_message_disappears_from_every_live_view_and_from_history(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let mo = app.staff("Moe", "moderator").await;
    let id = room(&app, "pair", &[&ann, &bob]).await;
    let (mut a1, _) = Ws::connect(&app, &ann).await;
    let (mut a2, _) = Ws::connect(&app, &ann).await;
    let (mut b, _) = Ws::connect(&app, &bob).await;
    let ack = say(&mut a1, &id, "c1", "something unkind").await;
    assert_eq!(ack["type"], "ack");
    let msg_id = ack["id"].as_str().unwrap().to_string();
    say(&mut a1, &id, "c2", "and something fine").await;
    frame_of(&mut b, "message").await;

    // A moderator never edits member text: there is no route that could.
    let started = Instant::now();
    let action = acted(
        &app,
        &mo,
        &format!("messages/{msg_id}/hide"),
        json!({"reason": "Unkind to another member"}),
    )
    .await;
    assert_eq!(action["kind"], "hide");
    for ws in [&mut a1, &mut a2, &mut b] {
        let f = frame_of(ws, "message_hidden").await;
        assert_eq!(
            f,
            json!({"type": "message_hidden", "room_id": id, "id": msg_id})
        );
    }
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(1),
        "message_hidden took {took:?}"
    );
    println!("message_hidden reached 3 connections in {took:?} after the request");
    // The author is told why, on every connection.
    let n = frame_of(&mut a2, "moderation_notice").await;
    assert_eq!(n["kind"], "hide");
    assert_eq!(n["reason"], "Unkind to another member");
    assert_eq!(n["message_id"], msg_id.as_str());
    assert_eq!(n["action_id"], action["id"]);

    // History: hidden, in its seq slot, with no body; the other message untouched.
    for who in [&ann, &bob] {
        let h = history(&app, who, &id).await;
        assert_eq!(h.len(), 2);
        assert_eq!(h[0]["id"], msg_id.as_str());
        assert_eq!(h[0]["hidden"], true);
        assert_eq!(h[0]["body"], "");
        assert!(h[1].get("hidden").is_none());
        assert_eq!(h[1]["body"], "and something fine");
    }
    // The websocket replay (resume from 0) is the same.
    let (mut b2, _) = Ws::connect(&app, &bob).await;
    b2.send(&json!({"type": "resume", "rooms": {id.clone(): 0}}))
        .await;
    let replayed = frame_of(&mut b2, "message").await;
    assert_eq!(replayed["id"], msg_id.as_str());
    assert_eq!(replayed["hidden"], true);
    assert_eq!(replayed["body"], "");
    // The stored text is as written (the hide is a record beside it, not an edit).
    let stored = app
        .db({
            let m = msg_id.clone();
            move |c| kindred::db::messages::find(c, &m).unwrap().unwrap().body
        })
        .await;
    assert_eq!(stored, "something unkind");

    // Hiding twice is a conflict; unhiding restores it for everyone.
    assert_problem(
        act(
            &app,
            &mo,
            &format!("messages/{msg_id}/hide"),
            json!({"reason": "again"}),
        )
        .await,
        409,
        "already_hidden",
    )
    .await;
    acted(
        &app,
        &mo,
        &format!("messages/{msg_id}/unhide"),
        json!({"reason": "On review it was fine"}),
    )
    .await;
    let f = frame_of(&mut b, "message_restored").await;
    assert_eq!(f["id"], msg_id.as_str());
    assert_eq!(
        history(&app, &bob, &id).await[0]["body"],
        "something unkind"
    );

    let audit = audit_of(&app, &mo, &ann.id).await;
    let actions: Vec<&str> = audit
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["moderation.unhide", "moderation.hide"]);
    let hide = &audit[1];
    assert_eq!(hide["actor_id"], mo.id.as_str());
    assert_eq!(hide["target_id"], ann.id.as_str());
    assert_eq!(hide["reason"], "Unkind to another member");
    assert_eq!(hide["details"]["message_id"], msg_id.as_str());
    assert!(hide["created_at"].as_str().unwrap().ends_with('Z'));
}
both_backends!(a_hidden_message_disappears_from_every_live_view_and_from_history);

async fn a_muted_member_is_refused_with_until_on_both_doors(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let mo = app.staff("Moe", "moderator").await;
    let id = room(&app, "group", &[&ann, &bob]).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let action = acted(
        &app,
        &mo,
        &format!("rooms/{id}/members/{}/mute", ann.id),
        json!({"reason": "Cool off for a while", "minutes": 30}),
    )
    .await;
    let until = action["until"].as_str().unwrap().to_string();
    let n = frame_of(&mut a, "moderation_notice").await;
    assert_eq!(n["kind"], "mute");
    assert_eq!(n["until"], until.as_str());

    let refused = say(&mut a, &id, "m1", "let me speak").await;
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["code"], "muted");
    assert_eq!(refused["until"], until.as_str());
    let body = assert_problem(
        app.post_auth(
            &format!("/api/v1/rooms/{id}/messages"),
            &ann.access,
            &json!({"client_id": "h1", "body": "over http then"}),
        )
        .await,
        403,
        "muted",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains(&until));
    // Others still speak; nothing was stored for Ann.
    let (mut b, _) = Ws::connect(&app, &bob).await;
    assert_eq!(say(&mut b, &id, "b1", "hello").await["type"], "ack");
    assert_eq!(history(&app, &bob, &id).await.len(), 1);
    // Bad input.
    for bad in [json!({"reason": "x"}), json!({"reason": "x", "minutes": 0})] {
        assert_problem(
            act(
                &app,
                &mo,
                &format!("rooms/{id}/members/{}/mute", bob.id),
                bad,
            )
            .await,
            422,
            "invalid_minutes",
        )
        .await;
    }

    // The mute ends by itself.
    app.clock.advance(Duration::from_secs(31 * 60));
    let ann = app.signin(&ann.email, &ann.password, "Ann").await;
    let mo = app.signin_again(&mo).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    assert_eq!(say(&mut a, &id, "m2", "back again").await["type"], "ack");
    // Mute and unmute.
    acted(
        &app,
        &mo,
        &format!("rooms/{id}/members/{}/mute", ann.id),
        json!({"reason": "Again", "minutes": 60}),
    )
    .await;
    assert_eq!(say(&mut a, &id, "m3", "hm").await["code"], "muted");
    acted(
        &app,
        &mo,
        &format!("rooms/{id}/members/{}/unmute", ann.id),
        json!({"reason": "Lifted early"}),
    )
    .await;
    assert_eq!(say(&mut a, &id, "m4", "thanks").await["type"], "ack");
    assert_problem(
        act(
            &app,
            &mo,
            &format!("rooms/{id}/members/{}/unmute", ann.id),
            json!({"reason": "twice"}),
        )
        .await,
        409,
        "not_muted",
    )
    .await;
}
both_backends!(a_muted_member_is_refused_with_until_on_both_doors);

async fn a_removed_member_hears_removed_and_is_never_matched_with_that_room_again(app: TestApp) {
    let ann = ready_member(&app, "Ann").await;
    let bob = ready_member(&app, "Bob").await;
    let mo = app.staff("Moe", "moderator").await;
    assert_eq!(request(&app, &ann, "pair").await.status(), 201);
    assert_eq!(request(&app, &bob, "pair").await.status(), 201);
    assert_eq!(tick(&app).await.made, 1);
    let rooms: Value = app
        .get_auth("/api/v1/rooms", &ann.access)
        .await
        .json()
        .await
        .unwrap();
    let id = rooms["rooms"][0]["id"].as_str().unwrap().to_string();
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let (mut b, _) = Ws::connect(&app, &bob).await;

    acted(
        &app,
        &mo,
        &format!("rooms/{id}/members/{}/remove", ann.id),
        json!({"reason": "Repeated harassment in this room"}),
    )
    .await;
    let left = frame_of(&mut a, "room_left").await;
    assert_eq!(left["room_id"], id.as_str());
    assert_eq!(left["reason"], "removed");
    // A pair room ends with the removal, as with a leave.
    assert_eq!(frame_of(&mut b, "room_left").await["reason"], "ended");
    let mail = app
        .smtp
        .wait_for_subject(
            &ann.email,
            "You have been removed from a Kindred room",
            MAIL_WAIT,
        )
        .await
        .expect("removal email");
    assert!(mail.text.contains("Repeated harassment in this room"));
    assert_problem(
        app.get_auth(&format!("/api/v1/rooms/{id}/messages"), &ann.access)
            .await,
        404,
        "not_found",
    )
    .await;

    // Past the ordinary 90-day cool-down they would be paired again; the removal keeps them
    // apart for good.
    app.clock.advance(Duration::from_secs(91 * 24 * 3600));
    let ann = app.signin(&ann.email, &ann.password, "Ann").await;
    let bob = app.signin(&bob.email, &bob.password, "Bob").await;
    let cat = ready_member(&app, "Cat").await;
    assert_eq!(request(&app, &ann, "pair").await.status(), 201);
    assert_eq!(request(&app, &bob, "pair").await.status(), 201);
    let report = tick(&app).await;
    assert_eq!(report.made, 0, "{report:?}");
    // A newcomer is matched with one of them: the pool itself works.
    assert_eq!(request(&app, &cat, "pair").await.status(), 201);
    assert_eq!(tick(&app).await.made, 1);
}
both_backends!(
    a_removed_member_hears_removed_and_is_never_matched_with_that_room_again,
    crate::matching::manual_ticks
);

async fn a_suspended_person_signs_in_and_exports_but_cannot_send_or_be_matched(app: TestApp) {
    let ann = ready_member(&app, "Ann").await;
    let cat = ready_member(&app, "Cat").await;
    let bob = app.signup("Bob").await;
    let mo = app.staff("Moe", "moderator").await;
    let id = room(&app, "group", &[&ann, &bob]).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    // A request made before the suspension stays, but the pool leaves her out.
    assert_eq!(request(&app, &ann, "pair").await.status(), 201);
    let action = acted(
        &app,
        &mo,
        &format!("users/{}/suspend", ann.id),
        json!({"reason": "Spam links after a warning", "days": 7, "category": "spam"}),
    )
    .await;
    assert_eq!(action["category"], "spam");
    let until = action["until"].as_str().unwrap().to_string();
    assert_eq!(
        frame_of(&mut a, "moderation_notice").await["kind"],
        "suspend"
    );
    let mail = app
        .smtp
        .wait_for_subject(
            &ann.email,
            "Your Kindred account is suspended for a while",
            MAIL_WAIT,
        )
        .await
        .expect("suspension email");
    assert!(mail.text.contains("Spam links after a warning"));

    // Still signs in, reads and exports.
    let ann = app.signin(&ann.email, &ann.password, "Ann").await;
    assert_eq!(
        app.get_auth("/api/v1/me/export", &ann.access)
            .await
            .status(),
        200
    );
    assert_eq!(history(&app, &ann, &id).await.len(), 0);
    // But cannot send on either door, nor ask for a match.
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let refused = say(&mut a, &id, "s1", "hello?").await;
    assert_eq!(refused["code"], "suspended");
    assert_eq!(refused["until"], until.as_str());
    assert_problem(
        app.post_auth(
            &format!("/api/v1/rooms/{id}/messages"),
            &ann.access,
            &json!({"client_id": "s2", "body": "hello?"}),
        )
        .await,
        403,
        "suspended",
    )
    .await;
    assert_problem(request(&app, &ann, "group").await, 403, "suspended").await;
    assert_eq!(request(&app, &cat, "pair").await.status(), 201);
    assert_eq!(
        tick(&app).await.made,
        0,
        "a suspended person is not matched"
    );
    // Suspending a banned or missing account, or with bad days.
    assert_problem(
        act(
            &app,
            &mo,
            &format!("users/{}/suspend", bob.id),
            json!({"reason": "x", "days": 0}),
        )
        .await,
        422,
        "invalid_days",
    )
    .await;
    assert_problem(
        act(
            &app,
            &mo,
            &format!("users/{}/suspend", kindred::domain::new_id()),
            json!({"reason": "x", "days": 1}),
        )
        .await,
        404,
        "not_found",
    )
    .await;

    // It ends by itself.
    app.clock.advance(Duration::from_secs(7 * 24 * 3600 + 60));
    let ann = app.signin(&ann.email, &ann.password, "Ann").await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    assert_eq!(say(&mut a, &id, "s3", "back").await["type"], "ack");
}
both_backends!(
    a_suspended_person_signs_in_and_exports_but_cannot_send_or_be_matched,
    crate::matching::manual_ticks
);

async fn a_ban_closes_every_socket_at_once_and_refuses_refresh_and_sign_in(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let mo = app.staff("Moe", "moderator").await;
    let id = room(&app, "pair", &[&ann, &bob]).await;
    let (mut a1, _) = Ws::connect(&app, &ann).await;
    let (mut a2, _) = Ws::connect(&app, &ann).await;
    let (mut a3, _) = Ws::connect(&app, &ann).await;
    let (mut b, _) = Ws::connect(&app, &bob).await;
    let started = Instant::now();
    acted(
        &app,
        &mo,
        &format!("users/{}/ban", ann.id),
        json!({"reason": "Threats against another member", "category": "abuse_harassment"}),
    )
    .await;
    for ws in [&mut a1, &mut a2, &mut a3] {
        assert_eq!(ws.closed().await, (1008, "account_banned".to_string()));
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "closes took {took:?}");
    println!("a ban closed 3 connections in {took:?}");
    assert_eq!(frame_of(&mut b, "room_left").await["reason"], "ended");
    assert_eq!(app.state.sockets.connections_of(&ann.id), 0);

    assert_problem(
        app.post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": ann.refresh}),
        )
        .await,
        401,
        "session_revoked",
    )
    .await;
    assert_problem(
        app.login(&ann.email, &ann.password).await,
        403,
        "account_banned",
    )
    .await;
    assert_problem(
        app.get_auth("/api/v1/me", &ann.access).await,
        401,
        "session_revoked",
    )
    .await;
    let mail = app
        .smtp
        .wait_for_subject(
            &ann.email,
            "Your Kindred account has been banned",
            MAIL_WAIT,
        )
        .await
        .expect("ban email");
    assert!(mail.text.contains("Threats against another member"));
    assert!(!mail.text.contains("Bob"), "never who reported");
    assert_problem(
        act(
            &app,
            &mo,
            &format!("users/{}/ban", ann.id),
            json!({"reason": "twice"}),
        )
        .await,
        409,
        "already_banned",
    )
    .await;
    let _ = id;

    // Reinstated: signs in again.
    acted(
        &app,
        &mo,
        &format!("users/{}/reinstate", ann.id),
        json!({"reason": "Appeal by email accepted"}),
    )
    .await;
    assert_eq!(app.login(&ann.email, &ann.password).await.status(), 200);
    assert_problem(
        act(
            &app,
            &mo,
            &format!("users/{}/reinstate", ann.id),
            json!({"reason": "again"}),
        )
        .await,
        409,
        "nothing_to_reinstate",
    )
    .await;
    let audit = audit_of(&app, &mo, &ann.id).await;
    let actions: Vec<&str> = audit
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["moderation.reinstate", "moderation.ban"]);
}
both_backends!(a_ban_closes_every_socket_at_once_and_refuses_refresh_and_sign_in);

async fn nobody_acts_on_an_equal_or_higher_role_or_themselves_and_a_reason_is_required(
    app: TestApp,
) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let mo = app.staff("Moe", "moderator").await;
    let max = app.staff("Max", "moderator").await;
    let ada = app.staff("Ada", "admin").await;
    let vic = app.staff("Vic", "volunteer").await;
    let id = room(&app, "group", &[&ann, &bob]).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let msg = say(&mut a, &id, "c1", "hi").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let warn = |who: &Account| format!("users/{}/warn", who.id);

    for (actor, target, code) in [
        (&mo, &max, "equal_or_higher_role"),
        (&mo, &ada, "equal_or_higher_role"),
        (&ada, &ada, "own_account"),
        (&mo, &mo, "own_account"),
    ] {
        assert_problem(
            act(&app, actor, &warn(target), json!({"reason": "Because"})).await,
            403,
            code,
        )
        .await;
    }
    assert_problem(
        act(
            &app,
            &mo,
            &format!("users/{}/ban", ada.id),
            json!({"reason": "Because"}),
        )
        .await,
        403,
        "equal_or_higher_role",
    )
    .await;
    // A member cannot act at all; a volunteer only in a room they facilitate.
    assert_problem(
        act(&app, &bob, &warn(&ann), json!({"reason": "Because"})).await,
        403,
        "insufficient_role",
    )
    .await;
    assert_problem(
        act(
            &app,
            &bob,
            &format!("messages/{msg}/hide"),
            json!({"reason": "Because"}),
        )
        .await,
        403,
        "insufficient_role",
    )
    .await;
    assert_problem(
        act(
            &app,
            &vic,
            &format!("messages/{msg}/hide"),
            json!({"reason": "Because"}),
        )
        .await,
        403,
        "not_your_room",
    )
    .await;
    assert_problem(
        act(&app, &vic, &warn(&ann), json!({"reason": "Because"})).await,
        403,
        "insufficient_role",
    )
    .await;
    // No reason, or a blank one: problem+json.
    for body in [json!({}), json!({"reason": "   "}), json!({"reason": null})] {
        assert_problem(
            act(&app, &mo, &warn(&ann), body.clone()).await,
            422,
            "reason_required",
        )
        .await;
        assert_problem(
            act(&app, &mo, &format!("messages/{msg}/hide"), body).await,
            422,
            "reason_required",
        )
        .await;
    }
    assert_problem(
        act(&app, &mo, &warn(&ann), json!({"reason": "x".repeat(1001)})).await,
        422,
        "reason_too_long",
    )
    .await;
    assert_problem(
        act(
            &app,
            &mo,
            &warn(&ann),
            json!({"reason": "ok", "category": "rudeness"}),
        )
        .await,
        422,
        "invalid_category",
    )
    .await;
    assert_problem(
        act(
            &app,
            &mo,
            &warn(&ann),
            json!({"reason": "ok", "edit": "new text"}),
        )
        .await,
        422,
        "invalid_body",
    )
    .await;
    // Nothing refused left a trace.
    assert!(audit_of(&app, &ada, &ann.id).await.is_empty());

    // What is permitted: an admin on a moderator; a moderator warns a member, who hears it.
    acted(
        &app,
        &ada,
        &warn(&mo),
        json!({"reason": "Tone in the queue notes"}),
    )
    .await;
    let w = acted(
        &app,
        &mo,
        &warn(&ann),
        json!({"reason": "Please keep to the room's guidelines", "category": "abuse_harassment"}),
    )
    .await;
    let n = frame_of(&mut a, "moderation_notice").await;
    assert_eq!(n["kind"], "warn");
    assert_eq!(n["action_id"], w["id"]);
    let mail = app
        .smtp
        .wait_for_subject(
            &ann.email,
            "A warning from the Kindred moderators",
            MAIL_WAIT,
        )
        .await
        .expect("warning email");
    assert!(mail.text.contains("Please keep to the room's guidelines"));
    let stored = app
        .db({
            let a = ann.id.clone();
            move |c| kindred::db::moderation_actions::against(c, &a).unwrap()
        })
        .await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].category.as_deref(), Some("abuse_harassment"));
    assert_eq!(stored[0].actor_id, mo.id);
    let audit = audit_of(&app, &ada, &ann.id).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["action"], "moderation.warn");
    assert_eq!(audit[0]["actor_id"], mo.id.as_str());
    assert_eq!(audit[0]["reason"], "Please keep to the room's guidelines");
    assert_eq!(audit[0]["details"]["action_id"], w["id"]);
}
both_backends!(nobody_acts_on_an_equal_or_higher_role_or_themselves_and_a_reason_is_required);

async fn the_audit_route_filters_and_pages(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let mo = app.staff("Moe", "moderator").await;
    let max = app.staff("Max", "moderator").await;
    for i in 0..3 {
        acted(
            &app,
            &mo,
            &format!("users/{}/warn", ann.id),
            json!({"reason": format!("w{i}")}),
        )
        .await;
    }
    acted(
        &app,
        &max,
        &format!("users/{}/warn", bob.id),
        json!({"reason": "bw"}),
    )
    .await;
    acted(
        &app,
        &max,
        &format!("users/{}/suspend", ann.id),
        json!({"reason": "s", "days": 1}),
    )
    .await;
    let get = |q: String| {
        let app = &app;
        let mo = &mo;
        async move {
            let resp = app
                .get_auth(&format!("/api/v1/moderation/audit?{q}"), &mo.access)
                .await;
            assert_eq!(resp.status(), 200);
            resp.json::<Value>().await.unwrap()
        }
    };
    let reasons = |v: &Value| -> Vec<String> {
        v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["reason"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(
        // The moderator's own second-factor enrolment is audited too; the warnings are these.
        reasons(&get(format!("actor={}&action=moderation.warn", mo.id)).await),
        ["w2", "w1", "w0"]
    );
    assert_eq!(reasons(&get(format!("target={}", bob.id)).await), ["bw"]);
    assert_eq!(
        reasons(&get(format!("actor={}&target={}", max.id, ann.id)).await),
        ["s"]
    );
    assert_eq!(
        reasons(&get("action=moderation.suspend".into()).await),
        ["s"]
    );
    // Paging: two at a time over Ann's four, newest first, no repeats, no gaps.
    let mut seen = Vec::new();
    let mut q = format!("target={}&limit=2", ann.id);
    loop {
        let page = get(q.clone()).await;
        seen.extend(reasons(&page));
        match page["next"].as_str() {
            Some(next) => q = format!("target={}&limit=2&before={next}", ann.id),
            None => break,
        }
    }
    assert_eq!(seen, ["s", "w2", "w1", "w0"]);
    // Moderators and admins only; bad queries are problem+json.
    assert_problem(
        app.get_auth("/api/v1/moderation/audit", &ann.access).await,
        403,
        "insufficient_role",
    )
    .await;
    for (q, code) in [
        ("limit=0", "invalid_query"),
        ("limit=abc", "invalid_query"),
        ("actor=nope", "invalid_query"),
        ("colour=red", "invalid_query"),
    ] {
        assert_problem(
            app.get_auth(&format!("/api/v1/moderation/audit?{q}"), &mo.access)
                .await,
            422,
            code,
        )
        .await;
    }
    assert_problem(
        app.get_auth(
            &format!(
                "/api/v1/moderation/audit?before={}",
                kindred::domain::new_id()
            ),
            &mo.access,
        )
        .await,
        422,
        "invalid_cursor",
    )
    .await;
}
both_backends!(the_audit_route_filters_and_pages);
