//! Runbooks: the folders searched (`--runbooks`, `./runbooks`, the config
//! dir's `runbooks/`, config paths), each file read, parsed and linted, and
//! the built-in runbooks shipped inside the binary (a folder's runbook of the
//! same id overrides one); a runbook found by path or by id.

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
    #[error("{} is larger than {} KiB, the most a runbook may be: is it the right file? (a runbook is a markdown page of steps)", path.display(), MAX_RUNBOOK_BYTES / 1024)]
    TooLarge { path: PathBuf },
}

/// The largest runbook read: 5 MiB is thousands of steps. Anything larger
/// (`/dev/zero`, a log file given by mistake) is refused before it is read
/// whole.
pub(crate) const MAX_RUNBOOK_BYTES: u64 = 5 * 1024 * 1024;

fn known_ids(known: &[String]) -> String {
    if known.is_empty() {
        " (no runbooks found)".to_string()
    } else {
        format!("; known: {}", known.join(", "))
    }
}

/// The runbooks shipped with triage, embedded at build time from
/// `runbooks/` (file name, text).
pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "bad-deployment.md",
        include_str!("../../runbooks/bad-deployment.md"),
    ),
    (
        "compromised-host.md",
        include_str!("../../runbooks/compromised-host.md"),
    ),
    (
        "image-pull-failure.md",
        include_str!("../../runbooks/image-pull-failure.md"),
    ),
    (
        "oom-restart-loop.md",
        include_str!("../../runbooks/oom-restart-loop.md"),
    ),
    (
        "rotate-secrets.md",
        include_str!("../../runbooks/rotate-secrets.md"),
    ),
    (
        "service-down.md",
        include_str!("../../runbooks/service-down.md"),
    ),
];

/// The built-in runbooks, parsed and checked.
pub fn built_in() -> Vec<RunbookFile> {
    BUILT_IN
        .iter()
        .map(|(name, text)| {
            let parsed = check(name, text);
            RunbookFile {
                path: PathBuf::from(name),
                runbook: parsed.runbook,
                problems: parsed.problems,
                built_in: true,
            }
        })
        .collect()
}

/// Reads and checks one file.
pub fn load(path: &Path) -> Result<RunbookFile, RunbookError> {
    use std::io::Read;
    let unreadable = |source| RunbookError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    // At most one byte past the cap is read: a device or a pipe never ends.
    let mut bytes = Vec::new();
    file.take(MAX_RUNBOOK_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_RUNBOOK_BYTES {
        return Err(RunbookError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        unreadable(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "not UTF-8 text: a runbook is a markdown file",
        ))
    })?;
    let parsed = check(&path.display().to_string(), &text);
    Ok(RunbookFile {
        path: path.to_path_buf(),
        runbook: parsed.runbook,
        problems: parsed.problems,
        built_in: false,
    })
}

/// Every `*.md` runbook in the folders, in folder order then by name, then
/// the built-in ones; a runbook id found twice keeps the first (earlier
/// folders win, and any folder wins over the built-ins). READMEs are not
/// runbooks.
pub fn list(folders: &[PathBuf]) -> Vec<RunbookFile> {
    let mut found = in_folders(folders);
    for file in built_in() {
        if !found.iter().any(|f| f.runbook.id == file.runbook.id) {
            found.push(file);
        }
    }
    found
}

fn in_folders(folders: &[PathBuf]) -> Vec<RunbookFile> {
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

/// A runbook by file path, or by id in the folders and the built-ins.
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
