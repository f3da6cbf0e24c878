//! Every command of the console, in one table ([`table::COMMANDS`]): its
//! name (what `:` and `[keys]` call it), aliases, one-line doc, the scopes
//! it works in, its default keys, its footer hint, its argument, and what it
//! does. Dispatch ([`run::dispatch`]), the keymap and `[keys]` remapping
//! (`super::keymap`), the `:` palette ([`palette`]), `?` help
//! (`super::help`), the footer hints and `:keys` all read this table, so
//! what a key does, what help says and what the palette offers cannot
//! drift apart.
//!
//! To add a command: a variant of [`Command`], its row in
//! [`table::COMMANDS`] (a test checks every variant has exactly one), and
//! what it does — a function of `run.rs` or of its screen's module, or
//! [`Does::OnScreen`] when each screen it works on answers it in its hooks'
//! `on_command`.

pub mod palette;
pub mod run;
pub mod table;

use super::input::KeyPress;
use super::screens::{hooks, Screen};
use super::state::AppState;
use crate::app::effect::Effect;
pub use table::COMMANDS;

/// The enum of commands and `Command::ALL`, from one list (so `ALL`
/// cannot miss a variant).
macro_rules! commands {
    ($($(#[$group:meta])* $variant:ident),* $(,)?) => {
        /// A command: something a key, the palette or a click can ask for.
        /// Its row in [`table::COMMANDS`] says what it is.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Command {
            $($(#[$group])* $variant),*
        }

        impl Command {
            /// Every command, in declaration order.
            pub const ALL: &'static [Command] = &[$(Command::$variant),*];
        }
    };
}

commands!(
    /// Where to go.
    Services,
    Events,
    ClusterEvents,
    Diagnosis,
    Alarms,
    Security,
    Changes,
    Timeline,
    Logs,
    Trace,
    Runbooks,
    Run,
    Resume,
    StartIncident,
    IncidentTitle,
    IncidentSeverity,
    Context,
    Region,
    Keys,
    Theme,
    Refresh,
    Help,
    Palette,
    Quit,
    /// Lists and moving.
    Open,
    Filter,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// A service, a finding, metrics.
    OpenRunbook,
    Watch,
    Exec,
    MetricsWindow,
    ServicePane,
    ServiceLogsFilter,
    ServiceLogsFollow,
    TaskLogs,
    CopyArn,
    /// The timeline.
    AddNote,
    AddMilestone,
    ToggleImportant,
    EditEntry,
    Export,
    TimelineAll,
    /// Log lines.
    FollowId,
    TraceLine,
    LogsExpand,
    LogsFind,
    LogsNext,
    LogsPrevious,
    LogsContext,
    LogsFollow,
    LogsSave,
    /// A waterfall.
    WaterfallSave,
    WaterfallLines,
    /// A run.
    RunAnswer,
    RunSkip,
    RunRetry,
    RunDone,
    RunFailed,
    RunAbort,
    RunFollow,
    /// A runbook's parameter form.
    FormNext,
    FormPrevious,
    FormSubmit,
    FormCancel,
    NextPair,
);

/// Where a command works. A screen lists the scopes it takes commands from
/// (its hooks' `scopes`), so a new screen needs a scope only for commands
/// of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every screen but the runbook form (whose keys type).
    Everywhere,
    /// The services screen (home).
    Services,
    Service,
    Timeline,
    Finding,
    /// The run view.
    Run,
    /// Log lines: the logs screen and a task's logs.
    Logs,
    /// A request's waterfall.
    Waterfall,
    /// The parameter form (its other keys type into its fields).
    RunbookForm,
    /// The screens with a selectable list (services, events, diagnosis, runbooks).
    Lists,
    /// Every screen but home (and the form).
    NotHome,
    /// Where triage suggests a runbook: services, a service, a finding, security.
    Suggests,
    /// Where metrics are drawn: a service, the alarms.
    Metrics,
}

impl Scope {
    /// Where it applies, in words (help and `:keys`).
    pub fn describe(self) -> &'static str {
        match self {
            Scope::Everywhere => "every screen",
            Scope::Services => "services (home)",
            Scope::Service => "a service",
            Scope::Timeline => "the incident timeline",
            Scope::Finding => "a finding",
            Scope::Run => "a runbook run",
            Scope::Logs => "log lines (the logs screen, a task's logs)",
            Scope::Waterfall => "a request's waterfall",
            Scope::RunbookForm => "a runbook's parameter form",
            Scope::Lists => "lists",
            Scope::NotHome => "every screen but home",
            Scope::Suggests => {
                "where a runbook is suggested (services, a service, a finding, security)"
            }
            Scope::Metrics => "where metrics are drawn (a service, the alarms)",
        }
    }

    /// Its keys may be remapped: the form's are not (every other key types
    /// into its fields, so a remapped one could no longer be typed).
    pub(crate) fn remappable(self) -> bool {
        self != Scope::RunbookForm
    }

    /// The screen takes this scope's commands.
    pub(crate) fn includes(self, screen: &Screen) -> bool {
        hooks(screen).scopes().contains(&self)
    }
}

/// What a command takes after its name in the palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    None,
    /// May be given (`:events [CLUSTER]`).
    Optional(&'static str),
    /// Must be given (`:logs ID`).
    Required(&'static str),
}

impl Arg {
    /// As the palette and help show it: `ID`, `[CLUSTER]`, or nothing.
    pub fn hint(self) -> String {
        match self {
            Arg::None => String::new(),
            Arg::Optional(what) => format!("[{what}]"),
            Arg::Required(what) => what.to_string(),
        }
    }
}

/// What a command does.
#[derive(Clone, Copy)]
pub enum Does {
    /// This function, given the text after the command's name (empty from a key).
    Run(fn(&mut AppState, &str) -> Vec<Effect>),
    /// Each screen it works on carries it out (its hooks' `on_command`):
    /// the same word means that screen's thing (`R`: its suggested runbook).
    OnScreen,
}

/// One row of the table.
#[derive(Clone, Copy)]
pub struct CommandSpec {
    pub command: Command,
    /// The palette's word and the `[keys]` entry's name.
    pub name: &'static str,
    /// Other words the palette (and `[keys]`) takes for it.
    pub aliases: &'static [&'static str],
    /// One line: what it does.
    pub doc: &'static str,
    pub arg: Arg,
    pub scopes: &'static [Scope],
    /// Its keys unless `[keys]` says otherwise.
    pub keys: &'static [KeyPress],
    /// Its word in the footer's hints, if it has one there.
    pub hint: Option<&'static str>,
    pub does: Does,
}

impl std::fmt::Debug for CommandSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandSpec")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl CommandSpec {
    /// It works on this screen.
    pub fn works_on(&self, screen: &Screen) -> bool {
        self.scopes.iter().any(|s| s.includes(screen))
    }

    /// Its name or one of its aliases.
    pub(crate) fn answers_to(&self, word: &str) -> bool {
        self.name == word || self.aliases.contains(&word)
    }
}

impl Command {
    /// Its row of the table (the table is in declaration order: a test
    /// checks).
    pub fn spec(self) -> &'static CommandSpec {
        &COMMANDS[self as usize]
    }

    /// Its name (`timeline`, `open_runbook`).
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The command a word names: a name or an alias.
    pub fn named(word: &str) -> Option<Command> {
        COMMANDS
            .iter()
            .find(|c| c.answers_to(word))
            .map(|c| c.command)
    }
}

/// The commands that work on this screen, in the table's order.
pub(crate) fn on_screen(screen: &Screen) -> impl Iterator<Item = &'static CommandSpec> + '_ {
    COMMANDS.iter().filter(move |c| c.works_on(screen))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_exactly_one_row_and_every_word_one_command() {
        assert_eq!(COMMANDS.len(), Command::ALL.len());
        let mut words: Vec<&str> = Vec::new();
        for row in COMMANDS {
            let rows = COMMANDS.iter().filter(|c| c.command == row.command).count();
            assert_eq!(rows, 1, "{:?} has {rows} rows", row.command);
            assert_eq!(row.command.spec().command, row.command, "out of order");
            for word in std::iter::once(&row.name).chain(row.aliases) {
                assert!(!words.contains(word), "`{word}` names two commands");
                words.push(word);
            }
            assert_eq!(Command::named(row.name), Some(row.command));
            assert!(
                !row.doc.is_empty() && !row.scopes.is_empty(),
                "{}",
                row.name
            );
        }
    }
}
