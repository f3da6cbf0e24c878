//! `--follow`: after the search, poll for new lines with the ID, print each
//! once, until Ctrl-C.

use crate::domain::logsearch::{LogEvent, Matcher};
use crate::domain::ports::LogSearchPort;
use crate::domain::{Clock, Pair};
use crate::workers::logsearch::filter_search;

/// How often `--follow` looks for new lines.
pub(super) const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_secs(3);
/// Each look goes this far back (lines are ingested late); repeats are dropped.
pub(super) const FOLLOW_OVERLAP_SECONDS: i64 = 30;

/// Poll for new lines with the ID until Ctrl-C; true when any arrived.
/// `interrupted` listens for Ctrl-C from before the search began, for the
/// whole follow, polls included: an interrupt is never lost (a listener
/// made afresh each time would miss one that came in between, and once
/// tokio handles SIGINT the default no longer ends the process).
pub(super) async fn follow(
    interrupted: &mut tokio::signal::unix::Signal,
    sources: &[(Pair, &dyn LogSearchPort, Vec<String>)],
    matcher: &Matcher,
    from: chrono::DateTime<chrono::Utc>,
    already: &[LogEvent],
    clock: &dyn Clock,
    mut print: impl FnMut(&[LogEvent]),
) -> bool {
    use std::hash::{Hash, Hasher};
    let key = |e: &LogEvent| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (&e.pair, &e.group, &e.stream, e.timestamp, &e.message).hash(&mut h);
        h.finish()
    };
    crate::errln!(
        "following {}: new lines appear as they arrive (Ctrl-C ends)",
        matcher.id()
    );
    let mut seen: std::collections::HashSet<u64> = already.iter().map(key).collect();
    let mut last = from;
    let mut any = false;
    loop {
        tokio::select! {
            _ = interrupted.recv() => return any,
            _ = tokio::time::sleep(FOLLOW_EVERY) => {}
        }
        let now = clock.now();
        let start = last - chrono::Duration::seconds(FOLLOW_OVERLAP_SECONDS);
        // Every pair looked at together; their new lines merged by time.
        let polls = sources.iter().map(|(pair, search, groups)| async move {
            let result = filter_search(*search, groups, matcher, start, now, |_| {}).await;
            result.events.into_iter().map(move |e| LogEvent {
                pair: pair.clone(),
                ..e
            })
        });
        let found = tokio::select! {
            _ = interrupted.recv() => return any,
            found = futures::future::join_all(polls) => found,
        };
        let mut fresh: Vec<LogEvent> = found
            .into_iter()
            .flatten()
            .filter(|e| seen.insert(key(e)))
            .collect();
        fresh.sort_by_key(|e| e.timestamp);
        if !fresh.is_empty() {
            any = true;
            print(&fresh);
        }
        last = now;
    }
}
