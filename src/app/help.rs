//! `?` help: every command, the ones of this screen first (their keys,
//! their `:` name and argument, what they do), then the others with where
//! they work, the text-field keys and the mouse. It scrolls (j/k, PgUp/PgDn,
//! g/G), `/` narrows it to the lines that contain a word, and only Esc, `?`
//! and `q` close it (Ctrl+C quits).

use super::commands::{on_screen, Command, Scope, COMMANDS};
use super::effect::Effect;
use super::input::{Key, KeyPress};
use super::layout::help_rows;
use super::state::{AppState, Overlay};
use super::text_input::{Edit, TextInput, TEXT_KEYS};

/// Help's own state while it is open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelpView {
    /// The first line shown.
    pub scroll: usize,
    /// The search being typed (`/`), if any.
    pub search: Option<TextInput>,
    /// What the lines are narrowed to (kept after Enter).
    pub query: String,
}

/// One line of help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    Heading(String),
    /// A command or a key: its keys as shown, its `:` form, what it does.
    Entry {
        keys: String,
        name: String,
        doc: String,
    },
    Blank,
}

impl HelpLine {
    fn text(&self) -> String {
        match self {
            HelpLine::Heading(h) => h.clone(),
            HelpLine::Entry { keys, name, doc } => format!("{keys} {name} {doc}"),
            HelpLine::Blank => String::new(),
        }
    }
}

/// Every line of help for this screen, narrowed by the query.
pub fn lines(state: &AppState) -> Vec<HelpLine> {
    let screen = &state.screen;
    let entry = |command: Command| {
        let spec = command.spec();
        let name = match spec.arg.hint() {
            hint if hint.is_empty() => format!(":{}", spec.name),
            hint => format!(":{} {hint}", spec.name),
        };
        let keys = state
            .keymap
            .bindings
            .iter()
            .find(|b| b.command == command)
            .map(|b| b.label())
            .unwrap_or_default();
        (keys, name, spec.doc.to_string())
    };
    let mut all = vec![HelpLine::Heading(format!("On {}", screen.describe()))];
    // Those with keys first: what a key does here is what is looked for most.
    let mut here: Vec<(String, String, String)> =
        on_screen(screen).map(|spec| entry(spec.command)).collect();
    here.sort_by_key(|(keys, _, _)| keys.is_empty());
    for (keys, name, doc) in here {
        all.push(HelpLine::Entry { keys, name, doc });
    }
    // The others, under where they work.
    let elsewhere: Vec<_> = COMMANDS.iter().filter(|c| !c.works_on(screen)).collect();
    let mut scopes: Vec<Scope> = Vec::new();
    for spec in &elsewhere {
        if !scopes.contains(&spec.scopes[0]) {
            scopes.push(spec.scopes[0]);
        }
    }
    for scope in scopes {
        all.push(HelpLine::Blank);
        all.push(HelpLine::Heading(format!("On {}", scope.describe())));
        for spec in elsewhere.iter().filter(|c| c.scopes[0] == scope) {
            let (keys, name, doc) = entry(spec.command);
            all.push(HelpLine::Entry { keys, name, doc });
        }
    }
    all.push(HelpLine::Blank);
    all.push(HelpLine::Heading("In a text field (never remapped)".into()));
    for t in TEXT_KEYS {
        all.push(HelpLine::Entry {
            keys: crate::app::keymap::labels(t.keys),
            name: String::new(),
            doc: t.doc.to_string(),
        });
    }
    all.push(HelpLine::Entry {
        keys: "Tab ↑↓".into(),
        name: String::new(),
        doc: "in the palette: complete, pick a command".into(),
    });
    all.push(HelpLine::Blank);
    all.push(HelpLine::Heading("Mouse".into()));
    all.push(HelpLine::Entry {
        keys: "wheel".into(),
        name: String::new(),
        doc: "move up and down".into(),
    });
    all.push(HelpLine::Entry {
        keys: "click".into(),
        name: String::new(),
        doc: "select a row; a second click opens it".into(),
    });
    let query = match &state.overlay {
        Overlay::Help(view) => match &view.search {
            Some(input) => input.text.trim().to_lowercase(),
            None => view.query.to_lowercase(),
        },
        _ => String::new(),
    };
    if query.is_empty() {
        return all;
    }
    narrowed(all, &query)
}

/// The entries that contain `query`, under their headings.
fn narrowed(all: Vec<HelpLine>, query: &str) -> Vec<HelpLine> {
    let mut out = Vec::new();
    let mut heading: Option<HelpLine> = None;
    for line in all {
        match line {
            HelpLine::Heading(_) => heading = Some(line),
            HelpLine::Blank => {}
            HelpLine::Entry { .. } if line.text().to_lowercase().contains(query) => {
                if let Some(h) = heading.take() {
                    if !out.is_empty() {
                        out.push(HelpLine::Blank);
                    }
                    out.push(h);
                }
                out.push(line);
            }
            HelpLine::Entry { .. } => {}
        }
    }
    if out.is_empty() {
        out.push(HelpLine::Heading(format!("nothing in help says “{query}”")));
    }
    out
}

/// The furthest help scrolls: its last line at the bottom.
pub(crate) fn last_scroll(state: &AppState) -> usize {
    lines(state).len().saturating_sub(help_rows(state.height))
}

/// A key while help is open.
pub(crate) fn on_key(state: &mut AppState, key: KeyPress) -> Vec<Effect> {
    let last = last_scroll(state);
    let page = help_rows(state.height).max(1);
    let Overlay::Help(view) = &mut state.overlay else {
        return Vec::new();
    };
    if let Some(input) = &mut view.search {
        match input.handle(key) {
            Edit::Submit => {
                view.query = input.text.trim().to_string();
                view.search = None;
            }
            Edit::Cancel => {
                view.search = None;
                view.query.clear();
            }
            Edit::Changed | Edit::Ignored => {}
        }
        view.scroll = 0;
        return Vec::new();
    }
    let scroll_to = |view: &mut HelpView, to: i64| view.scroll = to.clamp(0, last as i64) as usize;
    let at = view.scroll as i64;
    match (key.key, key.ctrl) {
        (Key::Char('c'), true) => return super::commands::run::quit(state, ""),
        (Key::Esc, false) if !view.query.is_empty() => {
            view.query.clear();
            view.scroll = 0;
        }
        (Key::Esc | Key::Char('?') | Key::Char('q'), false) => state.overlay = Overlay::None,
        (Key::Char('j') | Key::Down, false) => scroll_to(view, at + 1),
        (Key::Char('k') | Key::Up, false) => scroll_to(view, at - 1),
        (Key::PageDown, false) | (Key::Char('d'), true) | (Key::Char(' '), false) => {
            scroll_to(view, at + page as i64)
        }
        (Key::PageUp, false) | (Key::Char('u'), true) => scroll_to(view, at - page as i64),
        (Key::Char('g') | Key::Home, false) => scroll_to(view, 0),
        (Key::Char('G') | Key::End, false) => scroll_to(view, last as i64),
        (Key::Char('/'), false) => view.search = Some(TextInput::default()),
        // Every other key leaves help as it is: only Esc, ? and q close it.
        _ => {}
    }
    Vec::new()
}
