//! A request's waterfall from X-Ray: each segment document (untrusted JSON,
//! as BatchGetTraces returns it) and its subsegments become spans — the
//! segment's service, the subsegment's name, start and end, error, fault or
//! throttle, the HTTP status — nested by their ids (a downstream service's
//! segment under the caller's subsegment that called it). Sizes are
//! bounded, names cleaned, and a parent that would make a cycle refused.

use super::super::sanitize::one_line;
use super::nest::{bottleneck, nest, total, Timed};
use super::{SpanSource, Waterfall};
use serde_json::Value;
use std::collections::HashMap;

/// A segment document larger than this is not read.
pub const MAX_DOCUMENT_BYTES: usize = 256 * 1024;
/// Spans kept at most.
pub const MAX_SPANS: usize = 1000;
/// Subsegments are read this deep at most.
const MAX_DEPTH: usize = 32;
/// A name is cut at this many characters.
const MAX_NAME: usize = 120;

/// The waterfall of request `id` (trace `trace_id`) from its segment documents.
pub fn from_segments(id: &str, trace_id: &str, documents: &[String]) -> Waterfall {
    let mut read = Read::default();
    for doc in documents {
        if doc.len() > MAX_DOCUMENT_BYTES {
            read.notes.push(format!(
                "a segment document of {} KB was not read",
                doc.len() / 1024
            ));
            continue;
        }
        match serde_json::from_str::<Value>(doc) {
            Ok(segment) => {
                let service = name_of(&segment);
                read.walk(&segment, &service, None, 0);
            }
            Err(_) => read
                .notes
                .push("a segment document that is not JSON was skipped".into()),
        }
    }
    // Each span's parent by id: its enclosing (sub)segment, else the
    // caller's subsegment its `parent_id` names.
    let by_id: HashMap<&str, usize> = read
        .ids
        .iter()
        .enumerate()
        .filter_map(|(i, id)| id.as_deref().map(|id| (id, i)))
        .collect();
    let mut timed = read.timed;
    for (i, t) in timed.iter_mut().enumerate() {
        if t.parent.is_none() {
            t.parent = read.parent_ids[i]
                .as_deref()
                .and_then(|p| by_id.get(p).copied())
                .filter(|&p| p != i);
        }
    }
    let (spans, mut notes) = nest(timed, false);
    notes.extend(read.notes);
    Waterfall {
        id: id.to_string(),
        trace_id: Some(trace_id.to_string()),
        source: SpanSource::Xray,
        total_ms: total(&spans),
        bottleneck: bottleneck(&spans),
        spans,
        notes,
    }
}

#[derive(Default)]
struct Read {
    timed: Vec<Timed>,
    ids: Vec<Option<String>>,
    parent_ids: Vec<Option<String>>,
    notes: Vec<String>,
}

impl Read {
    fn walk(&mut self, node: &Value, service: &str, enclosing: Option<usize>, depth: usize) {
        if depth > MAX_DEPTH || self.timed.len() >= MAX_SPANS {
            if !self.notes.iter().any(|n| n.starts_with("the trace is cut")) {
                self.notes.push(format!(
                    "the trace is cut at {MAX_SPANS} spans or {MAX_DEPTH} levels"
                ));
            }
            return;
        }
        let (Some(start), end) = (seconds(&node["start_time"]), seconds(&node["end_time"])) else {
            return;
        };
        // Still in progress: drawn to its start.
        let end = end.unwrap_or(start);
        let flag = |f: &str| node[f].as_bool().unwrap_or(false);
        let index = self.timed.len();
        self.timed.push(Timed {
            service: service.to_string(),
            name: name_of(node),
            start: (start * 1000.0).round() as i64,
            end: (end * 1000.0).round() as i64,
            error: flag("error") || flag("fault") || flag("throttle"),
            status: node["http"]["response"]["status"]
                .as_u64()
                .and_then(|s| u16::try_from(s).ok()),
            parent: enclosing,
        });
        self.ids.push(node["id"].as_str().map(str::to_string));
        self.parent_ids
            .push(node["parent_id"].as_str().map(str::to_string));
        if let Some(children) = node["subsegments"].as_array() {
            for child in children {
                self.walk(child, service, Some(index), depth + 1);
            }
        }
    }
}

/// Epoch seconds as X-Ray writes them (a float), if sane.
fn seconds(v: &Value) -> Option<f64> {
    v.as_f64()
        .filter(|s| s.is_finite() && *s > 0.0 && *s < 1e11)
}

fn name_of(node: &Value) -> String {
    let name = one_line(node["name"].as_str().unwrap_or("unnamed"));
    name.chars().take(MAX_NAME).collect()
}
