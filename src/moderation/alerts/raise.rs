//! Raising a crisis alert: a message that matched a crisis-language rule is flagged, a safety
//! alert opens for moderators with its due time (the severity's response target) and its
//! first escalation scheduled then, the raise is audited, and every active moderator is
//! emailed through the outbox — all in the caller's transaction, so a stored crisis message
//! never exists without its alert and its emails (a human must hear of it even if no
//! moderator is online).
//!
//! Called by the message writer inside its batch transaction. The sender's signposting and
//! the live alert frames to online moderators are sent after the commit, by the writer.

use chrono::NaiveDateTime;

use super::Targets;
use crate::db::alerts::{self, NewAlert, NewFlag};
use crate::db::{DbConn, audit, users};
use crate::domain::new_id;
use crate::email::{self, templates};
use crate::error::AppError;
use crate::safety::crisis::Detection;

/// Raises alerts for one batch: reads the moderators' addresses once, on the first alert.
pub struct AlertDesk<'a> {
    rules_version: &'a str,
    public_url: &'a str,
    targets: Targets,
    moderators: Option<Vec<(String, String)>>,
}

impl<'a> AlertDesk<'a> {
    pub fn new(rules_version: &'a str, public_url: &'a str, targets: Targets) -> Self {
        AlertDesk {
            rules_version,
            public_url,
            targets,
            moderators: None,
        }
    }

    /// Flags the stored message `message_id` in `room_id`, opens its alert and queues the
    /// moderators' emails; returns the alert's id.
    pub fn raise(
        &mut self,
        c: &mut DbConn,
        message_id: &str,
        room_id: &str,
        d: &Detection,
        now: NaiveDateTime,
    ) -> Result<String, AppError> {
        let alert_id = new_id();
        let flag_id = new_id();
        let severity = d.severity.as_str();
        alerts::insert_flag(
            c,
            &NewFlag {
                id: &flag_id,
                message_id,
                rule_id: &d.rule_id,
                rules_version: self.rules_version,
                severity,
                now,
            },
        )?;
        let due = self.targets.due(severity, now);
        alerts::insert(
            c,
            &NewAlert {
                id: &alert_id,
                kind: "crisis",
                flag_id: Some(&flag_id),
                room_id,
                message_id: Some(message_id),
                severity,
                status: "open",
                created_at: now,
                due_at: due,
                next_escalation_at: Some(due),
                raised_by: None,
                reason: None,
            },
        )?;
        audit_raise(c, None, &alert_id, "crisis", severity, now)?;
        if self.moderators.is_none() {
            self.moderators = Some(users::moderator_addresses(c)?);
        }
        for (id, addr) in self.moderators.iter().flatten() {
            let mail = templates::safety_alert(addr, self.public_url, severity, &alert_id);
            email::enqueue(c, Some(id), &mail, now)?;
        }
        Ok(alert_id)
    }
}

/// The audit row of a raised alert (the system raised it when `actor` is None).
pub(super) fn audit_raise(
    c: &mut DbConn,
    actor: Option<&str>,
    alert_id: &str,
    kind: &str,
    severity: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let details = serde_json::json!({"kind": kind, "severity": severity}).to_string();
    audit::insert(
        c,
        &audit::NewAuditEntry {
            id: &new_id(),
            actor_id: actor,
            action: "alert_raised",
            target_type: "safety_alert",
            target_id: Some(alert_id),
            reason: None,
            details: &details,
            created_at: now,
        },
    )?;
    Ok(())
}
