//! Workers: tokio jobs that carry out the app's effects against the ports and
//! send the results back, tagged with the generation of their request.

pub mod diagnosis;
pub mod exec;
pub mod insights;
pub mod logsearch;
pub mod pipeline;
pub mod runbook;
pub mod service;
pub mod share;
pub mod status;
pub mod watch;

use crate::domain::ports::{EcsPort, LogsPort, MonitoringPort, SharePort};
use crate::effect::{Effect, WorkerResult};
use crate::store::IncidentStore;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::UnboundedSender;

/// Runs effects in the background; results go to the console loop's channel.
#[derive(Clone)]
pub struct Workers {
    ecs: Arc<dyn EcsPort>,
    results: UnboundedSender<WorkerResult>,
    /// The shared incident log and the local store its entries are cached in.
    shared: Option<(Arc<dyn SharePort>, Arc<IncidentStore>)>,
    /// Container logs, for the last lines of stopped tasks.
    logs: Option<Arc<dyn LogsPort>>,
    /// Log groups searched by ID (the logs screen).
    search: Option<Arc<dyn crate::domain::ports::LogSearchPort>>,
    search_scope: Arc<logsearch::SearchScope>,
    /// Runbook folders, and what runs need.
    runbook_paths: Vec<PathBuf>,
    runs: Option<runbook::operator::ConsoleRuns>,
    /// Where the decisions for the run in progress go.
    decisions: Arc<Mutex<Option<runbook::operator::DecisionSender>>>,
    /// CloudWatch alarms and metrics, and target health.
    monitoring: Option<Arc<dyn MonitoringPort>>,
    /// ECS Exec, and whether the console is read-only (which refuses it).
    exec: Option<(Arc<dyn crate::domain::exec::ExecPort>, bool)>,
    /// Stopped tasks and log tails the background diagnosis has already read.
    stopped_memory: Arc<tokio::sync::Mutex<diagnosis::StoppedMemory>>,
}

impl Workers {
    pub fn new(ecs: Arc<dyn EcsPort>, results: UnboundedSender<WorkerResult>) -> Workers {
        Workers {
            ecs,
            results,
            shared: None,
            logs: None,
            search: None,
            search_scope: Default::default(),
            runbook_paths: Vec::new(),
            runs: None,
            decisions: Arc::new(Mutex::new(None)),
            stopped_memory: Default::default(),
            monitoring: None,
            exec: None,
        }
    }

    /// Answer the run in progress of `old` (its decisions) from these workers.
    pub fn keep_runs_of(mut self, old: &Workers) -> Workers {
        self.decisions = old.decisions.clone();
        self
    }

    /// Open shells through this port (refused when `read_only`).
    pub fn with_exec(
        mut self,
        exec: Arc<dyn crate::domain::exec::ExecPort>,
        read_only: bool,
    ) -> Workers {
        self.exec = Some((exec, read_only));
        self
    }

    /// Read alarms, metrics and target health through this port.
    pub fn with_monitoring(mut self, monitoring: Arc<dyn MonitoringPort>) -> Workers {
        self.monitoring = Some(monitoring);
        self
    }

    /// Find runbooks in these folders and run them through these ports.
    pub fn with_runbooks(
        mut self,
        paths: Vec<PathBuf>,
        runs: runbook::operator::ConsoleRuns,
    ) -> Workers {
        self.runbook_paths = paths;
        self.runs = Some(runs);
        self
    }

    /// Read stopped containers' last log lines through this port.
    pub fn with_logs(mut self, logs: Arc<dyn LogsPort>) -> Workers {
        self.logs = Some(logs);
        self
    }

    /// Search log groups by correlation ID through this port.
    pub fn with_search(
        mut self,
        search: Arc<dyn crate::domain::ports::LogSearchPort>,
        scope: logsearch::SearchScope,
    ) -> Workers {
        self.search = Some(search);
        self.search_scope = Arc::new(scope);
        self
    }

    /// Share incident timelines through this log (`--share`).
    pub fn with_share(mut self, shared: Arc<dyn SharePort>, store: Arc<IncidentStore>) -> Workers {
        self.shared = Some((shared, store));
        self
    }

    /// Start the job for an effect; never blocks.
    pub fn run(&self, effect: Effect) {
        // Long on purpose: the dispatcher: one arm per Effect, each a few lines handing the effect to its worker; a table would hide the ports each arm needs.
        let ecs = self.ecs.clone();
        let results = self.results.clone();
        match effect {
            Effect::FetchIdentity => {
                tokio::spawn(async move {
                    let result = ecs.identity().await;
                    let _ = results.send(WorkerResult::Identity(result));
                });
            }
            Effect::FetchStatus {
                generation,
                clusters,
            } => {
                tokio::spawn(async move {
                    let result = status::fetch_status(ecs.as_ref(), &clusters).await;
                    let _ = results.send(WorkerResult::Status { generation, result });
                });
            }
            Effect::FetchAlarms {
                generation,
                target_groups,
            } => {
                let monitoring = self.monitoring.clone();
                tokio::spawn(async move {
                    let result = match monitoring {
                        Some(port) => watch::read_alarms(port.as_ref(), &target_groups).await,
                        None => Err(watch::no_monitoring()),
                    };
                    let _ = results.send(WorkerResult::Alarms { generation, result });
                });
            }
            Effect::FetchMetrics {
                generation,
                queries,
                start,
                end,
            } => {
                let monitoring = self.monitoring.clone();
                tokio::spawn(async move {
                    let result = match monitoring {
                        Some(port) => port.metric_data(&queries, start, end).await,
                        None => Err(watch::no_monitoring()),
                    };
                    let _ = results.send(WorkerResult::Metrics { generation, result });
                });
            }
            Effect::CheckSso { profile } => {
                tokio::spawn(async move {
                    let token = tokio::task::spawn_blocking(move || {
                        crate::store::aws_profiles::AwsFiles::from_env(&|k| std::env::var(k).ok())
                            .sso_token(&profile)
                    })
                    .await
                    .ok()
                    .flatten();
                    let _ = results.send(WorkerResult::Sso(token));
                });
            }
            Effect::FetchTargetHealth { key, target_group } => {
                let monitoring = self.monitoring.clone();
                tokio::spawn(async move {
                    let result = match monitoring {
                        Some(port) => port.target_health(&target_group).await,
                        None => Err(watch::no_monitoring()),
                    };
                    let _ = results.send(WorkerResult::TargetHealth {
                        key,
                        target_group,
                        result,
                    });
                });
            }
            Effect::FetchServiceDetail { generation, key } => {
                tokio::spawn(async move {
                    let result = service::fetch_detail(ecs.as_ref(), &key)
                        .await
                        .map(Box::new);
                    let _ = results.send(WorkerResult::ServiceDetail {
                        generation,
                        key,
                        result,
                    });
                });
            }
            Effect::FetchDiagnosis {
                generation,
                clusters,
                known,
            } => {
                let logs = self.logs.clone();
                let memory = self.stopped_memory.clone();
                tokio::spawn(async move {
                    let scope = diagnosis::DiagnosisScope {
                        clusters,
                        ..Default::default()
                    };
                    let mut memory = memory.lock().await;
                    let result = diagnosis::diagnose_pass(
                        ecs.as_ref(),
                        logs.as_deref(),
                        &scope,
                        known,
                        &mut memory,
                        chrono::Utc::now(),
                    )
                    .await
                    .map(Box::new);
                    let _ = results.send(WorkerResult::Diagnosis { generation, result });
                });
            }
            Effect::FetchRevisionDiff {
                task_arn,
                before,
                after,
            } => {
                tokio::spawn(async move {
                    let result = async {
                        let old = ecs.task_definition(&before).await?;
                        let new = ecs.task_definition(&after).await?;
                        Ok(crate::domain::diagnosis::patterns::diff(&old, &new))
                    }
                    .await;
                    let _ = results.send(WorkerResult::RevisionDiff {
                        task_arn,
                        before,
                        after,
                        result,
                    });
                });
            }
            Effect::FetchTaskLogs { finding } => {
                let Some(logs) = self.logs.clone() else {
                    let _ = results.send(WorkerResult::TaskLogs {
                        task_arn: finding.task_arn.clone(),
                        logs: crate::domain::diagnosis::LogTail::Missing {
                            why: NO_LOGS.into(),
                        },
                    });
                    return;
                };
                tokio::spawn(async move {
                    let lines =
                        diagnosis::fetch_task_logs(ecs.as_ref(), logs.as_ref(), &finding).await;
                    let _ = results.send(WorkerResult::TaskLogs {
                        task_arn: finding.task_arn.clone(),
                        logs: lines,
                    });
                });
            }
            Effect::PublishShare { incident, entries } => {
                let Some((shared, _)) = self.shared.clone() else {
                    let _ = results.send(WorkerResult::SharePublishFailed(NO_SHARE.into()));
                    return;
                };
                tokio::spawn(async move {
                    if let Err(err) = shared.publish(&incident, &entries).await {
                        let _ = results.send(WorkerResult::SharePublishFailed(err.to_string()));
                    }
                });
            }
            Effect::PullShare { incident, cursor } => {
                let Some((shared, store)) = self.shared.clone() else {
                    let _ = results.send(WorkerResult::SharePulled(Err(NO_SHARE.into())));
                    return;
                };
                tokio::spawn(async move {
                    let result = share::pull(shared.as_ref(), &store, &incident, cursor)
                        .await
                        .map_err(|e| e.to_string());
                    let _ = results.send(WorkerResult::SharePulled(result));
                });
            }
            Effect::SearchLogs {
                generation,
                id,
                start,
                end,
                search_all,
            } => {
                let Some(search) = self.search.clone() else {
                    let _ = results.send(WorkerResult::LogsDone {
                        generation,
                        complete: false,
                        coverage: "log search is not available in this session".into(),
                        capped: false,
                    });
                    return;
                };
                let scope = self.search_scope.clone();
                tokio::spawn(async move {
                    logsearch::console_search(
                        ecs.as_ref(),
                        search.as_ref(),
                        &scope,
                        logsearch::ConsoleQuery {
                            generation,
                            id,
                            start,
                            end,
                            search_all,
                        },
                        results,
                    )
                    .await;
                });
            }
            Effect::LogContext {
                generation,
                index,
                group,
                stream,
                at,
            } => {
                let Some(logs) = self.logs.clone() else {
                    let _ = results.send(WorkerResult::LogContext {
                        generation,
                        index,
                        lines: Err(NO_LOGS.into()),
                    });
                    return;
                };
                tokio::spawn(async move {
                    // Up to 8 lines before and after, from the same stream.
                    let lines = logs
                        .tail(&group, &stream, at + chrono::Duration::minutes(5), 200)
                        .await
                        .map(|all| around(all, at, 8))
                        .map_err(|e| e.to_string());
                    let _ = results.send(WorkerResult::LogContext {
                        generation,
                        index,
                        lines,
                    });
                });
            }
            Effect::LoadRunbooks => {
                let paths = self.runbook_paths.clone();
                tokio::task::spawn_blocking(move || {
                    let files = crate::store::runbooks::list(&paths);
                    let _ = results.send(WorkerResult::Runbooks(files));
                });
            }
            Effect::StartRun {
                file,
                params,
                incident,
            } => {
                let Some(runs) = &self.runs else {
                    return no_runs(&results);
                };
                let sender = runbook::operator::spawn(runs, *file, params, incident, results);
                *self.decisions.lock().unwrap_or_else(|e| e.into_inner()) = Some(sender);
            }
            Effect::ResumeRun {
                file,
                incident,
                ask,
            } => {
                let Some(runs) = &self.runs else {
                    return no_runs(&results);
                };
                let sender = runbook::operator::resume(runs, *file, incident, ask, results);
                *self.decisions.lock().unwrap_or_else(|e| e.into_inner()) = Some(sender);
            }
            Effect::DecideRun {
                run_id,
                ask,
                decision,
            } => {
                let current = self.decisions.lock().unwrap_or_else(|e| e.into_inner());
                if let Some((id, sender)) = current.as_ref() {
                    if *id == run_id {
                        let _ = sender.send((ask, decision));
                    }
                }
            }
            Effect::ListProfiles => {
                tokio::spawn(async move {
                    let profiles = tokio::task::spawn_blocking(|| {
                        crate::store::aws_profiles::AwsFiles::from_env(&|k| std::env::var(k).ok())
                            .profiles()
                            .into_iter()
                            .map(|p| crate::domain::context::ProfileInfo {
                                name: p.name,
                                region: p.region,
                                sso: p.sso,
                                role_arn: p.role_arn,
                            })
                            .collect()
                    })
                    .await
                    .map_err(|e| e.to_string());
                    let _ = results.send(WorkerResult::Profiles(profiles));
                });
            }
            Effect::PrepareExec(ask) => {
                let exec = self.exec.clone();
                tokio::spawn(async move {
                    let result = match exec {
                        Some((port, read_only)) => {
                            let plugin = exec::find_plugin(std::env::var_os("PATH").as_deref());
                            exec::prepare(port.as_ref(), &ask, read_only, plugin)
                                .await
                                .map(Box::new)
                                .map_err(|e| e.to_string())
                        }
                        None => Err("this console has no ECS Exec port".to_string()),
                    };
                    let _ = results.send(WorkerResult::ExecReady(result));
                });
            }
            // The journal is written by the console loop itself (in order,
            // fsynced before the next message); quitting is its business too;
            // the shell takes the terminal, which the console owns.
            Effect::HandOver(_)
            | Effect::SwitchContext(_)
            | Effect::AdoptContext
            | Effect::Journal(_)
            | Effect::StartIncident { .. }
            | Effect::ExportIncident
            | Effect::Copy(_)
            | Effect::Quit => {}
        }
    }
}

// A port this session was not given answers with why, never silence: the
// request would otherwise stay "in flight" until it times out.
const NO_LOGS: &str = "container logs are not available in this session";
const NO_SHARE: &str = "sharing is not set up: start triage with --share";

fn no_runs(results: &UnboundedSender<WorkerResult>) {
    let _ = results.send(WorkerResult::Run(crate::effect::RunEvent::Ended {
        outcome: None,
        error: Some("runbooks cannot run in this session".into()),
    }));
}

/// The lines of a stream within `n` lines of the one at `at`.
fn around(
    lines: Vec<crate::domain::ports::LogLine>,
    at: chrono::DateTime<chrono::Utc>,
    n: usize,
) -> Vec<crate::domain::ports::LogLine> {
    let centre = lines
        .iter()
        .position(|l| l.timestamp >= at)
        .unwrap_or(lines.len());
    let from = centre.saturating_sub(n);
    let to = (centre + n + 1).min(lines.len());
    lines[from..to].to_vec()
}
