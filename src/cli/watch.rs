//! What `status` and `alarms` read beside the services: every alarm tied to
//! its services, and the last hour's metrics, through the same domain rules
//! as the console.

use crate::domain::alarms::{tie, AlarmMapping, OwnedAlarm};
use crate::domain::metrics::{by_service, queries, ServiceMetrics, DEFAULT_WINDOW_MINUTES};
use crate::domain::ports::MonitoringPort;
use crate::domain::service::{Service, ServiceKey};
use crate::domain::PortError;
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// Alarms and metrics of these services.
pub struct Watched {
    pub alarms: Vec<OwnedAlarm>,
    pub metrics: BTreeMap<ServiceKey, ServiceMetrics>,
    /// The services' target groups, with their load balancers.
    pub target_groups: Vec<crate::domain::alarms::TargetGroup>,
}

/// Read the alarms (and the target groups that tie ELB alarms), then the
/// metrics of every service in as few GetMetricData calls as they fit.
pub async fn read(
    port: &dyn MonitoringPort,
    services: &[Service],
    mappings: &[AlarmMapping],
    now: DateTime<Utc>,
) -> Result<Watched, PortError> {
    let arns: Vec<String> = services
        .iter()
        .flat_map(|s| s.target_groups.iter().cloned())
        .collect();
    let read = crate::workers::watch::read_alarms(port, &arns).await?;
    let asked = queries(services, &read.target_groups, 60);
    let answers = port
        .metric_data(&asked, now - Duration::minutes(DEFAULT_WINDOW_MINUTES), now)
        .await?;
    Ok(Watched {
        alarms: tie(read.alarms, services, &read.target_groups, mappings),
        metrics: by_service(&asked, answers),
        target_groups: read.target_groups,
    })
}
