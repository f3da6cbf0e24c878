//! Demo scenarios: TOML files describing a simulated account. The built-in
//! ones are embedded; `--demo=FILE` loads another.

use serde::Deserialize;
use std::path::Path;

/// The scenarios compiled into the binary.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("saas", include_str!("scenarios/saas.toml")),
    ("staging", include_str!("scenarios/staging.toml")),
    ("slow", include_str!("scenarios/slow.toml")),
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub account: String,
    pub region: String,
    #[serde(default)]
    pub seed: u64,
    /// Simulated seconds per real second.
    #[serde(default = "one")]
    pub speed: f64,
    /// How much history is simulated before the console opens.
    #[serde(default = "default_history")]
    pub history_minutes: u32,
    /// Simulated API latency.
    #[serde(default)]
    pub latency_ms: u64,
    pub clusters: Vec<ClusterSpec>,
    pub services: Vec<ServiceSpec>,
    #[serde(default)]
    pub security_groups: Vec<SecurityGroupSpec>,
    #[serde(default)]
    pub secrets: Vec<SecretSpec>,
    /// A compromised service sending traffic out (the 3 AM security incident).
    #[serde(default)]
    pub exfiltration: Option<ExfiltrationSpec>,
    /// CloudWatch alarms over the simulated metrics.
    #[serde(default)]
    pub alarms: Vec<AlarmSpec>,
    /// Requests that cross services, logged with one correlation id.
    #[serde(default)]
    pub requests: Option<super::requests::RequestSpec>,
    /// The account's session expires a while after the console opens (every
    /// read refused as AWS refuses an expired SSO session), then comes back.
    #[serde(default)]
    pub credentials_expire: Option<ExpireSpec>,
    /// The IAM role the simulated VPC flow logs deliver with.
    #[serde(default)]
    pub flow_logs_role: Option<String>,
}

/// When the simulated session is out: from `after_minutes` after the start,
/// for `for_minutes`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpireSpec {
    pub after_minutes: u32,
    pub for_minutes: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterSpec {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    pub cluster: String,
    pub name: String,
    pub desired: u32,
    /// Most tasks the account can place for this service (capacity shortage below desired).
    pub capacity: Option<u32>,
    pub cpu: String,
    pub memory: String,
    pub container: String,
    pub image: String,
    #[serde(default)]
    pub launch_type: Option<String>,
    /// Seconds from launch to RUNNING.
    #[serde(default = "default_start")]
    pub start_seconds: u32,
    #[serde(default = "one_u32")]
    pub first_revision: u32,
    pub revisions: Vec<RevisionSpec>,
    /// Behind the cluster's application load balancer (a target group of its own).
    #[serde(default)]
    pub load_balanced: bool,
    /// ECS Exec (`enableExecuteCommand`) on the service and its tasks.
    #[serde(default = "yes")]
    pub exec: bool,
    /// Its tasks' security groups (ids of `[[security_groups]]`); none: the
    /// cluster's shared `<cluster>-tasks` group (HTTPS out only).
    #[serde(default)]
    pub security_groups: Vec<String>,
    /// The secrets its task definition reads: `VARIABLE=secret-name`, each
    /// a `[[secrets]]` name.
    #[serde(default)]
    pub secrets: Vec<String>,
}

/// A simulated CloudWatch alarm: a metric of one service (or of nothing the
/// account runs: an account alarm), a threshold, and the state that follows.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlarmSpec {
    pub name: String,
    /// `memory`, `cpu`, `running_tasks`, `http_5xx`, `p95`, or `other` (never breaches).
    pub metric: String,
    /// `cluster/service`; absent for an account alarm.
    #[serde(default)]
    pub service: Option<String>,
    /// `>` or `<`.
    #[serde(default = "greater")]
    pub comparison: String,
    pub threshold: f64,
    /// Minutes the metric is evaluated over (its period).
    #[serde(default = "five")]
    pub period_minutes: u32,
    /// `running_tasks` below the service's desired count (the threshold
    /// follows it, as a metric-math alarm on RunningTaskCount −
    /// DesiredTaskCount would).
    #[serde(default)]
    pub below_desired: bool,
    /// For `other`: the namespace and dimension the alarm carries.
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub dimension: Option<(String, String)>,
}

fn greater() -> String {
    ">".into()
}
fn five() -> u32 {
    5
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroupSpec {
    pub id: String,
    pub name: String,
    /// `all`, or `tcp:443`-style entries, each to 0.0.0.0/0.
    pub egress: Vec<String>,
    /// Who opened all egress (CloudTrail's AuthorizeSecurityGroupEgress),
    /// and how long before the console opens.
    #[serde(default)]
    pub opened_by: Option<String>,
    #[serde(default)]
    pub opened_minutes_ago: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretSpec {
    pub name: String,
    #[serde(default)]
    pub rotation_lambda: Option<String>,
    /// When its value last changed, before the console opened.
    #[serde(default = "default_secret_age")]
    pub changed_days_ago: u32,
}

fn default_secret_age() -> u32 {
    90
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExfiltrationSpec {
    pub service: String,
    pub security_group: String,
    pub destination: String,
    pub port: i32,
    /// When the tasks were compromised, before the console opened.
    #[serde(default = "default_compromised")]
    pub started_minutes_ago: u32,
    /// What the compromised tasks send out together, on top of their usual.
    #[serde(default = "default_exfil_rate")]
    pub bytes_per_second: f64,
    /// The GuardDuty finding it raises (its type).
    #[serde(default = "default_finding_type")]
    pub finding_type: String,
}

fn default_compromised() -> u32 {
    3
}
fn default_exfil_rate() -> f64 {
    380_000.0
}
fn default_finding_type() -> String {
    "Backdoor:Runtime/C&CActivity.B".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevisionSpec {
    pub tag: String,
    /// When this revision was deployed, relative to the console's start.
    pub deployed_minutes_ago: u32,
    #[serde(default)]
    pub fault: Fault,
    /// Environment variable names this revision adds (names only, as triage keeps them).
    #[serde(default)]
    pub environment: Vec<String>,
    /// For `oom`: a task lives between these many seconds after it starts.
    #[serde(default = "default_fault_after")]
    pub fault_after_seconds: [u32; 2],
}

/// What is wrong with a revision.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    #[default]
    None,
    /// Tasks are OOM-killed (exit 137) some time after they start.
    Oom,
    /// The image tag does not exist: tasks fail to start (CannotPullContainerError).
    ImageNotFound,
    /// The execution role cannot read a secret: tasks fail to start (ResourceInitializationError).
    SecretsAccess,
    /// Tasks start but fail the load balancer's health checks and are replaced.
    ElbHealthCheck,
}

fn one() -> f64 {
    1.0
}
fn yes() -> bool {
    true
}
fn one_u32() -> u32 {
    1
}
fn default_history() -> u32 {
    180
}
fn default_start() -> u32 {
    40
}
fn default_fault_after() -> [u32; 2] {
    [60, 180]
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("no demo scenario `{name}`: built-in scenarios are {available}, or give a path to a .toml file")]
    Unknown { name: String, available: String },
    #[error("cannot read demo scenario {path}: {message}")]
    Read { path: String, message: String },
    #[error("demo scenario {origin}: {message}")]
    Invalid { origin: String, message: String },
}

impl Scenario {
    /// The flow logs' delivery role: the scenario's, else the account's
    /// `vpc-flow-logs` role.
    pub fn flow_logs_role(&self) -> String {
        self.flow_logs_role
            .clone()
            .unwrap_or_else(|| format!("arn:aws:iam::{}:role/vpc-flow-logs", self.account))
    }

    /// A built-in scenario by name, or a scenario file by path.
    pub fn load(name_or_path: &str) -> Result<Scenario, ScenarioError> {
        if let Some((_, text)) = BUILT_IN.iter().find(|(n, _)| *n == name_or_path) {
            return Scenario::parse(text, name_or_path);
        }
        let path = Path::new(name_or_path);
        if path.extension().is_some_and(|e| e == "toml") || path.is_file() {
            let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::Read {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            return Scenario::parse(&text, &path.display().to_string());
        }
        Err(ScenarioError::Unknown {
            name: name_or_path.to_string(),
            available: BUILT_IN
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    pub fn parse(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        let invalid = |message: String| ScenarioError::Invalid {
            origin: origin.to_string(),
            message,
        };
        let scenario: Scenario = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if !(scenario.speed > 0.0 && scenario.speed.is_finite()) {
            return Err(invalid("speed must be a positive number".into()));
        }
        for s in &scenario.services {
            if !scenario.clusters.iter().any(|c| c.name == s.cluster) {
                return Err(invalid(format!(
                    "service `{}` names cluster `{}`, which is not in [[clusters]]",
                    s.name, s.cluster
                )));
            }
            if s.revisions.is_empty() {
                return Err(invalid(format!("service `{}` has no revisions", s.name)));
            }
            for g in &s.security_groups {
                if !scenario.security_groups.iter().any(|sg| &sg.id == g) {
                    return Err(invalid(format!(
                        "service `{}` names security group `{g}`, which is not in [[security_groups]]",
                        s.name
                    )));
                }
            }
            for entry in &s.secrets {
                let known = entry
                    .split_once('=')
                    .is_some_and(|(_, name)| scenario.secrets.iter().any(|x| x.name == name));
                if !known {
                    return Err(invalid(format!(
                        "service `{}` secret `{entry}`: write VARIABLE=name with a name from [[secrets]]",
                        s.name
                    )));
                }
            }
            for r in &s.revisions {
                if r.fault_after_seconds[0] > r.fault_after_seconds[1] {
                    return Err(invalid(format!(
                        "service `{}` revision `{}`: fault_after_seconds must be [low, high]",
                        s.name, r.tag
                    )));
                }
            }
        }
        Ok(scenario)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_scenarios_parse() {
        for (name, _) in BUILT_IN {
            let s = Scenario::load(name).unwrap();
            assert!(!s.services.is_empty() && !s.clusters.is_empty(), "{name}");
        }
        // The default demo is the whole story: two clusters, every kind of trouble.
        let saas = Scenario::load("saas").unwrap();
        assert!(saas.services.len() >= 8 && saas.clusters.len() >= 2);
    }

    #[test]
    fn unknown_scenario_lists_the_built_in_ones() {
        let err = Scenario::load("nope").unwrap_err().to_string();
        assert!(err.contains("saas"), "{err}");
    }
}
