//! ECS Exec, the IO half: refuse what cannot work before calling (read-only,
//! no plugin, then what ECS reports of the task), call `ExecuteCommand`, and
//! hand the session to `session-manager-plugin` (or the demo's simulated
//! shell) on the caller's terminal. The console suspends its screen around
//! [`run_handoff`]; the CLI calls it directly.

use crate::domain::exec::{
    check, plugin_args, ssm_target, ExecPort, ExecRefusal, ExecRequest, ExecTarget, SimulatedShell,
};
pub use crate::domain::exec::{ExecAsk, ExecEnded, Handoff, PreparedExec};
use crate::domain::PortError;
use std::ffi::OsStr;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// The program the AWS CLI hands sessions to.
pub(crate) const PLUGIN: &str = "session-manager-plugin";

/// Why no shell was opened.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ExecError {
    #[error("{0}")]
    Refused(#[from] ExecRefusal),
    #[error(transparent)]
    Port(#[from] PortError),
    #[error("ECS reports no runtime id for container {container} yet: it is still starting; try again in a few seconds")]
    NoRuntimeId { container: String },
}

/// Every check that needs no `ExecuteCommand`: the container a shell would
/// open in, or why it cannot.
pub(crate) async fn readiness(
    port: &dyn ExecPort,
    ask: &ExecAsk,
    read_only: bool,
    plugin: Option<PathBuf>,
) -> Result<String, ExecError> {
    ready(port, ask, read_only, plugin)
        .await
        .map(|(_, container, _)| container)
}

async fn ready(
    port: &dyn ExecPort,
    ask: &ExecAsk,
    read_only: bool,
    plugin: Option<PathBuf>,
) -> Result<(ExecTarget, String, Option<PathBuf>), ExecError> {
    if read_only {
        return Err(ExecRefusal::ReadOnly.into());
    }
    let program = match (port.simulated(), plugin) {
        (true, _) => None,
        (false, Some(p)) => Some(p),
        (false, None) => return Err(ExecRefusal::PluginMissing.into()),
    };
    let target = port.exec_target(&ask.cluster, &ask.task).await?;
    let container = check(&target, ask.container.as_deref())?;
    Ok((target, container, program))
}

/// Check, call `ExecuteCommand`, and say what to run. `plugin` is where
/// `session-manager-plugin` was found (see [`find_plugin`]).
pub async fn prepare(
    port: &dyn ExecPort,
    ask: &ExecAsk,
    read_only: bool,
    plugin: Option<PathBuf>,
) -> Result<PreparedExec, ExecError> {
    let (target, container, program) = ready(port, ask, read_only, plugin).await?;
    let request = ExecRequest {
        cluster: target.cluster.clone(),
        task: target.task_arn.clone(),
        container: container.clone(),
        command: ask.command.clone(),
        interactive: true,
    };
    let runtime_id = target
        .containers
        .iter()
        .find(|c| c.name == container)
        .and_then(|c| c.runtime_id.clone());
    let session = port.execute_command(&request).await?;
    let handoff = match (program, session.simulated.clone()) {
        (_, Some(shell)) => Handoff::Simulated(shell),
        (None, None) => {
            return Err(PortError::Other {
                operation: "ExecuteCommand".into(),
                message: "the demo answered without its simulated shell".into(),
            }
            .into())
        }
        (Some(program), None) => {
            let runtime_id = runtime_id.ok_or(ExecError::NoRuntimeId {
                container: container.clone(),
            })?;
            let ssm = ssm_target(&session.cluster_arn, &target.task_id, &runtime_id);
            Handoff::Plugin {
                program,
                args: plugin_args(&session, &ssm),
            }
        }
    };
    Ok(PreparedExec {
        request,
        task_arn: target.task_arn,
        handoff,
    })
}

/// `session-manager-plugin` on this `PATH`, if it is there and executable.
pub(crate) fn find_plugin(path: Option<&OsStr>) -> Option<PathBuf> {
    std::env::split_paths(path?)
        .map(|dir| dir.join(PLUGIN))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Run the handoff on this terminal (already in its normal mode) until it
/// ends. Ctrl+C goes to the shell, not to triage: triage ignores SIGINT
/// meanwhile, as the AWS CLI does.
pub(crate) async fn run_handoff(handoff: &Handoff) -> std::io::Result<ExecEnded> {
    let started = std::time::Instant::now();
    // Once a handler is installed SIGINT no longer ends triage; the child
    // gets the default disposition back when it starts.
    let _interrupts = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    let exit_code = match handoff {
        Handoff::Plugin { program, args } => tokio::process::Command::new(program)
            .args(args)
            .kill_on_drop(true)
            .status()
            .await?
            .code(),
        Handoff::Simulated(shell) => {
            let shell = shell.clone();
            tokio::task::spawn_blocking(move || {
                let stdin = std::io::stdin();
                let mut stdout = std::io::stdout();
                run_simulated(&shell, &mut stdin.lock(), &mut stdout)
            })
            .await
            .map_err(std::io::Error::other)??
        }
    };
    Ok(ExecEnded {
        exit_code,
        seconds: started.elapsed().as_secs(),
    })
}

/// The demo's shell on any reader and writer: a prompt, an answer a line,
/// until `exit` or the end of input.
pub fn run_simulated(
    shell: &SimulatedShell,
    input: &mut dyn BufRead,
    output: &mut dyn Write,
) -> std::io::Result<Option<i32>> {
    // The banner, prompt and answers come from a scenario file: cleaned like
    // any text that reaches the terminal.
    use crate::domain::sanitize::strip_controls;
    writeln!(output, "{}", strip_controls(&shell.banner))?;
    loop {
        write!(output, "{}", strip_controls(&shell.prompt))?;
        output.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            writeln!(output)?;
            return Ok(Some(0));
        }
        match shell.answer(line.trim()) {
            Some(answer) => write!(output, "{}", strip_controls(&answer))?,
            None => return Ok(Some(0)),
        }
    }
}
