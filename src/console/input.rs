//! Terminal events → app messages.

use crate::app::{Key, KeyPress, MouseInput, Msg};
use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};

pub fn convert(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => key_press(key).map(Msg::Key),
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::ScrollUp => Some(Msg::Mouse(MouseInput::ScrollUp)),
            MouseEventKind::ScrollDown => Some(Msg::Mouse(MouseInput::ScrollDown)),
            MouseEventKind::Down(MouseButton::Left) => Some(Msg::Mouse(MouseInput::Click {
                column: mouse.column,
                row: mouse.row,
            })),
            _ => None,
        },
        Event::Resize(width, height) => Some(Msg::Resize { width, height }),
        _ => None,
    }
}

fn key_press(key: KeyEvent) -> Option<KeyPress> {
    let code = match key.code {
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::Delete => Key::Delete,
        _ => return None,
    };
    Some(KeyPress {
        key: code,
        ctrl: key.modifiers.contains(KeyModifiers::CONTROL),
        alt: key.modifiers.contains(KeyModifiers::ALT),
    })
}
