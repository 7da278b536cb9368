//! [`ShiftSettings`]: how moderators' shifts end on their own (SAFE-SG-5).
//!
//! `KINDRED_SHIFT_GRACE_SECS` (default 120, from 10 to 3600): how long a moderator on shift
//! may have no websocket open before the shift ends `disconnected`. Long enough to ride out a
//! network change or a laptop lid; short enough that members are not told a moderator is
//! there when nobody is.

use std::time::Duration;

/// The shift sweeper's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShiftSettings {
    /// How long a shift survives with no connection (`KINDRED_SHIFT_GRACE_SECS`).
    pub grace: Duration,
    /// Run the shift sweeper in the background (tests that sweep by hand turn it off).
    pub worker: bool,
}

impl Default for ShiftSettings {
    fn default() -> Self {
        ShiftSettings {
            grace: Duration::from_secs(120),
            worker: true,
        }
    }
}

impl ShiftSettings {
    /// Reads `KINDRED_SHIFT_GRACE_SECS`, pushing a problem under its name.
    pub(super) fn read(var: &dyn Fn(&str) -> Option<String>, problems: &mut Vec<String>) -> Self {
        let d = ShiftSettings::default();
        let grace = match var("KINDRED_SHIFT_GRACE_SECS").map(|v| v.trim().parse::<u64>()) {
            None => d.grace,
            Some(Ok(n)) if (10..=3600).contains(&n) => Duration::from_secs(n),
            Some(_) => {
                problems.push(
                    "KINDRED_SHIFT_GRACE_SECS: must be a whole number of seconds from 10 to 3600"
                        .into(),
                );
                d.grace
            }
        };
        ShiftSettings { grace, ..d }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(v: Option<&str>) -> (ShiftSettings, Vec<String>) {
        let mut problems = Vec::new();
        let value = v.map(str::to_string);
        let s = ShiftSettings::read(&move |_| value.clone(), &mut problems);
        (s, problems)
    }

    #[test]
    fn the_grace_defaults_to_two_minutes_and_is_bounded() {
        assert_eq!(read(None).0.grace, Duration::from_secs(120));
        assert_eq!(read(Some("45")).0.grace, Duration::from_secs(45));
        for bad in ["0", "9", "3601", "soon", "-5"] {
            let (s, problems) = read(Some(bad));
            assert_eq!(s.grace, Duration::from_secs(120));
            assert!(problems[0].starts_with("KINDRED_SHIFT_GRACE_SECS"), "{bad}");
        }
    }
}
