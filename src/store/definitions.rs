//! Task definitions kept between runs. A revision (`family:N`) never
//! changes once registered, so what triage keeps of it (containers, essential
//! flags, log configuration, image, environment *names*; never values) is
//! cached on disk and shared by status, diagnose, logs, runbooks and the
//! console: a second run asks AWS only for revisions it has not seen.
//!
//! [`DefinitionCache`] is the [`DefinitionStore`] the AWS adapter asks
//! before DescribeTaskDefinition. Only full ARNs are cached (`family:N`
//! alone does not name the account or Region), and an entry is used only
//! when it is sound: its ARN is the one asked for, and the family and
//! revision the ARN names.

use super::cache::CacheShelf;
use crate::domain::ports::{DefinitionStore, TaskDefinition};
use std::path::Path;

/// Revisions kept (a few KB each).
pub(crate) const MAX_DEFINITIONS: usize = 4_000;

/// The shelf's folder: versioned, so entries written before triage kept
/// secrets' sources and the network mode are never read as "none".
const SHELF: &str = "task-definitions-v2";

/// The task-definition shelf of one account endpoint.
#[derive(Debug, Clone)]
pub(crate) struct DefinitionCache {
    shelf: CacheShelf,
}

impl DefinitionCache {
    pub fn new(cache_dir: &Path, namespace: &str) -> DefinitionCache {
        DefinitionCache {
            shelf: CacheShelf::new(cache_dir, namespace, SHELF, MAX_DEFINITIONS),
        }
    }

    pub fn get(&self, arn: &str) -> Option<TaskDefinition> {
        let (family, revision) = family_revision(arn)?;
        let td: TaskDefinition = self.shelf.get(arn)?;
        let sound = td.arn == arn
            && td.family == family
            && td.revision == revision
            && !td.containers.is_empty();
        if !sound {
            tracing::warn!(
                arn,
                "cached task definition does not match its ARN; ignored"
            );
            return None;
        }
        Some(td)
    }

    pub fn put(&self, td: &TaskDefinition) {
        if family_revision(&td.arn).is_some_and(|(f, r)| f == td.family && r == td.revision) {
            self.shelf.put(&td.arn, td);
        }
    }
}

/// `arn:aws:ecs:eu-west-1:123:task-definition/api:41` → (`api`, 41).
fn family_revision(arn: &str) -> Option<(&str, u32)> {
    if !arn.starts_with("arn:") {
        return None;
    }
    let label = arn.split_once(":task-definition/")?.1;
    let (family, revision) = label.rsplit_once(':')?;
    if family.is_empty() {
        return None;
    }
    Some((family, revision.parse().ok()?))
}

impl DefinitionStore for DefinitionCache {
    fn get(&self, arn: &str) -> Option<TaskDefinition> {
        DefinitionCache::get(self, arn)
    }
    fn put(&self, definition: &TaskDefinition) {
        DefinitionCache::put(self, definition)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ports::ContainerDefinition;

    fn td(arn: &str, family: &str, revision: u32) -> TaskDefinition {
        TaskDefinition {
            arn: arn.into(),
            family: family.into(),
            revision,
            cpu: None,
            memory: Some("512".into()),
            network_mode: None,
            task_role: None,
            execution_role: None,
            containers: vec![ContainerDefinition {
                name: "app".into(),
                image: "app:1".into(),
                essential: true,
                memory: None,
                memory_reservation: None,
                command: vec![],
                environment: vec!["DB_HOST".into()],
                secrets: vec![],
                secret_sources: vec![],
                log_group: Some("/ecs/app".into()),
                log_stream_prefix: Some("ecs".into()),
                health_check: vec![],
            }],
        }
    }

    const ARN: &str = "arn:aws:ecs:eu-west-1:123456789012:task-definition/api:41";

    #[test]
    fn a_revision_round_trips_and_a_mismatched_one_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DefinitionCache::new(dir.path(), "aws");
        cache.put(&td(ARN, "api", 41));
        assert_eq!(cache.get(ARN), Some(td(ARN, "api", 41)));
        // An entry that claims another revision than its ARN is not stored…
        let other = "arn:aws:ecs:eu-west-1:123456789012:task-definition/api:42";
        cache.put(&td(other, "api", 7));
        assert_eq!(cache.get(other), None);
        // …and a file edited to say so is not trusted.
        let shelf = CacheShelf::new(dir.path(), "aws", SHELF, 10);
        shelf.put(other, &td(other, "worker", 42));
        assert_eq!(cache.get(other), None);
        // Short names are never cached: they do not name the account.
        cache.put(&td("api:41", "api", 41));
        assert_eq!(cache.get("api:41"), None);
    }
}
