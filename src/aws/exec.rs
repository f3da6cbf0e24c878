//! ECS Exec over the real SDK: the task's readiness (DescribeTasks, its task
//! definition's role, its service's setting) and `ExecuteCommand` itself. The
//! session it answers with is handed to `session-manager-plugin` by the caller.

use super::ecs::AwsAccount;
use crate::domain::exec::{ExecContainer, ExecPort, ExecRequest, ExecSession, ExecTarget};
use crate::domain::ports::PortFuture;
use crate::domain::service::arn_name;
use crate::domain::PortError;

impl ExecPort for AwsAccount {
    fn exec_target<'a>(&'a self, cluster: &'a str, task: &'a str) -> PortFuture<'a, ExecTarget> {
        Box::pin(async move {
            let out = self
                .call(&self.reads, "DescribeTasks", || {
                    self.ecs
                        .describe_tasks()
                        .cluster(cluster)
                        .tasks(task)
                        .send()
                })
                .await?;
            let Some(t) = out.tasks().first() else {
                return Err(PortError::NotFound {
                    what: crate::domain::Missing::Task,
                    message: format!("task {task} is not in cluster {cluster} (ECS keeps stopped tasks about an hour)"),
                });
            };
            let task_arn = t.task_arn().unwrap_or_default().to_string();
            let service = t
                .group()
                .and_then(|g| g.strip_prefix("service:"))
                .map(str::to_string);
            let role = match t.task_definition_arn() {
                Some(arn) => self
                    .call(&self.reads, "DescribeTaskDefinition", || {
                        self.ecs
                            .describe_task_definition()
                            .task_definition(arn)
                            .send()
                    })
                    .await
                    .ok()
                    .map(|d| {
                        d.task_definition()
                            .and_then(|td| td.task_role_arn())
                            .map(str::to_string)
                    }),
                None => None,
            };
            let service_exec_enabled = match &service {
                Some(name) => self
                    .call(&self.reads, "DescribeServices", || {
                        self.ecs
                            .describe_services()
                            .cluster(cluster)
                            .services(name)
                            .send()
                    })
                    .await
                    .ok()
                    .and_then(|o| o.services().first().map(|s| s.enable_execute_command())),
                None => None,
            };
            Ok(ExecTarget {
                cluster: arn_name(t.cluster_arn().unwrap_or(cluster)).to_string(),
                task_id: arn_name(&task_arn).to_string(),
                task_arn,
                last_status: t.last_status().unwrap_or_default().to_string(),
                launch_type: t.launch_type().map(|l| l.as_str().to_string()),
                platform_version: t.platform_version().map(str::to_string),
                exec_enabled: t.enable_execute_command(),
                service,
                service_exec_enabled,
                task_role_known: role.is_some(),
                task_role: role.flatten(),
                containers: t
                    .containers()
                    .iter()
                    .map(|c| ExecContainer {
                        name: c.name().unwrap_or_default().to_string(),
                        last_status: c.last_status().map(str::to_string),
                        runtime_id: c.runtime_id().map(str::to_string),
                        agent_status: c
                            .managed_agents()
                            .iter()
                            .find(|a| {
                                a.name().map(|n| n.as_str())
                                    == Some(crate::domain::exec::EXEC_AGENT)
                            })
                            .and_then(|a| a.last_status().map(str::to_string)),
                    })
                    .collect(),
            })
        })
    }

    fn execute_command<'a>(&'a self, request: &'a ExecRequest) -> PortFuture<'a, ExecSession> {
        Box::pin(async move {
            let out = self
                .call(&self.writes, "ExecuteCommand", || {
                    self.ecs
                        .execute_command()
                        .cluster(&request.cluster)
                        .task(&request.task)
                        .container(&request.container)
                        .command(&request.command)
                        .interactive(request.interactive)
                        .send()
                })
                .await
                .map_err(|err| match err {
                    PortError::Other { operation, message }
                        if message.contains("TargetNotConnected") =>
                    {
                        PortError::Other {
                            operation,
                            message: crate::domain::exec::not_connected_advice().into(),
                        }
                    }
                    other => other,
                })?;
            let session = out.session().ok_or_else(|| PortError::Other {
                operation: "ExecuteCommand".into(),
                message: "AWS answered without a session".into(),
            })?;
            Ok(ExecSession {
                session_id: session.session_id().unwrap_or_default().to_string(),
                stream_url: session.stream_url().unwrap_or_default().to_string(),
                token_value: session.token_value().unwrap_or_default().to_string(),
                cluster_arn: out.cluster_arn().unwrap_or(&request.cluster).to_string(),
                task_arn: out.task_arn().unwrap_or(&request.task).to_string(),
                container_name: out
                    .container_name()
                    .unwrap_or(&request.container)
                    .to_string(),
                region: self.region.clone(),
                profile: self.profile.clone(),
                endpoint: self.ctx.endpoint.clone(),
                simulated: None,
            })
        })
    }
}
