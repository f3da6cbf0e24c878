//! The services screen's reason: why a service is broken, in words, from
//! the best evidence triage has — the diagnosis pattern first, then what
//! the metrics and alarms say, then ECS — and what `R` would do about it:
//! `OOM loop since chatbot-api:41 (16 stops) · R: roll back · memory 100 %`.

use super::alarms::Alarm;
use super::diagnosis::{Cause, Pattern};
use super::health::HealthVerdict;
use super::metrics::MetricsSummary;
use super::service::Service;

/// Memory or CPU at or above this is worth saying.
pub const HOT_PERCENT: f64 = 90.0;
/// 5XX at or above this share of requests is worth saying.
pub const ERRORS_PERCENT: f64 = 5.0;
/// p95 at or above this is worth saying.
pub const SLOW_MS: f64 = 2000.0;

/// The evidence about one service.
pub struct Evidence<'a> {
    pub service: &'a Service,
    pub verdict: &'a HealthVerdict,
    /// Its live restart loop, if the diagnosis found one.
    pub pattern: Option<&'a Pattern>,
    pub alarms: &'a [&'a Alarm],
    pub metrics: Option<&'a MetricsSummary>,
}

/// The reason, best evidence first.
pub fn headline(e: &Evidence<'_>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(p) = e.pattern {
        let what = match p.cause {
            Cause::OomKilled => "OOM loop".to_string(),
            other => format!("{} loop", other.code()),
        };
        let since = match (&p.revision, p.since_deployment) {
            (Some(revision), true) => format!(" since {revision}"),
            _ => String::new(),
        };
        parts.push(format!("{what}{since} ({} stops)", p.count));
        // What to do comes right after why, so it is never the part cut.
        parts.extend(hint(p));
    }
    parts.extend(metric_words(e.metrics));
    if parts.is_empty() {
        // No pattern and no hot metric: the verdict says it (ECS, or the
        // alarm that made it degraded). Otherwise the alarms' flag is enough.
        parts.push(super::sanitize::one_line(&e.verdict.reason));
    }
    parts.join(" · ")
}

fn metric_words(metrics: Option<&MetricsSummary>) -> Vec<String> {
    let Some(m) = metrics else {
        return Vec::new();
    };
    let mut words = Vec::new();
    if let Some(mem) = m.memory_percent.filter(|s| s.max >= HOT_PERCENT) {
        words.push(format!("memory {:.0} %", mem.max));
    }
    if let Some(cpu) = m.cpu_percent.filter(|s| s.max >= HOT_PERCENT) {
        words.push(format!("CPU {:.0} %", cpu.max));
    }
    if let Some(errors) = m.http_5xx_percent.filter(|p| *p >= ERRORS_PERCENT) {
        words.push(format!("5XX {errors:.0} %"));
    }
    if let Some(p95) = m.p95_ms.filter(|p| *p >= SLOW_MS) {
        words.push(format!("p95 {:.1} s", p95 / 1000.0));
    }
    if let Some(unhealthy) = m.unhealthy.filter(|n| *n > 0) {
        words.push(format!(
            "{unhealthy} unhealthy target{}",
            if unhealthy == 1 { "" } else { "s" }
        ));
    }
    words
}

/// What `R` does for this pattern, in two words.
fn hint(p: &Pattern) -> Option<String> {
    if p.rollback_to.is_some() {
        return Some("R: roll back".into());
    }
    p.cause.facts().runbook.map(|id| format!("R: {id}"))
}
