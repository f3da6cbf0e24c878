//! Everything the console knows, kept apart from how it is drawn: the
//! session and what is shared by every screen (the status read, the
//! incident, the overlay and filter, the navigation stack), and each
//! screen's own state, whose types live with their screens in `screens/`.

use super::screens::diagnosis::DiagnosisScreen;
use super::screens::events::EventsScreen;
use super::screens::finding::FindingScreen;
use super::screens::keymap::KeymapScreen;
use super::screens::logs::LogsView;
use super::screens::runbook::{ParamForm, RunView, RunbookCatalog};
use super::screens::service::ServiceScreen;
use super::screens::services::ServicesScreen;
use super::screens::task_logs::TaskLogsScreen;
pub use super::screens::Screen;
use super::text_input::TextInput;
use crate::domain::ranking::RankedService;
use crate::domain::timeline::Incident;
use crate::domain::PortError;
use crate::settings::ThemeSpec;
use chrono::{DateTime, Duration, Utc};

/// A layer over the screen that takes the keys first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help(super::help::HelpView),
    Palette(super::commands::palette::PaletteView),
    /// A one-line question (note text, milestone, correction).
    Prompt(Prompt),
    /// Pick one of a list (the shell's container).
    Pick(super::picker::Picker),
}

/// What a prompt's answer is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptPurpose {
    Note,
    Milestone,
    /// Correct the entry with this id.
    Edit(String),
    StartIncident,
    /// The new incident's severity; its title was given.
    StartSeverity(String),
    /// Change the open incident's title.
    Title,
    /// Change the open incident's severity.
    Severity,
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
            PromptPurpose::StartIncident => "incident title (Enter: next, the severity)",
            PromptPurpose::StartSeverity(_) | PromptPurpose::Severity => {
                "severity: SEV1 critical (customers or data at risk) · SEV2 major (a service down) · SEV3 minor (degraded) · SEV4 low · empty: choose later"
            }
            PromptPurpose::Title => "incident title",
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
    /// Every (account, Region) pair watched; empty: the one pair of
    /// `profile` and `region`.
    pub pairs: Vec<crate::domain::pair::WatchedPair>,
}

/// The incident the console writes to, as folded from its journal.
#[derive(Debug, Clone)]
pub struct IncidentView {
    pub incident: Incident,
    pub cursor: Cursor,
    /// The console-start entry has been written.
    pub start_recorded: bool,
    /// Where the next pull from the shared log starts.
    pub share_cursor: Option<String>,
    pub share_in_flight: bool,
    pub share_next_at: DateTime<Utc>,
    pub share_error: Option<String>,
    /// Every entry, not only the incident's services and window (`a`).
    pub all_entries: bool,
}

impl IncidentView {
    /// The entries the timeline lists, by index: the incident's scope (its
    /// services over its window, and everything people wrote), or all.
    pub fn shown(&self) -> Vec<usize> {
        if self.all_entries {
            return (0..self.incident.entries.len()).collect();
        }
        let scope = crate::domain::timeline::scope::of(&self.incident);
        self.incident
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| scope.keeps(e))
            .map(|(i, _)| i)
            .collect()
    }

    /// The entry under the cursor.
    pub fn selected(&self) -> Option<&crate::domain::timeline::Entry> {
        let index = *self.shown().get(self.cursor.selected)?;
        self.incident.entries.get(index)
    }
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
    /// Every watched pair: its identity and its own status read.
    pub pairs: Vec<super::pairs::PairWatch>,
    /// Every pair's services ranked together (rebuilt from `pairs` after
    /// each read; for one pair, its read's age and error as they are).
    pub status: Refreshing<Vec<RankedService>>,
    /// When the last refresh saw AWS throttling increase.
    pub throttled_at: Option<DateTime<Utc>>,
    /// Armed watches (`w`): told when reached, or when it gets worse.
    pub watches: Vec<super::watches::Watch>,
    pub screen: Screen,
    /// The screens to go back to (`go` pushes, `back` pops).
    pub back: Vec<Screen>,
    /// What `x` runs in a container (`[exec] command`).
    pub shell_command: String,
    pub overlay: Overlay,
    pub filter: TextInput,
    pub filtering: bool,
    pub incident: Option<IncidentView>,
    /// Alarms and metrics, read beside the status.
    pub monitoring: super::monitoring::Monitoring,
    /// GuardDuty's findings and what the services can reach and read.
    pub security: super::security::Security,
    /// What changed, per pair.
    pub changes: super::changes::Changes,
    /// What the slow, idle services wait on.
    pub slow: super::waiting::Slow,
    /// The SSO session's token, when the profile signs in through SSO.
    pub sso: super::sso::SsoSessions,
    // The screens' own state (each struct lives with its screen in `screens/`).
    pub services: ServicesScreen,
    pub service: ServiceScreen,
    pub events: EventsScreen,
    pub diagnosis: DiagnosisScreen,
    pub finding: FindingScreen,
    /// A stopped task's log, while its screen is (or was last) open.
    pub task_logs: Option<TaskLogsScreen>,
    /// The runbooks found, for the picker and `R`.
    pub runbooks: RunbookCatalog,
    /// The parameter form on screen.
    pub form: Option<ParamForm>,
    /// The console's run (in progress, or the last one).
    pub run: Option<RunView>,
    /// The logs screen's search.
    pub logs: Option<LogsView>,
    /// The request whose waterfall shows (`:trace ID`).
    pub waterfall: Option<super::screens::waterfall::WaterfallView>,
    pub keymap_screen: KeymapScreen,
    pub alarms_screen: super::screens::alarms::AlarmsScreen,
    pub changes_screen: super::screens::changes::ChangesScreen,
    pub security_screen: super::screens::security::SecurityScreen,
    pub width: u16,
    pub height: u16,
    pub message: Option<Message>,
    pub quit: bool,
    /// The keys in use: the defaults with `[keys]` applied.
    pub keymap: super::keymap::Keymap,
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
        let pairs = super::pairs::watched_pairs(&session)
            .into_iter()
            .map(|w| super::pairs::PairWatch::new(w, now))
            .collect();
        AppState {
            now,
            session,
            theme,
            no_color,
            pairs,
            status: Refreshing::new(now),
            throttled_at: None,
            watches: Vec::new(),
            screen: Screen::Services,
            back: Vec::new(),
            overlay: Overlay::None,
            shell_command: crate::domain::exec::DEFAULT_COMMAND.to_string(),
            filter: TextInput::default(),
            filtering: false,
            incident: None,
            monitoring: super::monitoring::Monitoring::new(now),
            security: Default::default(),
            changes: Default::default(),
            slow: Default::default(),
            sso: Default::default(),
            services: ServicesScreen::default(),
            service: ServiceScreen::new(now),
            events: EventsScreen::default(),
            diagnosis: DiagnosisScreen::new(now),
            finding: FindingScreen::default(),
            task_logs: None,
            runbooks: RunbookCatalog::default(),
            form: None,
            run: None,
            logs: None,
            waterfall: None,
            keymap_screen: KeymapScreen::default(),
            alarms_screen: Default::default(),
            changes_screen: Default::default(),
            security_screen: Default::default(),
            width: 80,
            height: 24,
            message: None,
            quit: false,
            keymap: Default::default(),
        }
    }

    /// True when any watched pair is production: marked so in
    /// `[[accounts]]`, or its profile or account matches a `production` pattern.
    pub fn is_production(&self) -> bool {
        self.pairs.iter().any(|w| self.pair_is_production(w))
    }

    /// This pair is production.
    pub(crate) fn pair_is_production(&self, watch: &super::pairs::PairWatch) -> bool {
        if self.session.demo.is_some() {
            return false;
        }
        let account = watch.identity.as_ref().and_then(|i| i.account.as_deref());
        let profile = watch.watched.profile.as_deref();
        watch.watched.production
            || self.session.production_patterns.iter().any(|pattern| {
                profile.is_some_and(|p| crate::settings::glob_match(pattern, p))
                    || account.is_some_and(|a| crate::settings::glob_match(pattern, a))
            })
    }

    /// Age of the status data, in whole seconds.
    pub(crate) fn status_age(&self) -> Option<Duration> {
        self.status.updated_at.map(|t| self.now - t)
    }

    /// AWS throttled a call in the last minute.
    pub(crate) fn recently_throttled(&self) -> bool {
        self.throttled_at
            .is_some_and(|t| self.now - t < Duration::seconds(60))
    }
}

/// The `/` filter: case-insensitive substring; a leading `!` keeps what does not match.
pub(crate) struct Filter {
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
