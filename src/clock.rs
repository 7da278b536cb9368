//! Time, injectable. Every expiry, rate limit and timestamp reads `Clock::now`, so tests can
//! move time forward instead of sleeping. Timestamps are stored as UTC `NaiveDateTime`.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, NaiveDateTime, Utc};

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;

    /// The current time as stored in the database (UTC, microsecond precision).
    fn now_naive(&self) -> NaiveDateTime {
        let now = self.now().naive_utc();
        // Both engines keep microseconds; truncate so what we compare is what we stored.
        now.with_nanosecond((now.and_utc().timestamp_subsec_micros()) * 1_000)
            .unwrap_or(now)
    }
}

use chrono::Timelike;

/// The wall clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The wall clock plus an offset that tests advance.
#[derive(Debug, Default)]
pub struct ManualClock {
    offset_ms: AtomicI64,
}

impl ManualClock {
    pub fn new() -> Arc<Self> {
        Arc::new(ManualClock::default())
    }

    pub fn advance(&self, by: std::time::Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::milliseconds(self.offset_ms.load(Ordering::SeqCst))
    }
}

pub type SharedClock = Arc<dyn Clock>;
