//! A search as a pipeline: the groups already known (from the log-group
//! cache, the config, `--log-group`) are searched at once while discovery
//! reads the services' task definitions; a group discovered later joins the
//! search. Hits are merged by time and released once discovery has said
//! which groups exist (nothing can come before them after that), so the
//! output is in order whatever joins late.
//!
//! Each group's window is clipped to its retention when the window is
//! longer than a day (what is older is gone), and every call counts against
//! a [`CallCap`] so a window that would need thousands of calls stops and
//! says so instead of running for hours.

use super::logsearch::{search_group_capped, GroupOutcome, SearchResult, GROUPS_AT_ONCE};
use crate::domain::logsearch::{filter_pattern, LogEvent, Matcher, Merger, SearchTarget};
use crate::domain::ports::LogSearchPort;
use crate::domain::PortError;
use chrono::{DateTime, Utc};
use futures::stream::{FuturesUnordered, StreamExt};
use futures::FutureExt;
use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Calls a search may make; `None`: as many as it takes (`--yes`).
#[derive(Debug, Default)]
pub struct CallCap {
    limit: Option<u64>,
    used: AtomicU64,
}

impl CallCap {
    pub fn new(limit: Option<u64>) -> CallCap {
        CallCap {
            limit,
            used: AtomicU64::new(0),
        }
    }

    /// Take one call; false once the cap is reached.
    pub fn take(&self) -> bool {
        let used = self.used.fetch_add(1, Ordering::Relaxed);
        match self.limit {
            Some(limit) if used >= limit => {
                self.used.fetch_sub(1, Ordering::Relaxed);
                false
            }
            _ => true,
        }
    }

    pub(crate) fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    pub fn limit(&self) -> Option<u64> {
        self.limit
    }

    /// The outcome of a group the cap stopped.
    pub fn refused(&self) -> GroupOutcome {
        GroupOutcome::Capped(self.limit.unwrap_or_default())
    }
}

/// A group's window starts later than asked because the group keeps fewer days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clipped {
    pub group: String,
    pub days: u32,
    pub from: DateTime<Utc>,
}

/// How a pipeline search went.
#[derive(Debug)]
pub struct PipelineOutcome {
    pub result: SearchResult,
    /// Every group searched, with the service that writes to it.
    pub targets: Vec<SearchTarget>,
    /// What discovery found, or why it failed (the known groups were still searched).
    pub discovered: Result<Vec<SearchTarget>, PortError>,
    /// Groups from the cache that discovery no longer finds and that do not exist.
    pub gone: Vec<String>,
    pub clipped: Vec<Clipped>,
    pub discovery_took: Duration,
    pub took: Duration,
}

/// Held in the merge until discovery ends.
const DISCOVERY: &str = "\u{0}discovery";

enum Report {
    Hits(Vec<LogEvent>),
    Clipped(Clipped),
    Done(GroupOutcome),
}

type Job<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// What a search needs besides where to look.
pub struct SearchWindow<'a> {
    pub matcher: &'a Matcher,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// For retention: what is older than a group keeps is gone.
    pub now: DateTime<Utc>,
    pub cap: &'a CallCap,
}

/// Search `known` at once and whatever `discovery` adds when it ends.
/// `confirmed` are groups that must be reported even when missing (named in
/// the config or on the command line); a cached group that discovery no
/// longer finds and that is missing is dropped quietly. `on_hits` gets hits
/// in time order with every target known so far.
pub async fn pipeline_search<D>(
    port: &dyn LogSearchPort,
    known: Vec<SearchTarget>,
    confirmed: &[String],
    discovery: D,
    window: SearchWindow<'_>,
    mut on_hits: impl FnMut(&[LogEvent], &[SearchTarget]),
) -> PipelineOutcome
where
    D: Future<Output = Result<Vec<SearchTarget>, PortError>>,
{
    // Long on purpose: the search pipeline (discover, cap, fan out, merge) in one function so the call cap is checked at one place.
    let started = Instant::now();
    let SearchWindow {
        matcher,
        start,
        end,
        now,
        cap,
    } = window;
    let pattern = filter_pattern(matcher.id());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, Report)>();
    let mut targets: Vec<SearchTarget> = Vec::new();
    for t in known {
        if !targets.iter().any(|x| x.group == t.group) {
            targets.push(t);
        }
    }
    let mut queue: VecDeque<String> = targets.iter().map(|t| t.group.clone()).collect();
    let mut merger = Merger::new(&queue.iter().cloned().collect::<Vec<_>>());
    merger.add(DISCOVERY);
    let mut confirmed: HashSet<String> = confirmed.iter().cloned().collect();
    let mut running: FuturesUnordered<Job<'_>> = FuturesUnordered::new();
    let mut discovery = Box::pin(discovery.fuse());
    let mut discovered: Option<Result<Vec<SearchTarget>, PortError>> = None;
    let mut discovery_took = Duration::ZERO;
    let mut events = Vec::new();
    let mut outcomes: Vec<(String, GroupOutcome)> = Vec::new();
    let mut clipped = Vec::new();
    let pattern = pattern.as_str();

    loop {
        while running.len() < GROUPS_AT_ONCE {
            let Some(group) = queue.pop_front() else {
                break;
            };
            running.push(Box::pin(group_job(
                port,
                group,
                pattern,
                (start, end, now),
                matcher,
                cap,
                tx.clone(),
            )));
        }
        if discovered.is_some() && running.is_empty() {
            while let Ok(message) = rx.try_recv() {
                take(message, &mut merger, &mut outcomes, &mut clipped);
            }
            break;
        }
        tokio::select! {
            result = &mut discovery, if discovered.is_none() => {
                discovery_took = started.elapsed();
                if let Ok(found) = &result {
                    for t in found {
                        confirmed.insert(t.group.clone());
                        match targets.iter_mut().find(|x| x.group == t.group) {
                            // Discovery knows the service of a group named only by group.
                            Some(known) => {
                                if known.service.is_none() {
                                    known.service = t.service.clone();
                                }
                            }
                            None => {
                                targets.push(t.clone());
                                merger.add(&t.group);
                                queue.push_back(t.group.clone());
                            }
                        }
                    }
                }
                merger.finish(DISCOVERY);
                discovered = Some(result);
            }
            Some(()) = running.next(), if !running.is_empty() => {}
            Some(message) = rx.recv() => take(message, &mut merger, &mut outcomes, &mut clipped),
        }
        let ready = merger.ready();
        if !ready.is_empty() {
            on_hits(&ready, &targets);
            events.extend(ready);
        }
    }
    let rest = merger.drain();
    if !rest.is_empty() {
        on_hits(&rest, &targets);
        events.extend(rest);
    }
    // A group only the cache remembered, now gone: not a problem to report.
    let gone: Vec<String> = outcomes
        .iter()
        .filter(|(g, o)| matches!(o, GroupOutcome::Missing) && !confirmed.contains(g))
        .map(|(g, _)| g.clone())
        .collect();
    outcomes.retain(|(g, _)| !gone.contains(g));
    targets.retain(|t| !gone.contains(&t.group));
    outcomes.sort_by_key(|(g, _)| targets.iter().position(|t| &t.group == g));
    PipelineOutcome {
        result: SearchResult {
            events,
            groups: outcomes,
        },
        targets,
        discovered: discovered.unwrap_or_else(|| Ok(Vec::new())),
        gone,
        clipped,
        discovery_took,
        took: started.elapsed(),
    }
}

fn take(
    (group, report): (String, Report),
    merger: &mut Merger,
    outcomes: &mut Vec<(String, GroupOutcome)>,
    clipped: &mut Vec<Clipped>,
) {
    match report {
        Report::Hits(hits) => merger.push(&group, hits),
        Report::Clipped(c) => clipped.push(c),
        Report::Done(outcome) => {
            merger.finish(&group);
            outcomes.push((group, outcome));
        }
    }
}

/// Windows longer than this have each group's retention checked (the
/// shortest retention is a day, so a shorter window costs no call).
pub(crate) fn retention_matters(start: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - start > chrono::Duration::days(1)
}

/// One group: its retention (for long windows), then its pages.
async fn group_job<'a>(
    port: &'a dyn LogSearchPort,
    group: String,
    pattern: &'a str,
    (start, end, now): (DateTime<Utc>, DateTime<Utc>, DateTime<Utc>),
    matcher: &'a Matcher,
    cap: &'a CallCap,
    tx: tokio::sync::mpsc::UnboundedSender<(String, Report)>,
) {
    let mut from = start;
    if retention_matters(start, now) {
        // Unknown retention (or no permission to read it) is no reason to stop.
        if cap.take() {
            if let Ok(Some(days)) = port.retention_days(&group).await {
                let kept_from = now - chrono::Duration::days(i64::from(days));
                if start < kept_from {
                    from = kept_from;
                    let _ = tx.send((
                        group.clone(),
                        Report::Clipped(Clipped {
                            group: group.clone(),
                            days,
                            from: kept_from,
                        }),
                    ));
                }
            }
        }
    }
    let outcome = if from >= end {
        GroupOutcome::Done {
            pages: 0,
            hits: 0,
            throttled: 0,
        }
    } else {
        search_group_capped(port, &group, pattern, from, end, matcher, cap, |hits| {
            let _ = tx.send((group.clone(), Report::Hits(hits)));
        })
        .await
    };
    let _ = tx.send((group, Report::Done(outcome)));
}
