//! "Waiting on a dependency": a service whose p95 is well above its usual
//! (the median of its 5-minute p95 over the day before the last hour, as
//! the egress baseline is computed) while its CPU is low is not working
//! hard — it is waiting on something: a database, a cache, another
//! service, an external API. When its slowest recent requests were traced,
//! their bottlenecks are counted and the one that holds the time in most of
//! them is named: `p95 2.6 s with CPU 36 %: waiting on a dependency →
//! chatbot-api model call 30 s in 7 of 8 slow requests`.
//!
//! One function for the console's headline, `status` JSON and the
//! post-mortem's *Where the time went*.

use super::egress::{baseline_window, median_in};
use super::metrics::{MetricQuery, MetricSeries, MetricsSummary};
use super::service::ServiceKey;
use super::trace::Waterfall;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// CPU below this (the average over the window) is low.
pub const LOW_CPU_PERCENT: f64 = 50.0;
/// p95 this many times its usual is well above it…
pub const ABOVE_USUAL: f64 = 3.0;
/// …and at least this slow (a 40 ms service at 130 ms is not an incident).
pub const SLOW_FLOOR_MS: f64 = 1000.0;
/// With no usual to compare with, p95 this slow is slow.
pub const SLOW_WITHOUT_USUAL_MS: f64 = 2000.0;

/// What holds the time in a service's slow requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blame {
    /// The service the bottleneck is in, and its span's name.
    pub service: String,
    pub name: String,
    /// The bottleneck's self time, the median over the requests it held.
    pub self_ms: i64,
    /// In how many of the slow requests read it was the bottleneck.
    pub count: usize,
    /// How many slow requests were read.
    pub of: usize,
}

/// What was read of one slow service: its usual p95 and what holds the
/// time in its slow requests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SlowRead {
    pub usual_p95_ms: Option<f64>,
    pub on: Option<Blame>,
    /// Why a part could not be read ("X-Ray: access denied").
    pub unread: Vec<String>,
}

/// A slow service that is not busy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Waiting {
    pub p95_ms: f64,
    pub cpu_percent: f64,
    /// Its usual p95, when there is enough history to say.
    pub usual_p95_ms: Option<f64>,
    /// What holds the time, when its slow requests were traced.
    pub on: Option<Blame>,
}

/// Worth reading its usual p95 and its slow requests' traces: slow enough
/// to be waiting whatever its usual, and its CPU low.
pub fn candidate(metrics: &MetricsSummary) -> bool {
    let low_cpu = metrics
        .cpu_percent
        .is_some_and(|c| c.avg.is_finite() && c.avg < LOW_CPU_PERCENT);
    low_cpu && metrics.p95_ms.is_some_and(|p| p >= SLOW_FLOOR_MS)
}

/// Each service's usual p95 (ms) from the answers to
/// [`super::metrics::usual_p95_queries`]: the median over the baseline's
/// day, as the egress baseline is; absent with less than an hour of points.
pub fn usual_p95(
    queries: &[MetricQuery],
    answers: &[MetricSeries],
    now: DateTime<Utc>,
) -> BTreeMap<ServiceKey, f64> {
    let window = baseline_window(now);
    queries
        .iter()
        .filter_map(|q| {
            let answer = answers.iter().find(|a| a.id == q.id)?;
            // TargetResponseTime is in seconds.
            let median = median_in(&answer.points, window)?;
            Some((q.service.clone(), median * 1000.0))
        })
        .collect()
}

/// The service is waiting on a dependency: p95 well above its usual (or
/// plainly slow when its usual is unknown) while its CPU is low.
pub fn waiting(
    metrics: &MetricsSummary,
    usual_p95_ms: Option<f64>,
    on: Option<Blame>,
) -> Option<Waiting> {
    let p95 = metrics.p95_ms.filter(|p| p.is_finite())?;
    let cpu = metrics.cpu_percent?.avg;
    if !cpu.is_finite() || cpu >= LOW_CPU_PERCENT {
        return None;
    }
    let usual = usual_p95_ms.filter(|u| u.is_finite() && *u > 0.0);
    let slow = match usual {
        Some(u) => p95 >= ABOVE_USUAL * u && p95 >= SLOW_FLOOR_MS,
        None => p95 >= SLOW_WITHOUT_USUAL_MS,
    };
    slow.then_some(Waiting {
        p95_ms: p95,
        cpu_percent: cpu,
        usual_p95_ms: usual,
        on,
    })
}

/// The bottleneck most of these slow requests share (ties: the larger
/// self time), with its median self time; None when none was traced.
/// A request whose bottleneck is `service` itself still counts: the
/// service's own work held it.
pub fn blame(slow: &[Waterfall]) -> Option<Blame> {
    let mut counted: Vec<((String, String), Vec<i64>)> = Vec::new();
    for b in slow.iter().filter_map(|w| w.bottleneck.as_ref()) {
        let key = (b.service.clone(), b.name.clone());
        match counted.iter_mut().find(|(k, _)| *k == key) {
            Some((_, times)) => times.push(b.self_ms),
            None => counted.push((key, vec![b.self_ms])),
        }
    }
    let of = slow.iter().filter(|w| w.bottleneck.is_some()).count();
    let ((service, name), mut times) = counted.into_iter().max_by(|a, b| {
        a.1.len()
            .cmp(&b.1.len())
            .then_with(|| a.1.iter().sum::<i64>().cmp(&b.1.iter().sum::<i64>()))
    })?;
    times.sort_unstable();
    Some(Blame {
        service,
        name,
        self_ms: times[times.len() / 2],
        count: times.len(),
        of,
    })
}

impl Blame {
    /// `chatbot-api model call 30 s in 7 of 8 slow requests`.
    pub fn words(&self) -> String {
        let what = if self.name.is_empty() || self.name == self.service {
            self.service.clone()
        } else {
            format!("{} {}", self.service, self.name)
        };
        format!(
            "{} {} in {} of {} slow request{}",
            super::sanitize::one_line(&what),
            took(self.self_ms as f64),
            self.count,
            self.of,
            if self.of == 1 { "" } else { "s" }
        )
    }
}

impl Waiting {
    /// `p95 2.6 s with CPU 36 %: waiting on a dependency → chatbot-api
    /// model call 30 s in 7 of 8 slow requests`.
    pub fn words(&self) -> String {
        let usual = match self.usual_p95_ms {
            Some(u) => format!(" (usually {})", took(u)),
            None => String::new(),
        };
        let on = match &self.on {
            Some(b) => format!(" → {}", b.words()),
            None => String::new(),
        };
        format!(
            "p95 {}{usual} with CPU {:.0} %: waiting on a dependency{on}",
            took(self.p95_ms),
            self.cpu_percent
        )
    }

    /// `waiting on chatbot-api`, `waiting on its model call` (service
    /// `own`'s own call), or `waiting on a dependency`.
    pub fn short(&self, own: &str) -> String {
        match &self.on {
            Some(b) if b.service == own && !b.name.is_empty() && b.name != own => {
                format!("waiting on its {}", super::sanitize::one_line(&b.name))
            }
            Some(b) => format!("waiting on {}", super::sanitize::one_line(&b.service)),
            None => "waiting on a dependency".to_string(),
        }
    }
}

/// `850 ms`, `2.6 s`, `30 s`.
fn took(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else if ms < 10_000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!("{:.0} s", ms / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::metrics::Spread;
    use crate::domain::trace::{Bottleneck, SpanSource};

    fn metrics(p95: f64, cpu: f64) -> MetricsSummary {
        MetricsSummary {
            p95_ms: Some(p95),
            cpu_percent: Some(Spread {
                avg: cpu,
                max: cpu,
                last: None,
            }),
            ..MetricsSummary::default()
        }
    }

    fn slow(service: &str, name: &str, self_ms: i64) -> Waterfall {
        Waterfall {
            id: "r".into(),
            trace_id: None,
            source: SpanSource::Xray,
            total_ms: self_ms + 50,
            spans: Vec::new(),
            bottleneck: Some(Bottleneck {
                service: service.into(),
                name: name.into(),
                self_ms,
            }),
            notes: Vec::new(),
        }
    }

    #[test]
    fn slow_with_low_cpu_is_waiting_and_busy_is_not() {
        let w = waiting(&metrics(2585.0, 36.0), Some(150.0), None).expect("waiting");
        assert_eq!(
            w.words(),
            "p95 2.6 s (usually 150 ms) with CPU 36 %: waiting on a dependency"
        );
        assert_eq!(waiting(&metrics(2585.0, 92.0), Some(150.0), None), None);
        // Within its usual, or too fast to matter.
        assert_eq!(waiting(&metrics(400.0, 10.0), Some(150.0), None), None);
        assert_eq!(waiting(&metrics(2585.0, 10.0), Some(1500.0), None), None);
        // No usual: only plainly slow counts.
        assert!(waiting(&metrics(2585.0, 10.0), None, None).is_some());
        assert_eq!(waiting(&metrics(1500.0, 10.0), None, None), None);
        // No CPU figure: nothing can be said.
        let no_cpu = MetricsSummary {
            p95_ms: Some(3000.0),
            ..MetricsSummary::default()
        };
        assert_eq!(waiting(&no_cpu, None, None), None);
    }

    #[test]
    fn the_bottleneck_most_slow_requests_share_is_named() {
        let mut requests: Vec<Waterfall> = (0..7)
            .map(|i| slow("chatbot-api", "model call", 30_000 - i * 10))
            .collect();
        requests.push(slow("backend-api", "postgres", 900));
        let b = blame(&requests).expect("blamed");
        assert_eq!((b.count, b.of), (7, 8));
        assert_eq!(
            b.words(),
            "chatbot-api model call 30 s in 7 of 8 slow requests"
        );
        let w = waiting(&metrics(2585.0, 36.0), Some(150.0), Some(b)).expect("waiting");
        assert!(w.words().ends_with(
            "waiting on a dependency → chatbot-api model call 30 s in 7 of 8 slow requests"
        ));
        assert_eq!(w.short("backend-api"), "waiting on chatbot-api");
        assert_eq!(w.short("chatbot-api"), "waiting on its model call");
        assert_eq!(blame(&[]), None);
    }
}
