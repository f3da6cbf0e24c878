//! One module per screen, each with its `draw` and its breadcrumb; [`view`]
//! is the one registration that ties a [`Screen`] to them.

pub mod alarms;
pub mod changes;
pub mod diagnosis;
pub mod events;
pub mod finding;
pub mod keymap;
pub mod logs;
pub mod run;
pub mod runbook_form;
pub mod runbooks;
pub mod security;
pub mod service;
pub mod service_changes;
pub mod service_logs;
pub mod service_security;
pub mod services;
pub mod task_logs;
pub mod timeline;
pub mod waterfall;

use crate::app::{AppState, Screen};
use crate::ui::theme::Styles;
use ratatui::layout::Rect;
use ratatui::Frame;

/// Draws a screen's body.
pub(crate) type Draw = fn(&mut Frame, Rect, &AppState, &Styles);
/// A screen's breadcrumb in the header.
pub(crate) type Crumb = fn(&AppState) -> String;

/// How a screen is drawn: its body and its breadcrumb in the header.
pub struct View {
    pub draw: Draw,
    pub crumb: Crumb,
}

/// The one registration: each screen's drawing.
pub fn view(screen: &Screen) -> View {
    let (draw, crumb): (Draw, Crumb) = match screen {
        Screen::Services => (services::draw, services::crumb),
        Screen::Service(_) => (service::draw, service::crumb),
        Screen::Events(_) => (events::draw, events::crumb),
        Screen::Timeline => (timeline::draw, timeline::crumb),
        Screen::Diagnosis => (diagnosis::draw, diagnosis::crumb),
        Screen::Finding(_) => (finding::draw, finding::crumb),
        Screen::TaskLogs(_) => (task_logs::draw, task_logs::crumb),
        Screen::Runbooks => (runbooks::draw, runbooks::crumb),
        Screen::RunbookForm => (runbook_form::draw, runbook_form::crumb),
        Screen::Run => (run::draw, run::crumb),
        Screen::Logs => (logs::draw, logs::crumb),
        Screen::Keymap => (keymap::draw, keymap::crumb),
        Screen::Alarms => (alarms::draw, alarms::crumb),
        Screen::Security => (security::draw, security::crumb),
        Screen::Changes => (changes::draw, changes::crumb),
        Screen::Waterfall => (waterfall::draw, waterfall::crumb),
    };
    View { draw, crumb }
}
