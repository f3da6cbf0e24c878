//! Correlation-ID log search, the pure parts: deciding whether a log line
//! really carries the ID (the server's quoted-term filter is only a first
//! pass), building the server-side filter, and merging many groups' pages into
//! one time-ordered stream as they arrive. The engines that call CloudWatch
//! Logs live in `aws/` and `workers/`.

pub mod matcher;
pub mod merge;

pub use matcher::{filter_pattern, id_in, Matcher, DEFAULT_FIELDS};
pub use merge::{LogEvent, Merger};

/// A log group to search and the service that writes to it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SearchTarget {
    pub group: String,
    /// `cluster/service`, when known.
    pub service: Option<String>,
}
