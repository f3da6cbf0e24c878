//! The JSON contract: the version every document carries, the place
//! (account, account name, Region) every item of a list carries, and the
//! JSON Schema of each output, generated from its type (`docs/schemas/`
//! holds them; `tests/it/json_contract.rs` fails when a type changes
//! without its schema, and validates real outputs against them).
//!
//! What is stable: within a `schema_version`, a key is never removed or
//! renamed and never changes type; new keys may be added (a reader ignores
//! what it does not know). Anything else raises the version.

use schemars::{JsonSchema, SchemaGenerator};
use serde::{Serialize, Serializer};
use std::borrow::Cow;

/// The version of every JSON output's shape.
pub const SCHEMA_VERSION: u32 = 1;

/// `schema_version`: always [`SCHEMA_VERSION`] (its schema says so).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Version;

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u32(SCHEMA_VERSION)
    }
}

impl JsonSchema for Version {
    fn schema_name() -> Cow<'static, str> {
        "SchemaVersion".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "The version of this output's shape; a reader checks it.",
            "type": "integer",
            "const": SCHEMA_VERSION,
        })
    }
}

/// Where an item is: on every item of every list, one pair watched or many.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Place {
    /// The account id (null when it could not be learned).
    pub account: Option<String>,
    /// The pair's name: `[[accounts]] name`, the profile, `default`, or `demo`.
    pub account_name: String,
    pub region: String,
}

impl Place {
    /// The place of a resource of `pair`: the account and Region its ARN
    /// names where it has one, else the pair's.
    pub fn of(pair: &crate::domain::Pair, account: Option<&str>, arn: &str) -> Place {
        let (region, from_arn) = crate::domain::service::arn_place(arn).unzip();
        Place {
            account: from_arn.or(account).map(str::to_string),
            account_name: pair.account.clone(),
            region: region.unwrap_or(&pair.region).to_string(),
        }
    }
}

/// One output whose shape is stated: its name (the schema's file, without
/// `.schema.json`), the command that prints it, and its schema.
pub struct Document {
    pub name: &'static str,
    pub command: &'static str,
    /// One JSON value a line (JSON Lines) rather than one document.
    pub lines: bool,
    pub schema: fn() -> serde_json::Value,
}

/// The JSON Schema of `T` as it is printed: every key required (every field
/// is always written, null when unknown) and no key beyond those stated.
pub(crate) fn schema_of<T: JsonSchema>() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::default()
        .for_serialize()
        .into_generator();
    let mut schema = serde_json::to_value(generator.into_root_schema_for::<T>())
        .unwrap_or(serde_json::Value::Null);
    close(&mut schema);
    schema
}

/// Every object with properties requires them all and allows no other.
fn close(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Object(properties)) = map.get("properties") {
                let keys: Vec<serde_json::Value> =
                    properties.keys().cloned().map(Into::into).collect();
                map.insert("required".into(), keys.into());
                map.entry("additionalProperties")
                    .or_insert(serde_json::Value::Bool(false));
            }
            map.values_mut().for_each(close);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(close),
        _ => {}
    }
}

/// Every output with a stated shape, in the order the README lists them.
pub fn documents() -> Vec<Document> {
    use super::shapes::*;
    vec![
        Document {
            name: "status",
            command: "triage status -o json",
            lines: false,
            schema: schema_of::<StatusDoc>,
        },
        Document {
            name: "alarms",
            command: "triage alarms -o json",
            lines: false,
            schema: schema_of::<AlarmsDoc>,
        },
        Document {
            name: "changes",
            command: "triage changes -o json",
            lines: false,
            schema: schema_of::<ChangesDoc>,
        },
        Document {
            name: "diagnose",
            command: "triage diagnose -o json",
            lines: false,
            schema: schema_of::<DiagnoseDoc>,
        },
        Document {
            name: "logs",
            command: "triage logs ID -o json",
            lines: true,
            schema: schema_of::<LogLine>,
        },
        Document {
            name: "trace",
            command: "triage trace ID -o json",
            lines: false,
            schema: schema_of::<trace::TraceDoc>,
        },
        Document {
            name: "incident-list",
            command: "triage incident list -o json",
            lines: false,
            schema: schema_of::<IncidentListDoc>,
        },
        Document {
            name: "incident-start",
            command: "triage incident start TITLE -o json",
            lines: false,
            schema: schema_of::<IncidentStartedDoc>,
        },
        Document {
            name: "runbook-list",
            command: "triage runbook list -o json",
            lines: false,
            schema: schema_of::<RunbookListDoc>,
        },
        Document {
            name: "runbook-show",
            command: "triage runbook show ID -o json",
            lines: false,
            schema: schema_of::<RunbookShownDoc>,
        },
        Document {
            name: "runbook-run",
            command: "triage runbook run ID -o json",
            lines: true,
            schema: schema_of::<RunRecord>,
        },
        Document {
            name: "exec",
            command: "triage exec TASK -o json",
            lines: false,
            schema: schema_of::<ExecEndedDoc>,
        },
        Document {
            name: "wait",
            command: "triage wait --service CLUSTER/SERVICE -o json",
            lines: false,
            schema: schema_of::<wait::WaitDoc>,
        },
        Document {
            name: "exec-check",
            command: "triage exec TASK --check -o json",
            lines: false,
            schema: schema_of::<ExecCheckDoc>,
        },
    ]
}
