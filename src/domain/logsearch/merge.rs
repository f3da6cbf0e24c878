//! A k-way merge of many log groups' pages into one time-ordered stream.
//! Each group pages forward in time, so once a group has delivered events up
//! to T (or finished), nothing older than T can still come from it: an event is
//! released when every unfinished group has reached its time. Duplicates (the
//! same event from two engines or two pages) are dropped.

use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

/// One log event, wherever it came from. The message is untrusted text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEvent {
    pub group: String,
    pub stream: String,
    pub timestamp: DateTime<Utc>,
    pub ingestion: Option<DateTime<Utc>>,
    /// The service's event id, when the engine gives one (FilterLogEvents does, Insights does not).
    pub event_id: Option<String>,
    pub message: String,
    /// The watched pair whose logs it is in (set by the searcher, not the engine).
    pub pair: crate::domain::Pair,
}

impl LogEvent {
    /// The order of the merged stream: time, then ingestion time, then a
    /// stable tie-break so equal timestamps across groups never flicker.
    fn order_key(&self) -> (DateTime<Utc>, Option<DateTime<Utc>>, &str, &str, &str) {
        (
            self.timestamp,
            self.ingestion,
            &self.group,
            &self.stream,
            &self.message,
        )
    }

    /// What makes two deliveries the same event.
    fn identity(&self) -> (String, String, i64, String) {
        (
            self.group.clone(),
            self.stream.clone(),
            self.timestamp.timestamp_millis(),
            self.message.clone(),
        )
    }
}

#[derive(Debug, Default)]
struct Source {
    /// Newest time delivered so far.
    watermark: Option<DateTime<Utc>>,
    done: bool,
}

/// The merge state.
#[derive(Debug, Default)]
pub struct Merger {
    sources: HashMap<String, Source>,
    pending: Vec<LogEvent>,
    seen: HashSet<(String, String, i64, String)>,
}

impl Merger {
    pub fn new(groups: &[String]) -> Merger {
        Merger {
            sources: groups
                .iter()
                .map(|g| (g.clone(), Source::default()))
                .collect(),
            ..Default::default()
        }
    }

    /// A page from `group` (events in time order, possibly empty).
    pub fn push(&mut self, group: &str, events: Vec<LogEvent>) {
        let source = self.sources.entry(group.to_string()).or_default();
        for event in events {
            source.watermark = source.watermark.max(Some(event.timestamp));
            if self.seen.insert(event.identity()) {
                self.pending.push(event);
            }
        }
    }

    /// A source that joins late: nothing is released past it until it has
    /// sent something or finished. (A search holds everything back this way
    /// until discovery has said which groups exist.)
    pub fn add(&mut self, group: &str) {
        self.sources.entry(group.to_string()).or_default();
    }

    /// `group` will send nothing more (finished, missing, forbidden, gave up).
    pub fn finish(&mut self, group: &str) {
        self.sources.entry(group.to_string()).or_default().done = true;
    }

    #[cfg(test)]
    fn all_done(&self) -> bool {
        self.sources.values().all(|s| s.done)
    }

    /// Events that can no longer be preceded by anything still to come, in order.
    pub fn ready(&mut self) -> Vec<LogEvent> {
        let horizon = self
            .sources
            .values()
            .filter(|s| !s.done)
            .map(|s| s.watermark)
            .min();
        let releasable = |e: &LogEvent| match horizon {
            // Every group finished: everything goes.
            None => true,
            // A running group that has sent nothing yet holds everything back.
            Some(None) => false,
            Some(Some(t)) => e.timestamp <= t,
        };
        let (mut out, keep): (Vec<LogEvent>, Vec<LogEvent>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|e| releasable(e));
        self.pending = keep;
        out.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
        out
    }

    /// Everything still held, in order (for when the caller stops waiting).
    pub fn drain(&mut self) -> Vec<LogEvent> {
        let mut out = std::mem::take(&mut self.pending);
        out.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
        out
    }
}

/// Insert into an already ordered list, for views that show hits as they
/// arrive and keep them in time order.
#[cfg(test)]
fn insert_sorted(list: &mut Vec<LogEvent>, event: LogEvent) {
    let at = list.partition_point(|e| e.order_key() <= event.order_key());
    list.insert(at, event);
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn ev(group: &str, secs: i64, msg: &str) -> LogEvent {
        LogEvent {
            group: group.into(),
            stream: "ecs/api/t1".into(),
            timestamp: Utc.timestamp_opt(1_769_569_920 + secs, 0).unwrap(),
            ingestion: None,
            event_id: None,
            message: msg.into(),
            pair: Default::default(),
        }
    }

    fn groups(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_group_that_has_said_nothing_holds_the_merge_back() {
        let mut m = Merger::new(&groups(&["a", "b"]));
        m.push("a", vec![ev("a", 1, "a1"), ev("a", 5, "a5")]);
        assert!(m.ready().is_empty());
        m.push("b", vec![ev("b", 3, "b3")]);
        let out: Vec<String> = m.ready().into_iter().map(|e| e.message).collect();
        assert_eq!(out, vec!["a1", "b3"], "a5 waits until b has passed 5");
        m.finish("b");
        assert_eq!(
            m.ready().into_iter().map(|e| e.message).collect::<Vec<_>>(),
            vec!["a5"]
        );
    }

    #[test]
    fn equal_timestamps_across_groups_have_one_stable_order() {
        let mut m = Merger::new(&groups(&["frontend", "backend"]));
        m.push("frontend", vec![ev("frontend", 2, "f")]);
        m.push("backend", vec![ev("backend", 2, "b")]);
        m.finish("frontend");
        m.finish("backend");
        let out: Vec<String> = m.ready().into_iter().map(|e| e.group).collect();
        assert_eq!(out, vec!["backend", "frontend"]);
    }

    #[test]
    fn empty_pages_and_duplicates_change_nothing() {
        let mut m = Merger::new(&groups(&["a"]));
        m.push("a", vec![]);
        assert!(m.ready().is_empty());
        m.push("a", vec![ev("a", 1, "x")]);
        m.push("a", vec![ev("a", 1, "x")]);
        m.finish("a");
        assert_eq!(m.ready().len(), 1);
        assert!(m.all_done());
    }

    #[test]
    fn insert_sorted_keeps_time_order() {
        let mut list = Vec::new();
        for (secs, msg) in [(5, "c"), (1, "a"), (3, "b"), (3, "b2")] {
            insert_sorted(&mut list, ev("g", secs, msg));
        }
        let order: Vec<&str> = list.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(order, vec!["a", "b", "b2", "c"]);
    }
}
