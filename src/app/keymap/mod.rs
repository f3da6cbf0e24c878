//! Every key binding, with the words that explain it: help, the footer
//! hints and the dispatch all read the [`Keymap`], so they cannot drift from
//! what the keys do. The defaults are in [`defaults`]; `[keys]` in the config
//! replaces an action's keys (conflicts are refused with the file and line).

mod defaults;

use super::input::KeyPress;
use super::screens::{hooks, Screen};
pub use defaults::BINDINGS;

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
    /// `:keys`: the keymap in use.
    Keys,
    /// `w`: the metrics' window, 1 h → 3 h → 24 h.
    MetricsWindow,
    /// `x` on a service: a shell into one of its running containers (ECS Exec).
    Exec,
    /// In the runbook form: run in the next watched pair.
    NextPair,
    // In text fields.
    EditSubmit,
    EditCancel,
    EditBackspace,
    EditClear,
    EditDeleteWord,
    /// Tab in the palette.
    Complete,
}

/// Where a binding applies. A screen lists the scopes it takes keys from
/// (its hooks' `scopes`), so a new screen needs a scope only for keys of
/// its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// The parameter form (its keys edit fields; listed for help).
    RunbookForm,
    /// The screens with a selectable list (services, events, diagnosis, runbooks).
    Lists,
    /// Every screen but home (and the form).
    NotHome,
    /// Any text field (its keys edit; every other key types itself).
    TextField,
    /// Where triage suggests a runbook: services, a service, a finding.
    Suggests,
    /// Where metrics are drawn: a service, the alarms.
    Metrics,
}

impl Scope {
    /// Where it applies, in words (the keymap screen's headings).
    pub fn describe(self) -> &'static str {
        match self {
            Scope::Everywhere => "every screen",
            Scope::Services => "services (home)",
            Scope::Service => "a service",
            Scope::Timeline => "the incident timeline",
            Scope::Finding => "a finding",
            Scope::Run => "a runbook run",
            Scope::Logs => "log lines (the logs screen, a task's logs)",
            Scope::RunbookForm => "a runbook's parameter form",
            Scope::Lists => "lists",
            Scope::NotHome => "every screen but home",
            Scope::TextField => "text fields",
            Scope::Suggests => "services, a service and a finding (a runbook is suggested)",
            Scope::Metrics => "a service and the alarms (metrics drawn)",
        }
    }

    /// Keys that edit text are not remapped (they would stop typing).
    pub fn remappable(self) -> bool {
        !matches!(self, Scope::TextField | Scope::RunbookForm)
    }

    /// The screen takes this scope's keys (text fields float over screens:
    /// they are asked for by name, never by screen).
    pub fn includes(self, screen: &Screen) -> bool {
        hooks(screen).scopes().contains(&self)
    }
}

/// A default binding.
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

/// A binding in use: the default's, or the keys `[keys]` gave its action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    pub keys: Vec<KeyPress>,
    pub label: String,
    pub action: Action,
    pub help: &'static str,
    pub scope: Scope,
    pub hint: Option<&'static str>,
    /// Set from the config.
    pub yours: bool,
}

/// The action names `[keys]` uses (`timeline = ["t", "T"]`).
pub const ACTION_NAMES: &[(Action, &str)] = &[
    (Action::Quit, "quit"),
    (Action::Help, "help"),
    (Action::Palette, "palette"),
    (Action::Filter, "filter"),
    (Action::Back, "back"),
    (Action::Up, "up"),
    (Action::Down, "down"),
    (Action::PageUp, "page_up"),
    (Action::PageDown, "page_down"),
    (Action::Top, "top"),
    (Action::Bottom, "bottom"),
    (Action::Open, "open"),
    (Action::Refresh, "refresh"),
    (Action::ClusterEvents, "cluster_events"),
    (Action::AllEvents, "all_events"),
    (Action::Timeline, "timeline"),
    (Action::Diagnosis, "diagnosis"),
    (Action::CopyArn, "copy_arn"),
    (Action::TaskLogs, "task_logs"),
    (Action::AddNote, "add_note"),
    (Action::AddMilestone, "add_milestone"),
    (Action::ToggleImportant, "toggle_important"),
    (Action::EditEntry, "edit_entry"),
    (Action::Export, "export"),
    (Action::OpenRunbook, "open_runbook"),
    (Action::RunAnswer, "run_answer"),
    (Action::RunSkip, "run_skip"),
    (Action::RunAbort, "run_abort"),
    (Action::RunDone, "run_done"),
    (Action::RunFailed, "run_failed"),
    (Action::RunRetry, "run_retry"),
    (Action::RunFollow, "run_follow"),
    (Action::FollowId, "follow_id"),
    (Action::LogsExpand, "logs_expand"),
    (Action::LogsFind, "logs_find"),
    (Action::LogsNext, "logs_next"),
    (Action::LogsPrevious, "logs_previous"),
    (Action::LogsContext, "logs_context"),
    (Action::LogsFollow, "logs_follow"),
    (Action::LogsSave, "logs_save"),
    (Action::Keys, "keys"),
    (Action::MetricsWindow, "metrics_window"),
    (Action::Exec, "exec"),
    (Action::NextPair, "next_pair"),
    (Action::EditSubmit, "edit_submit"),
    (Action::EditCancel, "edit_cancel"),
    (Action::EditBackspace, "edit_backspace"),
    (Action::EditClear, "edit_clear"),
    (Action::EditDeleteWord, "edit_delete_word"),
    (Action::Complete, "complete"),
];

impl Action {
    pub fn name(self) -> &'static str {
        ACTION_NAMES
            .iter()
            .find(|(a, _)| *a == self)
            .map(|(_, n)| *n)
            .unwrap_or("?")
    }

    pub fn parse(name: &str) -> Option<Action> {
        ACTION_NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(a, _)| *a)
    }
}

/// What a key does in a text field, if it edits (these keys are not
/// remapped, so the defaults are the truth).
pub fn text_action(key: KeyPress) -> Option<Action> {
    BINDINGS
        .iter()
        .filter(|b| b.scope == Scope::TextField)
        .find(|b| b.keys.contains(&key))
        .map(|b| b.action)
}

pub use crate::settings::KeyOverride;

/// Why a `[keys]` entry was refused, and its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeymapProblem {
    pub line: usize,
    pub key: String,
    pub message: String,
}

/// The bindings in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    pub bindings: Vec<Bound>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: BINDINGS
                .iter()
                .map(|b| Bound {
                    keys: b.keys.to_vec(),
                    label: b.label.to_string(),
                    action: b.action,
                    help: b.help,
                    scope: b.scope,
                    hint: b.hint,
                    yours: false,
                })
                .collect(),
        }
    }
}

impl Keymap {
    /// The defaults with `[keys]` applied; every problem at its line.
    pub fn with_overrides(overrides: &[KeyOverride]) -> Result<Keymap, Vec<KeymapProblem>> {
        // Long on purpose: each [keys] entry checked (action, keys, text keys, conflicts) with its own message naming the line.
        let mut map = Keymap::default();
        let mut problems = Vec::new();
        let mut line_of: Vec<(Action, usize)> = Vec::new();
        for o in overrides {
            let problem = |message: String| KeymapProblem {
                line: o.line,
                key: format!("keys.{}", o.action),
                message,
            };
            let Some(action) = Action::parse(&o.action) else {
                let names: Vec<&str> = ACTION_NAMES
                    .iter()
                    .filter(|(a, _)| {
                        map.bindings
                            .iter()
                            .any(|b| b.action == *a && b.scope.remappable())
                    })
                    .map(|(_, n)| *n)
                    .collect();
                problems.push(problem(format!(
                    "no action `{}`; actions: {}",
                    o.action,
                    names.join(", ")
                )));
                continue;
            };
            if !map
                .bindings
                .iter()
                .any(|b| b.action == action && b.scope.remappable())
            {
                problems.push(problem(format!(
                    "`{}` edits text and keeps its keys",
                    o.action
                )));
                continue;
            }
            let mut keys = Vec::new();
            for text in &o.keys {
                match KeyPress::parse(text) {
                    Ok(k) => keys.push(k),
                    Err(message) => problems.push(problem(message)),
                }
            }
            if keys.is_empty() {
                problems.push(problem(format!(
                    "`{}` needs at least one key, e.g. {} = [\"t\"]",
                    o.action, o.action
                )));
                continue;
            }
            let label = keys
                .iter()
                .map(KeyPress::label)
                .collect::<Vec<_>>()
                .join(" ");
            for b in map
                .bindings
                .iter_mut()
                .filter(|b| b.action == action && b.scope.remappable())
            {
                b.keys = keys.clone();
                b.label = label.clone();
                b.yours = true;
            }
            line_of.push((action, o.line));
        }
        // Two actions on one key on one screen: the later can never be reached.
        for screen in Screen::every() {
            let bound = map.bindings_for(&screen);
            for (i, a) in bound.iter().enumerate() {
                for b in &bound[i + 1..] {
                    if a.action == b.action || !(a.yours || b.yours) {
                        continue;
                    }
                    if let Some(key) = a.keys.iter().find(|k| b.keys.contains(k)) {
                        let yours = if b.yours { b.action } else { a.action };
                        let line = line_of
                            .iter()
                            .rev()
                            .find(|(x, _)| *x == yours)
                            .map(|(_, l)| *l)
                            .unwrap_or(1);
                        let problem = KeymapProblem {
                            line,
                            key: format!("keys.{}", yours.name()),
                            message: format!(
                                "`{}` would be both {} and {} on {}; give one of them another key",
                                key.label(),
                                a.action.name(),
                                b.action.name(),
                                screen.describe()
                            ),
                        };
                        if !problems.contains(&problem) {
                            problems.push(problem);
                        }
                    }
                }
            }
        }
        if problems.is_empty() {
            Ok(map)
        } else {
            Err(problems)
        }
    }

    /// The action a key asks for on this screen, if any.
    pub fn action_for(&self, screen: &Screen, key: KeyPress) -> Option<Action> {
        self.bindings
            .iter()
            .filter(|b| b.scope.includes(screen))
            .find(|b| b.keys.contains(&key))
            .map(|b| b.action)
    }

    /// How an action's keys are shown ("Enter", "s"), for hints written
    /// into a screen; "?" when nothing is bound to it.
    pub fn label_of(&self, action: Action) -> &str {
        self.bindings
            .iter()
            .find(|b| b.action == action)
            .map(|b| b.label.as_str())
            .unwrap_or("?")
    }

    /// The bindings valid on this screen, in table order.
    pub fn bindings_for(&self, screen: &Screen) -> Vec<&Bound> {
        self.bindings
            .iter()
            .filter(|b| b.scope.includes(screen))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::input::Key;

    #[test]
    fn every_action_has_a_name_and_the_names_read_back() {
        for b in BINDINGS {
            assert_eq!(Action::parse(b.action.name()), Some(b.action));
        }
    }

    #[test]
    fn no_key_is_bound_twice_on_one_screen() {
        let map = Keymap::default();
        for screen in &Screen::every() {
            let bindings = map.bindings_for(screen);
            for (i, a) in bindings.iter().enumerate() {
                for b in &bindings[i + 1..] {
                    for key in &a.keys {
                        assert!(!b.keys.contains(key), "{key:?} bound twice on {screen:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn back_is_not_offered_on_home() {
        let map = Keymap::default();
        let esc = KeyPress::plain(Key::Esc);
        assert_eq!(map.action_for(&Screen::Services, esc), None);
        assert_eq!(
            map.action_for(&Screen::Events(None), esc),
            Some(Action::Back)
        );
    }
}
