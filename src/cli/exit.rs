//! Exit codes, decided from the error that ended a command.

use crate::demo::scenario::ScenarioError;
use crate::domain::PortError;
use crate::settings::SettingsError;

pub const OK: u8 = 0;
/// The command ran and found a problem the flags asked to fail on.
pub const PROBLEM_FOUND: u8 = 1;
/// Bad usage or input (flags, config, unknown cluster).
pub const USAGE: u8 = 2;
/// AWS or credential failure.
pub const AWS: u8 = 3;

/// The exit code for an error that ended a command.
pub fn code_for(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if let Some(share) = cause.downcast_ref::<crate::workers::share::ShareError>() {
            return match share {
                crate::workers::share::ShareError::Port(p) => port_code(p),
                crate::workers::share::ShareError::Store(crate::store::StoreError::Io {
                    ..
                }) => PROBLEM_FOUND,
                crate::workers::share::ShareError::Store(_) => USAGE,
            };
        }
        if cause.downcast_ref::<SettingsError>().is_some()
            || cause.downcast_ref::<ScenarioError>().is_some()
        {
            return USAGE;
        }
        if let Some(store) = cause.downcast_ref::<crate::store::StoreError>() {
            return match store {
                crate::store::StoreError::Io { .. } => PROBLEM_FOUND,
                _ => USAGE,
            };
        }
        if let Some(port) = cause.downcast_ref::<PortError>() {
            return port_code(port);
        }
    }
    PROBLEM_FOUND
}

fn port_code(port: &PortError) -> u8 {
    match port {
        PortError::NotFound { what, .. } if what == "cluster" => USAGE,
        PortError::InvalidInput { .. } => USAGE,
        _ => AWS,
    }
}
