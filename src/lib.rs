//! triage: a terminal incident-response console for AWS ECS.
//!
//! Layers (see DESIGN.md): `domain` is pure; `aws` and `demo` implement its
//! ports; `workers` carry out effects; `app` holds the console state; `ui`
//! draws it; `cli` is the non-interactive face; `settings` resolves flags,
//! environment and config.

pub mod domain;
pub mod settings;
pub mod demo;
pub mod aws;
pub mod app;
pub mod workers;
pub mod ui;
pub mod console;
pub mod wiring;
pub mod cli;
