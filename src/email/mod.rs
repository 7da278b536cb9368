//! Email: message builders, the outbox (a row written in the same transaction as the event that
//! causes the mail) and the worker that delivers it through lettre with retries and backoff.
//! An SMTP outage delays mail; it never fails a request and never loses a message.

pub mod alert_mail;
pub mod offer_mail;
pub mod report_mail;
pub mod sanction_mail;
pub mod templates;
pub mod worker;

use chrono::NaiveDateTime;

use crate::db::{DbConn, outbox};
use crate::domain::new_id;

/// One message, ready to be queued.
pub struct Mail {
    /// What the mail is about (`verify_email`, `password_reset`, …): logged, never the body.
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// Queues `mail` on `conn`; call inside the transaction of the event that causes it.
pub fn enqueue(
    conn: &mut DbConn,
    user_id: Option<&str>,
    mail: &Mail,
    now: NaiveDateTime,
) -> diesel::QueryResult<()> {
    outbox::insert(
        conn,
        &outbox::NewOutboxMail {
            id: &new_id(),
            kind: mail.kind,
            user_id,
            recipient: &mail.to,
            subject: &mail.subject,
            body_text: &mail.text,
            body_html: mail.html.as_deref(),
            created_at: now,
            next_attempt_at: now,
        },
    )
}
