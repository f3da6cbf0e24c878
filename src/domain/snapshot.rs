//! What one read of the account returns, as it crosses from the jobs that
//! read it to the console and the CLI: every watched service, and one
//! service in depth.

use crate::domain::ports::TaskDefinition;
use crate::domain::service::Service;
use crate::domain::task::Task;
use crate::domain::PortError;

/// Every watched cluster's services, as of one refresh.
#[derive(Debug, Clone, Default)]
pub struct StatusSnapshot {
    pub services: Vec<Service>,
    /// The clusters read (the watched ones, or every cluster of the Region).
    pub clusters: Vec<String>,
    /// Clusters that could not be read, and why (the others still show).
    pub cluster_errors: Vec<(String, PortError)>,
    /// Calls AWS throttled so far (retried).
    pub throttled_calls: u64,
}

/// A service in depth.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDetail {
    pub service: Service,
    pub running: Vec<Task>,
    pub stopped: Vec<Task>,
    pub task_definition: Option<TaskDefinition>,
}

/// One read of the alarms: every alarm, and the target groups asked about.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlarmsRead {
    pub alarms: Vec<super::alarms::Alarm>,
    pub target_groups: Vec<super::alarms::TargetGroup>,
}
