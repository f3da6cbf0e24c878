//! The logs screen: one request's lines from every service, merged by time,
//! arriving as they are found; the hop latency between services; a line's
//! full JSON; find within the results (`/`, `n`, `N`); context lines around a
//! hit from its stream; follow; save as evidence. Only the rows on screen are
//! drawn, so a million lines scroll like ten.

use crate::app::effect::Effect;
use crate::app::layout::scroll_into_view;
use crate::app::state::{AppState, Cursor, Overlay, Prompt, PromptPurpose, Screen};
use crate::app::text_input::TextInput;
use crate::app::update::{flash, go};
use crate::domain::logsearch::{id_in, LogEvent};
use crate::domain::ports::LogLine;
use chrono::{DateTime, Duration, Utc};

mod keys;
pub(crate) use keys::{finding_text, on_log_command, rows};
pub use keys::{move_by, on_command, on_find_key, shown, Hooks};
use std::collections::HashSet;

/// Lines kept; beyond this the oldest go (and the screen says so).
pub(crate) const LINES_KEPT: usize = 1_000_000;
/// How far back a search from the console looks.
pub(crate) const WINDOW_HOURS: i64 = 1;
/// How often following looks for new lines.
pub(crate) const FOLLOW_SECONDS: i64 = 3;
/// Rows above the list: title and coverage.
pub(crate) const LOGS_HEADER_ROWS: u16 = 2;

#[derive(Debug, Clone)]
pub struct LogsView {
    /// The ID searched for; for a task's log, the task's short id.
    pub id: String,
    /// A task's log up to its stop (one stream), not an ID search.
    pub task_log: bool,
    pub events: Vec<LogEvent>,
    /// (log group, service) for the groups searched.
    pub services: Vec<(String, String)>,
    pub cursor: Cursor,
    pub generation: u64,
    pub searching: bool,
    /// How the search ended: a line per group that did not finish cleanly,
    /// or the groups and window searched.
    pub coverage: Option<String>,
    pub complete: bool,
    pub dropped: usize,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Enter: the selected line's full JSON.
    pub expanded: bool,
    /// `/`: text being typed; the last text searched for.
    pub find_input: Option<TextInput>,
    pub find: String,
    /// `c`: lines of the selected hit's stream around it.
    pub context: Option<(usize, Result<Vec<LogLine>, String>)>,
    pub following: bool,
    pub next_follow: DateTime<Utc>,
    /// Groups with at least one line, in the order first seen.
    pub groups_hit: Vec<String>,
    /// Past the call cap: the engineer said so.
    pub search_all: bool,
    /// Hashes of (group, stream, time, message) of the lines kept: a line
    /// found twice (overlapping polls) shows once.
    seen: HashSet<u64>,
}

impl LogsView {
    fn new(id: String, now: DateTime<Utc>, generation: u64) -> LogsView {
        LogsView {
            id,
            task_log: false,
            events: Vec::new(),
            services: Vec::new(),
            cursor: Cursor::default(),
            generation,
            searching: true,
            coverage: None,
            complete: false,
            dropped: 0,
            start: now - Duration::hours(WINDOW_HOURS),
            end: now,
            expanded: false,
            find_input: None,
            find: String::new(),
            context: None,
            following: false,
            next_follow: now,
            groups_hit: Vec::new(),
            search_all: false,
            seen: HashSet::new(),
        }
    }

    /// A stopped task's log up to its stop, as the same view over one stream
    /// (`group stream` as the diagnosis names it), at its last line.
    pub(crate) fn task_log(
        task_id: &str,
        stream: &str,
        lines: &[LogLine],
        service: Option<&str>,
        now: DateTime<Utc>,
        rows: usize,
    ) -> LogsView {
        let (group, stream) = stream.split_once(' ').unwrap_or(("", stream));
        let mut view = LogsView::new(task_id.to_string(), now, TASK_LOG_GENERATION);
        view.task_log = true;
        view.searching = false;
        view.complete = true;
        view.events = lines
            .iter()
            .map(|l| LogEvent {
                group: group.to_string(),
                stream: stream.to_string(),
                timestamp: l.timestamp,
                ingestion: None,
                event_id: None,
                message: l.message.clone(),
                pair: Default::default(),
            })
            .collect();
        view.services = vec![(group.to_string(), service.unwrap_or(group).to_string())];
        view.groups_hit = vec![group.to_string()];
        view.coverage = Some(format!(
            "{} lines up to the stop · {group} {stream}",
            view.events.len()
        ));
        let last = view.events.len().saturating_sub(1);
        view.cursor = Cursor {
            selected: last,
            offset: scroll_into_view(last, 0, rows),
        };
        view
    }

    /// The service that writes to a group (the group itself when unknown).
    pub(crate) fn service_of(&self, group: &str) -> String {
        self.services
            .iter()
            .find(|(g, _)| g == group)
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| group.to_string())
    }

    /// Time since the previous line from another service: the hop's latency.
    pub(crate) fn hop_before(&self, index: usize) -> Option<Duration> {
        let event = self.events.get(index)?;
        // Only the line right after a change of service shows it.
        let previous = self.events.get(index.checked_sub(1)?)?;
        (previous.group != event.group).then(|| event.timestamp - previous.timestamp)
    }
}

/// Task logs are not searches: their context lines come back under this.
pub(crate) const TASK_LOG_GENERATION: u64 = u64::MAX;

/// `:logs ID`: search for it, on its own screen.
pub fn open(state: &mut AppState, id: &str) -> Vec<Effect> {
    let id = id.trim().to_string();
    if id.is_empty() {
        flash(state, "which ID? :logs req-5f1e0c9a", true);
        return Vec::new();
    }
    let mut effects = if state.screen == Screen::Logs {
        Vec::new()
    } else {
        go(state, Screen::Logs)
    };
    effects.extend(start(state, &id));
    effects
}

/// Search for `id` into the logs view, wherever the engineer is (the
/// waterfall screen searches the request's lines this way).
pub(crate) fn start(state: &mut AppState, id: &str) -> Vec<Effect> {
    let generation = state.logs.as_ref().map(|l| l.generation + 1).unwrap_or(1);
    let view = LogsView::new(id.to_string(), state.now, generation);
    let (start, end) = (view.start, view.end);
    state.logs = Some(view);
    vec![Effect::SearchLogs {
        generation,
        id: id.to_string(),
        start,
        end,
        search_all: false,
    }]
}

/// The engineer said yes to a search past the call cap: the same ID and
/// window again, every group.
pub fn search_all(state: &mut AppState) -> Vec<Effect> {
    let Some(view) = state.logs.as_mut() else {
        return Vec::new();
    };
    view.generation += 1;
    view.search_all = true;
    view.searching = true;
    view.coverage = None;
    vec![Effect::SearchLogs {
        generation: view.generation,
        id: view.id.clone(),
        start: view.start,
        end: view.end,
        search_all: true,
    }]
}

/// `L`: follow the ID of the line under the cursor (logs screen) or at the
/// bottom of the task log view.
pub(crate) fn follow_id_of_line(state: &mut AppState) -> Vec<Effect> {
    let message = shown(state)
        .and_then(|l| l.events.get(l.cursor.selected))
        .map(|e| e.message.clone());
    match message.as_deref().and_then(id_in) {
        Some(id) => open(state, &id),
        None => {
            flash(state, "this line carries no correlation ID", true);
            Vec::new()
        }
    }
}

/// Hits found (in time order within the batch; merged here).
pub(crate) fn on_hits(
    state: &mut AppState,
    generation: u64,
    events: Vec<LogEvent>,
    services: Vec<(String, String)>,
) {
    let rows = rows(state);
    let Some(view) = state.logs.as_mut().filter(|v| v.generation == generation) else {
        return;
    };
    for (g, s) in services {
        if !view.services.iter().any(|(x, _)| *x == g) {
            view.services.push((g, s));
        }
    }
    let at_end = view.cursor.selected + 1 >= view.events.len();
    let mut fresh: Vec<LogEvent> = events
        .into_iter()
        .filter(|e| view.seen.insert(line_hash(e)))
        .collect();
    if fresh.is_empty() {
        return;
    }
    for e in &fresh {
        if !view.groups_hit.contains(&e.group) {
            view.groups_hit.push(e.group.clone());
        }
    }
    let in_order = view
        .events
        .last()
        .is_none_or(|last| fresh.first().is_some_and(|f| f.timestamp >= last.timestamp));
    view.events.append(&mut fresh);
    if !in_order {
        view.events.sort_by_key(|e| e.timestamp);
    }
    if view.events.len() > LINES_KEPT {
        let extra = view.events.len() - LINES_KEPT;
        view.events.drain(..extra);
        view.dropped += extra;
    }
    // While following (or at the newest line), stay on the newest line.
    if view.following && at_end {
        let last = view.events.len() - 1;
        view.cursor = Cursor {
            selected: last,
            offset: scroll_into_view(last, view.cursor.offset, rows),
        };
    }
}

fn line_hash(e: &LogEvent) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (&e.group, &e.stream, e.timestamp, &e.message).hash(&mut h);
    h.finish()
}

/// The search (or a follow-up poll) ended.
pub(crate) fn on_done(
    state: &mut AppState,
    generation: u64,
    complete: bool,
    coverage: String,
    capped: bool,
) -> Vec<Effect> {
    let now = state.now;
    let Some(view) = state.logs.as_mut().filter(|v| v.generation == generation) else {
        return Vec::new();
    };
    view.searching = false;
    view.complete = complete;
    view.coverage = Some(coverage);
    view.next_follow = now + Duration::seconds(FOLLOW_SECONDS);
    // Past the cap only when the engineer says so; ask while it is on screen.
    if capped && !view.search_all && state.screen == Screen::Logs && state.overlay == Overlay::None
    {
        state.overlay = Overlay::Prompt(Prompt {
            purpose: PromptPurpose::SearchAll,
            input: Default::default(),
        });
    }
    super::waterfall::on_search_done(state, generation)
}

/// Context lines arrived for hit `index`.
pub(crate) fn on_context(
    state: &mut AppState,
    generation: u64,
    index: usize,
    lines: Result<Vec<LogLine>, String>,
) {
    let view = if generation == TASK_LOG_GENERATION {
        state.task_logs.as_mut().and_then(|t| t.view_mut())
    } else {
        state.logs.as_mut().filter(|v| v.generation == generation)
    };
    if let Some(view) = view {
        view.context = Some((index, lines));
    }
}

/// While following, ask for what arrived since the last search.
pub fn due(state: &mut AppState) -> Vec<Effect> {
    let now = state.now;
    let Some(view) = state.logs.as_mut() else {
        return Vec::new();
    };
    if !view.following || view.searching || now < view.next_follow {
        return Vec::new();
    }
    view.searching = true;
    // A little overlap: lines can be ingested late; duplicates are dropped.
    let start = view.end - Duration::seconds(30);
    view.end = now;
    vec![Effect::SearchLogs {
        generation: view.generation,
        id: view.id.clone(),
        start,
        end: now,
        search_all: view.search_all,
    }]
}
