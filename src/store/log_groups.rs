//! The log groups the last discovery found, kept between runs so the next
//! search starts on them at once while discovery refreshes the list. A
//! group that has since gone is simply reported missing by the search.

use super::cache::CacheShelf;
use crate::domain::logsearch::SearchTarget;
use std::path::Path;

/// Scopes remembered (cluster and service filters in use).
pub(crate) const MAX_SCOPES: usize = 64;
/// Groups one scope remembers.
pub(crate) const MAX_GROUPS: usize = 5_000;

#[derive(Debug, Clone)]
pub struct LogGroupCache {
    shelf: CacheShelf,
}

impl LogGroupCache {
    pub fn new(cache_dir: &Path, namespace: &str) -> LogGroupCache {
        LogGroupCache {
            shelf: CacheShelf::new(cache_dir, namespace, "log-groups", MAX_SCOPES),
        }
    }

    /// The groups found last time for these clusters and services.
    pub fn get(&self, clusters: &[String], services: &[String]) -> Vec<SearchTarget> {
        let mut targets: Vec<SearchTarget> = self
            .shelf
            .get(&scope_key(clusters, services))
            .unwrap_or_default();
        targets.retain(|t| !t.group.is_empty() && t.group.len() <= 512);
        targets.truncate(MAX_GROUPS);
        targets
    }

    pub fn put(&self, clusters: &[String], services: &[String], targets: &[SearchTarget]) {
        let kept: Vec<&SearchTarget> = targets.iter().take(MAX_GROUPS).collect();
        self.shelf.put(&scope_key(clusters, services), &kept);
    }
}

/// `clusters=a,b services=*`: sorted, so the same scope gets the same entry.
fn scope_key(clusters: &[String], services: &[String]) -> String {
    let list = |items: &[String]| {
        let mut sorted = items.to_vec();
        sorted.sort();
        sorted.dedup();
        if sorted.is_empty() {
            "*".to_string()
        } else {
            sorted.join(",")
        }
    };
    format!("clusters={} services={}", list(clusters), list(services))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_remembers_its_groups() {
        let dir = tempfile::tempdir().unwrap();
        let cache = LogGroupCache::new(dir.path(), "aws");
        let t = |g: &str| SearchTarget {
            group: g.into(),
            service: Some("prod/api".into()),
        };
        assert!(cache.get(&[], &[]).is_empty());
        cache.put(
            &["b".into(), "a".into()],
            &[],
            &[t("/ecs/api"), t("/ecs/web")],
        );
        assert_eq!(cache.get(&["a".into(), "b".into()], &[]).len(), 2);
        assert!(cache.get(&["a".into()], &[]).is_empty());
    }
}
