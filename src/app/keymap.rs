//! The keys in use: each command's keys from the table
//! ([`super::commands::COMMANDS`]), or the ones `[keys]` in the config gave
//! it (conflicts, unknown names, text-field keys and unreadable keys are
//! refused with the file and line). Dispatch, help, the footer hints, the
//! palette and `:keys` all read the [`Keymap`], so a remapped key shows
//! everywhere it is named.

use super::commands::{Command, CommandSpec, Scope, COMMANDS};
use super::input::KeyPress;
use super::screens::Screen;

pub use crate::settings::KeyOverride;

/// Why a `[keys]` entry was refused, and its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeymapProblem {
    pub line: usize,
    pub key: String,
    pub message: String,
}

/// A command's keys in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    pub command: Command,
    pub keys: Vec<KeyPress>,
    /// Set from the config.
    pub yours: bool,
}

impl Bound {
    /// Its row of the table.
    pub fn spec(&self) -> &'static CommandSpec {
        self.command.spec()
    }

    /// Its keys as shown: `Enter l →`, `^d`; empty when it has none.
    pub fn label(&self) -> String {
        labels(&self.keys)
    }
}

/// Keys as shown, one style (the key type's own labels).
pub(crate) fn labels(keys: &[KeyPress]) -> String {
    keys.iter()
        .map(KeyPress::label)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every command's keys, in the table's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    pub bindings: Vec<Bound>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: COMMANDS
                .iter()
                .map(|c| Bound {
                    command: c.command,
                    keys: c.keys.to_vec(),
                    yours: false,
                })
                .collect(),
        }
    }
}

/// The names `[keys]` takes: every command whose keys may be remapped.
fn remappable_names() -> Vec<&'static str> {
    COMMANDS
        .iter()
        .filter(|c| c.scopes.iter().any(|s| s.remappable()))
        .map(|c| c.name)
        .collect()
}

impl Keymap {
    /// The defaults with `[keys]` applied; every problem at its line.
    pub fn with_overrides(overrides: &[KeyOverride]) -> Result<Keymap, Vec<KeymapProblem>> {
        let mut map = Keymap::default();
        let mut problems = Vec::new();
        let mut line_of: Vec<(Command, usize)> = Vec::new();
        for o in overrides {
            let problem = |message: String| KeymapProblem {
                line: o.line,
                key: format!("keys.{}", o.action),
                message,
            };
            match map.apply(o) {
                Ok(command) => line_of.push((command, o.line)),
                Err(messages) => problems.extend(messages.into_iter().map(problem)),
            }
        }
        for problem in map.conflicts(&line_of) {
            if !problems.contains(&problem) {
                problems.push(problem);
            }
        }
        if problems.is_empty() {
            Ok(map)
        } else {
            Err(problems)
        }
    }

    /// One `[keys]` entry: the command it names gets its keys.
    fn apply(&mut self, o: &KeyOverride) -> Result<Command, Vec<String>> {
        if crate::app::text_input::TEXT_KEYS
            .iter()
            .any(|t| t.name == o.action)
        {
            return Err(vec![format!(
                "`{}` edits text and keeps its keys",
                o.action
            )]);
        }
        let Some(command) = Command::named(&o.action) else {
            return Err(vec![format!(
                "no command `{}`; commands: {}",
                o.action,
                remappable_names().join(", ")
            )]);
        };
        if !command.spec().scopes.iter().any(|s| s.remappable()) {
            return Err(vec![format!(
                "`{}` is a key of the runbook form, whose other keys type: it keeps its keys",
                o.action
            )]);
        }
        let mut keys = Vec::new();
        let mut problems = Vec::new();
        for text in &o.keys {
            match KeyPress::parse(text) {
                Ok(k) => keys.push(k),
                Err(message) => problems.push(message),
            }
        }
        if keys.is_empty() {
            problems.push(format!(
                "`{}` needs at least one key, e.g. {} = [\"t\"]",
                o.action, o.action
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        if let Some(b) = self.bindings.iter_mut().find(|b| b.command == command) {
            b.keys = keys;
            b.yours = true;
        }
        Ok(command)
    }

    /// Two commands on one key on one screen, one of them yours: the later
    /// could never be reached.
    fn conflicts(&self, line_of: &[(Command, usize)]) -> Vec<KeymapProblem> {
        let mut problems = Vec::new();
        for screen in Screen::every() {
            let bound = self.bindings_for(&screen);
            for (i, a) in bound.iter().enumerate() {
                for b in &bound[i + 1..] {
                    if !(a.yours || b.yours) {
                        continue;
                    }
                    let Some(key) = a.keys.iter().find(|k| b.keys.contains(k)) else {
                        continue;
                    };
                    let yours = if b.yours { b.command } else { a.command };
                    let line = line_of
                        .iter()
                        .rev()
                        .find(|(x, _)| *x == yours)
                        .map(|(_, l)| *l)
                        .unwrap_or(1);
                    problems.push(KeymapProblem {
                        line,
                        key: format!("keys.{}", yours.name()),
                        message: format!(
                            "`{}` would be both {} and {} on {}; give one of them another key",
                            key.label(),
                            a.command.name(),
                            b.command.name(),
                            screen.describe()
                        ),
                    });
                }
            }
        }
        problems
    }

    /// The command a key asks for on this screen, if any.
    pub fn command_for(&self, screen: &Screen, key: KeyPress) -> Option<Command> {
        self.bindings_for(screen)
            .into_iter()
            .find(|b| b.keys.contains(&key))
            .map(|b| b.command)
    }

    /// A command's keys as shown (`Enter`, `s`), for hints written into a
    /// screen; its palette name (`:logs`) when it has no key.
    pub(crate) fn label_of(&self, command: Command) -> String {
        match self.bindings.iter().find(|b| b.command == command) {
            Some(b) if !b.keys.is_empty() => b.label(),
            _ => format!(":{}", command.name()),
        }
    }

    /// A command's first key as shown (the footer's hint), or its name.
    pub(crate) fn first_key_of(&self, command: Command) -> String {
        match self
            .bindings
            .iter()
            .find(|b| b.command == command)
            .and_then(|b| b.keys.first())
        {
            Some(key) => key.label(),
            None => format!(":{}", command.name()),
        }
    }

    /// The commands that work on this screen with their keys, in the
    /// table's order.
    pub(crate) fn bindings_for(&self, screen: &Screen) -> Vec<&Bound> {
        self.bindings
            .iter()
            .filter(|b| b.spec().works_on(screen))
            .collect()
    }
}

/// The scopes a keymap screen groups by: each command's first.
pub(crate) fn scope_of(b: &Bound) -> Scope {
    b.spec()
        .scopes
        .first()
        .copied()
        .unwrap_or(Scope::Everywhere)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::input::Key;

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
        assert_eq!(map.command_for(&Screen::Services, esc), None);
        assert_eq!(
            map.command_for(&Screen::Events(None), esc),
            Some(Command::Back)
        );
    }

    #[test]
    fn labels_come_from_the_key_type_in_one_style() {
        let map = Keymap::default();
        assert_eq!(map.label_of(Command::NextPair), "^p");
        assert_eq!(map.label_of(Command::Quit), "q ^c");
        assert_eq!(map.label_of(Command::Logs), ":logs");
    }
}
