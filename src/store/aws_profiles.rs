//! The AWS CLI's files as triage reads them: the profiles in `~/.aws/config`
//! and `~/.aws/credentials` (honouring `AWS_CONFIG_FILE` and
//! `AWS_SHARED_CREDENTIALS_FILE`), which of them sign in through SSO, and the
//! SSO token the CLI cached for a profile (`~/.aws/sso/cache/<sha1>.json`,
//! named by the `sso_session` name, or by the start URL for legacy profiles).

use crate::domain::sso::SsoToken;
use chrono::{DateTime, Utc};
use sha1::{Digest, Sha1};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where the CLI's files are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsFiles {
    pub config: PathBuf,
    pub credentials: PathBuf,
    pub sso_cache: PathBuf,
}

impl AwsFiles {
    /// The files the AWS CLI would read, from this environment.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> AwsFiles {
        let home = env("HOME").map(PathBuf::from).unwrap_or_default();
        let aws = home.join(".aws");
        AwsFiles {
            config: env("AWS_CONFIG_FILE")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .unwrap_or_else(|| aws.join("config")),
            credentials: env("AWS_SHARED_CREDENTIALS_FILE")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .unwrap_or_else(|| aws.join("credentials")),
            sso_cache: aws.join("sso").join("cache"),
        }
    }
}

/// One profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsProfile {
    pub name: String,
    pub region: Option<String>,
    /// Signs in through SSO (`sso_session` or `sso_start_url`).
    pub sso: bool,
    pub sso_session: Option<String>,
    /// Legacy SSO profiles name their start URL themselves.
    pub sso_start_url: Option<String>,
    pub role_arn: Option<String>,
}

/// Sections of an INI file: `name -> key -> value` (comments and blank lines skipped).
fn sections(text: &str) -> Vec<(String, BTreeMap<String, String>)> {
    let mut out: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            out.push((name.trim().to_string(), BTreeMap::new()));
            continue;
        }
        if let (Some((key, value)), Some((_, section))) = (line.split_once('='), out.last_mut()) {
            section.insert(key.trim().to_string(), value.trim().to_string());
        }
    }
    out
}

impl AwsFiles {
    /// Every profile of both files, each once (the config's wins), sorted.
    pub fn profiles(&self) -> Vec<AwsProfile> {
        let read = |p: &PathBuf| std::fs::read_to_string(p).unwrap_or_default();
        let mut profiles: BTreeMap<String, AwsProfile> = BTreeMap::new();
        let sso_sessions: BTreeMap<String, BTreeMap<String, String>> =
            sections(&read(&self.config))
                .into_iter()
                .filter_map(|(name, keys)| {
                    Some((name.strip_prefix("sso-session ")?.trim().to_string(), keys))
                })
                .collect();
        for (section, keys) in sections(&read(&self.config)) {
            let name = match section.as_str() {
                "default" => "default".to_string(),
                s => match s.strip_prefix("profile ") {
                    Some(n) => n.trim().to_string(),
                    None => continue,
                },
            };
            let session = keys.get("sso_session").cloned();
            let start_url = keys.get("sso_start_url").cloned().or_else(|| {
                session
                    .as_ref()
                    .and_then(|s| sso_sessions.get(s)?.get("sso_start_url").cloned())
            });
            profiles.insert(
                name.clone(),
                AwsProfile {
                    name,
                    region: keys.get("region").cloned(),
                    sso: session.is_some() || keys.contains_key("sso_start_url"),
                    sso_session: session,
                    sso_start_url: start_url,
                    role_arn: keys.get("role_arn").cloned(),
                },
            );
        }
        for (name, _) in sections(&read(&self.credentials)) {
            profiles.entry(name.clone()).or_insert(AwsProfile {
                name,
                region: None,
                sso: false,
                sso_session: None,
                sso_start_url: None,
                role_arn: None,
            });
        }
        profiles.into_values().collect()
    }

    /// The SSO token the CLI cached for this profile, if it is an SSO
    /// profile and a token is there.
    pub fn sso_token(&self, profile: &str) -> Option<SsoToken> {
        let p = self
            .profiles()
            .into_iter()
            .find(|p| p.name == profile && p.sso)?;
        let key = p.sso_session.as_deref().or(p.sso_start_url.as_deref())?;
        let file = self.sso_cache.join(format!("{}.json", sha1_hex(key)));
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).ok()?).ok()?;
        let expires_at = doc["expiresAt"]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(&t.replace("UTC", "Z")).ok())?
            .with_timezone(&Utc);
        Some(SsoToken {
            expires_at,
            session: p.sso_session.clone(),
        })
    }
}

fn sha1_hex(text: &str) -> String {
    Sha1::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
