//! Unit tests for reading and checking the settings.

use super::env::parse_origin;
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

#[test]
fn the_waiting_ladder_is_configurable_and_checked() {
    let s = settings(&[("KINDRED_JWT_SECRET", SECRET)]).unwrap();
    assert_eq!(s.matching, MatchSettings::default());
    assert_eq!(s.matching.max_wait_group, Duration::from_secs(14 * 86_400));
    let s = settings(&[
        ("KINDRED_JWT_SECRET", SECRET),
        ("KINDRED_MATCH_MAX_WAIT_PAIR_DAYS", "3"),
        ("KINDRED_MATCH_EXPIRE_DAYS", "29"),
        (
            "KINDRED_COORDINATORS_EMAIL",
            " a@example.org, b@example.org ,",
        ),
    ])
    .unwrap();
    assert_eq!(s.matching.max_wait_pair, Duration::from_secs(3 * 86_400));
    assert_eq!(
        s.matching.expire_after,
        Some(Duration::from_secs(29 * 86_400))
    );
    assert_eq!(
        s.matching.coordinators,
        vec!["a@example.org", "b@example.org"]
    );
    let text = settings(&[
        ("KINDRED_JWT_SECRET", SECRET),
        ("KINDRED_MATCH_MAX_WAIT_ONE_TO_ONE_DAYS", "0"),
        ("KINDRED_MATCH_EXPIRE_DAYS", "28"),
        ("KINDRED_COORDINATORS_EMAIL", "not an address"),
    ])
    .unwrap_err()
    .to_string();
    for var in [
        "KINDRED_MATCH_MAX_WAIT_ONE_TO_ONE_DAYS",
        "KINDRED_MATCH_EXPIRE_DAYS: must be more than twice",
        "KINDRED_COORDINATORS_EMAIL",
    ] {
        assert!(text.contains(var), "{var} missing from: {text}");
    }
}

#[test]
fn the_alert_desk_targets_and_escalation_are_configurable_and_checked() {
    let s = settings(&[("KINDRED_JWT_SECRET", SECRET)]).unwrap();
    assert_eq!(s.alerts, AlertSettings::default());
    assert_eq!(s.alerts.target_red, Duration::from_secs(300));
    assert_eq!(s.alerts.target_amber, Duration::from_secs(3600));
    let s = settings(&[
        ("KINDRED_JWT_SECRET", SECRET),
        ("KINDRED_ALERT_TARGET_RED_SECS", "120"),
        ("KINDRED_ALERT_TARGET_AMBER_SECS", "900"),
        ("KINDRED_ALERT_MAX_ESCALATIONS", "3"),
        (
            "KINDRED_ONCALL_EMAILS",
            "pager@example.org, lead@example.org",
        ),
        (
            "KINDRED_ESCALATION_WEBHOOK_URL",
            "https://pager.example.org/hook",
        ),
        ("KINDRED_ESCALATION_WEBHOOK_SECRET", SECRET),
    ])
    .unwrap();
    assert_eq!(s.alerts.target("red"), Duration::from_secs(120));
    assert_eq!(s.alerts.target("amber"), Duration::from_secs(900));
    assert_eq!(s.alerts.max_escalations, 3);
    assert_eq!(
        s.alerts.oncall,
        vec!["pager@example.org", "lead@example.org"]
    );
    assert_eq!(
        s.alerts.webhook_url.as_deref(),
        Some("https://pager.example.org/hook")
    );
    let text = settings(&[
        ("KINDRED_JWT_SECRET", SECRET),
        ("KINDRED_ALERT_TARGET_RED_SECS", "0"),
        ("KINDRED_ALERT_MAX_ESCALATIONS", "x"),
        ("KINDRED_ONCALL_EMAILS", "not an address"),
        ("KINDRED_ESCALATION_WEBHOOK_URL", "ftp://pager"),
        ("KINDRED_ESCALATION_WEBHOOK_SECRET", "short"),
    ])
    .unwrap_err()
    .to_string();
    for var in [
        "KINDRED_ALERT_TARGET_RED_SECS",
        "KINDRED_ALERT_MAX_ESCALATIONS",
        "KINDRED_ONCALL_EMAILS",
        "KINDRED_ESCALATION_WEBHOOK_URL",
        "KINDRED_ESCALATION_WEBHOOK_SECRET",
    ] {
        assert!(text.contains(var), "{var} missing from: {text}");
    }
}
