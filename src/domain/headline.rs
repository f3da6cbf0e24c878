//! The services screen's reason: why a service is broken, in words, from
//! the best evidence triage has — an attack under way first (GuardDuty,
//! egress far above its usual), then the diagnosis pattern, then what the
//! metrics and alarms say, then ECS — and what `R` opens (chosen by
//! [`super::suggestion`], which is the one caller):
//! `OOM loop since chatbot-api:41 (16 stops) · R: oom-restart-loop · memory 100 %`,
//! `egress 10.5× its usual: 420 KB/s, usually 40 KB/s · R: compromised-host ·
//! GuardDuty HIGH Backdoor:Runtime/C&CActivity.B → 198.51.100.23:6667`.

use super::alarms::Alarm;
use super::diagnosis::{Cause, Pattern};
use super::egress::EgressAnomaly;
use super::health::HealthVerdict;
use super::metrics::MetricsSummary;
use super::security::{SecurityFinding, Severity};
use super::service::Service;

/// Memory or CPU at or above this is worth saying.
pub(crate) const HOT_PERCENT: f64 = 90.0;
/// 5XX at or above this share of requests is worth saying.
pub(crate) const ERRORS_PERCENT: f64 = 5.0;
/// p95 at or above this is worth saying.
pub(crate) const SLOW_MS: f64 = 2000.0;

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
    /// Why its recent tasks stopped, newest first (the diagnosis' findings).
    pub causes: &'a [super::diagnosis::Cause],
    /// Slow with low CPU: waiting on a dependency (and on what, if traced).
    pub waiting: Option<&'a super::waiting::Waiting>,
}

impl Evidence<'_> {
    /// It waits on a dependency, and nothing louder explains its latency
    /// (a restart loop's dying tasks, an intruder's work).
    pub fn waiting(&self) -> Option<&super::waiting::Waiting> {
        self.waiting
            .filter(|_| self.pattern.is_none() && !self.compromised())
    }

    /// It looks compromised: egress far above its usual, a GuardDuty
    /// finding of medium severity or more, or any finding while its groups
    /// let everything out.
    pub fn compromised(&self) -> bool {
        looks_compromised(self.egress, self.security, self.open_egress)
    }
}

/// Egress far above its usual, a GuardDuty finding of medium severity or
/// more, or any finding while the service's groups let everything out.
pub(crate) fn looks_compromised(
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

/// The reason in a few words, for a narrow screen: the cause and what `R`
/// opens (`egress 11× · R: compromised-host`, `16× OOM · R: oom-restart-loop`).
pub(crate) fn short_headline(e: &Evidence<'_>, action: Option<&str>) -> String {
    let why = if e.compromised() {
        match (e.egress, e.security.first()) {
            (Some(a), _) => format!("egress {:.0}×", a.ratio),
            (None, Some(f)) => format!(
                "GuardDuty {}",
                f.severity_band().as_str().to_ascii_uppercase()
            ),
            (None, None) => "open egress".to_string(),
        }
    } else if let Some(p) = e.pattern {
        let what = match p.cause {
            Cause::OomKilled => "OOM",
            other => other.code(),
        };
        format!("{}× {what}", p.count)
    } else if let Some(w) = e.waiting() {
        w.short(&e.service.name)
    } else {
        return headline(e, action);
    };
    match action {
        Some(a) => format!("{why} · {a}"),
        None => why,
    }
}

/// The reason, best evidence first, with what `R` opens right after the
/// first part (so it is never the part cut).
pub(crate) fn headline(e: &Evidence<'_>, action: Option<&str>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if e.compromised() {
        parts.extend(e.egress.map(|a| a.words()));
        parts.extend(e.security.first().map(|f| f.headline()));
        if e.egress.is_none() && e.open_egress {
            parts.push("open egress".into());
        }
    }
    if let Some(p) = e.pattern {
        let since = match (&p.revision, p.since_deployment) {
            (Some(revision), true) => format!(" since {revision}"),
            _ => String::new(),
        };
        parts.push(format!("{}{since} ({} stops)", loop_words(p), p.count));
    }
    parts.extend(e.waiting().map(|w| w.words()));
    parts.extend(metric_words(e.metrics, e.waiting().is_some()));
    if parts.is_empty() {
        // No pattern and no hot metric: the verdict says it (ECS, or the
        // alarm that made it degraded). Otherwise the alarms' flag is enough.
        parts.push(super::sanitize::one_line(&e.verdict.reason));
    }
    if let Some(a) = action {
        parts.insert(1.min(parts.len()), a.to_string());
    }
    parts.join(" · ")
}

/// How far under its peak a metric must be now for the row to say both.
const FALLEN_POINTS: f64 = 10.0;

/// `memory 100 %`, or `memory 100 % → 40 %` once it has fallen: the row
/// says "now" as the service screen does.
fn peak_and_now(name: &str, s: super::metrics::Spread) -> String {
    match s.last {
        Some(now) if s.max - now >= FALLEN_POINTS => {
            format!("{name} {:.0} % → {:.0} %", s.max, now)
        }
        _ => format!("{name} {:.0} %", s.max),
    }
}

/// "OOM loop", "app_error loop".
fn loop_words(p: &Pattern) -> String {
    match p.cause {
        Cause::OomKilled => "OOM loop".to_string(),
        other => format!("{} loop", other.code()),
    }
}

/// The hot metrics in words; the p95 left out when `waiting` says it.
fn metric_words(metrics: Option<&MetricsSummary>, waiting: bool) -> Vec<String> {
    let Some(m) = metrics else {
        return Vec::new();
    };
    let mut words = Vec::new();
    if let Some(mem) = m.memory_percent.filter(|s| s.max >= HOT_PERCENT) {
        words.push(peak_and_now("memory", mem));
    }
    if let Some(cpu) = m.cpu_percent.filter(|s| s.max >= HOT_PERCENT) {
        words.push(peak_and_now("CPU", cpu));
    }
    if let Some(errors) = m.http_5xx_percent.filter(|p| *p >= ERRORS_PERCENT) {
        words.push(format!("5XX {errors:.0} %"));
    }
    if let Some(p95) = m.p95_ms.filter(|p| *p >= SLOW_MS && !waiting) {
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
