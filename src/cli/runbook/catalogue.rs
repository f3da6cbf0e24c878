//! `list`, `show` and `check`: the runbooks found, one runbook's shape,
//! and the linter's problems at their lines.

use crate::cli::exit;
use crate::cli::output::schema::Version;
use crate::cli::output::shapes::runbook::{RunbookJson, RunbookListDoc, RunbookShownDoc};
use crate::cli::Format;
use crate::domain::runbook::Severity;
use crate::settings::Settings;
use crate::store::runbooks::{self, RunbookFile};
use std::path::PathBuf;

pub fn list(settings: &Settings, output: Format) -> u8 {
    let files = runbooks::list(&settings.runbook_paths);
    match output {
        Format::Json => {
            let doc = RunbookListDoc {
                schema_version: Version,
                runbooks: files.iter().map(RunbookJson::of).collect(),
            };
            crate::outln!("{}", crate::cli::output::json_text(&doc));
        }
        Format::Text if files.is_empty() => crate::outln!(
            "No runbooks found. triage looks in: {}",
            settings
                .runbook_paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Format::Text => {
            let rows: Vec<Vec<String>> = files
                .iter()
                .map(|f| {
                    vec![
                        f.runbook.id.clone(),
                        f.runbook.title.clone(),
                        f.runbook.tags.join(","),
                        if f.ok() { "ok".into() } else { "ERRORS".into() },
                        f.origin(),
                    ]
                })
                .collect();
            crate::out!(
                "{}",
                crate::cli::output::table(&["ID", "TITLE", "TAGS", "CHECK", "SOURCE"], &rows)
            );
        }
    }
    exit::OK
}

pub fn show(settings: &Settings, name: &str, output: Format) -> u8 {
    let file = match runbooks::find(&settings.runbook_paths, name) {
        Ok(f) => f,
        Err(e) => {
            crate::errln!("error: {e}");
            return exit::USAGE;
        }
    };
    let rb = &file.runbook;
    match output {
        Format::Json => crate::outln!(
            "{}",
            crate::cli::output::json_text(&RunbookShownDoc::of(&file))
        ),
        Format::Text => {
            crate::outln!("{} ({})  {}", rb.title, rb.id, file.origin());
            if !rb.tags.is_empty() {
                crate::outln!("tags: {}", rb.tags.join(", "));
            }
            if !rb.when.is_empty() {
                let when: Vec<String> = rb.when.iter().map(|w| w.text()).collect();
                crate::outln!("suggested when: {}", when.join(", "));
            }
            crate::outln!("\nParameters:");
            for p in &rb.params {
                crate::outln!(
                    "  {:<18} {:<8} {}{}{}",
                    p.name,
                    p.ty.as_str(),
                    if p.required { "required " } else { "" },
                    p.default
                        .as_ref()
                        .map(|d| format!("default {} ", d.render()))
                        .unwrap_or_default(),
                    p.description.as_deref().unwrap_or("")
                );
            }
            crate::outln!("\nSteps:");
            for (i, s) in rb.steps.iter().enumerate() {
                let mut flags = Vec::new();
                if s.attrs.destructive {
                    flags.push("destructive".to_string());
                }
                if let Some(w) = &s.attrs.when {
                    flags.push(format!("when {}", w.describe()));
                }
                if let Some(m) = &s.attrs.milestone {
                    flags.push(format!("milestone {m}"));
                }
                crate::outln!(
                    "  {:>2}. {:<12} {:<26} {}{}",
                    i + 1,
                    s.id,
                    s.kind_name(),
                    s.title,
                    if flags.is_empty() {
                        String::new()
                    } else {
                        format!("  [{}]", flags.join(", "))
                    }
                );
            }
            print_problems(&file);
        }
    }
    exit::OK
}

pub(super) fn print_problems(file: &RunbookFile) {
    for p in &file.problems {
        crate::errln!(
            "{}:{}: {}: {}",
            file.path.display(),
            p.line,
            p.severity.as_str(),
            p.message
        );
    }
}

pub fn check(files: &[PathBuf]) -> u8 {
    let mut errors = 0;
    let mut warnings = 0;
    for path in files {
        match runbooks::load(path) {
            Ok(file) => {
                print_problems(&file);
                errors += file
                    .problems
                    .iter()
                    .filter(|p| p.severity == Severity::Error)
                    .count();
                warnings += file
                    .problems
                    .iter()
                    .filter(|p| p.severity == Severity::Warning)
                    .count();
            }
            Err(e) => {
                crate::errln!("{}:1: error: {e}", path.display());
                errors += 1;
            }
        }
    }
    crate::errln!(
        "{} file(s) checked: {errors} error(s), {warnings} warning(s)",
        files.len()
    );
    if errors > 0 {
        exit::USAGE
    } else {
        exit::OK
    }
}
