//! What happens to one open shift, given the moderator's standing and whether they are
//! connected now: a pure rule, so every branch is a table row in the tests below.

use chrono::{Duration, NaiveDateTime};

/// Why a shift ended (the `ended_reason` column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndReason {
    /// The moderator went off shift.
    Off,
    /// No websocket open for longer than the grace period.
    Disconnected,
    /// No live session left (signed out everywhere, or every session expired or revoked).
    SignedOut,
    /// No longer a moderator or admin.
    RoleChanged,
    /// The account is no longer active (suspended, banned, erased).
    AccountClosed,
}

impl EndReason {
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Off => "off",
            EndReason::Disconnected => "disconnected",
            EndReason::SignedOut => "signed_out",
            EndReason::RoleChanged => "role_changed",
            EndReason::AccountClosed => "account_closed",
        }
    }
}

/// What decides whether an open shift goes on.
#[derive(Clone, Copy, Debug)]
pub struct Standing {
    pub active: bool,
    /// Moderator or admin now.
    pub staff: bool,
    pub signed_in: bool,
    /// When the moderator was last seen with no connection (None: connected when last seen).
    pub away_since: Option<NaiveDateTime>,
}

/// The change to make to one open shift.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Keep,
    /// No connection now, none recorded: away from now.
    Away,
    /// Connected again within the grace.
    Back,
    End {
        at: NaiveDateTime,
        reason: EndReason,
    },
}

/// The step for one open shift at `now`. A shift whose moderator lost their standing ends at
/// once; one away for the whole grace ends `disconnected` at the moment the grace ran out
/// (even if the moderator has since reconnected: the shift was over by then, and they go on
/// shift again by saying so).
pub fn decide(s: &Standing, connected: bool, now: NaiveDateTime, grace: Duration) -> Step {
    let end = |reason| Step::End { at: now, reason };
    if !s.active {
        return end(EndReason::AccountClosed);
    }
    if !s.staff {
        return end(EndReason::RoleChanged);
    }
    if !s.signed_in {
        return end(EndReason::SignedOut);
    }
    match s.away_since {
        Some(since) if since + grace <= now => Step::End {
            at: since + grace,
            reason: EndReason::Disconnected,
        },
        Some(_) if connected => Step::Back,
        None if !connected => Step::Away,
        _ => Step::Keep,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0)
            .unwrap()
            .naive_utc()
    }

    const OK: Standing = Standing {
        active: true,
        staff: true,
        signed_in: true,
        away_since: None,
    };

    #[test]
    fn connection_and_grace_decide_an_ordinary_shift() {
        let grace = Duration::seconds(120);
        let away = |s| Standing {
            away_since: Some(at(s)),
            ..OK
        };
        let rows: &[(Standing, bool, i64, Step)] = &[
            (OK, true, 0, Step::Keep),
            (OK, false, 0, Step::Away),
            (away(0), false, 119, Step::Keep),
            (away(0), true, 119, Step::Back),
            (
                away(0),
                false,
                120,
                Step::End {
                    at: at(120),
                    reason: EndReason::Disconnected,
                },
            ),
            // Back only after the grace ran out: the shift was already over.
            (
                away(0),
                true,
                500,
                Step::End {
                    at: at(120),
                    reason: EndReason::Disconnected,
                },
            ),
        ];
        for (i, (s, connected, now, want)) in rows.iter().enumerate() {
            assert_eq!(decide(s, *connected, at(*now), grace), *want, "row {i}");
        }
    }

    #[test]
    fn lost_standing_ends_a_shift_at_once_whatever_the_connection() {
        let grace = Duration::seconds(120);
        let cases = [
            (
                Standing {
                    active: false,
                    ..OK
                },
                EndReason::AccountClosed,
            ),
            (Standing { staff: false, ..OK }, EndReason::RoleChanged),
            (
                Standing {
                    signed_in: false,
                    ..OK
                },
                EndReason::SignedOut,
            ),
        ];
        for (s, reason) in cases {
            for connected in [true, false] {
                assert_eq!(
                    decide(&s, connected, at(5), grace),
                    Step::End { at: at(5), reason }
                );
            }
        }
        assert_eq!(EndReason::Disconnected.as_str(), "disconnected");
    }
}
