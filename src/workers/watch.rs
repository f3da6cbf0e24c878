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
pub fn no_monitoring() -> PortError {
    PortError::Other {
        operation: "DescribeAlarms".into(),
        message: "alarms and metrics are not read in this session".into(),
    }
}
