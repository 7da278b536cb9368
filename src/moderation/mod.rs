//! Moderation and safeguarding: what keeps members safe once something has happened.
//!
//! Pure policy (who may act on whom, the sanction ladder) sits beside the services that apply
//! it. Each service writes its state change, its `moderation_actions` row and its audit row
//! in one transaction, then hands what open sockets must hear to `crate::realtime` (or, for
//! the message writer's own batch, the writer's post-commit step in `rooms`).
//!
//! - `ladder` — the sanction ladder (pure): strikes from past actions, the suggested next step.
//! - `reports` — members' reports, the moderators' report queue and its outcomes.
//! - `shifts`, `coverage` — moderators on and off shift, and rooms told honestly while nobody is.
//! - `alerts` — the alert desk: alerts raised by crisis language (in the writer's transaction)
//!   or by a room's facilitator, acknowledged and resolved by a moderator, escalated to the
//!   on-call list when nobody acknowledges them in time, and their response-time stats.
//! - `looks` — a moderator's explicit, reasoned, time-limited and audited look into a room.
//! - `holds` — messages held for review (SAFE-SG-2, -8): the queue, release, reject.
//! - `policy`, `actions`, `appeals` — who may act on whom; hide, warn, mute, remove, suspend,
//!   ban, reinstate and the audit log's read; appeals and their reversal of a sanction.

pub mod actions;
pub mod alerts;
pub mod appeals;
pub mod coverage;
pub mod holds;
pub mod ladder;
pub mod looks;
pub mod policy;
pub mod reports;
pub mod shifts;
