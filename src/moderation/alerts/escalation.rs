//! Escalation: an alert nobody acknowledged by its due time is escalated to the on-call list
//! by email (the outbox) and, if configured, by a signed webhook (the `webhook_outbox`), once
//! per level: level 1 at the target, level n at n × the target, up to the configured maximum.
//!
//! The state is in the database (`escalation_level`, `next_escalation_at` on the alert), so a
//! restart neither forgets nor repeats a level. A worker claims a level with a conditional
//! update (still open, still at the level it read, still due) and, in the same transaction,
//! queues the emails, the webhook and the audit row: of two workers exactly one sends, and an
//! acknowledgement committed first (which clears `next_escalation_at`) stops it. The worker
//! runs on an interval; it holds only what it uses (floor 5), and tests call [`Escalator::sweep`].

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use tokio::sync::{Notify, watch};

use crate::clock::SharedClock;
use crate::config::AlertSettings;
use crate::db::alerts::{self, AlertRow};
use crate::db::{Db, DbConn, audit, users, webhook_outbox, write_tx};
use crate::domain::{new_id, time::ts};
use crate::email::{self, alert_mail};
use crate::error::AppError;

/// Overdue alerts handled per pass.
const BATCH: i64 = 50;

/// The escalation worker and its one pass.
#[derive(Clone)]
pub struct Escalator {
    pub db: Db,
    pub clock: SharedClock,
    pub settings: AlertSettings,
    pub public_url: String,
    /// Poked after a pass that queued mail.
    pub mail_wakeup: Arc<Notify>,
    /// Poked after a pass that queued a webhook.
    pub webhook_wakeup: Arc<Notify>,
}

/// The level an alert raised at `created` with target `target` has reached at `now` (0: not
/// yet due), capped at `max`.
pub fn level_due(created: NaiveDateTime, due: NaiveDateTime, now: NaiveDateTime, max: i32) -> i32 {
    let target = (due - created).num_milliseconds().max(1);
    let elapsed = (now - created).num_milliseconds();
    i32::try_from(elapsed / target)
        .unwrap_or(i32::MAX)
        .clamp(0, max)
}

/// When level `level + 1` falls due (None past the last level).
pub fn next_due(a: &AlertRow, level: i32, max: i32) -> Option<NaiveDateTime> {
    (level < max).then(|| a.created_at + (a.due_at - a.created_at) * (level + 1))
}

impl Escalator {
    /// Runs a pass every `interval` until `shutdown` turns true.
    pub async fn run(self, interval: Duration, mut shutdown: watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.sweep().await {
                tracing::warn!(error = %e, "alert escalation pass failed; retrying next interval");
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = shutdown.changed() => break,
            }
            if *shutdown.borrow() {
                break;
            }
        }
        tracing::info!("alert escalation worker stopped");
    }

    /// Escalates every alert now due; returns how many levels this pass claimed.
    pub async fn sweep(&self) -> Result<usize, AppError> {
        let now = self.clock.now_naive();
        let due = self
            .db
            .run(move |c| Ok(alerts::due_escalations(c, now, BATCH)?))
            .await?;
        let mut claimed = 0;
        for a in due {
            let this = self.clone();
            let (alert_id, severity) = (a.id.clone(), a.severity.clone());
            let won = self
                .db
                .run(move |c| write_tx(c, |c| this.escalate(c, &a, now)))
                .await?;
            if let Some(level) = won {
                claimed += 1;
                tracing::warn!(
                    event = "alert_escalated",
                    alert_id = %alert_id,
                    severity = %severity,
                    level,
                    "safety alert not acknowledged in time; on-call paged"
                );
            }
        }
        if claimed > 0 {
            self.mail_wakeup.notify_one();
            self.webhook_wakeup.notify_one();
        }
        Ok(claimed)
    }

    /// One alert's claim and its notices, in the caller's transaction; the level won, if any.
    fn escalate(
        &self,
        c: &mut DbConn,
        a: &AlertRow,
        now: NaiveDateTime,
    ) -> Result<Option<i32>, AppError> {
        let max = self.settings.max_escalations;
        let level = level_due(a.created_at, a.due_at, now, max).max(a.escalation_level + 1);
        if level > max {
            return Ok(None);
        }
        if alerts::claim_escalation(
            c,
            &a.id,
            a.escalation_level,
            level,
            next_due(a, level, max),
            now,
        )? == 0
        {
            return Ok(None); // another worker, or an acknowledgement, was first
        }
        let overdue = (now - a.due_at).num_seconds().max(0);
        let recipients: Vec<(Option<String>, String)> = if self.settings.oncall.is_empty() {
            users::moderator_addresses(c)?
                .into_iter()
                .map(|(id, addr)| (Some(id), addr))
                .collect()
        } else {
            self.settings
                .oncall
                .iter()
                .map(|a| (None, a.clone()))
                .collect()
        };
        for (uid, addr) in &recipients {
            let mail = alert_mail::escalation(
                addr,
                &self.public_url,
                &a.id,
                &a.severity,
                &a.kind,
                level,
                overdue,
            );
            email::enqueue(c, uid.as_deref(), &mail, now)?;
        }
        if self.settings.webhook_url.is_some() {
            let body = serde_json::json!({
                "event": "safety_alert.escalated",
                "alert_id": a.id,
                "kind": a.kind,
                "severity": a.severity,
                "level": level,
                "room_id": a.room_id,
                "created_at": ts(a.created_at),
                "due_at": ts(a.due_at),
                "escalated_at": ts(now),
                "seconds_overdue": overdue,
                "url": format!("{}/moderation/alerts/{}", self.public_url, a.id),
            })
            .to_string();
            webhook_outbox::insert(c, &new_id(), &a.id, level, &body, now)?;
        }
        let details = serde_json::json!({
            "level": level,
            "severity": a.severity,
            "emails": recipients.len(),
            "webhook": self.settings.webhook_url.is_some(),
        })
        .to_string();
        audit::insert(
            c,
            &audit::NewAuditEntry {
                id: &new_id(),
                actor_id: None,
                action: "alert_escalated",
                target_type: "safety_alert",
                target_id: Some(&a.id),
                reason: None,
                details: &details,
                created_at: now,
            },
        )?;
        Ok(Some(level))
    }
}
