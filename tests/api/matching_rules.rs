//! The engine's hard constraints as a member meets them (issue 10): a `must` preference holds
//! when joining an open group, `en-GB` meets `en` (and BSL written two ways meets itself), and
//! a level-1 member is placed in a facilitated group.

use serde_json::{Value, json};

use crate::both_backends;
use crate::matching::{id_of, ready_member, request, status_of, volunteer};
use crate::support::{Account, TestApp};

/// Rooms made by one tick.
async fn tick(app: &TestApp) -> usize {
    crate::matching::tick(app).await.made
}

async fn asks(app: &TestApp, who: &Account, format: &str) -> String {
    id_of(request(app, who, format).await).await
}

async fn set(app: &TestApp, who: &Account, patch: Value) {
    let r = app.patch_auth("/api/v1/me", &who.access, &patch).await;
    assert_eq!(r.status(), 200);
}

async fn a_must_preference_holds_when_joining_an_open_group(app: TestApp) {
    let mut ids = Vec::new();
    for name in ["Ben", "Dan", "Tom"] {
        let m = ready_member(&app, name).await;
        set(&app, &m, json!({"gender": "man"})).await;
        ids.push(asks(&app, &m, "group").await);
    }
    assert_eq!(tick(&app).await, 1, "the three men form a group");
    let kim = ready_member(&app, "Kim").await;
    set(
        &app,
        &kim,
        json!({"gender": "woman", "support_preferences": {"gender": "must"}}),
    )
    .await;
    let rk = asks(&app, &kim, "group").await;
    assert_eq!(tick(&app).await, 0);
    assert_eq!(status_of(&app, &kim, &rk).await["status"], "waiting");
    // Someone without that preference takes the free seat.
    let eve = ready_member(&app, "Eve").await;
    let re = asks(&app, &eve, "group").await;
    assert_eq!(tick(&app).await, 1);
    assert_eq!(status_of(&app, &eve, &re).await["status"], "matched");
    assert_eq!(status_of(&app, &kim, &rk).await["status"], "waiting");
}
both_backends!(
    a_must_preference_holds_when_joining_an_open_group,
    crate::matching::manual_ticks
);

async fn en_gb_meets_en(app: TestApp) {
    let sam = ready_member(&app, "Sam").await;
    set(&app, &sam, json!({"languages": [{"tag": "en-GB"}]})).await;
    let alex = ready_member(&app, "Alex").await;
    let rs = asks(&app, &sam, "pair").await;
    asks(&app, &alex, "pair").await;
    assert_eq!(tick(&app).await, 1);
    assert_eq!(status_of(&app, &sam, &rs).await["status"], "matched");

    // British Sign Language, written `bfi` or the deprecated `sgn-GB`, is one language — and
    // not English.
    let bo = ready_member(&app, "Bob").await;
    set(&app, &bo, json!({"languages": [{"tag": "bfi"}]})).await;
    let cy = ready_member(&app, "Cyd").await;
    set(&app, &cy, json!({"languages": [{"tag": "sgn-GB"}]})).await;
    let en = ready_member(&app, "Eddie").await;
    let rb = asks(&app, &bo, "pair").await;
    let re = asks(&app, &en, "pair").await;
    assert_eq!(tick(&app).await, 0);
    asks(&app, &cy, "pair").await;
    assert_eq!(tick(&app).await, 1);
    assert_eq!(status_of(&app, &bo, &rb).await["status"], "matched");
    assert_eq!(status_of(&app, &en, &re).await["status"], "waiting");
}
both_backends!(en_gb_meets_en, crate::matching::manual_ticks);

async fn a_level_1_member_is_placed_in_a_facilitated_group(app: TestApp) {
    let vic = volunteer(&app, "Vic", 1).await;
    let r = app
        .put_auth(
            "/api/v1/me/volunteer",
            &vic.access,
            &json!({"accepting": true, "max_groups": 1}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let lou = ready_member(&app, "Lou").await;
    let r = app
        .post_auth(
            "/api/v1/me/check-ins",
            &lou.access,
            &json!({"answers": [2, 3, 2, 3, 2, 3]}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    let rl = asks(&app, &lou, "group").await;
    for name in ["Ann", "Ben", "Cat"] {
        let m = ready_member(&app, name).await;
        asks(&app, &m, "group").await;
    }
    assert_eq!(tick(&app).await, 1);
    let s = status_of(&app, &lou, &rl).await;
    assert_eq!(s["status"], "matched", "{s}");
    let room = s["room_id"].as_str().unwrap();
    let view: Value = app
        .get_auth(&format!("/api/v1/rooms/{room}"), &lou.access)
        .await
        .json()
        .await
        .unwrap();
    let facilitators: Vec<&str> = view["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["room_role"] == "facilitator")
        .map(|m| m["display_name"].as_str().unwrap())
        .collect();
    assert_eq!(facilitators, vec!["Vic"], "{view}");
}
both_backends!(
    a_level_1_member_is_placed_in_a_facilitated_group,
    crate::matching::manual_ticks
);
