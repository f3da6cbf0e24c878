//! Secrets Manager: DescribeSecret (versions and stages), RotateSecret, and
//! GetRandomPassword + PutSecretValue. A generated value lives only inside
//! `put_generated` and is never logged, returned or kept.

use super::errors::{map_sdk_error, ErrorContext};
use crate::domain::ports::PortFuture;
use crate::domain::secrets::{Generate, SecretInfo, SecretsPort};
use crate::domain::PortError;

pub struct AwsSecrets {
    client: aws_sdk_secretsmanager::Client,
    ctx: ErrorContext,
}

impl AwsSecrets {
    pub fn new(config: &aws_config::SdkConfig, profile: Option<String>) -> AwsSecrets {
        let region = config.region().map(|r| r.to_string()).unwrap_or_default();
        AwsSecrets {
            client: aws_sdk_secretsmanager::Client::new(config),
            ctx: ErrorContext {
                profile,
                endpoint: super::endpoint_of(config, "secretsmanager", &region),
            },
        }
    }
}

fn missing(operation: &str, what: &str) -> PortError {
    PortError::Other {
        operation: operation.into(),
        message: format!("AWS returned no {what}"),
    }
}

impl SecretsPort for AwsSecrets {
    fn describe_secret<'a>(&'a self, id: &'a str) -> PortFuture<'a, SecretInfo> {
        Box::pin(async move {
            let out = self
                .client
                .describe_secret()
                .secret_id(id)
                .send()
                .await
                .map_err(|e| map_sdk_error("DescribeSecret", e, &self.ctx))?;
            let stage = |wanted: &str| {
                out.version_ids_to_stages().and_then(|m| {
                    m.iter()
                        .find(|(_, stages)| stages.iter().any(|s| s == wanted))
                        .map(|(v, _)| v.clone())
                })
            };
            Ok(SecretInfo {
                arn: out.arn().unwrap_or(id).to_string(),
                name: out.name().unwrap_or(id).to_string(),
                current_version: stage("AWSCURRENT"),
                previous_version: stage("AWSPREVIOUS"),
                rotation_enabled: out.rotation_enabled().unwrap_or(false),
                rotation_lambda: out.rotation_lambda_arn().map(str::to_string),
                last_changed: super::convert::time(out.last_changed_date()),
            })
        })
    }

    fn rotate_with_lambda<'a>(&'a self, id: &'a str) -> PortFuture<'a, String> {
        Box::pin(async move {
            let out = self
                .client
                .rotate_secret()
                .secret_id(id)
                .send()
                .await
                .map_err(|e| map_sdk_error("RotateSecret", e, &self.ctx))?;
            out.version_id()
                .map(str::to_string)
                .ok_or_else(|| missing("RotateSecret", "version id"))
        })
    }

    fn put_generated<'a>(&'a self, id: &'a str, how: Generate) -> PortFuture<'a, String> {
        Box::pin(async move {
            let generated = self
                .client
                .get_random_password()
                .password_length(i64::from(how.length))
                .exclude_punctuation(how.exclude_punctuation)
                .send()
                .await
                .map_err(|e| map_sdk_error("GetRandomPassword", e, &self.ctx))?;
            let value = generated
                .random_password()
                .ok_or_else(|| missing("GetRandomPassword", "password"))?;
            let out = self
                .client
                .put_secret_value()
                .secret_id(id)
                .secret_string(value)
                .send()
                .await
                .map_err(|e| map_sdk_error("PutSecretValue", e, &self.ctx))?;
            out.version_id()
                .map(str::to_string)
                .ok_or_else(|| missing("PutSecretValue", "version id"))
        })
    }
}
