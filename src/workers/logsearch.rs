//! The `filter` search engine: FilterLogEvents fanned out over every group at
//! once, each group paged until its token is really gone (empty pages do not
//! end a search; a repeated token does), throttling backed off with jitter,
//! every hit checked exactly on the client and merged by time as it arrives.
//! What was searched, and how each group ended, is part of the answer.

use crate::domain::logsearch::{filter_pattern, LogEvent, Matcher, Merger};
use crate::domain::ports::LogSearchPort;
use crate::domain::PortError;
use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt};
use std::time::Duration;

/// How one group's search ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupOutcome {
    Done {
        pages: usize,
        hits: usize,
        throttled: u32,
    },
    Missing,
    AccessDenied(String),
    /// Gave up (throttled too long, network…): the result is incomplete.
    Failed(String),
    /// Not searched (to the end): the search reached its cap of this many calls.
    Capped(u64),
}

#[derive(Debug, Clone)]
pub struct SearchResult {
    /// Every hit, in time order.
    pub events: Vec<LogEvent>,
    /// Per group, in the order given.
    pub groups: Vec<(String, GroupOutcome)>,
}

impl SearchResult {
    pub fn complete(&self) -> bool {
        self.groups
            .iter()
            .all(|(_, o)| matches!(o, GroupOutcome::Done { .. }))
    }
}

/// Groups searched at once: every group's first page goes out together (the
/// adapter's shared token bucket paces the calls), so the first hits come
/// as soon as the slowest group has answered once.
pub(crate) const GROUPS_AT_ONCE: usize = 32;
/// Task definitions read at once while discovering groups (the ECS budget paces them).
const DEFINITIONS_AT_ONCE: usize = 8;
/// Retries of one page while the service throttles.
pub(crate) const THROTTLE_RETRIES: u32 = 6;

/// Search `groups` for `matcher`'s ID between `start` and `end`. `on_hits`
/// gets hits as soon as their order is certain.
pub async fn filter_search(
    port: &dyn LogSearchPort,
    groups: &[String],
    matcher: &Matcher,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    on_hits: impl FnMut(&[LogEvent]),
) -> SearchResult {
    let unlimited = super::pipeline::CallCap::new(None);
    filter_search_capped(port, groups, matcher, start, end, &unlimited, on_hits).await
}

/// [`filter_search`], every call taken from `cap`.
pub(crate) async fn filter_search_capped(
    port: &dyn LogSearchPort,
    groups: &[String],
    matcher: &Matcher,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    cap: &super::pipeline::CallCap,
    mut on_hits: impl FnMut(&[LogEvent]),
) -> SearchResult {
    let pattern = filter_pattern(matcher.id());
    let (tx, mut rx) =
        tokio::sync::mpsc::unbounded_channel::<(String, Result<Vec<LogEvent>, GroupOutcome>)>();
    // The senders live in the search futures only, so the receiver ends when they do.
    let searches = stream::iter(groups.iter().cloned())
        .map(move |group| {
            let tx = tx.clone();
            let pattern = pattern.clone();
            async move {
                let outcome =
                    search_group_capped(port, &group, &pattern, start, end, matcher, cap, |hits| {
                        let _ = tx.send((group.clone(), Ok(hits)));
                    })
                    .await;
                let _ = tx.send((group, Err(outcome)));
            }
        })
        .buffer_unordered(GROUPS_AT_ONCE)
        .collect::<Vec<()>>();

    let mut merger = Merger::new(groups);
    let mut events = Vec::new();
    let mut outcomes: Vec<(String, GroupOutcome)> = Vec::new();
    let receive = async {
        while let Some((group, message)) = rx.recv().await {
            match message {
                Ok(hits) => merger.push(&group, hits),
                Err(outcome) => {
                    merger.finish(&group);
                    outcomes.push((group, outcome));
                }
            }
            let ready = merger.ready();
            if !ready.is_empty() {
                on_hits(&ready);
                events.extend(ready);
            }
        }
    };
    futures::join!(searches, receive);
    let rest = merger.drain();
    if !rest.is_empty() {
        on_hits(&rest);
        events.extend(rest);
    }
    outcomes.sort_by_key(|(g, _)| groups.iter().position(|x| x == g));
    SearchResult {
        events,
        groups: outcomes,
    }
}

/// One group's pages, each call taken from `cap`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn search_group_capped(
    port: &dyn LogSearchPort,
    group: &str,
    pattern: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    matcher: &Matcher,
    cap: &super::pipeline::CallCap,
    mut send: impl FnMut(Vec<LogEvent>),
) -> GroupOutcome {
    let (mut pages, mut hits, mut throttled) = (0usize, 0usize, 0u32);
    let mut token: Option<String> = None;
    let mut retries = 0;
    loop {
        if !cap.take() {
            return cap.refused();
        }
        match port
            .filter_page(group, pattern, start, end, token.clone())
            .await
        {
            Ok(page) => {
                retries = 0;
                pages += 1;
                let matched: Vec<LogEvent> = page
                    .events
                    .into_iter()
                    .filter(|e| matcher.matches(&e.message))
                    .collect();
                hits += matched.len();
                send(matched);
                match page.next_token {
                    // Empty pages can come while more remain: keep going.
                    Some(next) if Some(&next) != token.as_ref() => token = Some(next),
                    // Absent, or the same token twice: the end.
                    _ => {
                        return GroupOutcome::Done {
                            pages,
                            hits,
                            throttled,
                        }
                    }
                }
            }
            Err(PortError::Throttled { .. }) if retries < THROTTLE_RETRIES => {
                throttled += 1;
                retries += 1;
                let delay = crate::domain::backoff::backoff_delay(
                    retries,
                    Duration::from_millis(200),
                    Duration::from_secs(5),
                    fastrand::f64(),
                );
                tokio::time::sleep(delay).await;
            }
            Err(PortError::NotFound { .. }) => return GroupOutcome::Missing,
            Err(PortError::AccessDenied { message, .. }) => {
                return GroupOutcome::AccessDenied(message)
            }
            Err(err) => return GroupOutcome::Failed(err.to_string()),
        }
    }
}

pub use crate::domain::logsearch::SearchTarget;

/// The log groups of the watched services, from their task definitions
/// (`awslogs-group`; cached by the port), each once.
pub(crate) async fn discover_groups(
    ecs: &dyn crate::domain::ports::EcsPort,
    clusters: &[String],
    services: &[String],
) -> Result<Vec<SearchTarget>, PortError> {
    let snapshot = super::status::fetch_status(ecs, clusters).await?;
    let wanted: Vec<(String, String)> = snapshot
        .services
        .iter()
        .filter(|s| services.is_empty() || services.iter().any(|n| n == &s.name))
        .map(|s| {
            (
                format!("{}/{}", s.cluster, s.name),
                s.task_definition.clone(),
            )
        })
        .collect();
    // Read at once (most come from the cache); the order stays the services'.
    let definitions: Vec<(String, Option<crate::domain::ports::TaskDefinition>)> =
        stream::iter(wanted)
            .map(|(service, arn)| async move { (service, ecs.task_definition(&arn).await.ok()) })
            .buffered(DEFINITIONS_AT_ONCE)
            .collect()
            .await;
    let mut targets: Vec<SearchTarget> = Vec::new();
    for (service, td) in definitions {
        let Some(td) = td else {
            continue;
        };
        for group in td.containers.iter().filter_map(|c| c.log_group.clone()) {
            if !targets.iter().any(|t| t.group == group) {
                targets.push(SearchTarget {
                    group,
                    service: Some(service.clone()),
                });
            }
        }
    }
    Ok(targets)
}

/// Where the console's searches look besides the services' own groups, and
/// what they may spend.
#[derive(Debug, Clone, Default)]
pub struct SearchScope {
    pub clusters: Vec<String>,
    pub extra_groups: Vec<String>,
    /// JSON fields carrying the ID (empty: the defaults).
    pub fields: Vec<String>,
    /// A search stops here and asks before going on (`[logs] max_calls`).
    pub max_calls: u64,
    /// The groups the last discovery found.
    pub log_groups: Option<crate::store::log_groups::LogGroupCache>,
}

/// One search the console asked for.
#[derive(Debug, Clone)]
pub struct ConsoleQuery {
    pub generation: u64,
    pub id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Past the call cap (the engineer said yes).
    pub search_all: bool,
}

/// How one pair's search ended: complete or not, what was searched (or
/// why not), and whether it stopped at the call cap.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchEnd {
    pub complete: bool,
    pub coverage: String,
    pub capped: bool,
}

/// Hits as a search finds them, with (log group, service) of the groups searched.
pub(crate) type OnHits<'a> = dyn Fn(Vec<LogEvent>, Vec<(String, String)>) + Send + Sync + 'a;

/// One pair's search for the console, as a pipeline: hits handed to
/// `on_hits` as they are found (with the services of their groups), then how
/// it ended and what it cost.
pub(crate) async fn pair_search(
    ecs: &dyn crate::domain::ports::EcsPort,
    search: &dyn LogSearchPort,
    scope: &SearchScope,
    query: &ConsoleQuery,
    on_hits: &OnHits<'_>,
) -> SearchEnd {
    // Long on purpose: one search from the console: discovery, fan-out, streaming hits and the final coverage report share the counters.
    use super::pipeline::{pipeline_search, CallCap, SearchWindow};
    let ConsoleQuery {
        id,
        start,
        end,
        search_all,
        ..
    } = query.clone();
    let done = |complete: bool, coverage: String, capped: bool| SearchEnd {
        complete,
        coverage,
        capped,
    };
    let matcher = match Matcher::new(&id, &scope.fields) {
        Ok(m) => m,
        Err(message) => return done(false, message.to_string(), false),
    };
    let mut known = scope
        .log_groups
        .as_ref()
        .map(|c| c.get(&scope.clusters, &[]))
        .unwrap_or_default();
    for group in &scope.extra_groups {
        if !known.iter().any(|t| &t.group == group) {
            known.push(SearchTarget {
                group: group.clone(),
                service: None,
            });
        }
    }
    let discovery = async {
        let found = discover_groups(ecs, &scope.clusters, &[]).await;
        if let (Ok(targets), Some(cache)) = (&found, &scope.log_groups) {
            cache.put(&scope.clusters, &[], targets);
        }
        found
    };
    let cap = CallCap::new((!search_all).then_some(scope.max_calls));
    let calls_before = search.calls();
    let outcome = pipeline_search(
        search,
        known,
        &scope.extra_groups,
        discovery,
        SearchWindow {
            matcher: &matcher,
            start,
            end,
            now: end,
            cap: &cap,
        },
        |hits, targets| {
            on_hits(
                hits.to_vec(),
                targets
                    .iter()
                    .map(|t| {
                        (
                            t.group.clone(),
                            t.service.clone().unwrap_or_else(|| t.group.clone()),
                        )
                    })
                    .collect(),
            )
        },
    )
    .await;
    if outcome.targets.is_empty() {
        return done(
            false,
            match &outcome.discovered {
                Err(err) => format!("cannot list the log groups: {err}"),
                Ok(_) => {
                    "no log groups: the services' task definitions name no awslogs group".into()
                }
            },
            false,
        );
    }
    let result = &outcome.result;
    let mut capped = false;
    let problems: Vec<String> = result
        .groups
        .iter()
        .filter_map(|(group, outcome)| match outcome {
            GroupOutcome::Done { .. } => None,
            GroupOutcome::Missing => Some(format!("{group}: missing")),
            GroupOutcome::AccessDenied(m) => Some(format!("{group}: access denied ({m})")),
            GroupOutcome::Failed(m) => Some(format!("{group}: not searched ({m})")),
            GroupOutcome::Capped(limit) => {
                capped = true;
                Some(format!("{group}: not searched (cap of {limit} calls)"))
            }
        })
        .collect();
    let calls = crate::domain::ports::calls_since(&calls_before, &search.calls());
    let made: u64 = calls.values().sum();
    let cost = format!(
        "{made} call{} in {:.1} s",
        if made == 1 { "" } else { "s" },
        outcome.took.as_secs_f64()
    );
    let coverage = if problems.is_empty() {
        format!(
            "{} log groups searched, {} to {} UTC · {cost}",
            outcome.targets.len(),
            start.format("%H:%M:%S"),
            end.format("%H:%M:%S")
        )
    } else {
        format!("INCOMPLETE — {} · {cost}", problems.join("; "))
    };
    done(result.complete(), coverage, capped)
}
