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

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> (ReportSettings, Vec<String>) {
        let mut problems = Vec::new();
        let var = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        };
        (ReportSettings::read(&var, &mut problems), problems)
    }

    #[test]
    fn the_report_target_defaults_to_a_day_and_is_checked() {
        let (s, p) = read(&[]);
        assert_eq!((s, p.len()), (ReportSettings::default(), 0));
        let (s, _) = read(&[
            ("KINDRED_REPORT_TARGET_HOURS", "4"),
            ("KINDRED_SANCTIONS_FILE", "/etc/kindred/ladder.json"),
        ]);
        assert_eq!(s.target, Duration::from_secs(4 * 3600));
        assert_eq!(
            s.sanctions_file,
            Some(PathBuf::from("/etc/kindred/ladder.json"))
        );
        for bad in ["0", "721", "soon"] {
            let (_, p) = read(&[("KINDRED_REPORT_TARGET_HOURS", bad)]);
            assert!(p[0].starts_with("KINDRED_REPORT_TARGET_HOURS"), "{p:?}");
        }
    }
}
