//! Moderation and safeguarding: what keeps members safe once something has happened.
//!
//! Pure policy (who may act on whom, the sanction ladder) sits beside the services that apply
//! it. Each service writes its state change, its `moderation_actions` row and its audit row
//! in one transaction, then hands what open sockets must hear to `crate::realtime` (or, for
//! the message writer's own batch, the writer's post-commit step in `rooms`).
//!
//! - `alerts` — the alert desk: alerts raised by crisis language (in the writer's transaction)
//!   or by a room's facilitator, acknowledged and resolved by a moderator, escalated to the
//!   on-call list when nobody acknowledges them in time, and their response-time stats.

pub mod alerts;
