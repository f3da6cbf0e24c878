//! The status job: every watched cluster's services, described. Used by the
//! console's refresh and by `triage status`.

use crate::domain::ports::EcsPort;
use crate::domain::snapshot::StatusSnapshot;
use crate::domain::PortError;
use futures::stream::{self, StreamExt};

/// How many clusters are read at once (each is paged and batched inside).
const CLUSTERS_AT_ONCE: usize = 4;

/// Read the services of `clusters` (empty = every cluster in the region).
/// A cluster that fails is reported in the snapshot and the others still
/// show; only when nothing could be read at all is the whole result an error.
pub async fn fetch_status(
    ecs: &dyn EcsPort,
    clusters: &[String],
) -> Result<StatusSnapshot, PortError> {
    let clusters = if !clusters.is_empty() {
        clusters.to_vec()
    } else {
        ecs.clusters().await?
    };
    let results: Vec<(String, Result<Vec<crate::domain::Service>, PortError>)> =
        stream::iter(clusters.clone())
            .map(|cluster| async move {
                let result = ecs.services(&cluster).await;
                (cluster, result)
            })
            .buffered(CLUSTERS_AT_ONCE)
            .collect()
            .await;

    let mut snapshot = StatusSnapshot {
        clusters,
        ..StatusSnapshot::default()
    };
    let mut failed = 0;
    let total = results.len();
    let mut existing: Option<Vec<String>> = None;
    for (cluster, result) in results {
        match result {
            Ok(services) => snapshot.services.extend(services),
            Err(PortError::NotFound {
                what: crate::domain::Missing::Cluster,
                ..
            }) => {
                failed += 1;
                if existing.is_none() {
                    existing = Some(ecs.clusters().await.unwrap_or_default());
                }
                snapshot.cluster_errors.push((
                    cluster.clone(),
                    unknown_cluster(&cluster, existing.as_deref().unwrap_or(&[])),
                ));
            }
            Err(err) => {
                failed += 1;
                snapshot.cluster_errors.push((cluster, err));
            }
        }
    }
    snapshot.throttled_calls = ecs.throttled_calls();
    if total > 0 && failed == total {
        // Nothing could be read: one error says it best (credentials, network…).
        let (_, first) = snapshot.cluster_errors.swap_remove(0);
        return Err(first);
    }
    Ok(snapshot)
}

/// "cluster `x` does not exist; clusters in this region: a, b".
pub(crate) fn unknown_cluster(cluster: &str, existing: &[String]) -> PortError {
    let listing = if existing.is_empty() {
        "there are no clusters in this region (wrong --region or --profile?)".to_string()
    } else {
        let names: Vec<String> = existing
            .iter()
            .map(|n| crate::domain::sanitize::one_line(n))
            .collect();
        format!("clusters in this region: {}", names.join(", "))
    };
    PortError::NotFound {
        what: crate::domain::Missing::Cluster,
        message: format!(
            "cluster `{}` does not exist; {listing}",
            crate::domain::sanitize::one_line(cluster)
        ),
    }
}
