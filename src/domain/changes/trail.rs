//! One CloudTrail management event, as triage keeps it: who did what, when,
//! and every name it carries (its resources, and the strings of its request
//! and response), read from the record's JSON (`CloudTrailEvent`). Nothing
//! of it is trusted: names are cleaned when shown, and a record that is not
//! JSON still gives the event's own fields.

use super::super::pair::Pair;
use super::super::sanitize::one_line;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Names kept from one record at most (a record can list thousands).
const MAX_NAMES: usize = 64;
/// A name longer than this is not an identifier; it is not kept.
const MAX_NAME_CHARS: usize = 2048;
/// Depth of the request read for names.
const MAX_DEPTH: usize = 6;

/// Request fields that can hold a value rather than a name (a secret, an
/// environment variable's value, user data): never kept, never shown.
const VALUE_FIELDS: [&str; 10] = [
    "value",
    "secretstring",
    "secretbinary",
    "password",
    "token",
    "userdata",
    "plaintext",
    "privatekey",
    "environment",
    "environmentvariables",
];

fn is_value_field(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    VALUE_FIELDS.contains(&key.as_str())
}

/// The role ECS acts with in an account: what it does is ECS's own churn.
pub const ECS_SERVICE_LINKED_ROLE: &str = "AWSServiceRoleForECS";

/// One write event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrailEvent {
    /// CloudTrail's EventId.
    pub id: String,
    /// `UpdateService`, `AuthorizeSecurityGroupEgress`…
    pub name: String,
    /// `ecs.amazonaws.com`…
    pub source: String,
    pub at: DateTime<Utc>,
    /// Who, as shown: the user, or the role and its session.
    pub actor: String,
    /// The IAM role the actor acted as, when it was one.
    #[serde(default)]
    pub role: Option<String>,
    /// `ecs.amazonaws.com` when a service acted on the actor's behalf.
    #[serde(default)]
    pub invoked_by: Option<String>,
    /// `Resources[].ResourceName`, then every string of the request and
    /// of the response's identifiers (ARNs, ids, names), at most 64.
    #[serde(default)]
    pub names: Vec<String>,
    /// The request parameters, for the summary (bounded, as read).
    #[serde(default)]
    pub request: Value,
    /// An error code when the call failed (a failed call changed nothing).
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub pair: Pair,
}

/// The fields LookupEvents gives beside the record.
#[derive(Debug, Clone, Default)]
pub struct Lookup<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub source: &'a str,
    pub at: Option<DateTime<Utc>>,
    pub username: Option<&'a str>,
    pub resources: Vec<&'a str>,
    /// `CloudTrailEvent`: the record as JSON text.
    pub record: Option<&'a str>,
}

impl TrailEvent {
    /// The event from what LookupEvents returned. None when it has no id or
    /// no time (nothing can be said of it).
    pub fn from_lookup(lookup: Lookup<'_>) -> Option<TrailEvent> {
        if lookup.id.is_empty() {
            return None;
        }
        let record: Value = lookup
            .record
            .and_then(|r| serde_json::from_str(r).ok())
            .unwrap_or(Value::Null);
        let at = lookup.at.or_else(|| {
            record["eventTime"]
                .as_str()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
        })?;
        let identity = &record["userIdentity"];
        let role = identity["sessionContext"]["sessionIssuer"]["userName"]
            .as_str()
            .filter(|_| identity["type"].as_str() == Some("AssumedRole"))
            .map(str::to_string)
            .or_else(|| assumed_role_of(identity["arn"].as_str()?));
        let actor = lookup
            .username
            .filter(|u| !u.is_empty())
            .map(str::to_string)
            .or_else(|| identity["userName"].as_str().map(str::to_string))
            .or_else(|| role.clone())
            .or_else(|| identity["invokedBy"].as_str().map(str::to_string))
            .unwrap_or_else(|| "unknown".into());
        let mut names: Vec<String> = Vec::new();
        let mut keep = |name: &str| {
            if names.len() < MAX_NAMES
                && !name.is_empty()
                && name.chars().count() <= MAX_NAME_CHARS
                && !names.iter().any(|n| n == name)
            {
                names.push(name.to_string());
            }
        };
        for resource in &lookup.resources {
            keep(resource);
        }
        strings_of(&record["requestParameters"], 0, &mut keep);
        strings_of(&record["responseElements"], 0, &mut keep);
        Some(TrailEvent {
            id: lookup.id.to_string(),
            name: lookup.name.to_string(),
            source: lookup.source.to_string(),
            at,
            actor,
            role,
            invoked_by: identity["invokedBy"].as_str().map(str::to_string),
            names,
            request: bounded(&record["requestParameters"], 0),
            error: record["errorCode"].as_str().map(str::to_string),
            pair: Pair::default(),
        })
    }

    /// ECS's own hand: its service-linked role (network interfaces created
    /// and deleted, targets registered and deregistered).
    pub fn is_ecs_churn(&self) -> bool {
        self.role
            .as_deref()
            .is_some_and(|r| r.starts_with(ECS_SERVICE_LINKED_ROLE))
            || self.actor.starts_with(ECS_SERVICE_LINKED_ROLE)
    }

    /// The event without its names and request: all that ECS's churn needs
    /// to be counted.
    pub fn slim(&self) -> TrailEvent {
        TrailEvent {
            names: Vec::new(),
            request: Value::Null,
            ..self.clone()
        }
    }

    /// The AWS service the event is of: `ecs`, `ec2`, `iam`…
    pub fn service(&self) -> &str {
        self.source.split('.').next().unwrap_or(&self.source)
    }

    /// A request parameter as text, when it is one.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.request.get(name).and_then(Value::as_str)
    }

    /// The actor, cleaned for a terminal.
    pub fn actor_shown(&self) -> String {
        one_line(&self.actor)
    }
}

/// `arn:aws:sts::1:assumed-role/ROLE/session` → ROLE.
fn assumed_role_of(arn: &str) -> Option<String> {
    let tail = arn.split_once(":assumed-role/")?.1;
    Some(tail.split('/').next()?.to_string())
}

/// Every string in `value`, depth first, to a bounded depth.
fn strings_of(value: &Value, depth: usize, keep: &mut impl FnMut(&str)) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::String(s) => keep(s),
        Value::Array(items) => items.iter().for_each(|v| strings_of(v, depth + 1, keep)),
        Value::Object(fields) => fields
            .iter()
            .filter(|(k, _)| !is_value_field(k))
            .for_each(|(_, v)| strings_of(v, depth + 1, keep)),
        _ => {}
    }
}

/// The request as kept: at most 32 fields a level, 32 items a list, 4 levels.
fn bounded(value: &Value, depth: usize) -> Value {
    match value {
        _ if depth > 4 => Value::Null,
        Value::Array(items) => items
            .iter()
            .take(32)
            .map(|v| bounded(v, depth + 1))
            .collect(),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .filter(|(k, _)| !is_value_field(k))
                .take(32)
                .map(|(k, v)| (k.clone(), bounded(v, depth + 1)))
                .collect(),
        ),
        Value::String(s) if s.len() > MAX_NAME_CHARS => {
            Value::String(s.chars().take(256).collect())
        }
        other => other.clone(),
    }
}
