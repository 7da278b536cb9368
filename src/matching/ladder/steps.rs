//! Which requests the ladder acts on this tick, pure: each waiting request's step from its
//! wait and its format's W, and whether it is past its expiry.

use chrono::NaiveDateTime;

use crate::config::MatchSettings;
use crate::db::match_requests::MatchRequest;
use crate::matching::model::{Config, Format};
use crate::matching::score::relax_step;

/// One request the ladder acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub request_id: String,
    pub user_id: String,
    pub format: Format,
    pub focus_condition: String,
    /// The step stored so far.
    pub from: u8,
    /// The step the wait has reached now (higher than `from` unless the request expires).
    pub to: u8,
    /// The request is past its expiry: it closes instead of climbing.
    pub expire: bool,
    pub wait_secs: i64,
}

impl Due {
    /// Whether this request passes step `n` now.
    pub fn crosses(&self, n: u8) -> bool {
        !self.expire && self.from < n && self.to >= n
    }
}

/// Seconds after which a request of `format` expires: `KINDRED_MATCH_EXPIRE_DAYS`, or 4 W.
pub fn expire_secs(cfg: &Config, m: &MatchSettings, format: Format) -> i64 {
    m.expire_after.map_or_else(
        || cfg.max_wait_secs(format).saturating_mul(4),
        |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
    )
}

/// The stored name of a format.
pub fn format_name(f: Format) -> &'static str {
    match f {
        Format::OneToOne => "one_to_one",
        Format::Pair => "pair",
        Format::Group => "group",
    }
}

/// The waiting requests the ladder acts on at `now`, oldest first as given.
pub fn due(rows: &[MatchRequest], now: NaiveDateTime, cfg: &Config, m: &MatchSettings) -> Vec<Due> {
    let mut out = Vec::new();
    for r in rows {
        let Some(format) = Format::parse(&r.format) else {
            continue;
        };
        let wait_secs = (now - r.created_at).num_seconds().max(0);
        let to = relax_step(wait_secs, cfg.max_wait_secs(format));
        let from = u8::try_from(r.relax_step.clamp(0, 3)).unwrap_or(0);
        let expire = wait_secs >= expire_secs(cfg, m, format);
        if expire || to > from {
            out.push(Due {
                request_id: r.id.clone(),
                user_id: r.user_id.clone(),
                format,
                focus_condition: r.focus_condition.clone(),
                from,
                to,
                expire,
                wait_secs,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::model::DAY_SECS;
    use std::time::Duration;

    fn row(format: &str, waited_days: f64, step: i32, now: NaiveDateTime) -> MatchRequest {
        MatchRequest {
            id: format!("{format}-{waited_days}"),
            user_id: "u".into(),
            format: format.into(),
            focus_condition: "lungs.copd".into(),
            experience_tags: "[]".into(),
            status: "waiting".into(),
            room_id: None,
            explanation: None,
            relax_step: step,
            created_at: now - chrono::Duration::seconds((waited_days * DAY_SECS as f64) as i64),
            closed_at: None,
        }
    }

    fn now() -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn each_step_is_due_once_at_w_one_and_a_half_w_and_two_w() {
        let (cfg, m, n) = (Config::default(), MatchSettings::default(), now());
        let cases = [
            ("pair", 6.9, 0, None),
            ("pair", 7.0, 0, Some((1, false))),
            ("pair", 7.0, 1, None),
            ("pair", 10.5, 1, Some((2, false))),
            ("pair", 14.0, 2, Some((3, false))),
            ("pair", 20.0, 3, None),
            ("pair", 28.0, 3, Some((3, true))),
            ("group", 20.9, 1, None),
            ("group", 21.0, 1, Some((2, false))),
            ("group", 28.0, 2, Some((3, false))),
            ("group", 55.9, 3, None),
            ("group", 56.0, 3, Some((3, true))),
            ("one_to_one", 15.0, 0, Some((3, false))),
        ];
        for (format, days, step, want) in cases {
            let got = due(&[row(format, days, step, n)], n, &cfg, &m);
            let got = got.first().map(|d| (d.to, d.expire));
            assert_eq!(got, want, "{format} after {days} days at step {step}");
        }
    }

    #[test]
    fn a_jump_crosses_every_step_it_passes_and_expiry_stops_the_climb() {
        let (cfg, m, n) = (Config::default(), MatchSettings::default(), now());
        let d = &due(&[row("pair", 15.0, 0, n)], n, &cfg, &m)[0];
        assert!(d.crosses(1) && d.crosses(2) && d.crosses(3));
        let d = &due(&[row("pair", 30.0, 0, n)], n, &cfg, &m)[0];
        assert!(d.expire && !d.crosses(1) && !d.crosses(3));
    }

    #[test]
    fn a_set_expiry_applies_to_every_format() {
        let cfg = Config::default();
        let m = MatchSettings {
            expire_after: Some(Duration::from_secs(40 * DAY_SECS as u64)),
            ..MatchSettings::default()
        };
        assert_eq!(expire_secs(&cfg, &m, Format::Pair), 40 * DAY_SECS);
        assert_eq!(expire_secs(&cfg, &m, Format::Group), 40 * DAY_SECS);
        assert_eq!(
            expire_secs(&cfg, &MatchSettings::default(), Format::Group),
            56 * DAY_SECS
        );
    }
}
