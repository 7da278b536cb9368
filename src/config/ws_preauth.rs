//! [`PreAuthLimits`]: how many websockets may wait to authenticate (issue 12).
//!
//! A browser opens the socket first and authenticates with its first frame, within
//! `ws_auth_timeout`. Until then a socket is anyone's: `KINDRED_WS_PREAUTH_PER_ADDRESS`
//! (default 16, from 1 to 10,000) of them per client address and `KINDRED_WS_PREAUTH_TOTAL`
//! (default 1024, from 1 to 1,000,000) in all may wait at once; the next upgrade without a
//! token is refused with 429 `too_many_unauthenticated` or 503 `server_busy`.

/// Caps on websockets that have not authenticated yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreAuthLimits {
    /// Per client address (`KINDRED_WS_PREAUTH_PER_ADDRESS`).
    pub per_address: usize,
    /// In all (`KINDRED_WS_PREAUTH_TOTAL`).
    pub total: usize,
}

impl Default for PreAuthLimits {
    fn default() -> Self {
        PreAuthLimits {
            per_address: 16,
            total: 1024,
        }
    }
}

impl PreAuthLimits {
    /// Reads both variables, pushing a problem under each bad one's name.
    pub(super) fn read(var: &dyn Fn(&str) -> Option<String>, problems: &mut Vec<String>) -> Self {
        let d = PreAuthLimits::default();
        let mut count = |name: &str, default: usize, max: usize| -> usize {
            match var(name).map(|v| v.trim().parse::<usize>()) {
                None => default,
                Some(Ok(n)) if (1..=max).contains(&n) => n,
                Some(_) => {
                    problems.push(format!("{name}: must be a whole number from 1 to {max}"));
                    default
                }
            }
        };
        PreAuthLimits {
            per_address: count("KINDRED_WS_PREAUTH_PER_ADDRESS", d.per_address, 10_000),
            total: count("KINDRED_WS_PREAUTH_TOTAL", d.total, 1_000_000),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)]) -> (PreAuthLimits, Vec<String>) {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut problems = Vec::new();
        let l = PreAuthLimits::read(
            &move |k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()),
            &mut problems,
        );
        (l, problems)
    }

    #[test]
    fn the_caps_default_to_16_and_1024_and_are_bounded() {
        assert_eq!(read(&[]).0, PreAuthLimits::default());
        let (l, p) = read(&[
            ("KINDRED_WS_PREAUTH_PER_ADDRESS", "4"),
            ("KINDRED_WS_PREAUTH_TOTAL", "100"),
        ]);
        assert_eq!((l.per_address, l.total, p.len()), (4, 100, 0));
        for bad in ["0", "-1", "many", "10001"] {
            let (l, p) = read(&[("KINDRED_WS_PREAUTH_PER_ADDRESS", bad)]);
            assert_eq!(l.per_address, 16);
            assert!(p[0].starts_with("KINDRED_WS_PREAUTH_PER_ADDRESS"), "{bad}");
        }
        let (_, p) = read(&[("KINDRED_WS_PREAUTH_TOTAL", "0")]);
        assert!(p[0].starts_with("KINDRED_WS_PREAUTH_TOTAL"));
    }
}
