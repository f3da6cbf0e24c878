//! Terminal events → app messages, read by a job of their own.
//!
//! The reader job owns crossterm's `EventStream` and awaits it properly, so
//! the stream always holds that job's waker; the loop only ever receives
//! from a channel. Signals that end the console arrive the same way.

use super::event_loop::Input;
use crate::app::{Key, KeyPress, MouseInput, Msg};
use crossterm::event::{
    Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use futures::StreamExt;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

/// Read the terminal until it ends, sending every event the app understands.
/// Abort the handle to stop reading (before the terminal is restored).
pub(crate) fn spawn_reader(inputs: UnboundedSender<Input>) -> JoinHandle<()> {
    spawn_reader_from(EventStream::new(), inputs)
}

/// The same over any stream of terminal events (tests give their own).
pub fn spawn_reader_from<S>(mut events: S, inputs: UnboundedSender<Input>) -> JoinHandle<()>
where
    S: futures::Stream<Item = std::io::Result<Event>> + Send + Unpin + 'static,
{
    tokio::spawn(async move {
        while let Some(event) = events.next().await {
            let sent = match event {
                Ok(event) => match convert(event) {
                    Some(msg) => inputs.send(Input::Msg(msg)),
                    None => Ok(()),
                },
                Err(err) => {
                    let _ = inputs.send(Input::Failed(err));
                    return;
                }
            };
            if sent.is_err() {
                return;
            }
        }
        let _ = inputs.send(Input::Stop);
    })
}

/// SIGHUP (the terminal went away) and SIGTERM become a clean stop.
pub(crate) fn spawn_signals(inputs: UnboundedSender<Input>) -> std::io::Result<JoinHandle<()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut hangup = signal(SignalKind::hangup())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(tokio::spawn(async move {
        tokio::select! {
            _ = hangup.recv() => {}
            _ = terminate.recv() => {}
        }
        let _ = inputs.send(Input::Stop);
    }))
}

pub(crate) fn convert(event: Event) -> Option<Msg> {
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
        Event::Paste(text) => Some(Msg::Paste(text)),
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
