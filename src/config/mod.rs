//! Settings, read once from the environment at start and validated.
//!
//! Every variable the service reads is listed here; problems are collected and reported
//! together, each named by its variable, so an operator fixes them in one go.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `KINDRED_ENV` | `development` | `development` or `production`; production refuses to start on weak settings |
//! | `KINDRED_BIND` | `127.0.0.1:8080` | listen address |
//! | `DATABASE_URL` | `sqlite://data/kindred.db` | a SQLite file (created on first run) or `postgres://...` |
//! | `REDIS_URL` | unset | reserved for cross-instance fan-out; not used yet (README) |
//! | `SMTP_URL` | unset | `smtp://host:port` (plain), `smtps://` or `smtp://...?tls=required`; unset: mail is logged, not sent |
//! | `MAIL_FROM` | `Kindred <no-reply@localhost>` | sender address |
//! | `KINDRED_PUBLIC_URL` | `http://127.0.0.1:8080` | base of links in emails |
//! | `KINDRED_MATCH_INTERVAL_SECS` | `30` | how often the matcher re-optimises the waiting pool |
//! | `KINDRED_MATCH_CONSENT` | `ask` | `ask`: a proposed pair or one-to-one is offered to everyone in it and opens when all accept; `immediate`: it opens at once |
//! | `KINDRED_OFFER_WINDOW_HOURS` | `48` | how long an offer waits for answers (1–336) before it lapses |
//! | `KINDRED_MATCH_MAX_WAIT_ONE_TO_ONE_DAYS` | `7` | maximum wait W of one-to-one requests (the relaxation ladder, MATCHING.md 4.6) |
//! | `KINDRED_MATCH_MAX_WAIT_PAIR_DAYS` | `7` | maximum wait W of pair requests |
//! | `KINDRED_MATCH_MAX_WAIT_GROUP_DAYS` | `14` | maximum wait W of group requests |
//! | `KINDRED_MATCH_EXPIRE_DAYS` | 4 W of the request's format | when a request that found nobody expires; must be more than 2 W of every format |
//! | `KINDRED_COORDINATORS_EMAIL` | the moderators' addresses | who a request is handed to at 2 W, comma-separated |
//! | `KINDRED_ALLOWED_ORIGINS` | the public URL's origin | browser origins allowed to open the websocket, comma-separated |
//! | `KINDRED_JWT_SECRET` | generated into `data/jwt_secret` in development | HS256 signing key, ≥ 32 bytes; required in production |
//! | `KINDRED_TRUSTED_PROXIES` | unset | peer IPs whose `X-Forwarded-For` is believed (for per-address rate limits) |
//! | `KINDRED_MSG_BURST` | `20` | messages a sender may send at once before the rate applies |
//! | `KINDRED_MSG_PER_SEC` | `2` | sustained messages a second per sender (websocket and HTTP together) |
//! | `KINDRED_WS_MAX_PER_USER` | `5` | open websockets per person; one more is refused with 429 |
//! | `KINDRED_CRISIS_RULES` | built in | a crisis-language rules file (JSON) that replaces the built-in rules, for the clinical safety officer |
//! | `KINDRED_REPORT_TARGET_HOURS` | `24` | how long after it is made a report is due (1–720) |
//! | `KINDRED_SANCTIONS_FILE` | built in | a sanction ladder (JSON) replacing `moderation/sanctions.json`; validated at start |
//! | `KINDRED_SHIFT_GRACE_SECS` | `120` | how long a moderator on shift may have no websocket open before the shift ends (10–3600) |
//! | `KINDRED_ALERT_TARGET_RED_SECS` | `300` | time to acknowledge a red alert before it escalates to the on-call list |
//! | `KINDRED_ALERT_TARGET_AMBER_SECS` | `3600` | time to acknowledge an amber alert or a volunteer's escalation |
//! | `KINDRED_ALERT_MAX_ESCALATIONS` | `6` | escalation levels at most (level n at n × the target) |
//! | `KINDRED_ONCALL_EMAILS` | the moderators' addresses | who an overdue alert escalates to, comma-separated |
//! | `KINDRED_ESCALATION_WEBHOOK_URL` | unset | a paging webhook POSTed at each escalation level |
//! | `KINDRED_ESCALATION_WEBHOOK_SECRET` | unset | HMAC-SHA256 key of the webhook's `X-Kindred-Signature`, ≥ 32 bytes; required with the URL |
//! | `KINDRED_PERSONAL_INFO_POLICY` | `warn` | a message that looks like it shares a phone number, email, handle or link: `warn` delivers it and tells the writer alone; `hold` holds it for moderator review |
//! | `KINDRED_HEADER_TIMEOUT_SECS` | `5` | time to send the request line and headers; then 408 and the connection closes (1–60) |
//! | `KINDRED_BODY_TIMEOUT_SECS` | `10` | time to send the whole body after the headers; then 408 `body_timeout` and the connection closes (1–300) |
//! | `KINDRED_MAX_CONNECTIONS_PER_PEER` | `64` | open connections from one address (trusted proxies are not capped); a request on one more gets 429 `too_many_connections` |
//! | `KINDRED_WS_PREAUTH_PER_ADDRESS` | `16` | websockets from one client address that may wait to authenticate at once; one more is refused with 429 |
//! | `KINDRED_WS_PREAUTH_TOTAL` | `1024` | websockets that may wait to authenticate at once in all; one more is refused with 503 |
//! | `RUST_LOG` | `info` | log filter (`tracing_subscriber` syntax) |
//!
//! Nothing here is a global: `Settings` travels in `AppState`, so tests build their own.

mod alerts;
mod database_url;
mod dev_secret;
mod env;
mod http;
mod matching;
mod personal_info;
mod rate_limits;
mod reports;
mod shifts;
mod ws_preauth;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::auth::password::PasswordParams;

pub use alerts::AlertSettings;
pub use database_url::DatabaseUrl;
pub use http::HttpLimits;
pub use matching::MatchSettings;
pub use personal_info::PersonalInfoPolicy;
pub use rate_limits::RateLimits;
pub use reports::ReportSettings;
pub use shifts::ShiftSettings;
pub use ws_preauth::PreAuthLimits;

/// Where the development JWT secret is kept when `KINDRED_JWT_SECRET` is unset.
pub const DEV_SECRET_FILE: &str = "data/jwt_secret";
/// Smallest accepted signing key (RFC 7518 §3.2: at least the hash size, 256 bits).
pub const MIN_JWT_SECRET_BYTES: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub environment: Environment,
    pub bind: SocketAddr,
    pub database_url: DatabaseUrl,
    pub redis_url: Option<String>,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub public_url: String,
    pub match_interval: Duration,
    /// Pairs and one-to-ones are offered and open only when everyone accepts
    /// (`KINDRED_MATCH_CONSENT=ask`, the default); false opens them at once.
    pub match_consent: bool,
    /// How long an offer waits for answers (`KINDRED_OFFER_WINDOW_HOURS`).
    pub offer_window: Duration,
    /// The waiting ladder: maximum waits, expiry, coordinators (`KINDRED_MATCH_*`,
    /// `KINDRED_COORDINATORS_EMAIL`).
    pub matching: MatchSettings,
    pub allowed_origins: Vec<String>,
    pub jwt_secret: Vec<u8>,
    pub trusted_proxies: BTreeSet<IpAddr>,
    /// Argon2id cost; production values unless a test lowers them.
    pub password_params: PasswordParams,
    /// How many password hashes may run at once (each takes `m` KiB of memory).
    pub max_concurrent_hashes: usize,
    pub rate_limits: RateLimits,
    /// Connections in the database pool.
    pub db_pool_size: u32,
    /// How long in-flight requests get to finish on SIGTERM.
    pub shutdown_timeout: Duration,
    /// HTTP worker threads; None = one per core.
    pub http_workers: Option<usize>,
    /// How often the outbox worker looks for due mail (it is also woken after each commit).
    pub outbox_poll_interval: Duration,
    /// Run the matcher worker (tests that drive ticks by hand turn it off).
    pub matcher_worker: bool,
    /// Messages per sender: a burst, then this many a second (`KINDRED_MSG_BURST`,
    /// `KINDRED_MSG_PER_SEC`).
    pub message_burst: u32,
    pub message_per_sec: u32,
    /// Open websockets per person (`KINDRED_WS_MAX_PER_USER`).
    pub ws_max_per_user: usize,
    /// A crisis rules file replacing the built-in one (`KINDRED_CRISIS_RULES`).
    pub crisis_rules: Option<PathBuf>,
    /// The report response target and the sanction ladder's file (`KINDRED_REPORT_TARGET_HOURS`,
    /// `KINDRED_SANCTIONS_FILE`).
    pub reports: ReportSettings,
    /// Frames a connection may have waiting before it is closed for resync.
    pub ws_queue: usize,
    /// How long a browser has to send its `auth` frame.
    pub ws_auth_timeout: Duration,
    /// Server ping interval, and the silence after which a connection is closed.
    pub ws_ping_interval: Duration,
    pub ws_idle_timeout: Duration,
    /// A fixed kernel send buffer for accepted sockets. None (the default) leaves Linux's
    /// autotuning alone; tests shrink it so a reader that stops reading backs up quickly.
    pub tcp_send_buffer: Option<usize>,
    /// Moderators' shifts: the grace after the last connection closes, the sweeper.
    pub shifts: ShiftSettings,
    /// The alert desk: response targets, escalation, the paging webhook.
    pub alerts: AlertSettings,
    /// Messages with personal information: warn the writer or hold for review
    /// (`KINDRED_PERSONAL_INFO_POLICY`).
    pub personal_info_policy: PersonalInfoPolicy,
    /// Header and body deadlines, connections per peer (`KINDRED_HEADER_TIMEOUT_SECS`,
    /// `KINDRED_BODY_TIMEOUT_SECS`, `KINDRED_MAX_CONNECTIONS_PER_PEER`).
    pub http: HttpLimits,
    /// Websockets waiting to authenticate, per address and in all (`KINDRED_WS_PREAUTH_*`).
    pub ws_preauth: PreAuthLimits,
}

/// All problems found in the environment, each naming its variable.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n{}", .0.join("\n"))]
pub struct ConfigError(pub Vec<String>);
impl Settings {
    /// The start-up self-check (TESTPLAN T01): in production, refuse weak settings.
    pub fn self_check(&self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        if self.environment == Environment::Production {
            if !self.password_params.meets_production_floor() {
                problems.push(
                    "password hashing: Argon2id below m=19456 KiB, t=2, p=1 is refused in production"
                        .to_string(),
                );
            }
            if self.allowed_origins.is_empty() {
                problems.push("KINDRED_ALLOWED_ORIGINS: must not be empty in production".into());
            }
        }
        if self.jwt_secret.len() < MIN_JWT_SECRET_BYTES {
            problems.push(format!(
                "KINDRED_JWT_SECRET: must be at least {MIN_JWT_SECRET_BYTES} bytes"
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError(problems))
        }
    }

    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
    }
}
