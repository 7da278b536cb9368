//! The outbox worker: delivers queued mail through lettre's async SMTP transport.
//!
//! It wakes when a request commits mail (a `Notify`) and on a short timer. Each row is leased
//! before sending, so several instances can run workers side by side. A transient failure (a
//! 4xx reply, a refused connection) is retried with exponential backoff from 5 s up to an hour;
//! after `MAX_ATTEMPTS` the row is marked failed and its body cleared. A permanent 5xx reply
//! gives up at once. Sent rows are deleted, so one-time links do not linger in the database.
//! On shutdown it makes one last pass, bounded in time.
//!
//! With `SMTP_URL` unset (development) the mail is written to the log, links included, marked
//! `sent = false`, and removed from the queue.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::{Notify, watch};

use crate::clock::SharedClock;
use crate::db::{Db, outbox};
use crate::error::AppError;
use crate::metrics::Metrics;

/// Attempts before a mail is given up on (about eleven hours of retries).
pub const MAX_ATTEMPTS: i32 = 20;
/// First retry delay; doubles each attempt.
pub const FIRST_RETRY: Duration = Duration::from_secs(5);
/// Longest delay between retries.
pub const MAX_RETRY: Duration = Duration::from_secs(3600);
/// How long one worker holds a row while sending it.
const LEASE: Duration = Duration::from_secs(60);
/// Rows fetched per pass.
const BATCH: i64 = 20;
/// How long the last pass on shutdown may take.
const FLUSH_DEADLINE: Duration = Duration::from_secs(5);
/// SMTP command timeout.
const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

pub struct OutboxWorker {
    db: Db,
    clock: SharedClock,
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    wakeup: Arc<Notify>,
    poll: Duration,
    metrics: Arc<Metrics>,
}

/// The delay before attempt `attempts + 1`.
pub fn backoff(attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 30) - 1).unwrap_or(0);
    FIRST_RETRY
        .checked_mul(2u32.saturating_pow(exp))
        .unwrap_or(MAX_RETRY)
        .min(MAX_RETRY)
}

impl OutboxWorker {
    pub fn new(
        db: Db,
        clock: SharedClock,
        smtp_url: Option<&str>,
        from: &str,
        wakeup: Arc<Notify>,
        poll: Duration,
        metrics: Arc<Metrics>,
    ) -> Result<Self, String> {
        let transport = match smtp_url {
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("SMTP_URL: {e}"))?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build(),
            ),
            None => None,
        };
        let from = from.parse().map_err(|e| format!("MAIL_FROM: {e}"))?;
        Ok(OutboxWorker {
            db,
            clock,
            transport,
            from,
            wakeup,
            poll,
            metrics,
        })
    }

    /// Runs until `shutdown` turns true, then flushes what it can within a deadline.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            self.drain().await;
            tokio::select! {
                _ = self.wakeup.notified() => {}
                _ = tokio::time::sleep(self.poll) => {}
                _ = shutdown.changed() => break,
            }
            if *shutdown.borrow() {
                break;
            }
        }
        if tokio::time::timeout(FLUSH_DEADLINE, self.drain())
            .await
            .is_err()
        {
            tracing::warn!(
                "outbox flush on shutdown ran out of time; the rest is sent on next start"
            );
        }
        tracing::info!("outbox worker stopped");
    }

    /// Sends everything due now.
    pub async fn drain(&self) {
        loop {
            let now = self.clock.now_naive();
            let due = match self.db.run(move |c| Ok(outbox::due(c, now, BATCH)?)).await {
                Ok(d) => d,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox: could not read the queue");
                    return;
                }
            };
            if due.is_empty() {
                return;
            }
            let mut progressed = false;
            for mail in due {
                match self.deliver(mail).await {
                    Ok(()) => progressed = true,
                    Err(e) => tracing::warn!(error = %e, "outbox: delivery bookkeeping failed"),
                }
            }
            if !progressed {
                return;
            }
        }
    }

    async fn deliver(&self, mail: outbox::OutboxMail) -> Result<(), AppError> {
        let now = self.clock.now_naive();
        let until = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
        let id = mail.id.clone();
        let leased = self
            .db
            .run(move |c| Ok(outbox::lease(c, &id, now, until)?))
            .await?;
        if leased == 0 {
            return Ok(()); // another worker has it
        }
        let attempts = mail.attempts + 1;
        let id = mail.id.clone();
        let Some(transport) = &self.transport else {
            tracing::info!(
                sent = false,
                mail_id = %mail.id,
                kind = %mail.kind,
                to = %mail.recipient,
                subject = %mail.subject,
                body = %mail.body_text,
                "email not sent: SMTP_URL is unset (development); its text, links included, follows"
            );
            self.db.run(move |c| Ok(outbox::delete(c, &id)?)).await?;
            return Ok(());
        };
        let outcome = match build_message(&self.from, &mail) {
            Ok(message) => transport.send(message).await.map(|_| ()).map_err(|e| {
                let permanent = e.is_permanent();
                let what = match e.status() {
                    Some(code) => format!("smtp reply {code}"),
                    None if e.is_timeout() => "smtp timeout".to_string(),
                    None => "smtp connection failed".to_string(),
                };
                (permanent, what)
            }),
            Err(what) => Err((true, what)),
        };
        match outcome {
            Ok(()) => {
                self.metrics.mail_sent();
                tracing::info!(mail_id = %mail.id, kind = %mail.kind, attempts, "email sent");
                self.db.run(move |c| Ok(outbox::delete(c, &id)?)).await?;
            }
            Err((permanent, what)) if permanent || attempts >= MAX_ATTEMPTS => {
                self.metrics.mail_failed();
                tracing::error!(mail_id = %mail.id, kind = %mail.kind, attempts, error = %what, "email given up");
                let now = self.clock.now_naive();
                self.db
                    .run(move |c| Ok(outbox::give_up(c, &id, now, &what)?))
                    .await?;
            }
            Err((_, what)) => {
                let delay = backoff(attempts);
                tracing::warn!(mail_id = %mail.id, kind = %mail.kind, attempts, retry_in_secs = delay.as_secs(), error = %what, "email delayed");
                let next =
                    self.clock.now_naive() + chrono::Duration::from_std(delay).unwrap_or_default();
                self.db
                    .run(move |c| Ok(outbox::reschedule(c, &id, next, &what)?))
                    .await?;
            }
        }
        Ok(())
    }
}

fn build_message(from: &Mailbox, mail: &outbox::OutboxMail) -> Result<Message, String> {
    let to: Mailbox = mail
        .recipient
        .parse()
        .map_err(|_| "recipient address does not parse".to_string())?;
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone());
    let built = match &mail.body_html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            mail.body_text.clone(),
            html.clone(),
        )),
        None => builder.singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(mail.body_text.clone()),
        ),
    };
    built.map_err(|_| "message could not be built".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps_at_an_hour() {
        assert_eq!(backoff(1), Duration::from_secs(5));
        assert_eq!(backoff(2), Duration::from_secs(10));
        assert_eq!(backoff(5), Duration::from_secs(80));
        assert_eq!(backoff(12), MAX_RETRY);
        assert_eq!(backoff(MAX_ATTEMPTS), MAX_RETRY);
    }
}
