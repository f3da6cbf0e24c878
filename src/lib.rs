//! triage: a terminal incident-response console for AWS ECS.
//!
//! Layers (see docs/ARCHITECTURE.md): `domain` is pure; `aws` and `demo` implement its
//! ports; `workers` carry out effects (the contract both sides import is
//! `effect`); `app` holds the console state; `ui`
//! draws it; `cli` is the non-interactive face; `settings` resolves flags,
//! environment and config.

pub mod app;
pub mod aws;
pub mod cli;
pub mod console;
pub mod demo;
pub mod domain;
pub mod effect;
pub mod settings;
pub mod store;
pub mod ui;
pub mod wiring;
pub mod workers;

// Unit tests name the crate as the integration tests do (`triage::…`), so
// the fixture reader is one file for both.
#[cfg(test)]
extern crate self as triage;

/// AWS-shaped fixtures read into domain types (`tests/fixtures/`), shared
/// with the integration tests.
#[cfg(test)]
#[path = "../tests/it/support/fixtures.rs"]
mod fixtures;
