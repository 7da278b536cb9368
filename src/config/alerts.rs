//! [`AlertSettings`]: the alert desk's response targets and escalation (SAFE-SG-4, T35).
//!
//! Decisions where the issue is silent:
//! - Targets are whole seconds per severity (`KINDRED_ALERT_TARGET_RED_SECS`, 300;
//!   `KINDRED_ALERT_TARGET_AMBER_SECS`, 3600), from 10 s to 7 days. A volunteer's escalation is
//!   amber and has the amber target.
//! - An alert not acknowledged by its target escalates at level 1; level n is due at n times
//!   the target, up to `KINDRED_ALERT_MAX_ESCALATIONS` levels (default 6: half an hour of
//!   re-pages for a red alert at the default target), after which the on-call list has been
//!   told six times and the alert waits in the queue, still breached.
//! - On-call: `KINDRED_ONCALL_EMAILS`, comma-separated; unset, the active moderators and
//!   admins are the on-call list (as for crisis alerts).
//! - The webhook (`KINDRED_ESCALATION_WEBHOOK_URL`) needs its secret
//!   (`KINDRED_ESCALATION_WEBHOOK_SECRET`, at least 32 bytes): an unsigned page could be forged.
//!   In production the URL must be `https://`.

use std::time::Duration;

/// The alert desk's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertSettings {
    /// Time to acknowledge a red alert before it escalates (5 min).
    pub target_red: Duration,
    /// Time to acknowledge an amber alert or a volunteer's escalation (60 min).
    pub target_amber: Duration,
    /// Highest escalation level (level n is due at n × target).
    pub max_escalations: i32,
    /// The on-call addresses; empty: the moderators' addresses.
    pub oncall: Vec<String>,
    /// Where the paging webhook is POSTed, if anywhere.
    pub webhook_url: Option<String>,
    /// The HMAC-SHA256 key of the webhook's `X-Kindred-Signature`.
    pub webhook_secret: Vec<u8>,
    /// How often the escalation worker looks for overdue alerts (tests shorten it).
    pub escalation_interval: Duration,
    /// Whether the escalation worker runs (tests may drive the sweep by hand).
    pub escalation_worker: bool,
}

/// Shortest webhook secret accepted.
pub const MIN_WEBHOOK_SECRET_BYTES: usize = 32;

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            target_red: Duration::from_secs(300),
            target_amber: Duration::from_secs(3600),
            max_escalations: 6,
            oncall: Vec::new(),
            webhook_url: None,
            webhook_secret: Vec::new(),
            escalation_interval: Duration::from_secs(15),
            escalation_worker: true,
        }
    }
}

impl AlertSettings {
    /// The response target of a severity (`red` or `amber`).
    pub fn target(&self, severity: &str) -> Duration {
        if severity == "red" {
            self.target_red
        } else {
            self.target_amber
        }
    }

    /// Reads the alert desk's variables, pushing each problem under its variable's name.
    pub(super) fn read(
        var: &dyn Fn(&str) -> Option<String>,
        production: bool,
        problems: &mut Vec<String>,
    ) -> Self {
        let d = AlertSettings::default();
        let mut secs = |name: &str, default: Duration| -> Duration {
            match var(name).map(|v| v.trim().parse::<u64>()) {
                None => default,
                Some(Ok(n)) if (10..=7 * 86_400).contains(&n) => Duration::from_secs(n),
                Some(_) => {
                    problems.push(format!(
                        "{name}: must be a whole number of seconds from 10 to 604800"
                    ));
                    default
                }
            }
        };
        let target_red = secs("KINDRED_ALERT_TARGET_RED_SECS", d.target_red);
        let target_amber = secs("KINDRED_ALERT_TARGET_AMBER_SECS", d.target_amber);
        let max_escalations = match var("KINDRED_ALERT_MAX_ESCALATIONS").map(|v| v.trim().parse()) {
            None => d.max_escalations,
            Some(Ok(n)) if (1..=50).contains(&n) => n,
            Some(_) => {
                problems.push(
                    "KINDRED_ALERT_MAX_ESCALATIONS: must be a whole number from 1 to 50".into(),
                );
                d.max_escalations
            }
        };
        let mut oncall = Vec::new();
        for a in var("KINDRED_ONCALL_EMAILS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            if a.parse::<lettre::Address>().is_ok() {
                oncall.push(a.to_string());
            } else {
                problems.push(format!(
                    "KINDRED_ONCALL_EMAILS: `{a}` is not an email address"
                ));
            }
        }
        let webhook_url = var("KINDRED_ESCALATION_WEBHOOK_URL").map(|u| u.trim().to_string());
        let webhook_secret = var("KINDRED_ESCALATION_WEBHOOK_SECRET")
            .map(String::into_bytes)
            .unwrap_or_default();
        if let Some(u) = &webhook_url {
            match url::Url::parse(u) {
                Ok(p) if matches!(p.scheme(), "http" | "https") && p.host().is_some() => {
                    if production && p.scheme() != "https" {
                        problems.push(
                            "KINDRED_ESCALATION_WEBHOOK_URL: must be https:// in production".into(),
                        );
                    }
                }
                _ => problems.push("KINDRED_ESCALATION_WEBHOOK_URL: must be an http(s) URL".into()),
            }
            if webhook_secret.len() < MIN_WEBHOOK_SECRET_BYTES {
                problems.push(format!(
                    "KINDRED_ESCALATION_WEBHOOK_SECRET: must be at least {MIN_WEBHOOK_SECRET_BYTES} bytes when the webhook is set"
                ));
            }
        }
        AlertSettings {
            target_red,
            target_amber,
            max_escalations,
            oncall,
            webhook_url,
            webhook_secret,
            ..d
        }
    }
}
