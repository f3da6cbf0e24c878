//! The console loop: the one owner of the terminal. It selects over terminal
//! input, worker results and a tick; drains what is queued; updates; then
//! draws once. It never awaits AWS: workers do, and report back.

pub mod input;
pub mod recorder;
pub mod terminal;

use crate::app::state::SessionInfo;
use crate::app::update::init;
use crate::app::{update, AppState, Effect, Msg};
use crate::domain::Clock;
use crate::settings::{AccountSource, Settings};
use crate::workers::Workers;
use futures::{FutureExt, StreamExt};
use std::sync::Arc;
use std::time::Duration;

/// At most this many queued inputs and results are folded into one frame.
const DRAIN_LIMIT: usize = 256;

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

/// Run the console until the engineer quits.
pub async fn run(
    settings: &Settings,
    account: crate::wiring::Account,
    shared: Option<Arc<dyn crate::domain::ports::SharedTimeline>>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    let mut state = AppState::new(
        session_info(settings),
        settings.theme.clone(),
        settings.no_color,
        clock.now(),
    );
    let (results_tx, mut results_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut workers = Workers::new(account.ecs.clone(), results_tx)
        .with_logs(account.logs.clone())
        .with_search(
            account.search.clone(),
            crate::workers::logsearch::SearchScope {
                clusters: settings.clusters.clone(),
                extra_groups: settings.log_groups.clone(),
                fields: settings.correlation_fields.clone(),
            },
        );
    let redactor = crate::domain::timeline::redact::Redactor::new(&settings.redact)
        .map_err(anyhow::Error::msg)?;
    workers = workers.with_runbooks(
        settings.runbook_paths.clone(),
        crate::workers::runbook::console::ConsoleRuns {
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
        workers = workers.with_shared(shared, store);
    }
    let mut recorder = recorder::Recorder::new(
        crate::store::IncidentStore::new(&settings.data_dir),
        redactor,
        clock.clone(),
        settings.operator.clone(),
    );

    let mut terminal = terminal::Guard::enter()?;
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
    let mut pending: Vec<Msg> = recorder
        .attach_open()
        .map(Msg::Worker)
        .into_iter()
        .collect();
    if let Some(warning) = settings.warnings.first() {
        state.message = Some(crate::app::state::Message {
            text: warning.clone(),
            error: true,
            until: state.now + chrono::Duration::seconds(10),
        });
    }

    let mut events = crossterm::event::EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(1000));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    terminal.draw(|frame| crate::ui::draw(frame, &state))?;
    // Lets the end-to-end test prove that a panic restores the terminal.
    if std::env::var_os("TRIAGE_TEST_PANIC").is_some() {
        panic!("TRIAGE_TEST_PANIC is set: panicking on purpose after the first frame");
    }
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;

    loop {
        let mut messages = std::mem::take(&mut pending);
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => messages.extend(input::convert(event)),
                Some(Err(err)) => return Err(err.into()),
                None => break,
            },
            Some(result) = results_rx.recv() => messages.push(Msg::Worker(result)),
            _ = tick.tick() => messages.push(Msg::Tick(clock.now())),
            // The terminal went away or we were asked to stop: leave cleanly
            // (the guard restores the terminal on the way out).
            _ = hangup.recv() => return Ok(()),
            _ = terminate.recv() => return Ok(()),
        }
        // Drain whatever else is already waiting, then draw once.
        while messages.len() < DRAIN_LIMIT {
            if let Ok(result) = results_rx.try_recv() {
                messages.push(Msg::Worker(result));
                continue;
            }
            match events.next().now_or_never() {
                Some(Some(Ok(event))) => messages.extend(input::convert(event)),
                _ => break,
            }
        }
        // Journal results are fed back at once, before anything is drawn.
        let mut queue = std::collections::VecDeque::from(messages);
        while let Some(msg) = queue.pop_front() {
            state.now = clock.now();
            for effect in update(&mut state, msg) {
                if effect == Effect::Quit {
                    return Ok(());
                }
                if let Effect::Copy(text) = &effect {
                    terminal::copy_to_clipboard(text);
                    continue;
                }
                match recorder.handle(&effect) {
                    Some(result) => queue.push_back(Msg::Worker(result)),
                    None => workers.run(effect),
                }
            }
        }
        if state.quit {
            return Ok(());
        }
        terminal.draw(|frame| crate::ui::draw(frame, &state))?;
    }
    Ok(())
}
