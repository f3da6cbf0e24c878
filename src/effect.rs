//! The contract between the console's state and the jobs that carry out its
//! requests: what `app::update` asks of the outside world ([`Effect`]) and
//! what comes back ([`WorkerResult`]), each tagged with the generation of its
//! request so stale answers can be dropped. Both `app` and `workers` import
//! this module; neither imports the other.

use crate::domain::diagnosis::report::DiagnosisReport;
use crate::domain::ports::AccountIdentity;
use crate::domain::runbook::decision::Decision;
use crate::domain::runbook::run::RunOutcome;
use crate::domain::runbook::values::Params;
use crate::domain::runbook::{Plan, RunbookFile};
use crate::domain::service::ServiceKey;
pub use crate::domain::snapshot::{AlarmsRead, ServiceDetail, StatusSnapshot};
use crate::domain::timeline::{Entry, EntryDraft};
use crate::domain::{Pair, PortError};

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Who and where a pair is: account, region, principal.
    FetchIdentity {
        pair: Pair,
    },
    /// Every watched service of one pair. `clusters` empty = every cluster
    /// in its Region.
    FetchStatus {
        generation: u64,
        pair: Pair,
        clusters: Vec<String>,
    },
    /// Every alarm of a pair, and the target groups (with their load
    /// balancers) of these ARNs, to tie alarms to services.
    FetchAlarms {
        generation: u64,
        pair: Pair,
        target_groups: Vec<String>,
    },
    /// A pair's services' metrics over a window, in as few calls as they fit.
    FetchMetrics {
        generation: u64,
        pair: Pair,
        queries: Vec<crate::domain::metrics::MetricQuery>,
        start: chrono::DateTime<chrono::Utc>,
        end: chrono::DateTime<chrono::Utc>,
    },
    /// A pair's services' egress baseline: a day of 5-minute averages
    /// ending an hour ago (read about once an hour).
    FetchBaseline {
        generation: u64,
        pair: Pair,
        queries: Vec<crate::domain::metrics::MetricQuery>,
        start: chrono::DateTime<chrono::Utc>,
        end: chrono::DateTime<chrono::Utc>,
    },
    /// What these services of a pair can reach and read: their security
    /// groups, subnets and task definitions' secrets.
    FetchExposure {
        generation: u64,
        pair: Pair,
        services: Vec<crate::domain::Service>,
    },
    /// GuardDuty's current findings in a pair.
    FetchSecurity {
        generation: u64,
        pair: Pair,
    },
    /// What changed in a pair since `since`: CloudTrail's write events, its
    /// services' deployments and triage's own actions (`journal`).
    FetchChanges {
        generation: u64,
        pair: Pair,
        since: chrono::DateTime<chrono::Utc>,
        journal: Vec<crate::domain::timeline::Entry>,
    },
    /// A service's own recent lines: the newest of each of these streams.
    ReadServiceLogs {
        generation: u64,
        key: ServiceKey,
        streams: Vec<crate::domain::ports::LogStream>,
    },
    /// Where a request's time went: X-Ray's segments when its lines carry
    /// a trace id (read in `pair`), else the lines themselves.
    ReadWaterfall {
        generation: u64,
        id: String,
        lines: Vec<crate::domain::trace::from_logs::TraceLine>,
        pair: Pair,
    },
    /// What a pair's slow, idle services wait on: their usual p95 and
    /// their slowest recent requests' traces.
    FetchSlow {
        pair: Pair,
        services: Vec<crate::domain::Service>,
        target_groups: Vec<crate::domain::alarms::TargetGroup>,
    },
    /// The targets of a service's target group and why each is unhealthy.
    FetchTargetHealth {
        key: ServiceKey,
        target_group: String,
    },
    /// One service in depth: its tasks, stopped tasks and task definition.
    FetchServiceDetail {
        generation: u64,
        key: ServiceKey,
    },
    /// The profiles of the AWS CLI's files, for `:ctx`.
    ListProfiles,
    /// Open the accounts of other profiles or Regions (the console's carrier
    /// does), to watch instead of the pairs watched now, or as well.
    SwitchContext(crate::domain::context::Switch),
    /// Watch the pairs just opened from now on: every later effect may name them.
    AdoptContext,
    /// Check a task for ECS Exec and open a session (not yet the shell).
    PrepareExec(crate::domain::exec::ExecAsk),
    /// Give the terminal to the shell until it ends (the console suspends its screen).
    HandOver(Box<crate::domain::exec::PreparedExec>),
    /// Stopped tasks of the watched services of every pair, decoded.
    FetchDiagnosis {
        generation: u64,
        clusters: Vec<String>,
        /// What the last status reads gave, per pair that has one.
        known: Vec<KnownPair>,
    },
    /// What changed between two task definition revisions (for a finding).
    FetchRevisionDiff {
        pair: Pair,
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
    /// Tell the person at the terminal: the bell and a desktop notification
    /// (OSC 9 and OSC 777, where the terminal shows them).
    Notify(String),
    /// Append to the attached incident's journal (fsynced before the next message).
    Journal(Box<EntryDraft>),
    /// Open a new incident and attach to it.
    StartIncident {
        title: String,
        /// As chosen (or left to choose later).
        severity: Option<crate::domain::timeline::Severity>,
    },
    /// Write the post-mortem draft, JSON and CSV next to the journal.
    ExportIncident,
    /// Read what anyone else (a CLI `incident note`, another console) has
    /// appended to the attached incident's journal since the last look.
    FollowJournal,
    /// The SSO token's expiry for this profile, from the AWS CLI's cache.
    CheckSso {
        profile: String,
    },
    /// Publish entries to the shared incident log (`--share`).
    PublishShare {
        incident: String,
        entries: Vec<Entry>,
    },
    /// Bring in what other responders published since `cursor`.
    PullShare {
        incident: String,
        cursor: Option<String>,
    },
    /// Search every watched service's log group for one ID (hits come back
    /// as they are found).
    SearchLogs {
        generation: u64,
        id: String,
        start: chrono::DateTime<chrono::Utc>,
        end: chrono::DateTime<chrono::Utc>,
        /// The engineer said to search past the configured call cap.
        search_all: bool,
    },
    /// Lines of a stream around a hit.
    LogContext {
        generation: u64,
        index: usize,
        pair: Pair,
        group: String,
        stream: String,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// Read the runbook folders (for the `:rb` picker and `R`).
    LoadRunbooks,
    /// Start a run of a runbook in one pair, journaled in this incident.
    StartRun {
        file: Box<RunbookFile>,
        params: RunParams,
        incident: String,
        pair: crate::domain::pair::WatchedPair,
    },
    /// Go on with a run that stopped (its state rebuilt from the journal).
    /// The run is decided again on the journal as it is on disk, by the
    /// same rules (`domain::runbook::resume`).
    ResumeRun {
        file: Box<RunbookFile>,
        incident: String,
        ask: crate::domain::runbook::resume::ResumeAsk,
        /// The pair its start entry names (the unnamed pair for older runs).
        pair: crate::domain::pair::WatchedPair,
    },
    /// Answer the run's open question `ask` (dropped by the run if it no
    /// longer asks that one, so a late key never confirms something unseen).
    DecideRun {
        run_id: String,
        ask: u64,
        decision: Decision,
    },
    Quit,
}

/// One pair's last status read, so the diagnosis describes only what it lacks.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownPair {
    pub pair: Pair,
    pub services: Vec<crate::domain::Service>,
    pub clusters: Vec<String>,
}

/// A run's parameter values, secrets included: never printed (Debug shows
/// the names only).
#[derive(Clone, PartialEq)]
pub struct RunParams(pub Params);

impl std::fmt::Debug for RunParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}

/// What a run in the console tells the app as it goes.
#[derive(Debug, Clone)]
pub enum RunEvent {
    /// The run has an id and an incident; its start entry comes next.
    Started { run_id: String, incident: String },
    /// A transition as journaled (also merged into the incident's timeline).
    Transition(Box<Entry>),
    /// A step's plan, read from the account.
    Planned { index: usize, plan: Plan },
    /// A line of a running step's live output.
    Output { index: usize, line: String },
    /// An answer or confirmation that was not accepted; the question comes again.
    Rejected { index: usize, reason: String },
    /// The run waits for the person at the keyboard.
    Asks(Question),
    /// The run stopped: finished (its outcome), or could not go on (why).
    Ended {
        outcome: Option<RunOutcome>,
        error: Option<String>,
    },
}

/// A question from a run, numbered so an answer matches what was shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub ask: u64,
    pub index: usize,
    pub kind: Ask,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Ask {
    /// A destructive step's plan; `typed` = re-type `plan.target` to confirm.
    Confirm { plan: Plan, typed: bool },
    /// An approve / choice / manual step.
    Answer { plan: Plan },
    /// The step was running when the run stopped: done, failed or retry?
    Resolve,
    /// The step failed and the run would end: retry, skip, or let it fail.
    Failed { error: String },
}

/// A result from a worker.
#[derive(Debug, Clone)]
pub enum WorkerResult {
    Identity {
        pair: Pair,
        result: Result<AccountIdentity, PortError>,
    },
    Status {
        generation: u64,
        pair: Pair,
        result: Result<StatusSnapshot, PortError>,
    },
    Alarms {
        generation: u64,
        pair: Pair,
        result: Result<AlarmsRead, PortError>,
    },
    Metrics {
        generation: u64,
        pair: Pair,
        result: Result<Vec<crate::domain::metrics::MetricSeries>, PortError>,
    },
    Baseline {
        generation: u64,
        pair: Pair,
        result: Result<Vec<crate::domain::metrics::MetricSeries>, PortError>,
    },
    Exposure {
        generation: u64,
        pair: Pair,
        result: Result<
            std::collections::BTreeMap<ServiceKey, crate::domain::exposure::Exposure>,
            PortError,
        >,
    },
    Security {
        generation: u64,
        pair: Pair,
        result: Result<crate::domain::security::SecurityRead, PortError>,
    },
    /// A pair's changes and what the read covered.
    Changes {
        generation: u64,
        pair: Pair,
        result: Result<crate::domain::changes::PairChanges, PortError>,
    },
    /// A service's recent lines, newest first.
    ServiceLogs {
        generation: u64,
        key: ServiceKey,
        result: Result<Vec<crate::domain::logsearch::LogEvent>, PortError>,
    },
    /// A request's waterfall.
    Waterfall {
        generation: u64,
        result: Result<crate::domain::trace::Waterfall, PortError>,
    },
    /// What a pair's slow services wait on, by service.
    Slow {
        pair: Pair,
        result: Result<
            std::collections::BTreeMap<ServiceKey, crate::domain::waiting::SlowRead>,
            PortError,
        >,
    },
    /// The SSO token found for a profile (None: not an SSO profile, or no token).
    Sso {
        profile: String,
        token: Option<crate::domain::sso::SsoToken>,
    },
    TargetHealth {
        key: ServiceKey,
        target_group: String,
        result: Result<Vec<crate::domain::metrics::TargetHealth>, PortError>,
    },
    ServiceDetail {
        generation: u64,
        key: ServiceKey,
        result: Result<Box<ServiceDetail>, PortError>,
    },
    Diagnosis {
        generation: u64,
        result: Result<Box<DiagnosisReport>, PortError>,
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
    /// The profiles found, or why they could not be read.
    Profiles(Result<Vec<crate::domain::context::ProfileInfo>, String>),
    /// The accounts of a switch are open, named as pairs (adopt them), or
    /// why they could not be. Pairs watched already are left out.
    ContextReady {
        switch: crate::domain::context::Switch,
        result: Result<Vec<crate::domain::pair::WatchedPair>, String>,
    },
    /// A session opened for a shell, or why none could be.
    ExecReady(Result<Box<crate::domain::exec::PreparedExec>, String>),
    /// The shell ended (or could not be started: the error).
    ExecEnded {
        request: crate::domain::exec::ExecRequest,
        result: Result<crate::domain::exec::ExecEnded, String>,
    },
    /// An entry as written to the journal, or why it could not be.
    Journaled(Result<Box<Entry>, String>),
    /// The console attached to an incident: its id and entries so far.
    IncidentAttached(Result<(String, Vec<Entry>), String>),
    /// Entries appended to the attached journal since the last look (some
    /// may be this console's own: merged by id).
    JournalGrew(Vec<Entry>),
    /// Export files written.
    Exported(Result<Vec<String>, String>),
    /// Entries other responders shared (already cached locally), and the next cursor.
    SharePulled(Result<(Vec<Entry>, Option<String>), String>),
    /// A publish to the shared log failed.
    SharePublishFailed(String),
    /// Lines found by a log search, with the services of their groups.
    LogHits {
        generation: u64,
        events: Vec<crate::domain::logsearch::LogEvent>,
        services: Vec<(String, String)>,
    },
    /// The log search ended: complete or not, and what was searched.
    LogsDone {
        generation: u64,
        complete: bool,
        coverage: String,
        /// It stopped at the configured call cap (`[logs] max_calls`).
        capped: bool,
    },
    /// Lines around a hit, or why they could not be read.
    LogContext {
        generation: u64,
        index: usize,
        lines: Result<Vec<crate::domain::ports::LogLine>, String>,
    },
    /// The runbooks found, each with what the linter says.
    Runbooks(Vec<RunbookFile>),
    /// News from the run in progress.
    Run(RunEvent),
}
