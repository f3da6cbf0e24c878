//! Workers: tokio jobs that carry out the app's effects against the ports and
//! send the results back, tagged with the generation of their request.

pub mod changes;
pub mod diagnosis;
pub mod exec;
pub mod exposure;
pub mod fleet;
pub mod insights;
pub mod logsearch;
pub mod pipeline;
pub mod runbook;
pub mod service;
pub mod service_logs;
pub mod share;
pub mod status;
pub mod trace;
pub mod waiting;
pub mod watch;

use crate::domain::ports::{EcsPort, LogsPort, MonitoringPort, PortResult, SharePort};
use crate::domain::Pair;
use crate::effect::{Effect, WorkerResult};
use crate::store::IncidentStore;
use fleet::route;
pub use fleet::PairPorts;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::UnboundedSender;

/// Runs effects in the background; results go to the console loop's channel.
/// Each watched pair has its own ports; a request goes to the pair its
/// resource came from, and the reads that span every pair ask each.
#[derive(Clone)]
pub struct Workers {
    /// Every watched pair's ports, in the order asked for.
    pairs: Arc<Vec<PairPorts>>,
    results: UnboundedSender<WorkerResult>,
    /// The shared incident log and the local store its entries are cached in.
    shared: Option<(Arc<dyn SharePort>, Arc<IncidentStore>)>,
    /// Runbook folders.
    runbook_paths: Vec<PathBuf>,
    /// Where the decisions for the run in progress go.
    decisions: Arc<Mutex<Option<runbook::operator::DecisionSender>>>,
    /// Whether the console is read-only (which refuses shells).
    read_only: bool,
}

impl Workers {
    /// Workers over one pair (unnamed: a single-pair session) with ECS only;
    /// the `with_*` builders add ports to the pair added last.
    pub fn new(ecs: Arc<dyn EcsPort>, results: UnboundedSender<WorkerResult>) -> Workers {
        Workers::over(vec![PairPorts::new(Pair::default(), ecs)], results)
    }

    /// Workers over these pairs.
    pub fn over(pairs: Vec<PairPorts>, results: UnboundedSender<WorkerResult>) -> Workers {
        Workers {
            pairs: Arc::new(pairs),
            results,
            shared: None,
            runbook_paths: Vec::new(),
            decisions: Arc::new(Mutex::new(None)),
            read_only: false,
        }
    }

    /// The pairs served, in order.
    pub fn pairs(&self) -> &[PairPorts] {
        &self.pairs
    }

    /// Answer the run in progress of `old` (its decisions) from these workers.
    pub(crate) fn keep_runs_of(mut self, old: &Workers) -> Workers {
        self.decisions = old.decisions.clone();
        self
    }

    /// Give the pair added last (if any) a port, for the builders.
    fn set_last(mut self, set: impl FnOnce(&mut PairPorts)) -> Workers {
        if let Some(last) = Arc::make_mut(&mut self.pairs).last_mut() {
            set(last);
        }
        self
    }

    /// Read what services can reach and read through these ports.
    pub fn with_exposure(
        self,
        network: Arc<dyn crate::domain::network::NetworkPort>,
        secrets: Arc<dyn crate::domain::secrets::SecretsPort>,
    ) -> Workers {
        self.set_last(|p| p.exposure = Some(exposure::ExposurePorts::new(network, secrets)))
    }

    /// Read GuardDuty's findings through this port.
    pub fn with_security(
        self,
        security: Arc<dyn crate::domain::security::SecurityPort>,
    ) -> Workers {
        self.set_last(|p| p.security = Some(security))
    }

    /// Read X-Ray's traces through this port (waterfalls, slow services).
    pub fn with_traces(self, traces: Arc<dyn crate::domain::trace::reading::TracePort>) -> Workers {
        self.set_last(|p| p.traces = Some(traces))
    }

    /// Read alarms, metrics and target health through this port.
    pub fn with_monitoring(self, monitoring: Arc<dyn MonitoringPort>) -> Workers {
        self.set_last(|p| p.monitoring = Some(monitoring))
    }

    /// Read stopped containers' last log lines through this port.
    pub fn with_logs(self, logs: Arc<dyn LogsPort>) -> Workers {
        self.set_last(|p| p.logs = Some(logs))
    }

    /// Find runbooks in these folders.
    pub(crate) fn with_runbook_paths(mut self, paths: Vec<PathBuf>) -> Workers {
        self.runbook_paths = paths;
        self
    }

    /// Refuse shells (the session is read-only).
    pub fn read_only(mut self, read_only: bool) -> Workers {
        self.read_only = read_only;
        self
    }

    /// Share incident timelines through this log (`--share`).
    pub(crate) fn with_share(
        mut self,
        shared: Arc<dyn SharePort>,
        store: Arc<IncidentStore>,
    ) -> Workers {
        self.shared = Some((shared, store));
        self
    }

    /// One GetMetricData read of a pair (the minute's metrics, or the
    /// egress baseline), answered as `answer` wraps it.
    /// Run `job` in a job of its own and send the answer it makes.
    fn answer(&self, job: impl Future<Output = WorkerResult> + Send + 'static) {
        let results = self.results.clone();
        tokio::spawn(async move {
            let _ = results.send(job.await);
        });
    }

    /// Run `job` on the ports of `pair` in a job of its own and send what
    /// `answer` makes of its result; a pair no longer watched is answered
    /// "not watched any more", never silence.
    fn answer_in<T, Fut>(
        &self,
        pair: &Pair,
        job: impl FnOnce(PairPorts) -> Fut + Send + 'static,
        answer: impl FnOnce(PortResult<T>) -> WorkerResult + Send + 'static,
    ) where
        Fut: Future<Output = PortResult<T>> + Send + 'static,
        T: Send + 'static,
    {
        let ports = self.ports_of(pair);
        let unwatched = fleet::unwatched(pair);
        self.answer(async move {
            answer(match ports {
                Some(ports) => job(ports).await,
                None => Err(unwatched),
            })
        });
    }

    /// The pair's CloudWatch metrics for `queries` over the window.
    fn read_metrics(
        &self,
        pair: &Pair,
        queries: Vec<crate::domain::metrics::MetricQuery>,
        (start, end): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
        answer: impl FnOnce(PortResult<Vec<crate::domain::metrics::MetricSeries>>) -> WorkerResult
            + Send
            + 'static,
    ) {
        let job = move |ports: PairPorts| async move {
            let port = ports.monitoring.ok_or_else(watch::no_monitoring)?;
            port.metric_data(&queries, start, end).await
        };
        self.answer_in(pair, job, answer);
    }

    /// Start the job for an effect; never blocks.
    pub fn run(&self, effect: Effect) {
        // Long on purpose: the dispatcher: one arm per Effect, each handing the effect to its worker.
        let results = self.results.clone();
        match effect {
            Effect::FetchIdentity { pair } => self.answer_in(
                &pair.clone(),
                |ports| async move { ports.ecs.identity().await },
                move |result| WorkerResult::Identity { pair, result },
            ),
            Effect::FetchStatus {
                generation,
                pair,
                clusters,
            } => self.answer_in(
                &pair.clone(),
                move |ports| async move { fleet::status_of(&ports, &clusters).await },
                move |result| WorkerResult::Status {
                    generation,
                    pair,
                    result,
                },
            ),
            Effect::FetchAlarms {
                generation,
                pair,
                target_groups,
            } => self.answer_in(
                &pair.clone(),
                move |ports| async move { fleet::alarms_of(&ports, &target_groups).await },
                move |result| WorkerResult::Alarms {
                    generation,
                    pair,
                    result,
                },
            ),
            Effect::FetchMetrics {
                generation,
                pair,
                queries,
                start,
                end,
            } => self.read_metrics(&pair.clone(), queries, (start, end), move |result| {
                WorkerResult::Metrics {
                    generation,
                    pair,
                    result,
                }
            }),
            Effect::FetchBaseline {
                generation,
                pair,
                queries,
                start,
                end,
            } => self.read_metrics(&pair.clone(), queries, (start, end), move |result| {
                WorkerResult::Baseline {
                    generation,
                    pair,
                    result,
                }
            }),
            Effect::FetchExposure {
                generation,
                pair,
                services,
            } => self.answer_in(
                &pair.clone(),
                move |ports| async move {
                    fleet::exposure_of(&ports, &services, chrono::Utc::now()).await
                },
                move |result| WorkerResult::Exposure {
                    generation,
                    pair,
                    result,
                },
            ),
            Effect::FetchSecurity { generation, pair } => self.answer_in(
                &pair.clone(),
                |ports| async move { fleet::security_of(&ports).await },
                move |result| WorkerResult::Security {
                    generation,
                    pair,
                    result,
                },
            ),
            Effect::FetchChanges {
                generation,
                pair,
                since,
                journal,
            } => {
                self.answer_in(
                    &pair.clone(),
                    {
                        let pair = pair.clone();
                        move |ports| async move {
                            let trail = ports.trail.clone().ok_or_else(|| {
                                crate::domain::PortError::Other {
                                    operation: "LookupEvents".into(),
                                    message: "this session does not read CloudTrail".into(),
                                }
                            })?;
                            let changes_ports = changes::ChangesPorts {
                                ecs: ports.ecs.clone(),
                                trail,
                                monitoring: ports.monitoring.clone(),
                            };
                            changes::read_pair_changes(&changes_ports, &pair, since, &journal).await
                        }
                    },
                    move |result| WorkerResult::Changes {
                        generation,
                        pair,
                        result,
                    },
                )
            }
            Effect::ReadServiceLogs {
                generation,
                key,
                streams,
            } => self.answer_in(
                &key.pair.clone(),
                move |ports| async move {
                    let logs = ports.logs.ok_or_else(|| crate::domain::PortError::Other {
                        operation: "GetLogEvents".into(),
                        message: "this session does not read container logs".into(),
                    })?;
                    service_logs::read_recent(logs.as_ref(), &streams, chrono::Utc::now()).await
                },
                move |result| WorkerResult::ServiceLogs {
                    generation,
                    key,
                    result,
                },
            ),
            Effect::ReadWaterfall {
                generation,
                id,
                lines,
                pair,
            } => self.answer_in(
                &pair,
                move |ports| async move {
                    Ok(match ports.traces {
                        Some(traces) => trace::waterfall_of(&id, &lines, traces.as_ref()).await,
                        None => crate::domain::trace::from_logs::from_lines(&id, &lines),
                    })
                },
                move |result| WorkerResult::Waterfall { generation, result },
            ),
            Effect::FetchSlow {
                pair,
                services,
                target_groups,
            } => self.answer_in(
                &pair.clone(),
                move |ports| async move {
                    let monitoring = ports.monitoring.ok_or_else(watch::no_monitoring)?;
                    let traces = ports
                        .traces
                        .ok_or_else(|| crate::domain::PortError::Other {
                            operation: "GetTraceSummaries".into(),
                            message: "this session does not read X-Ray".into(),
                        })?;
                    Ok(waiting::read_slow(
                        monitoring.as_ref(),
                        traces.as_ref(),
                        &services,
                        &target_groups,
                        chrono::Utc::now(),
                    )
                    .await)
                },
                move |result| WorkerResult::Slow { pair, result },
            ),
            Effect::CheckSso { profile } => self.answer(async move {
                let asked = profile.clone();
                let token = tokio::task::spawn_blocking(move || {
                    crate::store::aws_profiles::AwsFiles::from_env(&|k| std::env::var(k).ok())
                        .sso_token(&asked)
                })
                .await
                .ok()
                .flatten();
                WorkerResult::Sso { profile, token }
            }),
            Effect::FetchTargetHealth { key, target_group } => self.answer_in(
                &key.pair.clone(),
                {
                    let target_group = target_group.clone();
                    move |ports| async move {
                        let port = ports.monitoring.ok_or_else(watch::no_monitoring)?;
                        port.target_health(&target_group).await
                    }
                },
                move |result| WorkerResult::TargetHealth {
                    key,
                    target_group,
                    result,
                },
            ),
            Effect::FetchServiceDetail { generation, key } => self.answer_in(
                &key.pair.clone(),
                {
                    let key = key.clone();
                    move |ports| async move { fleet::detail_of(&ports, &key).await.map(Box::new) }
                },
                move |result| WorkerResult::ServiceDetail {
                    generation,
                    key,
                    result,
                },
            ),
            Effect::FetchDiagnosis {
                generation,
                clusters,
                known,
            } => {
                let pairs = self.pairs.clone();
                self.answer(async move {
                    let scope = diagnosis::DiagnosisScope {
                        clusters,
                        ..Default::default()
                    };
                    let result = fleet::diagnose_all(&pairs, &scope, known, chrono::Utc::now())
                        .await
                        .map(Box::new);
                    WorkerResult::Diagnosis { generation, result }
                });
            }
            Effect::FetchRevisionDiff {
                pair,
                task_arn,
                before,
                after,
            } => self.answer_in(
                &pair,
                {
                    let (before, after) = (before.clone(), after.clone());
                    move |ports| async move {
                        let old = ports.ecs.task_definition(&before).await?;
                        let new = ports.ecs.task_definition(&after).await?;
                        Ok(crate::domain::diagnosis::patterns::diff(&old, &new))
                    }
                },
                move |result| WorkerResult::RevisionDiff {
                    task_arn,
                    before,
                    after,
                    result,
                },
            ),
            Effect::FetchTaskLogs { finding } => {
                let ports = self.ports_of(&finding.pair);
                let Some((ecs, Some(logs))) = ports.map(|p| (p.ecs, p.logs)) else {
                    let _ = results.send(WorkerResult::TaskLogs {
                        task_arn: finding.task_arn.clone(),
                        logs: crate::domain::diagnosis::LogTail::Missing {
                            why: NO_LOGS.into(),
                        },
                    });
                    return;
                };
                self.answer(async move {
                    let lines =
                        diagnosis::fetch_task_logs(ecs.as_ref(), logs.as_ref(), &finding).await;
                    WorkerResult::TaskLogs {
                        task_arn: finding.task_arn.clone(),
                        logs: lines,
                    }
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
                self.answer(async move {
                    let result = share::pull(shared.as_ref(), &store, &incident, cursor)
                        .await
                        .map_err(|e| e.to_string());
                    WorkerResult::SharePulled(result)
                });
            }
            Effect::SearchLogs {
                generation,
                id,
                start,
                end,
                search_all,
            } => {
                let pairs = self.pairs.clone();
                tokio::spawn(async move {
                    let query = logsearch::ConsoleQuery {
                        generation,
                        id,
                        start,
                        end,
                        search_all,
                    };
                    let hits = results.clone();
                    let on_hits = move |events, services| {
                        let _ = hits.send(WorkerResult::LogHits {
                            generation,
                            events,
                            services,
                        });
                    };
                    let end = fleet::search_all(&pairs, &query, &on_hits).await;
                    let _ = results.send(WorkerResult::LogsDone {
                        generation,
                        complete: end.complete,
                        coverage: end.coverage,
                        capped: end.capped,
                    });
                });
            }
            Effect::LogContext {
                generation,
                index,
                pair,
                group,
                stream,
                at,
            } => {
                let Some(logs) = self.ports_of(&pair).and_then(|p| p.logs) else {
                    let _ = results.send(WorkerResult::LogContext {
                        generation,
                        index,
                        lines: Err(NO_LOGS.into()),
                    });
                    return;
                };
                self.answer(async move {
                    // Up to 8 lines before and after, from the same stream.
                    let lines = logs
                        .tail(&group, &stream, at + chrono::Duration::minutes(5), 200)
                        .await
                        .map(|all| around(all, at, 8))
                        .map_err(|e| e.to_string());
                    WorkerResult::LogContext {
                        generation,
                        index,
                        lines,
                    }
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
                pair,
            } => {
                let Some(mut runs) = self.ports_of(&pair.pair).and_then(|p| p.runs) else {
                    return no_runs(&results, &pair.pair);
                };
                runs.ports.pair = Some(pair);
                let sender = runbook::operator::spawn(&runs, *file, params, incident, results);
                *self.decisions.lock().unwrap_or_else(|e| e.into_inner()) = Some(sender);
            }
            Effect::ResumeRun {
                file,
                incident,
                ask,
                pair,
            } => {
                let Some(mut runs) = self.ports_of(&pair.pair).and_then(|p| p.runs) else {
                    return no_runs(&results, &pair.pair);
                };
                runs.ports.pair = Some(pair);
                let sender = runbook::operator::resume(&runs, *file, incident, ask, results);
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
                self.answer(async move {
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
                    WorkerResult::Profiles(profiles)
                });
            }
            Effect::PrepareExec(ask) => {
                let exec = self.ports_of(&ask.pair).map(|p| p.exec);
                let read_only = self.read_only;
                self.answer(async move {
                    let result = match exec {
                        Some(Some(port)) => {
                            let plugin = exec::find_plugin(std::env::var_os("PATH").as_deref());
                            exec::prepare(port.as_ref(), &ask, read_only, plugin)
                                .await
                                .map(Box::new)
                                .map_err(|e| e.to_string())
                        }
                        Some(None) => Err("this console has no ECS Exec port".to_string()),
                        None => Err(fleet::unwatched(&ask.pair).to_string()),
                    };
                    WorkerResult::ExecReady(result)
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
            | Effect::FollowJournal
            | Effect::Copy(_)
            | Effect::Notify(_)
            | Effect::Quit => {}
        }
    }

    /// The ports of the pair a request names (a copy, for the job to own).
    fn ports_of(&self, pair: &Pair) -> Option<PairPorts> {
        route(&self.pairs, pair).cloned()
    }
}

// A port this session was not given answers with why, never silence: the
// request would otherwise stay "in flight" until it times out.
const NO_LOGS: &str = "container logs are not available in this session";
const NO_SHARE: &str = "sharing is not set up: start triage with --share";

fn no_runs(results: &UnboundedSender<WorkerResult>, pair: &Pair) {
    let error = if pair.is_unnamed() {
        "runbooks cannot run in this session".to_string()
    } else {
        format!("runbooks cannot run in {pair} in this session")
    };
    let _ = results.send(WorkerResult::Run(crate::effect::RunEvent::Ended {
        outcome: None,
        error: Some(error),
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
