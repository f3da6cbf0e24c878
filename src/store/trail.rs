//! CloudTrail events kept between runs, per account and Region: an event
//! never changes once delivered, so a read asks CloudTrail only for what is
//! newer than the last one (see `domain::changes::reading`).
//!
//! One file an hour of events, and one saying from when to when the
//! account was read. A missing, corrupt or foreign hour makes the kept
//! events unsound: the next read is a cold one. ECS's own churn is kept
//! slim (who, what, when): it is only counted.

use super::cache::CacheShelf;
use crate::domain::changes::reading::{KeptTrail, TrailStore, KEEP_DAYS};
use crate::domain::changes::TrailEvent;
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Hours kept, and the one file saying what they cover.
const MAX_FILES: usize = (KEEP_DAYS as usize + 1) * 24 + 1;
/// An hour of a busy account's events (a few hundred bytes each).
const MAX_HOUR_BYTES: u64 = 4 * 1024 * 1024;
const COVERED: &str = "covered";

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Covered {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

/// The CloudTrail shelf of one account and Region.
#[derive(Debug, Clone)]
pub struct TrailCache {
    shelf: CacheShelf,
}

impl TrailCache {
    pub fn new(cache_dir: &Path, namespace: &str) -> TrailCache {
        TrailCache {
            shelf: CacheShelf::new(cache_dir, namespace, "cloudtrail-v1", MAX_FILES)
                .with_max_bytes(MAX_HOUR_BYTES),
        }
    }
}

fn hour_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(Duration::hours(1)).unwrap_or(at)
}

fn hour_key(hour: DateTime<Utc>) -> String {
    format!("hour:{}", hour.format("%Y-%m-%dT%H"))
}

/// Every hour from `from`'s to `to`'s.
fn hours(from: DateTime<Utc>, to: DateTime<Utc>) -> impl Iterator<Item = DateTime<Utc>> {
    let last = hour_of(to);
    std::iter::successors(Some(hour_of(from)), move |h| {
        Some(*h + Duration::hours(1)).filter(|next| *next <= last)
    })
}

impl TrailStore for TrailCache {
    fn load(&self, since: DateTime<Utc>) -> Option<KeptTrail> {
        let covered: Covered = self.shelf.get(COVERED)?;
        if covered.to < covered.from || covered.to - covered.from > Duration::days(KEEP_DAYS + 1) {
            return None;
        }
        let mut events = Vec::new();
        for hour in hours(covered.from.max(since), covered.to) {
            let mut kept: Vec<TrailEvent> = self.shelf.get(&hour_key(hour))?;
            if kept.iter().any(|e| hour_of(e.at) != hour) {
                tracing::warn!(hour = %hour, "kept CloudTrail events of another hour; ignored");
                return None;
            }
            events.append(&mut kept);
        }
        Some(KeptTrail {
            from: Some(covered.from),
            to: Some(covered.to),
            events,
        })
    }

    fn save(&self, kept: &KeptTrail, rewrite_from: DateTime<Utc>) {
        let (Some(from), Some(to)) = (kept.from, kept.to) else {
            return;
        };
        for hour in hours(rewrite_from.max(from), to) {
            let events: Vec<TrailEvent> = kept
                .events
                .iter()
                .filter(|e| hour_of(e.at) == hour)
                .map(|e| {
                    if e.is_ecs_churn() {
                        e.slim()
                    } else {
                        e.clone()
                    }
                })
                .collect();
            self.shelf.put(&hour_key(hour), &events);
        }
        // Written last: an interrupted save leaves the old cover, whose
        // hours are still whole or are refused as a whole.
        self.shelf.put(COVERED, &Covered { from, to });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::changes::trail::Lookup;
    use chrono::TimeZone;

    fn event(id: &str, at: DateTime<Utc>) -> TrailEvent {
        TrailEvent::from_lookup(Lookup {
            id,
            name: "UpdateService",
            source: "ecs.amazonaws.com",
            at: Some(at),
            username: Some("ci-deploy"),
            resources: vec!["payments"],
            record: None,
        })
        .unwrap()
    }

    #[test]
    fn kept_events_come_back_and_a_broken_hour_makes_them_unsound() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TrailCache::new(dir.path(), "aws");
        let t0 = Utc.with_ymd_and_hms(2026, 1, 28, 1, 10, 0).unwrap();
        let kept = KeptTrail {
            from: Some(t0),
            to: Some(t0 + Duration::hours(3)),
            events: vec![
                event("a", t0 + Duration::minutes(5)),
                event("b", t0 + Duration::minutes(150)),
            ],
        };
        cache.save(&kept, t0);
        let back = cache.load(t0).unwrap();
        assert_eq!(back.from, kept.from);
        assert_eq!(back.events.len(), 2);
        // Loaded from a later point: only the hours from there.
        assert_eq!(cache.load(t0 + Duration::hours(2)).unwrap().events.len(), 1);
        // A corrupt hour: nothing kept is trusted.
        let path = cache
            .shelf
            .path_of(&hour_key(hour_of(t0 + Duration::hours(1))));
        std::fs::write(path, b"{not json").unwrap();
        assert_eq!(cache.load(t0), None);
    }
}
