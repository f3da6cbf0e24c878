//! Reading CloudTrail without reading it twice: events never change, so
//! what was read is kept (see `store::trail`), and a later read asks only
//! for what is newer than the last read, less an overlap for CloudTrail's
//! delivery delay (events arrive up to ~15 minutes after they happen).

use super::super::ports::{CallCounts, PortFuture};
use super::trail::TrailEvent;
use chrono::{DateTime, Duration, Utc};

/// CloudTrail delivers an event up to this long after it happened.
pub const DELIVERY_OVERLAP_MINUTES: i64 = 15;
/// Kept at most this long.
pub const KEEP_DAYS: i64 = 7;

/// What was kept of earlier reads: every write event from `from` to `to`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeptTrail {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub events: Vec<TrailEvent>,
}

/// What to ask CloudTrail for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadPlan {
    /// Ask from here to now.
    pub ask_from: DateTime<Utc>,
    /// The kept events from `since` on are still good (the read is warm).
    pub reuse: bool,
}

/// The plan for a read of `[since, now]` given what was kept.
pub fn plan(kept: Option<&KeptTrail>, since: DateTime<Utc>, now: DateTime<Utc>) -> ReadPlan {
    let cold = ReadPlan {
        ask_from: since,
        reuse: false,
    };
    let Some((from, to)) = kept.and_then(|k| Some((k.from?, k.to?))) else {
        return cold;
    };
    if from > since || to > now || to < now - Duration::days(KEEP_DAYS) {
        return cold;
    }
    ReadPlan {
        ask_from: (to - Duration::minutes(DELIVERY_OVERLAP_MINUTES)).max(since),
        reuse: true,
    }
}

/// Kept and fresh events together: each once (fresh wins), newest first,
/// none older than `KEEP_DAYS` before `now`.
pub fn merge(kept: Vec<TrailEvent>, fresh: Vec<TrailEvent>, now: DateTime<Utc>) -> Vec<TrailEvent> {
    let oldest = now - Duration::days(KEEP_DAYS);
    let mut seen = std::collections::HashSet::new();
    let mut all: Vec<TrailEvent> = fresh
        .into_iter()
        .chain(kept)
        .filter(|e| e.at >= oldest && seen.insert(e.id.clone()))
        .collect();
    all.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
    all
}

/// One read of the write events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrailRead {
    /// From `since` to `to`, newest first.
    pub events: Vec<TrailEvent>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// LookupEvents calls this read made.
    pub calls: usize,
    /// Events that came from what was kept, not from a call.
    pub kept: usize,
}

port! {
    /// The account's change history: CloudTrail's management events.
    pub trait TrailPort {
        /// Every write event (`ReadOnly=false`) from `since` to now.
        fn write_events<'a>(&'a self, since: DateTime<Utc>) -> PortFuture<'a, TrailRead>;
        /// Calls made so far, by operation.
        fn calls(&self) -> CallCounts {
            CallCounts::new()
        }
    }
}

/// Where the events read are kept between runs (the disk cache).
pub trait TrailStore: Send + Sync {
    /// What was kept, from `since` on; None when nothing sound is there.
    fn load(&self, since: DateTime<Utc>) -> Option<KeptTrail>;
    /// Keep these: the hours from `rewrite_from`'s to `kept.to`'s are
    /// replaced (the events of those whole hours are in `kept`).
    fn save(&self, kept: &KeptTrail, rewrite_from: DateTime<Utc>);
}
