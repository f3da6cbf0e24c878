//! Runbook files on disk: the folders searched (`--runbooks`, `./runbooks`,
//! the config dir's `runbooks/`, config paths), each file read, parsed and
//! linted; a runbook found by path or by id.

use crate::domain::runbook::lint::check;
use std::path::{Path, PathBuf};

pub use crate::domain::runbook::RunbookFile;

/// Why a runbook could not be had.
#[derive(Debug, thiserror::Error)]
pub enum RunbookError {
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "no runbook `{name}`: not a file, and no runbook has that id{}",
        known_ids(known)
    )]
    NotFound { name: String, known: Vec<String> },
}

fn known_ids(known: &[String]) -> String {
    if known.is_empty() {
        " (no runbooks found in ./runbooks or the config dir)".to_string()
    } else {
        format!("; known: {}", known.join(", "))
    }
}

/// Reads and checks one file.
pub fn load(path: &Path) -> Result<RunbookFile, RunbookError> {
    let text = std::fs::read_to_string(path).map_err(|source| RunbookError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let parsed = check(&path.display().to_string(), &text);
    Ok(RunbookFile {
        path: path.to_path_buf(),
        runbook: parsed.runbook,
        problems: parsed.problems,
    })
}

/// Every `*.md` runbook in the folders, in folder order then by name; a
/// runbook id found twice keeps the first (earlier folders win). READMEs are
/// not runbooks.
pub fn list(folders: &[PathBuf]) -> Vec<RunbookFile> {
    let mut found: Vec<RunbookFile> = Vec::new();
    for folder in folders {
        let Ok(dir) = std::fs::read_dir(folder) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .filter(|p| {
                !p.file_name()
                    .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case("README.md"))
            })
            .collect();
        paths.sort();
        for path in paths {
            if let Ok(file) = load(&path) {
                let id = file.runbook.id.clone();
                if id.is_empty() || !found.iter().any(|f| f.runbook.id == id) {
                    found.push(file);
                }
            }
        }
    }
    found
}

/// A runbook by file path, or by id in the folders.
pub fn find(folders: &[PathBuf], name: &str) -> Result<RunbookFile, RunbookError> {
    let path = Path::new(name);
    if path.is_file() {
        return load(path);
    }
    let all = list(folders);
    all.iter()
        .find(|f| f.runbook.id == name)
        .cloned()
        .ok_or_else(|| RunbookError::NotFound {
            name: name.to_string(),
            known: all.iter().map(|f| f.runbook.id.clone()).collect(),
        })
}
