//! The `:` palette: every command that works on this screen, narrowed as
//! you type (names and aliases by prefix first, then by their letters in
//! order), moved through with ↑↓ and PgUp/PgDn, completed with Tab, run
//! with Enter; a command that takes an argument shows what it wants.

use super::{on_screen, Arg, Command, CommandSpec};
use crate::app::effect::Effect;
use crate::app::input::{Key, KeyPress};
use crate::app::layout::palette_rows;
use crate::app::screens::Screen;
use crate::app::state::{AppState, Overlay};
use crate::app::text_input::{Edit, TextInput};

/// The palette's own state while it is open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaletteView {
    pub input: TextInput,
    /// The highlighted row of [`matches`].
    pub selected: usize,
    /// The first row shown.
    pub offset: usize,
    /// What Enter could not run, said under the line.
    pub problem: Option<String>,
}

impl PaletteView {
    /// The command word typed so far, and the rest (its argument).
    pub fn parts(&self) -> (&str, &str) {
        let text = self.input.text.trim_start();
        match text.split_once(char::is_whitespace) {
            Some((word, rest)) => (word, rest.trim()),
            None => (text, ""),
        }
    }

    /// An argument is being typed (a space follows the command word).
    pub(crate) fn typing_argument(&self) -> bool {
        self.input.text.trim_start().contains(char::is_whitespace)
    }
}

/// How well a command answers to what was typed (lower is better).
fn rank(spec: &CommandSpec, typed: &str) -> Option<u8> {
    if typed.is_empty() {
        return Some(3);
    }
    let words = || std::iter::once(spec.name).chain(spec.aliases.iter().copied());
    if words().any(|w| w == typed) {
        return Some(0);
    }
    if spec.name.starts_with(typed) {
        return Some(1);
    }
    if words().any(|w| w.starts_with(typed)) {
        return Some(2);
    }
    // Its letters in order: `tl` finds `toggle_important`, `lf` `logs_follow`.
    words().any(|w| in_order(typed, w)).then_some(4)
}

fn in_order(typed: &str, word: &str) -> bool {
    let mut letters = word.chars();
    typed.chars().all(|c| letters.any(|w| w == c))
}

/// The commands that work on `screen` and answer to `typed`, best first
/// (the table's order among equals).
pub fn matches(screen: &Screen, typed: &str) -> Vec<&'static CommandSpec> {
    let typed = typed.trim().trim_start_matches(':');
    let mut found: Vec<(u8, &'static CommandSpec)> = on_screen(screen)
        .filter_map(|spec| rank(spec, typed).map(|r| (r, spec)))
        .collect();
    found.sort_by_key(|(r, _)| *r);
    found.into_iter().map(|(_, spec)| spec).collect()
}

/// The rows the palette lists now: the matches of the command word, or
/// (an argument being typed) the one command named.
pub fn listed(screen: &Screen, view: &PaletteView) -> Vec<&'static CommandSpec> {
    let (word, _) = view.parts();
    if view.typing_argument() {
        if let Some(c) = Command::named(word.trim_start_matches(':')) {
            return vec![c.spec()];
        }
    }
    matches(screen, word)
}

/// A key while the palette is open.
pub(crate) fn on_key(state: &mut AppState, key: KeyPress) -> Vec<Effect> {
    let Overlay::Palette(view) = &mut state.overlay else {
        return Vec::new();
    };
    let listed = listed(&state.screen, view);
    let page = palette_rows(state.height);
    let last = listed.len().saturating_sub(1);
    let moved = |view: &mut PaletteView, to: usize| {
        view.selected = to.min(last);
        view.offset = crate::app::layout::scroll_into_view(view.selected, view.offset, page);
    };
    match (key.key, key.ctrl) {
        (Key::Up, false) => moved(view, view.selected.saturating_sub(1)),
        (Key::Down, false) => moved(view, view.selected + 1),
        (Key::PageUp, false) => moved(view, view.selected.saturating_sub(page)),
        (Key::PageDown, false) => moved(view, view.selected + page),
        (Key::Tab, false) => {
            if let Some(spec) = listed.get(view.selected) {
                complete(view, spec);
            }
        }
        _ => match view.input.handle(key) {
            Edit::Submit => return submit(state),
            Edit::Cancel => state.overlay = Overlay::None,
            Edit::Changed => {
                view.selected = 0;
                view.offset = 0;
                view.problem = None;
            }
            Edit::Ignored => {}
        },
    }
    Vec::new()
}

/// The line becomes the command's name (and a space when it takes an
/// argument, whose hint then shows).
fn complete(view: &mut PaletteView, spec: &CommandSpec) {
    let (_, arg) = view.parts();
    let arg = arg.to_string();
    view.input.text = match spec.arg {
        Arg::None => spec.name.to_string(),
        _ => format!("{} {arg}", spec.name),
    };
    view.selected = 0;
    view.offset = 0;
    view.problem = None;
}

/// Enter: the command named (or the highlighted one) with what follows it.
fn submit(state: &mut AppState) -> Vec<Effect> {
    let Overlay::Palette(view) = &mut state.overlay else {
        return Vec::new();
    };
    let (word, arg) = view.parts();
    let word = word.trim_start_matches(':').to_string();
    let arg = arg.to_string();
    let listed = listed(&state.screen, view);
    let chosen = match Command::named(&word) {
        Some(command) => Some(command.spec()),
        // Not a name: the highlighted match, when there is one.
        None => listed.get(view.selected).copied(),
    };
    let Some(spec) = chosen else {
        view.problem = Some(if word.is_empty() {
            "type a command, or ↑↓ to pick one".into()
        } else {
            format!("no command answers to `{word}` here; Backspace and try another, Esc closes")
        });
        return Vec::new();
    };
    if let (Arg::Required(what), true) = (spec.arg, arg.is_empty()) {
        // Say what it needs, and wait for it.
        complete(view, spec);
        view.problem = Some(format!(":{} needs {what}", spec.name));
        return Vec::new();
    }
    state.overlay = Overlay::None;
    super::run::dispatch(state, spec.command, &arg)
}

/// `:resume`'s words, read like `triage runbook run --resume`'s flags. An
/// empty run id means "the newest unfinished run".
pub fn resume_args(arg: &str) -> Result<crate::domain::runbook::resume::ResumeAsk, String> {
    let mut ask = crate::domain::runbook::resume::ResumeAsk::default();
    let mut words = arg.split_whitespace();
    while let Some(word) = words.next() {
        match word {
            "--accept-changes" => ask.accept_changes = true,
            "--param" => {
                let pair = words
                    .next()
                    .ok_or("--param needs NAME=VALUE, e.g. --param token=…")?;
                let (name, value) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("--param {pair}: use NAME=VALUE"))?;
                ask.given.insert(name.to_string(), value.to_string());
            }
            flag if flag.starts_with("--") => {
                return Err(format!(
                    "`{flag}`: :resume takes a run id, --accept-changes and --param NAME=VALUE"
                ))
            }
            id if ask.run_id.is_empty() => ask.run_id = id.to_string(),
            extra => return Err(format!("`{extra}`: :resume takes one run id")),
        }
    }
    Ok(ask)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_first_then_letters_in_order() {
        let found: Vec<&str> = matches(&Screen::Services, "ev")
            .iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(found[0], "events", "{found:?}");
        let found: Vec<&str> = matches(&Screen::Services, "tl")
            .iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(found[0], "timeline", "an alias is exact: {found:?}");
        assert!(matches(&Screen::Services, "zzz").is_empty());
    }

    #[test]
    fn resume_reads_its_flags() {
        let ask = resume_args("01J --accept-changes --param a=b").unwrap();
        assert_eq!(ask.run_id, "01J");
        assert!(ask.accept_changes);
        assert_eq!(ask.given.get("a").map(String::as_str), Some("b"));
        assert!(resume_args("--nope").is_err());
        assert!(resume_args("a b").is_err());
    }
}
