//! The console's side of filling a runbook's form: the selection's service,
//! its exposure as last read and the pair's flow logs role, handed to the
//! domain's rules (`domain::runbook::fill`).

use super::state::RunContext;
use crate::app::state::AppState;
use crate::domain::exposure::Exposure;
use crate::domain::pair::WatchedPair;
use crate::domain::runbook::fill::Selection;
pub use crate::domain::runbook::fill::{Filled as KnownValue, FROM_EXPOSURE};
use crate::domain::service::ServiceKey;

/// The service a selection names, if it names one.
pub(crate) fn service_key(context: &RunContext) -> Option<ServiceKey> {
    Some(ServiceKey {
        cluster: context.cluster.clone()?,
        service: context.service.clone()?,
        pair: context.pair.clone().unwrap_or_default(),
    })
}

/// The value the selection, the service's exposure and the pair give a
/// parameter of this name.
pub(crate) fn value_for(
    param: &str,
    context: &RunContext,
    exposure: Option<&Exposure>,
    pair: &WatchedPair,
) -> Option<KnownValue> {
    crate::domain::runbook::fill::value_for(
        param,
        &Selection {
            cluster: context.cluster.as_deref(),
            service: context.service.as_deref(),
            task: context.task.as_deref(),
            exposure,
            flow_logs_role: pair.flow_logs_role.as_deref(),
        },
    )
}

/// The exposure a selection's service has on record.
pub(crate) fn exposure_for<'a>(state: &'a AppState, context: &RunContext) -> Option<&'a Exposure> {
    state.exposure_of(&service_key(context)?)
}
