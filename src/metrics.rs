//! Prometheus metrics in text exposition format, kept by hand: a request counter by route
//! pattern, method and status, a latency histogram per route, mail counters, and gauges read
//! at scrape time (pool, outbox backlog). Labels are route *patterns*, never concrete paths,
//! so ids do not explode the series count or reach the metrics store.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Histogram bucket upper bounds, in seconds.
pub const LATENCY_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

#[derive(Default)]
struct Histogram {
    buckets: Vec<u64>,
    sum: f64,
    count: u64,
}

/// The `method` label: one of the RFC 9110 methods, or `other` — any client can send any
/// token as a method, and each new label would be a new series kept forever.
pub fn method_label(method: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE",
    ];
    KNOWN
        .iter()
        .find(|k| **k == method)
        .copied()
        .unwrap_or("other")
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    mail_sent: AtomicU64,
    mail_failed: AtomicU64,
    message_sends: AtomicU64,
    message_batches: AtomicU64,
    message_batch_seconds_micros: AtomicU64,
    ws_closed_slow: AtomicU64,
    crisis_flags: AtomicU64,
    matching: Mutex<BTreeMap<&'static str, u64>>,
    alert_ack: Mutex<BTreeMap<String, Histogram>>,
}

/// Time-to-acknowledge bucket upper bounds, in seconds (30 s to 4 h; the targets are 5 min
/// and 1 h by default).
pub const ALERT_ACK_BUCKETS: &[f64] = &[
    30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0, 14400.0,
];

/// Values read at scrape time.
pub struct Gauges {
    pub pool_connections: u32,
    pub pool_idle: u32,
    pub pool_max: u32,
    pub outbox_backlog: Option<i64>,
    pub ws_connections: usize,
}

impl Metrics {
    pub fn observe_request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        {
            let mut m = self.requests.lock().unwrap_or_else(|e| e.into_inner());
            *m.entry((route.to_string(), method_label(method).to_string(), status))
                .or_default() += 1;
        }
        let secs = elapsed.as_secs_f64();
        let mut h = self.latency.lock().unwrap_or_else(|e| e.into_inner());
        let hist = h.entry(route.to_string()).or_insert_with(|| Histogram {
            buckets: vec![0; LATENCY_BUCKETS.len()],
            ..Histogram::default()
        });
        for (i, le) in LATENCY_BUCKETS.iter().enumerate() {
            if secs <= *le {
                hist.buckets[i] += 1;
            }
        }
        hist.sum += secs;
        hist.count += 1;
    }

    pub fn mail_sent(&self) {
        self.mail_sent.fetch_add(1, Ordering::Relaxed);
    }

    /// One group commit of `n` sends took `elapsed`.
    pub fn observe_message_batch(&self, n: usize, elapsed: Duration) {
        self.message_sends.fetch_add(n as u64, Ordering::Relaxed);
        self.message_batches.fetch_add(1, Ordering::Relaxed);
        self.message_batch_seconds_micros.fetch_add(
            u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    pub fn ws_closed_slow(&self) {
        self.ws_closed_slow.fetch_add(1, Ordering::Relaxed);
    }

    pub fn crisis_flag(&self) {
        self.crisis_flags.fetch_add(1, Ordering::Relaxed);
    }

    /// One matching event: a proposal `made`, `lost` (the pool changed first) or `failed` (an
    /// error, logged with the request ids), or a request `expired`, `handed_over` and so on.
    pub fn matching(&self, outcome: &'static str) {
        *self
            .matching
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(outcome)
            .or_default() += 1;
    }

    /// An alert of `severity` was acknowledged `secs` after it was raised.
    pub fn observe_alert_acknowledged(&self, severity: &str, secs: f64) {
        let mut h = self.alert_ack.lock().unwrap_or_else(|e| e.into_inner());
        let hist = h.entry(severity.to_string()).or_insert_with(|| Histogram {
            buckets: vec![0; ALERT_ACK_BUCKETS.len()],
            ..Histogram::default()
        });
        for (i, le) in ALERT_ACK_BUCKETS.iter().enumerate() {
            if secs <= *le {
                hist.buckets[i] += 1;
            }
        }
        hist.sum += secs;
        hist.count += 1;
    }

    fn render_alert_ack(&self, out: &mut String) {
        out.push_str("# HELP kindred_alert_time_to_acknowledge_seconds Time from a safety alert to its acknowledgement, by severity.\n# TYPE kindred_alert_time_to_acknowledge_seconds histogram\n");
        let name = "kindred_alert_time_to_acknowledge_seconds";
        for (sev, h) in self
            .alert_ack
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let sev = escape(sev);
            for (i, le) in ALERT_ACK_BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{name}_bucket{{severity=\"{sev}\",le=\"{le}\"}} {}",
                    h.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "{name}_bucket{{severity=\"{sev}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(out, "{name}_sum{{severity=\"{sev}\"}} {}", h.sum);
            let _ = writeln!(out, "{name}_count{{severity=\"{sev}\"}} {}", h.count);
        }
    }

    pub fn mail_failed(&self) {
        self.mail_failed.fetch_add(1, Ordering::Relaxed);
    }

    pub fn render(&self, g: &Gauges) -> String {
        let mut out = String::new();
        out.push_str("# HELP kindred_http_requests_total HTTP requests by route pattern, method and status.\n# TYPE kindred_http_requests_total counter\n");
        for ((route, method, status), n) in self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "kindred_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                escape(route),
                escape(method)
            );
        }
        out.push_str("# HELP kindred_http_request_duration_seconds Request latency by route pattern.\n# TYPE kindred_http_request_duration_seconds histogram\n");
        for (route, h) in self
            .latency
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let r = escape(route);
            for (i, le) in LATENCY_BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "kindred_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{le}\"}} {}",
                    h.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "kindred_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "kindred_http_request_duration_seconds_sum{{route=\"{r}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "kindred_http_request_duration_seconds_count{{route=\"{r}\"}} {}",
                h.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP kindred_db_pool_connections Open database connections.\n# TYPE kindred_db_pool_connections gauge\nkindred_db_pool_connections {}",
            g.pool_connections
        );
        let _ = writeln!(
            out,
            "# HELP kindred_db_pool_idle_connections Idle database connections.\n# TYPE kindred_db_pool_idle_connections gauge\nkindred_db_pool_idle_connections {}",
            g.pool_idle
        );
        let _ = writeln!(
            out,
            "# HELP kindred_db_pool_max_connections Pool size limit.\n# TYPE kindred_db_pool_max_connections gauge\nkindred_db_pool_max_connections {}",
            g.pool_max
        );
        if let Some(b) = g.outbox_backlog {
            let _ = writeln!(
                out,
                "# HELP kindred_outbox_backlog Emails queued and not yet delivered.\n# TYPE kindred_outbox_backlog gauge\nkindred_outbox_backlog {b}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP kindred_ws_connections Open websocket connections.\n# TYPE kindred_ws_connections gauge\nkindred_ws_connections {}",
            g.ws_connections
        );
        let _ = writeln!(
            out,
            "# HELP kindred_message_sends_total Sends handled by the message writer (new, replayed or refused).\n# TYPE kindred_message_sends_total counter\nkindred_message_sends_total {}",
            self.message_sends.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP kindred_message_batches_total Group commits by the message writer.\n# TYPE kindred_message_batches_total counter\nkindred_message_batches_total {}",
            self.message_batches.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP kindred_message_batch_seconds_total Time spent in group commits.\n# TYPE kindred_message_batch_seconds_total counter\nkindred_message_batch_seconds_total {}",
            self.message_batch_seconds_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(
            out,
            "# HELP kindred_ws_closed_slow_total Connections closed because they could not keep up.\n# TYPE kindred_ws_closed_slow_total counter\nkindred_ws_closed_slow_total {}",
            self.ws_closed_slow.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP kindred_crisis_flags_total Messages flagged by the crisis detector.\n# TYPE kindred_crisis_flags_total counter\nkindred_crisis_flags_total {}",
            self.crisis_flags.load(Ordering::Relaxed)
        );
        out.push_str("# HELP kindred_matching_events_total Matching outcomes by kind (made, lost, failed, ...).\n# TYPE kindred_matching_events_total counter\n");
        for (outcome, n) in self
            .matching
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "kindred_matching_events_total{{outcome=\"{outcome}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP kindred_mail_sent_total Emails delivered to the SMTP server.\n# TYPE kindred_mail_sent_total counter\nkindred_mail_sent_total {}",
            self.mail_sent.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP kindred_mail_failed_total Emails given up on.\n# TYPE kindred_mail_failed_total counter\nkindred_mail_failed_total {}",
            self.mail_failed.load(Ordering::Relaxed)
        );
        self.render_alert_ack(&mut out);
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        m.observe_request("/api/v1/me", "GET", 200, Duration::from_millis(3));
        m.observe_request("/api/v1/me", "GET", 200, Duration::from_millis(30));
        let text = m.render(&Gauges {
            pool_connections: 2,
            pool_idle: 1,
            pool_max: 16,
            outbox_backlog: Some(4),
            ws_connections: 3,
        });
        assert!(text.contains(
            "kindred_http_requests_total{route=\"/api/v1/me\",method=\"GET\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "kindred_http_request_duration_seconds_bucket{route=\"/api/v1/me\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "kindred_http_request_duration_seconds_bucket{route=\"/api/v1/me\",le=\"0.05\"} 2"
        ));
        assert!(text.contains("kindred_outbox_backlog 4"));
    }

    #[test]
    fn alert_acknowledgements_render_as_a_histogram_by_severity() {
        let m = Metrics::default();
        m.observe_alert_acknowledged("red", 45.0);
        m.observe_alert_acknowledged("red", 400.0);
        let text = m.render(&Gauges {
            pool_connections: 0,
            pool_idle: 0,
            pool_max: 1,
            outbox_backlog: None,
            ws_connections: 0,
        });
        let n = "kindred_alert_time_to_acknowledge_seconds";
        assert!(text.contains(&format!("{n}_bucket{{severity=\"red\",le=\"60\"}} 1")));
        assert!(text.contains(&format!("{n}_bucket{{severity=\"red\",le=\"600\"}} 2")));
        assert!(text.contains(&format!("{n}_count{{severity=\"red\"}} 2")));
        assert!(text.contains(&format!("{n}_sum{{severity=\"red\"}} 445")));
    }
}
