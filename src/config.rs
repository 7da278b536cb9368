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
//! | `KINDRED_ALLOWED_ORIGINS` | the public URL's origin | browser origins allowed to open the websocket, comma-separated |
//! | `KINDRED_JWT_SECRET` | generated into `data/jwt_secret` in development | HS256 signing key, ≥ 32 bytes; required in production |
//! | `KINDRED_TRUSTED_PROXIES` | unset | peer IPs whose `X-Forwarded-For` is believed (for per-address rate limits) |
//! | `KINDRED_MSG_BURST` | `20` | messages a sender may send at once before the rate applies |
//! | `KINDRED_MSG_PER_SEC` | `2` | sustained messages a second per sender (websocket and HTTP together) |
//! | `KINDRED_WS_MAX_PER_USER` | `5` | open websockets per person; one more is refused with 429 |
//! | `KINDRED_CRISIS_RULES` | built in | a crisis-language rules file (JSON) that replaces the built-in rules, for the clinical safety officer |
//! | `RUST_LOG` | `info` | log filter (`tracing_subscriber` syntax) |
//!
//! Nothing here is a global: `Settings` travels in `AppState`, so tests build their own.

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::auth::password::PasswordParams;

/// Where the development JWT secret is kept when `KINDRED_JWT_SECRET` is unset.
pub const DEV_SECRET_FILE: &str = "data/jwt_secret";
/// Smallest accepted signing key (RFC 7518 §3.2: at least the hash size, 256 bits).
pub const MIN_JWT_SECRET_BYTES: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// Which database the URL selects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file path (the `sqlite://` prefix removed).
    Sqlite(PathBuf),
    /// A full `postgres://` URL, passed to libpq as is.
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if let Some(rest) = raw
            .strip_prefix("postgres://")
            .or_else(|| raw.strip_prefix("postgresql://"))
        {
            if rest.is_empty() {
                return Err("a postgres:// URL needs a host".into());
            }
            return Ok(DatabaseUrl::Postgres(raw.to_string()));
        }
        if let Some(path) = raw.strip_prefix("sqlite://") {
            if path.is_empty() || path == ":memory:" {
                return Err(
                    "a sqlite:// URL needs a file path (an in-memory database cannot be pooled)"
                        .into(),
                );
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        Err("must start with sqlite:// or postgres://".into())
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "sqlite",
            DatabaseUrl::Postgres(_) => "postgres",
        }
    }
}

/// Limits for brute-force protection. Not environment variables: they are policy, documented
/// in README, and tests shrink them through `Settings`.
#[derive(Clone, Debug)]
pub struct RateLimits {
    /// Failed logins per account: burst, then one more per `account_failure_period`.
    /// 10 + 90/hour keeps any hour at ≤ 100 evaluated failures (ASVS 2.2.1).
    pub account_failure_burst: u32,
    pub account_failure_period: Duration,
    /// Failed logins per client address.
    pub address_failure_burst: u32,
    pub address_failure_period: Duration,
    /// Registrations and reset requests per client address.
    pub address_signup_burst: u32,
    pub address_signup_period: Duration,
    /// Reset requests per email address (3 an hour).
    pub reset_per_email_burst: u32,
    pub reset_per_email_period: Duration,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            account_failure_burst: 10,
            account_failure_period: Duration::from_secs(40),
            address_failure_burst: 50,
            address_failure_period: Duration::from_secs(12),
            address_signup_burst: 10,
            address_signup_period: Duration::from_secs(60),
            reset_per_email_burst: 3,
            reset_per_email_period: Duration::from_secs(20 * 60),
        }
    }
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
}

/// All problems found in the environment, each naming its variable.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n{}", .0.join("\n"))]
pub struct ConfigError(pub Vec<String>);

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads from any lookup (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut problems = Vec::new();
        let var = |k: &str| get(k).filter(|v| !v.trim().is_empty());

        let environment = match var("KINDRED_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(_) => {
                problems.push("KINDRED_ENV: must be `development` or `production`".into());
                Environment::Development
            }
        };

        let bind = match var("KINDRED_BIND")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
        {
            Ok(a) => a,
            Err(_) => {
                problems.push("KINDRED_BIND: must be an address like 127.0.0.1:8080".into());
                SocketAddr::from(([127, 0, 0, 1], 8080))
            }
        };

        let database_url = match DatabaseUrl::parse(
            &var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/kindred.db".into()),
        ) {
            Ok(u) => u,
            Err(e) => {
                problems.push(format!("DATABASE_URL: {e}"));
                DatabaseUrl::Sqlite(PathBuf::from("data/kindred.db"))
            }
        };

        let redis_url = var("REDIS_URL");
        if let Some(r) = &redis_url
            && !(r.starts_with("redis://") || r.starts_with("rediss://"))
        {
            problems.push("REDIS_URL: must start with redis:// or rediss://".into());
        }

        let smtp_url = var("SMTP_URL");
        if let Some(s) = &smtp_url {
            match url::Url::parse(s) {
                Ok(u) if matches!(u.scheme(), "smtp" | "smtps") && u.host().is_some() => {}
                _ => {
                    problems.push("SMTP_URL: must be smtp://host:port or smtps://host:port".into())
                }
            }
        }

        let mail_from = var("MAIL_FROM").unwrap_or_else(|| "Kindred <no-reply@localhost>".into());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            problems
                .push("MAIL_FROM: must be a mailbox like `Kindred <no-reply@example.org>`".into());
        }

        let public_url = var("KINDRED_PUBLIC_URL")
            .unwrap_or_else(|| "http://127.0.0.1:8080".into())
            .trim_end_matches('/')
            .to_string();
        let public_origin = match url::Url::parse(&public_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                Some(u.origin().ascii_serialization())
            }
            _ => {
                problems.push("KINDRED_PUBLIC_URL: must be an http(s) URL".into());
                None
            }
        };
        if environment == Environment::Production && !public_url.starts_with("https://") {
            problems.push("KINDRED_PUBLIC_URL: must be https:// in production".into());
        }

        let match_interval = match var("KINDRED_MATCH_INTERVAL_SECS")
            .unwrap_or_else(|| "30".into())
            .parse::<u64>()
        {
            Ok(n) if (1..=3600).contains(&n) => Duration::from_secs(n),
            _ => {
                problems.push(
                    "KINDRED_MATCH_INTERVAL_SECS: must be a whole number from 1 to 3600".into(),
                );
                Duration::from_secs(30)
            }
        };

        let allowed_origins = match var("KINDRED_ALLOWED_ORIGINS") {
            Some(list) => {
                let mut out = Vec::new();
                for o in list.split(',').map(str::trim).filter(|o| !o.is_empty()) {
                    match parse_origin(o) {
                        Ok(o) => out.push(o),
                        Err(e) => problems.push(format!("KINDRED_ALLOWED_ORIGINS: `{o}` {e}")),
                    }
                }
                out
            }
            None => public_origin.into_iter().collect(),
        };

        let jwt_secret = match var("KINDRED_JWT_SECRET") {
            Some(s) if s.len() >= MIN_JWT_SECRET_BYTES => s.into_bytes(),
            Some(_) => {
                problems.push(format!(
                    "KINDRED_JWT_SECRET: must be at least {MIN_JWT_SECRET_BYTES} bytes"
                ));
                Vec::new()
            }
            None if environment == Environment::Production => {
                problems.push("KINDRED_JWT_SECRET: required when KINDRED_ENV=production".into());
                Vec::new()
            }
            None => match dev_secret() {
                Ok(s) => s,
                Err(e) => {
                    problems.push(format!(
                        "KINDRED_JWT_SECRET: unset, and the development secret in {DEV_SECRET_FILE} could not be read or created: {e}"
                    ));
                    Vec::new()
                }
            },
        };

        let mut trusted_proxies = BTreeSet::new();
        if let Some(list) = var("KINDRED_TRUSTED_PROXIES") {
            for p in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                match p.parse::<IpAddr>() {
                    Ok(ip) => {
                        trusted_proxies.insert(ip);
                    }
                    Err(_) => problems.push(format!(
                        "KINDRED_TRUSTED_PROXIES: `{p}` is not an IP address"
                    )),
                }
            }
        }

        let mut count = |name: &str, default: u32, max: u32| -> u32 {
            match var(name).map(|v| v.parse::<u32>()) {
                None => default,
                Some(Ok(n)) if (1..=max).contains(&n) => n,
                Some(_) => {
                    problems.push(format!("{name}: must be a whole number from 1 to {max}"));
                    default
                }
            }
        };
        let message_burst = count("KINDRED_MSG_BURST", 20, 1_000_000);
        let message_per_sec = count("KINDRED_MSG_PER_SEC", 2, 1_000_000);
        let ws_max_per_user = count("KINDRED_WS_MAX_PER_USER", 5, 100) as usize;
        let crisis_rules = var("KINDRED_CRISIS_RULES").map(PathBuf::from);

        if !problems.is_empty() {
            return Err(ConfigError(problems));
        }
        let settings = Settings {
            environment,
            bind,
            database_url,
            redis_url,
            smtp_url,
            mail_from,
            public_url,
            match_interval,
            allowed_origins,
            jwt_secret,
            trusted_proxies,
            password_params: PasswordParams::default(),
            max_concurrent_hashes: default_hash_concurrency(),
            rate_limits: RateLimits::default(),
            db_pool_size: 16,
            shutdown_timeout: Duration::from_secs(20),
            http_workers: None,
            outbox_poll_interval: Duration::from_secs(5),
            matcher_worker: true,
            message_burst,
            message_per_sec,
            ws_max_per_user,
            crisis_rules,
            ws_queue: 512,
            ws_auth_timeout: Duration::from_secs(10),
            ws_ping_interval: Duration::from_secs(15),
            ws_idle_timeout: Duration::from_secs(45),
            tcp_send_buffer: None,
        };
        settings.self_check()?;
        Ok(settings)
    }

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

/// `scheme://host[:port]`, lower-cased, no path, no wildcard.
fn parse_origin(o: &str) -> Result<String, &'static str> {
    if o.contains('*') {
        return Err("must not contain a wildcard");
    }
    let u = url::Url::parse(o).map_err(|_| "is not an origin like https://app.example.org")?;
    if !matches!(u.scheme(), "http" | "https") || u.host().is_none() {
        return Err("is not an http(s) origin");
    }
    if u.path() != "/" || u.query().is_some() {
        return Err("must be an origin without a path");
    }
    Ok(u.origin().ascii_serialization())
}

fn default_hash_concurrency() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 8)
}

/// Reads the development signing key, creating it (256 random bits, mode 0600) on first run.
fn dev_secret() -> std::io::Result<Vec<u8>> {
    use rand::RngCore;
    let path = std::path::Path::new(DEV_SECRET_FILE);
    if let Ok(existing) = std::fs::read_to_string(path) {
        let s = existing.trim();
        if s.len() >= MIN_JWT_SECRET_BYTES {
            return Ok(s.as_bytes().to_vec());
        }
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    write_private(path, &secret)?;
    Ok(secret.into_bytes())
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn defaults_run_on_a_laptop() {
        let s = settings(&[("KINDRED_JWT_SECRET", SECRET)]).unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(
            s.database_url,
            DatabaseUrl::Sqlite(PathBuf::from("data/kindred.db"))
        );
        assert_eq!(s.allowed_origins, vec!["http://127.0.0.1:8080".to_string()]);
        assert_eq!(s.match_interval, Duration::from_secs(30));
        assert!(s.smtp_url.is_none());
    }

    #[test]
    fn every_problem_is_named_by_its_variable() {
        let err = settings(&[
            ("KINDRED_ENV", "staging"),
            ("KINDRED_BIND", "nowhere"),
            ("DATABASE_URL", "mysql://x"),
            ("SMTP_URL", "http://x"),
            ("KINDRED_MATCH_INTERVAL_SECS", "0"),
            ("KINDRED_ALLOWED_ORIGINS", "https://*.example.org"),
            ("KINDRED_JWT_SECRET", "short"),
            ("KINDRED_TRUSTED_PROXIES", "not-an-ip"),
            ("REDIS_URL", "tcp://x"),
            ("MAIL_FROM", "not a mailbox <"),
        ])
        .unwrap_err();
        let text = err.to_string();
        for var in [
            "KINDRED_ENV",
            "KINDRED_BIND",
            "DATABASE_URL",
            "SMTP_URL",
            "KINDRED_MATCH_INTERVAL_SECS",
            "KINDRED_ALLOWED_ORIGINS",
            "KINDRED_JWT_SECRET",
            "KINDRED_TRUSTED_PROXIES",
            "REDIS_URL",
            "MAIL_FROM",
        ] {
            assert!(text.contains(var), "{var} missing from: {text}");
        }
    }

    #[test]
    fn production_requires_a_secret_and_https() {
        let err = settings(&[("KINDRED_ENV", "production")]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("KINDRED_JWT_SECRET"));
        assert!(text.contains("KINDRED_PUBLIC_URL"));
    }

    #[test]
    fn production_refuses_weak_password_hashing() {
        let mut s = settings(&[
            ("KINDRED_ENV", "production"),
            ("KINDRED_JWT_SECRET", SECRET),
            ("KINDRED_PUBLIC_URL", "https://kindred.example.org"),
        ])
        .unwrap();
        assert!(s.self_check().is_ok());
        s.password_params = PasswordParams {
            m_cost_kib: 1024,
            t_cost: 1,
            p_cost: 1,
        };
        assert!(s.self_check().is_err());
    }

    #[test]
    fn database_urls_pick_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db")
                .unwrap()
                .backend_name(),
            "postgres"
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db").unwrap(),
            DatabaseUrl::Sqlite(PathBuf::from("/tmp/x.db"))
        );
        assert!(DatabaseUrl::parse("sqlite://:memory:").is_err());
        assert!(DatabaseUrl::parse("data/kindred.db").is_err());
    }

    #[test]
    fn origins_are_normalised_and_paths_refused() {
        assert_eq!(
            parse_origin("HTTPS://App.Example.org:443").unwrap(),
            "https://app.example.org"
        );
        assert!(parse_origin("https://app.example.org/path").is_err());
        assert!(parse_origin("null").is_err());
    }
}
