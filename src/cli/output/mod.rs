//! Output for pipes and scripts: aligned columns and JSON, every string
//! sanitized, no colour — and the only way the CLI writes to stdout and
//! stderr: [`out!`](crate::out), [`outln!`](crate::outln) and
//! [`errln!`](crate::errln) clean what they print (clippy refuses
//! `println!` and its kin, see clippy.toml), so text from AWS, a runbook, a
//! config file or a journal cannot reach the terminal raw whatever a
//! subcommand forgets.

pub mod schema;
pub mod shapes;

use crate::domain::sanitize::one_line;
use unicode_width::UnicodeWidthStr;

/// Print to stdout, cleaned of every control, escape and bidi character
/// (newlines and tabs kept: they are the output's own layout).
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::output::print_clean($crate::cli::output::Stream::Out, &format!($($arg)*))
    };
}

/// [`out!`](crate::out) with a newline.
#[macro_export]
macro_rules! outln {
    () => {
        $crate::cli::output::print_clean($crate::cli::output::Stream::Out, "\n")
    };
    ($($arg:tt)*) => {
        $crate::cli::output::print_clean(
            $crate::cli::output::Stream::Out,
            &format!("{}\n", format_args!($($arg)*)),
        )
    };
}

/// A line on stderr (warnings, errors, progress), cleaned like [`out!`](crate::out).
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::cli::output::print_clean(
            $crate::cli::output::Stream::Err,
            &format!("{}\n", format_args!($($arg)*)),
        )
    };
}

/// Where [`print_clean`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Out,
    Err,
}

/// Write `text` cleaned by [`strip_controls`](crate::domain::sanitize::strip_controls).
/// A reader that went away (`| head`) ends the process quietly with 0: what
/// was journaled is already on disk. Any other failure to write stdout is
/// said on stderr and ends it with 1; stderr's own failures are ignored
/// (there is nowhere left to say them).
pub fn print_clean(stream: Stream, text: &str) {
    use std::io::Write;
    let clean = crate::domain::sanitize::strip_controls(text);
    match stream {
        Stream::Out => {
            let mut out = std::io::stdout().lock();
            if let Err(err) = out.write_all(clean.as_bytes()).and_then(|()| out.flush()) {
                if err.kind() == std::io::ErrorKind::BrokenPipe {
                    std::process::exit(i32::from(super::exit::OK));
                }
                let _ = writeln!(std::io::stderr(), "triage: cannot write to stdout: {err}");
                std::process::exit(i32::from(super::exit::PROBLEM_FOUND));
            }
        }
        Stream::Err => {
            let _ = std::io::stderr().lock().write_all(clean.as_bytes());
        }
    }
}

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

/// A JSON document for stdout (one of [`shapes`]), pretty-printed, every
/// string cleaned (text from AWS or a runbook never carries a control or
/// bidi character out).
pub(crate) fn json_text<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string_pretty(&clean(value)).unwrap_or_default()
}

/// One JSON Lines record, cleaned the same way.
pub(crate) fn json_line<T: serde::Serialize + ?Sized>(value: &T) -> String {
    clean(value).to_string()
}

fn clean<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Value {
    crate::domain::sanitize::clean_json(
        serde_json::to_value(value).unwrap_or(serde_json::Value::Null),
    )
}

/// RFC 3339, UTC, seconds: `2026-01-28T03:12:00Z`.
pub(crate) fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
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
