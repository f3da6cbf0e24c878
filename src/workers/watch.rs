//! Reading the other half of live status: every alarm (and the target
//! groups that tie ELB alarms to services), and the services' metrics.

use crate::domain::ports::MonitoringPort;
use crate::domain::snapshot::AlarmsRead;
use crate::domain::PortError;

/// Every alarm, and the load balancers of these target groups.
pub async fn read_alarms(
    port: &dyn MonitoringPort,
    target_groups: &[String],
) -> Result<AlarmsRead, PortError> {
    let alarms = port.alarms().await?;
    let target_groups = if target_groups.is_empty() {
        Vec::new()
    } else {
        port.target_groups(target_groups).await?
    };
    Ok(AlarmsRead {
        alarms,
        target_groups,
    })
}

/// Why there are no alarms in this session.
pub(crate) fn no_monitoring() -> PortError {
    PortError::Other {
        operation: "DescribeAlarms".into(),
        message: "alarms and metrics are not read in this session".into(),
    }
}

/// The services' egress baselines: the cache's of the last hour, the rest
/// read in one GetMetricData (paged) over the day before the last hour and
/// kept. A read that fails leaves those services without a baseline.
pub async fn read_baseline(
    port: &dyn MonitoringPort,
    cache: Option<&crate::store::baselines::BaselineCache>,
    services: &[crate::domain::Service],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<
    std::collections::BTreeMap<crate::domain::service::ServiceKey, crate::domain::egress::Baseline>,
    PortError,
> {
    let keys: Vec<_> = services.iter().map(|s| s.key()).collect();
    let mut known = cache.map(|c| c.fresh(&keys, now)).unwrap_or_default();
    let missing: Vec<crate::domain::Service> = services
        .iter()
        .filter(|s| !known.contains_key(&s.key()))
        .cloned()
        .collect();
    if missing.is_empty() {
        return Ok(known);
    }
    let asked = crate::domain::metrics::baseline_queries(&missing);
    let (start, end) = crate::domain::egress::baseline_window(now);
    let answers = port.metric_data(&asked, start, end).await?;
    let read = crate::domain::egress::baselines(&asked, &answers, now);
    if let Some(cache) = cache {
        cache.put(&read);
    }
    known.extend(read);
    Ok(known)
}
