//! Keyed rate limits (GCRA), in memory, on the service's clock.
//!
//! A limiter allows `burst` events at once and then one per `period`. `check` only looks (a
//! login checks before it spends a hash on the attempt); `record` spends; `acquire` does both.
//! Limits are per instance: behind a load balancer each instance enforces its own, which
//! bounds the total at instances × limit. Keys are hashed, so memory holds no addresses.
//! The table is swept when it grows, dropping keys whose allowance is full again.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use sha2::{Digest, Sha256};

/// Sweep the table when it holds this many keys.
const SWEEP_AT_KEYS: usize = 100_000;

pub struct RateLimiter {
    burst: u32,
    period_ms: i64,
    /// Theoretical arrival time per key, in ms since the epoch.
    tat: Mutex<HashMap<[u8; 16], i64>>,
}

impl RateLimiter {
    pub fn new(burst: u32, period: Duration) -> Self {
        RateLimiter {
            burst: burst.max(1),
            period_ms: i64::try_from(period.as_millis()).unwrap_or(i64::MAX).max(1),
            tat: Mutex::new(HashMap::new()),
        }
    }

    fn key(key: &str) -> [u8; 16] {
        let d = Sha256::digest(key.as_bytes());
        let mut k = [0u8; 16];
        k.copy_from_slice(&d[..16]);
        k
    }

    fn decide(&self, tat: Option<i64>, now_ms: i64) -> (i64, Result<(), Duration>) {
        let new_tat = tat.unwrap_or(now_ms).max(now_ms) + self.period_ms;
        let allowed_until = now_ms + self.period_ms * i64::from(self.burst);
        if new_tat <= allowed_until {
            (new_tat, Ok(()))
        } else {
            let wait = u64::try_from(new_tat - allowed_until).unwrap_or(0);
            (new_tat, Err(Duration::from_millis(wait)))
        }
    }

    /// Would one more event be allowed now? Spends nothing.
    pub fn check(&self, key: &str, now_ms: i64) -> Result<(), Duration> {
        let map = self.tat.lock().unwrap_or_else(|e| e.into_inner());
        self.decide(map.get(&Self::key(key)).copied(), now_ms).1
    }

    /// Spends one event (even past the limit: failures keep counting).
    pub fn record(&self, key: &str, now_ms: i64) {
        let mut map = self.tat.lock().unwrap_or_else(|e| e.into_inner());
        let k = Self::key(key);
        let (new_tat, _) = self.decide(map.get(&k).copied(), now_ms);
        let cap = now_ms + self.period_ms * i64::from(self.burst);
        map.insert(k, new_tat.min(cap));
        if map.len() >= SWEEP_AT_KEYS {
            map.retain(|_, tat| *tat > now_ms);
        }
    }

    /// Checks and spends in one step; refused events spend nothing.
    pub fn acquire(&self, key: &str, now_ms: i64) -> Result<(), Duration> {
        let mut map = self.tat.lock().unwrap_or_else(|e| e.into_inner());
        let k = Self::key(key);
        let (new_tat, verdict) = self.decide(map.get(&k).copied(), now_ms);
        if verdict.is_ok() {
            map.insert(k, new_tat);
            if map.len() >= SWEEP_AT_KEYS {
                map.retain(|_, tat| *tat > now_ms);
            }
        }
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_burst_then_one_per_period() {
        let l = RateLimiter::new(3, Duration::from_secs(10));
        let t0 = 1_000_000;
        for _ in 0..3 {
            assert!(l.acquire("k", t0).is_ok());
        }
        let wait = l.acquire("k", t0).unwrap_err();
        assert_eq!(wait, Duration::from_secs(10));
        assert!(l.acquire("k", t0 + 9_999).is_err());
        assert!(l.acquire("k", t0 + 10_000).is_ok());
        assert!(l.acquire("other", t0).is_ok());
    }

    #[test]
    fn check_does_not_spend_and_record_does() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        let t0 = 5_000_000;
        assert!(l.check("a", t0).is_ok());
        assert!(l.check("a", t0).is_ok());
        l.record("a", t0);
        l.record("a", t0);
        assert!(l.check("a", t0).is_err());
        // Recording past the limit does not push the wait beyond one burst.
        for _ in 0..50 {
            l.record("a", t0);
        }
        assert!(l.check("a", t0 + 60_000).is_ok());
    }

    #[test]
    fn an_hour_of_failures_stays_within_one_hundred() {
        // The default account limit: 10 at once, then one per 40 s.
        let l = RateLimiter::new(10, Duration::from_secs(40));
        let t0 = 0;
        let mut evaluated = 0;
        for s in 0..3600 {
            let now = t0 + s * 1000;
            if l.check("acct", now).is_ok() {
                l.record("acct", now);
                evaluated += 1;
            }
        }
        assert!(evaluated <= 100, "{evaluated}");
        assert!(evaluated >= 90);
    }
}
