//! The paging webhook's worker: delivers `webhook_outbox` rows by HTTP POST, like the email
//! outbox — woken after an escalation and on a short timer, each row leased before sending,
//! retried with the outbox's backoff (5 s doubling to an hour, twenty attempts), then given up
//! and logged as an error.
//!
//! Each POST carries the JSON body, `X-Kindred-Signature: sha256=<hex>` (HMAC-SHA256 of the
//! exact body bytes with `KINDRED_ESCALATION_WEBHOOK_SECRET`) and `X-Kindred-Delivery: <id>`,
//! one id per alert and level. A row is created once per level (a unique index holds it); if
//! the process dies after the receiver accepted but before the row is marked delivered, the
//! lease lapses and the same delivery id is sent again, so a receiver drops repeats by it.
//! A 2xx reply is success; 408, 429 and 5xx replies and network errors are retried; any other
//! 4xx means the receiver refuses this request, so it is given up at once.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::{Notify, watch};

use crate::clock::SharedClock;
use crate::db::{Db, webhook_outbox};
use crate::email::worker::{MAX_ATTEMPTS, backoff};
use crate::error::AppError;

/// How long one worker holds a row while sending it.
const LEASE: Duration = Duration::from_secs(60);
/// One POST's time limit.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Rows fetched per pass.
const BATCH: i64 = 20;

/// `sha256=<hex>` of `body` under `secret`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(m) => m,
        // HMAC takes keys of any length; this arm is never taken.
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

pub struct WebhookWorker {
    db: Db,
    clock: SharedClock,
    client: reqwest::Client,
    url: String,
    secret: Vec<u8>,
    wakeup: Arc<Notify>,
    poll: Duration,
}

impl WebhookWorker {
    pub fn new(
        db: Db,
        clock: SharedClock,
        url: String,
        secret: Vec<u8>,
        wakeup: Arc<Notify>,
        poll: Duration,
    ) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("webhook client: {e}"))?;
        Ok(WebhookWorker {
            db,
            clock,
            client,
            url,
            secret,
            wakeup,
            poll,
        })
    }

    /// Runs until `shutdown` turns true.
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
        tracing::info!("webhook worker stopped");
    }

    /// Sends everything due now.
    pub async fn drain(&self) {
        let now = self.clock.now_naive();
        let due = match self
            .db
            .run(move |c| Ok(webhook_outbox::due(c, now, BATCH)?))
            .await
        {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "webhook outbox: could not read the queue");
                return;
            }
        };
        for w in due {
            if let Err(e) = self.deliver(w).await {
                tracing::warn!(error = %e, "webhook outbox: delivery bookkeeping failed");
            }
        }
    }

    async fn deliver(&self, w: webhook_outbox::Webhook) -> Result<(), AppError> {
        let now = self.clock.now_naive();
        let until = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
        let id = w.id.clone();
        let leased = self
            .db
            .run(move |c| Ok(webhook_outbox::lease(c, &id, now, until)?))
            .await?;
        if leased == 0 {
            return Ok(()); // another worker has it
        }
        let attempts = w.attempts + 1;
        let sent = self
            .client
            .post(&self.url)
            .header("Content-Type", "application/json")
            .header("X-Kindred-Signature", sign(&self.secret, w.body.as_bytes()))
            .header("X-Kindred-Delivery", &w.id)
            .body(w.body.clone())
            .send()
            .await;
        let outcome = match sent {
            Ok(r) if r.status().is_success() => Ok(()),
            Ok(r) => {
                let s = r.status();
                let retry = s.is_server_error() || s.as_u16() == 408 || s.as_u16() == 429;
                Err((!retry, format!("webhook reply {}", s.as_u16())))
            }
            Err(e) if e.is_timeout() => Err((false, "webhook timeout".to_string())),
            Err(_) => Err((false, "webhook connection failed".to_string())),
        };
        let id = w.id.clone();
        let now = self.clock.now_naive();
        match outcome {
            Ok(()) => {
                tracing::info!(webhook_id = %w.id, alert_id = %w.alert_id, level = w.level, attempts, "escalation webhook delivered");
                self.db
                    .run(move |c| Ok(webhook_outbox::delivered(c, &id, now)?))
                    .await?;
            }
            Err((permanent, what)) if permanent || attempts >= MAX_ATTEMPTS => {
                tracing::error!(webhook_id = %w.id, alert_id = %w.alert_id, level = w.level, attempts, error = %what, "escalation webhook given up");
                self.db
                    .run(move |c| Ok(webhook_outbox::give_up(c, &id, now, &what)?))
                    .await?;
            }
            Err((_, what)) => {
                let delay = backoff(attempts);
                tracing::warn!(webhook_id = %w.id, alert_id = %w.alert_id, attempts, retry_in_secs = delay.as_secs(), error = %what, "escalation webhook delayed");
                let next = now + chrono::Duration::from_std(delay).unwrap_or_default();
                self.db
                    .run(move |c| Ok(webhook_outbox::reschedule(c, &id, next, &what)?))
                    .await?;
            }
        }
        Ok(())
    }
}
