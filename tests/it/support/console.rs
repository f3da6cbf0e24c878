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
