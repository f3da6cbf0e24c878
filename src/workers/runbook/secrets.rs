//! `secrets.rotate`: `mode: lambda` (RotateSecret; rotation must be
//! configured) or `mode: generate` (a new random value stored as AWSCURRENT).
//! Only version ids are shown and kept, never values.

use super::inputs::{list, optional_text, text};
use super::{Executed, Plan, StepContext, StepError, StepPorts};
use crate::domain::secrets::Generate;
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn mode(inputs: &Value) -> Result<String, StepError> {
    let m = optional_text(inputs, "mode").unwrap_or_else(|| "generate".into());
    match m.as_str() {
        "lambda" | "generate" => Ok(m),
        other => Err(StepError::Input(format!(
            "input `mode: {other}`: use `lambda` or `generate`"
        ))),
    }
}

fn how(inputs: &Value) -> Result<Generate, StepError> {
    let length = match optional_text(inputs, "length") {
        Some(t) => t
            .parse()
            .ok()
            .filter(|n| (16..=4096).contains(n))
            .ok_or_else(|| StepError::Input(format!("input `length: {t}` must be 16-4096")))?,
        None => 48,
    };
    let exclude_punctuation = match optional_text(inputs, "exclude_punctuation") {
        Some(t) => t == "true",
        None => true,
    };
    Ok(Generate {
        length,
        exclude_punctuation,
    })
}

pub(crate) async fn plan_rotate(ports: &StepPorts, inputs: &Value) -> Result<Plan, StepError> {
    let mode = mode(inputs)?;
    how(inputs)?;
    let mut lines = Vec::new();
    for id in list(inputs, "secret_ids")? {
        let info = ports.secrets.describe_secret(&id).await?;
        let note = if mode == "lambda" && !info.rotation_enabled {
            " — rotation is NOT configured: this will fail; use mode: generate"
        } else {
            ""
        };
        lines.push(format!(
            "{}: AWSCURRENT {} → a new version ({mode}){note}",
            info.name,
            info.current_version.as_deref().unwrap_or("(none)")
        ));
    }
    Ok(Plan {
        target: list(inputs, "secret_ids")?.first().cloned(),
        lines,
        ..Plan::default()
    })
}

pub async fn rotate(
    ports: &StepPorts,
    inputs: &Value,
    ctx: &mut StepContext,
) -> Result<Executed, StepError> {
    let mode = mode(inputs)?;
    let how = how(inputs)?;
    let _ = text(inputs, "secret_ids").ok();
    let mut versions = BTreeMap::new();
    let mut failures = Vec::new();
    for id in list(inputs, "secret_ids")? {
        let before = ports.secrets.describe_secret(&id).await?;
        let result = if mode == "lambda" {
            if !before.rotation_enabled || before.rotation_lambda.is_none() {
                Err(StepError::Failed(format!(
                    "{} has no rotation Lambda configured: configure rotation, or use `mode: generate`",
                    before.name
                )))
            } else {
                ports
                    .secrets
                    .rotate_with_lambda(&id)
                    .await
                    .map_err(StepError::from)
            }
        } else {
            ports
                .secrets
                .put_generated(&id, how)
                .await
                .map_err(StepError::from)
        };
        match result {
            Ok(new) => {
                (ctx.output)(format!(
                    "{}: {} → {new}",
                    before.name,
                    before.current_version.as_deref().unwrap_or("(none)")
                ));
                versions.insert(
                    before.name.clone(),
                    json!({"old": before.current_version, "new": new}),
                );
            }
            Err(e) => {
                (ctx.output)(format!("{}: {e}", before.name));
                failures.push(format!("{}: {e}", before.name));
            }
        }
    }
    let outputs = BTreeMap::from([
        ("rotated".to_string(), versions.len().to_string()),
        ("unchanged".to_string(), failures.len().to_string()),
        (
            "versions".to_string(),
            Value::Object(versions.clone().into_iter().collect()).to_string(),
        ),
    ]);
    Ok(Executed {
        succeeded: failures.is_empty(),
        excerpt: Some(if failures.is_empty() {
            format!("rotated {} secret(s)", versions.len())
        } else {
            failures.join("\n")
        }),
        undo: json!({"versions": versions}),
        outputs,
        ..Executed::default()
    })
}
