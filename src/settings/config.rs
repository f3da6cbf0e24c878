//! The config file (`config.toml`): parsed strictly for types, leniently for
//! keys. An unknown key is a warning naming the file and key; a value of the
//! wrong type is an error naming the file, line and key.

use super::SettingsError;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct ConfigFile {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub clusters: Vec<String>,
    pub read_only: Option<bool>,
    pub theme: Option<String>,
    pub data_dir: Option<String>,
    /// Patterns for production profiles or accounts: a red banner when they match.
    pub production: Vec<String>,
    pub runbooks: Vec<String>,
    /// Your name in incident timelines (default: $USER).
    pub name: Option<String>,
    /// Extra redaction patterns (regexes) for journal entries and exports.
    pub redact: Vec<toml::Spanned<String>>,
    /// Share incident timelines through CloudWatch Logs.
    pub share: Option<bool>,
    pub share_log_group: Option<String>,
    pub refresh: RefreshSection,
    pub aws: AwsSection,
    pub logs: LogsSection,
    /// `[keys]`: an action's keys, replaced (`timeline = ["t", "T"]`).
    pub keys: std::collections::BTreeMap<String, KeyList>,
    /// `[alarms]`: alarms with this dimension value belong to this service
    /// (`"DBInstanceIdentifier=orders-db" = "prod-data/orders-api"`).
    pub alarms: std::collections::BTreeMap<String, String>,
    /// `[exec]`: the shell ECS Exec opens.
    pub exec: ExecSection,
    pub notify: NotifySection,
    /// `[[accounts]]`: every account watched, each in its Regions.
    pub accounts: Vec<AccountEntry>,
    /// `[security]`: when egress is an anomaly, the flow logs' delivery role.
    pub security: SecuritySection,
}

/// `[security] egress_ratio = 5, egress_floor_bytes_per_second = 100000,
/// flow_logs_role = "arn:aws:iam::…:role/…"`. Numbers keep their place in
/// the file, so a value out of range is refused at its line.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct SecuritySection {
    pub egress_ratio: Option<toml::Spanned<f64>>,
    pub egress_floor_bytes_per_second: Option<toml::Spanned<f64>>,
    pub flow_logs_role: Option<String>,
}

/// `[[accounts]] name = "prod", profile = "prod-oncall", regions = ["eu-west-1"], production = true`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct AccountEntry {
    pub name: String,
    pub profile: Option<String>,
    pub regions: Vec<String>,
    pub production: bool,
    /// The role VPC flow logs deliver to CloudWatch Logs with, in this account.
    pub flow_logs_role: Option<String>,
}

/// `[notify] desktop = false`: the bell only, no desktop notification
/// (OSC 9 / OSC 777) when a watch or `triage wait --notify` tells.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct NotifySection {
    pub desktop: Option<bool>,
}

/// `[exec] command = "/bin/bash"`: what `x` and `triage exec` run.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct ExecSection {
    pub command: Option<String>,
}

/// One key or several.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    pub fn keys(&self) -> Vec<String> {
        match self {
            KeyList::One(k) => vec![k.clone()],
            KeyList::Many(ks) => ks.clone(),
        }
    }
}

/// The line `[keys]`'s entry for `action` is on (1 when it cannot be found).
pub(crate) fn line_of_key_entry(text: &str, action: &str) -> usize {
    let mut in_keys = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            in_keys = t == "[keys]";
            continue;
        }
        let matches = |prefix: &str| {
            t.strip_prefix(prefix)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        };
        if (in_keys && (matches(action) || matches(&format!("\"{action}\""))))
            || matches(&format!("keys.{action}"))
        {
            return i + 1;
        }
    }
    1
}

/// Log search: groups searched besides the services' own, and the JSON
/// fields that carry a correlation ID.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct LogsSection {
    pub groups: Vec<String>,
    pub fields: Vec<String>,
    /// A search that would need more calls than this asks first.
    pub max_calls: Option<toml::Spanned<u64>>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct RefreshSection {
    pub selected_seconds: Option<toml::Spanned<u64>>,
    pub others_seconds: Option<toml::Spanned<u64>>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct AwsSection {
    pub max_attempts: Option<toml::Spanned<u32>>,
    pub ecs_reads_per_second: Option<toml::Spanned<f64>>,
    pub ecs_burst: Option<toml::Spanned<u32>>,
    pub logs_reads_per_second: Option<toml::Spanned<f64>>,
    pub logs_burst: Option<toml::Spanned<u32>>,
    pub timeout_seconds: Option<toml::Spanned<u64>>,
    pub throttle_retries: Option<toml::Spanned<u32>>,
}

/// Every key the config file understands, as dotted paths.
pub(crate) const KNOWN_KEYS: &[&str] = &[
    "profile",
    "region",
    "endpoint_url",
    "clusters",
    "read_only",
    "theme",
    "data_dir",
    "production",
    "runbooks",
    "name",
    "redact",
    "share",
    "share_log_group",
    "refresh",
    "refresh.selected_seconds",
    "refresh.others_seconds",
    "aws",
    "aws.max_attempts",
    "aws.ecs_reads_per_second",
    "aws.ecs_burst",
    "aws.logs_reads_per_second",
    "aws.logs_burst",
    "aws.timeout_seconds",
    "aws.throttle_retries",
    "logs",
    "logs.groups",
    "logs.fields",
    "logs.max_calls",
    "keys",
    "alarms",
    "exec",
    "exec.command",
    "notify",
    "notify.desktop",
    "accounts",
    "security",
    "security.egress_ratio",
    "security.egress_floor_bytes_per_second",
    "security.flow_logs_role",
];

/// Read and validate a config file; returns it with warnings for unknown keys.
pub fn load(path: &Path) -> Result<(ConfigFile, Vec<String>), SettingsError> {
    let text = std::fs::read_to_string(path).map_err(|source| SettingsError::ConfigRead {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path)
}

pub fn parse(text: &str, path: &Path) -> Result<(ConfigFile, Vec<String>), SettingsError> {
    let table: toml::Table = toml::from_str(text).map_err(|e| SettingsError::ConfigSyntax {
        path: path.to_path_buf(),
        line: e.span().map(|s| line_of(text, s.start)).unwrap_or(1),
        message: e.message().to_string(),
    })?;
    let mut warnings = Vec::new();
    collect_unknown(&table, "", path, &mut warnings);
    let file: ConfigFile = toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        SettingsError::ConfigType {
            path: path.to_path_buf(),
            line: line_of(text, offset),
            key: key_at(text, offset),
            message: e.message().trim().to_string(),
        }
    })?;
    Ok((file, warnings))
}

fn collect_unknown(table: &toml::Table, prefix: &str, path: &Path, warnings: &mut Vec<String>) {
    for (key, value) in table {
        let dotted = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        // `[keys]` takes any action name; the keymap checks them, with lines.
        // `[alarms]` takes any dimension; its entries are checked when read.
        if prefix == "keys" || prefix == "alarms" {
            continue;
        }
        if !KNOWN_KEYS.contains(&dotted.as_str()) {
            warnings.push(format!(
                "{}: unknown key `{dotted}` ignored (check the spelling; see the README's config section)",
                path.display()
            ));
            continue;
        }
        if let toml::Value::Table(inner) = value {
            collect_unknown(inner, &dotted, path, warnings);
        }
    }
}

pub(super) fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The dotted key whose value sits at `offset`: the text left of `=` on that
/// line, prefixed by the nearest `[table]` header above it.
fn key_at(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line = text[line_start..].lines().next().unwrap_or("");
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .unwrap_or_else(|| line.trim().to_string());
    let header = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && l.ends_with(']'))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    match header {
        Some(h) if !h.is_empty() => format!("{h}.{key}"),
        _ => key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("/home/me/.config/triage/config.toml")
    }

    #[test]
    fn reads_a_full_config() {
        let text = r#"
profile = "prod-admin"
region = "eu-west-1"
clusters = ["prod-web", "prod-jobs"]
read_only = true
production = ["prod*"]

[refresh]
selected_seconds = 3

[aws]
ecs_reads_per_second = 5.5
[logs]
groups = ["/aws/lambda/checkout"]
fields = ["x-request-id"]
"#;
        let (file, warnings) = parse(text, p()).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(file.profile.as_deref(), Some("prod-admin"));
        assert_eq!(file.clusters, vec!["prod-web", "prod-jobs"]);
        assert_eq!(file.refresh.selected_seconds.map(|v| *v.get_ref()), Some(3));
        assert_eq!(
            file.aws.ecs_reads_per_second.map(|v| *v.get_ref()),
            Some(5.5)
        );
        assert_eq!(file.logs.groups, vec!["/aws/lambda/checkout"]);
        assert_eq!(file.logs.fields, vec!["x-request-id"]);
    }

    #[test]
    fn unknown_key_is_a_warning_naming_file_and_key() {
        let (_, warnings) = parse("regoin = \"x\"\n[refresh]\nfast = 1\n", p()).unwrap();
        assert_eq!(warnings.len(), 2);
        assert!(warnings.iter().all(|w| w.contains("config.toml")));
        assert!(warnings.iter().any(|w| w.contains("`regoin`")));
        assert!(warnings.iter().any(|w| w.contains("`refresh.fast`")));
    }

    #[test]
    fn wrong_type_names_file_line_and_key() {
        let text = "profile = \"p\"\n\n[refresh]\nothers_seconds = \"thirty\"\n";
        let err = parse(text, p()).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("/home/me/.config/triage/config.toml:4:"),
            "{msg}"
        );
        assert!(msg.contains("`refresh.others_seconds`"), "{msg}");
        let err = parse("read_only = \"yes\"\n", p()).unwrap_err().to_string();
        assert!(err.contains(":1:") && err.contains("`read_only`"), "{err}");
    }

    #[test]
    fn syntax_error_names_the_line() {
        let err = parse("a = 1\nb = [\n", p()).unwrap_err().to_string();
        assert!(err.contains("config.toml:"), "{err}");
    }
}
