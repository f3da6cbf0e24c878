//! The command line: clap definitions and the non-interactive subcommands,
//! with aligned text or stable JSON output and meaningful exit codes
//! (0 ok, 1 a problem found where a flag asks for it, 2 usage or input error,
//! 3 AWS or credential error).

pub mod alarms;
pub mod asking;
pub mod changes;
pub mod completions;
pub mod diagnosis;
pub mod exec;
pub mod exit;
pub mod incident;
pub mod logs;
pub mod output;
pub mod pairs;
pub mod runbook;
pub mod status;
pub mod status_security;
pub mod suggestion;
pub mod task_id;
pub mod wait;
pub mod watch;

use crate::settings::GlobalFlags;
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "triage",
    version,
    about = "Incident-response console for AWS ECS: what is broken, why tasks die, and what to do",
    long_about = "Without a subcommand, opens the console.\n\nTry it without an AWS account: triage --demo"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalFlags,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Health of every watched service, worst first
    Status(status::StatusArgs),
    /// CloudWatch alarms, tied to the services they watch, worst first
    Alarms(alarms::AlarmsArgs),
    /// What changed: CloudTrail's write events, ECS deployments and triage's
    /// own actions, tied to the services they touched
    Changes(changes::ChangesArgs),
    /// Why tasks stopped: each stopped task decoded, and the patterns across them
    Diagnose(diagnosis::DiagnoseArgs),
    /// Every log line of one request across every service, merged by time
    Logs(logs::LogsArgs),
    /// Where one request's time went: a span per service from its log
    /// lines, nested, with the bottleneck (same options as `logs`)
    Trace(logs::LogsArgs),
    /// The incident journal: start, note, milestone, close, export
    Incident(incident::IncidentArgs),
    /// Executable markdown runbooks: list, show, check, run
    Runbook(runbook::RunbookArgs),
    /// A shell into a running container (ECS Exec, through session-manager-plugin)
    Exec(exec::ExecArgs),
    /// Wait until a service is healthy, steady or its alarms OK: exit 0 when
    /// it is, 1 at the timeout (for scripts: roll back, then wait)
    Wait(wait::WaitArgs),
    /// A shell completion script: bash, zsh, fish, powershell or elvish
    Completions(completions::CompletionsArgs),
    /// The manual page (roff), or every page into --dir
    Man(completions::ManArgs),
}

/// Output format of a subcommand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
}
