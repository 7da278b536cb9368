//! [`RateLimits`]: the brute-force limits, policy values with their defaults (not environment
//! variables; README documents them).

use std::time::Duration;

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
