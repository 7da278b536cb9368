//! Holds for review (SAFE-SG-2, SAFE-SG-8) over real websocket clients, on both backends: a
//! held message is acked `held` with a notice to its writer only and reaches nobody else, live,
//! in history or on resume; released, it takes the room's next seq and every member's seqs
//! stay contiguous (a member offline across the hold and the release included); rejected,
//! only the writer hears; personal information is warned about or held by policy; display
//! names that are contact details are refused.

use std::time::Duration;

use serde_json::{Value, json};

use crate::both_backends;
use crate::realtime::room;
use crate::support::ws::{Event, Open, Ws};
use crate::support::{Account, TestApp, assert_problem};

const METHOD_DETAIL: &str = "how many pills would it take to not wake up";
const SHORT: Duration = Duration::from_millis(400);

/// Every frame until things go quiet.
async fn frames(ws: &mut Ws) -> Vec<Value> {
    ws.drain(SHORT)
        .await
        .into_iter()
        .filter_map(|e| match e {
            // Presence comes and goes with connections; it is not what these tests read.
            Event::Frame(f) if f["type"] == "presence" => None,
            Event::Frame(f) => Some(f),
            Event::Closed(code, why) => panic!("closed {code} {why}"),
        })
        .collect()
}

/// The seqs of the `message` frames of `room` in `got`, and a check they are contiguous
/// from `from`.
fn contiguous(got: &[Value], room: &str, from: i64) -> Vec<i64> {
    let seqs: Vec<i64> = got
        .iter()
        .filter(|f| f["type"] == "message" && f["room_id"] == room)
        .map(|f| f["seq"].as_i64().expect("seq"))
        .collect();
    let want: Vec<i64> = (from..from + seqs.len() as i64).collect();
    assert_eq!(seqs, want, "contiguous seqs from {from}");
    seqs
}

async fn history(app: &TestApp, who: &Account, room: &str) -> Value {
    let r = app
        .get_auth(&format!("/api/v1/rooms/{room}/messages"), &who.access)
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn ids(page: &Value) -> Vec<String> {
    page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect()
}

async fn held_queue(app: &TestApp, mo: &Account) -> Value {
    let r = app.get_auth("/api/v1/moderation/held", &mo.access).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn a_held_message_is_released_into_the_next_seq_with_no_gap(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let cat = app.signup("Cat").await;
    let mo = app.staff("Moira", "moderator").await;
    let id = room(&app, "group", &[&ann, &bob, &cat]).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let (mut b, _) = Ws::connect(&app, &bob).await;
    let (mut c, _) = Ws::connect(&app, &cat).await;
    let (mut m, _) = Ws::connect(&app, &mo).await;

    b.say(&id, "b1", "hello all").await;
    let mut bob_got = frames(&mut b).await;
    let mut ann_got = frames(&mut a).await;
    assert_eq!(contiguous(&frames(&mut c).await, &id, 1), vec![1]);
    drop(c); // Cat goes offline at seq 1, across the hold and the release.

    // The held message: acked held with no seq, a notice and signposting to Ann only.
    a.say(&id, "a1", METHOD_DETAIL).await;
    let got = frames(&mut a).await;
    let ack = got.iter().find(|f| f["type"] == "ack").expect("ack");
    assert_eq!(ack["held"], true);
    assert!(ack.get("seq").is_none(), "no seq while held: {ack}");
    let mid = ack["id"].as_str().unwrap().to_string();
    let notice = got.iter().find(|f| f["type"] == "notice").expect("notice");
    assert_eq!(notice["code"], "held_for_review");
    assert_eq!(
        (&notice["message_id"], &notice["client_id"]),
        (&ack["id"], &json!("a1"))
    );
    assert!(
        got.iter().any(|f| f["type"] == "safety"),
        "still signposted"
    );
    assert!(
        got.iter().all(|f| f["type"] != "message"),
        "not even to Ann's socket"
    );
    // The alert is raised as for any crisis message.
    let alert = m.next_of("safety_alert").await;
    assert_eq!(alert["message_id"], mid.as_str());
    // Bob hears nothing of it.
    let quiet = frames(&mut b).await;
    assert!(quiet.is_empty(), "Bob got {quiet:?}");

    // Life goes on: Bob's next message takes seq 2, the held one took none.
    b.say(&id, "b2", "anyone around tonight?").await;
    bob_got.extend(frames(&mut b).await);
    ann_got.extend(frames(&mut a).await);
    let bob_page = history(&app, &bob, &id).await;
    assert!(!ids(&bob_page).contains(&mid));
    assert_eq!(bob_page["held"], json!([]));
    let ann_page = history(&app, &ann, &id).await;
    assert!(!ids(&ann_page).contains(&mid), "not in the timeline");
    assert_eq!(ann_page["held"][0]["id"], mid.as_str());
    assert_eq!(ann_page["held"][0]["status"], "held");
    assert_eq!(ann_page["held"][0]["body"], METHOD_DETAIL);

    // The queue: moderators only, with the category, the room and what came before.
    assert_problem(
        app.get_auth("/api/v1/moderation/held", &bob.access).await,
        403,
        "insufficient_role",
    )
    .await;
    let q = held_queue(&app, &mo).await;
    let item = &q["items"][0];
    assert_eq!(q["items"].as_array().unwrap().len(), 1);
    assert_eq!(item["message"]["id"], mid.as_str());
    assert_eq!(item["message"]["body"], METHOD_DETAIL);
    assert!(item["message"].get("seq").is_none());
    assert_eq!(
        (&item["category"], &item["source"]),
        (&json!("method_detail"), &json!("crisis"))
    );
    assert_eq!(item["room"]["kind"], "group");
    assert_eq!(item["context"][0]["body"], "hello all");
    assert_eq!(item["context"].as_array().unwrap().len(), 1);
    assert_eq!(item["alerts"][0]["id"], alert["alert_id"]);
    assert_eq!(q["next_cursor"], Value::Null);
    // Held is decided here, not by hiding: a hide would tell the room it exists.
    assert_problem(
        app.post_auth(
            &format!("/api/v1/moderation/messages/{mid}/hide"),
            &mo.access,
            &json!({"reason": "Method detail."}),
        )
        .await,
        409,
        "message_held",
    )
    .await;
    assert!(frames(&mut b).await.is_empty(), "Bob hears nothing of it");

    // Released: the room's next seq (3), to every member, Ann with a notice.
    let r = app
        .post_auth(
            &format!("/api/v1/moderation/messages/{mid}/release"),
            &mo.access,
            &json!({"reason": "a question about medication doses, answered by the nurse"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let done: Value = r.json().await.unwrap();
    assert_eq!(
        (&done["status"], &done["seq"]),
        (&json!("released"), &json!(3))
    );
    let b_after = frames(&mut b).await;
    let released = b_after
        .iter()
        .find(|f| f["type"] == "message")
        .expect("released to Bob");
    assert_eq!(
        (&released["id"], &released["seq"]),
        (&json!(mid), &json!(3))
    );
    assert_eq!(released["body"], METHOD_DETAIL);
    assert!(
        b_after.iter().all(|f| f["type"] != "notice"),
        "no notice to Bob"
    );
    bob_got.extend(b_after);
    let a_after = frames(&mut a).await;
    assert!(
        a_after
            .iter()
            .any(|f| f["type"] == "notice" && f["code"] == "message_released")
    );
    ann_got.extend(a_after);
    b.say(&id, "b3", "welcome back").await;
    bob_got.extend(frames(&mut b).await);
    ann_got.extend(frames(&mut a).await);
    assert_eq!(contiguous(&bob_got, &id, 1), vec![1, 2, 3, 4]);
    assert_eq!(contiguous(&ann_got, &id, 1), vec![1, 2, 3, 4]);

    // Cat comes back and resumes from seq 1: 2, 3, 4, in order, nothing missing.
    let mut c = Ws::open(
        &app,
        Open {
            token: Some(&cat.access),
            query: Some("resume=1"),
            ..Default::default()
        },
    )
    .await
    .expect("upgrade");
    c.next_of("ready").await;
    c.send(&json!({"type": "resume", "rooms": {id.clone(): 1}}))
        .await;
    let cat_got = frames(&mut c).await;
    assert_eq!(contiguous(&cat_got, &id, 2), vec![2, 3, 4]);
    assert_eq!(
        history(&app, &cat, &id).await["messages"][2]["id"],
        mid.as_str()
    );

    // Decided once; recorded in the audit log; the queue is empty.
    assert_problem(
        app.post_auth(
            &format!("/api/v1/moderation/messages/{mid}/release"),
            &mo.access,
            &json!({}),
        )
        .await,
        409,
        "not_held",
    )
    .await;
    let audit = app
        .db(move |c| kindred::db::audit::for_target(c, &mid).unwrap())
        .await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "message.released");
    assert_eq!(audit[0].actor_id.as_deref(), Some(mo.id.as_str()));
    assert_eq!(held_queue(&app, &mo).await["items"], json!([]));
}
both_backends!(a_held_message_is_released_into_the_next_seq_with_no_gap);

async fn a_rejected_message_reaches_nobody_but_its_writer_is_told(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let mo = app.staff("Moira", "moderator").await;
    let id = room(&app, "pair", &[&ann, &bob]).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let (mut b, _) = Ws::connect(&app, &bob).await;

    a.say(&id, "a1", "honestly just kys").await;
    let ack = a.next_of("ack").await;
    assert_eq!(ack["held"], true);
    let mid = ack["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/moderation/messages/{mid}/reject");
    assert_problem(
        app.post_auth(&path, &mo.access, &json!({})).await,
        422,
        "invalid_reason",
    )
    .await;
    assert_problem(
        app.post_auth(&path, &bob.access, &json!({"reason": "x"}))
            .await,
        403,
        "insufficient_role",
    )
    .await;
    assert_problem(
        app.post_auth(
            "/api/v1/moderation/messages/not-a-uuid/reject",
            &mo.access,
            &json!({"reason": "x"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    frames(&mut a).await;
    let r = app
        .post_auth(
            &path,
            &mo.access,
            &json!({"reason": "encouragement of self-harm"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["status"], "rejected");
    let told = a.next_of("notice").await;
    assert_eq!(
        (&told["code"], &told["message_id"]),
        (&json!("message_rejected"), &json!(mid))
    );
    assert!(frames(&mut b).await.is_empty(), "Bob hears nothing");

    // Not in anyone's timeline, not on resume; Ann alone sees it, as rejected.
    b.send(&json!({"type": "resume", "rooms": {id.clone(): 0}}))
        .await;
    assert!(frames(&mut b).await.iter().all(|f| f["type"] != "message"));
    assert!(!ids(&history(&app, &bob, &id).await).contains(&mid));
    let page = history(&app, &ann, &id).await;
    assert_eq!(page["held"][0]["status"], "rejected");
    // A resend gets the same held ack, never a new message.
    a.say(&id, "a1", "honestly just kys").await;
    let again = a.next_of("ack").await;
    assert_eq!((&again["id"], &again["held"]), (&json!(mid), &json!(true)));
    assert!(frames(&mut b).await.is_empty());
    let audit = app
        .db(move |c| kindred::db::audit::for_target(c, &mid).unwrap())
        .await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "message.rejected");
    assert_eq!(
        audit[0].reason.as_deref(),
        Some("encouragement of self-harm")
    );

    // A moderator's own held message waits for another moderator.
    let id2 = room(&app, "pair", &[&mo, &bob]).await;
    let (mut mws, _) = Ws::connect(&app, &mo).await;
    mws.say(&id2, "m1", "go kill yourself").await;
    let own = mws.next_of("ack").await;
    assert_problem(
        app.post_auth(
            &format!(
                "/api/v1/moderation/messages/{}/release",
                own["id"].as_str().unwrap()
            ),
            &mo.access,
            &json!({}),
        )
        .await,
        403,
        "cannot_act_on_self",
    )
    .await;
}
both_backends!(a_rejected_message_reaches_nobody_but_its_writer_is_told);

async fn personal_info_is_warned_about_by_default(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let id = room(&app, "pair", &[&ann, &bob]).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let (mut b, _) = Ws::connect(&app, &bob).await;

    a.say(&id, "a1", "text me on 07700 900123 any time").await;
    let got = frames(&mut a).await;
    let ack = got.iter().find(|f| f["type"] == "ack").unwrap();
    assert_eq!((&ack["held"], &ack["seq"]), (&json!(false), &json!(1)));
    let notice = got
        .iter()
        .find(|f| f["type"] == "notice")
        .expect("a private notice");
    assert_eq!(notice["code"], "personal_info");
    assert!(notice["text"].as_str().unwrap().contains("a phone number"));
    assert!(
        !notice.to_string().contains("07700"),
        "the notice quotes nothing"
    );
    let bob_got = frames(&mut b).await;
    assert_eq!(contiguous(&bob_got, &id, 1), vec![1]);
    assert!(
        bob_got.iter().all(|f| f["type"] != "notice"),
        "Bob gets no notice"
    );
    // Over HTTP: delivered (201) with the notice in the answer.
    let r = app
        .post_auth(
            &format!("/api/v1/rooms/{id}/messages"),
            &ann.access,
            &json!({"client_id": "a2", "body": "or email ann.r@example.org"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        (&body["seq"], &body["notice"]["code"]),
        (&json!(2), &json!("personal_info"))
    );
    assert_eq!(contiguous(&frames(&mut b).await, &id, 2), vec![2]);
    // The HTTP writer's sockets hear the notice too.
    let on_socket = frames(&mut a).await;
    assert!(
        on_socket
            .iter()
            .any(|f| f["type"] == "notice" && f["client_id"] == "a2")
    );
    // Ordinary text with times, prices and @ raises nothing.
    a.say(&id, "a3", "see you @ 10:30, it's £12.50 at the café")
        .await;
    assert!(frames(&mut a).await.iter().all(|f| f["type"] != "notice"));
}
both_backends!(personal_info_is_warned_about_by_default);

fn hold_personal_info(s: &mut kindred::config::Settings) {
    s.personal_info_policy = kindred::config::PersonalInfoPolicy::Hold;
}

async fn personal_info_is_held_under_the_hold_policy(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let mo = app.staff("Moira", "moderator").await;
    let id = room(&app, "pair", &[&ann, &bob]).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let (mut b, _) = Ws::connect(&app, &bob).await;

    a.say(&id, "a1", "add me on insta @ann_walks").await;
    let ack = a.next_of("ack").await;
    assert_eq!(ack["held"], true);
    assert_eq!(a.next_of("notice").await["code"], "held_for_review");
    // Over HTTP: 202, no seq, the notice.
    let r = app
        .post_auth(
            &format!("/api/v1/rooms/{id}/messages"),
            &ann.access,
            &json!({"client_id": "a2", "body": "ring 020 7946 0958"}),
        )
        .await;
    assert_eq!(r.status(), 202);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        (&body["held"], &body["notice"]["code"]),
        (&json!(true), &json!("held_for_review"))
    );
    assert!(body.get("seq").is_none());
    assert!(frames(&mut b).await.is_empty(), "Bob gets neither");

    // Oldest first, one per page, cursor-paged.
    let r = app
        .get_auth("/api/v1/moderation/held?limit=1", &mo.access)
        .await;
    let first: Value = r.json().await.unwrap();
    assert_eq!(first["items"][0]["message"]["id"], ack["id"]);
    assert_eq!(
        (&first["items"][0]["category"], &first["items"][0]["source"]),
        (&json!("personal_info"), &json!("personal_info"))
    );
    assert_eq!(first["items"][0]["alerts"], json!([]));
    let cursor = first["next_cursor"].as_str().expect("more").to_string();
    let r = app
        .get_auth(
            &format!("/api/v1/moderation/held?limit=1&cursor={cursor}"),
            &mo.access,
        )
        .await;
    let second: Value = r.json().await.unwrap();
    assert_eq!(second["items"][0]["message"]["id"], body["id"]);
    assert_eq!(second["next_cursor"], Value::Null);
    assert_problem(
        app.get_auth("/api/v1/moderation/held?cursor=nope", &mo.access)
            .await,
        422,
        "invalid_cursor",
    )
    .await;
    assert_problem(
        app.get_auth("/api/v1/moderation/held?limit=0", &mo.access)
            .await,
        422,
        "invalid_query",
    )
    .await;

    // Released in the order the moderator decides: seqs 1 and 2, no gap for anyone.
    for mid in [body["id"].as_str().unwrap(), ack["id"].as_str().unwrap()] {
        let r = app
            .post_auth(
                &format!("/api/v1/moderation/messages/{mid}/release"),
                &mo.access,
                &json!({}),
            )
            .await;
        assert_eq!(r.status(), 200);
    }
    let got = frames(&mut b).await;
    assert_eq!(contiguous(&got, &id, 1), vec![1, 2]);
    assert_eq!(
        got.iter().find(|f| f["seq"] == 1).unwrap()["body"],
        "ring 020 7946 0958"
    );
    assert_eq!(contiguous(&frames(&mut a).await, &id, 1), vec![1, 2]);
}
both_backends!(
    personal_info_is_held_under_the_hold_policy,
    super::hold_personal_info
);

async fn display_names_with_personal_info_are_refused(app: TestApp) {
    for name in ["07700 900123", "sam@example.org", "@sam_r", "sam.co.uk"] {
        let r = app
            .post(
                "/api/v1/auth/register",
                &json!({"email": "x@example.org", "password": "a calm river at dawn", "display_name": name}),
            )
            .await;
        assert_problem(r, 422, "display_name_personal_info").await;
    }
    let ann = app.signup("Ann").await;
    for name in ["www.ann-r.com", "+44 7700 900123"] {
        let r = app
            .patch_auth("/api/v1/me", &ann.access, &json!({"display_name": name}))
            .await;
        assert_problem(r, 422, "display_name_personal_info").await;
    }
    let r = app
        .patch_auth(
            "/api/v1/me",
            &ann.access,
            &json!({"display_name": "Ann R."}),
        )
        .await;
    assert_eq!(r.status(), 200);
}
both_backends!(display_names_with_personal_info_are_refused);
