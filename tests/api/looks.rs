//! A moderator's explicit look into a room (break glass, TESTPLAN T12): refused without a
//! reason, refused after it expired, refused to members; every opening and read audited.

use std::time::Duration;

use serde_json::{Value, json};

use crate::actions::{act, audit_of, say};
use crate::both_backends;
use crate::realtime::room;
use crate::support::ws::Ws;
use crate::support::{TestApp, assert_problem};

async fn a_moderator_looks_into_a_room_only_with_a_reason_and_for_a_while(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let mo = app.staff("Moe", "moderator").await;
    let id = room(&app, "pair", &[&ann, &bob]).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;
    assert_eq!(say(&mut a, &id, "c1", "first words").await["type"], "ack");
    assert_eq!(say(&mut a, &id, "c2", "second words").await["type"], "ack");
    let read = format!("/api/v1/moderation/rooms/{id}/messages");

    // No look yet: no content.
    assert_problem(app.get_auth(&read, &mo.access).await, 403, "look_required").await;
    // A look needs a reason; members never look; a missing room is 404.
    let look = format!("rooms/{id}/look");
    assert_problem(
        act(&app, &mo, &look, json!({})).await,
        422,
        "reason_required",
    )
    .await;
    assert_problem(
        act(&app, &mo, &look, json!({"reason": "  "})).await,
        422,
        "reason_required",
    )
    .await;
    assert_problem(
        act(&app, &ann, &look, json!({"reason": "curious"})).await,
        403,
        "insufficient_role",
    )
    .await;
    assert_problem(
        act(
            &app,
            &mo,
            "rooms/0193e4d5-6f70-7182-9a3b-4c5d6e7f8091/look",
            json!({"reason": "A complaint by phone."}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let r = act(&app, &mo, &look, json!({"reason": "A complaint by phone."})).await;
    assert_eq!(r.status(), 201);
    let opened: Value = r.json().await.unwrap();
    assert_eq!(opened["room_id"], id.as_str());

    let r = app.get_auth(&read, &mo.access).await;
    assert_eq!(r.status(), 200);
    let page: Value = r.json().await.unwrap();
    let bodies: Vec<&str> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["first words", "second words"]);
    assert_eq!(page["room_kind"], "pair");
    let r = app.get_auth(&format!("{read}?limit=1"), &mo.access).await;
    let one: Value = r.json().await.unwrap();
    assert_eq!(one["messages"][0]["body"], "second words");
    assert_eq!(one["more"], true);
    assert_problem(
        app.get_auth(&format!("{read}?limit=0"), &mo.access).await,
        400,
        "invalid_query",
    )
    .await;

    // Audited with its reason: the opening and every read.
    let rows = audit_of(&app, &mo, &id).await;
    let actions: Vec<&str> = rows.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "room.look_opened").count(),
        1
    );
    assert_eq!(
        actions.iter().filter(|a| **a == "room.look_read").count(),
        2
    );
    assert!(rows.iter().all(|e| e["reason"] == "A complaint by phone."));

    // After 30 minutes the look is closed.
    app.clock.advance(Duration::from_secs(31 * 60));
    let mo = app.signin_again(&mo).await;
    assert_problem(app.get_auth(&read, &mo.access).await, 403, "look_required").await;
}
both_backends!(a_moderator_looks_into_a_room_only_with_a_reason_and_for_a_while);
