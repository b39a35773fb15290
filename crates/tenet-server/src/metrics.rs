//! Prometheus text metrics: requests by route and status, a latency
//! histogram, decisions by status, reloads and the policy version.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tenet::report::Status;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 1.0, 10.0,
];

/// The counters.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_micros: AtomicU64,
    decisions: [AtomicU64; 5],
    /// Reloads that took effect.
    pub reloads: AtomicU64,
    /// Reloads refused because the new texts do not check.
    pub reload_failures: AtomicU64,
}

fn status_ix(s: Status) -> usize {
    Status::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

impl Metrics {
    /// Counts one request.
    pub fn request(&self, route: &str, status: u16, took: Duration) {
        if let Ok(mut map) = self.requests.lock() {
            *map.entry((route.to_string(), status)).or_default() += 1;
        }
        let secs = took.as_secs_f64();
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_micros.fetch_add(
            u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// Counts decisions.
    pub fn decision(&self, status: Status) {
        if let Some(c) = self.decisions.get(status_ix(status)) {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The text exposition format.
    ///
    /// ```
    /// use tenet::report::Status;
    /// let m = tenet_server::metrics::Metrics::default();
    /// m.request("/health", 200, std::time::Duration::from_micros(80));
    /// m.decision(Status::Fail);
    /// let text = m.render("sha256:ab");
    /// assert!(text.contains("tenet_requests_total{route=\"/health\",status=\"200\"} 1"));
    /// assert!(text.contains("tenet_decisions_total{status=\"fail\"} 1"));
    /// assert!(text.contains("tenet_policy_info{version=\"sha256:ab\"} 1"));
    /// ```
    pub fn render(&self, version: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP tenet_requests_total HTTP requests by route and status."
        );
        let _ = writeln!(out, "# TYPE tenet_requests_total counter");
        if let Ok(map) = self.requests.lock() {
            for ((route, status), n) in map.iter() {
                let _ = writeln!(
                    out,
                    "tenet_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP tenet_request_duration_seconds Request latency."
        );
        let _ = writeln!(out, "# TYPE tenet_request_duration_seconds histogram");
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            let _ = writeln!(
                out,
                "tenet_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "tenet_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let micros = self.latency_micros.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "tenet_request_duration_seconds_sum {}.{:06}",
            micros / 1_000_000,
            micros % 1_000_000
        );
        let _ = writeln!(out, "tenet_request_duration_seconds_count {count}");
        let _ = writeln!(
            out,
            "# HELP tenet_decisions_total Decisions given, by status."
        );
        let _ = writeln!(out, "# TYPE tenet_decisions_total counter");
        for (s, c) in Status::ALL.iter().zip(&self.decisions) {
            let _ = writeln!(
                out,
                "tenet_decisions_total{{status=\"{}\"}} {}",
                s.as_str(),
                c.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP tenet_policy_reloads_total Policy reloads, by outcome."
        );
        let _ = writeln!(out, "# TYPE tenet_policy_reloads_total counter");
        let _ = writeln!(
            out,
            "tenet_policy_reloads_total{{outcome=\"applied\"}} {}",
            self.reloads.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "tenet_policy_reloads_total{{outcome=\"rejected\"}} {}",
            self.reload_failures.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP tenet_policy_info The policy bundle version serving."
        );
        let _ = writeln!(out, "# TYPE tenet_policy_info gauge");
        let _ = writeln!(out, "tenet_policy_info{{version=\"{version}\"}} 1");
        out
    }
}
