//! The waterfall screen: where one request's time went. Opened with
//! `:trace ID`, `W` on a log line, or Enter on a line of a service's
//! recent logs. The request's lines are searched (or taken from the logs
//! screen when it already holds them), then X-Ray's segments are read when
//! a line carries a trace id; the spans are drawn as bars to scale, nested,
//! the bottleneck marked. `s` saves it to the incident; `L` shows the lines.

use super::{Screen, ScreenHooks};
use crate::app::commands::{Command, Scope};
use crate::app::effect::Effect;
use crate::app::state::AppState;
use crate::app::update::{flash, go};
use crate::domain::logsearch::id_in;
use crate::domain::timeline::{Actor, EntryDraft, EntryKind};
use crate::domain::trace::from_logs::TraceLine;
use crate::domain::trace::trace_id::trace_id_in;
use crate::domain::trace::Waterfall;
use crate::domain::PortError;

/// Where the screen is.
#[derive(Debug, Clone)]
pub enum Phase {
    /// Searching the request's lines (the logs search of this generation).
    Searching {
        search: u64,
    },
    /// Reading X-Ray (or drawing from the lines).
    Reading,
    Drawn(Box<Waterfall>),
    /// No line carries the ID in the window.
    NoLines,
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct WaterfallView {
    pub id: String,
    pub generation: u64,
    pub phase: Phase,
    /// Log lines the waterfall was drawn from (or checked against).
    pub lines: usize,
    /// The span under the cursor, and the first span on screen.
    pub selected: usize,
    pub offset: usize,
}

impl WaterfallView {
    pub fn drawn(&self) -> Option<&Waterfall> {
        match &self.phase {
            Phase::Drawn(w) => Some(w),
            _ => None,
        }
    }
}

/// `:trace ID`: the waterfall of request ID, on its own screen.
pub fn open(state: &mut AppState, id: &str) -> Vec<Effect> {
    let id = id.trim().to_string();
    if id.is_empty() {
        flash(state, "which request? :trace req-5f1e0c9a", true);
        return Vec::new();
    }
    let generation = state.waterfall.as_ref().map_or(1, |w| w.generation + 1);
    let mut effects = go(state, Screen::Waterfall);
    // The logs screen holds this request's lines already: draw from them.
    let held = state
        .logs
        .as_ref()
        .filter(|l| l.id == id && !l.task_log && !l.searching && !l.events.is_empty());
    if let Some(logs) = held {
        let (lines, pair) = lines_of(logs);
        state.waterfall = Some(WaterfallView {
            id: id.clone(),
            generation,
            phase: Phase::Reading,
            lines: lines.len(),
            selected: 0,
            offset: 0,
        });
        effects.push(Effect::ReadWaterfall {
            generation,
            id,
            lines,
            pair,
        });
        return effects;
    }
    let mut search = super::logs::start(state, &id);
    let search_generation = state.logs.as_ref().map_or(0, |l| l.generation);
    state.waterfall = Some(WaterfallView {
        id,
        generation,
        phase: Phase::Searching {
            search: search_generation,
        },
        lines: 0,
        selected: 0,
        offset: 0,
    });
    effects.append(&mut search);
    effects
}

/// Follow what a log line carries into its request's waterfall: its
/// correlation ID, else its X-Ray trace id.
pub fn follow_line(state: &mut AppState, message: &str) -> Vec<Effect> {
    match id_in(message).or_else(|| trace_id_in(message)) {
        Some(id) => open(state, &id),
        None => {
            flash(
                state,
                "this line carries no correlation ID or trace id to follow",
                true,
            );
            Vec::new()
        }
    }
}

/// The request's lines as the waterfall reads them, and the pair whose
/// X-Ray to ask (the first line carrying a trace id, else the first line).
fn lines_of(logs: &super::logs::LogsView) -> (Vec<TraceLine>, crate::domain::Pair) {
    let pair = logs
        .events
        .iter()
        .find(|e| trace_id_in(&e.message).is_some())
        .or(logs.events.first())
        .map(|e| e.pair.clone())
        .unwrap_or_default();
    let lines = logs
        .events
        .iter()
        .map(|e| TraceLine {
            service: logs.service_of(&e.group),
            at_ms: e.timestamp.timestamp_millis(),
            message: e.message.clone(),
        })
        .collect();
    (lines, pair)
}

/// The logs search the screen waits on ended: read the waterfall from its
/// lines (or say none carries the ID).
pub(crate) fn on_search_done(state: &mut AppState, search: u64) -> Vec<Effect> {
    let Some(view) = state.waterfall.as_mut() else {
        return Vec::new();
    };
    if !matches!(view.phase, Phase::Searching { search: s } if s == search) {
        return Vec::new();
    }
    let Some(logs) = state.logs.as_ref().filter(|l| l.generation == search) else {
        return Vec::new();
    };
    if logs.events.is_empty() {
        view.phase = Phase::NoLines;
        return Vec::new();
    }
    let (lines, pair) = lines_of(logs);
    view.lines = lines.len();
    view.phase = Phase::Reading;
    vec![Effect::ReadWaterfall {
        generation: view.generation,
        id: view.id.clone(),
        lines,
        pair,
    }]
}

/// The waterfall arrived.
pub(crate) fn on_waterfall(
    state: &mut AppState,
    generation: u64,
    result: Result<Waterfall, PortError>,
) {
    let Some(view) = state
        .waterfall
        .as_mut()
        .filter(|v| v.generation == generation)
    else {
        return;
    };
    view.phase = match result {
        Ok(w) if w.spans.is_empty() => Phase::NoLines,
        Ok(w) => {
            // Start on the bottleneck: it is what the engineer came for.
            view.selected = (0..w.spans.len())
                .find(|&i| w.is_bottleneck(i))
                .unwrap_or(0);
            Phase::Drawn(Box::new(w))
        }
        Err(err) => Phase::Failed(crate::domain::sanitize::one_line(&err.to_string())),
    };
}

/// Spans shown at once: the screen less its header and the detail below.
fn rows(state: &AppState) -> usize {
    (state.height as usize).saturating_sub(9).max(1)
}

pub struct Hooks;

impl ScreenHooks for Hooks {
    fn scopes(&self) -> &'static [Scope] {
        &[Scope::Everywhere, Scope::Waterfall, Scope::NotHome]
    }

    fn describe(&self) -> &'static str {
        "the waterfall screen"
    }

    fn move_by(&self, state: &mut AppState, delta: i64) {
        let rows = rows(state);
        let Some(view) = state.waterfall.as_mut() else {
            return;
        };
        let len = view.drawn().map_or(0, |w| w.spans.len());
        if len == 0 {
            return;
        }
        view.selected = (view.selected as i64)
            .saturating_add(delta)
            .clamp(0, len as i64 - 1) as usize;
        view.offset = crate::app::layout::scroll_into_view(view.selected, view.offset, rows);
    }

    fn on_command(&self, state: &mut AppState, command: Command) -> Option<Vec<Effect>> {
        match command {
            Command::WaterfallSave => Some(save(state)),
            Command::WaterfallLines => {
                let id = state.waterfall.as_ref().map(|w| w.id.clone())?;
                let held = state.logs.as_ref().is_some_and(|l| l.id == id);
                Some(if held {
                    go(state, Screen::Logs)
                } else {
                    super::logs::open(state, &id)
                })
            }
            _ => None,
        }
    }
}

/// `s`: the waterfall as evidence in the incident (the post-mortem's
/// *Where the time went* lists it).
fn save(state: &mut AppState) -> Vec<Effect> {
    if state.incident.is_none() {
        flash(state, "no incident is open: :start TITLE opens one", true);
        return Vec::new();
    }
    let Some(w) = state.waterfall.as_ref().and_then(|v| v.drawn()) else {
        flash(state, "nothing drawn to save yet", true);
        return Vec::new();
    };
    let actor = Actor::Human {
        name: state.session.operator.clone(),
    };
    let draft = evidence(w, actor);
    flash(state, "saved to the incident as evidence", false);
    vec![Effect::Journal(Box::new(draft))]
}

/// The waterfall as a journal entry: the bottleneck in the summary and the
/// evidence line, every span in the detail.
pub(crate) fn evidence(w: &Waterfall, actor: Actor) -> EntryDraft {
    let mut draft = EntryDraft::new(
        EntryKind::Observation,
        actor,
        format!("Where the time went in request {}", w.id),
    );
    draft.evidence = vec![format!("where the time went: {}", w.words())];
    let spans: Vec<String> = (0..w.spans.len())
        .map(|i| {
            let s = &w.spans[i];
            format!(
                "{}{}  start +{} ms  took {} ms  self {} ms{}",
                "  ".repeat(w.depth(i)),
                w.label(i),
                s.start_ms,
                s.duration_ms,
                s.self_ms,
                if s.error { "  error" } else { "" }
            )
        })
        .collect();
    draft.detail = Some(spans.join("\n"));
    draft.tags = vec!["trace".into(), w.id.clone()];
    draft
}
