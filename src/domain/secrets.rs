//! Secrets Manager as triage sees it: names, version ids and stages, never
//! values. A generated value is made and stored inside the adapter and never
//! comes back through this port.

use super::ports::PortFuture;
use serde::{Deserialize, Serialize};

/// A secret's identity and its current and previous versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretInfo {
    pub arn: String,
    pub name: String,
    /// Version id labelled AWSCURRENT.
    pub current_version: Option<String>,
    /// Version id labelled AWSPREVIOUS.
    pub previous_version: Option<String>,
    pub rotation_enabled: bool,
    pub rotation_lambda: Option<String>,
    /// When its value last changed (`LastChangedDate`).
    #[serde(default)]
    pub last_changed: Option<chrono::DateTime<chrono::Utc>>,
}

/// How a new secret value is generated (GetRandomPassword's knobs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generate {
    pub length: u32,
    pub exclude_punctuation: bool,
}

port! {
    /// Reading and rotating secrets: version ids and stages, never values.
    pub trait SecretsPort {
        fn describe_secret<'a>(&'a self, id: &'a str) -> PortFuture<'a, SecretInfo>;
        /// RotateSecret with the secret's configured Lambda; the new version id.
        fn rotate_with_lambda<'a>(&'a self, id: &'a str) -> PortFuture<'a, String>
            => format!("RotateSecret {id}");
        /// GetRandomPassword then PutSecretValue (AWSCURRENT moves to the new
        /// version); the new version id. The value never leaves the adapter.
        fn put_generated<'a>(&'a self, id: &'a str, how: Generate) -> PortFuture<'a, String>
            => format!("PutSecretValue {id}");
    }
}
