//! What a person decides when a run asks: confirm, answer, mark a step
//! left unknown, skip, abort, or wait. Given by the CLI's flags or the
//! console's keys; the driver turns each into a journaled transition.

/// What became of a step that was running when triage stopped (or that
/// failed): it is done, it failed, or it runs again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Done,
    Failed,
    Retry,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Confirm {
        by: String,
        typed: Option<String>,
    },
    Answer {
        by: String,
        value: String,
    },
    Resolve {
        by: String,
        how: Resolution,
    },
    Skip {
        by: String,
        reason: String,
    },
    Abort {
        by: String,
        reason: String,
    },
    /// Nobody can answer now: the run pauses here.
    Wait,
}
