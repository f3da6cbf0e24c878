//! The only code that talks to AWS: builds SDK clients from the standard
//! credential chain (profile, SSO, env, roles) with triage's overrides,
//! implements the ports over them, and maps SDK errors into [`PortError`]s.

pub mod budget;
pub mod cloudtrail;
pub mod convert;
pub mod ec2;
pub mod ecs;
pub mod errors;
pub mod exec;
pub mod flow_logs;
pub mod guardduty;
pub mod logs;
pub mod monitoring;
pub mod secrets;
pub mod share;
pub mod xray;

use crate::domain::PortError;
use crate::settings::AwsTuning;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use std::time::Duration;

pub use ecs::AwsAccount;

/// Where a client's calls go, for messages: the endpoint given
/// (`--endpoint-url`), else the service's own in the Region.
pub(crate) fn endpoint_of(config: &aws_config::SdkConfig, service: &str, region: &str) -> String {
    config
        .endpoint_url()
        .map(str::to_string)
        .unwrap_or_else(|| format!("https://{service}.{region}.amazonaws.com"))
}

/// How to reach AWS.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub tuning: AwsTuning,
}

/// Resolve credentials and region from the standard chain with the overrides.
/// Fails only when no region can be found at all; credential problems surface
/// on the first call, as typed errors.
pub(crate) async fn load_config(conn: &Connection) -> Result<aws_config::SdkConfig, PortError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(conn.tuning.max_attempts))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_timeout(conn.tuning.timeout)
                .build(),
        );
    if let Some(profile) = &conn.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &conn.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(endpoint) = &conn.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return Err(PortError::InvalidInput {
            operation: "configuration".into(),
            message: "no AWS region: pass --region, set AWS_REGION, or add `region` to your profile or triage's config".into(),
        });
    }
    Ok(config)
}
