//! [`ReportSettings`]: the report response target and the sanction ladder's file.
//!
//! - `KINDRED_REPORT_TARGET_HOURS` (default 24, 1 to 720): a report is due this long after it
//!   was first made; the queue shows the due time and whether it has passed.
//! - `KINDRED_SANCTIONS_FILE` (unset: the built-in ladder): a JSON ladder replacing
//!   `moderation/sanctions.json`; it is read and validated at start, and a bad file refuses to
//!   start (`startup`).

use std::path::PathBuf;
use std::time::Duration;

/// Hours in the default report response target.
const DEFAULT_TARGET_HOURS: u64 = 24;
/// Longest accepted report response target (30 days).
const MAX_TARGET_HOURS: u64 = 720;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportSettings {
    /// How long after it is first made a report is due.
    pub target: Duration,
    /// A sanction ladder replacing the built-in one.
    pub sanctions_file: Option<PathBuf>,
}

impl Default for ReportSettings {
    fn default() -> Self {
        ReportSettings {
            target: Duration::from_secs(DEFAULT_TARGET_HOURS * 3600),
            sanctions_file: None,
        }
    }
}

impl ReportSettings {
    /// Reads the variables, pushing each problem under its variable's name.
    pub(super) fn read(var: &dyn Fn(&str) -> Option<String>, problems: &mut Vec<String>) -> Self {
        let d = ReportSettings::default();
        let target = match var("KINDRED_REPORT_TARGET_HOURS").map(|v| v.trim().parse::<u64>()) {
            None => d.target,
            Some(Ok(n)) if (1..=MAX_TARGET_HOURS).contains(&n) => Duration::from_secs(n * 3600),
            Some(_) => {
                problems.push(format!(
                    "KINDRED_REPORT_TARGET_HOURS: must be a whole number of hours from 1 to {MAX_TARGET_HOURS}"
                ));
                d.target
            }
        };
        ReportSettings {
            target,
            sanctions_file: var("KINDRED_SANCTIONS_FILE").map(PathBuf::from),
        }
    }
}
