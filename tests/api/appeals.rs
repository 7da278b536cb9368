//! Appeals (issue 11 point 7), on both backends with a real websocket client and the real
//! SMTP listener: a suspension appealed once and overturned by another moderator, the person
//! told; an upheld appeal changes nothing; an overturned hide comes back; who may appeal and
//! decide.

use serde_json::{Value, json};

use crate::actions::{acted, frame_of, say};
use crate::both_backends;
use crate::matching::{ready_member, request};
use crate::realtime::room;
use crate::support::ws::Ws;
use crate::support::{Account, MAIL_WAIT, TestApp, assert_problem};

const DECISION: &str = "The decision on your Kindred appeal";

async fn appeal(app: &TestApp, who: &Account, action: &str, text: &str) -> reqwest::Response {
    app.post_auth(
        "/api/v1/appeals",
        &who.access,
        &json!({"action_id": action, "text": text}),
    )
    .await
}

/// The next `moderation_notice` of this kind (earlier notices skipped).
async fn notice_of(ws: &mut Ws, kind: &str) -> Value {
    loop {
        let n = frame_of(ws, "moderation_notice").await;
        if n["kind"] == kind {
            return n;
        }
    }
}

async fn mine(app: &TestApp, who: &Account) -> Value {
    let resp = app.get_auth("/api/v1/appeals/mine", &who.access).await;
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

async fn an_appeal_overturns_a_suspension_decided_by_another_moderator(app: TestApp) {
    let ann = ready_member(&app, "Ann").await;
    let bob = app.signup("Bob").await;
    let mo = app.staff("Moe", "moderator").await;
    let max = app.staff("Max", "moderator").await;
    let id = room(&app, "group", &[&ann, &bob]).await;
    let action = acted(
        &app,
        &mo,
        &format!("users/{}/suspend", ann.id),
        json!({"reason": "Spam links", "days": 7}),
    )
    .await;
    let action_id = action["id"].as_str().unwrap().to_string();
    let (mut a, _) = Ws::connect(&app, &ann).await;
    assert_eq!(say(&mut a, &id, "c1", "hello").await["code"], "suspended");

    // Ann sees the action and appeals it, once.
    let listed = mine(&app, &ann).await;
    assert_eq!(listed["actions"][0]["id"], action_id.as_str());
    assert_eq!(listed["actions"][0]["appealable"], true);
    let resp = appeal(&app, &ann, &action_id, "Those were links to the NHS site.").await;
    assert_eq!(resp.status(), 201);
    let made: Value = resp.json().await.unwrap();
    assert_eq!(made["status"], "open");
    let appeal_id = made["id"].as_str().unwrap().to_string();
    assert_problem(
        appeal(&app, &ann, &action_id, "Again").await,
        409,
        "appeal_exists",
    )
    .await;
    let listed = mine(&app, &ann).await;
    assert_eq!(listed["appeals"][0]["id"], appeal_id.as_str());
    assert_eq!(listed["actions"][0]["appealable"], false);

    // The moderators' list: open first.
    let queue: Value = app
        .get_auth("/api/v1/moderation/appeals", &max.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(queue["appeals"][0]["id"], appeal_id.as_str());
    assert_eq!(queue["appeals"][0]["status"], "open");
    assert_eq!(queue["appeals"][0]["action"]["kind"], "suspend");

    let decide = |who: &Account, decision: &str| {
        let (app, who, id) = (&app, who.access.clone(), appeal_id.clone());
        let body =
            json!({"decision": decision, "note": "The links were to NHS pages; our mistake."});
        async move {
            app.post_auth(
                &format!("/api/v1/moderation/appeals/{id}/decide"),
                &who,
                &body,
            )
            .await
        }
    };
    // Not by the moderator who acted, not by a member, and with a real decision and a note.
    assert_problem(decide(&mo, "overturned").await, 403, "own_action").await;
    assert_problem(decide(&bob, "overturned").await, 403, "insufficient_role").await;
    assert_problem(decide(&max, "maybe").await, 422, "invalid_decision").await;
    assert_problem(
        app.post_auth(
            &format!("/api/v1/moderation/appeals/{appeal_id}/decide"),
            &max.access,
            &json!({"decision": "overturned"}),
        )
        .await,
        422,
        "note_required",
    )
    .await;

    let resp = decide(&max, "overturned").await;
    assert_eq!(resp.status(), 200);
    let decided: Value = resp.json().await.unwrap();
    assert_eq!(decided["status"], "overturned");
    assert!(decided["action"]["reversed_at"].is_string());
    assert_problem(decide(&max, "upheld").await, 409, "appeal_decided").await;

    // Ann is told, on her socket and by email, and the suspension is gone.
    let n = notice_of(&mut a, "appeal_overturned").await;
    assert_eq!(n["appeal_id"], appeal_id.as_str());
    let mail = app
        .smtp
        .wait_for_subject(&ann.email, DECISION, MAIL_WAIT)
        .await
        .expect("decision email");
    assert!(mail.text.contains("overturned"));
    assert!(mail.text.contains("our mistake"));
    assert_eq!(say(&mut a, &id, "c2", "hello again").await["type"], "ack");
    assert_eq!(request(&app, &ann, "pair").await.status(), 201);
    assert_eq!(mine(&app, &ann).await["appeals"][0]["status"], "overturned");

    let audit: Value = app
        .get_auth(
            &format!("/api/v1/moderation/audit?actor={}", max.id),
            &max.access,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit["entries"][0]["action"], "appeal.overturned");
    assert_eq!(audit["entries"][0]["target_id"], ann.id.as_str());
}
both_backends!(an_appeal_overturns_a_suspension_decided_by_another_moderator);

async fn an_upheld_appeal_keeps_the_sanction_and_an_overturned_hide_comes_back(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let mo = app.staff("Moe", "moderator").await;
    let ada = app.staff("Ada", "admin").await;
    let id = room(&app, "group", &[&ann, &bob]).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let (mut b, _) = Ws::connect(&app, &bob).await;
    let msg = say(&mut a, &id, "c1", "a fair point").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let hide = acted(
        &app,
        &mo,
        &format!("messages/{msg}/hide"),
        json!({"reason": "Off topic"}),
    )
    .await;
    let mute = acted(
        &app,
        &mo,
        &format!("rooms/{id}/members/{}/mute", ann.id),
        json!({"reason": "Cool off", "minutes": 60}),
    )
    .await;
    frame_of(&mut b, "message_hidden").await;

    // Someone else cannot appeal Ann's action (the same 404 as none); text is required.
    let hide_id = hide["id"].as_str().unwrap();
    assert_problem(
        appeal(&app, &bob, hide_id, "Not mine").await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        appeal(&app, &ann, hide_id, "  ").await,
        422,
        "text_required",
    )
    .await;

    // The mute appeal is upheld: still muted.
    let resp = appeal(&app, &ann, mute["id"].as_str().unwrap(), "I was calm.").await;
    let mute_appeal: Value = resp.json().await.unwrap();
    let resp = app
        .post_auth(
            &format!(
                "/api/v1/moderation/appeals/{}/decide",
                mute_appeal["id"].as_str().unwrap()
            ),
            &ada.access,
            &json!({"decision": "upheld", "note": "The mute stands."}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let n = notice_of(&mut a, "appeal_upheld").await;
    assert_eq!(n["reason"], "The mute stands.");
    assert_eq!(say(&mut a, &id, "c2", "still?").await["code"], "muted");
    let mail = app
        .smtp
        .wait_for_subject(&ann.email, DECISION, MAIL_WAIT)
        .await
        .expect("decision email");
    assert!(mail.text.contains("stands"));

    // The hide appeal is overturned: every member sees the message again.
    let resp = appeal(&app, &ann, hide_id, "It was on topic.").await;
    let hide_appeal: Value = resp.json().await.unwrap();
    let resp = app
        .post_auth(
            &format!(
                "/api/v1/moderation/appeals/{}/decide",
                hide_appeal["id"].as_str().unwrap()
            ),
            &ada.access,
            &json!({"decision": "overturned", "note": "It was on topic."}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        frame_of(&mut b, "message_restored").await["id"],
        msg.as_str()
    );
    let h: Value = app
        .get_auth(&format!("/api/v1/rooms/{id}/messages"), &bob.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(h["messages"][0]["body"], "a fair point");
    assert!(h["messages"][0].get("hidden").is_none());
    // A lifting is not appealable, and an action already reversed cannot be appealed.
    let unmute = acted(
        &app,
        &mo,
        &format!("rooms/{id}/members/{}/unmute", ann.id),
        json!({"reason": "Lifted"}),
    )
    .await;
    assert_problem(
        appeal(&app, &ann, unmute["id"].as_str().unwrap(), "?").await,
        422,
        "not_appealable",
    )
    .await;
    let warn = acted(
        &app,
        &mo,
        &format!("users/{}/warn", ann.id),
        json!({"reason": "w"}),
    )
    .await;
    assert_eq!(
        appeal(&app, &ann, warn["id"].as_str().unwrap(), "ok")
            .await
            .status(),
        201
    );
}
both_backends!(an_upheld_appeal_keeps_the_sanction_and_an_overturned_hide_comes_back);
