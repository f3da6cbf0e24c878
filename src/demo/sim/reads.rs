//! What the ECS port reads of the simulation: clusters, services, tasks,
//! task definitions, described the way ECS describes them.

use super::*;
use crate::demo::security::stable;
use crate::domain::ports::{AccountIdentity, ContainerDefinition, TaskDefinition};
use crate::domain::service::{Deployment, DeploymentStatus, Service};
use crate::domain::task::{Container, Task, TaskState};
use crate::domain::PortError;

/// A task's elastic network interface id (awsvpc: one per task).
pub(super) fn eni_of(task_id: &str) -> String {
    format!("eni-0{:016x}", stable(task_id) >> 4)
}

impl Simulation {
    pub fn identity(&self) -> AccountIdentity {
        AccountIdentity {
            account: Some(self.account.clone()),
            region: self.region.clone(),
            profile: None,
            principal: Some(format!(
                "arn:aws:sts::{}:assumed-role/OnCall/demo",
                self.account
            )),
            endpoint: None,
            demo: true,
        }
    }

    pub(crate) fn cluster_names(&self) -> Vec<String> {
        self.clusters.clone()
    }

    pub fn services(&self, cluster: &str) -> Result<Vec<Service>, PortError> {
        self.require_cluster(cluster)?;
        Ok(self
            .services
            .iter()
            .filter(|s| s.cluster == cluster)
            .map(|s| self.describe(s))
            .collect())
    }

    pub fn service(&self, cluster: &str, name: &str) -> Result<Service, PortError> {
        Ok(self.describe(self.find(cluster, name)?))
    }

    pub fn tasks(
        &self,
        cluster: &str,
        name: &str,
        state: TaskState,
    ) -> Result<Vec<Task>, PortError> {
        let s = self.find(cluster, name)?;
        let mut tasks: Vec<Task> = s
            .tasks
            .iter()
            .filter(|t| match state {
                TaskState::Running => t.phase != Phase::Stopped,
                TaskState::Stopped => t.phase == Phase::Stopped,
            })
            .map(|t| self.task(s, t))
            .collect();
        tasks.sort_by(|a, b| {
            b.stopped_at
                .cmp(&a.stopped_at)
                .then(b.created_at.cmp(&a.created_at))
        });
        Ok(tasks)
    }

    /// ARNs of a cluster's tasks in `state`, every service's.
    pub fn task_arns(&self, cluster: &str, state: TaskState) -> Result<Vec<String>, PortError> {
        self.require_cluster(cluster)?;
        Ok(self
            .services
            .iter()
            .filter(|s| s.cluster == cluster)
            .flat_map(|s| {
                s.tasks
                    .iter()
                    .filter(move |t| match state {
                        TaskState::Running => t.phase != Phase::Stopped,
                        TaskState::Stopped => t.phase == Phase::Stopped,
                    })
                    .map(move |t| self.task(s, t).arn)
            })
            .collect())
    }

    /// Tasks of a cluster by ARN or id; forgotten ones are absent.
    pub fn describe_tasks(&self, cluster: &str, wanted: &[String]) -> Result<Vec<Task>, PortError> {
        self.require_cluster(cluster)?;
        Ok(self
            .services
            .iter()
            .filter(|s| s.cluster == cluster)
            .flat_map(|s| s.tasks.iter().map(move |t| (s, t)))
            .filter(|(_, t)| {
                wanted
                    .iter()
                    .any(|w| w == &t.id || w.ends_with(&format!("/{}", t.id)))
            })
            .map(|(s, t)| self.task(s, t))
            .collect())
    }

    pub fn task_definition(&self, arn: &str) -> Result<TaskDefinition, PortError> {
        let label = crate::domain::service::revision_label(arn);
        for s in &self.services {
            for r in &s.revisions {
                if label == format!("{}:{}", s.family, r.number) {
                    return Ok(self.task_definition_of(s, r));
                }
            }
        }
        Err(PortError::NotFound {
            what: crate::domain::Missing::TaskDefinition,
            message: format!("{arn} is not registered"),
        })
    }

    pub(super) fn require_cluster(&self, cluster: &str) -> Result<(), PortError> {
        if self.clusters.iter().any(|c| c == cluster) {
            Ok(())
        } else {
            Err(PortError::NotFound {
                what: crate::domain::Missing::Cluster,
                message: format!("cluster `{cluster}` does not exist"),
            })
        }
    }

    pub(super) fn find(&self, cluster: &str, name: &str) -> Result<&SimService, PortError> {
        self.require_cluster(cluster)?;
        self.services
            .iter()
            .find(|s| s.cluster == cluster && s.name == name)
            .ok_or_else(|| self.service_not_found(cluster, name))
    }

    pub(super) fn service_not_found(&self, cluster: &str, name: &str) -> PortError {
        PortError::NotFound {
            what: crate::domain::Missing::Service,
            message: format!("service `{name}` is not in cluster `{cluster}`"),
        }
    }

    pub(super) fn td_arn(&self, s: &SimService, revision: usize) -> String {
        format!(
            "arn:aws:ecs:{}:{}:task-definition/{}:{}",
            self.region, self.account, s.family, s.revisions[revision].number
        )
    }

    pub(super) fn describe(&self, s: &SimService) -> Service {
        let count = |deployment: Option<&str>, phase: Phase| {
            s.tasks
                .iter()
                .filter(|t| deployment.is_none_or(|d| t.deployment == d))
                .filter(|t| {
                    t.phase == phase || (phase == Phase::Running && t.phase == Phase::Stopping)
                })
                .count() as u32
        };
        let deployments = s
            .deployments
            .iter()
            .map(|d| Deployment {
                id: d.id.clone(),
                status: d.status,
                rollout_state: Some(d.rollout),
                rollout_state_reason: d.reason.clone(),
                task_definition: self.td_arn(s, d.revision),
                desired: if d.status == DeploymentStatus::Primary {
                    s.desired
                } else {
                    count(Some(&d.id), Phase::Running)
                },
                running: count(Some(&d.id), Phase::Running),
                pending: count(Some(&d.id), Phase::Provisioning),
                failed_tasks: d.failed_tasks,
                created_at: Some(d.created_at),
                updated_at: Some(d.updated_at),
            })
            .collect::<Vec<_>>();
        let primary_revision = s
            .deployments
            .iter()
            .find(|d| d.status == DeploymentStatus::Primary)
            .map(|d| d.revision)
            .unwrap_or(0);
        let mut events = s.events.clone();
        events.sort_by_key(|e| std::cmp::Reverse(e.at));
        Service {
            cluster: s.cluster.clone(),
            name: s.name.clone(),
            arn: format!(
                "arn:aws:ecs:{}:{}:service/{}/{}",
                self.region, self.account, s.cluster, s.name
            ),
            status: "ACTIVE".into(),
            desired: s.desired,
            running: count(None, Phase::Running),
            pending: count(None, Phase::Provisioning),
            task_definition: self.td_arn(s, primary_revision),
            launch_type: Some(s.launch_type.clone()),
            deployments,
            events,
            created_at: Some(s.created_at),
            target_groups: self.target_group_arn(s).into_iter().collect(),
            network: Some(crate::domain::service::ServiceNetwork {
                security_groups: s.security_groups.clone(),
                subnets: vec![
                    format!("subnet-0{:016x}", stable(&format!("{}a", s.cluster)) >> 4),
                    format!("subnet-0{:016x}", stable(&format!("{}b", s.cluster)) >> 4),
                ],
                assign_public_ip: false,
            }),
            pair: Default::default(),
        }
    }

    pub(super) fn task(&self, s: &SimService, t: &SimTask) -> Task {
        let last_status = match t.phase {
            Phase::Provisioning => "PROVISIONING",
            Phase::Running => "RUNNING",
            Phase::Stopping => "DEACTIVATING",
            Phase::Stopped => "STOPPED",
        };
        Task {
            arn: format!(
                "arn:aws:ecs:{}:{}:task/{}/{}",
                self.region, self.account, s.cluster, t.id
            ),
            id: t.id.clone(),
            cluster: s.cluster.clone(),
            group: Some(format!("service:{}", s.name)),
            task_definition: self.td_arn(s, t.revision),
            last_status: last_status.into(),
            desired_status: if t.phase == Phase::Running || t.phase == Phase::Provisioning {
                "RUNNING".into()
            } else {
                "STOPPED".into()
            },
            health_status: Some(
                if t.phase == Phase::Running {
                    "HEALTHY"
                } else {
                    "UNKNOWN"
                }
                .into(),
            ),
            started_by: Some(t.deployment.clone()),
            launch_type: Some(s.launch_type.clone()),
            availability_zone: Some(format!(
                "{}{}",
                self.region,
                ['a', 'b', 'c'][t.id.len() % 3]
            )),
            cpu: Some(s.cpu.clone()),
            memory: Some(s.memory.clone()),
            created_at: Some(t.created_at),
            started_at: t.started_at,
            stopping_at: t.stopping_at,
            stopped_at: t.stopped_at,
            stop_code: t.stop_code.clone(),
            stopped_reason: t.stopped_reason.clone(),
            containers: vec![Container {
                name: s.container.clone(),
                image: Some(s.revisions[t.revision].image.clone()),
                last_status: Some(last_status.into()),
                exit_code: t.exit_code,
                reason: t.container_reason.clone(),
                health_status: None,
            }],
            network_interface: Some(eni_of(&t.id)),
            private_ip: Some(super::watch::task_ip(&t.id)),
        }
    }

    pub(super) fn task_definition_of(&self, s: &SimService, r: &SimRevision) -> TaskDefinition {
        let index = s
            .revisions
            .iter()
            .position(|x| x.number == r.number)
            .unwrap_or(0);
        TaskDefinition {
            arn: self.td_arn(s, index),
            family: s.family.clone(),
            revision: r.number,
            cpu: Some(s.cpu.clone()),
            memory: Some(s.memory.clone()),
            network_mode: Some("awsvpc".into()),
            task_role: Some(format!(
                "arn:aws:iam::{}:role/{}-task",
                self.account, s.family
            )),
            execution_role: Some(format!(
                "arn:aws:iam::{}:role/ecsTaskExecutionRole",
                self.account
            )),
            containers: vec![ContainerDefinition {
                name: s.container.clone(),
                image: r.image.clone(),
                essential: true,
                memory: s.memory.parse().ok(),
                memory_reservation: None,
                command: Vec::new(),
                environment: ["NODE_ENV", "LOG_LEVEL"]
                    .iter()
                    .map(|s| s.to_string())
                    .chain(r.environment.iter().cloned())
                    .collect(),
                secrets: s.secrets.iter().map(|(v, _)| v.clone()).collect(),
                secret_sources: s.secrets.iter().map(|(_, f)| f.clone()).collect(),
                log_group: Some(format!("/ecs/{}/{}", s.cluster, s.name)),
                log_stream_prefix: Some("ecs".into()),
                health_check: vec![
                    "CMD-SHELL".into(),
                    "wget -q --spider http://127.0.0.1:8080/health || exit 1".into(),
                ],
            }],
        }
    }
}
