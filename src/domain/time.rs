//! How the API writes a moment: RFC 3339 in UTC with milliseconds (`2026-12-03T07:01:21.123Z`).
//! Stored timestamps are UTC `NaiveDateTime` (see `clock`); this is their one wire form.

use chrono::NaiveDateTime;

/// A stored UTC timestamp in its wire form.
pub fn ts(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_with_milliseconds() {
        let t = chrono::DateTime::from_timestamp_millis(1_796_281_281_123)
            .unwrap()
            .naive_utc();
        assert_eq!(ts(t), "2026-12-03T07:01:21.123Z");
    }
}
