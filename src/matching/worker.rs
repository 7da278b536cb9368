//! The matcher worker: runs a tick shortly after each new request (debounced, so a burst of
//! arrivals is one tick) and on the `KINDRED_MATCH_INTERVAL_SECS` timer. Ticks never overlap
//! within an instance; across instances the conditional claims keep matches single.

use std::time::Duration;

use tokio::sync::watch;

use super::model::Config;
use super::service::tick;
use crate::state::AppState;

/// How long to wait after an arrival for others to join the same tick.
pub const DEBOUNCE: Duration = Duration::from_millis(150);

pub async fn run(
    state: AppState,
    cfg: Config,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut timer = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = state.matcher_wakeup.notified() => {
                tokio::time::sleep(DEBOUNCE).await;
            }
            _ = timer.tick() => {}
            _ = shutdown.changed() => break,
        }
        if *shutdown.borrow() {
            break;
        }
        match tick(&state, &cfg).await {
            Ok(r) if r.proposed > 0 => {
                tracing::info!(
                    waiting = r.waiting,
                    proposed = r.proposed,
                    made = r.made,
                    lost = r.lost,
                    "matching tick"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "matching tick failed; retrying on the next"),
        }
    }
    tracing::info!("matcher stopped");
}
