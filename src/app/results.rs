//! What a worker's answer does to the state: the status read is ranked here;
//! every other answer goes to the module that owns it (a screen's, or
//! `incident` for the journal).

use super::effect::{Effect, WorkerResult};
use super::incident;
use super::navigation::flash;
use super::refresh::settle;
use super::screens::{diagnosis, finding, logs, runbook, service, services, task_logs};
use super::state::AppState;
use crate::domain::ranking::rank_watched;
use crate::domain::timeline::observe;
use crate::domain::PortError;

pub(super) fn on_result(state: &mut AppState, result: WorkerResult) -> Vec<Effect> {
    // Long on purpose: the dispatcher: one arm per WorkerResult, each handing it to the module that owns it.
    let now = state.now;
    match result {
        WorkerResult::Identity(Ok(identity)) => {
            state.identity = Some(identity);
            state.identity_error = None;
            return incident::record_start(state);
        }
        WorkerResult::Identity(Err(err)) => state.identity_error = Some(err),
        WorkerResult::Status { generation, result } => {
            if generation != state.status.generation {
                return Vec::new(); // an older refresh, overtaken
            }
            let interval = state.session.refresh_others;
            let previous = state.status.data.take();
            let result = result.map(|snapshot| {
                if snapshot.throttled_calls > state.throttled_calls {
                    state.throttled_at = Some(now);
                }
                state.throttled_calls = snapshot.throttled_calls;
                state.cluster_errors = snapshot.cluster_errors;
                state.clusters_read = snapshot.clusters;
                rank_watched(snapshot.services, now, &state.monitoring.owned)
            });
            if let Err(PortError::Throttled { .. }) = &result {
                state.throttled_at = Some(now);
            }
            let mut effects = Vec::new();
            if let (Ok(next), Some(_)) = (&result, &state.incident) {
                effects.extend(
                    observe::changes(previous.as_deref(), next)
                        .into_iter()
                        .map(|draft| Effect::Journal(Box::new(draft))),
                );
            }
            if result.is_err() {
                state.status.data = previous;
            }
            settle(&mut state.status, now, interval, result);
            services::restore_selection(state);
            return effects;
        }
        WorkerResult::Alarms { generation, result } => {
            return super::monitoring::on_alarms(state, generation, result)
        }
        WorkerResult::Metrics { generation, result } => {
            super::monitoring::on_metrics(state, generation, result)
        }
        WorkerResult::Sso(token) => return super::sso::on_token(state, token),
        WorkerResult::TargetHealth { key, result, .. } => service::on_targets(state, key, result),
        WorkerResult::ServiceDetail {
            generation,
            key,
            result,
        } => service::on_detail(state, generation, key, result),
        WorkerResult::IncidentAttached(Ok((id, entries))) => {
            return incident::on_attached(state, id, entries)
        }
        WorkerResult::IncidentAttached(Err(message)) => flash(state, &message, true),
        WorkerResult::ExecReady(result) => return super::exec::on_ready(state, result),
        WorkerResult::Profiles(result) => return super::context::on_profiles(state, result),
        WorkerResult::ContextReady { context, result } => {
            return super::context::on_ready(state, context, result)
        }
        WorkerResult::ExecEnded { request, result } => {
            return super::exec::on_ended(state, request, result)
        }
        WorkerResult::Journaled(Ok(entry)) => return incident::on_journaled(state, *entry),
        WorkerResult::SharePulled(result) => incident::on_share_pulled(state, result),
        WorkerResult::Diagnosis { generation, result } => {
            return diagnosis::on_report(state, generation, result)
        }
        WorkerResult::TaskLogs { task_arn, logs } => task_logs::on_task_log(state, task_arn, logs),
        WorkerResult::RevisionDiff {
            task_arn,
            before,
            after,
            result,
        } => finding::on_revision_diff(state, task_arn, before, after, result),
        WorkerResult::Runbooks(files) => return runbook::on_runbooks(state, files),
        WorkerResult::LogHits {
            generation,
            events,
            services,
        } => logs::on_hits(state, generation, events, services),
        WorkerResult::LogsDone {
            generation,
            complete,
            coverage,
            capped,
        } => logs::on_done(state, generation, complete, coverage, capped),
        WorkerResult::LogContext {
            generation,
            index,
            lines,
        } => logs::on_context(state, generation, index, lines),
        WorkerResult::Run(event) => {
            let mut effects = Vec::new();
            if let super::effect::RunEvent::Transition(entry) = &event {
                // The run journals by itself; the timeline shows its entries too.
                effects = on_result(state, WorkerResult::Journaled(Ok(entry.clone())));
            }
            runbook::on_event(state, event);
            return effects;
        }
        WorkerResult::SharePublishFailed(message) => incident::on_publish_failed(state, message),
        WorkerResult::Journaled(Err(message)) => {
            flash(
                state,
                &format!("NOT written to the journal: {message}"),
                true,
            );
        }
        WorkerResult::Exported(Ok(paths)) => {
            flash(state, &format!("exported {}", paths.join(", ")), false)
        }
        WorkerResult::Exported(Err(message)) => {
            flash(state, &format!("export failed: {message}"), true)
        }
    }
    Vec::new()
}
