//! Redaction: what must never reach a journal or an export. Runs on every
//! string of every entry before it is written.

use regex::Regex;

/// The text that replaces what was removed.
pub(crate) const MASK: &str = "[REDACTED]";

/// Default secret patterns (names for config and messages, regex).
pub(crate) const DEFAULT_PATTERNS: &[(&str, &str)] = &[
    // `aws_secret_access_key = …`, `AWS_SECRET_ACCESS_KEY=…`, `"SecretAccessKey": "…"`
    (
        "aws-secret-key-assignment",
        r#"(?i)(aws_?secret_?access_?key|secretaccesskey)("?\s*[:=]\s*"?)[A-Za-z0-9/+=]{16,}"#,
    ),
    // A bare 40-character AWS secret access key next to an access key id.
    (
        "aws-secret-key",
        r"(?:^|[^A-Za-z0-9/+=])([A-Za-z0-9/+]{40})(?:$|[^A-Za-z0-9/+=])",
    ),
    ("bearer-token", r"(?i)\b(bearer)(\s+)[A-Za-z0-9\-._~+/]+=*"),
    (
        "password-pair",
        r#"(?i)\b(password|passwd|pwd|secret|token|api_?key|client_?secret)(\s*[:=]\s*"?)[^\s"'&,;]+"#,
    ),
    (
        "private-key",
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)",
    ),
];

/// Removes known secret values, secret-looking patterns and terminal control sequences.
#[derive(Debug, Clone)]
pub struct Redactor {
    secrets: Vec<String>,
    patterns: Vec<Regex>,
}

impl Default for Redactor {
    fn default() -> Self {
        Redactor::new(&[]).expect("built-in patterns compile")
    }
}

/// A redaction pattern that is not a regular expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("redaction pattern `{pattern}` is not a regular expression: {reason}")]
pub struct BadPattern {
    pub pattern: String,
    pub reason: String,
}

impl Redactor {
    /// The default patterns plus `extra` (regexes from the config).
    pub fn new(extra: &[String]) -> Result<Redactor, BadPattern> {
        let mut patterns = Vec::new();
        for p in DEFAULT_PATTERNS
            .iter()
            .map(|(_, p)| *p)
            .chain(extra.iter().map(String::as_str))
        {
            patterns.push(Regex::new(p).map_err(|e| BadPattern {
                pattern: p.to_string(),
                reason: e.to_string(),
            })?);
        }
        Ok(Redactor {
            secrets: Vec::new(),
            patterns,
        })
    }

    /// Remember a secret value the console has seen (never written from now on).
    pub fn add_secret(&mut self, value: &str) {
        if value.len() >= 4 && !self.secrets.iter().any(|s| s == value) {
            self.secrets.push(value.to_string());
            // Longest first, so a secret containing another is masked whole.
            self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = crate::domain::sanitize::strip_controls(text);
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        for pattern in &self.patterns {
            if !pattern.is_match(&out) {
                continue;
            }
            let text = out.clone();
            out = pattern
                .replace_all(&text, |caps: &regex::Captures| {
                    if names_an_arn_resource(&text, caps) {
                        caps[0].to_string()
                    } else {
                        mask_keeping_label(caps)
                    }
                })
                .into_owned();
        }
        out
    }

    /// Redact every string inside a JSON value.
    pub(crate) fn redact_json(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => *s = self.redact(s),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| self.redact_json(v)),
            serde_json::Value::Object(map) => map.values_mut().for_each(|v| self.redact_json(v)),
            _ => {}
        }
    }
}

/// `arn:aws:secretsmanager:…:secret:prod/db-url`: `secret:` there is the
/// ARN's resource type and what follows a secret's *name*, which a resumed
/// run must read back as written (a name is not a value).
fn names_an_arn_resource(text: &str, caps: &regex::Captures) -> bool {
    match (caps.get(1), caps.get(2)) {
        (Some(label), Some(sep)) => {
            let before = &text[..label.start()];
            sep.as_str() == ":"
                && before.ends_with(':')
                && before
                    .rsplit(char::is_whitespace)
                    .next()
                    .is_some_and(|word| {
                        word.trim_start_matches(['"', '\'', '`'])
                            .starts_with("arn:")
                    })
        }
        _ => false,
    }
}

/// Keep a `label = ` prefix (groups 1 and 2) so the text still reads; mask the rest.
fn mask_keeping_label(caps: &regex::Captures) -> String {
    let whole = caps.get(0).map(|m| m.as_str()).unwrap_or("");
    match (caps.get(1), caps.get(2)) {
        (Some(label), Some(sep)) => format!("{}{}{MASK}", label.as_str(), sep.as_str()),
        (Some(secret), None) => whole.replace(secret.as_str(), MASK),
        _ => MASK.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_secret_values_are_masked() {
        let mut r = Redactor::default();
        r.add_secret("hunter2-prod-db");
        assert_eq!(
            r.redact("db pass is hunter2-prod-db!"),
            "db pass is [REDACTED]!"
        );
    }

    #[test]
    fn patterns_are_masked_but_labels_kept() {
        let r = Redactor::default();
        assert_eq!(
            r.redact("curl -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc'"),
            "curl -H 'Authorization: Bearer [REDACTED]'"
        );
        assert_eq!(
            r.redact("password=s3cr3t&user=bob"),
            "password=[REDACTED]&user=bob"
        );
        assert_eq!(
            r.redact("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            "aws_secret_access_key = [REDACTED]"
        );
        assert_eq!(
            r.redact("key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY leaked"),
            "key [REDACTED] leaked"
        );
        assert_eq!(r.redact("\u{1b}[31mred\u{1b}[0m"), "red");
        // A Secrets Manager ARN names a secret; it is not one.
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/backend/db-url-3a51c0";
        assert_eq!(r.redact(arn), arn);
        assert_eq!(
            r.redact(&format!("rotate `{arn}` now")),
            format!("rotate `{arn}` now")
        );
        assert_eq!(r.redact("secret:hunter2"), "secret:[REDACTED]");
        assert_eq!(r.redact("x:secret:hunter2"), "x:secret:[REDACTED]");
        assert_eq!(
            r.redact("an ordinary note about tokens"),
            "an ordinary note about tokens"
        );
    }
}
