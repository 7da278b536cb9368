//! Asking for support, blocking, and (with the engine) being matched into rooms.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Account, TestApp, assert_problem};

/// A verified member with a session language, COPD as primary condition and two tags.
pub async fn ready_member(app: &TestApp, name: &str) -> Account {
    let a = app.signup(name).await;
    let r = app
        .patch_auth(
            "/api/v1/me",
            &a.access,
            &json!({"languages": [{"tag": "en"}], "age_band": "50-64"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .put_auth(
            "/api/v1/me/conditions",
            &a.access,
            &json!([{"id": "lungs.copd", "diagnosed_year": 2025}]),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app
        .put_auth(
            "/api/v1/me/experiences",
            &a.access,
            &json!(["life.carer", "journey.new_treatment"]),
        )
        .await;
    assert_eq!(r.status(), 200);
    a
}

pub async fn request(app: &TestApp, who: &Account, format: &str) -> reqwest::Response {
    app.post_auth(
        "/api/v1/match-requests",
        &who.access,
        &json!({"format": format, "focus_condition": "lungs.copd"}),
    )
    .await
}

async fn asking_for_support_follows_the_rules(app: TestApp) {
    // Unverified accounts may not ask.
    app.register("new@example.org", "a calm river at dawn", "Newbie")
        .await;
    let newbie = app
        .signin("new@example.org", "a calm river at dawn", "Newbie")
        .await;
    assert_problem(
        request(&app, &newbie, "pair").await,
        403,
        "email_not_verified",
    )
    .await;

    let bare = app.signup("Bare").await;
    assert_problem(
        request(&app, &bare, "pair").await,
        422,
        "no_session_language",
    )
    .await;
    app.patch_auth(
        "/api/v1/me",
        &bare.access,
        &json!({"languages": [{"tag": "en"}]}),
    )
    .await;
    assert_problem(
        request(&app, &bare, "pair").await,
        422,
        "focus_not_on_profile",
    )
    .await;

    let sam = ready_member(&app, "Sam").await;
    let post = |body: Value| app.send(Method::POST, "/api/v1/match-requests", &sam.access, body);
    assert_problem(
        post(json!({"format": "trio", "focus_condition": "lungs.copd"})).await,
        422,
        "invalid_format",
    )
    .await;
    assert_problem(
        post(json!({"format": "pair", "focus_condition": "lungs.gills"})).await,
        422,
        "unknown_condition",
    )
    .await;
    assert_problem(
        post(json!({"format": "pair", "focus_condition": "lungs.copd", "experience_tags": ["life.parent"]})).await,
        422,
        "experience_not_on_profile",
    )
    .await;
    assert_problem(
        post(json!({"format": "pair", "focus_condition": "lungs.copd", "room_id": "x"})).await,
        422,
        "invalid_body",
    )
    .await;

    let resp = post(json!({"format": "pair", "focus_condition": "lungs.copd", "experience_tags": ["life.carer"]})).await;
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.unwrap();
    assert_eq!(created["status"], "waiting");
    assert_eq!(created["format"], "pair");
    assert!(created["created_at"].is_string());
    assert_problem(
        request(&app, &sam, "pair").await,
        409,
        "request_already_open",
    )
    .await;
    // Another format is another queue.
    assert_eq!(request(&app, &sam, "group").await.status(), 201);

    let id = created["id"].as_str().unwrap();
    let one: Value = app
        .get_auth(&format!("/api/v1/match-requests/{id}"), &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["id"], id);
    assert!(one["waited_seconds"].as_i64().unwrap() >= 0);
    let mine: Value = app
        .get_auth("/api/v1/match-requests", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["match_requests"].as_array().unwrap().len(), 2);
    // Someone else's request does not exist for them.
    let other = ready_member(&app, "Alex").await;
    assert_problem(
        app.get_auth(&format!("/api/v1/match-requests/{id}"), &other.access)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.send(
            Method::DELETE,
            &format!("/api/v1/match-requests/{id}"),
            &other.access,
            json!({}),
        )
        .await,
        404,
        "not_found",
    )
    .await;

    let cancelled: Value = app
        .send(
            Method::DELETE,
            &format!("/api/v1/match-requests/{id}"),
            &sam.access,
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    assert_problem(
        app.send(
            Method::DELETE,
            &format!("/api/v1/match-requests/{id}"),
            &sam.access,
            json!({}),
        )
        .await,
        409,
        "request_not_waiting",
    )
    .await;
    assert_eq!(
        request(&app, &sam, "pair").await.status(),
        201,
        "a new request after cancelling"
    );

    // Formats outside the member's preferences are refused.
    app.patch_auth(
        "/api/v1/me",
        &other.access,
        &json!({"support_preferences": {"formats": ["group"]}}),
    )
    .await;
    assert_problem(
        request(&app, &other, "one_to_one").await,
        422,
        "format_not_accepted",
    )
    .await;
}
both_backends!(asking_for_support_follows_the_rules);

async fn a_member_finding_it_hard_is_offered_one_to_one_not_a_pair(app: TestApp) {
    let sam = ready_member(&app, "Sam").await;
    app.post_auth(
        "/api/v1/me/check-ins",
        &sam.access,
        &json!({"answers": [2, 3, 2, 3, 2, 3]}),
    )
    .await;
    assert_problem(request(&app, &sam, "pair").await, 422, "suggest_one_to_one").await;
    assert_eq!(request(&app, &sam, "one_to_one").await.status(), 201);
}
both_backends!(a_member_finding_it_hard_is_offered_one_to_one_not_a_pair);

async fn blocks_are_private_and_idempotent(app: TestApp) {
    let sam = app.signup("Sam").await;
    let alex = app.signup("Alex").await;
    let path = format!("/api/v1/blocks/{}", alex.id);
    assert_eq!(
        app.send(Method::PUT, &path, &sam.access, json!(null))
            .await
            .status(),
        204
    );
    assert_eq!(
        app.send(Method::PUT, &path, &sam.access, json!(null))
            .await
            .status(),
        204
    );
    let list: Value = app
        .get_auth("/api/v1/blocks", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["blocks"].as_array().unwrap().len(), 1);
    assert_eq!(list["blocks"][0]["user_id"], alex.id.as_str());
    assert_eq!(list["blocks"][0]["display_name"], "Alex");
    // Alex sees nothing of it, not even in their export.
    let theirs: Value = app
        .get_auth("/api/v1/blocks", &alex.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["blocks"], json!([]));
    let export = app
        .get_auth("/api/v1/me/export", &alex.access)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !export.contains(&sam.id),
        "the blocked person's export must not reveal the block"
    );

    assert_problem(
        app.send(
            Method::PUT,
            &format!("/api/v1/blocks/{}", sam.id),
            &sam.access,
            json!(null),
        )
        .await,
        422,
        "cannot_block_self",
    )
    .await;
    let nobody = format!("/api/v1/blocks/{}", uuid::Uuid::now_v7());
    assert_problem(
        app.send(Method::PUT, &nobody, &sam.access, json!(null))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.send(
            Method::PUT,
            "/api/v1/blocks/not-a-uuid",
            &sam.access,
            json!(null),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        app.send(Method::DELETE, &path, &sam.access, json!(null))
            .await
            .status(),
        204
    );
    let list: Value = app
        .get_auth("/api/v1/blocks", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["blocks"], json!([]));
}
both_backends!(blocks_are_private_and_idempotent);

/// These tests drive the engine tick by tick; the background worker would race them. They are
/// about who is matched with whom, so pairs open at once (`KINDRED_MATCH_CONSENT=immediate`);
/// the default, offers answered by both, is tested in `offers.rs` with [`manual_ticks_asking`].
pub fn manual_ticks(s: &mut kindred::config::Settings) {
    s.matcher_worker = false;
    s.match_consent = false;
}

/// Ticks by hand, with the default consent flow.
pub fn manual_ticks_asking(s: &mut kindred::config::Settings) {
    s.matcher_worker = false;
}

pub async fn tick(app: &TestApp) -> kindred::matching::service::TickReport {
    kindred::matching::service::tick(&app.state, &kindred::matching::model::Config::default())
        .await
        .unwrap()
}

pub async fn status_of(app: &TestApp, who: &Account, id: &str) -> Value {
    app.get_auth(&format!("/api/v1/match-requests/{id}"), &who.access)
        .await
        .json()
        .await
        .unwrap()
}

pub async fn id_of(resp: reqwest::Response) -> String {
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    v["id"].as_str().unwrap().to_string()
}

async fn two_compatible_members_are_paired_in_one_tick(app: TestApp) {
    let sam = ready_member(&app, "Sam").await;
    let alex = ready_member(&app, "Alex").await;
    // Both have a socket open: the match reaches each of them live.
    let (mut ws_sam, _) = crate::support::ws::Ws::connect(&app, &sam).await;
    let (mut ws_alex, _) = crate::support::ws::Ws::connect(&app, &alex).await;
    let rs = id_of(request(&app, &sam, "pair").await).await;
    let ra = id_of(request(&app, &alex, "pair").await).await;
    let report = tick(&app).await;
    assert_eq!(report.made, 1, "{report:?}");

    let s = status_of(&app, &sam, &rs).await;
    let a = status_of(&app, &alex, &ra).await;
    assert_eq!(s["status"], "matched");
    assert_eq!(s["room_id"], a["room_id"]);
    let sentences = s["explanation"].as_array().unwrap();
    assert!(!sentences.is_empty());
    let text = sentences
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("COPD"), "{text}");
    assert!(
        !text.chars().any(|c| c.is_ascii_digit()),
        "no numbers, scores or levels: {text}"
    );

    let room_id = s["room_id"].as_str().unwrap();
    let rooms: Value = app
        .get_auth("/api/v1/rooms", &sam.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rooms["rooms"][0]["id"], room_id);
    assert_eq!(rooms["rooms"][0]["kind"], "pair");
    let names: Vec<&str> = rooms["rooms"][0]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["display_name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Sam") && names.contains(&"Alex"));
    assert!(
        rooms.to_string().find("@").is_none(),
        "rooms never show email addresses"
    );
    let outsider = ready_member(&app, "Olly").await;
    assert_problem(
        app.get_auth(&format!("/api/v1/rooms/{room_id}"), &outsider.access)
            .await,
        404,
        "not_found",
    )
    .await;

    for who in [&sam, &alex] {
        let mail = app
            .smtp
            .wait_for(&who.email, crate::support::MAIL_WAIT)
            .await
            .unwrap();
        assert_eq!(mail.subject, "You have been matched on Kindred");
        assert!(mail.text.contains(&format!("/rooms/{room_id}")));
    }
    for (ws, request) in [(&mut ws_sam, &rs), (&mut ws_alex, &ra)] {
        let found = ws.next_of("match_found").await;
        assert_eq!(found["room_id"], room_id);
        assert_eq!(found["request_id"], request.as_str());
    }
    // A second tick finds nothing left to do.
    assert_eq!(tick(&app).await.made, 0);
}
both_backends!(
    two_compatible_members_are_paired_in_one_tick,
    super::manual_ticks
);

async fn blocked_people_and_must_preferences_are_never_paired(app: TestApp) {
    let sam = ready_member(&app, "Sam").await;
    let alex = ready_member(&app, "Alex").await;
    app.send(
        Method::PUT,
        &format!("/api/v1/blocks/{}", alex.id),
        &sam.access,
        json!(null),
    )
    .await;
    let rs = id_of(request(&app, &sam, "pair").await).await;
    id_of(request(&app, &alex, "pair").await).await;
    assert_eq!(tick(&app).await.made, 0);
    assert_eq!(status_of(&app, &sam, &rs).await["status"], "waiting");

    // A must-preference that cannot be met keeps them apart too.
    let kim = ready_member(&app, "Kim").await;
    app.patch_auth(
        "/api/v1/me",
        &kim.access,
        &json!({"gender": "woman", "support_preferences": {"gender": "must"}}),
    )
    .await;
    app.patch_auth("/api/v1/me", &alex.access, &json!({"gender": "man"}))
        .await;
    let rk = id_of(request(&app, &kim, "pair").await).await;
    assert_eq!(tick(&app).await.made, 0);
    assert_eq!(status_of(&app, &kim, &rk).await["status"], "waiting");
    // …until a woman asks.
    let jo = ready_member(&app, "Joan").await;
    app.patch_auth("/api/v1/me", &jo.access, &json!({"gender": "woman"}))
        .await;
    id_of(request(&app, &jo, "pair").await).await;
    assert_eq!(tick(&app).await.made, 1);
    assert_eq!(status_of(&app, &kim, &rk).await["status"], "matched");
}
both_backends!(
    blocked_people_and_must_preferences_are_never_paired,
    super::manual_ticks
);

async fn no_shared_session_language_no_match(app: TestApp) {
    let sam = ready_member(&app, "Sam").await;
    let ana = ready_member(&app, "Ana").await;
    app.patch_auth(
        "/api/v1/me",
        &ana.access,
        &json!({"languages": [{"tag": "pt"}, {"tag": "en", "session": false}]}),
    )
    .await;
    id_of(request(&app, &sam, "pair").await).await;
    id_of(request(&app, &ana, "pair").await).await;
    assert_eq!(tick(&app).await.made, 0);
}
both_backends!(no_shared_session_language_no_match, super::manual_ticks);

async fn people_who_shared_a_room_are_not_rematched_for_ninety_days(app: TestApp) {
    let sam = ready_member(&app, "Sam").await;
    let alex = ready_member(&app, "Alex").await;
    let rs = id_of(request(&app, &sam, "pair").await).await;
    id_of(request(&app, &alex, "pair").await).await;
    assert_eq!(tick(&app).await.made, 1);
    let room = status_of(&app, &sam, &rs).await["room_id"]
        .as_str()
        .unwrap()
        .to_string();
    // Sam leaves: a pair room ends for both.
    assert_eq!(
        app.send(
            Method::POST,
            &format!("/api/v1/rooms/{room}/leave"),
            &sam.access,
            json!(null)
        )
        .await
        .status(),
        204
    );
    let theirs: Value = app
        .get_auth("/api/v1/rooms", &alex.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["rooms"], json!([]));
    assert_problem(
        app.send(
            Method::POST,
            &format!("/api/v1/rooms/{room}/leave"),
            &sam.access,
            json!(null),
        )
        .await,
        404,
        "not_found",
    )
    .await;

    id_of(request(&app, &sam, "pair").await).await;
    id_of(request(&app, &alex, "pair").await).await;
    assert_eq!(tick(&app).await.made, 0, "cool-down");
    app.clock
        .advance(std::time::Duration::from_secs(91 * 24 * 3600));
    assert_eq!(
        tick(&app).await.made,
        1,
        "after 90 days they may meet again"
    );
}
both_backends!(
    people_who_shared_a_room_are_not_rematched_for_ninety_days,
    super::manual_ticks
);

pub async fn volunteer(app: &TestApp, name: &str, capacity: i64) -> Account {
    let mo = app.staff(&format!("{name}Mod"), "moderator").await;
    let v = ready_member(app, name).await;
    let created: Value = app
        .post_auth(
            "/api/v1/volunteer-applications",
            &v.access,
            &json!({"motivation": "To help.", "lived_experience": "Years of COPD.", "conditions": ["lungs.copd"],
                    "training": {"course": "Peer support", "completed_on": "2026-10-01"}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let path = format!(
        "/api/v1/moderation/volunteer-applications/{}/approve",
        created["id"].as_str().unwrap()
    );
    assert_eq!(
        app.post_auth(&path, &mo.access, &json!({"note": "ok"}))
            .await
            .status(),
        200
    );
    let r = app
        .put_auth(
            "/api/v1/me/volunteer",
            &v.access,
            &json!({"accepting": true, "one_to_one_capacity": capacity}),
        )
        .await;
    assert_eq!(r.status(), 200);
    v
}

async fn one_to_one_respects_volunteer_capacity(app: TestApp) {
    let vic = volunteer(&app, "Vic", 1).await;
    let sam = ready_member(&app, "Sam").await;
    let alex = ready_member(&app, "Alex").await;
    let rs = id_of(request(&app, &sam, "one_to_one").await).await;
    let ra = id_of(request(&app, &alex, "one_to_one").await).await;
    assert_eq!(tick(&app).await.made, 1);
    let (s, a) = (
        status_of(&app, &sam, &rs).await,
        status_of(&app, &alex, &ra).await,
    );
    let (matched, waiting, who) = if s["status"] == "matched" {
        (s, a, &sam)
    } else {
        (a, s, &alex)
    };
    assert_eq!(waiting["status"], "waiting");
    let room = matched["room_id"].as_str().unwrap().to_string();
    let view: Value = app
        .get_auth(&format!("/api/v1/rooms/{room}"), &vic.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["kind"], "one_to_one");
    let roles: Vec<(String, String)> = view["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["display_name"].as_str().unwrap().to_string(),
                m["room_role"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        roles.contains(&("Vic".to_string(), "facilitator".to_string())),
        "{roles:?}"
    );
    // The member leaves; the volunteer's slot frees and the other member is matched.
    app.send(
        Method::POST,
        &format!("/api/v1/rooms/{room}/leave"),
        &who.access,
        json!(null),
    )
    .await;
    assert_eq!(tick(&app).await.made, 1);
}
both_backends!(one_to_one_respects_volunteer_capacity, super::manual_ticks);

async fn two_ticks_at_once_never_double_match(app: TestApp) {
    let mut people = Vec::new();
    for name in ["Ann", "Ben", "Cat", "Dan", "Eve", "Fay"] {
        let p = ready_member(&app, name).await;
        id_of(request(&app, &p, "pair").await).await;
        people.push(p);
    }
    let (a, b) = tokio::join!(tick(&app), tick(&app));
    assert_eq!(a.made + b.made, 3, "{a:?} {b:?}");
    assert_eq!(
        a.lost + b.lost,
        a.proposed + b.proposed - 3,
        "the loser of each race rolls back"
    );
    let rooms = app
        .db(|c| {
            use diesel::prelude::*;
            use kindred::db::schema::{match_requests, room_members};
            let matched: i64 = match_requests::table
                .filter(match_requests::status.eq("matched"))
                .count()
                .get_result(c)
                .unwrap();
            let memberships: i64 = room_members::table.count().get_result(c).unwrap();
            (matched, memberships)
        })
        .await;
    assert_eq!(
        rooms,
        (6, 6),
        "each request matched once, each person in one room"
    );
}
both_backends!(two_ticks_at_once_never_double_match, super::manual_ticks);

async fn groups_form_and_take_newcomers(app: TestApp) {
    let mut ids = Vec::new();
    let mut people = Vec::new();
    for name in ["Ann", "Ben", "Cat", "Dan"] {
        let p = ready_member(&app, name).await;
        ids.push(id_of(request(&app, &p, "group").await).await);
        people.push(p);
    }
    assert_eq!(tick(&app).await.made, 1);
    let room = status_of(&app, &people[0], &ids[0]).await["room_id"]
        .as_str()
        .unwrap()
        .to_string();
    for (p, id) in people.iter().zip(&ids) {
        assert_eq!(status_of(&app, p, id).await["room_id"], room.as_str());
    }
    let eve = ready_member(&app, "Eve").await;
    let re = id_of(request(&app, &eve, "group").await).await;
    assert_eq!(tick(&app).await.made, 1);
    assert_eq!(
        status_of(&app, &eve, &re).await["room_id"],
        room.as_str(),
        "a newcomer takes a free seat"
    );
    let view: Value = app
        .get_auth(&format!("/api/v1/rooms/{room}"), &eve.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["kind"], "group");
    assert_eq!(view["members"].as_array().unwrap().len(), 5);
    // In a group, one person leaving does not end the room.
    app.send(
        Method::POST,
        &format!("/api/v1/rooms/{room}/leave"),
        &eve.access,
        json!(null),
    )
    .await;
    let view: Value = app
        .get_auth(&format!("/api/v1/rooms/{room}"), &people[0].access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["members"].as_array().unwrap().len(), 4);
}
both_backends!(groups_form_and_take_newcomers, super::manual_ticks);

async fn the_worker_matches_on_arrival_without_waiting_for_the_timer(app: TestApp) {
    let sam = ready_member(&app, "Sam").await;
    let alex = ready_member(&app, "Alex").await;
    let rs = id_of(request(&app, &sam, "pair").await).await;
    id_of(request(&app, &alex, "pair").await).await;
    // With the default consent flow, the worker's first tick offers the pair.
    for _ in 0..50 {
        if status_of(&app, &sam, &rs).await["status"] == "offered" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("not matched within 5 s of arrival (the timer is 30 s)");
}
both_backends!(the_worker_matches_on_arrival_without_waiting_for_the_timer);

async fn a_member_waiting_past_the_maximum_is_told_we_are_looking_wider(app: TestApp) {
    let sam = ready_member(&app, "Sam").await;
    let rs = id_of(request(&app, &sam, "pair").await).await;
    assert_eq!(tick(&app).await.made, 0);
    assert!(
        app.smtp
            .wait_for(&sam.email, std::time::Duration::from_millis(300))
            .await
            .is_none()
    );
    // Seven days is the maximum wait for pairs: the request relaxes and Sam is told, once.
    app.clock
        .advance(std::time::Duration::from_secs(7 * 24 * 3600 + 60));
    tick(&app).await;
    let mail = app
        .smtp
        .wait_for(&sam.email, crate::support::MAIL_WAIT)
        .await
        .expect("told about the wider search");
    assert_eq!(mail.subject, "Still looking for the right match for you");
    assert!(mail.text.contains("never the ones you marked as \"must\""));
    tick(&app).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        app.smtp
            .all_for(&sam.email)
            .iter()
            .filter(|m| m.subject.starts_with("Still looking"))
            .count(),
        1
    );
    let sam = app.signin(&sam.email, &sam.password, "Sam").await;
    assert_eq!(status_of(&app, &sam, &rs).await["status"], "waiting");
}
both_backends!(
    a_member_waiting_past_the_maximum_is_told_we_are_looking_wider,
    super::manual_ticks
);
