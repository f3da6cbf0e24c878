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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseInput {
    ScrollUp,
    ScrollDown,
    Click { column: u16, row: u16 },
}
