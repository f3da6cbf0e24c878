//! A one-line text field (filter, command palette).

use super::input::{Key, KeyPress};
use super::keymap::{text_action, Action};

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

impl TextInput {
    /// Editing keys come from the keymap's text-field bindings; any other
    /// printable key types itself.
    pub fn handle(&mut self, key: KeyPress) -> Edit {
        match text_action(key) {
            Some(Action::EditSubmit) => return Edit::Submit,
            Some(Action::EditCancel) => return Edit::Cancel,
            Some(Action::EditBackspace) => {
                self.text.pop();
                return Edit::Changed;
            }
            Some(Action::EditClear) => {
                self.text.clear();
                return Edit::Changed;
            }
            Some(Action::EditDeleteWord) => {
                let trimmed = self.text.trim_end().len();
                self.text.truncate(trimmed);
                let cut = self.text.rfind(' ').map(|i| i + 1).unwrap_or(0);
                self.text.truncate(cut);
                return Edit::Changed;
            }
            // Completion belongs to the palette; elsewhere Tab does nothing.
            Some(_) => return Edit::Ignored,
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
