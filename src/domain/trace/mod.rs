//! Where the time went in one request: its **waterfall** — a span per
//! service (and per X-Ray subsegment), nested, each with its **self time**
//! (its duration less its children's) — and its **bottleneck**, the span
//! that holds the most time itself.
//!
//! - [`trace_id`] finds an X-Ray trace id in a log line.
//! - [`from_logs`] builds the waterfall from the request's log lines alone.
//! - [`from_xray`] builds it from X-Ray segment documents.
//! - [`reading`] is the port to X-Ray.
//! - [`nest`] is what both share: parents by containment, self times,
//!   the bottleneck.

pub mod from_logs;
pub mod from_xray;
pub mod nest;
pub mod reading;
pub mod trace_id;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

/// Where a waterfall's spans came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanSource {
    Xray,
    Logs,
}

/// One span of the request: a service's part, or a call it made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub service: String,
    pub name: String,
    /// From the request's first moment, never negative.
    pub start_ms: i64,
    pub duration_ms: i64,
    /// Its duration less the time its children cover.
    pub self_ms: i64,
    pub error: bool,
    /// The index of its parent in the waterfall's spans.
    pub parent: Option<usize>,
    /// The HTTP status it answered, when known.
    pub status: Option<u16>,
}

impl Span {
    pub fn end_ms(&self) -> i64 {
        self.start_ms + self.duration_ms
    }
}

/// The span that holds the most time itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bottleneck {
    pub service: String,
    pub name: String,
    pub self_ms: i64,
}

/// One request, drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Waterfall {
    pub id: String,
    pub trace_id: Option<String>,
    pub source: SpanSource,
    pub total_ms: i64,
    /// Parents before their children, siblings by start.
    pub spans: Vec<Span>,
    pub bottleneck: Option<Bottleneck>,
    /// What was adjusted or could not be read ("clock skew of 40 ms
    /// between api and db clamped"), said beside the drawing.
    pub notes: Vec<String>,
}

impl Bottleneck {
    /// `chatbot-api model call`, or `chatbot-api` when the span is the
    /// service's own.
    pub fn label(&self) -> String {
        let label = if self.name.is_empty() || self.name == self.service {
            self.service.clone()
        } else {
            format!("{} {}", self.service, self.name)
        };
        super::sanitize::one_line(&label)
    }
}

impl Waterfall {
    /// How deep span `i` is nested (0 for a root).
    pub fn depth(&self, mut i: usize) -> usize {
        let mut d = 0;
        while let Some(p) = self.spans.get(i).and_then(|s| s.parent) {
            if d > self.spans.len() {
                break; // never, as nested; but a loop is not drawn forever
            }
            d += 1;
            i = p;
        }
        d
    }

    /// What span `i` is called where it is drawn: a call inside its own
    /// service by what it calls (`→ model call`), a service's span by the
    /// service, anything else by both.
    pub fn label(&self, i: usize) -> String {
        let Some(s) = self.spans.get(i) else {
            return String::new();
        };
        let parent = s.parent.and_then(|p| self.spans.get(p));
        let label = if s.name.is_empty() || s.name == s.service {
            s.service.clone()
        } else if parent.is_some_and(|p| p.service == s.service) {
            format!("→ {}", s.name)
        } else {
            format!("{} {}", s.service, s.name)
        };
        super::sanitize::one_line(&label)
    }

    /// `req-5f1e0c9a took 30.09 s (X-Ray): chatbot-api model call held
    /// 30.00 s itself (99 %)`.
    pub fn words(&self) -> String {
        let source = match self.source {
            SpanSource::Xray => "X-Ray",
            SpanSource::Logs => "its log lines",
        };
        let head = format!(
            "{} took {} ({source})",
            super::sanitize::one_line(&self.id),
            took(self.total_ms)
        );
        match &self.bottleneck {
            Some(b) => format!(
                "{head}: {} held {} itself ({} %)",
                b.label(),
                took(b.self_ms),
                (b.self_ms * 100) / self.total_ms.max(1)
            ),
            None => head,
        }
    }

    /// Span `i` is the bottleneck.
    pub fn is_bottleneck(&self, i: usize) -> bool {
        let (Some(s), Some(b)) = (self.spans.get(i), &self.bottleneck) else {
            return false;
        };
        b.service == s.service && b.name == s.name && b.self_ms == s.self_ms
    }
}

/// A span's time as the waterfall says it: `850 ms`, `30.09 s`.
pub fn took(ms: i64) -> String {
    if ms.abs() < 1000 {
        format!("{ms} ms")
    } else {
        format!("{:.2} s", ms as f64 / 1000.0)
    }
}
