//! The console: the one owner of the terminal. It wires the account's
//! workers, the incident journal and the terminal to [`event_loop`], which
//! selects over input, worker results and a tick, drains what is queued,
//! updates, then draws once. It never awaits AWS: workers do, and report back.

pub mod event_loop;
pub mod input;
pub mod journal;
mod surface;
pub mod terminal;

use crate::app::state::SessionInfo;
use crate::app::update::init;
use crate::app::{update, AppState, Effect, Msg};
use crate::domain::Clock;
use crate::settings::{AccountSource, Settings, SettingsError};
use crate::workers::Workers;
use std::sync::Arc;
use std::time::Duration;

/// The session facts the app shows, from the settings.
pub fn session_info(settings: &Settings) -> SessionInfo {
    let (demo, region) = match &settings.source {
        AccountSource::Demo { scenario } => (Some(scenario.clone()), None),
        AccountSource::Aws { region, .. } => (None, region.clone()),
    };
    SessionInfo {
        demo,
        profile: settings.profile().map(str::to_string),
        region,
        read_only: settings.read_only,
        clusters: settings.clusters.clone(),
        production_patterns: settings.production.clone(),
        refresh_selected: chrono::Duration::from_std(settings.refresh.selected)
            .unwrap_or(chrono::Duration::seconds(5)),
        refresh_others: chrono::Duration::from_std(settings.refresh.others)
            .unwrap_or(chrono::Duration::seconds(30)),
        operator: settings.operator.clone(),
        share: settings.share,
    }
}

/// The defaults with the config's `[keys]`; a refused entry is a config
/// error naming the file and line.
pub fn keymap(settings: &Settings) -> Result<crate::app::keymap::Keymap, SettingsError> {
    crate::app::keymap::Keymap::with_overrides(&settings.keys).map_err(|problems| {
        let file = settings
            .config_path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "config".into());
        SettingsError::Input(
            problems
                .iter()
                .map(|p| format!("{file}:{}: key `{}`: {}", p.line, p.key, p.message))
                .collect::<Vec<_>>()
                .join("\n"),
        )
    })
}

/// Run the console until the engineer quits.
pub async fn run(
    settings: &Settings,
    account: crate::wiring::Account,
    shared: Option<Arc<dyn crate::domain::ports::SharePort>>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    // Long on purpose: the console's setup in order (terminal, journal, workers, reader, loop, teardown); each step needs the previous one's handle.
    let mut state = AppState::new(
        session_info(settings),
        settings.theme.clone(),
        settings.no_color,
        clock.now(),
    );
    state.keymap = keymap(settings)?;
    state.shell_command = settings.exec_command.clone();
    state.monitoring.enabled = account.monitoring.is_some();
    state.monitoring.mappings = settings.alarm_mappings.clone();
    let (results_tx, mut results_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut workers = Workers::new(account.ecs.clone(), results_tx)
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
        );
    let redactor = crate::domain::timeline::redact::Redactor::new(&settings.redact)
        .map_err(anyhow::Error::msg)?;
    workers = workers.with_runbooks(
        settings.runbook_paths.clone(),
        crate::workers::runbook::operator::ConsoleRuns {
            ports: crate::workers::runbook::StepPorts {
                ecs: account.ecs.clone(),
                network: account.network.clone(),
                secrets: account.secrets.clone(),
                search: Some(account.search.clone()),
                clock: clock.clone(),
            },
            store: Arc::new(crate::store::IncidentStore::new(&settings.data_dir)),
            redactor: redactor.clone(),
            operator: settings.operator.clone(),
        },
    );
    if let Some(shared) = shared {
        let store = Arc::new(crate::store::IncidentStore::new(&settings.data_dir));
        workers = workers.with_share(shared, store);
    }
    workers = workers.with_exec(account.exec.clone(), settings.read_only);
    if let Some(monitoring) = &account.monitoring {
        workers = workers.with_monitoring(monitoring.clone());
    }
    let mut journal = journal::IncidentJournal::new(
        crate::store::IncidentStore::new(&settings.data_dir),
        redactor,
        clock.clone(),
        settings.operator.clone(),
    );

    let terminal = terminal::Guard::enter()?;
    let size = terminal.size()?;
    update(
        &mut state,
        Msg::Resize {
            width: size.width,
            height: size.height,
        },
    );
    for effect in init(&mut state) {
        workers.run(effect);
    }
    let pending: Vec<Msg> = journal.attach_open().map(Msg::Worker).into_iter().collect();
    if let Some(warning) = settings.warnings.first() {
        state.message = Some(crate::app::state::Message {
            text: warning.clone(),
            error: true,
            until: state.now + chrono::Duration::seconds(10),
        });
    }

    let (inputs_tx, mut inputs) = tokio::sync::mpsc::unbounded_channel();
    let reader = input::spawn_reader(inputs_tx.clone());
    let signals = input::spawn_signals(inputs_tx.clone())?;
    let mut carrier = ConsoleCarrier { journal, workers };
    let mut surface = surface::ConsoleSurface::new(terminal, reader, inputs_tx);
    let result = event_loop::run_loop(
        &mut state,
        event_loop::LoopIo {
            inputs: &mut inputs,
            results: &mut results_rx,
            clock: clock.as_ref(),
            tick: TICK,
        },
        &mut carrier,
        pending,
        &mut surface,
    )
    .await;
    // Stop reading before the guard hands the terminal back.
    surface.stop_reading();
    signals.abort();
    result
}

/// Time advances on its own once a second (refreshes fall due, messages expire).
const TICK: Duration = Duration::from_millis(1000);

/// The console's effects: the incident journal answers at once, the
/// clipboard is written directly, everything else goes to a worker.
struct ConsoleCarrier {
    journal: journal::IncidentJournal,
    workers: Workers,
}

impl event_loop::Carrier for ConsoleCarrier {
    fn carry(&mut self, effect: Effect) -> event_loop::Carried {
        use event_loop::Carried;
        if effect == Effect::Quit {
            return Carried::Quit;
        }
        if let Effect::HandOver(prepared) = effect {
            return Carried::HandOver(prepared);
        }
        if let Effect::Copy(text) = &effect {
            terminal::copy_to_clipboard(text);
            return Carried::Started;
        }
        match self.journal.handle(&effect) {
            Some(result) => Carried::Answered(Msg::Worker(result)),
            None => {
                self.workers.run(effect);
                Carried::Started
            }
        }
    }
}
