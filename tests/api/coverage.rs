//! Coverage honesty (TESTPLAN SAFE-SG-5, T35's "with no moderator online, the 'not a crisis
//! service' banner state is served to rooms") and the shift record behind it: moderators go
//! on and off shift, a shift ends after the grace once the moderator's last connection
//! closes (and survives a reconnect within it, and a restart only for the grace), and every
//! member's connection is told at `ready` and on every change.

use std::time::Duration;

use kindred::moderation::shifts::{SweepReport, Sweeper};
use serde_json::{Value, json};

use crate::both_backends;
use crate::realtime::room;
use crate::support::ws::{Event, Ws};
use crate::support::{Account, TestApp, assert_problem};

const GRACE: Duration = Duration::from_secs(120);

/// The background sweeper would race the clock moves; these tests sweep by hand (the
/// connection nudges still run, as in production).
fn sweep_by_hand(s: &mut kindred::config::Settings) {
    s.shifts.worker = false;
}

async fn sweep(app: &TestApp) -> SweepReport {
    Sweeper::new(&app.state).sweep(None).await.unwrap()
}

async fn shift_of(app: &TestApp, who: &Account) -> Value {
    let r = app.get_auth("/api/v1/moderation/shift", &who.access).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn set_shift(app: &TestApp, who: &Account, on: bool) -> Value {
    let r = app
        .put_auth("/api/v1/moderation/shift", &who.access, &json!({"on": on}))
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn coverage(app: &TestApp, who: &Account) -> Value {
    let r = app.get_auth("/api/v1/safety/coverage", &who.access).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// Waits (bounded) until the moderator's shift shows `away_since` set or cleared.
async fn until_away(app: &TestApp, who: &Account, away: bool) -> Value {
    for _ in 0..100 {
        let s = shift_of(app, who).await;
        if s["shift"]["away_since"].is_string() == away {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the shift never became away={away}");
}

/// Coverage frames among what arrives in `wait`.
async fn coverage_frames(ws: &mut Ws, wait: Duration) -> Vec<Value> {
    ws.drain(wait)
        .await
        .into_iter()
        .filter_map(|e| match e {
            Event::Frame(f) if f["type"] == "coverage" => Some(f),
            _ => None,
        })
        .collect()
}

fn assert_unstaffed(v: &Value) {
    assert_eq!(v["staffed"], false, "{v}");
    let text = v["text"].as_str().expect("banner text");
    assert!(text.starts_with("This is not a crisis service."), "{text}");
    assert!(text.contains("Moderators are offline"), "{text}");
    let contacts: Vec<&str> = v["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| r["contact"].as_str().unwrap())
        .collect();
    assert_eq!(
        contacts,
        [
            "call 999",
            "call 111 and choose option 2",
            "call 116 123",
            "text SHOUT to 85258"
        ]
    );
}

async fn shift_audit(app: &TestApp, moderator: &str) -> Vec<(String, Option<String>, Value)> {
    let id = moderator.to_string();
    let mut rows = app
        .db(move |c| kindred::db::audit::for_target(c, &id).unwrap())
        .await;
    rows.reverse();
    rows.into_iter()
        .filter(|r| r.action.starts_with("shift."))
        .map(|r| {
            (
                r.action,
                r.actor_id,
                serde_json::from_str(&r.details).unwrap(),
            )
        })
        .collect()
}

async fn members_hear_coverage_on_ready_and_when_the_last_moderator_goes_off_shift(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    room(&app, "pair", &[&ann, &bob]).await;
    let mona = app.staff("Mona", "moderator").await;
    let max = app.staff("Max", "admin").await;

    // Nobody on shift: the banner on ready, and over HTTP.
    let (mut a, _, first) = Ws::connect_with_coverage(&app, &ann).await;
    assert_eq!(first["type"], "coverage");
    assert_unstaffed(&first);
    let http = coverage(&app, &ann).await;
    assert_unstaffed(&http);
    assert_eq!(http["text"], first["text"]);

    // Mona comes on shift: every connection hears it; a new connection is told at ready.
    let (_mona_ws, _) = Ws::connect(&app, &mona).await;
    let on = set_shift(&app, &mona, true).await;
    assert_eq!(on["on"], true);
    assert!(on["shift"]["away_since"].is_null(), "{on}");
    assert_eq!(
        a.next_of("coverage").await,
        json!({"type": "coverage", "staffed": true})
    );
    let (mut b, _, at_ready) = Ws::connect_with_coverage(&app, &bob).await;
    assert_eq!(at_ready, json!({"type": "coverage", "staffed": true}));
    assert_eq!(coverage(&app, &bob).await, json!({"staffed": true}));

    // A second moderator on, then the first off: still staffed, nobody is told anything.
    let (_max_ws, _) = Ws::connect(&app, &max).await;
    set_shift(&app, &max, true).await;
    let off = set_shift(&app, &mona, false).await;
    assert_eq!(off["on"], false);
    assert_eq!(off["shift"]["ended_reason"], "off");
    assert!(
        coverage_frames(&mut a, Duration::from_millis(300))
            .await
            .is_empty()
    );

    // The last one off: every member connection gets the banner.
    set_shift(&app, &max, false).await;
    assert_unstaffed(&a.next_of("coverage").await);
    assert_unstaffed(&b.next_of("coverage").await);
    assert_unstaffed(&coverage(&app, &ann).await);
    assert_eq!(shift_of(&app, &max).await["on"], false);

    // Each start and end is audited, by the moderator who did it.
    let audit = shift_audit(&app, &mona.id).await;
    assert_eq!(audit.len(), 2, "{audit:?}");
    assert_eq!(audit[0].0, "shift.started");
    assert_eq!(audit[1].0, "shift.ended");
    assert_eq!(audit[1].1.as_deref(), Some(mona.id.as_str()));
    assert_eq!(audit[1].2["ended_reason"], "off");
    assert_eq!(audit[1].2["shift_id"], on["shift"]["id"]);

    // The shift record (workload per shift, SAFE-SG-9): both shifts, closed, in order.
    let now = app.state.clock.now_naive();
    let record = app
        .db(move |c| {
            kindred::db::shifts::overlapping(c, now - chrono::Duration::hours(1), now).unwrap()
        })
        .await;
    let who: Vec<&str> = record.iter().map(|s| s.moderator_id.as_str()).collect();
    assert_eq!(who, [mona.id.as_str(), max.id.as_str()]);
    assert!(
        record
            .iter()
            .all(|s| s.ended_reason.as_deref() == Some("off"))
    );
    let before = now - chrono::Duration::hours(2);
    let none = app
        .db(move |c| {
            kindred::db::shifts::overlapping(c, before, before + chrono::Duration::minutes(1))
                .unwrap()
        })
        .await;
    assert!(none.is_empty());
}
both_backends!(
    members_hear_coverage_on_ready_and_when_the_last_moderator_goes_off_shift,
    super::sweep_by_hand
);

async fn a_shift_ends_after_the_grace_once_the_last_connection_closes(app: TestApp) {
    let ann = app.signup("Ann").await;
    room(&app, "pair", &[&ann]).await;
    let mona = app.staff("Mona", "moderator").await;
    let (phone, _) = Ws::connect(&app, &mona).await;
    let (laptop, _) = Ws::connect(&app, &mona).await;
    set_shift(&app, &mona, true).await;
    let (mut a, _, c) = Ws::connect_with_coverage(&app, &ann).await;
    assert_eq!(c["staffed"], true);

    // One connection closing is not the last: the shift is not away.
    drop(phone);
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.clock.advance(GRACE * 2);
    assert_eq!(sweep(&app).await, SweepReport::default());
    assert!(shift_of(&app, &mona).await["shift"]["away_since"].is_null());

    // The last one closing starts the grace.
    drop(laptop);
    let away = until_away(&app, &mona, true).await;
    assert_eq!(away["on"], true);
    let since = away["shift"]["away_since"].as_str().unwrap().to_string();
    let since_t = chrono::DateTime::parse_from_rfc3339(&since).unwrap();
    let ends = (since_t + chrono::Duration::seconds(120))
        .with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    assert_eq!(away["shift"]["ends_unless_reconnected_at"], ends);

    app.clock.advance(GRACE - Duration::from_secs(1));
    assert_eq!(sweep(&app).await.ended, 0);
    assert_eq!(shift_of(&app, &mona).await["on"], true);
    assert!(
        coverage_frames(&mut a, Duration::from_millis(200))
            .await
            .is_empty()
    );

    app.clock.advance(Duration::from_secs(2));
    assert_eq!(sweep(&app).await.ended, 1);
    assert_unstaffed(&a.next_of("coverage").await);
    let ended = shift_of(&app, &mona).await;
    assert_eq!(ended["on"], false);
    assert_eq!(ended["shift"]["ended_reason"], "disconnected");
    // It ended when the grace ran out, not when the sweep happened to look.
    assert_eq!(ended["shift"]["ended_at"], ends);
    assert_unstaffed(&coverage(&app, &ann).await);

    let audit = shift_audit(&app, &mona.id).await;
    let last = audit.last().unwrap();
    assert_eq!(last.0, "shift.ended");
    assert_eq!(last.1, None, "the service ended it, not the moderator");
    assert_eq!(last.2["ended_reason"], "disconnected");
    // A second sweep finds nothing to do.
    assert_eq!(sweep(&app).await, SweepReport::default());
}
both_backends!(
    a_shift_ends_after_the_grace_once_the_last_connection_closes,
    super::sweep_by_hand
);

async fn a_moderator_who_reconnects_within_the_grace_keeps_the_shift(app: TestApp) {
    let ann = app.signup("Ann").await;
    room(&app, "pair", &[&ann]).await;
    let mona = app.staff("Mona", "moderator").await;
    let (ws, _) = Ws::connect(&app, &mona).await;
    set_shift(&app, &mona, true).await;
    let (mut a, _) = Ws::connect(&app, &ann).await;

    drop(ws);
    until_away(&app, &mona, true).await;
    app.clock.advance(Duration::from_secs(100));
    let (_back, _) = Ws::connect(&app, &mona).await;
    until_away(&app, &mona, false).await;
    // Well past the first grace, but she came back inside it.
    app.clock.advance(Duration::from_secs(100));
    assert_eq!(sweep(&app).await.ended, 0);
    let s = shift_of(&app, &mona).await;
    assert_eq!(s["on"], true);
    assert!(s["shift"]["ended_at"].is_null());
    assert_eq!(coverage(&app, &ann).await["staffed"], true);
    assert!(
        coverage_frames(&mut a, Duration::from_millis(300))
            .await
            .is_empty()
    );
}
both_backends!(
    a_moderator_who_reconnects_within_the_grace_keeps_the_shift,
    super::sweep_by_hand
);

async fn shifts_survive_a_restart_only_for_the_grace(app: TestApp) {
    let mona = app.staff("Mona", "moderator").await;
    let max = app.staff("Max", "moderator").await;
    // Mona is connected when the process goes; Max went on shift with no socket open, so
    // his shift was away from its start.
    let (_mona_ws, _) = Ws::connect(&app, &mona).await;
    set_shift(&app, &mona, true).await;
    let max_on = set_shift(&app, &max, true).await;
    assert_eq!(max_on["shift"]["away_since"], max_on["shift"]["started_at"]);
    app.clock.advance(Duration::from_secs(60));

    // A new process on the same database: its hub has no connections, as after a restart.
    let mut settings = crate::support::settings_for(&app.database_url, &app.smtp.url());
    sweep_by_hand(&mut settings);
    let restarted = kindred::startup::Application::build_with_clock(settings, app.clock.clone())
        .await
        .expect("second process builds");
    let sweeper = Sweeper::new(restarted.state());
    let first = sweeper.sweep(None).await.unwrap();
    assert_eq!(first.away, 1, "Mona is away from the restart");

    // Max's grace counted from before the restart; Mona's from the restart.
    app.clock.advance(Duration::from_secs(61));
    assert_eq!(sweeper.sweep(None).await.unwrap().ended, 1);
    assert_eq!(
        shift_of(&app, &max).await["shift"]["ended_reason"],
        "disconnected"
    );
    assert_eq!(shift_of(&app, &mona).await["on"], true);
    app.clock.advance(Duration::from_secs(60));
    assert_eq!(sweeper.sweep(None).await.unwrap().ended, 1);
    let mona_end = shift_of(&app, &mona).await;
    assert_eq!(mona_end["shift"]["ended_reason"], "disconnected");
    let staffed: bool = restarted
        .state()
        .db
        .run(|c| Ok(kindred::db::shifts::any_open(c)?))
        .await
        .unwrap();
    assert!(!staffed);
}
both_backends!(
    shifts_survive_a_restart_only_for_the_grace,
    super::sweep_by_hand
);

async fn losing_standing_ends_a_shift_at_once(app: TestApp) {
    let admin = app.staff("Ada", "admin").await;
    let mona = app.staff("Mona", "moderator").await;
    let max = app.staff("Max", "moderator").await;
    let (_m, _) = Ws::connect(&app, &mona).await;
    let (_x, _) = Ws::connect(&app, &max).await;
    set_shift(&app, &mona, true).await;
    set_shift(&app, &max, true).await;

    // Max is made a member: his shift ends at the next sweep, with no grace.
    let r = app
        .put_auth(
            &format!("/api/v1/admin/users/{}/role", max.id),
            &admin.access,
            &json!({"role": "member", "reason": "Stepped back from moderation.", "password": admin.password}),
        )
        .await;
    assert_eq!(r.status(), 200);
    // Mona signs out everywhere: a password change ends her other sessions, then she signs
    // out of this one.
    let r = app
        .post_auth(
            "/api/v1/me/password",
            &mona.access,
            &json!({"current_password": mona.password, "new_password": "a brand new quiet river walk"}),
        )
        .await;
    assert_eq!(r.status(), 204);
    let r = app
        .post(
            "/api/v1/auth/logout",
            &json!({"refresh_token": mona.refresh}),
        )
        .await;
    assert_eq!(r.status(), 204);

    // Their sockets closing already nudged a sweep; this one settles whatever is left.
    sweep(&app).await;
    let reasons = |id: String| async {
        let rows = app
            .db(move |c| kindred::db::shifts::latest_for(c, &id).unwrap().unwrap())
            .await;
        rows.ended_reason
    };
    assert_eq!(
        reasons(max.id.clone()).await.as_deref(),
        Some("role_changed")
    );
    assert_eq!(
        reasons(mona.id.clone()).await.as_deref(),
        Some("signed_out")
    );
    assert_eq!(coverage(&app, &admin).await["staffed"], false);
}
both_backends!(losing_standing_ends_a_shift_at_once, super::sweep_by_hand);

async fn only_moderators_go_on_shift_and_bad_input_is_refused(app: TestApp) {
    let ann = app.signup("Ann").await;
    let mona = app.staff("Mona", "moderator").await;

    for resp in [
        app.put_auth(
            "/api/v1/moderation/shift",
            &ann.access,
            &json!({"on": true}),
        )
        .await,
        app.get_auth("/api/v1/moderation/shift", &ann.access).await,
    ] {
        assert_problem(resp, 403, "insufficient_role").await;
    }
    assert_eq!(coverage(&app, &ann).await["staffed"], false);
    let anon = app
        .client
        .put(app.url("/api/v1/moderation/shift"))
        .json(&json!({"on": true}))
        .send()
        .await
        .unwrap();
    assert_problem(anon, 401, "missing_token").await;
    assert_problem(
        app.get("/api/v1/safety/coverage").await,
        401,
        "missing_token",
    )
    .await;

    for bad in [
        json!({"on": "yes"}),
        json!({}),
        json!({"on": true, "until": 5}),
    ] {
        let r = app
            .put_auth("/api/v1/moderation/shift", &mona.access, &bad)
            .await;
        assert_problem(r, 422, "invalid_body").await;
    }
    let r = app
        .client
        .put(app.url("/api/v1/moderation/shift"))
        .bearer_auth(&mona.access)
        .header("content-type", "application/json")
        .body("{on: true")
        .send()
        .await
        .unwrap();
    assert_problem(r, 400, "malformed_json").await;
    let r = app
        .get_auth("/api/v1/safety/coverage?region=mars", &ann.access)
        .await;
    assert_problem(r, 422, "invalid_query").await;
    let wales: Value = app
        .get_auth("/api/v1/safety/coverage?region=wales", &ann.access)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        wales["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "NHS 111 Wales"),
        "{wales}"
    );

    // Never on shift; off when off and on when on are no-ops, audited once.
    let never = shift_of(&app, &mona).await;
    assert_eq!(
        never,
        json!({"on": false, "grace_secs": 120, "shift": null})
    );
    assert_eq!(set_shift(&app, &mona, false).await["shift"], Value::Null);
    let on = set_shift(&app, &mona, true).await;
    let again = set_shift(&app, &mona, true).await;
    assert_eq!(on["shift"]["id"], again["shift"]["id"]);
    assert_eq!(shift_audit(&app, &mona.id).await.len(), 1);
}
both_backends!(
    only_moderators_go_on_shift_and_bad_input_is_refused,
    super::sweep_by_hand
);
