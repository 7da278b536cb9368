//! The waiting ladder (MATCHING.md §4.6): what happens to a request that waits. Run at the end
//! of every tick (`service::tick`), after the tick's matches are committed, on the movable
//! clock; W per format is configuration (`KINDRED_MATCH_MAX_WAIT_*_DAYS`, see `config`).
//!
//! 1. **At W** the engine widens the member's soft preferences (in the engine's scoring) and
//!    the member is told once by email that we are looking wider.
//! 2. **At 1.5 W** we look for the formats that could serve the member now
//!    ([`alternatives`]: decided by the engine, with every hard constraint) and record them
//!    on the request (`alternatives` on `GET /api/v1/match-requests/{id}`, an empty list
//!    when there are none). When there is at least one the member is emailed the list; with
//!    none, no email (it would only say "still waiting"; the hand-over mail follows at 2 W).
//!    To switch, the member cancels and asks again in the new format: a new request, so it
//!    waits from zero — which is how the engine decided it could serve them, as a new
//!    request behind everyone already waiting. (No "change format" route: keeping the old
//!    wait in a new format would jump the new format's queue on a wait built elsewhere.)
//! 3. **At 2 W** the request is handed to a human coordinator: until a moderators' queue
//!    exists, an email to each address in `KINDRED_COORDINATORS_EMAIL` (unset: every active
//!    moderator and admin) with only the request id, format, focus condition group and wait
//!    in days; the member is emailed that a coordinator will be in touch. The request keeps
//!    waiting and the engine keeps trying.
//! 4. **At expiry** (`KINDRED_MATCH_EXPIRE_DAYS`, default 4 W of the request's format) a
//!    request still waiting becomes `expired`, closed, and the member is told and invited to
//!    ask again. The one-open-request-per-format rule counts only `waiting` requests, so a
//!    new request is allowed at once.
//!
//! Each request is one transaction: a conditional update (`relax_step` raised only while the
//! request is still `waiting`, or `waiting` → `expired`) and that step's outbox emails, so a
//! second tick, or a second instance, never sends a step twice, and a request matched this
//! tick is never told it is still waiting. A request that jumps several steps in one tick
//! (the matcher was down) does each step's work once, with one email to the member: the
//! highest step's. Steps act only for active, verified accounts (the pool's gate); expiry
//! applies to every waiting request, and is emailed only to an active account. A failing
//! request is logged by id and counted (`ladder_failed`), and the others go on.

mod alternatives;
mod steps;

pub use alternatives::could_serve_now;
pub use steps::{Due, due, expire_secs, format_name};

use std::collections::HashMap;

use crate::db::match_requests;
use crate::db::{DbConn, users, write_tx};
use crate::email::{self, templates};
use crate::error::AppError;
use crate::matching::model::{Config, DAY_SECS, Format, Vocab};
use crate::matching::offers;
use crate::state::AppState;

/// What the ladder did in one tick.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LadderReport {
    /// Requests that reached step 1 (widened).
    pub widened: usize,
    /// Requests that reached step 2 with at least one alternative.
    pub offered: usize,
    /// Requests handed to the coordinators.
    pub handed_over: usize,
    pub expired: usize,
    pub failed: usize,
}

/// A due request with what its step needs: the owner's account and, crossing step 2, the
/// formats that could serve them now.
struct Work {
    due: Due,
    user: Option<users::User>,
    alternatives: Option<Vec<String>>,
}

/// Runs the ladder over the waiting pool at the clock's now; `vocab` is the engine's.
pub async fn advance(
    state: &AppState,
    cfg: &Config,
    vocab: Vocab,
) -> Result<LadderReport, AppError> {
    let now = state.clock.now_naive();
    let (cfg, m) = (*cfg, state.settings.matching.clone());
    let (work, waiting_formats) = state
        .db
        .run(move |c| {
            let rows = match_requests::waiting(c)?;
            let mut formats: HashMap<String, Vec<Format>> = HashMap::new();
            for r in &rows {
                formats
                    .entry(r.user_id.clone())
                    .or_default()
                    .extend(Format::parse(&r.format));
            }
            let mut work = Vec::new();
            for due in due(&rows, now, &cfg, &m) {
                let user = users::find(c, &due.user_id)?;
                work.push(Work {
                    due,
                    user,
                    alternatives: None,
                });
            }
            Ok((work, formats))
        })
        .await?;
    if work.is_empty() {
        return Ok(LadderReport::default());
    }
    let work = with_alternatives(state, work, waiting_formats, vocab, cfg, now).await?;

    let mut report = LadderReport::default();
    let mut told_wider: Vec<String> = Vec::new();
    for w in work {
        let id = w.due.request_id.clone();
        // Step 1's email goes once per person per tick, however many of their requests widen.
        let tell_wider = w.due.to == 1 && !told_wider.contains(&w.due.user_id);
        let (url, group) = (
            state.settings.public_url.clone(),
            state
                .vocab
                .group_of(&w.due.focus_condition)
                .map(|g| state.vocab.label(g))
                .unwrap_or_default(),
        );
        let coordinators = state.settings.matching.coordinators.clone();
        let user_id = w.due.user_id.clone();
        let applied = state
            .db
            .run(move |c| {
                write_tx(c, |c| {
                    apply(c, &w, tell_wider, &url, &group, &coordinators, now)
                })
            })
            .await;
        match applied {
            Ok(Outcome::Nothing) => {}
            Ok(Outcome::Expired) => {
                report.expired += 1;
                state.metrics.matching("expired");
                tracing::info!(event = "match_expired", request_id = %id, "match request expired");
            }
            Ok(Outcome::Stepped { to, offered }) => {
                if to == 1 {
                    report.widened += 1;
                    told_wider.push(user_id);
                }
                if offered {
                    report.offered += 1;
                    state.metrics.matching("alternatives_offered");
                }
                if to >= 3 {
                    report.handed_over += 1;
                    state.metrics.matching("handed_over");
                    tracing::info!(event = "match_handed_over", request_id = %id, "match request handed to the coordinators");
                }
            }
            Err(e) => {
                report.failed += 1;
                state.metrics.matching("ladder_failed");
                tracing::error!(event = "ladder_failed", request_id = %id, code = e.code(), error = %e, "a waiting request could not climb the ladder");
            }
        }
    }
    if report != LadderReport::default() {
        state.mail_wakeup.notify_one();
    }
    Ok(report)
}

/// Finds the alternatives of every request crossing step 2: loads the pool once (only when
/// some request needs it) and asks the engine, on the blocking pool.
async fn with_alternatives(
    state: &AppState,
    mut work: Vec<Work>,
    waiting_formats: HashMap<String, Vec<Format>>,
    vocab: Vocab,
    cfg: Config,
    now: chrono::NaiveDateTime,
) -> Result<Vec<Work>, AppError> {
    if !work.iter().any(|w| w.due.crosses(2)) {
        return Ok(work);
    }
    let v = state.vocab.clone();
    let loaded = state.db.run(move |c| offers::load_pool(c, &v, now)).await?;
    tokio::task::spawn_blocking(move || {
        for w in work.iter_mut().filter(|w| w.due.crosses(2)) {
            let mine = waiting_formats
                .get(&w.due.user_id)
                .map(Vec::as_slice)
                .unwrap_or_default();
            w.alternatives = Some(could_serve_now(
                &w.due.request_id,
                mine,
                &loaded,
                &vocab,
                &cfg,
            ));
        }
        work
    })
    .await
    .map_err(AppError::internal)
}

enum Outcome {
    /// The request was no longer waiting (matched or cancelled meanwhile), or already done.
    Nothing,
    Expired,
    Stepped {
        to: u8,
        offered: bool,
    },
}

fn active(u: &Option<users::User>) -> Option<&users::User> {
    u.as_ref()
        .filter(|u| u.status == users::STATUS_ACTIVE && u.email_verified_at.is_some())
}

/// One request's step, in the caller's transaction.
fn apply(
    c: &mut DbConn,
    w: &Work,
    tell_wider: bool,
    url: &str,
    focus_group: &str,
    coordinators: &[String],
    now: chrono::NaiveDateTime,
) -> Result<Outcome, AppError> {
    let d = &w.due;
    let member = active(&w.user).and_then(|u| Some((u, u.email.as_deref()?)));
    if d.expire {
        if match_requests::expire(c, &d.request_id, now)? == 0 {
            return Ok(Outcome::Nothing);
        }
        if let Some((u, addr)) = member {
            let mail =
                templates::matching_expired(addr, &u.display_name, url, format_name(d.format));
            email::enqueue(c, Some(&u.id), &mail, now)?;
        }
        return Ok(Outcome::Expired);
    }
    let Some(u) = active(&w.user) else {
        return Ok(Outcome::Nothing);
    };
    if match_requests::advance_waiting_step(c, &d.request_id, i32::from(d.to))? == 0 {
        return Ok(Outcome::Nothing);
    }
    let mut offered = false;
    if let Some(alts) = &w.alternatives {
        let json = serde_json::to_string(alts).map_err(AppError::internal)?;
        match_requests::set_alternatives(c, &d.request_id, &json)?;
        offered = !alts.is_empty();
    }
    if d.crosses(3) {
        let waited_days = d.wait_secs / DAY_SECS;
        let format = format_name(d.format);
        let to: Vec<(Option<String>, String)> = if coordinators.is_empty() {
            users::moderator_addresses(c)?
                .into_iter()
                .map(|(id, a)| (Some(id), a))
                .collect()
        } else {
            coordinators.iter().map(|a| (None, a.clone())).collect()
        };
        for (id, addr) in &to {
            let mail = templates::coordinator_handover(
                addr,
                &d.request_id,
                format,
                focus_group,
                waited_days,
            );
            email::enqueue(c, id.as_deref(), &mail, now)?;
        }
    }
    if let Some((_, addr)) = member {
        let mail = match d.to {
            3 => Some(templates::matching_handed_over(addr, &u.display_name, url)),
            2 if offered => w.alternatives.as_ref().map(|alts| {
                templates::matching_alternatives(
                    addr,
                    &u.display_name,
                    url,
                    format_name(d.format),
                    alts,
                )
            }),
            1 if tell_wider => Some(templates::matching_relaxed(addr, &u.display_name, url)),
            _ => None,
        };
        if let Some(mail) = mail {
            email::enqueue(c, Some(&u.id), &mail, now)?;
        }
    }
    Ok(Outcome::Stepped { to: d.to, offered })
}
