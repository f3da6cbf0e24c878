//! The console's wiring of an account to its workers, kept so a context
//! switch (`:ctx`, `:region`) can open another account and rebuild the
//! workers on it without a restart. A new account is tried (its identity
//! read) before it is adopted; the old one stays until then. A runbook run in
//! progress keeps its own ports (its job holds them) and its decisions
//! channel is handed to the new workers.

use crate::domain::context::Context;
use crate::domain::ports::SharePort;
use crate::domain::timeline::redact::Redactor;
use crate::domain::Clock;
use crate::effect::WorkerResult;
use crate::settings::{AccountSource, Settings};
use crate::wiring::Account;
use crate::workers::Workers;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::UnboundedSender;

pub struct Wiring {
    pub settings: Settings,
    pub results: UnboundedSender<WorkerResult>,
    pub clock: Arc<dyn Clock>,
    pub shared: Option<Arc<dyn SharePort>>,
    pub redactor: Redactor,
    /// The account of the last context opened, waiting to be adopted.
    opened: Arc<Mutex<Option<(Context, Account)>>>,
}

impl Wiring {
    pub fn new(
        settings: Settings,
        results: UnboundedSender<WorkerResult>,
        clock: Arc<dyn Clock>,
        shared: Option<Arc<dyn SharePort>>,
        redactor: Redactor,
    ) -> Wiring {
        Wiring {
            settings,
            results,
            clock,
            shared,
            redactor,
            opened: Default::default(),
        }
    }

    /// The workers of an account.
    pub fn workers(&self, account: &Account) -> Workers {
        let settings = &self.settings;
        let mut workers = Workers::new(account.ecs.clone(), self.results.clone())
            .with_logs(account.logs.clone())
            .with_search(
                account.search.clone(),
                crate::workers::logsearch::SearchScope {
                    clusters: settings.clusters.clone(),
                    extra_groups: settings.log_groups.clone(),
                    fields: settings.correlation_fields.clone(),
                    max_calls: settings.max_search_calls,
                    log_groups: Some(account.log_groups.clone()),
                },
            )
            .with_runbooks(
                settings.runbook_paths.clone(),
                crate::workers::runbook::operator::ConsoleRuns {
                    ports: crate::workers::runbook::StepPorts {
                        ecs: account.ecs.clone(),
                        network: account.network.clone(),
                        secrets: account.secrets.clone(),
                        search: Some(account.search.clone()),
                        clock: self.clock.clone(),
                    },
                    store: Arc::new(crate::store::IncidentStore::new(&settings.data_dir)),
                    redactor: self.redactor.clone(),
                    operator: settings.operator.clone(),
                },
            )
            .with_exec(account.exec.clone(), settings.read_only);
        if let Some(shared) = &self.shared {
            let store = Arc::new(crate::store::IncidentStore::new(&settings.data_dir));
            workers = workers.with_share(shared.clone(), store);
        }
        if let Some(monitoring) = &account.monitoring {
            workers = workers.with_monitoring(monitoring.clone());
        }
        workers
    }

    /// Open the context's account in the background and try it; the answer
    /// (`ContextReady`) comes back through the results channel.
    pub fn open(&self, context: Context) {
        let mut settings = self.settings.clone();
        if let AccountSource::Aws {
            profile, region, ..
        } = &mut settings.source
        {
            profile.clone_from(&context.profile);
            region.clone_from(&context.region);
        }
        let slot = self.opened.clone();
        let results = self.results.clone();
        tokio::spawn(async move {
            let result = match crate::wiring::open_account(&settings).await {
                Ok(account) => match account.ecs.identity().await {
                    Ok(_) => {
                        *slot.lock().unwrap_or_else(|e| e.into_inner()) =
                            Some((context.clone(), account));
                        Ok(())
                    }
                    Err(err) => Err(err.to_string()),
                },
                Err(err) => Err(err.to_string()),
            };
            let _ = results.send(WorkerResult::ContextReady { context, result });
        });
    }

    /// The workers of the account opened last, keeping the run in progress
    /// of `old`; None when nothing is waiting.
    pub fn adopt(&mut self, old: &Workers) -> Option<Workers> {
        let (context, account) = self
            .opened
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()?;
        if let AccountSource::Aws {
            profile, region, ..
        } = &mut self.settings.source
        {
            *profile = context.profile;
            *region = context.region;
        }
        Some(self.workers(&account).keep_runs_of(old))
    }
}
