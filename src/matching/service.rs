//! One matching tick: load the pool, plan on the blocking pool (it is CPU work), then commit
//! each proposal in its own transaction and tell open sockets (`realtime::Fact::Seated`) after
//! each commit. Members whose request reached a new relaxation step are told once, by email.

use std::collections::HashMap;
use std::sync::Arc;

use super::commit::commit;
use super::engine::{Plan, plan};
use super::model::{Config, Vocab};
use super::pool;
use crate::db::{match_requests, users, write_tx};
use crate::email::{self, templates};
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
    let public_url = Arc::new(state.settings.public_url.clone());
    for p in planned.proposals {
        let (url, now) = (public_url.clone(), state.clock.now_naive());
        match state.db.run(move |c| commit(c, &p, now, &url)).await? {
            Some(fact) => {
                report.made += 1;
                if let Fact::Seated { room_id, seats } = &fact {
                    for s in seats.iter().filter_map(|s| s.request_id.as_ref()) {
                        tracing::info!(event = "matched", request_id = %s, room_id = %room_id, "match made");
                    }
                }
                state.sockets.deliver(fact);
            }
            None => report.lost += 1,
        }
    }
    if !planned.relaxed.is_empty() {
        let (url, now) = (public_url.clone(), state.clock.now_naive());
        let relaxed = planned.relaxed;
        state
            .db
            .run(move |c| {
                write_tx(c, |c| -> Result<(), AppError> {
                    let mut told: HashMap<String, bool> = HashMap::new();
                    for (request, user, step) in &relaxed {
                        if match_requests::set_relax_step(c, request, i32::from(*step))? == 1
                            && *step == 1
                            && !told.contains_key(user)
                            && let Some(u) = users::find(c, user)?
                            && let Some(addr) = &u.email
                        {
                            email::enqueue(
                                c,
                                Some(&u.id),
                                &templates::matching_relaxed(addr, &u.display_name, &url),
                                now,
                            )?;
                            told.insert(user.clone(), true);
                        }
                    }
                    Ok(())
                })
            })
            .await?;
    }
    if report.made > 0 || report.proposed > 0 {
        state.mail_wakeup.notify_one();
    }
    Ok(report)
}
