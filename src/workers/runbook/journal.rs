//! The incident journal as the run driver writes it: each transition
//! redacted (secret parameter values included), numbered and fsynced.

use super::driver::RunJournal;
use crate::domain::timeline::redact::Redactor;
use crate::domain::timeline::{Entry, EntryDraft};
use crate::domain::Clock;
use crate::store::{Journal, StoreError};
use std::sync::Arc;

pub(crate) struct IncidentRunJournal {
    pub journal: Journal,
    pub redactor: Redactor,
    pub clock: Arc<dyn Clock>,
}

impl RunJournal for IncidentRunJournal {
    fn append(&mut self, draft: EntryDraft) -> Result<Entry, StoreError> {
        self.journal
            .append(draft, &self.redactor, self.clock.as_ref())
    }
}
