//! `triage exec -o json`: the shell's end, or `--check`'s verdict.

use super::super::schema::Version;
use schemars::JsonSchema;
use serde::Serialize;

/// A shell that was opened and has ended.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ExecEndedDoc {
    pub schema_version: Version,
    pub cluster: String,
    pub task: String,
    pub container: String,
    pub command: String,
    /// The session's exit code; null when it ended without one.
    pub exit_code: Option<i32>,
    pub seconds: u64,
    /// The incident whose journal has the session's opening and closing.
    pub journaled_in: Option<String>,
}

/// `--check`: whether a shell could be opened, and in which container.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ExecCheckDoc {
    pub schema_version: Version,
    pub cluster: String,
    pub task: String,
    pub ready: bool,
    pub container: Option<String>,
    /// Why not, when not ready.
    pub reason: Option<String>,
}
