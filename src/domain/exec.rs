//! ECS Exec: a shell into a running container. What a task must be for
//! `ExecuteCommand` to work (the checks `amazon-ecs-exec-checker` makes that
//! need no IAM simulation), the request, the session AWS answers with, and the
//! arguments `session-manager-plugin` takes — the same ones the AWS CLI passes.

use super::ports::PortFuture;
use super::timeline::entry::{ActionRecord, ResultRecord};
use super::timeline::{Actor, EntryDraft, EntryKind};
use serde::Serialize;
use thiserror::Error;

/// The shell when no command is given.
pub(crate) const DEFAULT_COMMAND: &str = "/bin/sh";

/// The managed agent ECS Exec needs in the container.
pub(crate) const EXEC_AGENT: &str = "ExecuteCommandAgent";

/// What triage knows of a task before asking for a shell into it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExecTarget {
    pub cluster: String,
    pub task_arn: String,
    pub task_id: String,
    pub last_status: String,
    pub launch_type: Option<String>,
    /// Fargate's platform version (`1.4.0`, `LATEST`); none on EC2.
    pub platform_version: Option<String>,
    /// `enableExecuteCommand` on the task: fixed when the task started.
    pub exec_enabled: bool,
    /// The service that started it (`service:<name>` group), when one did.
    pub service: Option<String>,
    /// `enableExecuteCommand` on that service now.
    pub service_exec_enabled: Option<bool>,
    /// The task definition's task role (ECS Exec needs one allowing `ssmmessages:*`).
    pub task_role: Option<String>,
    /// Whether the task role was looked up (a describe that failed leaves it unknown).
    pub task_role_known: bool,
    pub containers: Vec<ExecContainer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExecContainer {
    pub name: String,
    pub last_status: Option<String>,
    /// The container runtime id (part of the SSM target).
    pub runtime_id: Option<String>,
    /// `lastStatus` of the container's `ExecuteCommandAgent`, when ECS reports one.
    pub agent_status: Option<String>,
}

/// What is asked of `ExecuteCommand`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExecRequest {
    pub cluster: String,
    pub task: String,
    pub container: String,
    pub command: String,
    /// Always true: ECS Exec supports only interactive sessions.
    pub interactive: bool,
}

/// The session `ExecuteCommand` answers with. The token opens the shell:
/// never printed, logged or journaled.
#[derive(Clone, PartialEq, Eq)]
pub struct ExecSession {
    pub session_id: String,
    pub stream_url: String,
    pub token_value: String,
    pub cluster_arn: String,
    pub task_arn: String,
    pub container_name: String,
    /// Where the session was opened: the plugin is given them, as the AWS CLI does.
    pub region: String,
    pub profile: Option<String>,
    /// The ECS endpoint the call went to.
    pub endpoint: String,
    /// The demo's shell, in place of a Session Manager session.
    pub simulated: Option<SimulatedShell>,
}

/// The demo's stand-in for a container's shell: a prompt and what a few
/// commands print, made from the simulated task.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SimulatedShell {
    pub banner: String,
    pub prompt: String,
    /// `(command, what it prints)`.
    pub answers: Vec<(String, String)>,
}

impl SimulatedShell {
    /// What one line prints; `None` ends the shell (`exit`, `logout`).
    pub fn answer(&self, line: &str) -> Option<String> {
        let line = line.trim();
        if line == "exit" || line == "logout" {
            return None;
        }
        if line.is_empty() {
            return Some(String::new());
        }
        if let Some((_, out)) = self.answers.iter().find(|(cmd, _)| cmd == line) {
            return Some(out.clone());
        }
        let known: Vec<&str> = self.answers.iter().map(|(c, _)| c.as_str()).collect();
        let word = line.split_whitespace().next().unwrap_or(line);
        Some(format!(
            "sh: {word}: not simulated in the demo (try: {}, exit)\n",
            known.join(", ")
        ))
    }
}

impl std::fmt::Debug for ExecSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecSession")
            .field("session_id", &self.session_id)
            .field("task_arn", &self.task_arn)
            .field("container_name", &self.container_name)
            .field("token_value", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// What is asked for: a task, maybe a container, a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecAsk {
    pub cluster: String,
    pub task: String,
    pub container: Option<String>,
    pub command: String,
    /// The watched pair the task runs in.
    pub pair: crate::domain::Pair,
}

/// What runs on the terminal: the plugin with its arguments, or the demo's shell.
#[derive(Debug, Clone, PartialEq)]
pub enum Handoff {
    Plugin {
        program: std::path::PathBuf,
        args: Vec<String>,
    },
    Simulated(SimulatedShell),
}

/// A prepared shell: what was asked of ECS and what runs.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedExec {
    pub request: ExecRequest,
    /// The task's full ARN (for the journal).
    pub task_arn: String,
    pub handoff: Handoff,
}

/// How a shell ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecEnded {
    pub exit_code: Option<i32>,
    pub seconds: u64,
}

port! {
    /// Opening a shell: the facts, then the call.
    pub trait ExecPort {
        /// The task, its service's setting and its task role, as ECS says now.
        fn exec_target<'a>(&'a self, cluster: &'a str, task: &'a str) -> PortFuture<'a, ExecTarget>;
        /// `ExecuteCommand`.
        fn execute_command<'a>(&'a self, request: &'a ExecRequest) -> PortFuture<'a, ExecSession>
            => format!("ExecuteCommand into task {} ({})", request.task, request.container);
        /// True for the demo: its sessions need no plugin.
        fn simulated(&self) -> bool {
            false
        }
    }
}

/// Why a shell cannot be opened, and what to do: said before calling AWS.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExecRefusal {
    #[error("`session-manager-plugin` is not installed (or not on PATH): ECS Exec hands the shell to it, as the AWS CLI does. Install it: https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html")]
    PluginMissing,
    #[error("refused in read-only mode: a shell can change the container. Restart without --read-only to allow it")]
    ReadOnly,
    #[error(
        "task {task} is {status}, not RUNNING: a shell needs a running task. Pick a running one"
    )]
    NotRunning { task: String, status: String },
    #[error("ECS Exec is off on service {service}. Turn it on and replace the tasks: `aws ecs update-service --cluster {cluster} --service {service} --enable-execute-command --force-new-deployment`")]
    ServiceExecOff { cluster: String, service: String },
    #[error("task {task} started before ECS Exec was turned on for {service} (the setting is fixed when a task starts). Replace the tasks: `aws ecs update-service --cluster {cluster} --service {service} --force-new-deployment`")]
    TaskStartedBefore {
        cluster: String,
        service: String,
        task: String,
    },
    #[error("task {task} was run without ECS Exec. Run it again with `--enable-execute-command`")]
    TaskExecOff { task: String },
    #[error("the task definition has no task role: ECS Exec needs one allowing ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and OpenDataChannel. Add `taskRoleArn` and redeploy")]
    NoTaskRole,
    #[error("Fargate platform version {version} is too old for ECS Exec (1.4.0 or later). Redeploy with `--platform-version LATEST`")]
    PlatformTooOld { version: String },
    #[error("task {task} has no container named {container} (it has {})", .names.join(", "))]
    NoSuchContainer {
        task: String,
        container: String,
        names: Vec<String>,
    },
    #[error("task {task} has {} containers ({}): say which one (`--container NAME`, or select the container first)", .names.len(), .names.join(", "))]
    WhichContainer { task: String, names: Vec<String> },
    #[error("container {container} is {status}: a shell needs it RUNNING")]
    ContainerNotRunning { container: String, status: String },
    #[error("the ECS Exec agent in {container} is {status}. {}", agent_advice(.status))]
    AgentNotRunning { container: String, status: String },
}

fn agent_advice(status: &str) -> &'static str {
    if status.eq_ignore_ascii_case("PENDING") {
        "It is still starting: try again in a few seconds"
    } else {
        "It usually stops when the task role lacks ssmmessages:* or the task cannot reach the ssmmessages endpoint (NAT or a VPC endpoint); fix that and replace the task"
    }
}

/// Which container the shell goes into, or why it cannot: every check that
/// can be made from what ECS reports, in the order an engineer fixes them.
pub fn check(target: &ExecTarget, container: Option<&str>) -> Result<String, ExecRefusal> {
    if !target.last_status.eq_ignore_ascii_case("RUNNING") {
        return Err(ExecRefusal::NotRunning {
            task: target.task_id.clone(),
            status: target.last_status.clone(),
        });
    }
    if !target.exec_enabled {
        return Err(match (&target.service, target.service_exec_enabled) {
            (Some(service), Some(true)) => ExecRefusal::TaskStartedBefore {
                cluster: target.cluster.clone(),
                service: service.clone(),
                task: target.task_id.clone(),
            },
            (Some(service), _) => ExecRefusal::ServiceExecOff {
                cluster: target.cluster.clone(),
                service: service.clone(),
            },
            (None, _) => ExecRefusal::TaskExecOff {
                task: target.task_id.clone(),
            },
        });
    }
    if target.task_role_known && target.task_role.is_none() {
        return Err(ExecRefusal::NoTaskRole);
    }
    if let Some(version) = &target.platform_version {
        if is_fargate(target) && platform_too_old(version) {
            return Err(ExecRefusal::PlatformTooOld {
                version: version.clone(),
            });
        }
    }
    let names: Vec<String> = target.containers.iter().map(|c| c.name.clone()).collect();
    let chosen = match container {
        Some(name) => target
            .containers
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| ExecRefusal::NoSuchContainer {
                task: target.task_id.clone(),
                container: name.to_string(),
                names: names.clone(),
            })?,
        None => match target.containers.as_slice() {
            [only] => only,
            _ => {
                return Err(ExecRefusal::WhichContainer {
                    task: target.task_id.clone(),
                    names,
                })
            }
        },
    };
    if let Some(status) = &chosen.last_status {
        if !status.eq_ignore_ascii_case("RUNNING") {
            return Err(ExecRefusal::ContainerNotRunning {
                container: chosen.name.clone(),
                status: status.clone(),
            });
        }
    }
    if let Some(status) = &chosen.agent_status {
        if !status.eq_ignore_ascii_case("RUNNING") {
            return Err(ExecRefusal::AgentNotRunning {
                container: chosen.name.clone(),
                status: status.clone(),
            });
        }
    }
    Ok(chosen.name.clone())
}

fn is_fargate(target: &ExecTarget) -> bool {
    target
        .launch_type
        .as_deref()
        .is_some_and(|l| l.starts_with("FARGATE"))
}

/// Below 1.4.0 (`LATEST` and unparsable versions are let through).
fn platform_too_old(version: &str) -> bool {
    let parts: Vec<u32> = version
        .split('.')
        .map(|p| p.parse::<u32>())
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    match parts.as_slice() {
        [major, minor, ..] => (*major, *minor) < (1, 4),
        _ => false,
    }
}

/// The Session Manager target of a container: `ecs:<cluster>_<task id>_<runtime id>`.
pub(crate) fn ssm_target(cluster: &str, task_id: &str, runtime_id: &str) -> String {
    let cluster = cluster.rsplit('/').next().unwrap_or(cluster);
    format!("ecs:{cluster}_{task_id}_{runtime_id}")
}

/// What the plugin is started with, in the AWS CLI's order: the session
/// JSON, the Region, `StartSession`, the profile (empty for none), the
/// request parameters JSON (`{"Target": …}`) and the ECS endpoint.
pub(crate) fn plugin_args(session: &ExecSession, target: &str) -> Vec<String> {
    let session_json = serde_json::json!({
        "sessionId": session.session_id,
        "streamUrl": session.stream_url,
        "tokenValue": session.token_value,
    });
    vec![
        session_json.to_string(),
        session.region.clone(),
        "StartSession".into(),
        session.profile.clone().unwrap_or_default(),
        serde_json::json!({ "Target": target }).to_string(),
        session.endpoint.clone(),
    ]
}

/// The journal's action for a shell opened: who (the actor), which task and
/// container, the command — never what the session printed.
pub fn opened_entry(request: &ExecRequest, actor: Actor) -> EntryDraft {
    let mut draft = EntryDraft::new(
        EntryKind::Action,
        actor,
        format!(
            "Shell opened into task {} ({}) with ECS Exec: {}",
            short_task(&request.task),
            request.container,
            request.command
        ),
    );
    draft.resources.push(request.task.clone());
    draft.action = Some(ActionRecord {
        kind: "ecs_exec".into(),
        destructive: false,
        dry_run: false,
        inputs: serde_json::json!({
            "cluster": request.cluster,
            "task": request.task,
            "container": request.container,
            "command": request.command,
            "interactive": request.interactive,
        }),
        ..ActionRecord::default()
    });
    draft
}

/// The journal's record of the shell ending: its exit code and length.
pub(crate) fn closed_entry(
    request: &ExecRequest,
    actor: Actor,
    exit_code: Option<i32>,
    seconds: u64,
) -> EntryDraft {
    let mut draft = EntryDraft::new(
        EntryKind::Action,
        actor,
        format!(
            "Shell into task {} ({}) closed after {}{}",
            short_task(&request.task),
            request.container,
            duration_words(seconds),
            exit_code.map(|c| format!(", exit {c}")).unwrap_or_default()
        ),
    );
    draft.resources.push(request.task.clone());
    draft.result = Some(ResultRecord {
        status: if exit_code == Some(0) { "ok" } else { "ended" }.into(),
        exit_code,
        duration_ms: Some(seconds * 1000),
        ..ResultRecord::default()
    });
    draft
}

fn short_task(task: &str) -> &str {
    task.rsplit('/').next().unwrap_or(task)
}

fn duration_words(seconds: u64) -> String {
    match seconds {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

/// An `ExecuteCommand` answer AWS gives when the agent cannot be reached,
/// told as the fix (AWS says only "TargetNotConnectedException").
pub(crate) fn not_connected_advice() -> &'static str {
    "the ECS Exec agent in the container could not connect to Session Manager: the task role needs ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and OpenDataChannel, and the task needs a route to ssmmessages (NAT or a VPC endpoint)"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running() -> ExecTarget {
        ExecTarget {
            cluster: "prod".into(),
            task_arn: "arn:aws:ecs:us-east-1:1:task/prod/abc".into(),
            task_id: "abc".into(),
            last_status: "RUNNING".into(),
            launch_type: Some("FARGATE".into()),
            platform_version: Some("1.4.0".into()),
            exec_enabled: true,
            service: Some("api".into()),
            service_exec_enabled: Some(true),
            task_role: Some("arn:aws:iam::1:role/api".into()),
            task_role_known: true,
            containers: vec![ExecContainer {
                name: "app".into(),
                last_status: Some("RUNNING".into()),
                runtime_id: Some("abc-1".into()),
                agent_status: Some("RUNNING".into()),
            }],
        }
    }

    #[test]
    fn a_ready_task_with_one_container_is_entered_without_naming_it() {
        assert_eq!(check(&running(), None), Ok("app".into()));
    }

    #[test]
    fn exec_off_on_the_service_says_how_to_turn_it_on() {
        let mut t = running();
        t.exec_enabled = false;
        t.service_exec_enabled = Some(false);
        let err = check(&t, None).unwrap_err().to_string();
        assert!(
            err.contains("--enable-execute-command --force-new-deployment"),
            "{err}"
        );
        assert!(err.contains("--service api"), "{err}");
    }

    #[test]
    fn a_task_older_than_the_setting_is_told_to_be_replaced() {
        let mut t = running();
        t.exec_enabled = false;
        let err = check(&t, None).unwrap_err();
        assert!(
            matches!(err, ExecRefusal::TaskStartedBefore { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("--force-new-deployment"));
    }

    #[test]
    fn old_fargate_platforms_no_task_role_and_stopped_agents_are_refused() {
        let mut t = running();
        t.platform_version = Some("1.3.0".into());
        assert!(matches!(
            check(&t, None),
            Err(ExecRefusal::PlatformTooOld { .. })
        ));
        t.platform_version = Some("LATEST".into());
        assert_eq!(check(&t, None), Ok("app".into()));
        t.task_role = None;
        assert_eq!(check(&t, None), Err(ExecRefusal::NoTaskRole));
        t.task_role = Some("r".into());
        t.containers[0].agent_status = Some("STOPPED".into());
        let err = check(&t, None).unwrap_err().to_string();
        assert!(err.contains("ssmmessages"), "{err}");
    }

    #[test]
    fn several_containers_need_a_name_and_a_wrong_name_lists_them() {
        let mut t = running();
        t.containers.push(ExecContainer {
            name: "envoy".into(),
            ..ExecContainer::default()
        });
        let err = check(&t, None).unwrap_err().to_string();
        assert!(err.contains("app, envoy"), "{err}");
        assert_eq!(check(&t, Some("envoy")), Ok("envoy".into()));
        let err = check(&t, Some("web")).unwrap_err().to_string();
        assert!(err.contains("no container named web"), "{err}");
    }

    #[test]
    fn the_simulated_shell_answers_what_it_knows_and_exit_ends_it() {
        let shell = SimulatedShell {
            banner: "demo".into(),
            prompt: "# ".into(),
            answers: vec![("hostname".into(), "ip-10-0-1-5\n".into())],
        };
        assert_eq!(shell.answer("hostname"), Some("ip-10-0-1-5\n".into()));
        assert!(shell
            .answer("rm -rf /")
            .unwrap()
            .contains("rm: not simulated"));
        assert_eq!(shell.answer(""), Some(String::new()));
        assert_eq!(shell.answer(" exit "), None);
    }

    #[test]
    fn the_plugin_gets_the_aws_cli_arguments_and_the_token_is_never_debug_printed() {
        let session = ExecSession {
            session_id: "ecs-execute-command-1".into(),
            stream_url: "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/x".into(),
            token_value: "SECRET-TOKEN".into(),
            cluster_arn: "arn:aws:ecs:us-east-1:1:cluster/prod".into(),
            task_arn: "arn:aws:ecs:us-east-1:1:task/prod/abc".into(),
            container_name: "app".into(),
            region: "us-east-1".into(),
            profile: None,
            endpoint: "https://ecs.us-east-1.amazonaws.com".into(),
            simulated: None,
        };
        let target = ssm_target(&session.cluster_arn, "abc", "abc-1");
        assert_eq!(target, "ecs:prod_abc_abc-1");
        let args = plugin_args(&session, &target);
        assert_eq!(args.len(), 6);
        assert!(args[0].contains("\"tokenValue\":\"SECRET-TOKEN\""));
        assert_eq!(args[2], "StartSession");
        assert_eq!(args[3], "");
        assert_eq!(args[4], r#"{"Target":"ecs:prod_abc_abc-1"}"#);
        assert!(!format!("{session:?}").contains("SECRET-TOKEN"));
    }
}
