//! The Logs Insights engine over a fake port that, like AWS, returns at most
//! a fixed number of rows per query and says how many matched: a chunk cut
//! off is halved until every row comes back; throttling is retried; more
//! than 50 groups take several queries; near-miss IDs never match.

use chrono::{DateTime, TimeZone, Utc};
use std::sync::Mutex;
use triage::domain::logsearch::{LogEvent, Matcher};
use triage::domain::ports::{FilterPage, LogSearchPort, PortFuture, QueryRows};
use triage::domain::PortError;
use triage::workers::insights::insights_search;
use triage::workers::logsearch::GroupOutcome;

/// Rows one fake query returns (AWS: 10,000).
const CAP: usize = 5;

/// (groups, start, end, matched, returned) of one query answered.
type Answered = (usize, DateTime<Utc>, DateTime<Utc>, u64, usize);

struct FakeInsights {
    events: Vec<LogEvent>,
    queries: Mutex<Vec<Answered>>,
    throttle_first: Mutex<u32>,
    missing: Option<String>,
}

impl LogSearchPort for FakeInsights {
    fn filter_page<'a>(
        &'a self,
        _: &'a str,
        _: &'a str,
        _: DateTime<Utc>,
        _: DateTime<Utc>,
        _: Option<String>,
    ) -> PortFuture<'a, FilterPage> {
        panic!("the insights engine never pages FilterLogEvents")
    }

    fn insights<'a>(
        &'a self,
        groups: &'a [String],
        query: &'a str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        limit: u32,
    ) -> PortFuture<'a, QueryRows> {
        assert!(groups.len() <= 50, "at most 50 groups per query");
        assert!(query.contains("like \"corr-123\""), "{query}");
        assert_eq!(limit, 10_000);
        Box::pin(async move {
            {
                let mut throttle = self.throttle_first.lock().unwrap();
                if *throttle > 0 {
                    *throttle -= 1;
                    return Err(PortError::Throttled {
                        operation: "StartQuery".into(),
                    });
                }
            }
            if let Some(missing) = &self.missing {
                if groups.contains(missing) {
                    return Err(PortError::NotFound {
                        what: triage::domain::Missing::LogGroup,
                        message: format!("{missing}: the specified log group does not exist."),
                    });
                }
            }
            // Substring match, like the server; newest first, capped.
            let mut hits: Vec<&LogEvent> = self
                .events
                .iter()
                .filter(|e| groups.contains(&e.group))
                .filter(|e| e.timestamp >= start && e.timestamp < end)
                .filter(|e| e.message.contains("corr-123"))
                .collect();
            hits.sort_by_key(|e| std::cmp::Reverse(e.timestamp));
            let matched = hits.len() as u64;
            hits.truncate(CAP);
            self.queries
                .lock()
                .unwrap()
                .push((groups.len(), start, end, matched, hits.len()));
            Ok(QueryRows {
                rows: hits
                    .into_iter()
                    .map(|e| {
                        vec![
                            (
                                "@timestamp".to_string(),
                                e.timestamp.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
                            ),
                            ("@message".to_string(), e.message.clone()),
                            ("@logStream".to_string(), e.stream.clone()),
                            ("@log".to_string(), format!("123456789012:{}", e.group)),
                        ]
                    })
                    .collect(),
                matched: Some(matched),
            })
        })
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 28, 0, 0, 0).unwrap()
}

fn ev(group: &str, secs: i64, message: String) -> LogEvent {
    LogEvent {
        group: group.into(),
        stream: format!("api/app/{group}-task"),
        timestamp: t0() + chrono::Duration::seconds(secs),
        ingestion: None,
        event_id: None,
        message,
        pair: Default::default(),
    }
}

fn fake(groups: &[String]) -> FakeInsights {
    let mut events = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        // The request passes every group over 20 hours; near misses and noise around it.
        for i in 0..4 {
            let secs = (g as i64 * 97 + i * 17_000) % 72_000;
            events.push(ev(
                group,
                secs,
                format!(r#"{{"correlationId":"corr-123","step":{i}}}"#),
            ));
            events.push(ev(
                group,
                secs + 1,
                format!(r#"{{"correlationId":"corr-1234","step":{i}}}"#),
            ));
            events.push(ev(group, secs + 2, "GET /health 200".into()));
        }
    }
    FakeInsights {
        events,
        queries: Mutex::new(Vec::new()),
        throttle_first: Mutex::new(0),
        missing: None,
    }
}

fn groups(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("/ecs/prod/svc-{i:02}")).collect()
}

#[tokio::test]
async fn a_cut_off_chunk_is_halved_until_every_row_comes_back() {
    let groups = groups(3);
    let port = fake(&groups);
    let matcher = Matcher::new("corr-123", &[]).unwrap();
    let mut streamed = Vec::new();
    let result = insights_search(
        &port,
        &groups,
        &matcher,
        t0(),
        t0() + chrono::Duration::hours(20),
        chrono::Duration::hours(6),
        |hits| streamed.extend(hits.iter().cloned()),
    )
    .await;
    // 3 groups × 4 passes, near misses excluded.
    assert_eq!(result.events.len(), 12, "{:#?}", result.events);
    assert!(result
        .events
        .iter()
        .all(|e| e.message.contains("\"corr-123\"")));
    assert!(
        result
            .events
            .windows(2)
            .all(|w| w[0].timestamp <= w[1].timestamp),
        "in time order"
    );
    assert_eq!(streamed, result.events);
    assert!(result.complete());
    let queries = port.queries.lock().unwrap();
    // Some chunk matched more than a query returns, and was halved…
    assert!(queries.iter().any(|q| q.3 as usize > q.4), "{queries:#?}");
    // …and every piece that was not halved again came back whole.
    let leaves: Vec<_> = queries.iter().filter(|q| q.3 as usize == q.4).collect();
    let rows: u64 = leaves.iter().map(|q| q.3).sum();
    assert_eq!(
        rows, 24,
        "12 hits and 12 near misses (the server matches substrings)"
    );
    // Newest first: the first query ends at the window's end.
    assert_eq!(queries[0].2, t0() + chrono::Duration::hours(20));
}

#[tokio::test]
async fn throttled_queries_are_retried_and_counted() {
    let groups = groups(2);
    let port = fake(&groups);
    *port.throttle_first.lock().unwrap() = 2;
    let matcher = Matcher::new("corr-123", &[]).unwrap();
    let result = insights_search(
        &port,
        &groups,
        &matcher,
        t0(),
        t0() + chrono::Duration::hours(20),
        chrono::Duration::hours(20),
        |_| {},
    )
    .await;
    assert_eq!(result.events.len(), 8);
    let throttled: u32 = result
        .groups
        .iter()
        .map(|(_, o)| match o {
            GroupOutcome::Done { throttled, .. } => *throttled,
            other => panic!("{other:?}"),
        })
        .max()
        .unwrap();
    assert_eq!(throttled, 2);
}

#[tokio::test]
async fn more_than_fifty_groups_take_several_queries_and_a_missing_group_is_reported() {
    let groups = groups(60);
    let mut port = fake(&groups);
    port.missing = Some(groups[55].clone());
    let matcher = Matcher::new("corr-123", &[]).unwrap();
    let result = insights_search(
        &port,
        &groups,
        &matcher,
        t0(),
        t0() + chrono::Duration::hours(20),
        chrono::Duration::hours(20),
        |_| {},
    )
    .await;
    let sizes: Vec<usize> = port.queries.lock().unwrap().iter().map(|q| q.0).collect();
    assert!(
        sizes.iter().all(|&n| n == 50),
        "the second batch failed: {sizes:?}"
    );
    // The first 50 groups are searched completely; the batch holding the missing group says so.
    assert_eq!(result.events.len(), 50 * 4);
    assert!(!result.complete());
    let missing: Vec<&String> = result
        .groups
        .iter()
        .filter(|(_, o)| *o == GroupOutcome::Missing)
        .map(|(g, _)| g)
        .collect();
    assert_eq!(missing.len(), 10);
    assert!(missing.contains(&&groups[55]));
}
