//! A one-line text field (filter, command palette).

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

impl TextInput {
    pub fn handle(&mut self, key: KeyPress) -> Edit {
        match (key.key, key.ctrl) {
            (Key::Enter, _) => Edit::Submit,
            (Key::Esc, _) => Edit::Cancel,
            (Key::Char('c'), true) => Edit::Cancel,
            (Key::Backspace, _) => {
                self.text.pop();
                Edit::Changed
            }
            (Key::Char('u'), true) => {
                self.text.clear();
                Edit::Changed
            }
            (Key::Char('w'), true) => {
                let trimmed = self.text.trim_end().len();
                self.text.truncate(trimmed);
                let cut = self.text.rfind(' ').map(|i| i + 1).unwrap_or(0);
                self.text.truncate(cut);
                Edit::Changed
            }
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
