//! Mail goes through a real SMTP server; an outage delays it and loses nothing.

use std::time::Duration;

use serde_json::json;

use crate::both_backends;
use crate::support::{MAIL_WAIT, PUBLIC_URL, TestApp};

async fn an_smtp_outage_delays_mail_and_never_fails_the_request(app: TestApp) {
    app.smtp.set_failing(true);
    let resp = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "patient@example.org", "password": "a calm river at dawn", "display_name": "Patient"}),
        )
        .await;
    assert_eq!(resp.status(), 202);
    // The worker tries, is refused, and backs off; nothing is delivered.
    for _ in 0..50 {
        if app.smtp.rejected_attempts() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(app.smtp.rejected_attempts() >= 1);
    assert!(
        app.smtp
            .wait_for("patient@example.org", Duration::from_millis(500))
            .await
            .is_none()
    );
    let backlog = app.db(|c| kindred::db::outbox::backlog(c).unwrap()).await;
    assert_eq!(backlog, 1, "the mail waits in the outbox");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("kindred_outbox_backlog 1"), "{metrics}");

    // The server recovers; after the backoff the same mail arrives, once.
    app.smtp.set_failing(false);
    app.clock.advance(Duration::from_secs(3600));
    let mail = app
        .smtp
        .wait_for("patient@example.org", MAIL_WAIT)
        .await
        .expect("mail delivered after the outage");
    assert!(
        mail.token_from_link(&format!("{PUBLIC_URL}/verify-email"))
            .is_some()
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.smtp.all_for("patient@example.org").len(), 1);
    assert_eq!(
        app.db(|c| kindred::db::outbox::backlog(c).unwrap()).await,
        0
    );
}
both_backends!(an_smtp_outage_delays_mail_and_never_fails_the_request);

async fn sent_mail_leaves_no_link_behind_in_the_database(app: TestApp) {
    app.register("quiet@example.org", "a calm river at dawn", "Quiet")
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rows = app
        .db(|c| {
            use diesel::prelude::*;
            kindred::db::schema::outbox::table
                .count()
                .get_result::<i64>(c)
                .unwrap()
        })
        .await;
    assert_eq!(rows, 0);
}
both_backends!(sent_mail_leaves_no_link_behind_in_the_database);
