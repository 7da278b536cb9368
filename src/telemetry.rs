//! Structured logs: one JSON object per line (so a CR/LF or ANSI escape in input can never
//! forge a line), filtered by `RUST_LOG` (default `info`). What may be logged: ids, route
//! patterns, statuses, counts, durations. What never is: emails, display names, message bodies,
//! health data, tokens, passwords, IP addresses (the development mail log is the one stated
//! exception: with no SMTP server configured, the mail itself goes to the log).

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls (tests) are no-ops.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_env_filter(filter)
        .try_init();
}
