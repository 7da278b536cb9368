//! One matching tick: load the pool, plan on the blocking pool (it is CPU work), then commit
//! each proposal in its own transaction and tell open sockets (`realtime::Fact::Seated`) after
//! each commit (in batches, `proposals`). Pairs and one-to-ones become offers (`offers`) unless
//! the service opens them at once; offers past their window lapse first. Then the waiting
//! ladder (`ladder`) acts on requests that waited long.

use super::engine::{Plan, plan};
use super::ladder;
use super::model::{Config, Vocab};
use super::offers;
use super::proposals;
use crate::db::match_offers;
use crate::error::AppError;
use crate::state::AppState;

pub use super::proposals::TickReport;

/// The related-groups table for the engine, from the seeded vocabulary.
pub fn engine_vocab(v: &crate::profiles::vocab::Vocabulary) -> Vocab {
    let mut out = Vocab::new();
    for ((a, b), both_mental) in &v.related {
        out.add_related(a, b, *both_mental);
    }
    out
}

/// Lapses every offer past its answer window, each in its own transaction; a failure is
/// logged and counted and the rest go on.
async fn lapse_offers(state: &AppState) -> Result<(), AppError> {
    let now = state.clock.now_naive();
    let due = state
        .db
        .run(move |c| Ok(match_offers::lapsed(c, now)?))
        .await?;
    for id in due {
        let url = state.settings.public_url.clone();
        let offer = id.clone();
        match state
            .db
            .run(move |c| offers::lapse(c, &offer, now, &url))
            .await
        {
            Ok(facts) => {
                if !facts.is_empty() {
                    state.metrics.matching("lapsed");
                }
                for f in facts {
                    state.sockets.deliver(f);
                }
            }
            Err(e) => {
                state.metrics.matching("failed");
                tracing::error!(event = "offer_lapse_failed", offer_id = %id, code = e.code(), error = %e, "an offer could not be lapsed");
            }
        }
    }
    Ok(())
}

/// Runs one tick.
pub async fn tick(state: &AppState, cfg: &Config) -> Result<TickReport, AppError> {
    lapse_offers(state).await?;
    let (vocab, now) = (state.vocab.clone(), state.clock.now_naive());
    let v2 = vocab.clone();
    let loaded = state
        .db
        .run(move |c| offers::load_pool(c, &v2, now))
        .await?;
    let waiting = loaded.people.len();
    let cfg2 = *cfg;
    let v3 = vocab.clone();
    let planned: Plan = tokio::task::spawn_blocking(move || {
        let engine_vocab = engine_vocab(&v3);
        let labels = |id: &str| v3.phrase(id);
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
    proposals::commit_all(state, planned.proposals, &mut report).await;
    // The waiting ladder (MATCHING.md 4.6): widened, alternatives, hand-over, expiry.
    ladder::advance(state, cfg, engine_vocab(&vocab)).await?;
    if report.made > 0 || report.offered > 0 || report.proposed > 0 {
        state.mail_wakeup.notify_one();
    }
    Ok(report)
}
