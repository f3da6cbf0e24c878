//! Drawing only: `&AppState → Frame`. Screens and widgets read the state and
//! paint; nothing here changes state or does IO. Every text from AWS is
//! sanitized before it is painted, and whatever a screen forgets is caught
//! at the end of every frame: [`draw`] leaves no cell holding a control,
//! escape or bidi character, so nothing reaches the terminal raw.

pub mod format;
pub mod markdown;
pub mod screens;
pub mod theme;
pub mod widgets;

use crate::app::layout::{FOOTER_ROWS, HEADER_ROWS};
use crate::app::state::{AppState, Overlay};
use ratatui::layout::Rect;
use ratatui::Frame;
use theme::Styles;

/// Paint the whole console.
pub fn draw(frame: &mut Frame, state: &AppState) {
    let area = frame.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    let styles = Styles::new(&state.theme, state.no_color);
    let header = Rect {
        height: HEADER_ROWS.min(area.height),
        ..area
    };
    widgets::header::draw(frame, header, state, &styles);

    let body_top = area.y + HEADER_ROWS.min(area.height);
    let footer_rows = FOOTER_ROWS.min(area.height.saturating_sub(HEADER_ROWS));
    let body = Rect {
        x: area.x,
        y: body_top,
        width: area.width,
        height: area.height.saturating_sub(HEADER_ROWS + footer_rows),
    };
    if body.height > 0 {
        (screens::view(&state.screen).draw)(frame, body, state, &styles);
    }
    if footer_rows > 0 {
        let footer = Rect {
            x: area.x,
            y: area.y + area.height - 1,
            width: area.width,
            height: 1,
        };
        widgets::footer::draw(frame, footer, state, &styles);
    }
    match &state.overlay {
        Overlay::None => {}
        Overlay::Help(_) => widgets::help::draw(frame, area, state, &styles),
        Overlay::Palette(view) => widgets::palette::draw(frame, area, state, view, &styles),
        Overlay::Prompt(prompt) => widgets::prompt::draw(frame, area, prompt, &styles),
        Overlay::Pick(picker) => widgets::picker::draw(frame, area, picker, &styles),
    }
    clean_cells(frame.buffer_mut());
}

/// The frame's last pass: a cell whose symbol holds a control or bidi
/// character (a name from AWS a screen painted without cleaning) gets the
/// cleaned symbol, or a space when nothing is left.
fn clean_cells(buffer: &mut ratatui::buffer::Buffer) {
    use crate::domain::sanitize::{is_displayable, one_line};
    for cell in buffer.content.iter_mut() {
        if !is_displayable(cell.symbol()) {
            let clean = one_line(cell.symbol());
            cell.set_symbol(if clean.is_empty() { " " } else { &clean });
        }
    }
}
