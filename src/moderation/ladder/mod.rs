//! The sanction ladder (issue 11, point 6): pure policy, no I/O beyond reading its file at
//! start. Given the actions already taken against a person and the category of a new report,
//! it suggests the next step; the queue shows the suggestion and a moderator decides.
//!
//! The ladder is data (`sanctions.json`, embedded; `KINDRED_SANCTIONS_FILE` replaces it): how
//! many strikes each report category carries, the steps (warning, a timed mute, a timed
//! suspension, ban) and how long strikes last. A file that does not validate refuses start-up
//! with a message naming what is wrong; the service never runs with half a ladder.
//!
//! Decisions where the issue is silent:
//! - A past action counts when it has a category the ladder knows, was not reversed (an appeal
//!   overturned it or a moderator lifted it), is younger than the strike lifetime, and is not a
//!   reinstatement. Its strikes are its category's strikes in the *current* file.
//! - Several actions taken for one source (`source_type` + `source_id`, e.g. a hide and a mute
//!   for the same report) are one incident: they count once, at the highest category weight.
//! - A new category with no strikes (`self_harm` by default: someone talking about harming
//!   themselves needs support, not a sanction) suggests no sanction, whatever the record.
//! - Otherwise the suggestion is the highest step whose `at_strikes` the person's live strikes
//!   plus the new category's reach; below the first step, no sanction.

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

use crate::db::moderation_actions::ActionRow;

/// The report categories, most severe first (the queue's order and the ladder's keys).
pub const CATEGORIES: [&str; 5] = [
    "self_harm",
    "abuse_harassment",
    "personal_info",
    "spam",
    "other",
];

/// The ladder shipped in the binary.
const BUILTIN_JSON: &str = include_str!("../sanctions.json");

/// Strikes one category may carry, and the highest step threshold.
const MAX_STRIKES: u32 = 100;
/// Longest strike lifetime, in days (ten years).
const MAX_LIFETIME_DAYS: i64 = 3650;
/// Longest timed step, in hours (a year).
const MAX_DURATION_HOURS: u32 = 8760;
/// The action kind that undoes others; it is never a strike.
const REINSTATE: &str = "reinstate";

/// What a step suggests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sanction {
    Warning,
    Mute,
    Suspension,
    Ban,
}

impl Sanction {
    pub fn as_str(self) -> &'static str {
        match self {
            Sanction::Warning => "warning",
            Sanction::Mute => "mute",
            Sanction::Suspension => "suspension",
            Sanction::Ban => "ban",
        }
    }

    /// Mutes and suspensions last a time; warnings and bans do not.
    fn is_timed(self) -> bool {
        matches!(self, Sanction::Mute | Sanction::Suspension)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepEntry {
    at_strikes: u32,
    suggest: Sanction,
    #[serde(default)]
    duration_hours: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LadderFile {
    version: String,
    /// For the people who review the file; not used.
    #[serde(default)]
    #[expect(
        dead_code,
        reason = "read by people reviewing the file, not by the code"
    )]
    note: Option<String>,
    strike_lifetime_days: i64,
    categories: BTreeMap<String, u32>,
    steps: Vec<StepEntry>,
}

/// A validated ladder.
#[derive(Clone, Debug)]
pub struct Ladder {
    version: String,
    lifetime: TimeDelta,
    weights: BTreeMap<String, u32>,
    steps: Vec<StepEntry>,
}

/// What the queue shows for one report: the step, and the strikes behind it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// `none`, `warning`, `mute`, `suspension` or `ban`.
    pub step: &'static str,
    /// How long a suggested mute or suspension lasts.
    pub duration_hours: Option<u32>,
    /// Live strikes on the person's record before this report.
    pub strikes_before: u32,
    /// Strikes once this report's category is added.
    pub strikes_after: u32,
    pub ladder_version: String,
}

impl Ladder {
    /// The ladder shipped in the binary (a unit test proves it validates).
    pub fn builtin() -> Result<Ladder, String> {
        Ladder::from_json(BUILTIN_JSON).map_err(|e| format!("built-in sanctions: {e}"))
    }

    /// Reads and validates a replacement file.
    pub fn load(path: &Path) -> Result<Ladder, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("could not read {}: {e}", path.display()))?;
        Ladder::from_json(&text)
    }

    /// Parses and validates: a non-empty version; a lifetime of 1 to 3650 days; strikes (0 to
    /// 100) for exactly the five report categories; at least one step, thresholds from 1 and
    /// strictly rising; a duration (1 to 8760 hours) on mutes and suspensions and on nothing
    /// else.
    pub fn from_json(json: &str) -> Result<Ladder, String> {
        let file: LadderFile = serde_json::from_str(json)
            .map_err(|e| format!("sanctions file is not valid JSON of the expected shape: {e}"))?;
        let version = file.version.trim();
        if version.is_empty() {
            return Err("sanctions: version must not be empty".into());
        }
        if !(1..=MAX_LIFETIME_DAYS).contains(&file.strike_lifetime_days) {
            return Err(format!(
                "sanctions: strike_lifetime_days must be from 1 to {MAX_LIFETIME_DAYS}"
            ));
        }
        for c in CATEGORIES {
            if !file.categories.contains_key(c) {
                return Err(format!("sanctions: category {c:?} has no strikes"));
            }
        }
        for (c, n) in &file.categories {
            if !CATEGORIES.contains(&c.as_str()) {
                return Err(format!(
                    "sanctions: unknown category {c:?}; expected one of {CATEGORIES:?}"
                ));
            }
            if *n > MAX_STRIKES {
                return Err(format!(
                    "sanctions: category {c:?} carries {n} strikes; at most {MAX_STRIKES}"
                ));
            }
        }
        if file.steps.is_empty() {
            return Err("sanctions: there must be at least one step".into());
        }
        let mut last = 0;
        for (i, s) in file.steps.iter().enumerate() {
            let n = i + 1;
            if s.at_strikes <= last || s.at_strikes > MAX_STRIKES {
                return Err(format!(
                    "sanctions: step {n} is at {} strikes; thresholds start at 1, rise strictly and stop at {MAX_STRIKES}",
                    s.at_strikes
                ));
            }
            last = s.at_strikes;
            match (s.suggest.is_timed(), s.duration_hours) {
                (true, Some(h)) if (1..=MAX_DURATION_HOURS).contains(&h) => {}
                (true, _) => {
                    return Err(format!(
                        "sanctions: step {n} ({}) needs duration_hours from 1 to {MAX_DURATION_HOURS}",
                        s.suggest.as_str()
                    ));
                }
                (false, Some(_)) => {
                    return Err(format!(
                        "sanctions: step {n} ({}) takes no duration_hours",
                        s.suggest.as_str()
                    ));
                }
                (false, None) => {}
            }
        }
        Ok(Ladder {
            version: version.to_string(),
            lifetime: TimeDelta::days(file.strike_lifetime_days),
            weights: file.categories,
            steps: file.steps,
        })
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// Strikes a category carries (0 for one the ladder does not know).
    pub fn weight(&self, category: &str) -> u32 {
        self.weights.get(category).copied().unwrap_or(0)
    }

    /// The live strikes on a record at `now` (see the module's rules).
    pub fn live_strikes(&self, past: &[ActionRow], now: NaiveDateTime) -> u32 {
        let oldest = now - self.lifetime;
        let mut by_source: BTreeMap<(&str, &str), u32> = BTreeMap::new();
        let mut total = 0u32;
        for a in past {
            if a.reversed_at.is_some() || a.kind == REINSTATE || a.created_at <= oldest {
                continue;
            }
            let w = a.category.as_deref().map_or(0, |c| self.weight(c));
            if w == 0 {
                continue;
            }
            match (a.source_type.as_deref(), a.source_id.as_deref()) {
                (Some(t), Some(id)) => {
                    let e = by_source.entry((t, id)).or_insert(0);
                    *e = (*e).max(w);
                }
                _ => total = total.saturating_add(w),
            }
        }
        by_source
            .values()
            .fold(total, |sum, w| sum.saturating_add(*w))
    }

    /// The suggested next step for a new report of `category` against someone with `past`.
    pub fn suggest(&self, past: &[ActionRow], category: &str, now: NaiveDateTime) -> Suggestion {
        let before = self.live_strikes(past, now);
        let w = self.weight(category);
        let after = before.saturating_add(w);
        let step = if w == 0 {
            None
        } else {
            self.steps.iter().rev().find(|s| s.at_strikes <= after)
        };
        Suggestion {
            step: step.map_or("none", |s| s.suggest.as_str()),
            duration_hours: step.and_then(|s| s.duration_hours),
            strikes_before: before,
            strikes_after: after,
            ladder_version: self.version.clone(),
        }
    }
}
