//! Consent before a pair opens: a proposed pair or one-to-one is offered to everyone in it and
//! opens only when all accept; a decline or a lapsed offer sends the others back to the pool
//! with their wait kept, and that pair is never proposed again. (The default,
//! `KINDRED_MATCH_CONSENT=ask`.)

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::matching::{id_of, ready_member, request, status_of, tick, volunteer};
use crate::support::ws::Ws;
use crate::support::{Account, MAIL_WAIT, TestApp, assert_problem};

async fn answer(app: &TestApp, who: &Account, request: &str, what: &str) -> reqwest::Response {
    app.send(
        Method::POST,
        &format!("/api/v1/match-requests/{request}/{what}"),
        &who.access,
        json!(null),
    )
    .await
}

async fn answered(app: &TestApp, who: &Account, request: &str, what: &str) -> Value {
    let r = answer(app, who, request, what).await;
    assert_eq!(r.status(), 200, "{what}");
    r.json().await.unwrap()
}

async fn offers_of(app: &TestApp, who: &Account) -> Vec<Value> {
    let v: Value = app
        .get_auth("/api/v1/match-offers", &who.access)
        .await
        .json()
        .await
        .unwrap();
    v["match_offers"].as_array().unwrap().clone()
}

async fn a_pair_opens_only_when_both_accept(app: TestApp) {
    let sam = ready_member(&app, "Sam").await;
    let alex = ready_member(&app, "Alex").await;
    let (mut ws, _) = Ws::connect(&app, &sam).await;
    let rs = id_of(request(&app, &sam, "pair").await).await;
    let ra = id_of(request(&app, &alex, "pair").await).await;

    let report = tick(&app).await;
    assert_eq!((report.offered, report.made), (1, 0), "{report:?}");
    let frame = ws.next_of("match_offer").await;
    assert_eq!(frame["request_id"], rs.as_str());
    assert_eq!(frame["kind"], "pair");
    assert!(!frame["explanation"].as_array().unwrap().is_empty());
    assert!(frame["expires_at"].is_string());
    let seen = status_of(&app, &sam, &rs).await;
    assert_eq!(seen["status"], "offered");
    assert_eq!(seen["offer"]["kind"], "pair");
    assert_eq!(seen["offer"]["your_answer"], Value::Null);
    assert!(seen.get("room_id").is_none());
    for who in [&sam, &alex] {
        let mail = app
            .smtp
            .wait_for(&who.email, MAIL_WAIT)
            .await
            .expect("offer mail");
        assert_eq!(mail.subject, "A possible match for you on Kindred");
        assert!(mail.text.contains("/match-offers"));
    }
    let listed = offers_of(&app, &sam).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["request_id"], rs.as_str());
    assert_eq!(listed[0]["role"], "member");

    // Bad input never changes anything.
    assert_problem(
        answer(&app, &sam, "not-a-uuid", "accept").await,
        404,
        "not_found",
    )
    .await;
    assert_problem(answer(&app, &sam, &ra, "accept").await, 404, "not_found").await;

    // One yes is not a room.
    let first = answered(&app, &sam, &rs, "accept").await;
    assert_eq!(first["status"], "offered");
    assert_eq!(
        status_of(&app, &sam, &rs).await["offer"]["your_answer"],
        "accepted"
    );
    // The second yes opens it, and Sam's open socket joins at once.
    let second = answered(&app, &alex, &ra, "accept").await;
    assert_eq!(second["status"], "matched");
    let room = second["room_id"].as_str().unwrap().to_string();
    let joined = ws.next_of("room_joined").await;
    assert_eq!(joined["room"]["room_id"], room.as_str());
    for (who, id) in [(&sam, &rs), (&alex, &ra)] {
        let v = status_of(&app, who, id).await;
        assert_eq!(v["status"], "matched");
        assert_eq!(v["room_id"], room.as_str());
        assert!(v.get("offer").is_none());
    }
    assert_problem(
        answer(&app, &alex, &ra, "accept").await,
        409,
        "no_open_offer",
    )
    .await;
    assert!(offers_of(&app, &sam).await.is_empty());
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("kindred_matching_events_total{outcome=\"offered\"} 1"));
    assert!(metrics.contains("kindred_matching_events_total{outcome=\"opened\"} 1"));
}
both_backends!(
    a_pair_opens_only_when_both_accept,
    crate::matching::manual_ticks_asking
);

async fn a_decline_returns_both_to_the_pool_and_the_pair_is_not_proposed_again(app: TestApp) {
    let sam = ready_member(&app, "Sam").await;
    let alex = ready_member(&app, "Alex").await;
    let (mut ws, _) = Ws::connect(&app, &sam).await;
    let rs = id_of(request(&app, &sam, "pair").await).await;
    let ra = id_of(request(&app, &alex, "pair").await).await;
    let created = status_of(&app, &sam, &rs).await["created_at"].clone();
    assert_eq!(tick(&app).await.offered, 1);
    ws.next_of("match_offer").await;
    app.clock.advance(Duration::from_secs(3600));
    let sam = app.signin(&sam.email, &sam.password, "Sam").await;
    let alex = app.signin(&alex.email, &alex.password, "Alex").await;

    let declined = answered(&app, &alex, &ra, "decline").await;
    assert_eq!(declined["status"], "waiting");
    let ended = ws.next_of("match_offer_ended").await;
    assert_eq!(ended["request_id"], rs.as_str());
    assert_eq!(ended["status"], "waiting");
    let back = status_of(&app, &sam, &rs).await;
    assert_eq!(back["status"], "waiting");
    assert!(back.get("offer").is_none() && back.get("explanation").is_none());
    assert_eq!(back["created_at"], created, "the wait is kept");
    assert!(back["waited_seconds"].as_i64().unwrap() >= 3600);
    let mail = app
        .smtp
        .wait_for_subject(&sam.email, "That match is not going ahead", MAIL_WAIT)
        .await
        .expect("told it is not going ahead");
    assert!(!mail.text.contains("Alex") && !mail.text.to_lowercase().contains("declin"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        app.smtp
            .all_for(&alex.email)
            .iter()
            .all(|m| m.subject != "That match is not going ahead"),
        "the one who declined is not emailed"
    );

    // Never proposed to each other again; a newcomer can be.
    let report = tick(&app).await;
    assert_eq!(report.offered, 0, "{report:?}");
    let cat = ready_member(&app, "Cat").await;
    let rc = id_of(request(&app, &cat, "pair").await).await;
    assert_eq!(tick(&app).await.offered, 1);
    assert_eq!(status_of(&app, &cat, &rc).await["status"], "offered");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("kindred_matching_events_total{outcome=\"declined\"} 1"));
}
both_backends!(
    a_decline_returns_both_to_the_pool_and_the_pair_is_not_proposed_again,
    crate::matching::manual_ticks_asking
);

async fn an_unanswered_offer_lapses_after_its_window(app: TestApp) {
    let sam = ready_member(&app, "Sam").await;
    let alex = ready_member(&app, "Alex").await;
    let rs = id_of(request(&app, &sam, "pair").await).await;
    let ra = id_of(request(&app, &alex, "pair").await).await;
    assert_eq!(tick(&app).await.offered, 1);
    answered(&app, &sam, &rs, "accept").await;
    // 48 hours is the default window.
    app.clock.advance(Duration::from_secs(47 * 3600));
    let sam = app.signin(&sam.email, &sam.password, "Sam").await;
    tick(&app).await;
    assert_eq!(status_of(&app, &sam, &rs).await["status"], "offered");
    app.clock.advance(Duration::from_secs(2 * 3600));
    let sam = app.signin(&sam.email, &sam.password, "Sam").await;
    let alex = app.signin(&alex.email, &alex.password, "Alex").await;
    tick(&app).await;
    // Sam said yes: back in the pool, wait kept. Alex never answered: closed, invited back.
    let s = status_of(&app, &sam, &rs).await;
    assert_eq!(s["status"], "waiting");
    assert!(s["waited_seconds"].as_i64().unwrap() >= 49 * 3600);
    assert_eq!(status_of(&app, &alex, &ra).await["status"], "expired");
    let mail = app
        .smtp
        .wait_for_subject(
            &alex.email,
            "We did not hear back about your match",
            MAIL_WAIT,
        )
        .await
        .expect("told the offer lapsed");
    assert!(mail.text.contains("ask again"));
    assert_eq!(id_of(request(&app, &alex, "pair").await).await.len(), 36);
    // Alex asked again, but the pair that lapsed is not proposed again.
    assert_eq!(tick(&app).await.offered, 0);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("kindred_matching_events_total{outcome=\"lapsed\"} 1"));
}
both_backends!(
    an_unanswered_offer_lapses_after_its_window,
    crate::matching::manual_ticks_asking
);

async fn an_answer_after_the_window_is_refused_and_lapses_the_offer(app: TestApp) {
    let sam = ready_member(&app, "Sam").await;
    let alex = ready_member(&app, "Alex").await;
    let rs = id_of(request(&app, &sam, "pair").await).await;
    id_of(request(&app, &alex, "pair").await).await;
    assert_eq!(tick(&app).await.offered, 1);
    app.clock.advance(Duration::from_secs(49 * 3600));
    let sam = app.signin(&sam.email, &sam.password, "Sam").await;
    assert_problem(answer(&app, &sam, &rs, "accept").await, 409, "offer_lapsed").await;
    assert_eq!(status_of(&app, &sam, &rs).await["status"], "expired");
}
both_backends!(
    an_answer_after_the_window_is_refused_and_lapses_the_offer,
    crate::matching::manual_ticks_asking
);

async fn a_volunteer_chooses_a_one_to_one_with_their_capacity_held(app: TestApp) {
    let vic = volunteer(&app, "Vic", 1).await;
    let sam = ready_member(&app, "Sam").await;
    let dan = ready_member(&app, "Dan").await;
    let (mut vws, _) = Ws::connect(&app, &vic).await;
    let rs = id_of(request(&app, &sam, "one_to_one").await).await;
    let rd = id_of(request(&app, &dan, "one_to_one").await).await;
    assert_eq!(tick(&app).await.offered, 1);
    let frame = vws.next_of("match_offer").await;
    assert_eq!(frame["kind"], "one_to_one");
    let offered = frame["request_id"].as_str().unwrap().to_string();
    let (member, other, other_id) = if offered == rs {
        (&sam, &dan, &rd)
    } else {
        (&dan, &sam, &rs)
    };
    let listed = offers_of(&app, &vic).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["role"], "volunteer");
    assert_eq!(listed[0]["request_id"], offered.as_str());
    // Her only slot is held while the offer is open: the other member waits.
    assert_eq!(tick(&app).await.offered, 0);
    assert_eq!(status_of(&app, other, other_id).await["status"], "waiting");

    // The volunteer says yes on the member's request, then the member: the room opens with
    // the volunteer in it, and her open socket joins at once.
    assert_eq!(
        answered(&app, &vic, &offered, "accept").await["status"],
        "offered"
    );
    let opened = answered(&app, member, &offered, "accept").await;
    assert_eq!(opened["status"], "matched");
    let room = opened["room_id"].as_str().unwrap().to_string();
    assert_eq!(
        vws.next_of("room_joined").await["room"]["room_id"],
        room.as_str()
    );
    let view: Value = app
        .get_auth(&format!("/api/v1/rooms/{room}"), &vic.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["kind"], "one_to_one");
    assert_eq!(view["members"].as_array().unwrap().len(), 2);
}
both_backends!(
    a_volunteer_chooses_a_one_to_one_with_their_capacity_held,
    crate::matching::manual_ticks_asking
);

async fn a_volunteer_who_declines_sends_the_member_back(app: TestApp) {
    let vic = volunteer(&app, "Vic", 1).await;
    let sam = ready_member(&app, "Sam").await;
    let rs = id_of(request(&app, &sam, "one_to_one").await).await;
    assert_eq!(tick(&app).await.offered, 1);
    assert_eq!(
        answered(&app, &vic, &rs, "decline").await["status"],
        "waiting"
    );
    assert_eq!(status_of(&app, &sam, &rs).await["status"], "waiting");
    // Someone who is neither the member nor the volunteer finds nothing.
    let eve = ready_member(&app, "Eve").await;
    assert_problem(answer(&app, &eve, &rs, "accept").await, 404, "not_found").await;
    // Not proposed to each other again.
    assert_eq!(tick(&app).await.offered, 0);
}
both_backends!(
    a_volunteer_who_declines_sends_the_member_back,
    crate::matching::manual_ticks_asking
);

async fn erasing_an_account_ends_its_offers(app: TestApp) {
    let sam = ready_member(&app, "Sam").await;
    let alex = ready_member(&app, "Alex").await;
    let rs = id_of(request(&app, &sam, "pair").await).await;
    id_of(request(&app, &alex, "pair").await).await;
    assert_eq!(tick(&app).await.offered, 1);
    let r = app
        .send(
            Method::DELETE,
            "/api/v1/me",
            &alex.access,
            json!({"password": alex.password}),
        )
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(status_of(&app, &sam, &rs).await["status"], "waiting");
}
both_backends!(
    erasing_an_account_ends_its_offers,
    crate::matching::manual_ticks_asking
);

async fn a_ban_or_a_suspension_ends_the_persons_open_offers(app: TestApp) {
    let mo = app.staff("Moe", "moderator").await;
    for (i, action) in [
        ("ban", json!({"reason": "Threats."})),
        ("suspend", json!({"reason": "Abuse.", "days": 7})),
    ]
    .into_iter()
    .enumerate()
    {
        let sam = ready_member(&app, &format!("Sam{i}")).await;
        let alex = ready_member(&app, &format!("Alex{i}")).await;
        let rs = id_of(request(&app, &sam, "pair").await).await;
        id_of(request(&app, &alex, "pair").await).await;
        assert_eq!(tick(&app).await.offered, 1);
        let (mut ws, _) = Ws::connect(&app, &sam).await;
        let r = app
            .post_auth(
                &format!("/api/v1/moderation/users/{}/{}", alex.id, action.0),
                &mo.access,
                &action.1,
            )
            .await;
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        let ended = ws.next_of("match_offer_ended").await;
        assert_eq!(ended["request_id"], rs.as_str());
        assert_eq!(status_of(&app, &sam, &rs).await["status"], "waiting");
        assert_eq!(
            tick(&app).await.offered,
            0,
            "{}: never offered the sanctioned person",
            action.0
        );
        // Sam steps out, so the next round starts from an empty pool.
        let r = app
            .send(
                Method::DELETE,
                &format!("/api/v1/match-requests/{rs}"),
                &sam.access,
                json!({}),
            )
            .await;
        assert!(r.status().is_success());
    }
}
both_backends!(
    a_ban_or_a_suspension_ends_the_persons_open_offers,
    crate::matching::manual_ticks_asking
);

async fn two_people_accepting_at_once_open_the_room(app: TestApp) {
    let sam = ready_member(&app, "Sam").await;
    let alex = ready_member(&app, "Alex").await;
    let rs = id_of(request(&app, &sam, "pair").await).await;
    let ra = id_of(request(&app, &alex, "pair").await).await;
    assert_eq!(tick(&app).await.offered, 1);
    let (a, b) = tokio::join!(
        answer(&app, &sam, &rs, "accept"),
        answer(&app, &alex, &ra, "accept")
    );
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    // Whichever came second saw the first's yes: the room is open for both.
    for (who, id) in [(&sam, &rs), (&alex, &ra)] {
        assert_eq!(status_of(&app, who, id).await["status"], "matched");
    }
}
both_backends!(
    two_people_accepting_at_once_open_the_room,
    crate::matching::manual_ticks_asking
);
