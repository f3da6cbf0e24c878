//! `triage trace ID -o json`: one request's waterfall.

use super::super::schema::Version;
use crate::domain::sanitize::one_line;
use crate::domain::trace::{SpanSource, Waterfall};
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Serialize, JsonSchema)]
pub struct TraceDoc {
    pub schema_version: Version,
    pub generated_at: String,
    /// The correlation ID asked for.
    pub id: String,
    /// The X-Ray trace id a line carries, when one does.
    pub trace_id: Option<String>,
    /// `logs` (the request's log lines) or `xray`.
    pub source: String,
    pub total_ms: i64,
    /// Parents before their children, siblings by start.
    pub spans: Vec<SpanJson>,
    /// The span that holds the most time itself; null with no span.
    pub bottleneck: Option<BottleneckJson>,
    /// What was adjusted (clock skew clamped) or could not be read.
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SpanJson {
    pub service: String,
    pub name: String,
    pub start_ms: i64,
    pub duration_ms: i64,
    /// Its duration less the time its children cover.
    pub self_ms: i64,
    pub error: bool,
    /// The index of its parent in `spans`.
    pub parent: Option<usize>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct BottleneckJson {
    pub service: String,
    pub name: String,
    pub self_ms: i64,
}

impl TraceDoc {
    pub fn of(w: &Waterfall, version: Version, generated_at: String) -> TraceDoc {
        TraceDoc {
            schema_version: version,
            generated_at,
            id: one_line(&w.id),
            trace_id: w.trace_id.clone(),
            source: match w.source {
                SpanSource::Logs => "logs",
                SpanSource::Xray => "xray",
            }
            .to_string(),
            total_ms: w.total_ms,
            spans: w
                .spans
                .iter()
                .map(|s| SpanJson {
                    service: one_line(&s.service),
                    name: one_line(&s.name),
                    start_ms: s.start_ms,
                    duration_ms: s.duration_ms,
                    self_ms: s.self_ms,
                    error: s.error,
                    parent: s.parent,
                })
                .collect(),
            bottleneck: w.bottleneck.as_ref().map(|b| BottleneckJson {
                service: one_line(&b.service),
                name: one_line(&b.name),
                self_ms: b.self_ms,
            }),
            notes: w.notes.iter().map(|n| one_line(n)).collect(),
        }
    }
}
