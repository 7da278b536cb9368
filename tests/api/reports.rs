//! Reports (SAFE-SG-6, T34) and their moderation queue, on both backends, with real
//! websocket clients and the real SMTP listener: what a member may report (and the same 404
//! for what they cannot see), folding, the queue's order and pages, the context and its audit
//! row, resolution reaching every reporter by frame, email and `/reports/mine`, and the
//! reported person never learning who reported them. The sanction ladder's start-up check.

use std::time::Duration;

use serde_json::{Value, json};

use crate::both_backends;
use crate::realtime::room;
use crate::support::ws::{Event, Ws};
use crate::support::{Account, MAIL_WAIT, TestApp, assert_problem};

const REPORTS: &str = "/api/v1/reports";
const QUEUE: &str = "/api/v1/moderation/reports";

async fn say(app: &TestApp, who: &Account, room_id: &str, client_id: &str, body: &str) -> String {
    let r = app
        .post_auth(
            &format!("/api/v1/rooms/{room_id}/messages"),
            &who.access,
            &json!({"client_id": client_id, "body": body}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    v["id"].as_str().unwrap().to_string()
}

async fn report(
    app: &TestApp,
    who: &Account,
    kind: &str,
    id: &str,
    category: &str,
) -> reqwest::Response {
    app.post_auth(
        REPORTS,
        &who.access,
        &json!({"target_type": kind, "target_id": id, "category": category}),
    )
    .await
}

async fn report_ok(
    app: &TestApp,
    who: &Account,
    kind: &str,
    id: &str,
    category: &str,
    status: u16,
) -> Value {
    let r = report(app, who, kind, id, category).await;
    let got = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    body
}

async fn queue(app: &TestApp, moderator: &Account, query: &str) -> Value {
    let r = app
        .get_auth(&format!("{QUEUE}{query}"), &moderator.access)
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// A moderation action against `target` recorded directly, as the actions service would.
async fn action_against(
    app: &TestApp,
    actor: &Account,
    target: &Account,
    category: &str,
) -> String {
    let (actor, target, category) = (actor.id.clone(), target.id.clone(), category.to_string());
    let now = app.state.clock.now_naive();
    app.db(move |c| {
        let id = kindred::domain::new_id();
        kindred::db::moderation_actions::insert(
            c,
            &kindred::db::moderation_actions::NewAction {
                id: &id,
                kind: "warn",
                actor_id: &actor,
                target_user_id: &target,
                room_id: None,
                message_id: None,
                category: Some(&category),
                reason: "earlier spam",
                source_type: None,
                source_id: None,
                until: None,
                created_at: now,
            },
        )
        .unwrap();
        id
    })
    .await
}

async fn a_member_reports_only_what_they_can_see_and_repeats_fold(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let eve = app.signup("Eve").await;
    let carl = app.signup("Carl").await;
    let dee = app.signup("Dee").await;
    let group = room(&app, "group", &[&ann, &bob, &eve]).await;
    let elsewhere = room(&app, "pair", &[&carl, &dee]).await;
    let early = say(&app, &bob, &group, "b-1", "Nobody wants you here").await;
    let theirs = say(&app, &dee, &elsewhere, "d-1", "Hello Carl").await;

    // A message in the caller's room: reported, then folded.
    let first = report_ok(&app, &ann, "message", &early, "abuse_harassment", 201).await;
    assert_eq!(first["status"], "received");
    assert_eq!(first["target_id"], early.as_str());
    assert!(first["message"].is_null());
    let again = report_ok(&app, &ann, "message", &early, "spam", 200).await;
    assert_eq!(
        again["id"], first["id"],
        "a repeat folds into the first report"
    );
    assert_eq!(
        again["category"], "abuse_harassment",
        "the first report is unchanged"
    );
    // Someone else reporting it joins the same case; a member and a room too.
    let eves = report_ok(&app, &eve, "message", &early, "self_harm", 201).await;
    assert_ne!(
        eves["id"], first["id"],
        "each reporter has their own report"
    );
    report_ok(&app, &ann, "user", &bob.id, "spam", 201).await;
    report_ok(&app, &ann, "room", &group, "other", 201).await;

    // What Carl cannot see is the same 404 as what does not exist.
    let missing = kindred::domain::new_id();
    let mut bodies = Vec::new();
    for (kind, id) in [
        ("message", early.as_str()),
        ("message", missing.as_str()),
        ("user", bob.id.as_str()),
        ("user", missing.as_str()),
        ("room", group.as_str()),
        ("room", missing.as_str()),
        ("message", "not-a-uuid"),
    ] {
        let b = assert_problem(
            report(&app, &carl, kind, id, "spam").await,
            404,
            "not_found",
        )
        .await;
        bodies.push(b);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:?}");
    // Carl can report what is his to see.
    report_ok(&app, &carl, "message", &theirs, "personal_info", 201).await;

    // A former member may report what was written before they left, not after.
    let r = app
        .post_auth(
            &format!("/api/v1/rooms/{group}/leave"),
            &ann.access,
            &json!({}),
        )
        .await;
    assert!(r.status().is_success(), "leave: {}", r.status());
    app.clock.advance(Duration::from_secs(5));
    let late = say(&app, &bob, &group, "b-2", "Gone now").await;
    assert_problem(
        report(&app, &ann, "message", &late, "spam").await,
        404,
        "not_found",
    )
    .await;
    let still = report_ok(&app, &ann, "message", &early, "abuse_harassment", 200).await;
    assert_eq!(still["id"], first["id"]);

    // Bad input of every kind.
    assert_problem(
        report(&app, &bob, "message", &early, "spam").await,
        422,
        "cannot_report_self",
    )
    .await;
    assert_problem(
        report(&app, &bob, "user", &bob.id, "spam").await,
        422,
        "cannot_report_self",
    )
    .await;
    assert_problem(
        report(&app, &eve, "message", &early, "rude").await,
        422,
        "invalid_category",
    )
    .await;
    assert_problem(
        report(&app, &eve, "photo", &early, "spam").await,
        422,
        "invalid_target_type",
    )
    .await;
    let long = "x".repeat(2001);
    let r = app
        .post_auth(
            REPORTS,
            &eve.access,
            &json!({"target_type": "user", "target_id": bob.id, "category": "spam", "detail": long}),
        )
        .await;
    assert_problem(r, 422, "invalid_detail").await;
    let r = app
        .post_auth(
            REPORTS,
            &eve.access,
            &json!({"target_type": "user", "target_id": bob.id, "category": "spam", "extra": 1}),
        )
        .await;
    assert_problem(r, 422, "invalid_body").await;
    let r = app
        .client
        .post(app.url(REPORTS))
        .bearer_auth(&eve.access)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_problem(r, 400, "malformed_json").await;
    let r = app
        .client
        .post(app.url(REPORTS))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_problem(r, 401, "missing_token").await;

    // In the database: one case for the message with two reporters, the first category kept
    // by Ann's filing and the case raised to the most severe.
    let (cases, filings) = app
        .db(move |c| {
            let rows = kindred::db::reports::queue_page(c, None, 100).unwrap();
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            let filings = kindred::db::reports::filings_of(c, &ids).unwrap();
            (rows, filings)
        })
        .await;
    let case = cases.iter().find(|r| r.target_id == early).unwrap();
    assert_eq!(case.category, "self_harm");
    assert_eq!(filings.iter().filter(|f| f.report_id == case.id).count(), 2);
    assert_eq!(cases.len(), 4, "message, member, room, and Carl's message");

    // Erasure removes a reporter's words; the report stays counted.
    let r = app
        .post_auth(
            REPORTS,
            &eve.access,
            &json!({"target_type": "user", "target_id": bob.id, "category": "spam",
                    "detail": "EveCanary says he sells pills"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert!(!app.find_anywhere("evecanary").await.is_empty());
    let r = app
        .send(
            reqwest::Method::DELETE,
            "/api/v1/me",
            &eve.access,
            json!({"password": eve.password}),
        )
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(app.find_anywhere("evecanary").await, Vec::<String>::new());
    let left = app
        .db(|c| kindred::db::reports::queue_page(c, None, 100).unwrap())
        .await;
    let ids: Vec<String> = left.iter().map(|r| r.id.clone()).collect();
    let filings = app
        .db(move |c| kindred::db::reports::filings_of(c, &ids).unwrap())
        .await;
    assert_eq!(filings.len(), 6, "every filing is kept");
}
both_backends!(a_member_reports_only_what_they_can_see_and_repeats_fold);

async fn the_queue_orders_by_severity_then_age_and_pages(app: TestApp) {
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let mo = app.staff("Morgan", "moderator").await;
    let id = room(&app, "pair", &[&ann, &bob]).await;
    let mut msgs = Vec::new();
    for i in 0..9 {
        msgs.push(say(&app, &bob, &id, &format!("b-{i}"), &format!("line {i}")).await);
    }
    // Oldest first: spam (msg 4), other (msg 5), self_harm (msg 6), abuse (msg 7), spam (msg 8).
    let plan = [
        (4, "spam"),
        (5, "other"),
        (6, "self_harm"),
        (7, "abuse_harassment"),
        (8, "spam"),
    ];
    for (i, cat) in plan {
        report_ok(&app, &ann, "message", &msgs[i], cat, 201).await;
        app.clock.advance(Duration::from_secs(60));
    }
    let expected = [&msgs[6], &msgs[7], &msgs[4], &msgs[8], &msgs[5]];

    let all = queue(&app, &mo, "").await;
    let order: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["target"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(order, expected.map(String::as_str));
    assert!(all["next_before"].is_null());

    // Pages of two, by the cursor, give the same order with nothing repeated or lost.
    let mut paged = Vec::new();
    let mut before: Option<String> = None;
    let mut pages = 0;
    loop {
        let q = match &before {
            Some(b) => format!("?limit=2&before={}", urlencode(b)),
            None => "?limit=2".into(),
        };
        let page = queue(&app, &mo, &q).await;
        pages += 1;
        for it in page["items"].as_array().unwrap() {
            paged.push(it["target"]["id"].as_str().unwrap().to_string());
        }
        match page["next_before"].as_str() {
            Some(b) => before = Some(b.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(paged, expected.map(String::clone));

    // What a moderator needs: the message with three either side, the room's kind, due time.
    let top = &all["items"][0];
    assert_eq!(top["category"], "self_harm");
    assert_eq!(top["status"], "received");
    assert_eq!(top["target"]["type"], "message");
    assert_eq!(top["target"]["user"]["id"], bob.id.as_str());
    assert_eq!(top["target"]["room"]["kind"], "pair");
    let ctx: Vec<&str> = top["context"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        ctx,
        ["line 3", "line 4", "line 5", "line 6", "line 7", "line 8"]
    );
    let reported: Vec<bool> = top["context"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["reported"].as_bool().unwrap())
        .collect();
    assert_eq!(reported, [false, false, false, true, false, false]);
    assert_eq!(top["reporters"], 1);
    assert!(top["filings"][0].get("reporter_id").is_none());
    assert!(
        !top.to_string().contains(&ann.id),
        "moderators see what was said, not who said it"
    );
    assert_eq!(top["overdue"], false);
    let created =
        chrono::DateTime::parse_from_rfc3339(top["created_at"].as_str().unwrap()).unwrap();
    let due = chrono::DateTime::parse_from_rfc3339(top["due_at"].as_str().unwrap()).unwrap();
    assert_eq!(due - created, chrono::TimeDelta::hours(24));
    // self_harm carries no strikes: no sanction suggested.
    assert_eq!(top["suggestion"]["step"], "none");

    // Prior actions and the ladder: with one spam strike on record, spam suggests a mute.
    let earlier = action_against(&app, &mo, &bob, "spam").await;
    app.clock.advance(Duration::from_secs(25 * 3600));
    let mo = refreshed(&app, mo).await;
    let again = queue(&app, &mo, "").await;
    let spam = &again["items"][2];
    assert_eq!(spam["category"], "spam");
    assert_eq!(spam["prior_actions"][0]["id"], earlier.as_str());
    assert_eq!(spam["suggestion"]["step"], "mute");
    assert_eq!(spam["suggestion"]["duration_hours"], 24);
    assert_eq!(spam["suggestion"]["strikes_before"], 1);
    assert_eq!(spam["overdue"], true);

    // Each look at room content is audited, naming the room and the report.
    let room_id = id.clone();
    let looks = app
        .db(move |c| kindred::db::audit::for_target(c, &room_id).unwrap())
        .await;
    let looks: Vec<_> = looks
        .iter()
        .filter(|a| a.action == "report_context_viewed")
        .collect();
    assert!(looks.len() >= 5, "{}", looks.len());
    assert!(
        looks
            .iter()
            .all(|a| a.actor_id.as_deref() == Some(mo.id.as_str()))
    );
    assert!(
        looks.iter().any(|a| a.reason.as_deref()
            == Some(&format!("report {}", top["id"].as_str().unwrap()) as &str))
    );

    // A closed report moves after every open one.
    let r = app
        .post_auth(
            &format!("{QUEUE}/{}/resolve", top["id"].as_str().unwrap()),
            &mo.access,
            &json!({"outcome": "no_action", "message_to_reporter": "Thanks, we looked."}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let after = queue(&app, &mo, "").await;
    let last = after["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["id"], top["id"]);
    assert_eq!(last["status"], "no_action");

    // Only staff; bad paging is problem+json.
    let ann = refreshed(&app, ann).await;
    assert_problem(
        app.get_auth(QUEUE, &ann.access).await,
        403,
        "insufficient_role",
    )
    .await;
    assert_problem(
        app.get_auth(&format!("{QUEUE}?limit=0"), &mo.access).await,
        422,
        "invalid_limit",
    )
    .await;
    assert_problem(
        app.get_auth(&format!("{QUEUE}?limit=101"), &mo.access)
            .await,
        422,
        "invalid_limit",
    )
    .await;
    assert_problem(
        app.get_auth(&format!("{QUEUE}?before=nonsense"), &mo.access)
            .await,
        400,
        "invalid_cursor",
    )
    .await;
    assert_problem(
        app.get_auth(&format!("{QUEUE}?sort=new"), &mo.access).await,
        422,
        "invalid_query",
    )
    .await;
}
both_backends!(the_queue_orders_by_severity_then_age_and_pages);

/// A fresh access token after the clock moved past the old one's expiry.
async fn refreshed(app: &TestApp, mut who: Account) -> Account {
    let r = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": who.refresh}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    who.access = v["access_token"].as_str().unwrap().to_string();
    who.refresh = v["refresh_token"].as_str().unwrap().to_string();
    who
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn resolving_reaches_every_reporter_and_never_names_them_to_the_reported(app: TestApp) {
    let ann = app.signup("Annwyn").await;
    let cat = app.signup("Catriona").await;
    let bob = app.signup("Bob").await;
    let other = app.signup("Olive").await;
    let mo = app.staff("Morgan", "moderator").await;
    let id = room(&app, "group", &[&ann, &cat, &bob]).await;
    room(&app, "pair", &[&other, &mo]).await;
    let msg = say(
        &app,
        &bob,
        &id,
        "b-1",
        "Here is my phone number for everyone",
    )
    .await;

    // Reporters first, then the reported person, so no presence frame follows.
    let (mut a, _) = Ws::connect(&app, &ann).await;
    let (mut c, _) = Ws::connect(&app, &cat).await;
    let (mut b, _) = Ws::connect(&app, &bob).await;
    b.drain(Duration::from_millis(300)).await;

    let ann_report = report_ok(&app, &ann, "message", &msg, "personal_info", 201).await;
    let cat_report = report_ok(&app, &cat, "message", &msg, "spam", 201).await;
    let page = queue(&app, &mo, "").await;
    let case = page["items"][0].clone();
    assert_eq!(case["reporters"], 2);
    let case_id = case["id"].as_str().unwrap().to_string();

    // Opening it: in review, and each reporter hears it on their own report id.
    let r = app
        .post_auth(&format!("{QUEUE}/{case_id}/claim"), &mo.access, &json!({}))
        .await;
    assert_eq!(r.status(), 200);
    let claimed: Value = r.json().await.unwrap();
    assert_eq!(claimed["status"], "in_review");
    assert_eq!(claimed["claimed_by"], mo.id.as_str());
    for (ws, rep) in [(&mut a, &ann_report), (&mut c, &cat_report)] {
        let f = ws.next_of("report_update").await;
        assert_eq!(f["report_id"], rep["id"]);
        assert_eq!(f["status"], "in_review");
    }
    let mine: Value = app
        .get_auth("/api/v1/reports/mine", &ann.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["reports"][0]["status"], "in_review");
    // A second claim is a no-op.
    assert_eq!(
        app.post_auth(&format!("{QUEUE}/{case_id}/claim"), &mo.access, &json!({}))
            .await
            .status(),
        200
    );

    // Bad resolutions are refused and change nothing.
    let resolve = |body: Value| {
        let (app, mo, case_id) = (&app, &mo, &case_id);
        async move {
            app.post_auth(&format!("{QUEUE}/{case_id}/resolve"), &mo.access, &body)
                .await
        }
    };
    let bobs_warning = action_against(&app, &mo, &bob, "personal_info").await;
    let olives = action_against(&app, &mo, &other, "spam").await;
    assert_problem(
        resolve(json!({"outcome": "maybe", "message_to_reporter": "x"})).await,
        422,
        "invalid_outcome",
    )
    .await;
    assert_problem(
        resolve(json!({"outcome": "actioned", "message_to_reporter": "  "})).await,
        422,
        "invalid_message_to_reporter",
    )
    .await;
    assert_problem(
        resolve(json!({"outcome": "actioned", "message_to_reporter": "x".repeat(1001)})).await,
        422,
        "invalid_message_to_reporter",
    )
    .await;
    assert_problem(resolve(json!({"outcome": "no_action", "message_to_reporter": "x", "action_ids": [bobs_warning]})).await, 422, "actions_with_no_action").await;
    assert_problem(resolve(json!({"outcome": "actioned", "message_to_reporter": "x", "action_ids": [kindred::domain::new_id()]})).await, 422, "unknown_action").await;
    assert_problem(
        resolve(json!({"outcome": "actioned", "message_to_reporter": "x", "action_ids": [olives]}))
            .await,
        422,
        "action_not_for_target",
    )
    .await;
    assert_problem(
        resolve(json!({"outcome": "actioned", "message_to_reporter": "x", "action_ids": ["nope"]}))
            .await,
        422,
        "invalid_action_ids",
    )
    .await;
    assert_problem(
        app.post_auth(
            &format!("{QUEUE}/{case_id}/resolve"),
            &ann.access,
            &json!({"outcome": "actioned", "message_to_reporter": "x"}),
        )
        .await,
        403,
        "insufficient_role",
    )
    .await;
    assert_problem(
        app.post_auth(
            &format!("{QUEUE}/{}/resolve", kindred::domain::new_id()),
            &mo.access,
            &json!({"outcome": "actioned", "message_to_reporter": "x"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;

    let sentence = "Thank you. We removed the number and warned the member.";
    let r = resolve(json!({"outcome": "actioned", "message_to_reporter": sentence, "note": "first offence", "action_ids": [bobs_warning]})).await;
    assert_eq!(r.status(), 200);
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["status"], "actioned");
    assert_eq!(done["action_ids"], json!([bobs_warning]));
    assert_eq!(done["resolution_note"], "first offence");
    assert_problem(
        resolve(json!({"outcome": "no_action", "message_to_reporter": "again"})).await,
        409,
        "report_closed",
    )
    .await;

    // Every reporter: the frame, the email, the status in /reports/mine.
    for (ws, who, rep) in [(&mut a, &ann, &ann_report), (&mut c, &cat, &cat_report)] {
        let f = ws.next_of("report_update").await;
        assert_eq!(f["report_id"], rep["id"]);
        assert_eq!(f["status"], "actioned");
        assert_eq!(f["message"], sentence);
        let mail = app
            .smtp
            .wait_for_subject(
                &who.email,
                "Your Kindred report has been reviewed",
                MAIL_WAIT,
            )
            .await
            .expect("the reporter is emailed");
        assert!(mail.text.contains(sentence), "{}", mail.text);
        assert!(
            !mail.text.contains("Bob"),
            "the email does not name the reported person"
        );
        let mine: Value = app
            .get_auth("/api/v1/reports/mine", &who.access)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(mine["reports"].as_array().unwrap().len(), 1);
        assert_eq!(mine["reports"][0]["id"], rep["id"]);
        assert_eq!(mine["reports"][0]["status"], "actioned");
        assert_eq!(mine["reports"][0]["message"], sentence);
        let export: Value = app
            .get_auth("/api/v1/me/export", &who.access)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(export["reports_you_made"][0]["id"], rep["id"]);
    }

    // The reported person: no frame, response, export row or email names a reporter.
    let seen = b.drain(Duration::from_millis(500)).await;
    let reporters = [&ann.id, &cat.id, &ann.display_name, &cat.display_name];
    for e in &seen {
        let Event::Frame(f) = e else {
            panic!("Bob's socket closed: {e:?}")
        };
        assert_ne!(f["type"], "report_update");
        for needle in reporters {
            assert!(!f.to_string().contains(needle.as_str()), "{f}");
        }
    }
    let mine: Value = app
        .get_auth("/api/v1/reports/mine", &bob.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["reports"], json!([]));
    assert_problem(
        app.get_auth(QUEUE, &bob.access).await,
        403,
        "insufficient_role",
    )
    .await;
    let export = app
        .get_auth("/api/v1/me/export", &bob.access)
        .await
        .text()
        .await
        .unwrap();
    for needle in reporters {
        assert!(
            !export.contains(needle.as_str()),
            "Bob's export names {needle}"
        );
    }
    for mail in app.smtp.all_for(&bob.email) {
        for needle in reporters {
            assert!(
                !mail.raw.contains(needle.as_str()),
                "an email to Bob names {needle}"
            );
        }
    }
    // The audit rows exist, but never put a reporter next to Bob's id.
    let rows = app
        .db(|c| {
            use diesel::prelude::*;
            kindred::db::schema::audit_log::table
                .select(kindred::db::audit::AuditEntry::as_select())
                .load(c)
                .unwrap()
        })
        .await;
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    for a in [
        "report_filed",
        "report_claimed",
        "report_context_viewed",
        "report_resolved",
    ] {
        assert!(actions.contains(&a), "{a} audited: {actions:?}");
    }
    for r in rows.iter().filter(|r| r.action.starts_with("report_")) {
        let names_reporter = [&ann.id, &cat.id].iter().any(|id| {
            r.actor_id.as_deref() == Some(id.as_str()) || r.details.contains(id.as_str())
        });
        let about_bob =
            r.target_id.as_deref() == Some(bob.id.as_str()) || r.details.contains(&bob.id);
        assert!(!(names_reporter && about_bob), "{r:?}");
    }
}
both_backends!(resolving_reaches_every_reporter_and_never_names_them_to_the_reported);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_sanctions_file_refuses_to_start_and_a_good_one_replaces_the_ladder() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"version":"x","strike_lifetime_days":30,"categories":{"spam":1},"steps":[]}"#,
    )
    .unwrap();
    let (url, _guard) = crate::support::fresh_database(crate::support::Backend::Sqlite).await;
    let mut settings = crate::support::settings_for(&url, "smtp://127.0.0.1:1");
    settings.reports.sanctions_file = Some(bad.clone());
    let err = match kindred::startup::Application::build(settings).await {
        Ok(_) => panic!("a bad ladder must refuse to start"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("KINDRED_SANCTIONS_FILE"), "{err}");
    assert!(err.contains("has no strikes"), "{err}");

    let good = dir.path().join("good.json");
    std::fs::write(
        &good,
        r#"{"version":"strict-1","strike_lifetime_days":30,
            "categories":{"self_harm":0,"abuse_harassment":9,"personal_info":1,"spam":1,"other":1},
            "steps":[{"at_strikes":1,"suggest":"ban"}]}"#,
    )
    .unwrap();
    let app = TestApp::spawn_with(crate::support::Backend::Sqlite, move |s| {
        s.reports.sanctions_file = Some(good);
    })
    .await;
    let ann = app.signup("Ann").await;
    let bob = app.signup("Bob").await;
    let mo = app.staff("Morgan", "moderator").await;
    room(&app, "pair", &[&ann, &bob]).await;
    report_ok(&app, &ann, "user", &bob.id, "other", 201).await;
    let page = queue(&app, &mo, "").await;
    assert_eq!(page["items"][0]["suggestion"]["step"], "ban");
    assert_eq!(page["items"][0]["suggestion"]["ladder_version"], "strict-1");
    assert!(
        page["items"][0]["context"].as_array().unwrap().is_empty(),
        "a member report shows no room content"
    );
}
