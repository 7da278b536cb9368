//! What handlers and services share. Cheap to clone (every part is reference-counted); no
//! globals. It holds no feature's machinery: the realtime layer is behind the `Sockets` port,
//! and background tasks get only the parts they use.

use std::sync::Arc;

use tokio::sync::Notify;

use crate::auth::password::PasswordHasher;
use crate::auth::rate_limit::RateLimiter;
use crate::auth::tokens::TokenKeys;
use crate::clock::SharedClock;
use crate::config::Settings;
use crate::db::Db;
use crate::metrics::Metrics;
use crate::profiles::vocab::Vocabulary;

/// The brute-force limiters (see `config::RateLimits`).
pub struct Limiters {
    pub login_account: RateLimiter,
    pub login_address: RateLimiter,
    pub signup_address: RateLimiter,
    pub reset_email: RateLimiter,
    /// Messages per sender (websocket and HTTP).
    pub message_send: RateLimiter,
}

impl Limiters {
    pub fn new(r: &crate::config::RateLimits, s: &crate::config::Settings) -> Self {
        Limiters {
            login_account: RateLimiter::new(r.account_failure_burst, r.account_failure_period),
            login_address: RateLimiter::new(r.address_failure_burst, r.address_failure_period),
            signup_address: RateLimiter::new(r.address_signup_burst, r.address_signup_period),
            reset_email: RateLimiter::new(r.reset_per_email_burst, r.reset_per_email_period),
            message_send: RateLimiter::new(
                s.message_burst,
                std::time::Duration::from_secs_f64(1.0 / f64::from(s.message_per_sec.max(1))),
            ),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub clock: SharedClock,
    pub hasher: Arc<PasswordHasher>,
    pub tokens: Arc<TokenKeys>,
    pub limits: Arc<Limiters>,
    pub metrics: Arc<Metrics>,
    /// The seeded vocabularies, loaded at start.
    pub vocab: Arc<Vocabulary>,
    /// Poked after a commit that queued mail, so the worker sends at once.
    pub mail_wakeup: Arc<Notify>,
    /// Poked when a request arrives, so the matcher runs (debounced) at once.
    pub matcher_wakeup: Arc<Notify>,
    /// The one door to open sockets: services describe committed facts here (`realtime`).
    pub sockets: Arc<dyn crate::realtime::Sockets>,
}

impl AppState {
    /// The clock in milliseconds, for the rate limiters.
    pub fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }
}
