//! Wiring: the system clock, the log file, and the account (AWS or the demo)
//! built from [`Settings`], read-only when asked.

use crate::aws::{AwsAccount, Connection};
use crate::demo::scenario::Scenario;
use crate::demo::DemoAccount;
use crate::domain::exec::ExecPort;
use crate::domain::network::NetworkPort;
use crate::domain::ports::{EcsPort, LogSearchPort, LogsPort, MonitoringPort, ReadOnly, SharePort};
use crate::domain::secrets::SecretsPort;
use crate::domain::security::SecurityPort;
use crate::domain::Clock;
use crate::settings::{AccountSource, Settings};
use chrono::{DateTime, Utc};
use std::path::Path;
use std::sync::Arc;

/// The wall clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// How to reach AWS, from the settings (empty for the demo).
fn connection(settings: &Settings) -> Connection {
    match &settings.source {
        AccountSource::Aws {
            profile,
            region,
            endpoint_url,
        } => Connection {
            profile: profile.clone(),
            region: region.clone(),
            endpoint_url: endpoint_url.clone(),
            tuning: settings.aws.clone(),
        },
        AccountSource::Demo { .. } => Connection::default(),
    }
}

/// The ports of one account: ECS and its container logs.
#[derive(Clone)]
pub struct Account {
    pub ecs: Arc<dyn EcsPort>,
    pub logs: Arc<dyn LogsPort>,
    pub search: Arc<dyn LogSearchPort>,
    pub network: Arc<dyn NetworkPort>,
    pub secrets: Arc<dyn SecretsPort>,
    /// CloudWatch alarms and metrics, target health.
    pub monitoring: Option<Arc<dyn MonitoringPort>>,
    /// A shell into a running container (ECS Exec).
    pub exec: Arc<dyn ExecPort>,
    /// GuardDuty's findings.
    pub security: Arc<dyn SecurityPort>,
    /// CloudTrail's write events (what changed).
    pub trail: Arc<dyn crate::domain::changes::TrailPort>,
    /// X-Ray's traces (where a request's time went).
    pub traces: Arc<dyn crate::domain::trace::reading::TracePort>,
    /// The role VPC flow logs deliver with (`[security] flow_logs_role`,
    /// or the demo scenario's).
    pub flow_logs_role: Option<String>,
    /// The log groups the last discovery found (a search starts on them at once).
    pub log_groups: crate::store::log_groups::LogGroupCache,
    /// The services' egress baselines of the last hour.
    pub baselines: crate::store::baselines::BaselineCache,
    /// The Region it is in, as resolved (the profile's when none was asked).
    pub region: String,
}

/// Why the account could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Scenario(#[from] crate::demo::scenario::ScenarioError),
    #[error(transparent)]
    Port(#[from] crate::domain::PortError),
}

/// The ports of an account, all answered by one demo account.
type Ports = (
    Arc<dyn EcsPort>,
    Arc<dyn LogsPort>,
    Arc<dyn LogSearchPort>,
    Arc<dyn NetworkPort>,
    Arc<dyn SecretsPort>,
    Option<Arc<dyn MonitoringPort>>,
    Arc<dyn ExecPort>,
    Arc<dyn SecurityPort>,
);

fn demo_ports(demo: Arc<DemoAccount>) -> Ports {
    (
        demo.clone(),
        demo.clone(),
        demo.clone(),
        demo.clone(),
        demo.clone(),
        Some(demo.clone()),
        demo.clone(),
        demo,
    )
}

impl Account {
    /// Every port answered by this demo account (tests drive the console
    /// and the CLI over one simulation); caches under `cache_dir`.
    pub fn of_demo(demo: Arc<DemoAccount>, scenario: &Scenario, cache_dir: &Path) -> Account {
        let trail = demo.clone();
        let traces = demo.clone();
        let (ecs, logs, search, network, secrets, monitoring, exec, security) = demo_ports(demo);
        let namespace = format!("demo-{}", scenario.name);
        Account {
            ecs,
            logs,
            search,
            network,
            secrets,
            monitoring,
            exec,
            security,
            trail,
            traces,
            flow_logs_role: Some(scenario.flow_logs_role()),
            log_groups: crate::store::log_groups::LogGroupCache::new(cache_dir, &namespace),
            baselines: crate::store::baselines::BaselineCache::new(cache_dir, &namespace),
            region: scenario.region.clone(),
        }
    }
}

/// Build the account the settings ask for (read-only when asked).
pub(crate) async fn open_account(settings: &Settings) -> Result<Account, OpenError> {
    let region: String;
    let mut flow_logs_role = settings.security.flow_logs_role.clone();
    let trail: Arc<dyn crate::domain::changes::TrailPort>;
    let traces: Arc<dyn crate::domain::trace::reading::TracePort>;
    let (ecs, logs, search, network, secrets, monitoring, exec, security): Ports = match &settings
        .source
    {
        AccountSource::Demo { scenario } => {
            let scenario = Scenario::load(scenario)?;
            region = scenario.region.clone();
            flow_logs_role = flow_logs_role.or_else(|| Some(scenario.flow_logs_role()));
            let demo = Arc::new(DemoAccount::new(&scenario, Arc::new(SystemClock)));
            trail = demo.clone();
            traces = demo.clone();
            demo_ports(demo)
        }
        AccountSource::Aws {
            profile,
            endpoint_url,
            ..
        } => {
            let conn = connection(settings);
            let config = crate::aws::load_config(&conn).await?;
            region = config.region().map(|r| r.to_string()).unwrap_or_default();
            // CloudTrail events never change: kept per account and Region.
            trail = Arc::new(
                crate::aws::cloudtrail::AwsTrail::new(&config, profile.clone()).with_store(
                    Arc::new(crate::store::trail::TrailCache::new(
                        &settings.cache_dir,
                        &format!(
                            "{}-{}",
                            cache_namespace(settings),
                            pair_namespace(settings, &region)
                        ),
                    )),
                ),
            );
            traces = Arc::new(crate::aws::xray::AwsTraces::new(&config, profile.clone()));
            // Revisions never change: kept on disk between runs, per endpoint.
            let definitions = crate::store::definitions::DefinitionCache::new(
                &settings.cache_dir,
                &crate::store::cache::namespace_for(endpoint_url.as_deref()),
            );
            let logs = Arc::new(crate::aws::logs::AwsLogs::new(
                &config,
                profile.clone(),
                settings.aws.logs_pace,
            ));
            (
                Arc::new(
                    AwsAccount::with_config(&config, &conn).with_definitions(Arc::new(definitions)),
                ),
                logs.clone(),
                logs,
                Arc::new(crate::aws::ec2::AwsNetwork::new(&config, profile.clone())),
                Arc::new(crate::aws::secrets::AwsSecrets::new(
                    &config,
                    profile.clone(),
                )),
                Some(Arc::new(crate::aws::monitoring::AwsMonitoring::new(
                    &config,
                    profile.clone(),
                ))),
                Arc::new(AwsAccount::with_config(&config, &conn)),
                Arc::new(crate::aws::guardduty::AwsSecurity::new(
                    &config,
                    profile.clone(),
                )),
            )
        }
    };
    let (network, secrets): (Arc<dyn NetworkPort>, Arc<dyn SecretsPort>) = if settings.read_only {
        (Arc::new(ReadOnly(network)), Arc::new(ReadOnly(secrets)))
    } else {
        (network, secrets)
    };
    let (ecs, exec, search): (Arc<dyn EcsPort>, Arc<dyn ExecPort>, Arc<dyn LogSearchPort>) =
        if settings.read_only {
            (
                Arc::new(ReadOnly(ecs)),
                Arc::new(ReadOnly(exec)),
                Arc::new(ReadOnly(search)),
            )
        } else {
            (ecs, exec, search)
        };
    Ok(Account {
        ecs,
        logs,
        search,
        network,
        secrets,
        monitoring,
        exec,
        security,
        trail,
        traces,
        flow_logs_role,
        log_groups: crate::store::log_groups::LogGroupCache::new(
            &settings.cache_dir,
            &format!(
                "{}-{}",
                cache_namespace(settings),
                pair_namespace(settings, &region)
            ),
        ),
        baselines: crate::store::baselines::BaselineCache::new(
            &settings.cache_dir,
            &format!(
                "{}-{}",
                cache_namespace(settings),
                pair_namespace(settings, &region)
            ),
        ),
        region,
    })
}

/// The log groups one pair's discovery found are its own: per profile and
/// Region (two Regions often have clusters of the same name).
fn pair_namespace(settings: &Settings, region: &str) -> String {
    let profile = match &settings.source {
        AccountSource::Aws { profile, .. } => profile.clone().unwrap_or_default(),
        AccountSource::Demo { .. } => String::new(),
    };
    format!("{profile}-{region}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect()
}

/// Every pair the console watches, opened and named (account name and the
/// Region it resolved to). The demo and a single-pair session watch one.
/// A pair that cannot be opened at all (no Region, a broken scenario) stops
/// the console with that pair named; one that fails later, as it reads,
/// is the console's to show.
pub async fn open_watched(
    settings: &Settings,
) -> Result<Vec<(crate::domain::pair::WatchedPair, Account)>, OpenError> {
    if settings.pairs.is_empty() {
        return Ok(vec![open_named(settings, None).await?]);
    }
    let opened = settings
        .pairs
        .iter()
        .map(|spec| open_named(settings, Some(spec)));
    futures::future::join_all(opened)
        .await
        .into_iter()
        .collect()
}

/// One pair's account, opened and named: `spec`'s, or (None) the settings'
/// own — the demo's, or the profile's (`default` without one).
pub async fn open_named(
    settings: &Settings,
    spec: Option<&crate::settings::pairs::PairSpec>,
) -> Result<(crate::domain::pair::WatchedPair, Account), OpenError> {
    use crate::domain::pair::WatchedPair;
    use crate::domain::Pair;
    let Some(spec) = spec else {
        let account = open_account(settings).await?;
        let name = match &settings.source {
            AccountSource::Demo { .. } => "demo",
            AccountSource::Aws { .. } => settings.profile().unwrap_or("default"),
        };
        let watched = WatchedPair {
            pair: Pair::new(name, account.region.clone()),
            profile: settings.profile().map(str::to_string),
            flow_logs_role: account.flow_logs_role.clone(),
            ..WatchedPair::default()
        };
        return Ok((watched, account));
    };
    let account = open_pair(settings, spec)
        .await
        .map_err(|err| named(spec, err))?;
    let watched = WatchedPair {
        pair: Pair::new(spec.name.clone(), account.region.clone()),
        profile: spec.profile.clone(),
        production: spec.production,
        account_id: None,
        flow_logs_role: spec
            .flow_logs_role
            .clone()
            .or_else(|| account.flow_logs_role.clone()),
    };
    Ok((watched, account))
}

/// The same error, saying which pair it is about (when there are several).
fn named(spec: &crate::settings::pairs::PairSpec, err: OpenError) -> OpenError {
    match err {
        OpenError::Port(crate::domain::PortError::InvalidInput { operation, message }) => {
            OpenError::Port(crate::domain::PortError::InvalidInput {
                operation,
                message: format!("{}: {message}", spec.label()),
            })
        }
        other => other,
    }
}

/// The pairs asked for; when none was named, the settings' own (the
/// demo's, or the profile's and Region's), named as the console names it.
pub fn pair_specs(settings: &Settings) -> Vec<crate::settings::pairs::PairSpec> {
    if !settings.pairs.is_empty() {
        return settings.pairs.clone();
    }
    let (name, region) = match &settings.source {
        AccountSource::Demo { .. } => ("demo".to_string(), None),
        AccountSource::Aws { region, .. } => (
            settings.profile().unwrap_or("default").to_string(),
            region.clone(),
        ),
    };
    vec![crate::settings::pairs::PairSpec {
        name,
        profile: settings.profile().map(str::to_string),
        region,
        flow_logs_role: settings.security.flow_logs_role.clone(),
        ..Default::default()
    }]
}

/// Build the account of one (account, Region) pair: the settings' own, with
/// that pair's profile and Region.
pub async fn open_pair(
    settings: &Settings,
    pair: &crate::settings::pairs::PairSpec,
) -> Result<Account, OpenError> {
    let mut one = settings.clone();
    match &mut one.source {
        AccountSource::Aws {
            profile, region, ..
        } => {
            profile.clone_from(&pair.profile);
            region.clone_from(&pair.region);
        }
        // A demo pair is one scenario of several.
        AccountSource::Demo { scenario } => {
            if let Some(one) = &pair.scenario {
                scenario.clone_from(one);
            }
        }
    }
    open_account(&one).await
}

/// The cache folder of the account the settings name: per endpoint for AWS
/// (see `store::cache::namespace_for`), per scenario for the demo.
pub(crate) fn cache_namespace(settings: &Settings) -> String {
    match &settings.source {
        AccountSource::Aws { endpoint_url, .. } => {
            crate::store::cache::namespace_for(endpoint_url.as_deref())
        }
        AccountSource::Demo { scenario } => {
            let name: String = scenario
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .take(40)
                .collect();
            format!("demo-{name}")
        }
    }
}

/// The shared incident log, when `--share` (or `share = true`) asks for it.
pub async fn open_share(settings: &Settings) -> Result<Option<Arc<dyn SharePort>>, OpenError> {
    if !settings.share {
        return Ok(None);
    }
    Ok(Some(match &settings.source {
        AccountSource::Demo { .. } => Arc::new(crate::demo::share::DemoShare::default()),
        AccountSource::Aws { profile, .. } => {
            let config = crate::aws::load_config(&connection(settings)).await?;
            Arc::new(crate::aws::share::AwsShare::new(
                &config,
                &settings.share_log_group,
                profile.clone(),
            ))
        }
    }))
}

/// Send tracing to the log file (never to the terminal). Level from
/// `TRIAGE_LOG` (default `info`). Returns false when the file cannot be opened.
pub fn init_logging(settings: &Settings) -> bool {
    let path = &settings.log_file;
    if let Some(parent) = path.parent() {
        if std::fs::create_dir_all(parent).is_err() {
            return false;
        }
    }
    let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    else {
        return false;
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("TRIAGE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .is_ok()
}
