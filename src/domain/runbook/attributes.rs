//! A step's fence line: `yaml {id=x kind=y destructive retries=2 …}` split
//! into its words, each attribute checked and applied, and `when=`
//! conditions read.

use super::model::*;
use super::parse::{Attributes, STEP_ATTRIBUTES};
use std::time::Duration;

pub fn split_info(info: &str) -> Result<(String, Attributes), String> {
    let info = info.trim();
    let (lang, rest) = match info.find('{') {
        Some(i) => (info[..i].trim(), &info[i..]),
        None => (info, ""),
    };
    let lang = lang.split_whitespace().next().unwrap_or("").to_string();
    if rest.is_empty() {
        return Ok((lang, Vec::new()));
    }
    let inner = rest
        .strip_prefix('{')
        .and_then(|r| r.trim_end().strip_suffix('}'))
        .ok_or_else(|| {
            format!("fence attributes `{rest}` must be closed by `}}` at the end of the line")
        })?;
    let mut attrs = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        if chars.peek() == Some(&'=') {
            chars.next();
            let mut value = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                let mut closed = false;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => {
                            closed = true;
                            break;
                        }
                        '\\' => {
                            if let Some(n) = chars.next() {
                                value.push(n);
                            }
                        }
                        c => value.push(c),
                    }
                }
                if !closed {
                    return Err(format!(
                        "attribute `{key}`: the quoted value is not closed with `\"`"
                    ));
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() {
                        break;
                    }
                    value.push(c);
                    chars.next();
                }
            }
            attrs.push((key, Some(value)));
        } else {
            attrs.push((key, None));
        }
    }
    Ok((lang, attrs))
}

/// Applies one step attribute; the error says what is wrong.
/// The most `retries` a step may ask for.
pub const MAX_RETRIES: u32 = 10;

pub(super) fn apply_attribute(
    attrs: &mut StepAttrs,
    key: &str,
    value: Option<&str>,
) -> Result<(), String> {
    let need = |v: Option<&str>| -> Result<String, String> {
        v.map(str::to_string)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| format!("`{key}` needs a value, e.g. `{key}=…`"))
    };
    match key {
        "destructive" => {
            attrs.destructive = match value {
                None | Some("true") | Some("yes") => true,
                Some("false") | Some("no") => false,
                Some(v) => return Err(format!("`destructive={v}`: write `destructive` alone")),
            }
        }
        "confirm" => {
            attrs.confirm = match need(value)?.as_str() {
                "yes" => Confirm::Yes,
                "typed" => Confirm::Typed,
                "no" | "none" => Confirm::None,
                v => {
                    return Err(format!(
                        "`confirm={v}`: use `confirm=yes` or `confirm=typed`"
                    ))
                }
            }
        }
        "timeout" => {
            let text = need(value)?;
            let span = crate::domain::timeline::time_input::parse_span(&text)
                .map_err(|e| format!("`timeout={text}`: {e}"))?;
            if span <= chrono::Duration::zero() {
                return Err(format!(
                    "`timeout={text}` would fail the step before it starts: give a time it can finish in, e.g. `timeout=5m`"
                ));
            }
            attrs.timeout = Some(Duration::from_millis(span.num_milliseconds() as u64));
        }
        "retries" => {
            let text = need(value)?;
            attrs.retries = text
                .parse()
                .map_err(|_| format!("`retries={text}` must be a whole number"))?;
            if attrs.retries > MAX_RETRIES {
                return Err(format!(
                    "`retries={text}` is more than {MAX_RETRIES}, the most a step takes \
                     (a step that fails {MAX_RETRIES} times in a row needs a person, not another try)"
                ));
            }
        }
        "on_failure" => {
            let text = need(value)?;
            attrs.on_failure = match text.as_str() {
                "abort" => OnFailure::Abort,
                "continue" => OnFailure::Continue,
                other => match other.strip_prefix("goto:") {
                    Some(id) if !id.is_empty() => OnFailure::Goto(id.to_string()),
                    _ => {
                        return Err(format!(
                            "`on_failure={text}`: use abort, continue or goto:<step id>"
                        ))
                    }
                },
            }
        }
        "when" => attrs.when = Some(parse_condition(&need(value)?)?),
        "milestone" => attrs.milestone = Some(need(value)?),
        other => {
            return Err(format!(
                "unknown attribute `{other}`; known: {}",
                STEP_ATTRIBUTES.join(", ")
            ))
        }
    }
    Ok(())
}

/// `choose.choice==rollback` or `stopped.count!=0`.
pub fn parse_condition(text: &str) -> Result<Condition, String> {
    let (lhs, rhs, equals) = if let Some((l, r)) = text.split_once("==") {
        (l, r, true)
    } else if let Some((l, r)) = text.split_once("!=") {
        (l, r, false)
    } else {
        return Err(format!("`when={text}`: write `<step>.<key>==<value>`"));
    };
    let (step, key) = lhs
        .split_once('.')
        .filter(|(s, k)| !s.is_empty() && !k.is_empty())
        .ok_or_else(|| format!("`when={text}`: the left side must be `<step>.<key>`"))?;
    Ok(Condition {
        step: step.to_string(),
        key: key.to_string(),
        equals,
        value: rhs.trim_matches('"').to_string(),
    })
}
