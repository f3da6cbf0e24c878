//! A request's waterfall from its log lines alone: per service, the span
//! from its first to its last line for the ID — reaching back by a line's
//! own duration where it says one (`duration_ms`, `duration`,
//! `latency_ms`, `elapsed_ms`: a line logged at the end of the work it
//! times) — nested by containment in time.

use super::nest::{bottleneck, nest, total, Timed};
use super::{SpanSource, Waterfall};
use serde_json::Value;

/// Fields that time the work a line reports, in milliseconds.
const DURATION_FIELDS: [&str; 4] = ["duration_ms", "latency_ms", "elapsed_ms", "duration"];
/// Services drawn at most.
const MAX_SERVICES: usize = 200;
/// A duration longer than a day is not a request's.
const MAX_DURATION_MS: f64 = 86_400_000.0;

/// One of the request's lines.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceLine {
    pub service: String,
    /// Epoch milliseconds.
    pub at_ms: i64,
    pub message: String,
}

/// The waterfall of request `id` from its lines.
pub fn from_lines(id: &str, lines: &[TraceLine]) -> Waterfall {
    let mut by_service: Vec<Timed> = Vec::new();
    for line in lines {
        let took = duration_of(&line.message);
        let start = line.at_ms - took.unwrap_or(0);
        let error = is_error(&line.message);
        let known = by_service.len();
        match by_service.iter_mut().find(|t| t.service == line.service) {
            Some(t) => {
                t.start = t.start.min(start);
                t.end = t.end.max(line.at_ms);
                t.error |= error;
            }
            None if known < MAX_SERVICES => by_service.push(Timed {
                service: line.service.clone(),
                name: line.service.clone(),
                start,
                end: line.at_ms,
                error,
                status: None,
                parent: None,
            }),
            None => {}
        }
    }
    let (spans, mut notes) = nest(by_service, true);
    if lines
        .iter()
        .map(|l| &l.service)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        > MAX_SERVICES
    {
        notes.push(format!("only the first {MAX_SERVICES} services are drawn"));
    }
    Waterfall {
        id: id.to_string(),
        trace_id: lines
            .iter()
            .find_map(|l| super::trace_id::trace_id_in(&l.message)),
        source: SpanSource::Logs,
        total_ms: total(&spans),
        bottleneck: bottleneck(&spans),
        spans,
        notes,
    }
}

/// The milliseconds a line says its work took, if it says.
pub fn duration_of(message: &str) -> Option<i64> {
    let ms = match serde_json::from_str::<Value>(message.trim()) {
        Ok(Value::Object(fields)) => DURATION_FIELDS
            .iter()
            .find_map(|f| fields.get(*f).and_then(number_ms)),
        _ => DURATION_FIELDS.iter().find_map(|f| text_field(message, f)),
    }?;
    (ms.is_finite() && (0.0..=MAX_DURATION_MS).contains(&ms)).then_some(ms.round() as i64)
}

/// `30000`, `"30000"`, `"30000ms"`, `"1.5s"` as milliseconds.
fn number_ms(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => unit_ms(s),
        _ => None,
    }
}

fn unit_ms(text: &str) -> Option<f64> {
    let t = text.trim();
    if let Some(ms) = t.strip_suffix("ms") {
        return ms.trim().parse().ok();
    }
    if let Some(s) = t.strip_suffix('s') {
        return s.trim().parse::<f64>().ok().map(|s| s * 1000.0);
    }
    t.parse().ok()
}

/// `duration_ms=30000` or `duration_ms: 30000` in a text line.
fn text_field(message: &str, field: &str) -> Option<f64> {
    let at = message.find(field)?;
    let before = message[..at].chars().next_back();
    if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let rest = message[at + field.len()..].trim_start();
    let rest = rest
        .strip_prefix(['=', ':'])?
        .trim_start()
        .trim_start_matches('"');
    let value: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || c.is_ascii_alphabetic())
        .collect();
    unit_ms(&value)
}

/// An error line: level error/fatal, or a 5XX status.
pub fn is_error(message: &str) -> bool {
    match serde_json::from_str::<Value>(message.trim()) {
        Ok(Value::Object(fields)) => {
            let level = ["level", "severity", "lvl"]
                .iter()
                .find_map(|f| fields.get(*f).and_then(Value::as_str))
                .map(str::to_ascii_lowercase);
            let status = ["status", "statusCode", "status_code"]
                .iter()
                .find_map(|f| fields.get(*f).and_then(Value::as_u64));
            level.is_some_and(|l| matches!(l.as_str(), "error" | "fatal" | "critical"))
                || status.is_some_and(|s| s >= 500)
        }
        _ => {
            let lower = message.to_ascii_lowercase();
            lower.contains("level=error")
                || message.contains(" ERROR ")
                || message.starts_with("ERROR")
        }
    }
}
