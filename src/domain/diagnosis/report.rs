//! A diagnosis as it crosses layers: every finding, the patterns across
//! them, the services they belong to, and what could not be read or was
//! left out. Made by the diagnosis job, shown by the console and the CLI.

use super::{Finding, Pattern};
use crate::domain::service::Service;
use crate::domain::PortError;

/// What a diagnosis found.
#[derive(Debug, Clone, Default)]
pub struct DiagnosisReport {
    /// Newest first.
    pub findings: Vec<Finding>,
    pub patterns: Vec<Pattern>,
    pub services: Vec<Service>,
    /// Clusters whose stopped tasks could not be read, and why.
    pub errors: Vec<(String, PortError)>,
    /// Stopped tasks the scope left out, counted so nothing vanishes silently.
    pub left_out: LeftOut,
}

/// Stopped tasks of the scanned clusters that a `--service` scope leaves out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeftOut {
    /// Started by other services.
    pub other_services: usize,
    /// Started by no service (RunTask: batch jobs, migrations, one-offs).
    pub standalone: usize,
}
