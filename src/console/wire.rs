//! The console's wiring of the watched pairs to their workers, kept so a
//! context switch (`:ctx`, `:region`) can open other accounts and rebuild
//! the workers on them without a restart — instead of the pairs watched
//! now, or as well. New accounts are tried (their identity read) before they
//! are adopted; the old ones stay until then. A runbook run in progress
//! keeps its own ports (its job holds them) and its decisions channel is
//! handed to the new workers.

use crate::domain::context::{Context, Switch};
use crate::domain::pair::WatchedPair;
use crate::domain::ports::SharePort;
use crate::domain::timeline::redact::Redactor;
use crate::domain::{Clock, Pair};
use crate::effect::WorkerResult;
use crate::settings::{AccountSource, Settings};
use crate::wiring::Account;
use crate::workers::{PairPorts, Workers};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::UnboundedSender;

pub(crate) struct Wiring {
    pub settings: Settings,
    pub results: UnboundedSender<WorkerResult>,
    pub clock: Arc<dyn Clock>,
    pub shared: Option<Arc<dyn SharePort>>,
    pub redactor: Redactor,
    /// The pairs watched now, with their accounts.
    watched: Vec<(WatchedPair, Account)>,
    /// The accounts of the last switch opened, waiting to be adopted.
    opened: Arc<Mutex<Option<(Switch, Opened)>>>,
    /// What each pair's diagnosis has seen, kept when the workers are rebuilt.
    memories: std::collections::HashMap<Pair, Memory>,
}

type Memory = Arc<tokio::sync::Mutex<crate::workers::diagnosis::StoppedMemory>>;

/// Pairs opened and named, with their accounts.
type Opened = Vec<(WatchedPair, Account)>;

impl Wiring {
    pub fn new(
        settings: Settings,
        results: UnboundedSender<WorkerResult>,
        clock: Arc<dyn Clock>,
        shared: Option<Arc<dyn SharePort>>,
        redactor: Redactor,
        watched: Vec<(WatchedPair, Account)>,
    ) -> Wiring {
        Wiring {
            settings,
            results,
            clock,
            shared,
            redactor,
            watched,
            opened: Default::default(),
            memories: Default::default(),
        }
    }

    /// The workers of the pairs watched now.
    pub fn workers(&mut self) -> Workers {
        for (watched, _) in &self.watched {
            self.memories.entry(watched.pair.clone()).or_default();
        }
        let pairs = self
            .watched
            .iter()
            .map(|(watched, account)| self.pair_ports(&watched.pair, account))
            .collect();
        let mut workers = Workers::over(pairs, self.results.clone())
            .with_runbook_paths(self.settings.runbook_paths.clone())
            .read_only(self.settings.read_only);
        if let Some(shared) = &self.shared {
            let store = Arc::new(crate::store::IncidentStore::new(&self.settings.data_dir));
            workers = workers.with_share(shared.clone(), store);
        }
        workers
    }

    /// One pair's ports: everything its account offers.
    fn pair_ports(&self, pair: &Pair, account: &Account) -> PairPorts {
        let settings = &self.settings;
        let scope = crate::workers::logsearch::SearchScope {
            clusters: settings.clusters.clone(),
            extra_groups: settings.log_groups.clone(),
            fields: settings.correlation_fields.clone(),
            max_calls: settings.max_search_calls,
            log_groups: Some(account.log_groups.clone()),
        };
        let runs = crate::workers::runbook::operator::ConsoleRuns {
            ports: crate::workers::runbook::StepPorts {
                ecs: account.ecs.clone(),
                network: account.network.clone(),
                secrets: account.secrets.clone(),
                search: Some(account.search.clone()),
                clock: self.clock.clone(),
                pair: None,
            },
            store: Arc::new(crate::store::IncidentStore::new(&settings.data_dir)),
            redactor: self.redactor.clone(),
            operator: settings.operator.clone(),
        };
        PairPorts {
            pair: pair.clone(),
            ecs: account.ecs.clone(),
            logs: Some(account.logs.clone()),
            search: Some((account.search.clone(), Arc::new(scope))),
            monitoring: account.monitoring.clone(),
            exec: Some(account.exec.clone()),
            exposure: Some(crate::workers::exposure::ExposurePorts::new(
                account.network.clone(),
                account.secrets.clone(),
            )),
            security: Some(account.security.clone()),
            trail: Some(account.trail.clone()),
            traces: Some(account.traces.clone()),
            runs: Some(runs),
            memory: self.memories.get(pair).cloned().unwrap_or_default(),
        }
    }

    /// Open the switch's accounts in the background, name each as a pair
    /// and try it; the answer (`ContextReady`) comes back through the
    /// results channel. Pairs watched already (when adding) are left out.
    pub fn open(&self, switch: Switch) {
        let settings = self.settings.clone();
        let watching: Vec<Pair> = self.watched.iter().map(|(w, _)| w.pair.clone()).collect();
        let slot = self.opened.clone();
        let results = self.results.clone();
        tokio::spawn(async move {
            let opened = switch
                .contexts
                .iter()
                .map(|context| open_context(&settings, context));
            let result: Result<Vec<(WatchedPair, Account)>, String> =
                futures::future::join_all(opened)
                    .await
                    .into_iter()
                    .collect::<Result<Vec<_>, String>>()
                    .map(|pairs| {
                        let mut fresh: Vec<(WatchedPair, Account)> = Vec::new();
                        for (watched, account) in pairs {
                            let known = fresh.iter().any(|(w, _)| w.pair == watched.pair)
                                || (switch.add && watching.contains(&watched.pair));
                            if !known {
                                fresh.push((watched, account));
                            }
                        }
                        fresh
                    });
            let answer = result.map(|pairs| {
                let named = pairs.iter().map(|(w, _)| w.clone()).collect();
                *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some((switch.clone(), pairs));
                named
            });
            let _ = results.send(WorkerResult::ContextReady {
                switch,
                result: answer,
            });
        });
    }

    /// The workers of the pairs watched after the switch opened last
    /// (instead of the ones before, or as well), keeping the run in progress
    /// of `old`; None when nothing is waiting.
    pub(crate) fn adopt(&mut self, old: &Workers) -> Option<Workers> {
        let (switch, pairs) = self
            .opened
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()?;
        if switch.add {
            self.watched.extend(pairs);
        } else {
            self.watched = pairs;
        }
        if let (
            AccountSource::Aws {
                profile, region, ..
            },
            Some((first, _)),
        ) = (&mut self.settings.source, self.watched.first())
        {
            profile.clone_from(&first.profile);
            *region = Some(first.pair.region.clone());
        }
        Some(self.workers().keep_runs_of(old))
    }
}

/// One context's account, opened, tried (its identity read) and named:
/// its profile (or `default`) in the Region it resolved to.
async fn open_context(
    settings: &Settings,
    context: &Context,
) -> Result<(WatchedPair, Account), String> {
    let mut settings = settings.clone();
    if let AccountSource::Aws {
        profile, region, ..
    } = &mut settings.source
    {
        profile.clone_from(&context.profile);
        region.clone_from(&context.region);
    }
    let account = crate::wiring::open_account(&settings)
        .await
        .map_err(|e| format!("{}: {e}", context.describe()))?;
    let identity = account
        .ecs
        .identity()
        .await
        .map_err(|e| format!("{}: {e}", context.describe()))?;
    // A profile the config names in `[[accounts]]` keeps that name and mark.
    let spec = settings.pairs.iter().find(|p| p.profile == context.profile);
    let name = spec
        .map(|p| p.name.clone())
        .or_else(|| context.profile.clone())
        .unwrap_or_else(|| "default".into());
    let production = spec.is_some_and(|p| p.production);
    let watched = WatchedPair {
        pair: Pair::new(name, account.region.clone()),
        profile: context.profile.clone(),
        production,
        account_id: identity.account,
        flow_logs_role: spec
            .and_then(|p| p.flow_logs_role.clone())
            .or_else(|| account.flow_logs_role.clone()),
    };
    Ok((watched, account))
}
