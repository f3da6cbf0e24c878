//! Output for pipes and scripts: aligned columns and JSON, every string
//! sanitized, no colour.

use crate::domain::sanitize::one_line;
use unicode_width::UnicodeWidthStr;

/// Render rows as left-aligned columns separated by two spaces; the last
/// column is not padded.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let columns = header.len();
    let clean: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| one_line(c)).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in &clean {
        for (i, cell) in row.iter().enumerate().take(columns) {
            widths[i] = widths[i].max(cell.width());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&" ".repeat(widths[i] - cell.width() + 2));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for row in &clean {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

/// A JSON document for stdout, pretty-printed, every string cleaned (text
/// from AWS or a runbook never carries a control or bidi character out).
pub fn json_text(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(&crate::domain::sanitize::clean_json(value.clone()))
        .unwrap_or_default()
}

/// One JSON Lines record, cleaned the same way.
pub fn json_line(value: serde_json::Value) -> String {
    crate::domain::sanitize::clean_json(value).to_string()
}

/// RFC 3339, UTC, seconds: `2026-01-28T03:12:00Z`.
pub fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_control_sequences_are_stripped() {
        let out = table(
            &["A", "BB", "C"],
            &[vec![
                "x".into(),
                "\u{1b}[31my\u{1b}[0m".into(),
                "last".into(),
            ]],
        );
        assert_eq!(out, "A  BB  C\nx  y   last\n");
    }
}
