//! One matching tick: load the pool, plan on the blocking pool (it is CPU work), then commit
//! each proposal in its own transaction and tell open sockets (`realtime::Fact::Seated`) after
//! each commit. Pairs and one-to-ones become offers (`offers`) unless the service opens them at
//! once; offers past their window lapse first. Members whose request reached a new relaxation
//! step are told once, by email.

use std::collections::HashMap;
use std::sync::Arc;

use super::engine::{Plan, plan};
use super::model::{Config, Vocab};
use super::offers;
use super::pool;
use super::proposals;
use crate::db::{match_offers, match_requests, users, write_tx};
use crate::email::{self, templates};
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

/// The pool, with what open and past offers change: people who declined each other (or let
/// an offer lapse) are never proposed again, and a volunteer's open offers hold capacity.
fn load_pool(
    c: &mut crate::db::DbConn,
    vocab: &crate::profiles::vocab::Vocabulary,
    now: chrono::NaiveDateTime,
) -> Result<pool::Pool, AppError> {
    let mut loaded = pool::load(c, vocab, now)?;
    let mut everyone: Vec<String> = loaded.people.iter().map(|p| p.user.clone()).collect();
    everyone.extend(loaded.volunteers.iter().map(|v| v.user.clone()));
    for (a, b) in match_offers::declined_involving(c, &everyone)? {
        loaded.exclusions.add(&a, &b);
    }
    let vols: Vec<String> = loaded.volunteers.iter().map(|v| v.user.clone()).collect();
    let held: HashMap<String, i64> = match_offers::held_by(c, &vols)?.into_iter().collect();
    for v in &mut loaded.volunteers {
        let n = u32::try_from(held.get(&v.user).copied().unwrap_or(0)).unwrap_or(u32::MAX);
        v.free_one_to_one = v.free_one_to_one.saturating_sub(n);
    }
    Ok(loaded)
}

/// Runs one tick.
pub async fn tick(state: &AppState, cfg: &Config) -> Result<TickReport, AppError> {
    lapse_offers(state).await?;
    let (vocab, now) = (state.vocab.clone(), state.clock.now_naive());
    let v2 = vocab.clone();
    let loaded = state.db.run(move |c| load_pool(c, &v2, now)).await?;
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
    proposals::commit_all(state, planned.proposals, &mut report).await;
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
    if report.made > 0 || report.offered > 0 || report.proposed > 0 {
        state.mail_wakeup.notify_one();
    }
    Ok(report)
}
