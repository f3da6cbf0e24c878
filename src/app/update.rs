//! `update(state, msg) -> effects`: every change to the console's state starts
//! here; each kind of message goes to the module that owns its job
//! (`refresh`, `results`, `keys`, `mouse`, `cursors`, `prompts`, `commands`,
//! `navigation`, and the screens' own modules).

use super::cursors::clamp_cursors;
use super::effect::{Effect, WorkerResult};
use super::input::{Key, KeyPress, MouseInput};
use super::keys::on_key;
use super::mouse::on_mouse;
use super::refresh::{due_refreshes, request_status};
use super::results::on_result;
use super::state::AppState;
use chrono::{DateTime, Utc};

/// Something that happened.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyPress),
    Mouse(MouseInput),
    /// Text pasted into the terminal (bracketed paste): typed into the
    /// field being edited, ignored anywhere else.
    Paste(String),
    Resize {
        width: u16,
        height: u16,
    },
    /// Time passed (the console ticks about once a second).
    Tick(DateTime<Utc>),
    Worker(WorkerResult),
}

/// The effects to run when the console opens.
pub fn init(state: &mut AppState) -> Vec<Effect> {
    let mut effects = super::pairs::request_identities(state);
    effects.push(Effect::LoadRunbooks);
    effects.extend(request_status(state));
    effects
}

pub fn update(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick(now) => {
            state.now = now;
            if state.message.as_ref().is_some_and(|m| m.until <= now) {
                state.message = None;
            }
            let mut effects = due_refreshes(state);
            // Another terminal may have written to the incident: a look a tick.
            if state.incident.is_some() {
                effects.push(Effect::FollowJournal);
            }
            effects
        }
        Msg::Resize { width, height } => {
            state.width = width;
            state.height = height;
            clamp_cursors(state);
            Vec::new()
        }
        Msg::Worker(result) => on_result(state, result),
        // A lone Esc and the key after it, read together (a slow link, a
        // fast hand), arrive as Alt+key: unless Alt+key is bound here, it
        // is Esc, then the key.
        Msg::Key(key)
            if key.alt && !key.ctrl && state.keymap.command_for(&state.screen, key).is_none() =>
        {
            let mut effects = on_key(state, KeyPress::plain(Key::Esc));
            effects.extend(on_key(state, KeyPress { alt: false, ..key }));
            effects
        }
        Msg::Key(key) => on_key(state, key),
        Msg::Mouse(mouse) => on_mouse(state, mouse),
        Msg::Paste(text) => super::paste::on_paste(state, &text),
    }
}

pub(crate) use super::navigation::{back, flash, go};
