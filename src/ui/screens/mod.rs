//! One module per screen.

pub mod events;
pub mod home;
pub mod service;
pub mod timeline;
