//! Terminal events → app messages, read on a thread of their own.
//!
//! The reader owns crossterm's `EventStream` and awaits it properly, so
//! the stream always holds the reader's waker; the loop only ever receives
//! from a channel. The reader runs on its own OS thread, not on the
//! runtime's workers: a worker busy with a large answer (2,000 services'
//! metrics) never holds a key back. Signals that end the console arrive the
//! same way.

use super::event_loop::Input;
use crate::app::{Key, KeyPress, MouseInput, Msg};
use crossterm::event::{
    Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use futures::StreamExt;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

/// The running reader. [`Reader::stop`] (or dropping it) ends it and waits
/// until its stream is dropped, so nothing more is read from the terminal.
pub struct Reader {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Reader {
    /// Stop reading; returns once the stream is gone.
    pub fn stop(&mut self) {
        self.stop.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Read the terminal until it ends, sending every event the app understands.
/// Stop the reader before the terminal is restored.
pub(crate) fn spawn_reader(inputs: UnboundedSender<Input>) -> std::io::Result<Reader> {
    spawn_reader_from(EventStream::new, inputs)
}

/// The same over any stream of terminal events (tests give their own),
/// made on the reader's thread by `open`.
pub fn spawn_reader_from<S, F>(open: F, inputs: UnboundedSender<Input>) -> std::io::Result<Reader>
where
    S: futures::Stream<Item = std::io::Result<Event>> + Unpin + 'static,
    F: FnOnce() -> S + Send + 'static,
{
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let thread = std::thread::Builder::new()
        .name("triage-keys".into())
        .spawn(move || {
            let events = open();
            runtime.block_on(async move {
                tokio::select! {
                    _ = stopped => {}
                    _ = forward(events, &inputs) => {}
                }
            });
        })?;
    Ok(Reader {
        stop: Some(stop),
        thread: Some(thread),
    })
}

/// Every event the app understands goes to the loop; the end of the stream is a stop.
async fn forward<S>(mut events: S, inputs: &UnboundedSender<Input>)
where
    S: futures::Stream<Item = std::io::Result<Event>> + Unpin,
{
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
