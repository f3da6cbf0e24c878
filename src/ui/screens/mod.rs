//! One module per screen.

pub mod diagnosis;
pub mod events;
pub mod finding;
pub mod home;
pub mod keymap;
pub mod logs;
pub mod run;
pub mod runbook_form;
pub mod runbooks;
pub mod service;
pub mod task_logs;
pub mod timeline;
