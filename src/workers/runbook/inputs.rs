//! Reading a step's substituted inputs with messages that name the input.

use super::StepError;
use serde_json::Value;

pub fn text(inputs: &Value, key: &str) -> Result<String, StepError> {
    match inputs.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(Value::Bool(b)) => Ok(b.to_string()),
        Some(Value::Array(items)) if items.len() == 1 => text(
            &Value::Object([(key.to_string(), items[0].clone())].into_iter().collect()),
            key,
        ),
        Some(_) => Err(StepError::Input(format!("input `{key}` must be one value"))),
        None => Err(StepError::Input(format!("input `{key}` is missing"))),
    }
}

pub(crate) fn optional_text(inputs: &Value, key: &str) -> Option<String> {
    text(inputs, key).ok()
}

/// A list: a YAML list, or one string with commas.
pub fn list(inputs: &Value, key: &str) -> Result<Vec<String>, StepError> {
    let items: Vec<String> = match inputs.get(key) {
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| i.to_string())
            })
            .collect(),
        Some(Value::String(s)) => s.split(',').map(str::to_string).collect(),
        Some(other) => vec![other.to_string()],
        None => return Err(StepError::Input(format!("input `{key}` is missing"))),
    };
    let items: Vec<String> = items
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if items.is_empty() {
        return Err(StepError::Input(format!("input `{key}` is empty")));
    }
    Ok(items)
}

pub fn number(inputs: &Value, key: &str) -> Result<u32, StepError> {
    let t = text(inputs, key)?;
    t.parse()
        .map_err(|_| StepError::Input(format!("input `{key}` must be a whole number, not `{t}`")))
}

pub fn span(inputs: &Value, key: &str) -> Result<Option<chrono::Duration>, StepError> {
    match optional_text(inputs, key) {
        None => Ok(None),
        Some(t) => crate::domain::timeline::time_input::parse_span(&t)
            .map(Some)
            .map_err(|e| StepError::Input(format!("input `{key}`: {e}"))),
    }
}
