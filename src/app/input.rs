//! Keys and mouse input in triage's own terms (the console converts terminal
//! events into these, so `app` does not depend on a terminal library).

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Char(char),
    Enter,
    Esc,
    Backspace,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Delete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyPress {
    pub key: Key,
    pub ctrl: bool,
    pub alt: bool,
}

impl KeyPress {
    pub const fn plain(key: Key) -> KeyPress {
        KeyPress {
            key,
            ctrl: false,
            alt: false,
        }
    }

    pub const fn ctrl(c: char) -> KeyPress {
        KeyPress {
            key: Key::Char(c),
            ctrl: true,
            alt: false,
        }
    }

    pub const fn char(c: char) -> KeyPress {
        KeyPress::plain(Key::Char(c))
    }

    /// A key as written in `[keys]`: `t`, `T`, `ctrl-x` (or `^x`), `alt-x`,
    /// `enter`, `esc`, `tab`, `backtab`, `backspace`, `delete`, `space`,
    /// `up`, `down`, `left`, `right`, `pgup`, `pgdn`, `home`, `end`.
    pub fn parse(text: &str) -> Result<KeyPress, String> {
        let t = text.trim();
        let (ctrl, alt, rest) = if let Some(r) = t.strip_prefix("ctrl-").or(t.strip_prefix("^")) {
            (true, false, r)
        } else if let Some(r) = t.strip_prefix("alt-") {
            (false, true, r)
        } else {
            (false, false, t)
        };
        let key = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => Key::Enter,
            "esc" | "escape" => Key::Esc,
            "tab" => Key::Tab,
            "backtab" | "shift-tab" => Key::BackTab,
            "backspace" => Key::Backspace,
            "delete" | "del" => Key::Delete,
            "space" => Key::Char(' '),
            "up" => Key::Up,
            "down" => Key::Down,
            "left" => Key::Left,
            "right" => Key::Right,
            "pgup" | "pageup" => Key::PageUp,
            "pgdn" | "pagedown" => Key::PageDown,
            "home" => Key::Home,
            "end" => Key::End,
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if !c.is_control() => Key::Char(c),
                    _ => {
                        return Err(format!(
                            "cannot read the key `{text}`: use one character (`t`), `ctrl-x`, `alt-x`, or enter, esc, tab, backspace, delete, space, up, down, left, right, pgup, pgdn, home, end"
                        ))
                    }
                }
            }
        };
        Ok(KeyPress { key, ctrl, alt })
    }

    /// As shown in help: `t`, `^x`, `M-x`, `Enter`, `↑`.
    pub fn label(&self) -> String {
        let key = match self.key {
            Key::Char(' ') => "Space".to_string(),
            Key::Char(c) => c.to_string(),
            Key::Enter => "Enter".into(),
            Key::Esc => "Esc".into(),
            Key::Backspace => "Backspace".into(),
            Key::Tab => "Tab".into(),
            Key::BackTab => "S-Tab".into(),
            Key::Up => "↑".into(),
            Key::Down => "↓".into(),
            Key::Left => "←".into(),
            Key::Right => "→".into(),
            Key::PageUp => "PgUp".into(),
            Key::PageDown => "PgDn".into(),
            Key::Home => "Home".into(),
            Key::End => "End".into(),
            Key::Delete => "Del".into(),
        };
        match (self.ctrl, self.alt) {
            (true, _) => format!("^{key}"),
            (_, true) => format!("M-{key}"),
            _ => key,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseInput {
    ScrollUp,
    ScrollDown,
    Click { column: u16, row: u16 },
}
