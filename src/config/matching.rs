//! [`MatchSettings`]: the waiting ladder of MATCHING.md §4.6 as configuration — the maximum
//! wait W of each format, when a request that found nobody expires, and who a request is
//! handed to at the last step.
//!
//! Decisions where the issue is silent:
//! - W is set in whole days per format (`KINDRED_MATCH_MAX_WAIT_{ONE_TO_ONE,PAIR,GROUP}_DAYS`,
//!   7, 7 and 14 as in MATCHING.md), from 1 to 365.
//! - Expiry: by default a request expires at 4 W of its own format (28 days for one-to-one and
//!   pairs, 56 for groups), two W after it was handed to a coordinator, so a coordinator has as
//!   long as the member already waited for the ladder to act. `KINDRED_MATCH_EXPIRE_DAYS` sets
//!   one number of days for every format instead; it must be later than 2 W of every format
//!   (the hand-over step), or the hand-over could never happen.
//! - Coordinators: `KINDRED_COORDINATORS_EMAIL`, comma-separated addresses; unset, the active
//!   moderators and admins are the coordinators (as for crisis alerts).

use std::time::Duration;

/// Seconds in a day.
const DAY: u64 = 24 * 60 * 60;

/// The waiting ladder's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchSettings {
    /// Maximum wait W for one-to-one requests (7 days).
    pub max_wait_one_to_one: Duration,
    /// Maximum wait W for pair requests (7 days).
    pub max_wait_pair: Duration,
    /// Maximum wait W for group requests (14 days).
    pub max_wait_group: Duration,
    /// One expiry for every format; None: 4 W of each request's format.
    pub expire_after: Option<Duration>,
    /// The coordinators' addresses; empty: the moderators' addresses.
    pub coordinators: Vec<String>,
}

impl Default for MatchSettings {
    fn default() -> Self {
        MatchSettings {
            max_wait_one_to_one: Duration::from_secs(7 * DAY),
            max_wait_pair: Duration::from_secs(7 * DAY),
            max_wait_group: Duration::from_secs(14 * DAY),
            expire_after: None,
            coordinators: Vec::new(),
        }
    }
}

impl MatchSettings {
    fn longest_wait(&self) -> Duration {
        self.max_wait_one_to_one
            .max(self.max_wait_pair)
            .max(self.max_wait_group)
    }

    /// Reads the ladder's variables, pushing each problem under its variable's name.
    pub(super) fn read(var: &dyn Fn(&str) -> Option<String>, problems: &mut Vec<String>) -> Self {
        let d = MatchSettings::default();
        let mut days = |name: &str, default: Duration| -> Option<Duration> {
            match var(name).map(|v| v.trim().parse::<u64>()) {
                None => Some(default),
                Some(Ok(n)) if (1..=365).contains(&n) => Some(Duration::from_secs(n * DAY)),
                Some(_) => {
                    problems.push(format!(
                        "{name}: must be a whole number of days from 1 to 365"
                    ));
                    None
                }
            }
        };
        let one = days(
            "KINDRED_MATCH_MAX_WAIT_ONE_TO_ONE_DAYS",
            d.max_wait_one_to_one,
        );
        let pair = days("KINDRED_MATCH_MAX_WAIT_PAIR_DAYS", d.max_wait_pair);
        let group = days("KINDRED_MATCH_MAX_WAIT_GROUP_DAYS", d.max_wait_group);
        let expire = match var("KINDRED_MATCH_EXPIRE_DAYS").map(|v| v.trim().parse::<u64>()) {
            None => None,
            Some(Ok(n)) if (1..=3650).contains(&n) => Some(Duration::from_secs(n * DAY)),
            Some(_) => {
                problems.push(
                    "KINDRED_MATCH_EXPIRE_DAYS: must be a whole number of days from 1 to 3650"
                        .into(),
                );
                None
            }
        };
        let mut coordinators = Vec::new();
        for a in var("KINDRED_COORDINATORS_EMAIL")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            if a.parse::<lettre::Address>().is_ok() {
                coordinators.push(a.to_string());
            } else {
                problems.push(format!(
                    "KINDRED_COORDINATORS_EMAIL: `{a}` is not an email address"
                ));
            }
        }
        let s = MatchSettings {
            max_wait_one_to_one: one.unwrap_or(d.max_wait_one_to_one),
            max_wait_pair: pair.unwrap_or(d.max_wait_pair),
            max_wait_group: group.unwrap_or(d.max_wait_group),
            expire_after: expire,
            coordinators,
        };
        if let Some(e) = s.expire_after
            && e <= s.longest_wait() * 2
        {
            problems.push(format!(
                "KINDRED_MATCH_EXPIRE_DAYS: must be more than twice the longest maximum wait ({} days), the hand-over to a coordinator",
                s.longest_wait().as_secs() / DAY
            ));
        }
        s
    }
}
