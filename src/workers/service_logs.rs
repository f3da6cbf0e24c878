//! A service's own recent log lines: the newest lines of each of its
//! tasks' streams (GetLogEvents from the end, one call a stream), merged
//! newest first. A stream not there yet (a task still starting) is skipped;
//! when no stream can be read, the first error says why.

use crate::domain::logsearch::LogEvent;
use crate::domain::ports::{LogStream, LogsPort};
use crate::domain::PortError;
use chrono::{DateTime, Utc};

/// Streams read at most (the newest tasks first, as given).
pub const MAX_STREAMS: usize = 10;
/// Lines kept of each stream.
pub const LINES_PER_STREAM: usize = 100;

/// The newest lines of `streams` written before `before`, newest first.
pub async fn read_recent(
    logs: &dyn LogsPort,
    streams: &[LogStream],
    before: DateTime<Utc>,
) -> Result<Vec<LogEvent>, PortError> {
    let reads = streams.iter().take(MAX_STREAMS).map(|s| async move {
        (
            s,
            logs.tail(&s.group, &s.stream, before, LINES_PER_STREAM)
                .await,
        )
    });
    let mut lines: Vec<LogEvent> = Vec::new();
    let mut first_error: Option<PortError> = None;
    let mut read = 0;
    for (s, result) in futures::future::join_all(reads).await {
        match result {
            Ok(tail) => {
                read += 1;
                lines.extend(tail.into_iter().map(|l| LogEvent {
                    group: s.group.clone(),
                    stream: s.stream.clone(),
                    timestamp: l.timestamp,
                    ingestion: None,
                    event_id: None,
                    message: l.message,
                    pair: Default::default(),
                }));
            }
            Err(PortError::NotFound { .. }) => read += 1,
            Err(err) => {
                first_error.get_or_insert(err);
            }
        }
    }
    if read == 0 {
        if let Some(err) = first_error {
            return Err(err);
        }
    }
    lines.sort_by_key(|l| std::cmp::Reverse(l.timestamp));
    Ok(lines)
}
