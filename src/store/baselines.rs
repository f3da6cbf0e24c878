//! Egress baselines kept between runs: a service's usual egress moves
//! slowly, so `triage status` run twice in an hour reads it once. Each
//! entry says when it was computed; an entry older than an hour (or from
//! the future, a clock that jumped) is not used.

use super::cache::CacheShelf;
use crate::domain::egress::{Baseline, BASELINE_REFRESH_MINUTES};
use crate::domain::service::ServiceKey;
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;
use std::path::Path;

/// Services remembered.
pub(crate) const MAX_BASELINES: usize = 10_000;

#[derive(Debug, Clone)]
pub struct BaselineCache {
    shelf: CacheShelf,
}

impl BaselineCache {
    pub fn new(cache_dir: &Path, namespace: &str) -> BaselineCache {
        BaselineCache {
            shelf: CacheShelf::new(cache_dir, namespace, "egress-baselines", MAX_BASELINES),
        }
    }

    /// The fresh baselines of these services (those without one are absent).
    pub fn fresh(&self, keys: &[ServiceKey], now: DateTime<Utc>) -> BTreeMap<ServiceKey, Baseline> {
        keys.iter()
            .filter_map(|key| {
                let b: Baseline = self.shelf.get(&key_of(key))?;
                let age = now - b.computed_at;
                (age >= Duration::zero() && age < Duration::minutes(BASELINE_REFRESH_MINUTES))
                    .then(|| (key.clone(), b))
            })
            .collect()
    }

    pub fn put(&self, baselines: &BTreeMap<ServiceKey, Baseline>) {
        for (key, b) in baselines {
            self.shelf.put(&key_of(key), b);
        }
    }
}

/// One service's entry: its cluster and name (the shelf is per pair).
fn key_of(key: &ServiceKey) -> String {
    format!("{}/{}", key.cluster, key.service)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hour_old_baseline_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let cache = BaselineCache::new(dir.path(), "aws");
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let key = ServiceKey::new("prod-web", "api");
        let b = Baseline {
            tx: Some(40_000.0),
            rx: None,
            computed_at: now,
        };
        cache.put(&BTreeMap::from([(key.clone(), b)]));
        let keys = [key.clone()];
        assert_eq!(
            cache.fresh(&keys, now + Duration::minutes(59)).get(&key),
            Some(&b)
        );
        assert!(cache.fresh(&keys, now + Duration::minutes(61)).is_empty());
        assert!(cache.fresh(&keys, now - Duration::minutes(1)).is_empty());
    }
}
