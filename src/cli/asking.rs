//! Questions the CLI asks a person at a terminal, each with its offered
//! answer (Enter takes it). A script — stdin or stderr not a terminal — is
//! never asked: the offered answer stands.

use crate::domain::timeline::naming::severity_words;
use crate::domain::timeline::Severity;
use crate::store::StoreError;
use std::io::{BufRead, IsTerminal, Write};

/// A person is there to answer.
pub fn at_a_terminal() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// One line typed after `question [offered]: `; None at end of input.
fn line(question: &str, offered: &str) -> Option<String> {
    let mut stderr = std::io::stderr();
    let shown = if offered.is_empty() {
        String::new()
    } else {
        format!(" [{offered}]")
    };
    let _ = write!(stderr, "{question}{shown}: ");
    let _ = stderr.flush();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim().to_string()),
    }
}

/// A title, `offered` when Enter is pressed (or nobody is there).
pub fn title(offered: &str) -> String {
    if !at_a_terminal() {
        return offered.to_string();
    }
    match line("incident title", offered) {
        Some(typed) if !typed.is_empty() => typed,
        _ => offered.to_string(),
    }
}

/// A severity: `offered` on Enter (None: chosen later); a wrong one is
/// asked again, twice.
pub fn severity(offered: Option<Severity>) -> Result<Option<Severity>, StoreError> {
    if !at_a_terminal() {
        return Ok(offered);
    }
    let choices: Vec<String> = [
        Severity::Sev1,
        Severity::Sev2,
        Severity::Sev3,
        Severity::Sev4,
    ]
    .iter()
    .map(|s| format!("{} {}", s.as_str(), severity_words(*s)))
    .collect();
    let question = format!(
        "severity? {}{}",
        choices.join(" · "),
        if offered.is_none() {
            " (Enter: choose later)"
        } else {
            ""
        }
    );
    for attempt in 0..3 {
        let Some(typed) = line(&question, offered.map(|s| s.as_str()).unwrap_or("")) else {
            return Ok(offered);
        };
        if typed.is_empty() {
            return Ok(offered);
        }
        match Severity::parse(&typed) {
            Ok(s) => return Ok(Some(s)),
            Err(e) if attempt < 2 => crate::errln!("{e}"),
            Err(e) => return Err(StoreError::Invalid(e.to_string())),
        }
    }
    Ok(offered)
}
