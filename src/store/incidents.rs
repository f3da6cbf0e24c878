//! The incidents under the data dir: create, list, find the open one.

use super::journal::Journal;
use super::{io, StoreError};
use crate::domain::timeline::entry::IncidentChange;
use crate::domain::timeline::redact::Redactor;
use crate::domain::timeline::{Actor, EntryDraft, EntryKind, Incident, IncidentStatus, Severity};
use crate::domain::Clock;
use std::path::{Path, PathBuf};

pub struct IncidentStore {
    root: PathBuf,
}

/// One incident on disk, read.
pub struct Loaded {
    pub incident: Incident,
    pub skipped: Vec<(usize, String)>,
    pub dir: PathBuf,
}

impl IncidentStore {
    pub fn new(root: &Path) -> IncidentStore {
        IncidentStore {
            root: root.to_path_buf(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn dir(&self, id: &str) -> PathBuf {
        self.root.join(id)
    }

    pub fn journal(&self, id: &str) -> Journal {
        Journal::new(&self.dir(id))
    }

    /// Start an incident: a folder and its first entry. Returns its id.
    pub fn start(
        &self,
        title: &str,
        severity: Option<Severity>,
        actor: Actor,
        redactor: &Redactor,
        clock: &dyn Clock,
    ) -> Result<String, StoreError> {
        let title = title.trim();
        if title.is_empty() {
            return Err(StoreError::Invalid(
                "an incident needs a title, e.g. triage incident start \"checkout errors\"".into(),
            ));
        }
        std::fs::create_dir_all(&self.root).map_err(io("create", &self.root))?;
        let base = format!("{}-{}", clock.now().format("%Y%m%d-%H%M"), slug(title));
        let mut id = base.clone();
        let mut n = 2;
        // create_dir is atomic: two processes cannot take the same id.
        loop {
            match std::fs::create_dir(self.dir(&id)) {
                Ok(()) => break,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    id = format!("{base}-{n}");
                    n += 1;
                }
                Err(e) => return Err(io("create", &self.dir(&id))(e)),
            }
        }
        let summary = match severity {
            Some(s) => format!("Incident opened: {title} ({})", s.as_str()),
            None => format!("Incident opened: {title}"),
        };
        let mut draft = EntryDraft::new(EntryKind::Decision, actor, summary);
        draft.important = true;
        draft.incident = Some(IncidentChange {
            title: Some(title.to_string()),
            severity: severity.map(|s| s.as_str().to_string()),
            status: Some("open".into()),
        });
        if let Err(err) = self.journal(&id).append(draft, redactor, clock) {
            // A full disk: leave nothing behind that would read as an open
            // incident (and make every later command ask which one).
            let _ = std::fs::remove_dir_all(self.dir(&id));
            return Err(err);
        }
        Ok(id)
    }

    /// Every incident, newest first.
    pub fn list(&self) -> Result<Vec<Loaded>, StoreError> {
        let entries = match std::fs::read_dir(&self.root) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io("read", &self.root)(e)),
        };
        let mut incidents = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if !has_journal(&path) {
                continue;
            }
            let id = entry.file_name().to_string_lossy().into_owned();
            let loaded = self.load(&id)?;
            // An empty journal (a start that failed before its first line,
            // from an older triage) is not an incident.
            if loaded.incident.entries.is_empty() && loaded.skipped.is_empty() {
                continue;
            }
            incidents.push(loaded);
        }
        incidents.sort_by(|a, b| {
            b.incident
                .started_at
                .cmp(&a.incident.started_at)
                .then(b.incident.id.cmp(&a.incident.id))
        });
        Ok(incidents)
    }

    pub fn load(&self, id: &str) -> Result<Loaded, StoreError> {
        if id.is_empty() || id.contains('/') || id.contains("..") || !has_journal(&self.dir(id)) {
            let known: Vec<String> = self.list_ids();
            return Err(StoreError::UnknownIncident {
                id: id.to_string(),
                known: if known.is_empty() {
                    String::new()
                } else {
                    format!("; incidents: {}", known.join(", "))
                },
            });
        }
        let mut report = self.journal(id).read()?;
        // Entries other responders shared, merged in (each id once).
        let shared = Journal::shared(&self.dir(id)).read()?;
        let mut seen: std::collections::HashSet<String> =
            report.entries.iter().map(|e| e.id.clone()).collect();
        for entry in shared.entries {
            if seen.insert(entry.id.clone()) {
                report.entries.push(entry);
            }
        }
        report.skipped.extend(
            shared
                .skipped
                .into_iter()
                .map(|(line, why)| (line, format!("shared.jsonl: {why}"))),
        );
        Ok(Loaded {
            incident: Incident::from_entries(id, report.entries),
            skipped: report.skipped,
            dir: self.dir(id),
        })
    }

    fn list_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = std::fs::read_dir(&self.root)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| has_journal(&e.path()))
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        ids.sort();
        ids
    }

    /// The incident meant: the given id, or the one open incident.
    pub(crate) fn resolve(&self, id: Option<&str>) -> Result<String, StoreError> {
        if let Some(id) = id {
            self.load(id)?;
            return Ok(id.to_string());
        }
        let open: Vec<String> = self
            .list()?
            .into_iter()
            .filter(|l| l.incident.status == IncidentStatus::Open)
            .map(|l| l.incident.id)
            .collect();
        match open.as_slice() {
            [] => Err(StoreError::NoOpenIncident),
            [one] => Ok(one.clone()),
            many => Err(StoreError::SeveralOpen {
                ids: many.join(", "),
            }),
        }
    }

    /// The incident to read (an export): as [`IncidentStore::resolve`], but
    /// with none open, the one closed last — an export after `close` is the
    /// usual order. True when it fell back to a closed one.
    pub(crate) fn resolve_to_read(&self, id: Option<&str>) -> Result<(String, bool), StoreError> {
        match self.resolve(id) {
            Err(StoreError::NoOpenIncident) => {
                let last_closed = self
                    .list()?
                    .into_iter()
                    .filter(|l| l.incident.status == IncidentStatus::Closed)
                    .max_by_key(|l| (l.incident.closed_at, l.incident.started_at));
                match last_closed {
                    Some(l) => Ok((l.incident.id, true)),
                    None => Err(StoreError::NoOpenIncident),
                }
            }
            other => other.map(|id| (id, false)),
        }
    }
}

fn has_journal(dir: &Path) -> bool {
    dir.join(super::journal::FILE_NAME).is_file()
        || dir.join(super::journal::SHARED_FILE_NAME).is_file()
}

/// "Checkout errors after deploy!" → "checkout-errors-after-deploy".
fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 32 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "incident".into()
    } else {
        out
    }
}
