//! Sharing an incident: publish what this console wrote, and bring what
//! other responders published into the local cache (each entry once).

use crate::domain::ports::SharePort;
use crate::domain::timeline::Entry;
use crate::domain::PortError;
use crate::store::{IncidentStore, Journal, StoreError};

/// Why a sync failed.
#[derive(Debug, thiserror::Error)]
pub enum ShareError {
    #[error(transparent)]
    Port(#[from] PortError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Fetch the incident's shared log and cache the entries not known locally.
/// Returns the new entries.
pub async fn pull(
    shared: &dyn SharePort,
    store: &IncidentStore,
    incident: &str,
    cursor: Option<String>,
) -> Result<(Vec<Entry>, Option<String>), ShareError> {
    let page = shared.fetch(incident, cursor).await?;
    let known: std::collections::HashSet<String> = match store.load(incident) {
        Ok(loaded) => loaded.incident.entries.into_iter().map(|e| e.id).collect(),
        Err(StoreError::UnknownIncident { .. }) => Default::default(),
        Err(err) => return Err(err.into()),
    };
    let new: Vec<Entry> = page
        .entries
        .into_iter()
        .filter(|e| !known.contains(&e.id))
        .collect();
    Journal::shared(&store.dir(incident)).append_existing(&new)?;
    Ok((new, page.cursor))
}
