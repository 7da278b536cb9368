//! The matcher worker: runs a tick shortly after each new request (debounced, so a burst of
//! arrivals is one tick) and on the `KINDRED_MATCH_INTERVAL_SECS` timer. Ticks never overlap
//! within an instance; across instances the conditional claims keep matches single. The
//! engine's maximum waits W come from the settings ([`engine_config`]).

use std::time::Duration;

use tokio::sync::watch;

use super::model::Config;
use super::service::tick;
use crate::config::MatchSettings;
use crate::state::AppState;

/// The engine's configuration with the maximum waits W of the settings
/// (`KINDRED_MATCH_MAX_WAIT_*_DAYS`); every other number is MATCHING.md's default.
pub fn engine_config(m: &MatchSettings) -> Config {
    let secs = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    Config {
        max_wait_one_to_one_secs: secs(m.max_wait_one_to_one),
        max_wait_pair_secs: secs(m.max_wait_pair),
        max_wait_group_secs: secs(m.max_wait_group),
        ..Config::default()
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::model::{DAY_SECS, Format};

    #[test]
    fn the_defaults_are_matchings_and_the_settings_set_w() {
        assert_eq!(engine_config(&MatchSettings::default()), Config::default());
        let m = MatchSettings {
            max_wait_pair: Duration::from_secs(3 * DAY_SECS as u64),
            ..MatchSettings::default()
        };
        let cfg = engine_config(&m);
        assert_eq!(cfg.max_wait_secs(Format::Pair), 3 * DAY_SECS);
        assert_eq!(cfg.max_wait_secs(Format::Group), 14 * DAY_SECS);
    }
}
