//! Parameter values and `${…}` references: type checks, defaults, and the
//! substitution of parameters and earlier outputs into built-in step inputs.

use super::model::*;
use std::collections::BTreeMap;

/// Outputs of finished steps: step id → key → value.
pub(crate) type Outputs = BTreeMap<String, BTreeMap<String, String>>;
/// Checked parameter values by name.
pub(crate) type Params = BTreeMap<String, Value>;

/// A `${…}` reference found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reference {
    Param(String),
    Step {
        step: String,
        key: String,
    },
    /// Something in `${…}` that is neither form.
    Malformed(String),
}

/// Every `${…}` in a text, in order.
pub(crate) fn references(text: &str) -> Vec<Reference> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            found.push(Reference::Malformed(after.chars().take(30).collect()));
            break;
        };
        found.push(classify(&after[..end]));
        rest = &after[end + 1..];
    }
    found
}

fn classify(inner: &str) -> Reference {
    let parts: Vec<&str> = inner.trim().split('.').collect();
    match parts.as_slice() {
        ["params", name] if !name.is_empty() => Reference::Param(name.to_string()),
        ["steps", step, key] if !step.is_empty() && !key.is_empty() => Reference::Step {
            step: step.to_string(),
            key: key.to_string(),
        },
        _ => Reference::Malformed(inner.to_string()),
    }
}

/// A value typed on the command line or in a form (`a,b` for lists).
pub(crate) fn parse_param_text(spec: &ParamSpec, text: &str) -> Result<Value, String> {
    let value = match spec.ty {
        ParamType::String => Value::Text(text.to_string()),
        ParamType::Integer => Value::Integer(text.trim().parse().map_err(|_| {
            format!(
                "parameter `{}` must be a whole number, not `{text}`",
                spec.name
            )
        })?),
        ParamType::Bool => Value::Bool(match text.trim() {
            "true" | "yes" | "1" => true,
            "false" | "no" | "0" => false,
            _ => {
                return Err(format!(
                    "parameter `{}` must be true or false, not `{text}`",
                    spec.name
                ))
            }
        }),
        ParamType::List => Value::List(
            text.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        ),
    };
    check_value(spec, &value)?;
    Ok(value)
}

/// A default from the front matter's YAML.
pub(crate) fn parse_param_default(
    spec: &ParamSpec,
    v: &serde_norway::Value,
) -> Result<Value, String> {
    let wrong = || {
        format!(
            "parameter `{}`: default does not match its type {}",
            spec.name,
            spec.ty.as_str()
        )
    };
    let value = match (spec.ty, v) {
        (ParamType::String, _) => Value::Text(super::parse::scalar_text(v).ok_or_else(wrong)?),
        (ParamType::Integer, serde_norway::Value::Number(n)) => {
            Value::Integer(n.as_i64().ok_or_else(wrong)?)
        }
        (ParamType::Bool, serde_norway::Value::Bool(b)) => Value::Bool(*b),
        (ParamType::List, serde_norway::Value::Sequence(items)) => Value::List(
            items
                .iter()
                .map(|i| super::parse::scalar_text(i).ok_or_else(wrong))
                .collect::<Result<_, _>>()?,
        ),
        (ParamType::List, serde_norway::Value::String(s)) => {
            Value::List(s.split(',').map(|p| p.trim().to_string()).collect())
        }
        _ => return Err(wrong()),
    };
    check_value(spec, &value)?;
    Ok(value)
}

/// Pattern and choices.
pub(crate) fn check_value(spec: &ParamSpec, value: &Value) -> Result<(), String> {
    let items: Vec<String> = match value {
        Value::List(items) => items.clone(),
        other => vec![other.render()],
    };
    for item in &items {
        if let Some(pattern) = &spec.pattern {
            let anchored = format!("^(?:{pattern})$");
            if let Ok(re) = regex::Regex::new(&anchored) {
                if !re.is_match(item) {
                    let shown = if spec.secret {
                        "(hidden)"
                    } else {
                        item.as_str()
                    };
                    return Err(format!(
                        "parameter `{}`: `{shown}` does not match the pattern `{pattern}`",
                        spec.name
                    ));
                }
            }
        }
        if !spec.choices.is_empty() && !spec.choices.contains(item) {
            return Err(format!(
                "parameter `{}` must be one of {}, not `{item}`",
                spec.name,
                spec.choices.join(", ")
            ));
        }
    }
    Ok(())
}

/// Given values (by name, as typed) → checked values for every parameter,
/// defaults filled in. Every problem is returned, not just the first.
pub fn resolve_params(
    runbook: &Runbook,
    given: &BTreeMap<String, String>,
) -> Result<Params, Vec<String>> {
    let mut errors = Vec::new();
    let mut params = Params::new();
    for name in given.keys() {
        if runbook.param(name).is_none() {
            let known: Vec<&str> = runbook.params.iter().map(|p| p.name.as_str()).collect();
            errors.push(format!(
                "`{}` has no parameter `{name}`; its parameters: {}",
                runbook.id,
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ));
        }
    }
    for spec in &runbook.params {
        match given.get(&spec.name) {
            Some(text) => match parse_param_text(spec, text) {
                Ok(v) => {
                    params.insert(spec.name.clone(), v);
                }
                Err(e) => errors.push(e),
            },
            None => match &spec.default {
                Some(v) => {
                    params.insert(spec.name.clone(), v.clone());
                }
                None if spec.required => errors.push(format!(
                    "parameter `{}` is required{}: pass --param {}=…",
                    spec.name,
                    spec.description
                        .as_deref()
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default(),
                    spec.name
                )),
                None => {}
            },
        }
    }
    if errors.is_empty() {
        Ok(params)
    } else {
        Err(errors)
    }
}

/// A step's YAML inputs with every `${…}` replaced. A scalar that is exactly
/// one reference takes the referenced value's type (a list parameter becomes a
/// list); references inside longer strings are spliced as text.
pub fn substitute(
    body: &str,
    params: &Params,
    outputs: &Outputs,
) -> Result<serde_json::Value, String> {
    if body.trim().is_empty() {
        return Ok(serde_json::Value::Object(Default::default()));
    }
    let yaml: serde_norway::Value = serde_norway::from_str(body)
        .map_err(|e| format!("the step's inputs are not valid YAML: {e}"))?;
    let json = serde_json::to_value(&yaml)
        .map_err(|e| format!("the step's inputs cannot be read: {e}"))?;
    if !json.is_object() {
        return Err("the step's inputs must be a YAML mapping (`key: value` lines)".into());
    }
    replace(json, params, outputs)
}

fn replace(
    value: serde_json::Value,
    params: &Params,
    outputs: &Outputs,
) -> Result<serde_json::Value, String> {
    use serde_json::Value as J;
    Ok(match value {
        J::String(s) => {
            let trimmed = s.trim();
            let refs = references(&s);
            if refs.len() == 1 && trimmed.starts_with("${") && trimmed.ends_with('}') {
                lookup(&refs[0], params, outputs)?
            } else if refs.is_empty() {
                J::String(s)
            } else {
                J::String(splice(&s, params, outputs)?)
            }
        }
        J::Array(items) => J::Array(
            items
                .into_iter()
                .map(|i| replace(i, params, outputs))
                .collect::<Result<_, _>>()?,
        ),
        J::Object(map) => J::Object(
            map.into_iter()
                .map(|(k, v)| Ok((k, replace(v, params, outputs)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other,
    })
}

fn lookup(
    reference: &Reference,
    params: &Params,
    outputs: &Outputs,
) -> Result<serde_json::Value, String> {
    match reference {
        Reference::Param(name) => params
            .get(name)
            .map(Value::to_json)
            .ok_or_else(|| format!("`${{params.{name}}}` has no value: pass --param {name}=…")),
        Reference::Step { step, key } => outputs
            .get(step)
            .and_then(|o| o.get(key))
            .map(|v| serde_json::Value::String(v.clone()))
            .ok_or_else(|| {
                format!("`${{steps.{step}.{key}}}` has no value: step `{step}` did not produce `{key}` (skipped or failed?)")
            }),
        Reference::Malformed(text) => Err(format!(
            "`${{{text}}}` is not a reference; use ${{params.NAME}} or ${{steps.ID.KEY}}"
        )),
    }
}

fn splice(text: &str, params: &Params, outputs: &Outputs) -> Result<String, String> {
    let mut result = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        result.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}').unwrap_or(after.len());
        let value = lookup(&classify(&after[..end]), params, outputs)?;
        match value {
            serde_json::Value::String(s) => result.push_str(&s),
            serde_json::Value::Array(items) => result.push_str(
                &items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| i.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            other => result.push_str(&other.to_string()),
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    result.push_str(rest);
    Ok(result)
}

/// `RB_<PARAM>` and `RB_<STEP>_<KEY>` for shell steps (secret parameters
/// included: the script needs them; they never reach the journal).
pub(crate) fn shell_env(params: &Params, outputs: &Outputs) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = params
        .iter()
        .map(|(name, v)| (format!("RB_{}", env_name(name)), v.render()))
        .collect();
    for (step, keys) in outputs {
        for (key, value) in keys {
            env.push((
                format!("RB_{}_{}", env_name(step), env_name(key)),
                value.clone(),
            ));
        }
    }
    env
}

fn env_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Parameters for the journal and the screen: secret ones masked.
pub(crate) fn public_params(runbook: &Runbook, params: &Params) -> serde_json::Value {
    serde_json::Value::Object(
        params
            .iter()
            .map(|(name, v)| {
                let secret = runbook.param(name).is_some_and(|p| p.secret);
                let shown = if secret {
                    serde_json::Value::String("••••••".into())
                } else {
                    v.to_json()
                };
                (name.clone(), shown)
            })
            .collect(),
    )
}

/// `key=value` lines written by a shell step to `$RB_OUTPUT`.
pub(crate) fn parse_output_file(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let (k, v) = line.split_once('=')?;
            let k = k.trim();
            (!k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                .then(|| (k.to_ascii_lowercase(), v.trim_end_matches('\r').to_string()))
        })
        .collect()
}

/// The parameter values a run's start entry kept (secrets never are), as the
/// text a person would type, for resuming it.
pub(crate) fn journaled_param_texts(params: &serde_json::Value) -> BTreeMap<String, String> {
    params
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(k, v)| {
                    let text = match v {
                        serde_json::Value::String(s) => s.clone(),
                        serde_json::Value::Array(items) => items
                            .iter()
                            .filter_map(|i| i.as_str())
                            .collect::<Vec<_>>()
                            .join(","),
                        other => other.to_string(),
                    };
                    (k.clone(), text)
                })
                .collect()
        })
        .unwrap_or_default()
}
