//! Exact matching on the client. A JSON message matches when one of the
//! configured fields (at any depth) equals the ID; any other message matches
//! when the ID appears as a whole token. `corr-123` never matches `corr-1234`.

use serde_json::Value;

/// Field names that carry a correlation ID, by default.
pub const DEFAULT_FIELDS: &[&str] = &[
    "correlationId",
    "correlation_id",
    "requestId",
    "request_id",
    "traceId",
    "trace_id",
    "x-correlation-id",
];

#[derive(Debug, Clone)]
pub struct Matcher {
    id: String,
    fields: Vec<String>,
}

/// A correlation ID that cannot be searched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadId {
    #[error("the correlation ID is empty: triage logs <ID>")]
    Empty,
    #[error("the correlation ID contains control characters")]
    ControlCharacters,
}

impl Matcher {
    /// A matcher for `id`; `fields` empty means the defaults.
    pub fn new(id: &str, fields: &[String]) -> Result<Matcher, BadId> {
        let id = id.trim();
        if id.is_empty() {
            return Err(BadId::Empty);
        }
        if id.chars().any(char::is_control) {
            return Err(BadId::ControlCharacters);
        }
        let fields = if fields.is_empty() {
            DEFAULT_FIELDS.iter().map(|f| f.to_string()).collect()
        } else {
            fields.to_vec()
        };
        Ok(Matcher {
            id: id.to_string(),
            fields,
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Does this message belong to the request?
    pub fn matches(&self, message: &str) -> bool {
        let trimmed = message.trim_start();
        if trimmed.starts_with('{') {
            if let Ok(value) = serde_json::from_str::<Value>(trimmed) {
                return self.in_json(&value);
            }
        }
        self.as_token(message)
    }

    fn in_json(&self, value: &Value) -> bool {
        match value {
            Value::Object(map) => map.iter().any(|(key, v)| {
                (self.fields.iter().any(|f| f.eq_ignore_ascii_case(key))
                    && v.as_str() == Some(self.id.as_str()))
                    || self.in_json(v)
            }),
            Value::Array(items) => items.iter().any(|v| self.in_json(v)),
            _ => false,
        }
    }

    /// The ID as a whole token: not preceded or followed by a character an ID
    /// could continue with.
    fn as_token(&self, message: &str) -> bool {
        let continues = |c: char| c.is_alphanumeric() || c == '-' || c == '_' || c == '.';
        let mut from = 0;
        while let Some(pos) = message[from..].find(&self.id) {
            let start = from + pos;
            let end = start + self.id.len();
            let before = message[..start].chars().next_back();
            let after = message[end..].chars().next();
            // A trailing '.' ends a sentence rather than continuing the ID.
            let after_continues = match after {
                Some('.') => message[end + 1..].chars().next().is_some_and(continues),
                Some(c) => continues(c),
                None => false,
            };
            if !before.is_some_and(continues) && !after_continues {
                return true;
            }
            from = start + self.id.chars().next().map(char::len_utf8).unwrap_or(1);
        }
        false
    }
}

/// The server-side first pass: the ID as a quoted term (matches anywhere,
/// JSON or not; punctuation is safe inside quotes).
pub fn filter_pattern(id: &str) -> String {
    format!("\"{}\"", id.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(id: &str) -> Matcher {
        Matcher::new(id, &[]).unwrap()
    }

    #[test]
    fn json_fields_at_any_depth() {
        let m = m("corr-123");
        assert!(m.matches(r#"{"level":"info","correlationId":"corr-123"}"#));
        assert!(m.matches(r#"{"ctx":{"request":{"trace_id":"corr-123"}}}"#));
        assert!(m.matches(r#"{"spans":[{"x-correlation-id":"corr-123"}]}"#));
        assert!(!m.matches(r#"{"correlationId":"corr-1234"}"#));
        // In JSON, only the configured fields count.
        assert!(!m.matches(r#"{"msg":"retrying corr-123","correlationId":"other"}"#));
    }

    #[test]
    fn plain_text_whole_tokens_only() {
        let m = m("corr-123");
        assert!(m.matches("GET /chat corr-123 200"));
        assert!(m.matches("id=corr-123, status=500"));
        assert!(m.matches("failed for corr-123."));
        assert!(!m.matches("GET /chat corr-1234 200"));
        assert!(!m.matches("xcorr-123"));
        assert!(!m.matches("corr-123.5"));
        assert!(m.matches("corr-1234 then corr-123"));
    }

    #[test]
    fn custom_fields_and_bad_ids() {
        let m = Matcher::new("abc", &["span".to_string()]).unwrap();
        assert!(m.matches(r#"{"span":"abc"}"#));
        assert!(!m.matches(r#"{"correlationId":"abc"}"#));
        assert!(Matcher::new("  ", &[]).is_err());
        assert!(Matcher::new("a\u{1b}b", &[]).is_err());
    }

    #[test]
    fn filter_pattern_quotes_the_id() {
        assert_eq!(filter_pattern("corr-123"), "\"corr-123\"");
        assert_eq!(filter_pattern("a\"b"), "\"a\\\"b\"");
    }
}

/// The correlation ID a JSON log line carries (the first default field found,
/// at any depth), for following it from a line.
pub fn id_in(message: &str) -> Option<String> {
    let value: Value = serde_json::from_str(message.trim()).ok()?;
    fn find(value: &Value) -> Option<String> {
        match value {
            Value::Object(map) => {
                for field in DEFAULT_FIELDS {
                    if let Some(Value::String(s)) = map.get(*field) {
                        if !s.is_empty() {
                            return Some(s.clone());
                        }
                    }
                }
                map.values().find_map(find)
            }
            Value::Array(items) => items.iter().find_map(find),
            _ => None,
        }
    }
    find(&value)
}

#[cfg(test)]
mod id_tests {
    use super::id_in;

    #[test]
    fn finds_the_id_a_line_carries() {
        assert_eq!(
            id_in(r#"{"level":"info","correlationId":"req-1"}"#).as_deref(),
            Some("req-1")
        );
        assert_eq!(
            id_in(r#"{"http":{"headers":{"x-correlation-id":"c-9"}}}"#).as_deref(),
            Some("c-9")
        );
        assert_eq!(id_in("plain text req-1"), None);
        assert_eq!(id_in(r#"{"correlationId":""}"#), None);
    }
}
