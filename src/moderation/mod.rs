//! Moderation and safeguarding: what keeps members safe once something has happened.
//!
//! Pure policy (who may act on whom, the sanction ladder) sits beside the services that apply
//! it. Each service writes its state change, its `moderation_actions` row and its audit row
//! in one transaction, then hands what open sockets must hear to `crate::realtime` (or, for
//! the message writer's own batch, the writer's post-commit step in `rooms`).
//!
//! - `alerts` — safety alerts raised by crisis language, in the writer's transaction.
//! - `policy`, `actions`, `appeals` — who may act on whom; hide, warn, mute, remove, suspend,
//!   ban, reinstate and the audit log's read; appeals and their reversal of a sanction.

pub mod actions;
pub mod alerts;
pub mod appeals;
pub mod policy;
