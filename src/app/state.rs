//! Everything the console knows, kept apart from how it is drawn.

use super::effect::ServiceDetail;
use super::text_input::TextInput;
use crate::domain::ports::AccountIdentity;
use crate::domain::ranking::RankedService;
use crate::domain::service::{ServiceEvent, ServiceKey};
use crate::domain::timeline::Incident;
use crate::domain::PortError;
use crate::settings::ThemeSpec;
use chrono::{DateTime, Duration, Utc};

/// Which screen is showing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// The ranked services across clusters.
    Home,
    /// One service in depth.
    Service(ServiceKey),
    /// Service events merged by time: of one cluster, or of all (None).
    Events(Option<String>),
    /// The attached incident's timeline.
    Timeline,
    /// Stopped tasks across the watched services, decoded.
    Diagnosis,
    /// One finding in depth, by task ARN.
    Finding(String),
    /// A stopped task's container log up to its stop, by task ARN.
    TaskLogs(String),
    /// The runbooks found (`:rb`).
    Runbooks,
    /// A runbook's parameters, before its run starts.
    RunbookForm,
    /// The run in progress (or the last one).
    Run,
    /// One request's lines from every service (`:logs ID`).
    Logs,
    /// The keymap in use, yours marked (`:keys`).
    Keys,
}

impl Screen {
    /// In words, for messages ("on the home screen").
    pub fn describe(&self) -> &'static str {
        match self {
            Screen::Home => "the services screen",
            Screen::Service(_) => "a service's screen",
            Screen::Events(_) => "the events screen",
            Screen::Timeline => "the timeline",
            Screen::Diagnosis => "the diagnosis",
            Screen::Finding(_) => "a finding",
            Screen::TaskLogs(_) => "a task's logs",
            Screen::Runbooks => "the runbooks list",
            Screen::RunbookForm => "a runbook's form",
            Screen::Run => "the run view",
            Screen::Logs => "the logs screen",
            Screen::Keys => "the keymap",
        }
    }
}

/// A layer over the screen that takes the keys first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    Palette(TextInput),
    /// A one-line question (note text, milestone, correction).
    Prompt(Prompt),
}

/// What a prompt's answer is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptPurpose {
    Note,
    Milestone,
    /// Correct the entry with this id.
    Edit(String),
    StartIncident,
    /// A log search stopped at its call cap: search every group anyway?
    SearchAll,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub purpose: PromptPurpose,
    pub input: TextInput,
}

impl Prompt {
    pub fn title(&self) -> &'static str {
        match self.purpose {
            PromptPurpose::Note => "note (Enter saves, Esc cancels)",
            PromptPurpose::Milestone => "milestone [time]: impact_started detected acknowledged contained mitigated resolved · e.g. detected 10m ago",
            PromptPurpose::Edit(_) => "correct this entry (saved as a new entry that supersedes it)",
            PromptPurpose::StartIncident => "incident title",
            PromptPurpose::SearchAll => "this search stopped at its call cap ([logs] max_calls): type y to search every group, Esc keeps what was found",
        }
    }
}

/// How the console was started (fixed for the session).
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub demo: Option<String>,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub read_only: bool,
    /// Clusters asked for; empty = all.
    pub clusters: Vec<String>,
    pub production_patterns: Vec<String>,
    pub refresh_selected: Duration,
    pub refresh_others: Duration,
    /// The person at the keyboard (timeline actor).
    pub operator: String,
    /// Timelines are shared with other responders (`--share`).
    pub share: bool,
}

/// The incident the console writes to, as folded from its journal.
#[derive(Debug, Clone)]
pub struct IncidentView {
    pub incident: Incident,
    pub cursor: Cursor,
    /// The console-start entry has been written.
    pub start_recorded: bool,
    /// Where the next pull from the shared log starts.
    pub shared_cursor: Option<String>,
    pub shared_in_flight: bool,
    pub shared_next_at: DateTime<Utc>,
    pub shared_error: Option<String>,
}

/// A request on its way: its generation and when it left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InFlight {
    pub generation: u64,
    pub since: DateTime<Utc>,
}

/// Data refreshed from the account, kept with its age and the last error.
#[derive(Debug, Clone)]
pub struct Refreshing<T> {
    pub data: Option<T>,
    pub updated_at: Option<DateTime<Utc>>,
    pub error: Option<PortError>,
    pub failures: u32,
    pub in_flight: Option<InFlight>,
    pub next_at: DateTime<Utc>,
    /// The newest generation asked for; results of older ones are dropped.
    pub generation: u64,
}

impl<T> Refreshing<T> {
    pub fn new(now: DateTime<Utc>) -> Self {
        Refreshing {
            data: None,
            updated_at: None,
            error: None,
            failures: 0,
            in_flight: None,
            next_at: now,
            generation: 0,
        }
    }
}

/// A list's cursor: the selected row and the first visible one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

/// The console's state.
#[derive(Debug, Clone)]
pub struct AppState {
    pub now: DateTime<Utc>,
    pub session: SessionInfo,
    pub theme: ThemeSpec,
    pub no_color: bool,
    pub identity: Option<AccountIdentity>,
    pub identity_error: Option<PortError>,
    pub status: Refreshing<Vec<RankedService>>,
    pub cluster_errors: Vec<(String, PortError)>,
    /// The clusters the last status read covered.
    pub clusters_read: Vec<String>,
    pub throttled_calls: u64,
    /// When the last refresh saw AWS throttling increase.
    pub throttled_at: Option<DateTime<Utc>>,
    pub detail: Refreshing<ServiceDetail>,
    pub detail_key: Option<ServiceKey>,
    pub screen: Screen,
    pub back: Vec<Screen>,
    pub overlay: Overlay,
    pub filter: TextInput,
    pub filtering: bool,
    pub home: Cursor,
    /// The service the home cursor is on, so it stays selected when the ranking changes.
    pub home_selected_key: Option<ServiceKey>,
    pub events: Cursor,
    pub detail_scroll: usize,
    pub incident: Option<IncidentView>,
    pub diagnosis: Refreshing<crate::domain::diagnosis::report::DiagnosisReport>,
    pub diagnosis_cursor: Cursor,
    /// The revision diff for the finding on screen: (task ARN, before, after, changes).
    pub revision_diff: Option<RevisionDiff>,
    /// The task log view's lines: (task ARN, lines or why none; None while loading).
    pub task_logs: Option<(String, Option<crate::domain::diagnosis::LogTail>)>,
    /// Stopped tasks already written to the incident journal (task ARNs).
    pub recorded_tasks: std::collections::HashSet<String>,
    /// Findings kept in the journal, for tasks ECS may have forgotten.
    pub journal_findings: Vec<crate::domain::diagnosis::Finding>,
    /// The runbooks found, for the picker and `R`.
    pub runbooks: super::runbook::RunbookCatalog,
    /// The parameter form on screen.
    pub form: Option<super::runbook::ParamForm>,
    /// The console's run (in progress, or the last one).
    pub run: Option<super::runbook::RunView>,
    /// The logs screen's search.
    pub logs: Option<super::logs::LogsView>,
    /// The task log view's lines, as the same view over one stream.
    pub task_log_view: Option<super::logs::LogsView>,
    pub width: u16,
    pub height: u16,
    pub message: Option<Message>,
    pub quit: bool,
    /// The keys in use: the defaults with `[keys]` applied.
    pub keymap: super::keymap::Keymap,
    /// How far the keymap screen is scrolled.
    pub keymap_scroll: usize,
}

/// What changed between the revision before a deployment and the one that broke.
#[derive(Debug, Clone)]
pub struct RevisionDiff {
    pub task_arn: String,
    pub before: String,
    pub after: String,
    /// None while loading.
    pub changes: Option<Result<Vec<crate::domain::diagnosis::patterns::Change>, PortError>>,
}

/// A line in the footer for a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
    pub until: DateTime<Utc>,
}

impl AppState {
    pub fn new(
        session: SessionInfo,
        theme: ThemeSpec,
        no_color: bool,
        now: DateTime<Utc>,
    ) -> AppState {
        AppState {
            now,
            session,
            theme,
            no_color,
            identity: None,
            identity_error: None,
            status: Refreshing::new(now),
            cluster_errors: Vec::new(),
            clusters_read: Vec::new(),
            throttled_calls: 0,
            throttled_at: None,
            detail: Refreshing::new(now),
            detail_key: None,
            screen: Screen::Home,
            back: Vec::new(),
            overlay: Overlay::None,
            filter: TextInput::default(),
            filtering: false,
            home: Cursor::default(),
            home_selected_key: None,
            events: Cursor::default(),
            detail_scroll: 0,
            incident: None,
            diagnosis: Refreshing::new(now),
            diagnosis_cursor: Cursor::default(),
            revision_diff: None,
            task_logs: None,
            recorded_tasks: Default::default(),
            journal_findings: Vec::new(),
            runbooks: Default::default(),
            form: None,
            run: None,
            logs: None,
            task_log_view: None,
            width: 80,
            height: 24,
            message: None,
            quit: false,
            keymap: Default::default(),
            keymap_scroll: 0,
        }
    }

    /// Services on the home screen, ranked, after the filter.
    pub fn visible_services(&self) -> Vec<&RankedService> {
        let Some(ranked) = &self.status.data else {
            return Vec::new();
        };
        let filter = Filter::parse(&self.filter.text);
        ranked
            .iter()
            .filter(|r| {
                filter.keeps(&[
                    &r.service.cluster,
                    &r.service.name,
                    r.verdict.health.as_str(),
                    &r.verdict.reason,
                ])
            })
            .collect()
    }

    /// Events of the events screen: every service of the cluster (or all
    /// clusters) merged newest first, after the filter.
    pub fn visible_events(&self) -> Vec<ClusterEvent<'_>> {
        let Screen::Events(cluster) = &self.screen else {
            return Vec::new();
        };
        let Some(ranked) = &self.status.data else {
            return Vec::new();
        };
        let filter = Filter::parse(&self.filter.text);
        let mut events: Vec<ClusterEvent<'_>> = ranked
            .iter()
            .filter(|r| cluster.as_ref().is_none_or(|c| &r.service.cluster == c))
            .flat_map(|r| {
                r.service.events.iter().map(move |event| ClusterEvent {
                    cluster: &r.service.cluster,
                    service: &r.service.name,
                    event,
                })
            })
            .filter(|e| filter.keeps(&[e.cluster, e.service, &e.event.message]))
            .collect();
        events.sort_by(|a, b| {
            b.event
                .at
                .cmp(&a.event.at)
                .then_with(|| a.service.cmp(b.service))
        });
        events
    }

    /// The service shown on the detail screen, from the detail fetch or, until
    /// it arrives, from the status snapshot.
    pub fn selected_ranked(&self) -> Option<&RankedService> {
        let key = self.detail_key.as_ref()?;
        self.status
            .data
            .as_ref()?
            .iter()
            .find(|r| &r.service.key() == key)
    }

    /// Findings on the diagnosis screen: worst severity first, grouped by
    /// cause, newest first within a cause; after the filter.
    pub fn visible_findings(&self) -> Vec<&crate::domain::diagnosis::Finding> {
        let Some(report) = &self.diagnosis.data else {
            return Vec::new();
        };
        let filter = Filter::parse(&self.filter.text);
        let forgotten = self
            .journal_findings
            .iter()
            .filter(|j| !report.findings.iter().any(|f| f.task_arn == j.task_arn));
        let mut findings: Vec<_> = report
            .findings
            .iter()
            .chain(forgotten)
            .filter(|f| {
                filter.keeps(&[
                    &f.cluster,
                    f.service.as_deref().unwrap_or(""),
                    f.cause.code(),
                    &f.title,
                    f.severity.as_str(),
                ])
            })
            .collect();
        findings.sort_by(|a, b| {
            a.severity
                .cmp(&b.severity)
                .then(a.cause.cmp(&b.cause))
                .then(b.stopped_at.cmp(&a.stopped_at))
        });
        findings
    }

    /// The live restart-loop pattern of a service, if any (for the home screen).
    pub fn loop_of(
        &self,
        cluster: &str,
        service: &str,
    ) -> Option<&crate::domain::diagnosis::Pattern> {
        self.diagnosis
            .data
            .as_ref()?
            .patterns
            .iter()
            .find(|p| !p.ended && p.cluster == cluster && p.service == service)
    }

    /// True when the profile or account matches a `production` pattern.
    pub fn is_production(&self) -> bool {
        if self.session.demo.is_some() {
            return false;
        }
        let account = self.identity.as_ref().and_then(|i| i.account.as_deref());
        self.session.production_patterns.iter().any(|pattern| {
            self.session
                .profile
                .as_deref()
                .is_some_and(|p| crate::settings::glob_match(pattern, p))
                || account.is_some_and(|a| crate::settings::glob_match(pattern, a))
        })
    }

    /// Age of the status data, in whole seconds.
    pub fn status_age(&self) -> Option<Duration> {
        self.status.updated_at.map(|t| self.now - t)
    }

    /// AWS throttled a call in the last minute.
    pub fn recently_throttled(&self) -> bool {
        self.throttled_at
            .is_some_and(|t| self.now - t < Duration::seconds(60))
    }
}

/// One event on the merged events screen.
#[derive(Debug, Clone, Copy)]
pub struct ClusterEvent<'a> {
    pub cluster: &'a str,
    pub service: &'a str,
    pub event: &'a ServiceEvent,
}

/// The `/` filter: case-insensitive substring; a leading `!` keeps what does not match.
pub struct Filter {
    needle: String,
    inverse: bool,
}

impl Filter {
    pub fn parse(text: &str) -> Filter {
        let text = text.trim();
        match text.strip_prefix('!') {
            Some(rest) => Filter {
                needle: rest.to_lowercase(),
                inverse: true,
            },
            None => Filter {
                needle: text.to_lowercase(),
                inverse: false,
            },
        }
    }

    pub fn keeps(&self, fields: &[&str]) -> bool {
        if self.needle.is_empty() {
            return true;
        }
        let hit = fields
            .iter()
            .any(|f| f.to_lowercase().contains(&self.needle));
        hit != self.inverse
    }
}
