//! Moderation: what keeps members safe once something has happened. Today: safety alerts
//! raised by crisis language (`alerts`). Moderators acting on reports and alerts (hides,
//! mutes, removals, bans) land here too, as pure policy plus services.
//!
//! This module owns the workflow and its records; it does not reach sockets. What open
//! connections must hear goes through `crate::realtime` (or, for the message writer's own
//! batch, the writer's post-commit step in `rooms`).

pub mod alerts;
