//! The simulated account's X-Ray: the requests that cross services (see
//! `demo::requests`) as segment documents, and the slowest of them through
//! one service as GetTraceSummaries lists them. Derived from the same
//! requests as the log lines, so traces and logs tell the same story.

use super::Simulation;
use crate::domain::trace::reading::{TraceDocuments, TraceSummary};
use chrono::{DateTime, Utc};

impl Simulation {
    /// The segment documents of the traces the scenario's requests have.
    pub(crate) fn trace_documents(&self, trace_ids: &[String]) -> Vec<TraceDocuments> {
        let Some(spec) = self.requests.as_ref() else {
            return Vec::new();
        };
        let slow = |at| self.far_end_slow(at);
        trace_ids
            .iter()
            .filter_map(|id| {
                let documents =
                    crate::demo::requests::segments_of(spec, self.seed, self.opened_at, id, &slow)?;
                Some(TraceDocuments {
                    trace_id: id.clone(),
                    documents,
                })
            })
            .collect()
    }

    /// Requests through `service` since `since` that took at least
    /// `slower_than_ms` there, slowest first, at most `limit`.
    pub(crate) fn slow_traces(
        &self,
        service: &str,
        since: DateTime<Utc>,
        slower_than_ms: i64,
        limit: usize,
    ) -> Vec<TraceSummary> {
        let Some(spec) = self.requests.as_ref() else {
            return Vec::new();
        };
        let slow = |at| self.far_end_slow(at);
        let mut found: Vec<TraceSummary> = crate::demo::requests::slow_requests(
            spec,
            self.seed,
            self.opened_at,
            service,
            (since, self.now),
            slower_than_ms,
            &slow,
        )
        .into_iter()
        .map(|(trace_id, duration_ms, error)| TraceSummary {
            trace_id,
            duration_ms,
            error,
        })
        .collect();
        found.sort_by(|a, b| {
            b.duration_ms
                .cmp(&a.duration_ms)
                .then_with(|| a.trace_id.cmp(&b.trace_id))
        });
        found.truncate(limit);
        found
    }
}
