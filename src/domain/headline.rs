//! The services screen's reason: why a service is broken, in words, from
//! the best evidence triage has — an attack under way first (GuardDuty,
//! egress far above its usual), then the diagnosis pattern, then what the
//! metrics and alarms say, then ECS — and what `R` would do about it:
//! `OOM loop since chatbot-api:41 (16 stops) · R: roll back · memory 100 %`,
//! `GuardDuty HIGH Backdoor:Runtime/C&CActivity.B → 198.51.100.23:6667 ·
//! egress 10.5× its usual: 420 KB/s, usually 40 KB/s · R: lock down`.

use super::alarms::Alarm;
use super::diagnosis::{Cause, Pattern};
use super::egress::EgressAnomaly;
use super::health::HealthVerdict;
use super::metrics::MetricsSummary;
use super::security::{SecurityFinding, Severity};
use super::service::Service;

/// The runbook `R` opens for a service that looks compromised.
pub const COMPROMISED_RUNBOOK: &str = "compromised-host";

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
    /// Its egress far above its usual, if so.
    pub egress: Option<&'a EgressAnomaly>,
    /// GuardDuty's findings about it, most severe first.
    pub security: &'a [&'a SecurityFinding],
    /// One of its security groups lets everything out.
    pub open_egress: bool,
}

impl Evidence<'_> {
    /// It looks compromised: egress far above its usual, a GuardDuty
    /// finding of medium severity or more, or any finding while its groups
    /// let everything out.
    pub fn compromised(&self) -> bool {
        looks_compromised(self.egress, self.security, self.open_egress)
    }
}

/// Egress far above its usual, a GuardDuty finding of medium severity or
/// more, or any finding while the service's groups let everything out.
pub fn looks_compromised(
    egress: Option<&EgressAnomaly>,
    security: &[&SecurityFinding],
    open_egress: bool,
) -> bool {
    egress.is_some()
        || security
            .iter()
            .any(|f| f.severity_band() >= Severity::Medium)
        || (open_egress && !security.is_empty())
}

/// What `R` does for a service that looks compromised.
pub const LOCK_DOWN: &str = "R: lock down";

/// The reason in a few words, for a narrow screen: the cause and what `R`
/// does (`egress 10.5× · R: lock down`, `OOM loop (16 stops) · R: roll back`).
pub fn short_headline(e: &Evidence<'_>) -> String {
    if e.compromised() {
        let why = match (e.egress, e.security.first()) {
            (Some(a), _) => format!("egress {:.1}×", a.ratio),
            (None, Some(f)) => format!(
                "GuardDuty {}",
                f.severity_band().as_str().to_ascii_uppercase()
            ),
            (None, None) => "open egress".to_string(),
        };
        return format!("{why} · {LOCK_DOWN}");
    }
    if let Some(p) = e.pattern {
        let what = match p.cause {
            Cause::OomKilled => "OOM loop".to_string(),
            other => format!("{} loop", other.code()),
        };
        let mut text = format!("{what} ({}×)", p.count);
        if let Some(h) = hint(p) {
            text.push_str(&format!(" · {h}"));
        }
        return text;
    }
    headline(e)
}

/// The reason, best evidence first.
pub fn headline(e: &Evidence<'_>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if e.compromised() {
        // Why, what to do right after (so it is never the part cut), then the rest.
        let mut why: Vec<String> = Vec::new();
        why.extend(e.egress.map(|a| a.words()));
        why.extend(e.security.first().map(|f| f.headline()));
        if e.egress.is_none() && e.open_egress {
            why.push("open egress".into());
        }
        let mut why = why.into_iter();
        parts.extend(why.next());
        parts.push(LOCK_DOWN.into());
        parts.extend(why);
    }
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
        // What to do comes right after why, so it is never the part cut
        // (once: a compromised service's `R` locks it down).
        if !e.compromised() {
            parts.extend(hint(p));
        }
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
