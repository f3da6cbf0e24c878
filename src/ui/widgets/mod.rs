//! Pieces shared by every screen: header, footer, overlays, status notes.

pub mod footer;
pub mod header;
pub mod help;
pub mod list_detail;
pub mod palette;
pub mod picker;
pub mod popup;
pub mod prompt;
pub mod status_note;
pub mod trend;
