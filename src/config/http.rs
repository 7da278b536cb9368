//! [`HttpLimits`]: how long a client may take to send a request, and how many connections
//! one address may hold open (issue 12, point 2).
//!
//! - `KINDRED_HEADER_TIMEOUT_SECS` (default 5, 1–60): the request line and headers must have
//!   arrived this long after the connection opened (or the previous response), or the
//!   connection gets 408 and is closed.
//! - `KINDRED_BODY_TIMEOUT_SECS` (default 10, 1–300): the whole body must have arrived this long
//!   after its headers, or the request gets 408 `body_timeout` and the connection is closed.
//!   Bodies are at most 64 KiB, so 10 s allows a client at about 6.5 KB/s.
//! - `KINDRED_MAX_CONNECTIONS_PER_PEER` (default 64, 1–100000): open connections from one
//!   peer address; a request on one more gets 429 `too_many_connections` and the connection
//!   is closed. Peers in `KINDRED_TRUSTED_PROXIES` are not capped (the proxy enforces its own
//!   per-client cap: README, "Behind a front proxy").

use std::time::Duration;

/// Timeouts and connection caps of the HTTP server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpLimits {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub max_connections_per_peer: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_timeout: Duration::from_secs(5),
            body_timeout: Duration::from_secs(10),
            max_connections_per_peer: 64,
        }
    }
}

impl HttpLimits {
    /// Reads the three variables, pushing a problem under each bad one's name.
    pub(super) fn read(var: &dyn Fn(&str) -> Option<String>, problems: &mut Vec<String>) -> Self {
        let d = HttpLimits::default();
        let mut number = |name: &str, default: u64, max: u64| -> u64 {
            match var(name).map(|v| v.trim().parse::<u64>()) {
                None => default,
                Some(Ok(n)) if (1..=max).contains(&n) => n,
                Some(_) => {
                    problems.push(format!("{name}: must be a whole number from 1 to {max}"));
                    default
                }
            }
        };
        let header = number(
            "KINDRED_HEADER_TIMEOUT_SECS",
            d.header_timeout.as_secs(),
            60,
        );
        let body = number("KINDRED_BODY_TIMEOUT_SECS", d.body_timeout.as_secs(), 300);
        let peers = number(
            "KINDRED_MAX_CONNECTIONS_PER_PEER",
            d.max_connections_per_peer as u64,
            100_000,
        );
        HttpLimits {
            header_timeout: Duration::from_secs(header),
            body_timeout: Duration::from_secs(body),
            max_connections_per_peer: peers as usize,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &'static str, v: &str) -> (HttpLimits, Vec<String>) {
        let mut problems = Vec::new();
        let value = v.to_string();
        let s = HttpLimits::read(&move |k| (k == name).then(|| value.clone()), &mut problems);
        (s, problems)
    }

    #[test]
    fn defaults_and_bounds() {
        let mut problems = Vec::new();
        assert_eq!(
            HttpLimits::read(&|_| None, &mut problems),
            HttpLimits::default()
        );
        assert!(problems.is_empty());
        let (s, p) = read("KINDRED_BODY_TIMEOUT_SECS", "3");
        assert_eq!((s.body_timeout, p.len()), (Duration::from_secs(3), 0));
        let (s, p) = read("KINDRED_MAX_CONNECTIONS_PER_PEER", "200");
        assert_eq!((s.max_connections_per_peer, p.len()), (200, 0));
        for (name, bad) in [
            ("KINDRED_BODY_TIMEOUT_SECS", "0"),
            ("KINDRED_BODY_TIMEOUT_SECS", "301"),
            ("KINDRED_HEADER_TIMEOUT_SECS", "soon"),
            ("KINDRED_MAX_CONNECTIONS_PER_PEER", "-1"),
        ] {
            let (s, p) = read(name, bad);
            assert_eq!(s, HttpLimits::default());
            assert!(p[0].starts_with(name), "{name}={bad}");
        }
    }
}
