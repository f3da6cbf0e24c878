//! Reading X-Ray: the segment documents of a few traces (BatchGetTraces,
//! five ids a call), and the slowest recent traces through one service
//! (GetTraceSummaries) — only for a service that is slow, and only while
//! somebody looks.

use super::super::ports::{CallCounts, PortFuture};
use chrono::{DateTime, Utc};

/// BatchGetTraces takes at most this many trace ids a call.
pub const TRACES_PER_CALL: usize = 5;
/// The slowest requests read to name what a slow service waits on.
pub const SLOW_REQUESTS: usize = 8;

/// One trace's segment documents, as X-Ray returns them (JSON text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceDocuments {
    pub trace_id: String,
    pub documents: Vec<String>,
}

/// One recent request through a service, as GetTraceSummaries lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceSummary {
    pub trace_id: String,
    /// How long the whole request took.
    pub duration_ms: i64,
    /// It answered an error or a fault.
    pub error: bool,
}

port! {
    /// The account's traces (X-Ray).
    pub trait TracePort {
        /// The segment documents of these traces; a trace X-Ray no longer
        /// has (older than 30 days, never sampled) is absent.
        fn traces<'a>(&'a self, trace_ids: &'a [String]) -> PortFuture<'a, Vec<TraceDocuments>>;
        /// Requests through `service` from `since` to now that took at
        /// least `slower_than_ms`, slowest first, at most `limit`.
        fn slow_traces<'a>(
            &'a self,
            service: &'a str,
            since: DateTime<Utc>,
            slower_than_ms: i64,
            limit: usize,
        ) -> PortFuture<'a, Vec<TraceSummary>>;
        /// Calls made so far, by operation.
        fn calls(&self) -> CallCounts {
            CallCounts::new()
        }
    }
}
