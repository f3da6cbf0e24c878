//! ECS Exec on the demo account: the simulation says whether a task can be
//! entered, and a session opens its simulated shell (no plugin involved).

use super::DemoAccount;
use crate::domain::exec::{ExecPort, ExecRequest, ExecSession, ExecTarget};
use crate::domain::ports::PortFuture;

impl ExecPort for DemoAccount {
    fn exec_target<'a>(&'a self, cluster: &'a str, task: &'a str) -> PortFuture<'a, ExecTarget> {
        Box::pin(self.call("DescribeTasks", move |s| s.exec_target(cluster, task)))
    }

    fn execute_command<'a>(&'a self, request: &'a ExecRequest) -> PortFuture<'a, ExecSession> {
        Box::pin(async move {
            let (identity, shell) = self
                .call("ExecuteCommand", move |s| {
                    (s.identity(), s.exec_shell(request))
                })
                .await;
            let shell = shell?;
            Ok(ExecSession {
                session_id: format!("ecs-execute-command-demo-{}", request.container),
                stream_url: String::new(),
                token_value: String::new(),
                cluster_arn: request.cluster.clone(),
                task_arn: request.task.clone(),
                container_name: request.container.clone(),
                region: identity.region,
                profile: None,
                endpoint: String::new(),
                simulated: Some(shell),
            })
        })
    }

    fn simulated(&self) -> bool {
        true
    }
}
