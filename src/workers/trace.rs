//! Where a request's time went, read: from its log lines (found by the
//! search) to X-Ray's segments when a line carries a trace id, else the
//! lines alone, saying why; and what a slow service's slowest recent
//! requests wait on (GetTraceSummaries, then their segments, bottlenecks
//! counted).

use crate::domain::trace::from_logs::{from_lines, TraceLine};
use crate::domain::trace::from_xray::from_segments;
use crate::domain::trace::reading::{TracePort, SLOW_REQUESTS, TRACES_PER_CALL};
use crate::domain::trace::trace_id::trace_id_in;
use crate::domain::trace::Waterfall;
use crate::domain::waiting::{blame, Blame};
use crate::domain::PortError;
use chrono::{DateTime, Utc};

/// Trace ids read for one request at most (a request whose services did
/// not pass the header on has one per service).
const TRACES_PER_REQUEST: usize = TRACES_PER_CALL;

/// The waterfall of request `id` from its lines: X-Ray's when they carry a
/// trace id X-Ray still has, else the lines', with a note saying why.
pub async fn waterfall_of(id: &str, lines: &[TraceLine], traces: &dyn TracePort) -> Waterfall {
    let mut ids: Vec<String> = Vec::new();
    for line in lines {
        if let Some(t) = trace_id_in(&line.message) {
            if !ids.contains(&t) && ids.len() < TRACES_PER_REQUEST {
                ids.push(t);
            }
        }
    }
    let Some(first) = ids.first().cloned() else {
        return from_lines(id, lines);
    };
    let why = match traces.traces(&ids).await {
        Ok(found) => {
            let documents: Vec<String> = found.into_iter().flat_map(|t| t.documents).collect();
            if !documents.is_empty() {
                let drawn = from_segments(id, &first, &documents);
                if !drawn.spans.is_empty() {
                    return drawn;
                }
            }
            format!("X-Ray has no segments for trace {first} (not sampled, or older than 30 days)")
        }
        Err(err) => format!("X-Ray could not be read ({})", unread(&err)),
    };
    let mut drawn = from_lines(id, lines);
    drawn.trace_id = Some(first);
    drawn
        .notes
        .insert(0, format!("{why}: drawn from the log lines"));
    drawn
}

/// Why X-Ray was not read, in a few words.
pub(crate) fn unread(err: &PortError) -> String {
    match err {
        PortError::AccessDenied { .. } => {
            "no permission: allow xray:BatchGetTraces and xray:GetTraceSummaries".into()
        }
        other => crate::domain::sanitize::one_line(&other.to_string()),
    }
}

/// What holds the time in `service`'s slowest requests since `since`
/// (those over `slower_than_ms`), and the calls it took; None when none
/// was traced.
pub async fn slow_requests_blame(
    traces: &dyn TracePort,
    service: &str,
    since: DateTime<Utc>,
    slower_than_ms: i64,
) -> Result<Option<Blame>, PortError> {
    let slow = traces
        .slow_traces(service, since, slower_than_ms, SLOW_REQUESTS)
        .await?;
    if slow.is_empty() {
        return Ok(None);
    }
    let ids: Vec<String> = slow.iter().map(|s| s.trace_id.clone()).collect();
    let found = traces.traces(&ids).await?;
    let drawn: Vec<Waterfall> = found
        .iter()
        .map(|t| from_segments(&t.trace_id, &t.trace_id, &t.documents))
        .collect();
    Ok(blame(&drawn))
}
