//! What handlers share. Cheap to clone (every part is reference-counted); no globals.

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

/// A request was matched into a room (published after the commit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchEvent {
    pub request_id: String,
    pub user_id: String,
    pub room_id: String,
}

/// How many match events may queue for a slow subscriber before it lags (it then resyncs
/// from the database, which is the source of truth).
pub const MATCH_EVENT_BUFFER: usize = 1024;

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
    /// Published after a match commits, for the realtime layer to deliver.
    pub match_events: tokio::sync::broadcast::Sender<MatchEvent>,
    /// Open websockets and their room subscriptions.
    pub hub: Arc<crate::rooms::hub::Hub>,
    /// The group-commit message writer.
    pub writer: crate::rooms::writer::MessageWriter,
    /// The crisis-language detector (rules from the binary or `KINDRED_CRISIS_RULES`).
    pub crisis: Arc<crate::safety::crisis::CrisisDetector>,
}

impl AppState {
    /// The clock in milliseconds, for the rate limiters.
    pub fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }
}
