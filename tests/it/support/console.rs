//! The console's state for tests: a demo session, and a frame drawn to text.

use chrono::Duration;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use triage::app::state::SessionInfo;
use triage::app::AppState;

/// A demo session for `alice`, default refresh intervals.
pub fn demo_session() -> SessionInfo {
    SessionInfo {
        demo: Some("saas".into()),
        profile: None,
        region: Some("eu-west-1".into()),
        read_only: false,
        clusters: vec![],
        production_patterns: vec![],
        refresh_selected: Duration::seconds(5),
        refresh_others: Duration::seconds(30),
        operator: "alice".into(),
        share: false,
        pairs: vec![],
    }
}

/// A console state for this session, dark theme, 120×30, at `now`.
pub fn state_for(session: SessionInfo, now: chrono::DateTime<chrono::Utc>) -> AppState {
    let mut s = AppState::new(
        session,
        triage::settings::ThemeSpec::built_in("dark").unwrap(),
        false,
        now,
    );
    triage::app::update(
        &mut s,
        triage::app::Msg::Resize {
            width: 120,
            height: 30,
        },
    );
    s
}

/// One frame of the console as text, trailing spaces trimmed.
pub fn render(s: &AppState) -> String {
    let mut terminal = Terminal::new(TestBackend::new(s.width, s.height)).unwrap();
    terminal.draw(|f| triage::ui::draw(f, s)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut line = String::new();
        for x in 0..buffer.area.width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The console's workers over every port of `account`, answering on `results`.
pub fn workers_over(
    account: &triage::wiring::Account,
    results: tokio::sync::mpsc::UnboundedSender<triage::app::WorkerResult>,
) -> triage::workers::Workers {
    let workers = triage::workers::Workers::new(account.ecs.clone(), results)
        .with_logs(account.logs.clone())
        .with_exposure(account.network.clone(), account.secrets.clone())
        .with_security(account.security.clone())
        .with_traces(account.traces.clone());
    match account.monitoring.clone() {
        Some(monitoring) => workers.with_monitoring(monitoring),
        None => workers,
    }
}

/// Run the console's effects through real workers over `account` until it
/// has been quiet for three ticks at `now` (everything it reads on its own
/// has been read); what it journaled is returned, not written.
pub async fn settle_with_workers(
    state: &mut AppState,
    account: &triage::wiring::Account,
    mut effects: Vec<triage::app::Effect>,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<triage::domain::timeline::EntryDraft> {
    use triage::app::{Effect, Msg};
    let (results_tx, mut results) = tokio::sync::mpsc::unbounded_channel();
    let workers = workers_over(account, results_tx);
    let mut journaled = Vec::new();
    let mut quiet_ticks = 0;
    while quiet_ticks < 3 {
        for effect in effects.drain(..) {
            match effect {
                Effect::Journal(draft) => journaled.push(*draft),
                Effect::Quit | Effect::Copy(_) => {}
                other => workers.run(other),
            }
        }
        match tokio::time::timeout(std::time::Duration::from_millis(500), results.recv()).await {
            Ok(Some(result)) => {
                quiet_ticks = 0;
                effects = triage::app::update(state, Msg::Worker(result));
            }
            Ok(None) => break,
            Err(_) => {
                quiet_ticks += 1;
                effects = triage::app::update(state, Msg::Tick(now));
            }
        }
    }
    journaled
}
