//! Ending shifts nobody is keeping: the sweep that applies [`policy::decide`] to open shifts,
//! the background worker that runs it, and the nudge a moderator's connection gives it when
//! it opens or closes.
//!
//! The decision reads only the database (the shift, the moderator's role, status and
//! sessions) and the hub's live connection count, inside one write transaction, so it is
//! the same whoever runs it and whenever: the worker every few seconds, or a moderator's
//! connection opening or closing (which makes `away_since` exact to the moment rather than to
//! the sweep interval). Nothing lives in a timer: after a restart the hub is empty, so the
//! first sweep marks every open shift away from that moment and ends it after the grace
//! unless its moderator reconnects; a shift already away before the restart keeps its
//! original `away_since` and ends on time.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use tokio::sync::watch;

use super::policy::{self, EndReason, Standing, Step};
use crate::clock::SharedClock;
use crate::db::shifts::{self, Shift};
use crate::db::{Db, DbConn, audit, users, write_tx};
use crate::domain::{Role, new_id};
use crate::error::AppError;
use crate::moderation::coverage;
use crate::realtime::Sockets;
use crate::state::AppState;

/// The longest gap between sweeps (shorter when the grace is short).
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(5);

/// What one sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub away: usize,
    pub back: usize,
    pub ended: usize,
}

/// The parts a sweep uses (not the whole `AppState`).
#[derive(Clone)]
pub struct Sweeper {
    db: Db,
    clock: SharedClock,
    sockets: Arc<dyn Sockets>,
    grace: Duration,
}

impl Sweeper {
    pub fn new(state: &AppState) -> Sweeper {
        Sweeper {
            db: state.db.clone(),
            clock: state.clock.clone(),
            sockets: state.sockets.clone(),
            grace: state.settings.shifts.grace,
        }
    }

    /// Applies the policy to every open shift, or to `moderator`'s alone; announces coverage
    /// if that left nobody on shift.
    pub async fn sweep(&self, moderator: Option<String>) -> Result<SweepReport, AppError> {
        let now = self.clock.now_naive();
        let grace = chrono::Duration::from_std(self.grace).map_err(AppError::internal)?;
        let sockets = self.sockets.clone();
        self.db
            .run(move |c| sweep_now(c, sockets.as_ref(), moderator.as_deref(), now, grace))
            .await
    }
}

fn sweep_now(
    c: &mut DbConn,
    sockets: &dyn Sockets,
    moderator: Option<&str>,
    now: NaiveDateTime,
    grace: chrono::Duration,
) -> Result<SweepReport, AppError> {
    // Nothing open (the common case: a moderator's connection with no shift, or a quiet
    // night) costs one read and no write lock.
    let anything = match moderator {
        Some(m) => shifts::open_for(c, m)?.is_some(),
        None => shifts::any_open(c)?,
    };
    if !anything {
        return Ok(SweepReport::default());
    }
    let (report, staffed) = write_tx(c, |c| -> Result<(SweepReport, bool), AppError> {
        let mut r = SweepReport::default();
        for open in shifts::open_with_standing(c, moderator, now)? {
            let standing = Standing {
                active: open.status == users::STATUS_ACTIVE,
                staff: Role::parse(&open.role).is_some_and(|r| r.at_least(Role::Moderator)),
                signed_in: open.signed_in,
                away_since: open.shift.away_since,
            };
            // Read under the shift's lock: the last sweep to run sees the last change.
            let connected = sockets.connections_of(&open.shift.moderator_id) > 0;
            match policy::decide(&standing, connected, now, grace) {
                Step::Keep => {}
                Step::Away => r.away += shifts::set_away(c, &open.shift.id, Some(now))?,
                Step::Back => r.back += shifts::set_away(c, &open.shift.id, None)?,
                Step::End { at, reason } => {
                    if shifts::end(c, &open.shift.id, at, reason.as_str())? == 1 {
                        record_end(c, None, &open.shift, at, reason, now)?;
                        r.ended += 1;
                    }
                }
            }
        }
        Ok((r, shifts::any_open(c)?))
    })?;
    if report.ended > 0 && !staffed {
        coverage::announce(c, sockets)?;
    }
    Ok(report)
}

/// The audit row of a shift's end: by the moderator (`off`) or by the service (None).
pub(super) fn record_end(
    c: &mut DbConn,
    actor: Option<&str>,
    shift: &Shift,
    at: NaiveDateTime,
    reason: EndReason,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let details = serde_json::json!({
        "shift_id": shift.id,
        "started_at": crate::domain::time::ts(shift.started_at),
        "ended_at": crate::domain::time::ts(at),
        "ended_reason": reason.as_str(),
    });
    audit::insert(
        c,
        &audit::NewAuditEntry {
            id: &new_id(),
            actor_id: actor,
            action: "shift.ended",
            target_type: "user",
            target_id: Some(&shift.moderator_id),
            reason: None,
            details: &details.to_string(),
            created_at: now,
        },
    )?;
    Ok(())
}

/// A moderator's connection opened or closed: settle their shift now rather than at the
/// next sweep. Runs in the background; a failure is logged and the worker's next sweep
/// decides instead.
pub fn connection_changed(state: &AppState, moderator: &str) {
    let sweeper = Sweeper::new(state);
    let moderator = moderator.to_string();
    tokio::spawn(async move {
        if let Err(e) = sweeper.sweep(Some(moderator)).await {
            tracing::warn!(error = %e, "shift check after a connection change failed");
        }
    });
}

/// The background sweeper: once at start (see the module doc), then every
/// [`SWEEP_INTERVAL`] (a quarter of the grace if that is shorter), until `shutdown`.
pub async fn run(sweeper: Sweeper, mut shutdown: watch::Receiver<bool>) {
    let every = SWEEP_INTERVAL
        .min(sweeper.grace / 4)
        .max(Duration::from_secs(1));
    loop {
        match sweeper.sweep(None).await {
            Ok(r) if r.ended > 0 || r.away > 0 => {
                tracing::info!(ended = r.ended, away = r.away, back = r.back, "shift sweep");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "shift sweep failed; retrying on the next"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => break,
        }
        if *shutdown.borrow() {
            break;
        }
    }
    tracing::info!("shift sweeper stopped");
}
