//! What the simulation does when a runbook changes it: StopTask and
//! UpdateService (a rollback ends the OOM loop, a scale changes the counts).

use super::*;
use crate::domain::ports::ServiceChange;
use crate::domain::service::{DeploymentStatus, Service};
use crate::domain::task::Task;
use crate::domain::PortError;

impl Simulation {
    /// StopTask: the task starts stopping with `UserInitiated` and the reason.
    pub fn stop_task(
        &mut self,
        cluster: &str,
        task: &str,
        reason: &str,
    ) -> Result<Task, PortError> {
        self.require_cluster(cluster)?;
        let id = task.rsplit('/').next().unwrap_or(task).to_string();
        let now = self.now;
        let found = self.services.iter_mut().enumerate().find_map(|(i, s)| {
            let position = s.tasks.iter().position(|t| t.id == id)?;
            (s.cluster == cluster).then_some((i, position))
        });
        let (service, position) = found.ok_or_else(|| PortError::NotFound {
            what: crate::domain::Missing::Task,
            message: format!("task {id} is not in cluster `{cluster}`"),
        })?;
        let t = &mut self.services[service].tasks[position];
        if matches!(t.phase, Phase::Running | Phase::Provisioning) {
            t.phase = Phase::Stopping;
            t.stopping_at = Some(now);
            t.stop_code = Some("UserInitiated".into());
            t.stopped_reason = Some(reason.to_string());
            t.exit_code = Some(143);
        }
        let s = &self.services[service];
        Ok(self.task(s, &s.tasks[position]))
    }

    pub fn update_service(
        &mut self,
        cluster: &str,
        name: &str,
        change: ServiceChange,
    ) -> Result<Service, PortError> {
        let index = self
            .services
            .iter()
            .position(|s| s.cluster == cluster && s.name == name)
            .ok_or_else(|| self.service_not_found(cluster, name))?;
        if let Some(td) = &change.task_definition {
            let label = crate::domain::service::revision_label(td);
            let s = &self.services[index];
            let revision = s
                .revisions
                .iter()
                .position(|r| label == format!("{}:{}", s.family, r.number) || label == s.family)
                .ok_or_else(|| PortError::InvalidInput {
                    operation: "UpdateService".into(),
                    message: format!("task definition {td} does not exist"),
                })?;
            self.deploy(
                index,
                revision,
                change.force_new_deployment,
                super::trail::By::Oncall,
            );
        } else if change.force_new_deployment {
            let current = self.services[index]
                .deployments
                .iter()
                .find(|d| d.status == DeploymentStatus::Primary)
                .map(|d| d.revision)
                .unwrap_or(0);
            self.deploy(index, current, true, super::trail::By::Oncall);
        }
        if let Some(count) = change.desired_count {
            self.services[index].desired = count;
        }
        Ok(self.describe(&self.services[index]))
    }
}
