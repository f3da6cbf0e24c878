//! What a worker's answer does to the state: every answer goes to the
//! module that owns it (`pairs` for the status reads, a screen's, or
//! `incident` for the journal).

use super::effect::{Effect, WorkerResult};
use super::incident;
use super::navigation::flash;
use super::screens::{diagnosis, finding, logs, runbook, service, task_logs};
use super::state::AppState;

pub(super) fn on_result(state: &mut AppState, result: WorkerResult) -> Vec<Effect> {
    // Long on purpose: the dispatcher: one arm per WorkerResult, each handing it to the module that owns it.
    match result {
        WorkerResult::Identity { pair, result } => {
            return super::pairs::on_identity(state, pair, result)
        }
        WorkerResult::Status {
            generation,
            pair,
            result,
        } => return super::pairs::on_status(state, generation, pair, result),
        WorkerResult::Alarms {
            generation,
            pair,
            result,
        } => return super::monitoring::on_alarms(state, generation, pair, result),
        WorkerResult::Metrics {
            generation,
            pair,
            result,
        } => return super::monitoring::on_metrics(state, generation, pair, result),
        WorkerResult::Baseline {
            generation,
            pair,
            result,
        } => return super::monitoring::on_baseline(state, generation, pair, result),
        WorkerResult::Exposure {
            generation,
            pair,
            result,
        } => return super::security::on_exposure(state, generation, pair, result),
        WorkerResult::Security {
            generation,
            pair,
            result,
        } => return super::security::on_security(state, generation, pair, result),
        WorkerResult::Changes {
            generation,
            pair,
            result,
        } => super::changes::on_changes(state, generation, pair, result),
        WorkerResult::ServiceLogs {
            generation,
            key,
            result,
        } => super::screens::service_logs::on_lines(state, generation, key, result),
        WorkerResult::Waterfall { generation, result } => {
            super::screens::waterfall::on_waterfall(state, generation, result)
        }
        WorkerResult::Slow { pair, result } => return super::waiting::on_slow(state, pair, result),
        WorkerResult::Sso { profile, token } => return super::sso::on_token(state, profile, token),
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
        WorkerResult::ContextReady { switch, result } => {
            return super::context::on_ready(state, switch, result)
        }
        WorkerResult::ExecEnded { request, result } => {
            return super::exec::on_ended(state, request, result)
        }
        WorkerResult::Journaled(Ok(entry)) => return incident::on_journaled(state, *entry),
        WorkerResult::JournalGrew(entries) => incident::on_journal_grew(state, entries),
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
        } => return logs::on_done(state, generation, complete, coverage, capped),
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
