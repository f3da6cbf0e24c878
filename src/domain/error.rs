//! What can go wrong when triage talks to an account (AWS or the demo), in
//! words an on-call engineer can act on.

use thiserror::Error;

/// An error from a port: every adapter (AWS, demo) maps its failures into one of these.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum PortError {
    #[error("no AWS credentials found{}. Fix: `aws sso login --profile <name>` and pass `--profile <name>`, or set AWS_PROFILE / AWS_ACCESS_KEY_ID. To try triage without an account: `triage --demo`", profile_hint(.profile))]
    NoCredentials { profile: Option<String> },

    #[error("AWS credentials have expired{}. Fix: `{}` and try again (triage keeps retrying)", profile_hint(.profile), login_command(.profile))]
    ExpiredCredentials { profile: Option<String> },

    #[error("AWS rejected the credentials{}: {message}. Check the access key or run `{}`", profile_hint(.profile), login_command(.profile))]
    InvalidCredentials {
        profile: Option<String>,
        message: String,
    },

    #[error("access denied for {operation}: {message}. The role needs permission for this call")]
    AccessDenied { operation: String, message: String },

    #[error("AWS is throttling {operation} (rate exceeded) and triage's retries ran out. Try again in a minute, or lower [aws] ecs_reads_per_second / logs_reads_per_second to leave your pipelines more of the quota")]
    Throttled { operation: String },

    #[error("{what} not found: {message}")]
    NotFound { what: Missing, message: String },

    #[error("cannot reach {endpoint}: {message}. Check the network, VPN or --endpoint-url")]
    Unreachable { endpoint: String, message: String },

    #[error("refused in read-only mode: {operation} would change the account. Restart without --read-only to allow it")]
    ReadOnly { operation: String },

    #[error("invalid request for {operation}: {message}")]
    InvalidInput { operation: String, message: String },

    #[error("{operation} failed: {message}")]
    Other { operation: String, message: String },
}

/// What was not found: callers branch on it (an unknown cluster is the
/// operator's typo, exit 2; a missing log group is reported and skipped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Cluster,
    Service,
    Task,
    TaskDefinition,
    LogGroup,
    LogStream,
    SecurityGroup,
    Secret,
    TargetGroup,
    /// Something else AWS says is not there.
    Resource,
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Missing::Cluster => "cluster",
            Missing::Service => "service",
            Missing::Task => "task",
            Missing::TaskDefinition => "task definition",
            Missing::LogGroup => "log group",
            Missing::TargetGroup => "target group",
            Missing::LogStream => "log stream",
            Missing::SecurityGroup => "security group",
            Missing::Secret => "secret",
            Missing::Resource => "resource",
        })
    }
}

impl PortError {
    /// Not found, and what.
    pub fn missing(&self) -> Option<Missing> {
        match self {
            PortError::NotFound { what, .. } => Some(*what),
            _ => None,
        }
    }

    /// A short label for a status bar.
    pub fn short(&self) -> &'static str {
        match self {
            PortError::NoCredentials { .. } => "no credentials",
            PortError::ExpiredCredentials { .. } => "credentials expired",
            PortError::InvalidCredentials { .. } => "credentials rejected",
            PortError::AccessDenied { .. } => "access denied",
            PortError::Throttled { .. } => "throttled",
            PortError::NotFound { .. } => "not found",
            PortError::Unreachable { .. } => "unreachable",
            PortError::ReadOnly { .. } => "read-only",
            PortError::InvalidInput { .. } => "invalid request",
            PortError::Other { .. } => "error",
        }
    }
}

fn profile_hint(profile: &Option<String>) -> String {
    match profile {
        Some(p) => format!(" (profile `{p}`)"),
        None => String::new(),
    }
}

fn login_command(profile: &Option<String>) -> String {
    match profile {
        Some(p) => format!("aws sso login --profile {p}"),
        None => "aws sso login".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_sso_names_the_login_command() {
        let e = PortError::ExpiredCredentials {
            profile: Some("prod-admin".into()),
        };
        assert!(e.to_string().contains("aws sso login --profile prod-admin"));
    }

    #[test]
    fn no_credentials_mentions_the_demo() {
        let e = PortError::NoCredentials { profile: None };
        assert!(e.to_string().contains("triage --demo"));
    }
}
