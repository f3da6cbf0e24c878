//! A pick-one list over the screen: type to narrow it, ↑/↓ to move, Enter
//! to choose, Esc to cancel. Used for the shell's container (`x` on a
//! service whose running tasks hold more than one).

use super::effect::Effect;
use super::input::{Key, KeyPress};
use super::state::{AppState, Overlay};
use super::text_input::{Edit, TextInput};
use crate::domain::exec::ExecAsk;

/// What the choice is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickPurpose {
    /// A shell into one of these (one per item).
    Shell(Vec<ExecAsk>),
    /// Watch these contexts (one list per item): Enter instead of the pairs
    /// watched now, Tab as well.
    Switch(Vec<Vec<crate::domain::context::Context>>),
}

/// One row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickItem {
    pub label: String,
    /// Dimmed after the label.
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub title: String,
    pub items: Vec<PickItem>,
    pub purpose: PickPurpose,
    /// Index into [`Picker::visible`].
    pub cursor: usize,
    pub input: TextInput,
}

impl Picker {
    pub fn new(title: impl Into<String>, items: Vec<PickItem>, purpose: PickPurpose) -> Picker {
        Picker {
            title: title.into(),
            items,
            purpose,
            cursor: 0,
            input: TextInput::default(),
        }
    }

    /// The items the typed text matches (every word, anywhere, any case).
    pub fn visible(&self) -> Vec<usize> {
        let words: Vec<String> = self
            .input
            .text
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        (0..self.items.len())
            .filter(|&i| {
                let hay = format!("{} {}", self.items[i].label, self.items[i].note).to_lowercase();
                words.iter().all(|w| hay.contains(w.as_str()))
            })
            .collect()
    }

    /// The item under the cursor.
    pub fn selected(&self) -> Option<usize> {
        self.visible().get(self.cursor).copied()
    }
}

/// A key while the picker is open.
pub(super) fn on_key(state: &mut AppState, key: KeyPress) -> Vec<Effect> {
    let Overlay::Pick(picker) = &mut state.overlay else {
        return Vec::new();
    };
    let count = picker.visible().len();
    let step = match (key.key, key.ctrl) {
        (Key::Up, _) | (Key::Char('p'), true) => Some(-1i64),
        (Key::Down, _) | (Key::Char('n'), true) => Some(1),
        _ => None,
    };
    if let Some(step) = step {
        let next = (picker.cursor as i64 + step).clamp(0, count.saturating_sub(1) as i64);
        picker.cursor = next as usize;
        return Vec::new();
    }
    // Tab adds what is picked to the pairs watched (a switch's picker only).
    if let (Key::Tab, PickPurpose::Switch(choices)) = (key.key, &picker.purpose) {
        let Some(contexts) = picker.selected().and_then(|i| choices.get(i)).cloned() else {
            return Vec::new();
        };
        state.overlay = Overlay::None;
        let add = crate::domain::context::Switch {
            contexts,
            add: true,
        };
        return super::context::switch(state, add);
    }
    match picker.input.handle(key) {
        Edit::Submit => {
            let picker = picker.clone();
            state.overlay = Overlay::None;
            match picker.selected() {
                Some(index) => chosen(state, &picker.purpose, index),
                None => Vec::new(),
            }
        }
        Edit::Cancel => {
            state.overlay = Overlay::None;
            Vec::new()
        }
        Edit::Changed => {
            picker.cursor = 0;
            Vec::new()
        }
        Edit::Ignored => Vec::new(),
    }
}

fn chosen(state: &mut AppState, purpose: &PickPurpose, index: usize) -> Vec<Effect> {
    match purpose {
        PickPurpose::Shell(asks) => match asks.get(index) {
            Some(ask) => super::exec::prepare(state, ask.clone()),
            None => Vec::new(),
        },
        PickPurpose::Switch(choices) => match choices.get(index) {
            Some(contexts) => {
                let replace = crate::domain::context::Switch {
                    contexts: contexts.clone(),
                    add: false,
                };
                super::context::switch(state, replace)
            }
            None => Vec::new(),
        },
    }
}
