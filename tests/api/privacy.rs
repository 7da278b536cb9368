//! A member's rights over their data: export everything, erase everything personal.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::support::{Account, MAIL_WAIT, PUBLIC_URL, TestApp, assert_problem};

const BIO_CANARY: &str = "canary-bio-7f3a";
const PRONOUN_CANARY: &str = "canary/pro";
const MOTIVATION_CANARY: &str = "canary-motivation-91bd";

/// A member with something in every part of their record.
async fn rich_member(app: &TestApp, name: &str) -> Account {
    let a = app.signup(name).await;
    let ok = |r: reqwest::Response| assert!(r.status().is_success(), "{}", r.status());
    ok(app
        .patch_auth(
            "/api/v1/me",
            &a.access,
            &json!({"pronouns": PRONOUN_CANARY, "bio": format!("My story: {BIO_CANARY}"), "languages": [{"tag": "en"}],
                    "timezone": "Europe/London", "age_band": "50-64", "gender": "man",
                    "availability": [{"day": "wed", "part": "evening"}]}),
        )
        .await);
    ok(app
        .put_auth(
            "/api/v1/me/conditions",
            &a.access,
            &json!([{"id": "heart.heart_failure", "diagnosed_year": 2020}]),
        )
        .await);
    ok(app
        .put_auth(
            "/api/v1/me/experiences",
            &a.access,
            &json!(["life.living_alone", "identity.faith"]),
        )
        .await);
    ok(app
        .post_auth(
            "/api/v1/me/check-ins",
            &a.access,
            &json!({"answers": [4, 5, 6, 5, 4, 6]}),
        )
        .await);
    ok(app
        .post_auth(
            "/api/v1/volunteer-applications",
            &a.access,
            &json!({"motivation": format!("Because {MOTIVATION_CANARY}"), "lived_experience": "Six years.",
                    "conditions": ["heart.heart_failure"], "training": {"course": "Peer basics", "completed_on": "2026-01-10"}}),
        )
        .await);
    a
}

async fn the_export_holds_everything_and_every_user_linked_table(app: TestApp) {
    let sam = rich_member(&app, "Sam").await;
    let resp = app.get_auth("/api/v1/me/export", &sam.access).await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let doc: Value = resp.json().await.unwrap();
    assert_eq!(doc["schema_version"], 1);
    assert!(doc["exported_at"].is_string());
    assert!(
        doc["description"]
            .as_str()
            .unwrap()
            .contains("Former member")
    );
    assert_eq!(doc["account"]["email"], sam.email.as_str());
    assert!(doc["profile"]["bio"].as_str().unwrap().contains(BIO_CANARY));
    assert_eq!(doc["conditions"][0]["id"], "heart.heart_failure");
    assert_eq!(doc["experiences"].as_array().unwrap().len(), 2);
    assert_eq!(doc["check_ins"][0]["answers"], json!([4, 5, 6, 5, 4, 6]));
    assert!(
        doc["volunteer_applications"][0]["motivation"]
            .as_str()
            .unwrap()
            .contains(MOTIVATION_CANARY)
    );
    assert!(!doc["sessions"].as_array().unwrap().is_empty());
    assert_eq!(doc["pending_email_links"][0]["purpose"], "verify_email");

    // Every table that has a user_id column (and users itself) is named by the export map,
    // and every section the map names is in the document.
    let linked: BTreeSet<&str> = kindred::profiles::export::USER_LINKED_TABLES
        .iter()
        .map(|(t, _)| *t)
        .collect();
    for (table, cols) in app.catalog().await {
        let links_a_user = table == "users"
            || cols.iter().any(|c| {
                [
                    "user_id",
                    "actor_id",
                    "sender_id",
                    "moderator_id",
                    "raised_by",
                ]
                .contains(&c.as_str())
            });
        let via_session = cols.iter().any(|c| c == "session_id");
        if links_a_user || via_session {
            assert!(
                linked.contains(table.as_str()),
                "user-linked table `{table}` is missing from the export"
            );
        }
    }
    for (_, section) in kindred::profiles::export::USER_LINKED_TABLES {
        assert!(
            doc.get(*section).is_some(),
            "export lacks section `{section}`"
        );
    }
    // Secrets are described, not exported.
    let text = doc.to_string();
    assert!(!text.contains("$argon2id$"));
    assert!(!text.contains(&sam.refresh));
    assert!(!text.contains(&kindred::auth::tokens::hash_token(&sam.refresh)));
}
both_backends!(the_export_holds_everything_and_every_user_linked_table);

async fn erasure_leaves_nothing_personal_and_frees_the_email(app: TestApp) {
    let sam = rich_member(&app, "SamwiseCanary").await;
    let other = app.signup("Rosie").await;
    let wrong = app
        .send(
            Method::DELETE,
            "/api/v1/me",
            &sam.access,
            json!({"password": "not my password"}),
        )
        .await;
    assert_problem(wrong, 403, "current_password_incorrect").await;
    let resp = app
        .send(
            Method::DELETE,
            "/api/v1/me",
            &sam.access,
            json!({"password": sam.password}),
        )
        .await;
    assert_eq!(resp.status(), 204);

    assert_eq!(app.get_auth("/api/v1/me", &sam.access).await.status(), 401);
    assert_eq!(app.login(&sam.email, &sam.password).await.status(), 401);
    let refresh = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": sam.refresh}),
        )
        .await;
    assert_eq!(refresh.status(), 401);

    // Nothing personal anywhere, in any table or column.
    for needle in [
        sam.email.as_str(),
        "samwise",
        BIO_CANARY,
        PRONOUN_CANARY,
        MOTIVATION_CANARY,
        "heart.heart_failure",
        "identity.faith",
    ] {
        let hits = app.find_anywhere(needle).await;
        let allowed: Vec<&str> = match needle {
            // The vocabularies themselves hold these ids; no row links them to Sam any more.
            "heart.heart_failure" => vec!["conditions.id"],
            "identity.faith" => vec!["experiences.id"],
            _ => vec![],
        };
        let unexpected: Vec<&String> = hits
            .iter()
            .filter(|h| !allowed.contains(&h.as_str()))
            .collect();
        assert!(
            unexpected.is_empty(),
            "`{needle}` is still in {unexpected:?}"
        );
    }
    // The row is a tombstone, so references hold.
    let id = sam.id.clone();
    let row = app
        .db(move |c| kindred::db::users::find(c, &id).unwrap().unwrap())
        .await;
    assert_eq!(row.display_name, "Former member");
    assert_eq!(row.status, "erased");
    assert!(row.email.is_none() && row.password_hash.is_none());
    // Others are untouched.
    assert_eq!(
        app.get_auth("/api/v1/me", &other.access).await.status(),
        200
    );

    // The address may register again, as a new account.
    let resp = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": sam.email, "password": "a fresh start by the sea", "display_name": "SamwiseCanary"}),
        )
        .await;
    assert_eq!(resp.status(), 202);
    let mail = app.smtp.wait_for(&sam.email, MAIL_WAIT).await.unwrap();
    assert!(
        mail.token_from_link(&format!("{PUBLIC_URL}/verify-email"))
            .is_some()
    );
    let again = app
        .signin(&sam.email, "a fresh start by the sea", "SamwiseCanary")
        .await;
    assert_ne!(again.id, sam.id);
}
both_backends!(erasure_leaves_nothing_personal_and_frees_the_email);

async fn the_last_admin_cannot_erase_their_account(app: TestApp) {
    let ada = app.signup("Ada").await;
    app.make_role(&ada.id, "admin").await;
    let resp = app
        .send(
            Method::DELETE,
            "/api/v1/me",
            &ada.access,
            json!({"password": ada.password}),
        )
        .await;
    assert_problem(resp, 409, "last_admin").await;
    assert_eq!(app.get_auth("/api/v1/me", &ada.access).await.status(), 200);
}
both_backends!(the_last_admin_cannot_erase_their_account);
