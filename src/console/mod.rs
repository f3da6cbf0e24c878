//! The console: the one owner of the terminal. It wires the account's
//! workers, the incident journal and the terminal to [`event_loop`], which
//! selects over input, worker results and a tick, drains what is queued,
//! updates, then draws once. It never awaits AWS: workers do, and report back.

pub mod event_loop;
pub mod input;
pub mod journal;
mod surface;
pub mod terminal;
mod wire;

use crate::app::state::SessionInfo;
use crate::app::update::init;
use crate::app::{update, AppState, Effect, Msg};
use crate::domain::Clock;
use crate::settings::{AccountSource, Settings, SettingsError};
use crate::workers::Workers;
use std::sync::Arc;
use std::time::Duration;

/// The session facts the app shows, from the settings.
pub(crate) fn session_info(settings: &Settings) -> SessionInfo {
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
        // Named by the console once the pairs are open.
        pairs: Vec::new(),
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

/// Run the console until the engineer quits, watching these pairs.
pub async fn run(
    settings: &Settings,
    watched: Vec<(crate::domain::pair::WatchedPair, crate::wiring::Account)>,
    shared: Option<Arc<dyn crate::domain::ports::SharePort>>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    // Long on purpose: the console's setup in order (terminal, journal, workers, reader, loop, teardown); each step needs the previous one's handle.
    let mut session = session_info(settings);
    session.pairs = watched.iter().map(|(w, _)| w.clone()).collect();
    let mut state = AppState::new(
        session,
        settings.theme.clone(),
        settings.no_color,
        clock.now(),
    );
    state.keymap = keymap(settings)?;
    state.shell_command = settings.exec_command.clone();
    state.monitoring.enabled = watched.iter().any(|(_, a)| a.monitoring.is_some());
    state.monitoring.mappings = settings.alarm_mappings.clone();
    state.security.enabled = true;
    state.security.limits = settings.security.limits;
    let (results_tx, mut results_rx) = tokio::sync::mpsc::unbounded_channel();
    let redactor = crate::domain::timeline::redact::Redactor::new(&settings.redact)
        .map_err(anyhow::Error::msg)?;
    let mut wiring = wire::Wiring::new(
        settings.clone(),
        results_tx,
        clock.clone(),
        shared,
        redactor.clone(),
        watched,
    );
    let workers = wiring.workers();
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
    let reader = input::spawn_reader(inputs_tx.clone())?;
    let signals = input::spawn_signals(inputs_tx.clone())?;
    let mut carrier = ConsoleCarrier {
        journal,
        workers,
        wiring,
        notify_desktop: settings.notify_desktop,
    };
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
    /// How to open another account and rebuild the workers (`:ctx`).
    wiring: wire::Wiring,
    /// `[notify] desktop`.
    notify_desktop: bool,
}

impl event_loop::Carrier for ConsoleCarrier {
    fn carry(&mut self, effect: Effect) -> event_loop::Carried {
        use event_loop::Carried;
        if effect == Effect::Quit {
            return Carried::Quit;
        }
        match effect {
            Effect::HandOver(prepared) => return Carried::HandOver(prepared),
            Effect::SwitchContext(switch) => {
                self.wiring.open(switch);
                return Carried::Started;
            }
            Effect::AdoptContext => {
                if let Some(workers) = self.wiring.adopt(&self.workers) {
                    self.workers = workers;
                }
                return Carried::Started;
            }
            _ => {}
        }
        if let Effect::Copy(text) = &effect {
            terminal::copy_to_clipboard(text);
            return Carried::Started;
        }
        if let Effect::Notify(text) = &effect {
            terminal::notify(text, self.notify_desktop);
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
