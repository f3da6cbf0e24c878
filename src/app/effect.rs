//! What `update` asks of the outside world (effects) and what comes back
//! (worker results), each tagged with the generation of its request so stale
//! answers can be dropped.

use crate::domain::ports::{AccountIdentity, TaskDefinition};
use crate::domain::service::{Service, ServiceKey};
use crate::domain::task::Task;
use crate::domain::timeline::{Entry, EntryDraft};
use crate::domain::PortError;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Who and where: account, region, principal.
    FetchIdentity,
    /// Every watched service. `clusters` empty = every cluster in the region.
    FetchStatus {
        generation: u64,
        clusters: Vec<String>,
    },
    /// One service in depth: its tasks, stopped tasks and task definition.
    FetchServiceDetail {
        generation: u64,
        key: ServiceKey,
    },
    /// Stopped tasks of the watched services, decoded.
    FetchDiagnosis {
        generation: u64,
        clusters: Vec<String>,
    },
    /// What changed between two task definition revisions (for a finding).
    FetchRevisionDiff {
        task_arn: String,
        before: String,
        after: String,
    },
    /// A stopped task's container log up to its stop (the task log view).
    FetchTaskLogs {
        finding: Box<crate::domain::diagnosis::Finding>,
    },
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    /// Append to the attached incident's journal (fsynced before the next message).
    Journal(Box<EntryDraft>),
    /// Open a new incident and attach to it.
    StartIncident {
        title: String,
    },
    /// Write the post-mortem draft, JSON and CSV next to the journal.
    ExportIncident,
    /// Publish entries to the shared incident log (`--share`).
    PublishShared {
        incident: String,
        entries: Vec<Entry>,
    },
    /// Bring in what other responders published since `cursor`.
    PullShared {
        incident: String,
        cursor: Option<String>,
    },
    Quit,
}

/// A result from a worker.
#[derive(Debug, Clone)]
pub enum WorkerResult {
    Identity(Result<AccountIdentity, PortError>),
    Status {
        generation: u64,
        result: Result<StatusSnapshot, PortError>,
    },
    ServiceDetail {
        generation: u64,
        key: ServiceKey,
        result: Result<Box<ServiceDetail>, PortError>,
    },
    Diagnosis {
        generation: u64,
        result: Result<Box<crate::workers::diagnosis::DiagnosisReport>, PortError>,
    },
    RevisionDiff {
        task_arn: String,
        before: String,
        after: String,
        result: Result<Vec<crate::domain::diagnosis::patterns::Change>, PortError>,
    },
    TaskLogs {
        task_arn: String,
        logs: crate::domain::diagnosis::LogTail,
    },
    /// An entry as written to the journal, or why it could not be.
    Journaled(Result<Box<Entry>, String>),
    /// The console attached to an incident: its id and entries so far.
    IncidentAttached(Result<(String, Vec<Entry>), String>),
    /// Export files written.
    Exported(Result<Vec<String>, String>),
    /// Entries other responders shared (already cached locally), and the next cursor.
    SharedPulled(Result<(Vec<Entry>, Option<String>), String>),
    /// A publish to the shared log failed.
    SharedPublishFailed(String),
}

/// Every watched cluster's services, as of one refresh.
#[derive(Debug, Clone, Default)]
pub struct StatusSnapshot {
    pub services: Vec<Service>,
    /// Clusters that could not be read, and why (the others still show).
    pub cluster_errors: Vec<(String, PortError)>,
    /// Calls AWS throttled so far (retried).
    pub throttled_calls: u64,
}

/// A service in depth.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDetail {
    pub service: Service,
    pub running: Vec<Task>,
    pub stopped: Vec<Task>,
    pub task_definition: Option<TaskDefinition>,
}
