//! Every key binding, with the words that explain it: the help screen and the
//! footer hints are generated from this table, so they cannot drift from what
//! the keys do.

use super::input::{Key, KeyPress};
use super::state::Screen;

/// Something a key can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Help,
    Palette,
    Filter,
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Refresh,
    ClusterEvents,
    AllEvents,
    Timeline,
    Diagnosis,
    CopyArn,
    TaskLogs,
    AddNote,
    AddMilestone,
    ToggleImportant,
    EditEntry,
    Export,
    /// `R` on a finding: its runbook, prefilled.
    OpenRunbook,
    /// Answer what the run asks (confirm, type the name, choose, done).
    RunAnswer,
    RunSkip,
    RunAbort,
    /// Mark a step left `unknown` (or a manual step) done.
    RunDone,
    RunFailed,
    /// Run a failed or `unknown` step again.
    RunRetry,
    /// Show the run's current step again.
    RunFollow,
    /// `L`: the request of the line under the cursor, across services.
    FollowId,
    LogsExpand,
    LogsFind,
    LogsNext,
    LogsPrevious,
    LogsContext,
    LogsFollow,
    LogsSave,
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    Home,
    Service,
    Events,
    Timeline,
    Diagnosis,
    Finding,
    TaskLogs,
    /// The run view.
    Run,
    /// The logs screen.
    Logs,
    /// Screens whose lines carry correlation IDs (logs, a task's logs).
    LogLines,
    /// The parameter form (its keys edit fields; listed for help).
    RunbookForm,
    /// Home and events: the screens with a selectable list.
    Lists,
    /// Every screen but home.
    NotHome,
}

impl Scope {
    fn includes(self, screen: &Screen) -> bool {
        match self {
            // On the form, keys type into its fields.
            Scope::Everywhere => !matches!(screen, Screen::RunbookForm),
            Scope::Home => matches!(screen, Screen::Home),
            Scope::Service => matches!(screen, Screen::Service(_)),
            Scope::Events => matches!(screen, Screen::Events(_)),
            Scope::Timeline => matches!(screen, Screen::Timeline),
            Scope::Diagnosis => matches!(screen, Screen::Diagnosis),
            Scope::Finding => matches!(screen, Screen::Finding(_)),
            Scope::TaskLogs => matches!(screen, Screen::TaskLogs(_)),
            Scope::Run => matches!(screen, Screen::Run),
            Scope::Logs => matches!(screen, Screen::Logs | Screen::TaskLogs(_)),
            Scope::LogLines => matches!(screen, Screen::Logs | Screen::TaskLogs(_)),
            Scope::RunbookForm => matches!(screen, Screen::RunbookForm),
            Scope::Lists => matches!(
                screen,
                Screen::Home | Screen::Events(_) | Screen::Diagnosis | Screen::Runbooks
            ),
            Scope::NotHome => !matches!(screen, Screen::Home | Screen::RunbookForm),
        }
    }
}

pub struct Binding {
    pub keys: &'static [KeyPress],
    /// How the keys are shown ("j ↓").
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
    pub scope: Scope,
    /// Shown in the footer's short list.
    pub hint: Option<&'static str>,
}

const fn k(c: char) -> KeyPress {
    KeyPress::char(c)
}
const fn p(key: Key) -> KeyPress {
    KeyPress::plain(key)
}

pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[p(Key::Enter)],
        label: "Enter",
        action: Action::Open,
        help: "open the selected row",
        scope: Scope::Lists,
        hint: Some("open"),
    },
    Binding {
        keys: &[k('j'), p(Key::Down)],
        label: "j ↓",
        action: Action::Down,
        help: "move down",
        scope: Scope::Everywhere,
        hint: None,
    },
    Binding {
        keys: &[k('k'), p(Key::Up)],
        label: "k ↑",
        action: Action::Up,
        help: "move up",
        scope: Scope::Everywhere,
        hint: None,
    },
    Binding {
        keys: &[p(Key::PageDown), KeyPress::ctrl('d')],
        label: "PgDn ^d",
        action: Action::PageDown,
        help: "page down",
        scope: Scope::Everywhere,
        hint: None,
    },
    Binding {
        keys: &[p(Key::PageUp), KeyPress::ctrl('u')],
        label: "PgUp ^u",
        action: Action::PageUp,
        help: "page up",
        scope: Scope::Everywhere,
        hint: None,
    },
    Binding {
        keys: &[k('g'), p(Key::Home)],
        label: "g Home",
        action: Action::Top,
        help: "go to the top",
        scope: Scope::Everywhere,
        hint: None,
    },
    Binding {
        keys: &[k('G'), p(Key::End)],
        label: "G End",
        action: Action::Bottom,
        help: "go to the bottom",
        scope: Scope::Everywhere,
        hint: None,
    },
    Binding {
        keys: &[k('/')],
        label: "/",
        action: Action::Filter,
        help: "filter the list (!text hides matches)",
        scope: Scope::Lists,
        hint: Some("filter"),
    },
    Binding {
        keys: &[k('e')],
        label: "e",
        action: Action::ClusterEvents,
        help: "events of the selected service's cluster, all services merged",
        scope: Scope::Home,
        hint: Some("events"),
    },
    Binding {
        keys: &[k('e')],
        label: "e",
        action: Action::ClusterEvents,
        help: "events of this service's cluster, all services merged",
        scope: Scope::Service,
        hint: Some("cluster events"),
    },
    Binding {
        keys: &[k('E')],
        label: "E",
        action: Action::AllEvents,
        help: "events of every watched cluster, merged by time",
        scope: Scope::Lists,
        hint: None,
    },
    Binding {
        keys: &[k('d')],
        label: "d",
        action: Action::Diagnosis,
        help: "why tasks stopped (:diag)",
        scope: Scope::Everywhere,
        hint: Some("diagnose"),
    },
    Binding {
        keys: &[k('l')],
        label: "l",
        action: Action::TaskLogs,
        help: "this task's logs up to its stop",
        scope: Scope::Finding,
        hint: Some("logs"),
    },
    Binding {
        keys: &[k('y')],
        label: "y",
        action: Action::CopyArn,
        help: "copy the task ARN to the clipboard",
        scope: Scope::Finding,
        hint: Some("copy ARN"),
    },
    Binding {
        keys: &[k('R')],
        label: "R",
        action: Action::OpenRunbook,
        help: "open the runbook for this cause, filled in with its cluster, service and task",
        scope: Scope::Finding,
        hint: Some("runbook"),
    },
    Binding {
        keys: &[p(Key::Enter)],
        label: "Enter",
        action: Action::RunAnswer,
        help: "answer the step: confirm, type the name, choose, or mark it done",
        scope: Scope::Run,
        hint: Some("answer"),
    },
    Binding {
        keys: &[k('s')],
        label: "s",
        action: Action::RunSkip,
        help: "skip the step (asks why; journaled)",
        scope: Scope::Run,
        hint: Some("skip"),
    },
    Binding {
        keys: &[k('R')],
        label: "R",
        action: Action::RunRetry,
        help: "run a failed or unknown step again",
        scope: Scope::Run,
        hint: Some("retry"),
    },
    Binding {
        keys: &[k('D')],
        label: "D",
        action: Action::RunDone,
        help: "mark an unknown or manual step done",
        scope: Scope::Run,
        hint: None,
    },
    Binding {
        keys: &[k('F')],
        label: "F",
        action: Action::RunFailed,
        help: "mark an unknown or manual step failed",
        scope: Scope::Run,
        hint: None,
    },
    Binding {
        keys: &[k('A')],
        label: "A",
        action: Action::RunAbort,
        help: "abort the run (asks why; journaled)",
        scope: Scope::Run,
        hint: Some("abort"),
    },
    Binding {
        keys: &[k('f')],
        label: "f",
        action: Action::RunFollow,
        help: "show the run's current step (j/k look at others)",
        scope: Scope::Run,
        hint: None,
    },
    Binding {
        keys: &[p(Key::Tab), p(Key::Down)],
        label: "Tab ↓",
        action: Action::Down,
        help: "next field",
        scope: Scope::RunbookForm,
        hint: Some("next field"),
    },
    Binding {
        keys: &[p(Key::BackTab), p(Key::Up)],
        label: "S-Tab ↑",
        action: Action::Up,
        help: "previous field",
        scope: Scope::RunbookForm,
        hint: None,
    },
    Binding {
        keys: &[p(Key::Enter)],
        label: "Enter",
        action: Action::Open,
        help: "check the values and start the run",
        scope: Scope::RunbookForm,
        hint: Some("start"),
    },
    Binding {
        keys: &[p(Key::Esc)],
        label: "Esc",
        action: Action::Back,
        help: "cancel: nothing runs",
        scope: Scope::RunbookForm,
        hint: Some("cancel"),
    },
    Binding {
        keys: &[k('L')],
        label: "L",
        action: Action::FollowId,
        help: "follow this line's correlation ID through every service",
        scope: Scope::LogLines,
        hint: Some("follow ID"),
    },
    Binding {
        keys: &[p(Key::Enter)],
        label: "Enter",
        action: Action::LogsExpand,
        help: "show / hide the line's full JSON",
        scope: Scope::Logs,
        hint: Some("JSON"),
    },
    Binding {
        keys: &[k('/')],
        label: "/",
        action: Action::LogsFind,
        help: "find text in the results",
        scope: Scope::Logs,
        hint: Some("find"),
    },
    Binding {
        keys: &[k('n')],
        label: "n",
        action: Action::LogsNext,
        help: "next line with the found text",
        scope: Scope::Logs,
        hint: None,
    },
    Binding {
        keys: &[k('N')],
        label: "N",
        action: Action::LogsPrevious,
        help: "previous line with the found text",
        scope: Scope::Logs,
        hint: None,
    },
    Binding {
        keys: &[k('c')],
        label: "c",
        action: Action::LogsContext,
        help: "lines around this one from the same stream",
        scope: Scope::Logs,
        hint: Some("context"),
    },
    Binding {
        keys: &[k('f')],
        label: "f",
        action: Action::LogsFollow,
        help: "follow: keep adding new lines with this ID",
        scope: Scope::Logs,
        hint: Some("follow"),
    },
    Binding {
        keys: &[k('s')],
        label: "s",
        action: Action::LogsSave,
        help: "save the lines to the incident as evidence",
        scope: Scope::Logs,
        hint: Some("save"),
    },
    Binding {
        keys: &[k('t')],
        label: "t",
        action: Action::Timeline,
        help: "the incident timeline (:tl)",
        scope: Scope::Everywhere,
        hint: Some("timeline"),
    },
    Binding {
        keys: &[k('n')],
        label: "n",
        action: Action::AddNote,
        help: "add a note",
        scope: Scope::Timeline,
        hint: Some("note"),
    },
    Binding {
        keys: &[k('m')],
        label: "m",
        action: Action::AddMilestone,
        help: "record a milestone (optionally at a time: detected 10m ago)",
        scope: Scope::Timeline,
        hint: Some("milestone"),
    },
    Binding {
        keys: &[k('i')],
        label: "i",
        action: Action::ToggleImportant,
        help: "mark / unmark the selected entry important",
        scope: Scope::Timeline,
        hint: Some("important"),
    },
    Binding {
        keys: &[k('e')],
        label: "e",
        action: Action::EditEntry,
        help: "correct the selected entry (a new entry supersedes it)",
        scope: Scope::Timeline,
        hint: Some("edit"),
    },
    Binding {
        keys: &[k('x')],
        label: "x",
        action: Action::Export,
        help: "export the post-mortem draft, JSON and CSV",
        scope: Scope::Timeline,
        hint: Some("export"),
    },
    Binding {
        keys: &[k('r')],
        label: "r",
        action: Action::Refresh,
        help: "refresh now",
        scope: Scope::Everywhere,
        hint: Some("refresh"),
    },
    Binding {
        keys: &[p(Key::Esc), p(Key::Left), k('h')],
        label: "Esc h ←",
        action: Action::Back,
        help: "back",
        scope: Scope::NotHome,
        hint: Some("back"),
    },
    Binding {
        keys: &[k(':')],
        label: ":",
        action: Action::Palette,
        help: "command palette (:svc, :events, :theme, :q)",
        scope: Scope::Everywhere,
        hint: Some("command"),
    },
    Binding {
        keys: &[k('?')],
        label: "?",
        action: Action::Help,
        help: "help for this screen",
        scope: Scope::Everywhere,
        hint: Some("help"),
    },
    Binding {
        keys: &[k('q'), KeyPress::ctrl('c')],
        label: "q ^c",
        action: Action::Quit,
        help: "quit",
        scope: Scope::Everywhere,
        hint: Some("quit"),
    },
];

/// Also accept `l` and → to open, like moving right into a tree.
const OPEN_ALIASES: &[KeyPress] = &[k('l'), p(Key::Right)];

/// The action a key asks for on this screen, if any.
pub fn action_for(screen: &Screen, key: KeyPress) -> Option<Action> {
    if OPEN_ALIASES.contains(&key) && Scope::Lists.includes(screen) {
        return Some(Action::Open);
    }
    BINDINGS
        .iter()
        .filter(|b| b.scope.includes(screen))
        .find(|b| b.keys.contains(&key))
        .map(|b| b.action)
}

/// The bindings valid on this screen, in table order.
pub fn bindings_for(screen: &Screen) -> Vec<&'static Binding> {
    BINDINGS
        .iter()
        .filter(|b| b.scope.includes(screen))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::service::ServiceKey;

    #[test]
    fn no_key_is_bound_twice_on_one_screen() {
        let screens = [
            Screen::Home,
            Screen::Service(ServiceKey {
                cluster: "c".into(),
                service: "s".into(),
            }),
            Screen::Events(None),
            Screen::Timeline,
            Screen::Diagnosis,
            Screen::Finding("arn".into()),
            Screen::TaskLogs("arn".into()),
            Screen::Runbooks,
            Screen::RunbookForm,
            Screen::Run,
            Screen::Logs,
        ];
        for screen in &screens {
            let bindings = bindings_for(screen);
            for (i, a) in bindings.iter().enumerate() {
                for b in &bindings[i + 1..] {
                    for key in a.keys {
                        assert!(!b.keys.contains(key), "{key:?} bound twice on {screen:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn back_is_not_offered_on_home() {
        assert_eq!(action_for(&Screen::Home, p(Key::Esc)), None);
        assert_eq!(
            action_for(&Screen::Events(None), p(Key::Esc)),
            Some(Action::Back)
        );
    }
}
