//! Moderators' shifts (SAFE-SG-5, SAFE-SG-9): who is on duty, so that rooms are told the
//! truth about whether anyone is watching (`moderation::coverage`), and the record of shifts
//! that workload per shift is computed from (`db::shifts::overlapping`).
//!
//! - `policy` — what happens to an open shift, given standing, connection and time (pure).
//! - `service` — `PUT`/`GET /moderation/shift`.
//! - `sweep` — the sweep, its worker and the connection nudge that end shifts nobody keeps.
//!
//! A moderator (or admin) goes on shift by saying so and off by saying so (`off`). A shift
//! also ends on its own:
//! - `disconnected`: the moderator has had no websocket open for `KINDRED_SHIFT_GRACE_SECS`
//!   (120 s). A reconnect within the grace keeps the shift. Being on shift means being
//!   reachable by live `safety_alert` frames, so a shift started with no websocket open is
//!   away from its start and ends after the grace too.
//! - `signed_out`: no live session left; `role_changed`: no longer a moderator or admin;
//!   `account_closed`: suspended, banned or erased. These end at the next sweep, no grace.
//!
//! Each start and end writes an audit row (`shift.started`, `shift.ended` with the reason;
//! the actor is the moderator for their own start and `off`, none for the service's ends),
//! target the moderator. Ends are conditional updates, so racing ends end a shift once.

pub mod policy;
pub mod service;
pub mod sweep;

pub use policy::EndReason;
pub use service::{ShiftState, ShiftView};
pub use sweep::{SweepReport, Sweeper, connection_changed};
