//! One module per screen.

pub mod diagnosis;
pub mod events;
pub mod finding;
pub mod home;
pub mod service;
pub mod task_logs;
pub mod timeline;
