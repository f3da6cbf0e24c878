//! `triage runbook list | show | check | run`: the runbooks found, one
//! runbook's shape, the linter, and a non-interactive run (answers and
//! confirmations from flags; a step nobody answered pauses the run, exit 4).

use super::Format;
use clap::{Args, Subcommand};
use std::collections::BTreeMap;
use std::path::PathBuf;

mod catalogue;
mod opening;
mod run;

pub use catalogue::{check, list, show};
pub use run::{pair_of_resumed, run};

/// A step waits for a person: answer it and run again.
pub(crate) const WAITING: u8 = 4;

#[derive(Debug, Args)]
pub struct RunbookArgs {
    #[command(subcommand)]
    pub command: RunbookCommand,
}

#[derive(Debug, Subcommand)]
pub enum RunbookCommand {
    /// The runbooks found (./runbooks, the config dir, config paths)
    List {
        #[arg(short, long, value_enum, default_value_t = Format::Text)]
        output: Format,
    },
    /// One runbook: parameters and steps
    Show {
        /// A file or a runbook id
        file: String,
        #[arg(short, long, value_enum, default_value_t = Format::Text)]
        output: Format,
    },
    /// Lint runbooks: every problem with file:line; exit 2 on errors
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run a runbook step by step, journaled in the incident
    Run(RunArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// A file or a runbook id
    pub file: String,
    /// A parameter: name=value (lists comma-separated; repeatable)
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Fill every parameter triage can know from this service: cluster,
    /// service, its security groups, the secrets and log groups its task
    /// definition names, the account's flow logs role (a --param wins)
    #[arg(long, value_name = "CLUSTER/SERVICE")]
    pub service: Option<String>,
    /// Plan every step, execute none, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Confirm destructive steps (approve, choice and manual steps still need --answer)
    #[arg(long)]
    pub yes: bool,
    /// Answer a step: approve (your name), choice (an option), manual (done|failed),
    /// a step left unknown by a crash (done|failed|retry), or a destructive step (yes)
    #[arg(long = "answer", value_name = "STEP=VALUE")]
    pub answers: Vec<String>,
    /// The incident to journal in (default: the one open, or a new one)
    #[arg(long)]
    pub incident: Option<String>,
    /// Continue a run where it stopped
    #[arg(long, value_name = "RUN_ID")]
    pub resume: Option<String>,
    /// Resume even though the runbook file changed since the run began
    #[arg(long)]
    pub accept_changes: bool,
    /// The one account and Region to run in, when several are watched: NAME/REGION
    #[arg(long, value_name = "NAME/REGION")]
    pub pair: Option<String>,
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
}

pub(super) fn pairs(items: &[String], flag: &str) -> Result<BTreeMap<String, String>, String> {
    items
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.to_string()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| format!("{flag} `{p}`: write NAME=VALUE"))
        })
        .collect()
}
