//! The console's state and its one `update(state, msg) -> effects` function
//! (The Elm Architecture). Nothing here awaits, draws or does IO: the console
//! loop feeds messages in, workers carry effects out.

pub mod changes;
pub mod commands;
pub(crate) mod context;
pub(crate) mod cursors;
mod exec;
pub mod help;
pub(crate) mod incident;
pub mod input;
pub mod keymap;
mod keys;
pub mod layout;
pub mod monitoring;
mod mouse;
pub(crate) mod naming;
pub(crate) mod navigation;
pub mod pairs;
pub mod paste;
pub mod picker;
mod prompts;
pub(crate) mod refresh;
mod results;
pub mod screens;
pub mod security;
pub mod sso;
pub mod state;
pub mod text_input;
pub mod update;
pub mod waiting;
pub(crate) mod watches;

/// The contract with the workers lives outside `app` (both sides import it).
pub use crate::effect;
pub use crate::effect::{Effect, ServiceDetail, StatusSnapshot, WorkerResult};
pub use input::{Key, KeyPress, MouseInput};
pub use state::{AppState, Screen};
pub use update::{update, Msg};
