//! ECS Exec in the simulation: a task's readiness as ECS would report it, and
//! the simulated shell a session opens (what `hostname`, `env`, `ps` … print
//! in that container). A scenario turns Exec off on a service with `exec = false`.

use super::*;
use crate::domain::exec::{ExecContainer, ExecRequest, ExecTarget, SimulatedShell};
use crate::domain::PortError;

impl Simulation {
    /// The task as `DescribeTasks` + its service + its task definition say.
    pub(crate) fn exec_target(&self, cluster: &str, task: &str) -> Result<ExecTarget, PortError> {
        let (s, t) = self.find_task(cluster, task)?;
        let described = self.task(s, t);
        Ok(ExecTarget {
            cluster: s.cluster.clone(),
            task_arn: described.arn.clone(),
            task_id: t.id.clone(),
            last_status: described.last_status.clone(),
            launch_type: Some(s.launch_type.clone()),
            platform_version: s.launch_type.starts_with("FARGATE").then(|| "1.4.0".into()),
            exec_enabled: s.exec,
            service: Some(s.name.clone()),
            service_exec_enabled: Some(s.exec),
            task_role: Some(format!(
                "arn:aws:iam::{}:role/{}-task",
                self.account, s.name
            )),
            task_role_known: true,
            containers: described
                .containers
                .iter()
                .map(|c| ExecContainer {
                    name: c.name.clone(),
                    last_status: c.last_status.clone(),
                    runtime_id: Some(format!("{}-{}", t.id, 2_531_612_879u64)),
                    agent_status: s.exec.then(|| {
                        if described.last_status == "RUNNING" {
                            "RUNNING".into()
                        } else {
                            "PENDING".into()
                        }
                    }),
                })
                .collect(),
        })
    }

    /// The shell `ExecuteCommand` opens, or why ECS would refuse it.
    pub(crate) fn exec_shell(&self, request: &ExecRequest) -> Result<SimulatedShell, PortError> {
        let (s, t) = self.find_task(&request.cluster, &request.task)?;
        if !s.exec || t.phase != Phase::Running {
            return Err(PortError::InvalidInput {
                operation: "ExecuteCommand".into(),
                message: "The execute command failed because execute command was not enabled when the task was run or the execute command agent isn't running.".into(),
            });
        }
        let revision = &s.revisions[t.revision];
        let definition = self.task_definition_of(s, revision);
        let env: String = definition
            .containers
            .iter()
            .flat_map(|c| c.environment.iter().chain(c.secrets.iter()))
            .map(|name| format!("{name}=… (values are not simulated)\n"))
            .collect();
        let host = format!("ip-10-0-{}-{}", t.id.len() % 8, 10 + t.id.len() % 200);
        let answers = vec![
            ("hostname".to_string(), format!("{host}\n")),
            ("whoami".into(), "root\n".into()),
            ("env".into(), env),
            (
                "ps".into(),
                format!(
                    "PID   USER     COMMAND\n    1 root     /app/{}\n   41 root     /managed-agents/execute-command/amazon-ssm-agent\n   77 root     {}\n",
                    s.container, request.command
                ),
            ),
            ("cat /etc/hostname".into(), format!("{host}\n")),
            ("uptime".into(), {
                let up = t
                    .started_at
                    .map(|at| (self.now - at).num_minutes())
                    .unwrap_or(0);
                format!(" up {up} min,  load average: 0.42, 0.37, 0.30\n")
            }),
        ];
        Ok(SimulatedShell {
            banner: format!(
                "Starting session with SessionId: ecs-execute-command-{}\n(demo: a simulated shell in {} of task {} — {}; type exit to go back)",
                t.id,
                request.container,
                t.id,
                revision.image
            ),
            prompt: format!("{}@{host}:/app# ", "root"),
            answers,
        })
    }

    fn find_task(&self, cluster: &str, task: &str) -> Result<(&SimService, &SimTask), PortError> {
        self.require_cluster(cluster)?;
        self.services
            .iter()
            .filter(|s| s.cluster == cluster)
            .flat_map(|s| s.tasks.iter().map(move |t| (s, t)))
            .find(|(_, t)| t.id == task || task.ends_with(&format!("/{}", t.id)))
            .ok_or_else(|| PortError::NotFound {
                what: crate::domain::Missing::Task,
                message: format!("task {task} is not in cluster {cluster}"),
            })
    }
}
