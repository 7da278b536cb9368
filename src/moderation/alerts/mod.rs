//! The alert desk: safety alerts that a human closes (SAFE-SG-4, SAFE-SG-9, T35).
//!
//! An alert is raised by crisis language (in the message writer's transaction, `raise`) or by
//! a room's volunteer or facilitator (`escalate`). A moderator acknowledges it, then resolves
//! it with an outcome (`transitions`); the queue (`queue`) shows open alerts first, with the
//! message, a few messages around it, the room's kind and what was done before to the person;
//! an alert nobody acknowledged in time escalates to the on-call list by email and a signed
//! webhook, once per level (`escalation`, `webhook`); the stats (`stats`) summarise time to
//! acknowledge.
//!
//! Decisions where the issue is silent:
//! - States: `open` → `acknowledged` → `resolved`, nothing else. Acknowledging anything but an
//!   open alert is `409 alert_already_acknowledged` (or `alert_already_resolved`); resolving
//!   an open alert is `409 alert_not_acknowledged`, a resolved one `alert_already_resolved`.
//!   Any moderator may resolve an alert another acknowledged (shifts hand over).
//! - Outcomes (fixed): `support_offered`, `signposted`, `escalated_externally` (emergency
//!   services, a GP, a safeguarding lead), `false_positive` (the detector misread), and
//!   `no_action`. A note (1–2000 characters) is required: it is what the next moderator reads.
//!   The note stays on the alert, not in the audit log (it may hold health details).
//! - The due time is fixed when the alert is raised (the target then in force), so changing a
//!   target does not rewrite past promises; `breached` means acknowledged after it, or still
//!   open past it.
//! - Reading the queue is reading rooms' content: each alert whose context a page shows gets
//!   an `alert_context_read` audit row for the reading moderator, in the read's transaction.
//! - Escalation after downtime: an alert several levels overdue escalates once, to the level
//!   now due (its notice names the level), rather than sending each missed level at once.
//! - A volunteer's escalation (`POST /rooms/{id}/escalate`) is an amber alert with the amber
//!   target. Only the room's facilitator (the volunteer seated with its members) may raise
//!   it; another member of the room gets `403 not_room_staff`, anyone else the 404 of a
//!   missing room. The reason (1–1000 characters) is shown to moderators; `message_id`, if
//!   given, must be a message of that room.

mod escalate;
mod escalation;
mod queue;
mod raise;
mod stats;
mod transitions;
mod webhook;

#[cfg(test)]
mod tests;

use std::time::Duration;

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::db::alerts::AlertRow;
use crate::domain::time::ts;

pub use escalate::{EscalateRequest, escalate};
pub use escalation::Escalator;
pub use queue::{QueueQuery, list};
pub use raise::AlertDesk;
pub use stats::{StatsQuery, stats};
pub use transitions::{ResolveRequest, acknowledge, resolve};
pub use webhook::{WebhookWorker, sign};

/// What a resolved alert may end with.
pub const OUTCOMES: &[&str] = &[
    "support_offered",
    "signposted",
    "escalated_externally",
    "false_positive",
    "no_action",
];

/// Longest resolution note.
pub const MAX_NOTE_CHARS: usize = 2000;
/// Longest reason for a volunteer's escalation.
pub const MAX_REASON_CHARS: usize = 1000;

/// Response targets per severity, copied from `config::AlertSettings` for those (the message
/// writer) that need only these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Targets {
    pub red: Duration,
    pub amber: Duration,
}

impl Targets {
    pub fn from_settings(s: &crate::config::AlertSettings) -> Self {
        Targets {
            red: s.target_red,
            amber: s.target_amber,
        }
    }

    /// When an alert of `severity` raised at `now` must be acknowledged.
    pub fn due(&self, severity: &str, now: NaiveDateTime) -> NaiveDateTime {
        let t = if severity == "red" {
            self.red
        } else {
            self.amber
        };
        now + chrono::Duration::from_std(t).unwrap_or_else(|_| chrono::Duration::hours(1))
    }
}

/// An alert as moderators see it (queue, transitions, the raise response).
#[derive(Serialize, Debug)]
pub struct AlertView {
    pub id: String,
    pub kind: String,
    pub severity: String,
    pub status: String,
    pub room_id: String,
    pub message_id: Option<String>,
    pub created_at: String,
    pub due_at: String,
    pub breached: bool,
    pub escalation_level: i32,
    pub raised_by: Option<String>,
    pub reason: Option<String>,
    pub acknowledged_at: Option<String>,
    pub acknowledged_by: Option<String>,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
    pub outcome: Option<String>,
    pub resolution_note: Option<String>,
}

impl AlertView {
    pub fn of(a: AlertRow, now: NaiveDateTime) -> Self {
        AlertView {
            breached: breached(&a, now),
            id: a.id,
            kind: a.kind,
            severity: a.severity,
            status: a.status,
            room_id: a.room_id,
            message_id: a.message_id,
            created_at: ts(a.created_at),
            due_at: ts(a.due_at),
            escalation_level: a.escalation_level,
            raised_by: a.raised_by,
            reason: a.reason,
            acknowledged_at: a.acknowledged_at.map(ts),
            acknowledged_by: a.acknowledged_by,
            resolved_at: a.resolved_at.map(ts),
            resolved_by: a.resolved_by,
            outcome: a.outcome,
            resolution_note: a.resolution_note,
        }
    }
}

/// Acknowledged after its due time, or still open past it.
pub fn breached(a: &AlertRow, now: NaiveDateTime) -> bool {
    match a.acknowledged_at {
        Some(at) => at > a.due_at,
        None => now > a.due_at,
    }
}
