//! The on-disk incident journal: one folder per incident under the data dir,
//! `journal.jsonl` append-only (one fsynced write per entry, under a lock, so
//! two processes never interleave), and its readers. Knows nothing of the UI.

pub mod aws_profiles;
pub mod baselines;
pub mod cache;
pub mod definitions;
pub mod incidents;
pub mod journal;
pub mod log_groups;
pub mod runbooks;
pub mod trail;

pub use incidents::IncidentStore;
pub use journal::{Journal, ReadReport};

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot {doing} {path}: {source}")]
    Io {
        doing: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no open incident: start one with `triage incident start \"<title>\"`")]
    NoOpenIncident,
    #[error("several incidents are open ({ids}); say which one: pass its id")]
    SeveralOpen { ids: String },
    #[error("no incident `{id}`{known}")]
    UnknownIncident { id: String, known: String },
    #[error("{0}")]
    Invalid(String),
}

pub(crate) fn io<'a>(
    doing: &'static str,
    path: &'a std::path::Path,
) -> impl FnOnce(std::io::Error) -> StoreError + 'a {
    move |source| StoreError::Io {
        doing,
        path: path.to_path_buf(),
        source,
    }
}
