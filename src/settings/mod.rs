//! Flags + environment + config file → one validated [`Settings`].
//!
//! Precedence: a flag beats its environment variable, which beats the config
//! file, which beats the built-in default. Problems a person can fix say which
//! file, line and key.

pub mod config;
pub mod flags;
pub mod numbers;
pub mod pairs;
pub mod paths;
pub mod security;
pub mod theme;

use std::path::PathBuf;
use std::time::Duration;

pub use config::ConfigFile;
pub use flags::GlobalFlags;
pub use theme::ThemeSpec;

/// Where the data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountSource {
    Aws {
        profile: Option<String>,
        region: Option<String>,
        endpoint_url: Option<String>,
    },
    /// The built-in simulation, by scenario name or file path.
    Demo { scenario: String },
}

/// How often the console refreshes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshSettings {
    /// The service on screen (detail view).
    pub selected: Duration,
    /// Everything else.
    pub others: Duration,
}

/// One `[keys]` entry: an action and its new keys, where it was written
/// (the console's keymap checks them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyOverride {
    pub action: String,
    pub keys: Vec<String>,
    /// 1-based line in the config file.
    pub line: usize,
}

/// Knobs for the AWS adapter.
#[derive(Debug, Clone, PartialEq)]
pub struct AwsTuning {
    /// Attempts per call inside the SDK (1 = no SDK retry; triage backs off itself).
    pub max_attempts: u32,
    /// Client-side budget for ECS read calls, per second (keep below the account quota).
    pub ecs_reads_per_second: f64,
    pub ecs_burst: u32,
    /// Budget for every CloudWatch Logs API, when set in the config; by
    /// default each API gets about half its published quota in the Region
    /// (`domain::quotas`).
    pub logs_pace: Option<crate::domain::quotas::Pace>,
    /// Per-call timeout.
    pub timeout: Duration,
    /// How often one call is retried, with jittered back-off, when AWS throttles it.
    pub throttle_retries: u32,
}

impl Default for AwsTuning {
    fn default() -> Self {
        Self {
            max_attempts: 1,
            ecs_reads_per_second: 10.0,
            ecs_burst: 20,
            logs_pace: None,
            timeout: Duration::from_secs(20),
            throttle_retries: 4,
        }
    }
}

/// Everything the rest of triage needs to know about how it was started.
#[derive(Debug, Clone)]
pub struct Settings {
    pub source: AccountSource,
    /// Clusters to watch; empty = every cluster in the region.
    pub clusters: Vec<String>,
    pub read_only: bool,
    pub data_dir: PathBuf,
    /// What never changes (task definition revisions, the log groups last
    /// found), kept between runs: `$XDG_CACHE_HOME/triage`.
    pub cache_dir: PathBuf,
    pub config_path: Option<PathBuf>,
    pub theme: ThemeSpec,
    pub no_color: bool,
    pub refresh: RefreshSettings,
    /// Glob patterns (`*`) matched against the profile name and the account id.
    pub production: Vec<String>,
    pub aws: AwsTuning,
    pub runbook_paths: Vec<PathBuf>,
    /// The person at the keyboard, as named in timelines.
    pub operator: String,
    /// Extra redaction patterns (validated regexes).
    pub redact: Vec<String>,
    /// Publish and merge incident timelines through a CloudWatch Logs group.
    pub share: bool,
    pub share_log_group: String,
    /// Log groups every ID search covers besides the services' own.
    pub log_groups: Vec<String>,
    /// JSON fields that carry a correlation ID (empty: the defaults).
    pub correlation_fields: Vec<String>,
    /// A search that would need more calls than this asks first (`--yes` on
    /// the command line).
    pub max_search_calls: u64,
    pub log_file: PathBuf,
    /// `[keys]` entries, checked by the console's keymap (with their lines).
    pub keys: Vec<KeyOverride>,
    /// `[alarms]`: dimension values that belong to a service.
    pub alarm_mappings: Vec<crate::domain::alarms::AlarmMapping>,
    /// What a shell into a container runs (`[exec] command`, default `/bin/sh`).
    pub exec_command: String,
    /// `[notify] desktop`: a desktop notification (OSC 9 / OSC 777) beside
    /// the bell when triage tells (default true).
    pub notify_desktop: bool,
    /// Every (account, Region) pair watched (one unless several were asked
    /// for); for the demo, empty, or one per scenario of `--demo=a,b`.
    pub pairs: Vec<pairs::PairSpec>,
    /// `[security]`: egress anomaly limits, the flow logs' delivery role.
    pub security: security::SecuritySettings,
    /// Non-fatal problems found while loading (unknown config keys…).
    pub warnings: Vec<String>,
}

impl Settings {
    /// Resolve settings from flags, the process environment and the config file.
    pub fn load(flags: &GlobalFlags) -> Result<Self, SettingsError> {
        Self::resolve(flags, &|name| std::env::var(name).ok())
    }

    /// Resolve with an injectable environment (for tests).
    pub(crate) fn resolve(
        flags: &GlobalFlags,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, SettingsError> {
        // Long on purpose: every setting's precedence (flag > env > config > default) written out one setting after another, so each can be read and checked at a glance.
        let dirs = paths::Dirs::from_env(env);
        let config_path = flags
            .config
            .clone()
            .or_else(|| {
                env("TRIAGE_CONFIG")
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
            .map(|p| (p, true))
            .unwrap_or_else(|| (dirs.config_dir.join("config.toml"), false));
        let (path, explicit) = config_path;
        let (file, mut warnings, config_path) = if path.exists() {
            let (file, warnings) = config::load(&path)?;
            (file, warnings, Some(path))
        } else if explicit {
            return Err(SettingsError::ConfigMissing { path });
        } else {
            (ConfigFile::default(), Vec::new(), None)
        };

        let source = match &flags.demo {
            Some(scenario) => AccountSource::Demo {
                scenario: scenario.clone(),
            },
            None => AccountSource::Aws {
                profile: flags
                    .profile
                    .first()
                    .cloned()
                    .or_else(|| file.profile.clone())
                    .or_else(|| env("AWS_PROFILE")),
                region: flags
                    .region
                    .first()
                    .cloned()
                    .or_else(|| file.region.clone()),
                endpoint_url: flags
                    .endpoint_url
                    .clone()
                    .or_else(|| env("AWS_ENDPOINT_URL"))
                    .or_else(|| file.endpoint_url.clone()),
            },
        };

        // Every (account, Region) pair asked for; the first is the one
        // single-pair commands (and the console, for now) use.
        let (source, pairs) = match source {
            AccountSource::Aws {
                profile,
                region,
                endpoint_url,
            } => {
                let pairs = pairs::resolve(
                    &flags.profile,
                    &flags.region,
                    &file.accounts,
                    profile.as_deref(),
                    region.as_deref(),
                );
                let first = pairs.first().cloned();
                (
                    AccountSource::Aws {
                        profile: first.as_ref().and_then(|p| p.profile.clone()).or(profile),
                        region: first.and_then(|p| p.region).or(region),
                        endpoint_url,
                    },
                    pairs,
                )
            }
            // Several scenarios (`--demo=saas,staging`): one simulated pair each.
            AccountSource::Demo { scenario } if scenario.contains(',') => {
                let pairs: Vec<pairs::PairSpec> = scenario
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| pairs::PairSpec {
                        // A file's pair is named after it: `staging.toml` → staging.
                        name: match s.strip_suffix(".toml") {
                            Some(path) => std::path::Path::new(path)
                                .file_name()
                                .map(|n| n.to_string_lossy().into_owned())
                                .unwrap_or_else(|| s.to_string()),
                            None => s.to_string(),
                        },
                        profile: None,
                        region: None,
                        production: false,
                        scenario: Some(s.to_string()),
                        flow_logs_role: None,
                    })
                    .collect();
                if pairs.is_empty() {
                    return Err(SettingsError::Invalid {
                        what: "--demo".into(),
                        message: "name a scenario: --demo=saas, or several: --demo=saas,staging"
                            .into(),
                    });
                }
                (AccountSource::Demo { scenario }, pairs)
            }
            demo => (demo, Vec::new()),
        };

        let clusters = if flags.cluster.is_empty() {
            file.clusters.clone()
        } else {
            flags.cluster.clone()
        };
        for c in &clusters {
            if c.trim().is_empty() {
                return Err(SettingsError::Invalid {
                    what: "--cluster".into(),
                    message: "a cluster name cannot be empty".into(),
                });
            }
        }

        let data_dir = flags
            .data_dir
            .clone()
            // Set but empty is unset: never the current directory.
            .or_else(|| {
                env("TRIAGE_DATA_DIR")
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
            .or_else(|| {
                file.data_dir
                    .clone()
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
            .unwrap_or_else(|| dirs.data_dir.join("incidents"));

        let theme_name = flags
            .theme
            .clone()
            .or_else(|| file.theme.clone())
            .unwrap_or_else(|| "dark".to_string());
        let theme = theme::find(&theme_name, &dirs.config_dir.join("themes"), &mut warnings)?;

        let config_text = config_path
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default();
        let numbers = numbers::Numbers {
            text: &config_text,
            path: config_path.as_deref(),
        };
        let seconds = |value: &Option<toml::Spanned<u64>>, rule, default| {
            numbers
                .or_default(value, rule, default)
                .map(Duration::from_secs)
        };
        let refresh = RefreshSettings {
            selected: seconds(&file.refresh.selected_seconds, numbers::REFRESH_SELECTED, 5)?,
            others: seconds(&file.refresh.others_seconds, numbers::REFRESH_OTHERS, 30)?,
        };
        let defaults = AwsTuning::default();
        let logs_rate = numbers.checked(&file.aws.logs_reads_per_second, numbers::LOGS_RATE)?;
        let logs_burst = numbers.checked(&file.aws.logs_burst, numbers::LOGS_BURST)?;
        let aws = AwsTuning {
            max_attempts: numbers.or_default(
                &file.aws.max_attempts,
                numbers::MAX_ATTEMPTS,
                defaults.max_attempts,
            )?,
            ecs_reads_per_second: numbers.or_default(
                &file.aws.ecs_reads_per_second,
                numbers::ECS_RATE,
                defaults.ecs_reads_per_second,
            )?,
            ecs_burst: numbers.or_default(
                &file.aws.ecs_burst,
                numbers::ECS_BURST,
                defaults.ecs_burst,
            )?,
            logs_pace: match (logs_rate, logs_burst) {
                (None, None) => None,
                (rate, burst) => {
                    let per_second = rate.unwrap_or(5.0);
                    Some(crate::domain::quotas::Pace {
                        per_second,
                        burst: burst.unwrap_or(per_second.floor() as u32).max(1),
                    })
                }
            },
            timeout: seconds(&file.aws.timeout_seconds, numbers::TIMEOUT, 20)?,
            throttle_retries: numbers.or_default(
                &file.aws.throttle_retries,
                numbers::THROTTLE_RETRIES,
                defaults.throttle_retries,
            )?,
        };

        let mut runbook_paths = flags.runbooks.clone();
        runbook_paths.extend([PathBuf::from("runbooks"), dirs.config_dir.join("runbooks")]);
        runbook_paths.extend(file.runbooks.iter().map(PathBuf::from));

        let operator = file
            .name
            .clone()
            .or_else(|| env("USER"))
            .or_else(|| env("USERNAME"))
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "unknown".to_string());
        // Each pattern on its own, so a bad one is refused at its line.
        let redact: Vec<String> = file.redact.iter().map(|p| p.get_ref().clone()).collect();
        for pattern in &file.redact {
            if let Err(bad) = crate::domain::timeline::redact::Redactor::new(std::slice::from_ref(
                pattern.get_ref(),
            )) {
                return Err(match config_path.as_deref() {
                    Some(path) => SettingsError::ConfigType {
                        path: path.to_path_buf(),
                        line: config::line_of(&config_text, pattern.span().start),
                        key: "redact".into(),
                        message: bad.to_string(),
                    },
                    None => SettingsError::Invalid {
                        what: "redact".into(),
                        message: bad.to_string(),
                    },
                });
            }
        }

        let security = security::resolve(&file.security, &config_text, config_path.as_deref())?;
        let keys = file
            .keys
            .iter()
            .map(|(action, list)| KeyOverride {
                action: action.clone(),
                keys: list.keys(),
                line: config::line_of_key_entry(&config_text, action),
            })
            .collect();

        let mut alarm_mappings = Vec::new();
        for (dimension, service) in &file.alarms {
            let mapping = dimension
                .split_once('=')
                .zip(service.split_once('/'))
                .filter(|((d, v), (c, s))| ![d, v, c, s].iter().any(|x| x.trim().is_empty()));
            let Some(((dimension, value), (cluster, name))) = mapping else {
                return Err(SettingsError::Invalid {
                    what: format!("[alarms] \"{dimension}\" = \"{service}\""),
                    message: "write \"Dimension=value\" = \"cluster/service\", e.g. \"DBInstanceIdentifier=orders-db\" = \"prod/orders-api\"".into(),
                });
            };
            alarm_mappings.push(crate::domain::alarms::AlarmMapping {
                dimension: dimension.trim().to_string(),
                value: value.trim().to_string(),
                // In whichever pair the alarm is.
                service: crate::domain::service::ServiceKey::new(cluster.trim(), name.trim()),
            });
        }

        let cache_dir = env("TRIAGE_CACHE_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| dirs.cache_dir.clone());

        let log_file = env("TRIAGE_LOG_FILE")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| dirs.state_dir.join("triage.log"));

        let max_search_calls = numbers.or_default(
            &file.logs.max_calls,
            numbers::MAX_CALLS,
            DEFAULT_MAX_SEARCH_CALLS,
        )?;
        Ok(Settings {
            source,
            clusters,
            read_only: flags.read_only || file.read_only.unwrap_or(false),
            data_dir,
            config_path,
            theme,
            no_color: env("NO_COLOR").is_some_and(|v| !v.is_empty()),
            refresh,
            production: file.production.clone(),
            aws,
            runbook_paths,
            operator,
            redact,
            share: flags.share || file.share.unwrap_or(false),
            share_log_group: file
                .share_log_group
                .clone()
                .unwrap_or_else(|| "/triage/incidents".to_string()),
            log_groups: file.logs.groups.clone(),
            correlation_fields: file.logs.fields.clone(),
            max_search_calls,
            cache_dir,
            keys,
            alarm_mappings,
            notify_desktop: file.notify.desktop.unwrap_or(true),
            exec_command: file
                .exec
                .command
                .clone()
                .filter(|c| !c.trim().is_empty())
                .unwrap_or_else(|| crate::domain::exec::DEFAULT_COMMAND.to_string()),
            log_file,
            pairs,
            security,
            warnings,
        })
    }

    #[cfg(test)]
    fn is_demo(&self) -> bool {
        matches!(self.source, AccountSource::Demo { .. })
    }

    pub fn profile(&self) -> Option<&str> {
        match &self.source {
            AccountSource::Aws { profile, .. } => profile.as_deref(),
            AccountSource::Demo { .. } => None,
        }
    }

    /// True when the profile or the account matches a `production` pattern.
    pub fn is_production(&self, account: Option<&str>) -> bool {
        self.production.iter().any(|pattern| {
            self.profile().is_some_and(|p| glob_match(pattern, p))
                || account.is_some_and(|a| glob_match(pattern, a))
        })
    }
}

/// Calls a search may make before it asks (`[logs] max_calls`).
pub(crate) const DEFAULT_MAX_SEARCH_CALLS: u64 = 2_000;

/// `*` matches any run of characters; everything else matches itself (case-insensitive).
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    let text = text.to_ascii_lowercase();
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text.as_str();
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(pos) => rest = &rest[pos + part.len()..],
                None => return false,
            }
        }
    }
    true
}

/// A problem with how triage was started; exits with code 2.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read config file {path}: {source}")]
    ConfigRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path} does not exist (given by --config or TRIAGE_CONFIG)")]
    ConfigMissing { path: PathBuf },
    #[error("{path}:{line}: {message}")]
    ConfigSyntax {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{path}:{line}: key `{key}`: {message}")]
    ConfigType {
        path: PathBuf,
        line: usize,
        key: String,
        message: String,
    },
    #[error("unknown theme `{name}`; available: {available}")]
    UnknownTheme { name: String, available: String },
    #[error("cannot read theme {path}: {source}")]
    ThemeRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("theme {path}:{line}: {message}")]
    BadTheme {
        path: String,
        line: usize,
        message: String,
    },
    #[error("{what}: {message}")]
    Invalid { what: String, message: String },
    /// A value refused with a message that names it already.
    #[error("{0}")]
    Input(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_profiles_and_accounts() {
        assert!(glob_match("prod*", "prod-admin"));
        assert!(glob_match("*prod*", "my-PROD-sso"));
        assert!(glob_match("123456789012", "123456789012"));
        assert!(!glob_match("prod*", "staging"));
        assert!(glob_match("a*c*e", "abcde"));
        assert!(!glob_match("a*c*e", "abcdf"));
    }
}

#[cfg(test)]
mod resolve_tests;
