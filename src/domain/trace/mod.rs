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
    /// service by its name (`model call`), a service's span by the service,
    /// anything else by both.
    pub fn label(&self, i: usize) -> String {
        let Some(s) = self.spans.get(i) else {
            return String::new();
        };
        let parent = s.parent.and_then(|p| self.spans.get(p));
        let label = if s.name.is_empty() || s.name == s.service {
            s.service.clone()
        } else if parent.is_some_and(|p| p.service == s.service) {
            s.name.clone()
        } else {
            format!("{} {}", s.service, s.name)
        };
        super::sanitize::one_line(&label)
    }

    /// Span `i` is the bottleneck.
    pub fn is_bottleneck(&self, i: usize) -> bool {
        let (Some(s), Some(b)) = (self.spans.get(i), &self.bottleneck) else {
            return false;
        };
        b.service == s.service && b.name == s.name && b.self_ms == s.self_ms
    }
}
