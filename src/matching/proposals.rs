//! Committing a tick's proposals: in batches of up to [`BATCH`], one write transaction per
//! batch, each proposal in its own savepoint. A proposal is atomic on its own — lost (the
//! pool changed first) or failed (an error, logged with its request ids and counted) rolls
//! back only that savepoint, and the rest of the batch and of the tick go on. Open sockets
//! hear of each after its batch commits.
//!
//! Why batches: on SQLite with `synchronous = FULL` every `COMMIT` is an fsync (about 0.5 ms
//! here), which made committing 2,000 proposals alone take a second. A batch keeps the write
//! lock for a few tens of milliseconds at most, so the message writer is never held long. If
//! a batch's own `COMMIT` fails, every proposal in it is counted failed and logged; their
//! requests stay waiting for the next tick.

use super::commit::{Contacts, Proposal, commit_in};
use super::offers;
use chrono::NaiveDateTime;

use crate::db::{DbConn, write_tx};
use crate::error::AppError;
use crate::realtime::Fact;
use crate::state::AppState;

/// What a tick did, for logs and tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    pub waiting: usize,
    pub proposed: usize,
    pub made: usize,
    /// Proposals offered for consent (not yet rooms).
    pub offered: usize,
    pub lost: usize,
    /// Proposals whose commit failed with an error (logged and counted; the tick went on).
    pub failed: usize,
}

/// Proposals committed in one write transaction.
pub const BATCH: usize = 64;

/// What became of one proposal: a fact for sockets, None when lost, or the error.
pub type Outcome = Result<Option<Fact>, AppError>;

/// Commits `batch` in one write transaction, each proposal in its own savepoint. `ask`: the
/// offer window when pairs and one-to-ones are offered for consent first (groups always open
/// at once); None opens everything at once.
pub fn commit_batch(
    c: &mut DbConn,
    batch: &[Proposal],
    ask: Option<std::time::Duration>,
    now: NaiveDateTime,
    public_url: &str,
) -> Result<Vec<Outcome>, AppError> {
    write_tx(c, |c| -> Result<Vec<Outcome>, AppError> {
        let contacts = Contacts::load(c, batch)?;
        Ok(batch
            .iter()
            .map(|p| match ask {
                Some(window) if p.kind != "group" => {
                    offers::offer_in(c, p, now, window, public_url, &contacts)
                }
                _ => commit_in(c, p, now, public_url, &contacts),
            })
            .collect())
    })
}

/// Commits (or offers, under consent) every proposal, batch by batch, and tells sockets.
pub async fn commit_all(state: &AppState, proposals: Vec<Proposal>, report: &mut TickReport) {
    let mut rest = proposals.into_iter().peekable();
    while rest.peek().is_some() {
        let batch: Vec<Proposal> = rest.by_ref().take(BATCH).collect();
        let requests: Vec<Vec<String>> = batch
            .iter()
            .map(|p| p.seats.iter().map(|s| s.request_id.clone()).collect())
            .collect();
        let (url, now) = (state.settings.public_url.clone(), state.clock.now_naive());
        let ask = state
            .settings
            .match_consent
            .then_some(state.settings.offer_window);
        let done = state
            .db
            .run(move |c| commit_batch(c, &batch, ask, now, &url))
            .await;
        match done {
            Ok(outcomes) => {
                for (ids, r) in requests.iter().zip(outcomes) {
                    record(state, report, ids, r);
                }
            }
            Err(e) => {
                for ids in &requests {
                    record(state, report, ids, Err(AppError::internal(e.to_string())));
                }
            }
        }
    }
}

fn record(
    state: &AppState,
    report: &mut TickReport,
    requests: &[String],
    outcome: Result<Option<Fact>, AppError>,
) {
    match outcome {
        Ok(Some(fact @ Fact::Offered { .. })) => {
            report.offered += 1;
            state.metrics.matching("offered");
            for r in requests {
                tracing::info!(event = "offered", request_id = %r, "match offered");
            }
            state.sockets.deliver(fact);
        }
        Ok(Some(fact)) => {
            report.made += 1;
            state.metrics.matching("made");
            if let Fact::Seated { room_id, .. } = &fact {
                for r in requests {
                    tracing::info!(event = "matched", request_id = %r, room_id = %room_id, "match made");
                }
            }
            state.sockets.deliver(fact);
        }
        Ok(None) => {
            report.lost += 1;
            state.metrics.matching("lost");
        }
        Err(e) => {
            report.failed += 1;
            state.metrics.matching("failed");
            tracing::error!(event = "match_failed", requests = ?requests, code = e.code(), error = %e, "a proposal could not be committed");
        }
    }
}
