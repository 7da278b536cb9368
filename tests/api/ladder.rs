//! The waiting ladder (MATCHING.md 4.6, `matching::ladder`): a request that finds nobody is
//! widened at W, offered what could serve it now at 1.5 W, handed to a coordinator at 2 W and
//! expires at 4 W — each step once, driven by ticks on the movable clock.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::matching::{id_of, ready_member, request, status_of, tick, volunteer};
use crate::support::{Account, MAIL_WAIT, TestApp};

const DAY: u64 = 24 * 3600;

/// Moves the clock to `days` after the start (from `at`), then ticks.
async fn wait_until(app: &TestApp, at: &mut f64, days: f64) {
    let by = ((days - *at) * DAY as f64) as u64;
    app.clock.advance(Duration::from_secs(by));
    *at = days;
    tick(app).await;
}

/// Signs in again (access tokens do not last days).
async fn fresh(app: &TestApp, who: &Account, name: &str) -> Account {
    app.signin(&who.email, &who.password, name).await
}

fn count(app: &TestApp, to: &str, subject: &str) -> usize {
    app.smtp
        .all_for(to)
        .iter()
        .filter(|m| m.subject == subject)
        .count()
}

async fn metric(app: &TestApp, outcome: &str) -> i64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    let key = format!("kindred_matching_events_total{{outcome=\"{outcome}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&key))
        .map_or(0, |n| n.trim().parse().unwrap())
}

const WIDER: &str = "Still looking for the right match for you";
const OFFER: &str = "Other ways we could support you now";
const HANDED: &str = "A coordinator is looking at your request";
const CLOSED: &str = "Your Kindred match request has closed";

async fn a_lone_pair_request_climbs_the_ladder_to_expiry(app: TestApp) {
    let mo = app.signup("Morgan").await;
    app.make_role(&mo.id, "moderator").await;
    let sam = ready_member(&app, "Quill").await;
    let rs = id_of(request(&app, &sam, "pair").await).await;
    let mut at = 0.0;
    tick(&app).await;
    assert_eq!(status_of(&app, &sam, &rs).await["wait_stage"], "searching");

    // W (7 days for pairs): looking wider, told once.
    wait_until(&app, &mut at, 7.01).await;
    app.smtp
        .wait_for(&sam.email, MAIL_WAIT)
        .await
        .expect("step 1 mail");
    let sam = fresh(&app, &sam, "Quill").await;
    let s = status_of(&app, &sam, &rs).await;
    assert_eq!(s["wait_stage"], "looking_wider");
    assert!(s.get("alternatives").is_none(), "{s}");

    // 1.5 W: nothing could serve Sam now, so the list is empty and no offer is mailed.
    wait_until(&app, &mut at, 10.51).await;
    let sam = fresh(&app, &sam, "Quill").await;
    let s = status_of(&app, &sam, &rs).await;
    assert_eq!(s["wait_stage"], "alternatives_offered");
    assert_eq!(s["alternatives"], json!([]));

    // 2 W: handed to the coordinators (here the moderators), the member told; once each.
    wait_until(&app, &mut at, 14.01).await;
    let to_mo = app
        .smtp
        .wait_for(&mo.email, MAIL_WAIT)
        .await
        .expect("coordinator mail");
    assert_eq!(to_mo.subject, "Kindred: a pair request needs a coordinator");
    assert!(to_mo.text.contains(&rs), "the request id");
    assert!(to_mo.text.contains("Waited: 14 days"), "{}", to_mo.text);
    for private in ["Quill", &sam.email, "COPD", "copd", "carer"] {
        assert!(
            !to_mo.text.contains(private),
            "{private} leaked: {}",
            to_mo.text
        );
    }
    tick(&app).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(count(&app, &mo.email, &to_mo.subject), 1);
    assert_eq!(count(&app, &sam.email, HANDED), 1);
    assert_eq!(count(&app, &sam.email, WIDER), 1);
    assert_eq!(count(&app, &sam.email, OFFER), 0);
    let handed = app.smtp.all_for(&sam.email);
    let handed = handed.iter().find(|m| m.subject == HANDED).unwrap();
    assert!(handed.text.contains("A human coordinator will be in touch"));
    let sam = fresh(&app, &sam, "Quill").await;
    let s = status_of(&app, &sam, &rs).await;
    assert_eq!(
        (s["status"].as_str(), s["wait_stage"].as_str()),
        (Some("waiting"), Some("with_coordinator"))
    );
    assert_eq!(metric(&app, "handed_over").await, 1);
    assert_eq!(metric(&app, "expired").await, 0);

    // 4 W (28 days): expired, told, and free to ask again.
    wait_until(&app, &mut at, 27.9).await;
    let sam = fresh(&app, &sam, "Quill").await;
    assert_eq!(status_of(&app, &sam, &rs).await["status"], "waiting");
    wait_until(&app, &mut at, 28.01).await;
    tick(&app).await;
    let sam = fresh(&app, &sam, "Quill").await;
    let s = status_of(&app, &sam, &rs).await;
    assert_eq!(s["status"], "expired");
    assert!(s.get("wait_stage").is_none());
    assert_eq!(s["waited_seconds"].as_i64().unwrap() / DAY as i64, 28);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(count(&app, &sam.email, CLOSED), 1);
    let closed = app.smtp.all_for(&sam.email);
    let closed = closed.iter().find(|m| m.subject == CLOSED).unwrap();
    assert!(closed.text.contains("ask again"));
    assert_eq!(
        count(&app, &mo.email, &to_mo.subject),
        1,
        "no second hand-over"
    );
    assert_eq!(metric(&app, "expired").await, 1);
    assert_eq!(metric(&app, "handed_over").await, 1);
    let again = id_of(request(&app, &sam, "pair").await).await;
    assert_ne!(again, rs);
    assert_eq!(
        status_of(&app, &sam, &again).await["wait_stage"],
        "searching"
    );
}
both_backends!(
    a_lone_pair_request_climbs_the_ladder_to_expiry,
    crate::matching::manual_ticks
);

async fn at_one_and_a_half_w_a_free_volunteer_is_offered_and_the_switch_matches(app: TestApp) {
    let _vic = volunteer(&app, "Vic", 1).await;
    let sam = ready_member(&app, "Sam").await;
    let rs = id_of(request(&app, &sam, "pair").await).await;
    let mut at = 0.0;
    wait_until(&app, &mut at, 7.01).await;
    wait_until(&app, &mut at, 10.51).await;
    let mail = loop {
        let all = app.smtp.all_for(&sam.email);
        if let Some(m) = all.iter().find(|m| m.subject == OFFER) {
            break m.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        mail.text
            .contains("one-to-one support with a trained peer volunteer"),
        "{}",
        mail.text
    );
    assert!(
        !mail.text.contains("small group"),
        "Vic alone cannot open a group"
    );
    let sam = fresh(&app, &sam, "Sam").await;
    let s = status_of(&app, &sam, &rs).await;
    assert_eq!(s["alternatives"], json!(["one_to_one"]));
    assert_eq!(metric(&app, "alternatives_offered").await, 1);

    // Switching is cancelling and asking again; the volunteer takes the new request.
    let r = app
        .send(
            Method::DELETE,
            &format!("/api/v1/match-requests/{rs}"),
            &sam.access,
            json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r1 = id_of(request(&app, &sam, "one_to_one").await).await;
    assert_eq!(tick(&app).await.made, 1);
    assert_eq!(status_of(&app, &sam, &r1).await["status"], "matched");
}
both_backends!(
    at_one_and_a_half_w_a_free_volunteer_is_offered_and_the_switch_matches,
    crate::matching::manual_ticks
);

async fn an_open_facilitated_group_is_offered_and_coordinators_come_from_the_setting(app: TestApp) {
    // A facilitated COPD group opens; the volunteer's one-to-one place is then taken.
    let vic = volunteer(&app, "Vic", 1).await;
    for name in ["Ann", "Ben", "Cat"] {
        let p = ready_member(&app, name).await;
        id_of(request(&app, &p, "group").await).await;
    }
    let ola = ready_member(&app, "Ola").await;
    id_of(request(&app, &ola, "one_to_one").await).await;
    assert_eq!(tick(&app).await.made, 2);
    let vic_rooms: Value = app
        .get_auth("/api/v1/rooms", &vic.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        vic_rooms["rooms"].as_array().unwrap().len(),
        2,
        "{vic_rooms}"
    );

    let sam = ready_member(&app, "Sam").await;
    let rs = id_of(request(&app, &sam, "pair").await).await;
    let mut at = 0.0;
    wait_until(&app, &mut at, 10.51).await;
    let sam = fresh(&app, &sam, "Sam").await;
    let s = status_of(&app, &sam, &rs).await;
    assert_eq!(s["alternatives"], json!(["group"]), "{s}");
    assert_eq!(s["wait_stage"], "alternatives_offered");
    let offer = app
        .smtp
        .wait_for(&sam.email, MAIL_WAIT)
        .await
        .expect("offer");
    // Jumping from 0 to step 2 sends only the highest step's mail.
    assert_eq!(offer.subject, OFFER);
    assert!(
        offer
            .text
            .contains("a small group with a trained facilitator")
    );
    assert!(
        !offer.text.contains("one-to-one"),
        "Vic is full: {}",
        offer.text
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(count(&app, &sam.email, WIDER), 0);

    // 2 W: the coordinators' list from KINDRED_COORDINATORS_EMAIL, not the moderators.
    wait_until(&app, &mut at, 14.01).await;
    for to in ["coord@kindred.test", "second@kindred.test"] {
        let m = app
            .smtp
            .wait_for(to, MAIL_WAIT)
            .await
            .expect("coordinator mail");
        assert!(m.text.contains(&rs));
        assert!(m.text.contains("Format: pair"));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(count(&app, &sam.email, HANDED), 1);
    // The moderator who approved Vic is not a coordinator here.
    let to_mods = app
        .smtp
        .received()
        .iter()
        .filter(|m| m.subject.contains("needs a coordinator"))
        .count();
    assert_eq!(to_mods, 2);
}
both_backends!(
    an_open_facilitated_group_is_offered_and_coordinators_come_from_the_setting,
    |s: &mut kindred::config::Settings| {
        crate::matching::manual_ticks(s);
        s.matching.coordinators = vec!["coord@kindred.test".into(), "second@kindred.test".into()];
    }
);

async fn a_request_matched_or_cancelled_is_never_told_it_waits(app: TestApp) {
    let sam = ready_member(&app, "Sam").await;
    let rs = id_of(request(&app, &sam, "pair").await).await;
    let r = app
        .send(
            Method::DELETE,
            &format!("/api/v1/match-requests/{rs}"),
            &sam.access,
            json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let mut at = 0.0;
    for day in [7.01, 10.51, 14.01, 30.0] {
        wait_until(&app, &mut at, day).await;
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    let sam = fresh(&app, &sam, "Sam").await;
    assert_eq!(status_of(&app, &sam, &rs).await["status"], "cancelled");
    let ladder_mail = app
        .smtp
        .all_for(&sam.email)
        .iter()
        .filter(|m| [WIDER, OFFER, HANDED, CLOSED].contains(&m.subject.as_str()))
        .count();
    assert_eq!(ladder_mail, 0);
}
both_backends!(
    a_request_matched_or_cancelled_is_never_told_it_waits,
    crate::matching::manual_ticks
);
