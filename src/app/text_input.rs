//! A one-line text field (the palette, a filter, a prompt, a form's field,
//! a typed confirmation), and the keys that edit it: these are not
//! commands and are never remapped (every other key types itself).

use super::input::{Key, KeyPress};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    pub text: String,
}

/// What a key did to a text field.
#[derive(Debug, PartialEq, Eq)]
pub enum Edit {
    Changed,
    Submit,
    Cancel,
    Ignored,
}

/// A key that edits a text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextKey {
    Submit,
    Cancel,
    Backspace,
    Clear,
    DeleteWord,
}

/// One editing key: what it is called (a `[keys]` entry naming it is
/// refused), its keys, and what it does (help lists them).
pub(crate) struct TextKeySpec {
    pub key: TextKey,
    pub name: &'static str,
    pub keys: &'static [KeyPress],
    pub doc: &'static str,
}

/// The keys of every text field.
pub(crate) const TEXT_KEYS: &[TextKeySpec] = &[
    TextKeySpec {
        key: TextKey::Submit,
        name: "edit_submit",
        keys: &[KeyPress::plain(Key::Enter)],
        doc: "done: run the command, keep the filter, save the answer",
    },
    TextKeySpec {
        key: TextKey::Cancel,
        name: "edit_cancel",
        keys: &[KeyPress::plain(Key::Esc), KeyPress::ctrl('c')],
        doc: "cancel",
    },
    TextKeySpec {
        key: TextKey::Backspace,
        name: "edit_backspace",
        keys: &[KeyPress::plain(Key::Backspace)],
        doc: "delete the last character",
    },
    TextKeySpec {
        key: TextKey::Clear,
        name: "edit_clear",
        keys: &[KeyPress::ctrl('u')],
        doc: "clear the field",
    },
    TextKeySpec {
        key: TextKey::DeleteWord,
        name: "edit_delete_word",
        keys: &[KeyPress::ctrl('w')],
        doc: "delete the last word",
    },
];

/// What a key does in a text field, if it edits.
pub(crate) fn text_key(key: KeyPress) -> Option<TextKey> {
    TEXT_KEYS
        .iter()
        .find(|t| t.keys.contains(&key))
        .map(|t| t.key)
}

impl TextInput {
    /// Editing keys from [`TEXT_KEYS`]; any other printable key types itself.
    pub fn handle(&mut self, key: KeyPress) -> Edit {
        match text_key(key) {
            Some(TextKey::Submit) => return Edit::Submit,
            Some(TextKey::Cancel) => return Edit::Cancel,
            Some(TextKey::Backspace) => {
                self.text.pop();
                return Edit::Changed;
            }
            Some(TextKey::Clear) => {
                self.text.clear();
                return Edit::Changed;
            }
            Some(TextKey::DeleteWord) => {
                let trimmed = self.text.trim_end().len();
                self.text.truncate(trimmed);
                let cut = self.text.rfind(' ').map(|i| i + 1).unwrap_or(0);
                self.text.truncate(cut);
                return Edit::Changed;
            }
            None => {}
        }
        match (key.key, key.ctrl) {
            (Key::Char(c), false) if !c.is_control() => {
                if self.text.chars().count() < 200 {
                    self.text.push(c);
                }
                Edit::Changed
            }
            _ => Edit::Ignored,
        }
    }
}
