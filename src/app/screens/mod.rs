//! The console's screens as components. Each screen's module owns its state
//! (a struct `AppState` holds), what entering it does, how its cursor moves,
//! what Enter and a click open, and the text field it may capture keys for;
//! [`hooks`] below is the one registration that ties a [`Screen`] to them.
//! Drawing is `ui/screens/<name>.rs`, registered once in `ui/screens/mod.rs`.
//! See docs/ARCHITECTURE.md, "How to add … a screen".

pub mod alarms;
pub mod changes;
pub mod diagnosis;
pub mod events;
pub mod finding;
pub mod keymap;
pub mod logs;
pub mod runbook;
pub mod security;
pub mod service;
pub mod service_logs;
pub mod services;
pub mod task_logs;
pub mod timeline;
pub mod waterfall;

use super::commands::{Command, Scope};
use super::effect::Effect;
use super::input::KeyPress;
use super::state::{AppState, Cursor};
use crate::domain::service::ServiceKey;
pub use runbook::RunContext;

/// Which screen is showing (the navigation stack holds these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// The ranked services across clusters (home).
    Services,
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
    Keymap,
    /// Alarms in ALARM and without data (`:alarms`).
    Alarms,
    /// GuardDuty's findings (`:security`).
    Security,
    /// What changed in every pair (`:changes`).
    Changes,
    /// Where one request's time went (`:trace ID`).
    Waterfall,
}

/// What a screen does beyond drawing. Every method but `scopes` and
/// `describe` has a default that does nothing, so a screen implements only
/// what it has.
pub(crate) trait ScreenHooks: Sync {
    /// The keymap scopes whose bindings apply on the screen.
    fn scopes(&self) -> &'static [Scope];
    /// In words, for messages ("on the services screen").
    fn describe(&self) -> &'static str;
    /// The screen became the one showing: reset its cursor, fetch what it needs.
    fn entered(&self, _state: &mut AppState) -> Vec<Effect> {
        Vec::new()
    }
    /// Up/down/page/top/bottom: move the selection or scroll by `delta` rows.
    fn move_by(&self, _state: &mut AppState, _delta: i64) {}
    /// Enter (or a second click): open what is selected.
    fn open_selected(&self, _state: &mut AppState) -> Vec<Effect> {
        Vec::new()
    }
    /// The list a mouse click selects in: its cursor and length.
    fn clickable(&self, _state: &AppState) -> Option<(Cursor, usize)> {
        None
    }
    /// A text field of the screen's own is taking keys (a form, an
    /// answer, a find): keys and pastes go to [`ScreenHooks::on_text_key`].
    fn editing_text(&self, _state: &AppState) -> bool {
        false
    }
    /// A key while [`ScreenHooks::editing_text`].
    fn on_text_key(&self, _state: &mut AppState, _key: KeyPress) -> Vec<Effect> {
        Vec::new()
    }
    /// An action of the keymap, before the actions every screen shares:
    /// `Some` when this screen handled it.
    fn on_command(&self, _state: &mut AppState, _command: Command) -> Option<Vec<Effect>> {
        None
    }
    /// What `screen` (this screen, maybe further down the stack) has selected.
    fn selection(&self, _state: &AppState, _screen: &Screen) -> RunContext {
        RunContext::default()
    }
}

/// The one registration: each screen's hooks.
pub(crate) fn hooks(screen: &Screen) -> &'static dyn ScreenHooks {
    match screen {
        Screen::Services => &services::Hooks,
        Screen::Service(_) => &service::Hooks,
        Screen::Events(_) => &events::Hooks,
        Screen::Timeline => &timeline::Hooks,
        Screen::Diagnosis => &diagnosis::Hooks,
        Screen::Finding(_) => &finding::Hooks,
        Screen::TaskLogs(_) => &task_logs::Hooks,
        Screen::Runbooks => &runbook::PickerHooks,
        Screen::RunbookForm => &runbook::FormHooks,
        Screen::Run => &runbook::RunHooks,
        Screen::Logs => &logs::Hooks,
        Screen::Waterfall => &waterfall::Hooks,
        Screen::Keymap => &keymap::Hooks,
        Screen::Alarms => &alarms::Hooks,
        Screen::Security => &security::Hooks,
        Screen::Changes => &changes::Hooks,
    }
}

impl Screen {
    /// In words, for messages ("on the services screen").
    pub fn describe(&self) -> &'static str {
        hooks(self).describe()
    }

    /// One of each screen, for checks over all of them (keymap overlaps).
    pub fn every() -> Vec<Screen> {
        let key = ServiceKey::new("c", "s");
        let every = vec![
            Screen::Services,
            Screen::Service(key),
            Screen::Events(None),
            Screen::Timeline,
            Screen::Diagnosis,
            Screen::Finding("arn".into()),
            Screen::TaskLogs("arn".into()),
            Screen::Runbooks,
            Screen::RunbookForm,
            Screen::Run,
            Screen::Logs,
            Screen::Keymap,
            Screen::Alarms,
            Screen::Security,
            Screen::Changes,
            Screen::Waterfall,
        ];
        // A new screen added to the enum but not here fails to compile.
        for screen in &every {
            match screen {
                Screen::Services
                | Screen::Service(_)
                | Screen::Events(_)
                | Screen::Timeline
                | Screen::Diagnosis
                | Screen::Finding(_)
                | Screen::TaskLogs(_)
                | Screen::Runbooks
                | Screen::RunbookForm
                | Screen::Run
                | Screen::Logs
                | Screen::Keymap
                | Screen::Alarms
                | Screen::Security
                | Screen::Changes
                | Screen::Waterfall => {}
            }
        }
        every
    }
}

/// The selection of a finding's task, on the screens that show one.
pub(crate) fn finding_selection(finding: &crate::domain::diagnosis::Finding) -> RunContext {
    RunContext {
        cluster: Some(finding.cluster.clone()),
        service: finding.service.clone(),
        task: Some(finding.task_arn.clone()),
        pair: Some(finding.pair.clone()),
    }
}
