//! The `insights` search engine: one Logs Insights query per batch of up to
//! 50 groups, the window split into chunks searched newest first, a few at a
//! time. A chunk that matched more rows than a query returns (10,000) is
//! halved and both halves are queried again, so nothing is silently cut off.
//! Rows carry no event id: duplicates are dropped by (group, stream, time,
//! message). Every row is checked exactly on the client, as in `filter`.

use super::logsearch::{GroupOutcome, SearchResult, THROTTLE_RETRIES};
use crate::domain::logsearch::{LogEvent, Matcher};
use crate::domain::ports::{LogSearchPort, QueryRows};
use crate::domain::PortError;
use chrono::{DateTime, NaiveDateTime, Utc};
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::time::Duration;

/// Log groups one query may name.
pub(crate) const GROUPS_PER_QUERY: usize = 50;
/// Rows one query returns at most.
pub(crate) const ROWS_PER_QUERY: u32 = 10_000;
/// Queries running at once (the account's limit is 30 concurrent).
pub(crate) const QUERIES_AT_ONCE: usize = 4;
/// A chunk is not halved below this.
pub(crate) const SMALLEST_CHUNK_MS: i64 = 1_000;

/// The query for one ID: the quoted term narrows on the server; the matcher
/// decides on the client.
pub(crate) fn query_for(id: &str) -> String {
    let quoted = id.replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        "fields @timestamp, @message, @logStream, @log | filter @message like \"{quoted}\" | sort @timestamp desc | limit {ROWS_PER_QUERY}"
    )
}

/// The window in chunks of `chunk`, newest first.
pub fn chunks(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    chunk: chrono::Duration,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let chunk = chunk.max(chrono::Duration::milliseconds(SMALLEST_CHUNK_MS));
    let mut out = Vec::new();
    let mut hi = end;
    while hi > start {
        let lo = (hi - chunk).max(start);
        out.push((lo, hi));
        hi = lo;
    }
    out
}

/// How long each chunk is for a window: about six hours, fewer chunks for
/// short windows.
pub(crate) fn chunk_for(start: DateTime<Utc>, end: DateTime<Utc>) -> chrono::Duration {
    let window = end - start;
    window.min(chrono::Duration::hours(6))
}

/// One piece of work: a batch of groups over part of the window.
#[derive(Debug, Clone)]
struct Piece {
    batch: usize,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// Search `groups` for `matcher`'s ID between `start` and `end` with Logs
/// Insights. `on_hits` gets every hit once, in time order, at the end (chunks
/// come back newest first).
pub async fn insights_search(
    port: &dyn LogSearchPort,
    groups: &[String],
    matcher: &Matcher,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    chunk: chrono::Duration,
    mut on_hits: impl FnMut(&[LogEvent]),
) -> SearchResult {
    // Long on purpose: one Insights query with its bisection on truncation; the loop keeps the window stack and the cap together.
    let query = query_for(matcher.id());
    let batches: Vec<Vec<String>> = groups
        .chunks(GROUPS_PER_QUERY)
        .map(|b| b.to_vec())
        .collect();
    let mut queue: VecDeque<Piece> = VecDeque::new();
    for (lo, hi) in chunks(start, end, chunk) {
        for batch in 0..batches.len() {
            queue.push_back(Piece {
                batch,
                start: lo,
                end: hi,
            });
        }
    }
    let mut tally: BTreeMap<usize, (usize, usize, u32)> = BTreeMap::new();
    let mut failed: BTreeMap<usize, GroupOutcome> = BTreeMap::new();
    let mut seen: HashSet<(String, String, DateTime<Utc>, String)> = HashSet::new();
    let mut events: Vec<LogEvent> = Vec::new();
    while !queue.is_empty() {
        let wave: Vec<Piece> = (0..QUERIES_AT_ONCE.min(queue.len()))
            .filter_map(|_| queue.pop_front())
            .filter(|p| !failed.contains_key(&p.batch))
            .collect();
        let results = futures::future::join_all(wave.iter().map(|piece| {
            let batch = &batches[piece.batch];
            let query = &query;
            async move { run_query(port, batch, query, piece.start, piece.end).await }
        }))
        .await;
        // Halves go to the front, newest first, so the search stays newest first.
        let mut again: Vec<Piece> = Vec::new();
        for (piece, result) in wave.into_iter().zip(results) {
            let entry = tally.entry(piece.batch).or_default();
            match result {
                Ok((rows, throttled)) => {
                    entry.0 += 1;
                    entry.2 += throttled;
                    let returned = rows.rows.len() as u64;
                    let cut_off = rows.matched.is_some_and(|m| m > returned);
                    let span = (piece.end - piece.start).num_milliseconds();
                    if cut_off && span > SMALLEST_CHUNK_MS {
                        let mid = piece.start + chrono::Duration::milliseconds(span / 2);
                        again.push(Piece {
                            batch: piece.batch,
                            start: mid,
                            end: piece.end,
                        });
                        again.push(Piece {
                            batch: piece.batch,
                            start: piece.start,
                            end: mid,
                        });
                        continue;
                    }
                    let single =
                        (batches[piece.batch].len() == 1).then(|| batches[piece.batch][0].clone());
                    for event in rows_to_events(&rows, single.as_deref()) {
                        if !matcher.matches(&event.message) {
                            continue;
                        }
                        let key = (
                            event.group.clone(),
                            event.stream.clone(),
                            event.timestamp,
                            event.message.clone(),
                        );
                        if seen.insert(key) {
                            entry.1 += 1;
                            events.push(event);
                        }
                    }
                }
                Err((outcome, throttled)) => {
                    entry.2 += throttled;
                    failed.insert(piece.batch, outcome);
                }
            }
        }
        for piece in again.into_iter().rev() {
            queue.push_front(piece);
        }
    }
    events.sort_by(|a, b| {
        (a.timestamp, &a.group, &a.stream, &a.message).cmp(&(
            b.timestamp,
            &b.group,
            &b.stream,
            &b.message,
        ))
    });
    if !events.is_empty() {
        on_hits(&events);
    }
    // Per group: the outcome of its batch; hits counted per group.
    let mut outcomes = Vec::new();
    for (i, batch) in batches.iter().enumerate() {
        let (queries, _, throttled) = tally.get(&i).copied().unwrap_or_default();
        for group in batch {
            let outcome = match failed.get(&i) {
                Some(o) => o.clone(),
                None => GroupOutcome::Done {
                    pages: queries,
                    hits: events.iter().filter(|e| &e.group == group).count(),
                    throttled,
                },
            };
            outcomes.push((group.clone(), outcome));
        }
    }
    SearchResult {
        events,
        groups: outcomes,
    }
}

/// One query, retried while throttled: its rows and how often it was throttled.
async fn run_query(
    port: &dyn LogSearchPort,
    groups: &[String],
    query: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<(QueryRows, u32), (GroupOutcome, u32)> {
    let mut throttled = 0;
    loop {
        match port
            .insights(groups, query, start, end, ROWS_PER_QUERY)
            .await
        {
            Ok(rows) => return Ok((rows, throttled)),
            Err(PortError::Throttled { .. }) if throttled < THROTTLE_RETRIES => {
                throttled += 1;
                let delay = crate::domain::backoff::backoff_delay(
                    throttled,
                    Duration::from_millis(200),
                    Duration::from_secs(5),
                    fastrand::f64(),
                );
                tokio::time::sleep(delay).await;
            }
            Err(PortError::NotFound { .. }) => return Err((GroupOutcome::Missing, throttled)),
            Err(PortError::AccessDenied { message, .. }) => {
                return Err((GroupOutcome::AccessDenied(message), throttled))
            }
            Err(err) => return Err((GroupOutcome::Failed(err.to_string()), throttled)),
        }
    }
}

/// Insights rows as events. `@log` is `account:group` (or the group); a query
/// over one group may leave it out.
pub(crate) fn rows_to_events(rows: &QueryRows, single_group: Option<&str>) -> Vec<LogEvent> {
    rows.rows
        .iter()
        .filter_map(|row| {
            let field = |name: &str| row.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
            let timestamp = parse_insights_time(field("@timestamp")?)?;
            let group = match field("@log") {
                Some(log) => log
                    .split_once(':')
                    .map(|(_, g)| g)
                    .unwrap_or(log)
                    .to_string(),
                None => single_group?.to_string(),
            };
            Some(LogEvent {
                group,
                stream: field("@logStream").unwrap_or_default().to_string(),
                timestamp,
                ingestion: None,
                event_id: None,
                message: field("@message").unwrap_or_default().to_string(),
                pair: Default::default(),
            })
        })
        .collect()
}

/// `2026-01-28 03:12:00.123` (UTC), as Insights writes `@timestamp`.
fn parse_insights_time(text: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
        .or_else(|| DateTime::parse_from_rfc3339(text).ok().map(|t| t.to_utc()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn chunks_cover_the_window_newest_first_without_gaps() {
        let start = Utc.with_ymd_and_hms(2026, 1, 28, 0, 0, 0).unwrap();
        let end = start + chrono::Duration::hours(13);
        let c = chunks(start, end, chrono::Duration::hours(6));
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].1, end);
        assert_eq!(c[2].0, start);
        for pair in c.windows(2) {
            assert_eq!(pair[0].0, pair[1].1, "no gap, no overlap");
        }
    }

    #[test]
    fn the_query_quotes_the_id() {
        assert!(query_for("corr-123").contains("filter @message like \"corr-123\""));
        assert!(query_for("a\"b").contains("like \"a\\\"b\""));
    }

    #[test]
    fn insights_times_parse_as_utc() {
        let t = parse_insights_time("2026-01-28 03:12:00.123").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-01-28T03:12:00.123+00:00");
    }
}
