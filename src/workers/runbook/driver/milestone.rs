//! The milestone a step marks (`milestone=` in its attributes), written to
//! the incident when the step succeeds.

use super::*;

impl Driver<'_> {
    pub(super) fn milestone(&mut self, index: usize) -> Result<(), DriveError> {
        if let Some(draft) = milestone_entry(self.runbook, index, self.actor.clone()) {
            let entry = self.journal.append(draft).map_err(DriveError::Journal)?;
            self.operator.progress(Progress::Transition {
                index: Some(index),
                entry: Box::new(entry),
            });
        }
        Ok(())
    }
}
