//! One matching tick: load the pool, plan on the blocking pool (it is CPU work), then commit
//! each proposal in its own transaction and tell open sockets (`realtime::Fact::Seated`) after
//! each commit. Then the waiting ladder (`ladder`) acts on requests that waited long.

use std::sync::Arc;

use super::commit::commit;
use super::engine::{Plan, plan};
use super::ladder;
use super::model::{Config, Vocab};
use super::pool;
use crate::error::AppError;
use crate::realtime::Fact;
use crate::state::AppState;

/// What a tick did, for logs and tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    pub waiting: usize,
    pub proposed: usize,
    pub made: usize,
    pub lost: usize,
    /// Proposals whose commit failed with an error (logged and counted; the tick went on).
    pub failed: usize,
}

/// The related-groups table for the engine, from the seeded vocabulary.
pub fn engine_vocab(v: &crate::profiles::vocab::Vocabulary) -> Vocab {
    let mut out = Vocab::new();
    for ((a, b), both_mental) in &v.related {
        out.add_related(a, b, *both_mental);
    }
    out
}

/// Runs one tick.
pub async fn tick(state: &AppState, cfg: &Config) -> Result<TickReport, AppError> {
    let (vocab, now) = (state.vocab.clone(), state.clock.now_naive());
    let v2 = vocab.clone();
    let loaded = state.db.run(move |c| pool::load(c, &v2, now)).await?;
    let waiting = loaded.people.len();
    let cfg2 = *cfg;
    let v3 = vocab.clone();
    let planned: Plan = tokio::task::spawn_blocking(move || {
        let engine_vocab = engine_vocab(&v3);
        let labels = |id: &str| v3.label(id);
        plan(
            &loaded.people,
            &loaded.volunteers,
            &loaded.open_groups,
            &loaded.relax_steps,
            &engine_vocab,
            &loaded.exclusions,
            &cfg2,
            &labels,
        )
    })
    .await
    .map_err(AppError::internal)?;

    let mut report = TickReport {
        waiting,
        proposed: planned.proposals.len(),
        ..TickReport::default()
    };
    let public_url = Arc::new(state.settings.public_url.clone());
    for p in planned.proposals {
        let (url, now) = (public_url.clone(), state.clock.now_naive());
        let requests: Vec<String> = p.seats.iter().map(|s| s.request_id.clone()).collect();
        // Each proposal commits on its own: one that fails is logged (request ids only) and
        // counted, and the rest of the tick goes on.
        match state.db.run(move |c| commit(c, &p, now, &url)).await {
            Ok(Some(fact)) => {
                report.made += 1;
                state.metrics.matching("made");
                if let Fact::Seated { room_id, seats } = &fact {
                    for s in seats.iter().filter_map(|s| s.request_id.as_ref()) {
                        tracing::info!(event = "matched", request_id = %s, room_id = %room_id, "match made");
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
    // The waiting ladder (MATCHING.md 4.6): widened, alternatives, hand-over, expiry.
    ladder::advance(state, cfg, engine_vocab(&vocab)).await?;
    if report.made > 0 || report.proposed > 0 {
        state.mail_wakeup.notify_one();
    }
    Ok(report)
}
