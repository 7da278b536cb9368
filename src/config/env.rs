//! Reading [`Settings`] from the environment (or any lookup): each variable parsed, its default
//! applied, and every problem collected under its variable's name.
//!
//! It must not stop at the first problem: the operator fixes them all in one go.

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::auth::password::PasswordParams;

use super::dev_secret::dev_secret;
use super::{
    AlertSettings, ConfigError, DEV_SECRET_FILE, DatabaseUrl, Environment, MIN_JWT_SECRET_BYTES,
    MatchSettings, PersonalInfoPolicy, RateLimits, ReportSettings, Settings, ShiftSettings,
};

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

        let match_consent = match var("KINDRED_MATCH_CONSENT").as_deref() {
            None | Some("ask") => true,
            Some("immediate") => false,
            Some(_) => {
                problems.push("KINDRED_MATCH_CONSENT: must be `ask` or `immediate`".into());
                true
            }
        };
        let offer_window = match var("KINDRED_OFFER_WINDOW_HOURS")
            .unwrap_or_else(|| "48".into())
            .parse::<u64>()
        {
            Ok(n) if (1..=336).contains(&n) => Duration::from_secs(n * 3600),
            _ => {
                problems.push(
                    "KINDRED_OFFER_WINDOW_HOURS: must be a whole number from 1 to 336".into(),
                );
                Duration::from_secs(48 * 3600)
            }
        };
        let matching = MatchSettings::read(&var, &mut problems);
        let shifts = ShiftSettings::read(&var, &mut problems);

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
        let reports = ReportSettings::read(&var, &mut problems);
        let alerts =
            AlertSettings::read(&var, environment == Environment::Production, &mut problems);
        let personal_info_policy = PersonalInfoPolicy::read(&var, &mut problems);
        let http = super::HttpLimits::read(&var, &mut problems);
        let ws_preauth = super::PreAuthLimits::read(&var, &mut problems);

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
            match_consent,
            offer_window,
            matching,
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
            reports,
            ws_queue: 512,
            ws_auth_timeout: Duration::from_secs(10),
            ws_ping_interval: Duration::from_secs(15),
            ws_idle_timeout: Duration::from_secs(45),
            tcp_send_buffer: None,
            shifts,
            alerts,
            personal_info_policy,
            http,
            ws_preauth,
        };
        settings.self_check()?;
        Ok(settings)
    }
}

/// `scheme://host[:port]`, lower-cased, no path, no wildcard.
pub(super) fn parse_origin(o: &str) -> Result<String, &'static str> {
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
