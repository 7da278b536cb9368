//! `GET /moderation/stats`: how fast alerts are acknowledged (p50, p90, max and breaches of
//! the response target, per severity) and how many alerts each moderator handled (SAFE-SG-9's
//! workload figure) and in each shift that overlapped the window (the alerts of the window
//! acknowledged or resolved by that moderator while that shift was open), over a window of
//! days (default 30). Read from the database, so it is the
//! same on every instance and survives restarts; `/metrics` carries the live histogram.
//!
//! Percentiles are nearest-rank over the alerts acknowledged in the window. A breach is an
//! alert acknowledged after its due time, or one still open past it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::breached;
use super::transitions::seconds_between;
use crate::auth::AuthUser;
use crate::db::{alerts, shifts, users};
use crate::domain::time::ts;
use crate::error::AppError;
use crate::state::AppState;

const DEFAULT_DAYS: i64 = 30;
const MAX_DAYS: i64 = 365;

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    pub days: Option<i64>,
}

#[derive(Serialize, Debug, Default, PartialEq)]
pub struct SeverityStats {
    pub target_seconds: u64,
    pub raised: usize,
    pub open: usize,
    pub acknowledged: usize,
    pub p50_seconds: Option<f64>,
    pub p90_seconds: Option<f64>,
    pub max_seconds: Option<f64>,
    pub breaches: usize,
}

#[derive(Serialize, Debug)]
pub struct ModeratorLoad {
    pub moderator_id: String,
    pub display_name: String,
    pub acknowledged: usize,
    pub resolved: usize,
}

/// One shift's workload (SAFE-SG-9: alerts handled per shift).
#[derive(Serialize, Debug)]
pub struct ShiftLoad {
    pub shift_id: String,
    pub moderator_id: String,
    pub started_at: String,
    /// None while the shift is open.
    pub ended_at: Option<String>,
    pub acknowledged: usize,
    pub resolved: usize,
}

#[derive(Serialize, Debug)]
pub struct Stats {
    pub window_days: i64,
    pub since: String,
    pub red: SeverityStats,
    pub amber: SeverityStats,
    pub moderators: Vec<ModeratorLoad>,
    /// Shifts that overlapped the window, oldest first.
    pub shifts: Vec<ShiftLoad>,
}

/// The nearest-rank `p` (0 < p ≤ 1) of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

/// `GET /moderation/stats`.
pub async fn stats(state: &AppState, _: &AuthUser, q: StatsQuery) -> Result<Stats, AppError> {
    let days = q.days.unwrap_or(DEFAULT_DAYS);
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(AppError::bad_request(
            "invalid_days",
            format!("days must be from 1 to {MAX_DAYS}."),
        ));
    }
    let now = state.clock.now_naive();
    let since = now - chrono::Duration::days(days);
    let (rows, shift_rows) = state
        .db
        .run(move |c| {
            Ok((
                alerts::raised_since(c, since)?,
                shifts::overlapping(c, since, now)?,
            ))
        })
        .await?;
    let shift_loads = shift_rows
        .into_iter()
        .map(|s| {
            let during = |by: &Option<String>, at: Option<chrono::NaiveDateTime>| {
                by.as_deref() == Some(s.moderator_id.as_str())
                    && at.is_some_and(|t| t >= s.started_at && s.ended_at.is_none_or(|e| t < e))
            };
            ShiftLoad {
                acknowledged: rows
                    .iter()
                    .filter(|a| during(&a.acknowledged_by, a.acknowledged_at))
                    .count(),
                resolved: rows
                    .iter()
                    .filter(|a| during(&a.resolved_by, a.resolved_at))
                    .count(),
                shift_id: s.id,
                moderator_id: s.moderator_id,
                started_at: ts(s.started_at),
                ended_at: s.ended_at.map(ts),
            }
        })
        .collect();
    let targets = &state.settings.alerts;
    let mut by_sev: BTreeMap<&str, (SeverityStats, Vec<f64>)> = BTreeMap::new();
    for sev in ["red", "amber"] {
        let s = SeverityStats {
            target_seconds: targets.target(sev).as_secs(),
            ..SeverityStats::default()
        };
        by_sev.insert(sev, (s, Vec::new()));
    }
    let mut load: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for a in &rows {
        let Some((s, times)) = by_sev.get_mut(a.severity.as_str()) else {
            continue;
        };
        s.raised += 1;
        if breached(a, now) {
            s.breaches += 1;
        }
        match a.acknowledged_at {
            Some(at) => {
                s.acknowledged += 1;
                times.push(seconds_between(a.created_at, at));
            }
            None => s.open += 1,
        }
        if let Some(m) = &a.acknowledged_by {
            load.entry(m.clone()).or_default().0 += 1;
        }
        if let Some(m) = &a.resolved_by {
            load.entry(m.clone()).or_default().1 += 1;
        }
    }
    let mut done = BTreeMap::new();
    for (sev, (mut s, mut times)) in by_sev {
        times.sort_by(f64::total_cmp);
        s.p50_seconds = percentile(&times, 0.5);
        s.p90_seconds = percentile(&times, 0.9);
        s.max_seconds = times.last().copied();
        done.insert(sev, s);
    }
    let ids: Vec<String> = load.keys().cloned().collect();
    let people = state
        .db
        .run(move |c| Ok(users::find_many(c, &ids)?))
        .await?;
    let mut moderators: Vec<ModeratorLoad> = load
        .into_iter()
        .map(|(id, (acknowledged, resolved))| ModeratorLoad {
            display_name: people
                .iter()
                .find(|u| u.id == id)
                .map(|u| u.display_name.clone())
                .unwrap_or_default(),
            moderator_id: id,
            acknowledged,
            resolved,
        })
        .collect();
    moderators.sort_by_key(|m| std::cmp::Reverse(m.acknowledged + m.resolved));
    Ok(Stats {
        window_days: days,
        since: ts(since),
        red: done.remove("red").unwrap_or_default(),
        amber: done.remove("amber").unwrap_or_default(),
        moderators,
        shifts: shift_loads,
    })
}
