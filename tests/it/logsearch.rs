//! The filter engine over a scripted fake port: paging through empty pages,
//! stopping on a repeated token, backing off while throttled, merging groups
//! by time with equal timestamps in a stable order, and saying what it could
//! not search.

use chrono::{DateTime, TimeZone, Utc};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use triage::domain::logsearch::{LogEvent, Matcher};
use triage::domain::ports::{FilterPage, LogSearchPort, PortFuture};
use triage::domain::PortError;
use triage::workers::logsearch::{filter_search, GroupOutcome};

type Script = VecDeque<Result<FilterPage, PortError>>;

#[derive(Default)]
struct FakeLogs {
    scripts: Mutex<HashMap<String, Script>>,
    calls: Mutex<Vec<(String, Option<String>)>>,
}

impl FakeLogs {
    fn script(self, group: &str, pages: Vec<Result<FilterPage, PortError>>) -> Self {
        self.scripts
            .lock()
            .unwrap()
            .insert(group.into(), pages.into());
        self
    }
}

impl LogSearchPort for FakeLogs {
    fn filter_page<'a>(
        &'a self,
        group: &'a str,
        pattern: &'a str,
        _start: DateTime<Utc>,
        _end: DateTime<Utc>,
        token: Option<String>,
    ) -> PortFuture<'a, FilterPage> {
        assert_eq!(pattern, "\"corr-123\"", "the server gets the quoted term");
        self.calls.lock().unwrap().push((group.to_string(), token));
        let next = self
            .scripts
            .lock()
            .unwrap()
            .get_mut(group)
            .and_then(|s| s.pop_front());
        Box::pin(async move { next.unwrap_or(Ok(FilterPage::default())) })
    }
    fn insights<'a>(
        &'a self,
        _groups: &'a [String],
        _query: &'a str,
        _start: DateTime<Utc>,
        _end: DateTime<Utc>,
        _limit: u32,
    ) -> PortFuture<'a, triage::domain::ports::QueryRows> {
        Box::pin(async { Ok(triage::domain::ports::QueryRows::default()) })
    }
}

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_769_569_920 + secs, 0).unwrap()
}

fn ev(group: &str, secs: i64, message: &str) -> LogEvent {
    LogEvent {
        group: group.into(),
        stream: format!("ecs/app/{group}-task"),
        timestamp: t(secs),
        ingestion: Some(t(secs)),
        event_id: None,
        message: message.into(),
        pair: Default::default(),
    }
}

fn page(events: Vec<LogEvent>, next: Option<&str>) -> Result<FilterPage, PortError> {
    Ok(FilterPage {
        events,
        next_token: next.map(str::to_string),
    })
}

fn hit(service: &str) -> String {
    format!(r#"{{"service":"{service}","correlationId":"corr-123"}}"#)
}

fn groups(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn pages_to_the_real_end_and_merges_groups_by_time() {
    let fake = FakeLogs::default()
        .script(
            "/ecs/frontend",
            vec![
                page(
                    vec![
                        ev("/ecs/frontend", 1, &hit("frontend")),
                        ev("/ecs/frontend", 2, r#"{"correlationId":"corr-1234"}"#),
                    ],
                    Some("f1"),
                ),
                // Empty, but more remain.
                page(vec![], Some("f2")),
                page(vec![ev("/ecs/frontend", 5, &hit("frontend"))], None),
            ],
        )
        .script(
            "/ecs/backend",
            vec![
                page(
                    vec![
                        ev("/ecs/backend", 3, &hit("backend")),
                        ev("/ecs/backend", 5, &hit("backend")),
                    ],
                    Some("b1"),
                ),
                // The same token again: the end.
                page(vec![], Some("b1")),
            ],
        );
    let matcher = Matcher::new("corr-123", &[]).unwrap();
    let mut batches = 0;
    let result = filter_search(
        &fake,
        &groups(&["/ecs/frontend", "/ecs/backend"]),
        &matcher,
        t(0),
        t(60),
        |_| batches += 1,
    )
    .await;

    let order: Vec<(i64, &str)> = result
        .events
        .iter()
        .map(|e| (e.timestamp.timestamp() - 1_769_569_920, e.group.as_str()))
        .collect();
    // The near miss (corr-1234) is gone; equal timestamps (5) in a stable order.
    assert_eq!(
        order,
        vec![
            (1, "/ecs/frontend"),
            (3, "/ecs/backend"),
            (5, "/ecs/backend"),
            (5, "/ecs/frontend")
        ]
    );
    assert!(result.complete());
    assert_eq!(
        result.groups[0],
        (
            "/ecs/frontend".into(),
            GroupOutcome::Done {
                pages: 3,
                hits: 2,
                throttled: 0
            }
        )
    );
    assert_eq!(
        result.groups[1],
        (
            "/ecs/backend".into(),
            GroupOutcome::Done {
                pages: 2,
                hits: 2,
                throttled: 0
            }
        )
    );
    assert!(batches >= 1);
    let calls = fake.calls.lock().unwrap();
    assert!(
        calls.contains(&("/ecs/frontend".into(), Some("f2".into()))),
        "paged past the empty page"
    );
    assert_eq!(
        calls.iter().filter(|(g, _)| g == "/ecs/backend").count(),
        2,
        "stopped at the repeated token"
    );
}

#[tokio::test(start_paused = true)]
async fn throttling_is_backed_off_and_the_result_is_still_complete() {
    let throttled = || {
        Err(PortError::Throttled {
            operation: "FilterLogEvents".into(),
        })
    };
    let fake = FakeLogs::default().script(
        "/ecs/chatbot",
        vec![
            throttled(),
            throttled(),
            page(vec![ev("/ecs/chatbot", 4, &hit("chatbot"))], Some("c1")),
            throttled(),
            page(vec![ev("/ecs/chatbot", 9, &hit("chatbot"))], None),
        ],
    );
    let matcher = Matcher::new("corr-123", &[]).unwrap();
    let started = tokio::time::Instant::now();
    let result = filter_search(
        &fake,
        &groups(&["/ecs/chatbot"]),
        &matcher,
        t(0),
        t(60),
        |_| {},
    )
    .await;
    assert!(result.complete());
    assert_eq!(result.events.len(), 2);
    assert_eq!(
        result.groups[0].1,
        GroupOutcome::Done {
            pages: 2,
            hits: 2,
            throttled: 3
        }
    );
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(100),
        "it waited between retries"
    );
}

#[tokio::test(start_paused = true)]
async fn what_could_not_be_searched_is_said_and_the_rest_still_comes() {
    let fake = FakeLogs::default()
        .script(
            "/ecs/gone",
            vec![Err(PortError::NotFound {
                what: triage::domain::Missing::LogGroup,
                message: "gone".into(),
            })],
        )
        .script(
            "/ecs/secret",
            vec![Err(PortError::AccessDenied {
                operation: "FilterLogEvents".into(),
                message: "not authorized".into(),
            })],
        )
        .script(
            "/ecs/busy",
            (0..20)
                .map(|_| {
                    Err(PortError::Throttled {
                        operation: "FilterLogEvents".into(),
                    })
                })
                .collect(),
        )
        .script(
            "/ecs/ok",
            vec![page(
                vec![ev("/ecs/ok", 1, "plain text corr-123 done")],
                None,
            )],
        );
    let matcher = Matcher::new("corr-123", &[]).unwrap();
    let result = filter_search(
        &fake,
        &groups(&["/ecs/gone", "/ecs/secret", "/ecs/busy", "/ecs/ok"]),
        &matcher,
        t(0),
        t(60),
        |_| {},
    )
    .await;
    assert!(!result.complete());
    assert_eq!(result.groups[0].1, GroupOutcome::Missing);
    assert_eq!(
        result.groups[1].1,
        GroupOutcome::AccessDenied("not authorized".into())
    );
    assert!(matches!(result.groups[2].1, GroupOutcome::Failed(_)));
    assert_eq!(result.events.len(), 1, "the readable group's hit is there");
}
