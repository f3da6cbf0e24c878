//! Exit codes, and the error that ends a command: every kind of failure is
//! a variant, and each variant says its code — no guessing from messages.

use crate::demo::scenario::ScenarioError;
use crate::domain::{Missing, PortError};
use crate::settings::SettingsError;
use crate::store::StoreError;
use crate::workers::share::ShareError;

pub const OK: u8 = 0;
/// The command ran and found a problem the flags asked to fail on.
pub(crate) const PROBLEM_FOUND: u8 = 1;
/// Bad usage or input (flags, config, unknown cluster).
pub const USAGE: u8 = 2;
/// AWS or credential failure.
pub const AWS: u8 = 3;

/// What ended a command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Port(#[from] PortError),
    /// A port error, and what triage was doing.
    #[error("{doing}: {source}")]
    PortWhile {
        doing: &'static str,
        source: PortError,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Share(#[from] ShareError),
    /// Written locally, but other responders will not see it.
    #[error("written locally, but not shared: {0}")]
    NotShared(ShareError),
    #[error(transparent)]
    Runbook(#[from] crate::workers::runbook::driver::DriveError),
    /// No shell could be opened (ECS Exec).
    #[error(transparent)]
    Exec(#[from] crate::workers::exec::ExecError),
    /// The terminal or the console failed.
    #[error(transparent)]
    Console(#[from] anyhow::Error),
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

impl From<crate::wiring::OpenError> for CliError {
    fn from(err: crate::wiring::OpenError) -> CliError {
        match err {
            crate::wiring::OpenError::Scenario(s) => CliError::Scenario(s),
            crate::wiring::OpenError::Port(p) => CliError::Port(p),
        }
    }
}

impl CliError {
    /// The exit code this error ends the command with.
    /// The port error inside, if any.
    pub(crate) fn port_error(&self) -> Option<&PortError> {
        match self {
            CliError::Port(p)
            | CliError::PortWhile { source: p, .. }
            | CliError::Exec(crate::workers::exec::ExecError::Port(p)) => Some(p),
            CliError::Share(ShareError::Port(p)) | CliError::NotShared(ShareError::Port(p)) => {
                Some(p)
            }
            _ => None,
        }
    }

    /// Expired (or refused) credentials of a profile that signs in through
    /// an `sso_session`: the one login that renews every profile of it.
    pub fn sso_session_hint(&self, files: &crate::store::aws_profiles::AwsFiles) -> Option<String> {
        let (PortError::ExpiredCredentials { profile: Some(p) }
        | PortError::InvalidCredentials {
            profile: Some(p), ..
        }) = self.port_error()?
        else {
            return None;
        };
        let session = files
            .profiles()
            .into_iter()
            .find(|profile| &profile.name == p)?
            .sso_session?;
        Some(format!(
            "profile `{p}` signs in through SSO session `{session}`: `{}` renews it",
            crate::domain::sso::login_command(Some(p), Some(&session))
        ))
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Settings(_) | CliError::Scenario(_) => USAGE,
            CliError::Port(p) | CliError::PortWhile { source: p, .. } => port_code(p),
            CliError::Store(s) => store_code(s),
            CliError::Share(share) | CliError::NotShared(share) => match share {
                ShareError::Port(p) => port_code(p),
                ShareError::Store(s) => store_code(s),
            },
            CliError::Exec(exec) => match exec {
                // A task id that is not there is the engineer's typo.
                crate::workers::exec::ExecError::Port(PortError::NotFound {
                    what: Missing::Task,
                    ..
                }) => USAGE,
                crate::workers::exec::ExecError::Port(p) => port_code(p),
                crate::workers::exec::ExecError::Refused(_) => USAGE,
                crate::workers::exec::ExecError::NoRuntimeId { .. } => AWS,
            },
            CliError::Runbook(_) | CliError::Console(_) | CliError::Output(_) => PROBLEM_FOUND,
        }
    }
}

fn store_code(err: &StoreError) -> u8 {
    match err {
        StoreError::Io { .. } => PROBLEM_FOUND,
        _ => USAGE,
    }
}

fn port_code(port: &PortError) -> u8 {
    match port {
        PortError::NotFound {
            what: Missing::Cluster,
            ..
        } => USAGE,
        PortError::InvalidInput { .. } => USAGE,
        _ => AWS,
    }
}
