//! A matching tick that keeps going: one proposal failing never stops the others, and a
//! person who once left an open group is never proposed for it again; the commit re-checks
//! what can change after the plan.

use reqwest::Method;
use serde_json::json;

use kindred::matching::commit::{Proposal, Seat, commit};
use kindred::matching::requests::StoredExplanation;

use crate::both_backends;
use crate::matching::{id_of, ready_member, request, status_of, tick, volunteer};
use crate::support::{Account, TestApp};

/// Makes every insert into `room_members` for the person called `name` fail inside the
/// database, as a real constraint or I/O failure would. The name is bound, never spliced.
async fn fail_seating(app: &TestApp, name: &'static str) {
    app.db(move |c| {
        use diesel::RunQueryDsl;
        let statements: &[&str] = match c {
            kindred::db::DbConn::Sqlite(_) => &[
                "CREATE TABLE fault_names (name TEXT NOT NULL)",
                "CREATE TRIGGER fault BEFORE INSERT ON room_members \
                 WHEN NEW.user_id IN (SELECT u.id FROM users u JOIN fault_names f \
                 ON u.display_name = f.name) \
                 BEGIN SELECT RAISE(ABORT, 'injected fault'); END",
            ],
            kindred::db::DbConn::Pg(_) => &[
                "CREATE TABLE fault_names (name TEXT NOT NULL)",
                "CREATE FUNCTION fault() RETURNS trigger AS $$ BEGIN \
                 IF NEW.user_id IN (SELECT u.id FROM users u JOIN fault_names f \
                 ON u.display_name = f.name) THEN RAISE EXCEPTION 'injected fault'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql",
                "CREATE TRIGGER fault BEFORE INSERT ON room_members \
                 FOR EACH ROW EXECUTE FUNCTION fault()",
            ],
        };
        for s in statements {
            diesel::sql_query(*s).execute(c).expect("fault setup");
        }
        diesel::sql_query("INSERT INTO fault_names (name) VALUES ($1)")
            .bind::<diesel::sql_types::Text, _>(name)
            .execute(c)
            .expect("fault name");
    })
    .await;
}

async fn one_failing_proposal_never_stops_the_tick(app: TestApp) {
    // Two pairs will be proposed; every seat for Faye fails in the database.
    let faye = ready_member(&app, "Faye").await;
    let fred = ready_member(&app, "Fred").await;
    let sam = ready_member(&app, "Sam").await;
    let alex = ready_member(&app, "Alex").await;
    // Blocks steer the plan: Faye may only pair with Fred, Sam only with Alex.
    for (who, other) in [(&faye, &sam), (&faye, &alex), (&fred, &sam), (&fred, &alex)] {
        let path = format!("/api/v1/blocks/{}", other.id);
        let r = app.send(Method::PUT, &path, &who.access, json!(null)).await;
        assert_eq!(r.status(), 204, "block");
    }
    let rf = id_of(request(&app, &faye, "pair").await).await;
    let rr = id_of(request(&app, &fred, "pair").await).await;
    let rs = id_of(request(&app, &sam, "pair").await).await;
    id_of(request(&app, &alex, "pair").await).await;
    fail_seating(&app, "Faye").await;

    let report = tick(&app).await;
    assert_eq!(
        (report.proposed, report.made, report.failed),
        (2, 1, 1),
        "{report:?}"
    );
    assert_eq!(status_of(&app, &sam, &rs).await["status"], "matched");
    // The failed match rolled back whole: both requests still wait, nothing half-made.
    assert_eq!(status_of(&app, &faye, &rf).await["status"], "waiting");
    assert_eq!(status_of(&app, &fred, &rr).await["status"], "waiting");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("kindred_matching_events_total{outcome=\"failed\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("kindred_matching_events_total{outcome=\"made\"} 1"));
}
both_backends!(
    one_failing_proposal_never_stops_the_tick,
    crate::matching::manual_ticks
);

async fn a_former_member_is_never_proposed_for_the_room_again(app: TestApp) {
    let mut people = Vec::new();
    let mut ids = Vec::new();
    for name in ["Ann", "Ben", "Cat", "Dan"] {
        let p = ready_member(&app, name).await;
        ids.push(id_of(request(&app, &p, "group").await).await);
        people.push(p);
    }
    let eve = ready_member(&app, "Eve").await;
    let first = id_of(request(&app, &eve, "group").await).await;
    assert_eq!(tick(&app).await.made, 1);
    let room = status_of(&app, &eve, &first).await["room_id"]
        .as_str()
        .expect("Eve seated")
        .to_string();
    app.send(
        Method::POST,
        &format!("/api/v1/rooms/{room}/leave"),
        &eve.access,
        json!(null),
    )
    .await;
    // Past the 90-day cool-down, the room is still open with a free seat, and Eve asks again
    // beside two pairs who must still be matched in the same tick.
    app.clock
        .advance(std::time::Duration::from_secs(91 * 24 * 3600));
    let eve = app.signin(&eve.email, &eve.password, "Eve").await;
    let again = id_of(request(&app, &eve, "group").await).await;
    let sam = ready_member(&app, "Sam").await;
    let alex = ready_member(&app, "Alex").await;
    let rs = id_of(request(&app, &sam, "pair").await).await;
    id_of(request(&app, &alex, "pair").await).await;

    let report = tick(&app).await;
    assert_eq!(report.failed, 0, "{report:?}");
    assert_eq!(status_of(&app, &sam, &rs).await["status"], "matched");
    let eve_now = status_of(&app, &eve, &again).await;
    assert_eq!(eve_now["status"], "waiting", "not seated again: {eve_now}");
}
both_backends!(
    a_former_member_is_never_proposed_for_the_room_again,
    crate::matching::manual_ticks
);

fn proposal(
    kind: &'static str,
    seats: &[(&str, &Account)],
    facilitator: Option<&Account>,
) -> Proposal {
    Proposal {
        kind,
        focus_condition: "lungs.copd".into(),
        seats: seats
            .iter()
            .map(|(request_id, who)| Seat {
                request_id: request_id.to_string(),
                user_id: who.id.clone(),
                explanation: StoredExplanation {
                    facts: json!([]),
                    sentences: vec![],
                },
            })
            .collect(),
        facilitator: facilitator.map(|v| v.id.clone()),
        facilitator_explanation: None,
        existing_room: None,
    }
}

async fn commit_now(app: &TestApp, p: Proposal) -> bool {
    let now = app.state.clock.now_naive();
    app.db(move |c| commit(c, &p, now, "http://127.0.0.1").expect("commit"))
        .await
        .is_some()
}

/// A plan is made from a snapshot; what changed before its commit makes the match lost, not
/// an error, and leaves every request waiting.
async fn the_commit_rechecks_what_can_change_after_the_plan(app: TestApp) {
    let sam = ready_member(&app, "Sam").await;
    let alex = ready_member(&app, "Alex").await;
    let rs = id_of(request(&app, &sam, "pair").await).await;
    let ra = id_of(request(&app, &alex, "pair").await).await;
    // A block made after the plan.
    let path = format!("/api/v1/blocks/{}", sam.id);
    assert_eq!(
        app.send(Method::PUT, &path, &alex.access, json!(null))
            .await
            .status(),
        204
    );
    let p = proposal("pair", &[(&rs, &sam), (&ra, &alex)], None);
    assert!(!commit_now(&app, p).await, "a block between them");
    assert_eq!(status_of(&app, &sam, &rs).await["status"], "waiting");
    assert_eq!(status_of(&app, &alex, &ra).await["status"], "waiting");

    // A volunteer whose only one-to-one slot was taken after the plan.
    let vic = volunteer(&app, "Vic", 1).await;
    let cat = ready_member(&app, "Cat").await;
    let dan = ready_member(&app, "Dan").await;
    let rc = id_of(request(&app, &cat, "one_to_one").await).await;
    let rd = id_of(request(&app, &dan, "one_to_one").await).await;
    let first = proposal("one_to_one", &[(&rc, &cat)], Some(&vic));
    assert!(commit_now(&app, first).await);
    let second = proposal("one_to_one", &[(&rd, &dan)], Some(&vic));
    assert!(
        !commit_now(&app, second).await,
        "over the volunteer's capacity"
    );
    assert_eq!(status_of(&app, &dan, &rd).await["status"], "waiting");
}
both_backends!(
    the_commit_rechecks_what_can_change_after_the_plan,
    crate::matching::manual_ticks
);
