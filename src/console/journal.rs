//! The console's hand on the incident journal: attaches to the open incident,
//! appends entries (fsynced before the loop moves on), starts incidents and
//! writes exports. Runs inside the loop so entries are written in order.

use crate::app::{Effect, WorkerResult};
use crate::domain::timeline::redact::Redactor;
use crate::domain::timeline::{export, Actor, IncidentStatus};
use crate::domain::Clock;
use crate::store::{IncidentStore, StoreError};
use std::sync::Arc;

pub struct IncidentJournal {
    store: IncidentStore,
    redactor: Redactor,
    clock: Arc<dyn Clock>,
    operator: String,
    incident: Option<String>,
    /// How far the attached journal and its shared cache have been read:
    /// what is past these offsets was written by someone else (or by this
    /// console since; merged by id).
    followed: [u64; 2],
}

impl IncidentJournal {
    pub fn new(
        store: IncidentStore,
        redactor: Redactor,
        clock: Arc<dyn Clock>,
        operator: String,
    ) -> IncidentJournal {
        IncidentJournal {
            store,
            redactor,
            clock,
            operator,
            incident: None,
            followed: [0, 0],
        }
    }

    /// Attach to the newest open incident, if there is one.
    pub fn attach_open(&mut self) -> Option<WorkerResult> {
        let open: Vec<_> = match self.store.list() {
            Ok(list) => list
                .into_iter()
                .filter(|l| l.incident.status == IncidentStatus::Open)
                .collect(),
            Err(err) => return Some(WorkerResult::IncidentAttached(Err(err.to_string()))),
        };
        let newest = open.into_iter().next()?;
        Some(self.attached(newest.incident.id))
    }

    fn attached(&mut self, id: String) -> WorkerResult {
        // Lengths before the load: whatever lands in between is read again
        // by the first follow, and merged once.
        self.followed = self.journals(&id).map(|j| j.size().unwrap_or(0));
        match self.store.load(&id) {
            Ok(loaded) => {
                self.incident = Some(id.clone());
                WorkerResult::IncidentAttached(Ok((id, loaded.incident.entries)))
            }
            Err(err) => WorkerResult::IncidentAttached(Err(err.to_string())),
        }
    }

    /// Carry out a journal effect; None for effects that are not the journal's.
    pub fn handle(&mut self, effect: &Effect) -> Option<WorkerResult> {
        match effect {
            Effect::Journal(draft) => {
                let Some(id) = &self.incident else {
                    return Some(WorkerResult::Journaled(Err(
                        StoreError::NoOpenIncident.to_string()
                    )));
                };
                let result = self
                    .store
                    .journal(id)
                    .append((**draft).clone(), &self.redactor, self.clock.as_ref())
                    .map(Box::new)
                    .map_err(|e| e.to_string());
                if let Err(message) = &result {
                    tracing::error!(%message, "journal append failed");
                }
                Some(WorkerResult::Journaled(result))
            }
            Effect::StartIncident { title, severity } => {
                let actor = Actor::Human {
                    name: self.operator.clone(),
                };
                Some(
                    match self.store.start(
                        title,
                        *severity,
                        actor,
                        &self.redactor,
                        self.clock.as_ref(),
                    ) {
                        Ok(id) => self.attached(id),
                        Err(err) => WorkerResult::IncidentAttached(Err(err.to_string())),
                    },
                )
            }
            Effect::ExportIncident => Some(WorkerResult::Exported(self.export())),
            Effect::FollowJournal => Some(WorkerResult::JournalGrew(self.follow())),
            _ => None,
        }
    }

    /// The incident's journal and the local cache of its shared entries.
    fn journals(&self, id: &str) -> [crate::store::journal::Journal; 2] {
        [
            self.store.journal(id),
            crate::store::journal::Journal::shared(&self.store.dir(id)),
        ]
    }

    /// What was appended since the last look: a stat of each file, and a
    /// read only when one grew.
    fn follow(&mut self) -> Vec<crate::domain::timeline::Entry> {
        let Some(id) = self.incident.clone() else {
            return Vec::new();
        };
        let mut grown = Vec::new();
        for (journal, offset) in self.journals(&id).iter().zip(self.followed.iter_mut()) {
            match journal.read_from(*offset) {
                Ok((report, next)) => {
                    *offset = next;
                    grown.extend(report.entries);
                }
                Err(err) => tracing::warn!(%err, "cannot follow the journal"),
            }
        }
        grown
    }

    /// The post-mortem draft, JSON and CSV, next to the journal.
    fn export(&self) -> Result<Vec<String>, String> {
        let id = self
            .incident
            .as_ref()
            .ok_or_else(|| StoreError::NoOpenIncident.to_string())?;
        let loaded = self.store.load(id).map_err(|e| e.to_string())?;
        let files = [
            ("postmortem.md", export::markdown(&loaded.incident)),
            (
                "timeline.json",
                serde_json::to_string_pretty(&export::json(&loaded.incident))
                    .map_err(|e| e.to_string())?,
            ),
            ("timeline.csv", export::csv(&loaded.incident)),
        ];
        let mut written = Vec::new();
        for (name, text) in files {
            let path = loaded.dir.join(name);
            std::fs::write(&path, text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            written.push(path.display().to_string());
        }
        Ok(written)
    }
}
