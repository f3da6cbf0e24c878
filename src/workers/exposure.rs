//! Reading what the services' tasks can reach and read (their *exposure*):
//! each service's task definition (from the disk cache when it can), every
//! security group of them in one batched DescribeSecurityGroups, and each
//! Secrets Manager secret described at most every few minutes (a secret's
//! last change moves rarely; the memo keeps the calls down). What cannot be
//! read is said on the rows that need it; only an account that cannot be
//! read at all (credentials, network) fails the whole read.

use crate::domain::exposure::{exposure, group_ids, secret_arns, Exposure};
use crate::domain::network::NetworkPort;
use crate::domain::ports::{EcsPort, TaskDefinition};
use crate::domain::secrets::{SecretInfo, SecretsPort};
use crate::domain::service::{Service, ServiceKey};
use crate::domain::PortError;
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// How long a secret's description is used before it is asked again.
pub(crate) const SECRET_MEMO_MINUTES: i64 = 5;

/// One secret as described (or why not), and when.
type Described = (DateTime<Utc>, Result<SecretInfo, String>);

/// Secrets described lately, with when.
#[derive(Debug, Default)]
pub struct SecretMemo(Mutex<HashMap<String, Described>>);

impl SecretMemo {
    fn fresh(&self, arn: &str, now: DateTime<Utc>) -> Option<Result<SecretInfo, String>> {
        let memo = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (at, read) = memo.get(arn)?;
        (now - *at < Duration::minutes(SECRET_MEMO_MINUTES)).then(|| read.clone())
    }

    fn keep(&self, arn: &str, now: DateTime<Utc>, read: Result<SecretInfo, String>) {
        let mut memo = self.0.lock().unwrap_or_else(|e| e.into_inner());
        memo.insert(arn.to_string(), (now, read));
    }
}

/// The ports an exposure read goes through.
#[derive(Clone)]
pub struct ExposurePorts {
    pub network: Arc<dyn NetworkPort>,
    pub secrets: Arc<dyn SecretsPort>,
    pub memo: Arc<SecretMemo>,
}

impl ExposurePorts {
    pub fn new(network: Arc<dyn NetworkPort>, secrets: Arc<dyn SecretsPort>) -> ExposurePorts {
        ExposurePorts {
            network,
            secrets,
            memo: Default::default(),
        }
    }
}

/// Why a read failed, in a few words for the row that needs it.
fn row_problem(operation: &str, err: &PortError) -> String {
    match err {
        PortError::AccessDenied { .. } => format!("access denied to {operation}"),
        PortError::NotFound { .. } => "no longer exists".to_string(),
        other => format!("{operation}: {}", other.short()),
    }
}

/// Errors that say the whole account cannot be read now.
fn account_down(err: &PortError) -> bool {
    matches!(
        err,
        PortError::NoCredentials { .. }
            | PortError::ExpiredCredentials { .. }
            | PortError::InvalidCredentials { .. }
            | PortError::Unreachable { .. }
    )
}

/// The exposure of each of `services` (task definitions also `secrets`
/// when `describe_secrets`; the CLI's `status` leaves them out).
pub async fn read_exposure(
    ecs: &dyn EcsPort,
    ports: &ExposurePorts,
    services: &[Service],
    describe_secrets: bool,
    now: DateTime<Utc>,
) -> Result<BTreeMap<ServiceKey, Exposure>, PortError> {
    let mut arns: Vec<&str> = services
        .iter()
        .map(|s| s.task_definition.as_str())
        .collect();
    arns.sort_unstable();
    arns.dedup();
    let (definitions, groups) = futures::join!(
        futures::future::join_all(
            arns.iter()
                .map(|arn| async move { (arn.to_string(), ecs.task_definition(arn).await) })
        ),
        async {
            let ids = group_ids(services);
            if ids.is_empty() {
                Ok(Vec::new())
            } else {
                ports.network.security_groups(&ids).await
            }
        }
    );
    let definitions: HashMap<String, Result<TaskDefinition, PortError>> =
        definitions.into_iter().collect();
    if let Some(err) = definitions
        .values()
        .filter_map(|r| r.as_ref().err())
        .find(|e| account_down(e))
    {
        return Err(err.clone());
    }
    let (groups, group_problem) = match groups {
        Ok(groups) => (groups, None),
        Err(err) if account_down(&err) => return Err(err),
        Err(err) => (
            Vec::new(),
            Some(row_problem("ec2:DescribeSecurityGroups", &err)),
        ),
    };
    let secrets = if describe_secrets {
        let read: Vec<&TaskDefinition> = definitions
            .values()
            .filter_map(|r| r.as_ref().ok())
            .collect();
        describe_all(ports, &secret_arns(read), now).await
    } else {
        BTreeMap::new()
    };
    Ok(services
        .iter()
        .map(|service| {
            let definition = match definitions.get(&service.task_definition) {
                Some(Ok(td)) => Ok(td),
                Some(Err(err)) => Err(row_problem("ecs:DescribeTaskDefinition", err)),
                None => Err("no task definition".to_string()),
            };
            let mut found = exposure(service, definition, &groups, &secrets);
            if let (Some(problem), Some(network)) = (&group_problem, &mut found.network) {
                for group in &mut network.groups {
                    group.problem = Some(problem.clone());
                }
            }
            (service.key(), found)
        })
        .collect())
}

/// Each secret described (or remembered from the last few minutes).
async fn describe_all(
    ports: &ExposurePorts,
    arns: &[String],
    now: DateTime<Utc>,
) -> BTreeMap<String, Result<SecretInfo, String>> {
    let reads = arns.iter().map(|arn| async move {
        if let Some(known) = ports.memo.fresh(arn, now) {
            return (arn.clone(), known);
        }
        let read = ports
            .secrets
            .describe_secret(arn)
            .await
            .map_err(|e| row_problem("secretsmanager:DescribeSecret", &e));
        ports.memo.keep(arn, now, read.clone());
        (arn.clone(), read)
    });
    futures::future::join_all(reads).await.into_iter().collect()
}
