//! The one table of commands, in the order of [`Command`]'s variants (the
//! order help and the palette list them in). `[keys]` in the config
//! replaces a command's keys by its name (or an alias).

use super::run as r;
use super::Scope::*;
use super::{Arg, Command, CommandSpec, Does, Scope};
use crate::app::input::{Key, KeyPress};

const fn k(c: char) -> KeyPress {
    KeyPress::char(c)
}
const fn p(key: Key) -> KeyPress {
    KeyPress::plain(key)
}
const fn ctrl(c: char) -> KeyPress {
    KeyPress::ctrl(c)
}

/// A row with no argument, no keys and no hint, carried out by `run`.
const fn row(
    command: Command,
    name: &'static str,
    scopes: &'static [Scope],
    doc: &'static str,
    run: fn(&mut crate::app::state::AppState, &str) -> Vec<crate::app::effect::Effect>,
) -> CommandSpec {
    CommandSpec {
        command,
        name,
        aliases: &[],
        doc,
        arg: Arg::None,
        scopes,
        keys: &[],
        hint: None,
        does: Does::Run(run),
    }
}

/// A row its screens carry out (their hooks' `on_command`).
const fn on_screen(
    command: Command,
    name: &'static str,
    scopes: &'static [Scope],
    doc: &'static str,
) -> CommandSpec {
    CommandSpec {
        does: Does::OnScreen,
        ..row(command, name, scopes, doc, r::quit)
    }
}

impl CommandSpec {
    const fn aliases(self, aliases: &'static [&'static str]) -> CommandSpec {
        CommandSpec { aliases, ..self }
    }
    const fn keys(self, keys: &'static [KeyPress]) -> CommandSpec {
        CommandSpec { keys, ..self }
    }
    const fn hint(self, hint: &'static str) -> CommandSpec {
        CommandSpec {
            hint: Some(hint),
            ..self
        }
    }
    const fn arg(self, arg: Arg) -> CommandSpec {
        CommandSpec { arg, ..self }
    }
}

use Command as C;

pub const COMMANDS: &[CommandSpec] = &[
    // Where to go.
    row(C::Services, "services", &[Everywhere], "the ranked services (home); with a NAME, that service", r::services)
        .aliases(&["svc", "home", "service"])
        .arg(Arg::Optional("NAME")),
    row(C::Events, "events", &[Everywhere], "service events of every watched cluster merged by time; with a CLUSTER, of that one", r::events)
        .aliases(&["ev", "all_events"])
        .arg(Arg::Optional("CLUSTER"))
        .keys(&[k('E')]),
    row(C::ClusterEvents, "cluster_events", &[Services, Service], "events of the selected service's cluster, all its services merged", r::cluster_events)
        .keys(&[k('e')])
        .hint("events"),
    row(C::Diagnosis, "diagnosis", &[Everywhere], "why tasks stopped: every stopped task decoded, patterns on top", r::diagnosis)
        .aliases(&["diag", "diagnose"])
        .keys(&[k('d')])
        .hint("diagnose"),
    row(C::Alarms, "alarms", &[Everywhere], "alarms in ALARM (and without data), with their graphs", r::alarms)
        .aliases(&["alarm", "al"]),
    row(C::Security, "security", &[Everywhere], "GuardDuty findings, most severe first, with the service each is about", r::security)
        .aliases(&["sec", "guardduty", "gd"]),
    row(C::Changes, "changes", &[Everywhere], "what changed: CloudTrail, deployments and triage's own actions, newest first", r::changes)
        .aliases(&["changed", "ch", "cloudtrail"]),
    row(C::Timeline, "timeline", &[Everywhere], "the incident timeline: notes, milestones, export", r::timeline)
        .aliases(&["tl"])
        .keys(&[k('t')])
        .hint("timeline"),
    row(C::Logs, "logs", &[Everywhere], "one request across every service, by its correlation ID", r::logs)
        .aliases(&["log", "search"])
        .arg(Arg::Required("ID")),
    row(C::Trace, "trace", &[Everywhere], "where one request's time went: its spans as a waterfall, the bottleneck marked", r::trace)
        .aliases(&["waterfall", "tr"])
        .arg(Arg::Required("ID")),
    row(C::Runbooks, "runbooks", &[Everywhere], "the runbooks: pick one, fill its parameters, run it step by step", r::runbooks)
        .aliases(&["rb", "runbook"]),
    row(C::Run, "run", &[Everywhere], "the runbook run in progress (or the last one)", r::run),
    row(C::Resume, "resume", &[Everywhere], "go on with a run that stopped (the newest, or RUN_ID); --accept-changes, --param NAME=VALUE", r::resume)
        .arg(Arg::Optional("RUN_ID")),
    row(C::StartIncident, "start", &[Everywhere], "open an incident: everything seen and done is journaled into it", r::start_incident)
        .aliases(&["incident"])
        .arg(Arg::Optional("TITLE")),
    row(C::IncidentTitle, "title", &[Everywhere], "rename the open incident (the post-mortem's title)", r::incident_title)
        .arg(Arg::Optional("TITLE")),
    row(C::IncidentSeverity, "severity", &[Everywhere], "set the open incident's severity: SEV1 to SEV4", r::incident_severity)
        .aliases(&["sev"])
        .arg(Arg::Optional("SEV")),
    row(C::Context, "ctx", &[Everywhere], "watch another AWS profile (Enter instead, Tab as well; +NAME as well); the incident stays", r::context)
        .aliases(&["context", "profile"])
        .arg(Arg::Optional("PROFILE")),
    row(C::Region, "region", &[Everywhere], "watch another Region (Enter instead, Tab as well; +REGION as well)", r::region)
        .arg(Arg::Optional("REGION")),
    row(C::Keys, "keys", &[Everywhere], "every command and its keys, yours marked", r::keys)
        .aliases(&["keymap"]),
    row(C::Theme, "theme", &[Everywhere], "switch colours: dark, light, high-contrast", r::theme)
        .arg(Arg::Required("NAME")),
    row(C::Refresh, "refresh", &[Everywhere], "read everything again now", r::refresh)
        .aliases(&["r"])
        .keys(&[k('r')])
        .hint("refresh"),
    row(C::Help, "help", &[Everywhere], "the commands of this screen and their keys (j/k scroll, / searches)", r::help)
        .aliases(&["h", "?"])
        .keys(&[k('?')])
        .hint("help"),
    row(C::Palette, "palette", &[Everywhere], "the command line: every command of this screen, by name", r::palette)
        .keys(&[k(':')])
        .hint("command"),
    row(C::Quit, "quit", &[Everywhere], "leave triage (the journal is already on disk)", r::quit)
        .aliases(&["q", "exit", "q!"])
        .keys(&[k('q'), ctrl('c')])
        .hint("quit"),
    // Lists and moving.
    row(C::Open, "open", &[Lists], "open the selected row", r::open)
        .keys(&[p(Key::Enter), k('l'), p(Key::Right)])
        .hint("open"),
    row(C::Filter, "filter", &[Lists], "filter the list (!text hides matches)", r::filter)
        .keys(&[k('/')])
        .hint("filter"),
    row(C::Back, "back", &[NotHome], "back to the screen before", r::go_back)
        .keys(&[p(Key::Esc), k('h'), p(Key::Left)])
        .hint("back"),
    row(C::Up, "up", &[Everywhere], "move up", r::up).keys(&[k('k'), p(Key::Up)]),
    row(C::Down, "down", &[Everywhere], "move down", r::down).keys(&[k('j'), p(Key::Down)]),
    row(C::PageUp, "page_up", &[Everywhere], "a page up", r::page_up)
        .keys(&[p(Key::PageUp), ctrl('u')]),
    row(C::PageDown, "page_down", &[Everywhere], "a page down", r::page_down)
        .keys(&[p(Key::PageDown), ctrl('d')]),
    row(C::Top, "top", &[Everywhere], "to the top", r::top).keys(&[k('g'), p(Key::Home)]),
    row(C::Bottom, "bottom", &[Everywhere], "to the bottom", r::bottom)
        .keys(&[k('G'), p(Key::End)]),
    // A service, a finding, metrics.
    on_screen(C::OpenRunbook, "open_runbook", &[Suggests], "the suggested runbook, filled in with the service (and the task); why when none fits")
        .keys(&[k('R')])
        .hint("runbook"),
    row(C::Watch, "watch", &[Services], "watch the selected service until it is healthy (or UNTIL: steady, alarm-ok): the bell when it is, and if it gets worse", r::watch)
        .arg(Arg::Optional("UNTIL"))
        .keys(&[k('w')]),
    row(C::Exec, "exec", &[Service], "a shell into one of the service's running containers (ECS Exec); exit it to come back", r::exec)
        .aliases(&["shell"])
        .keys(&[k('x')])
        .hint("shell"),
    row(C::MetricsWindow, "metrics_window", &[Metrics], "the metrics' window: 1 h, 3 h, 24 h", r::metrics_window)
        .aliases(&["window"])
        .keys(&[k('w')])
        .hint("window"),
    on_screen(C::ServicePane, "service_pane", &[Service], "the bottom pane: the service's events, or its own recent log lines (live)")
        .keys(&[p(Key::Tab)])
        .hint("logs"),
    on_screen(C::ServiceLogsFilter, "service_logs_filter", &[Service], "filter the service's log lines (!text hides matches)")
        .keys(&[k('/')]),
    on_screen(C::ServiceLogsFollow, "service_logs_follow", &[Service], "the selected log line's request: where its time went (its waterfall)")
        .keys(&[p(Key::Enter)]),
    on_screen(C::TaskLogs, "task_logs", &[Finding], "this task's logs up to its stop")
        .keys(&[k('l')])
        .hint("logs"),
    on_screen(C::CopyArn, "copy_arn", &[Finding], "copy the task ARN to the clipboard")
        .keys(&[k('y')])
        .hint("copy ARN"),
    // The timeline.
    row(C::AddNote, "add_note", &[Timeline], "add a note (`:add_note TEXT` starts it with TEXT)", r::add_note)
        .aliases(&["note"])
        .arg(Arg::Optional("TEXT"))
        .keys(&[k('n')])
        .hint("note"),
    row(C::AddMilestone, "add_milestone", &[Timeline], "record a milestone, optionally at a time: detected 10m ago", r::add_milestone)
        .aliases(&["milestone"])
        .arg(Arg::Optional("WHAT [WHEN]"))
        .keys(&[k('m')])
        .hint("milestone"),
    row(C::ToggleImportant, "toggle_important", &[Timeline], "mark / unmark the selected entry important", r::toggle_important)
        .keys(&[k('i')])
        .hint("important"),
    row(C::EditEntry, "edit_entry", &[Timeline], "correct the selected entry (a new entry supersedes it)", r::edit_entry)
        .keys(&[k('e')])
        .hint("edit"),
    row(C::Export, "export", &[Timeline], "write the post-mortem draft, JSON and CSV next to the journal", r::export)
        .keys(&[k('x')])
        .hint("export"),
    on_screen(C::TimelineAll, "timeline_all", &[Timeline], "every entry, or only the incident's services and window (as the post-mortem)")
        .keys(&[k('a')])
        .hint("all/scoped"),
    // Log lines.
    on_screen(C::FollowId, "follow_id", &[Logs], "follow this line's correlation ID through every service")
        .keys(&[k('L')])
        .hint("follow ID"),
    on_screen(C::TraceLine, "trace_line", &[Logs], "where this line's request spent its time: its waterfall")
        .keys(&[k('W')])
        .hint("waterfall"),
    on_screen(C::LogsExpand, "logs_expand", &[Logs], "show / hide the line's full JSON")
        .keys(&[p(Key::Enter)])
        .hint("JSON"),
    on_screen(C::LogsFind, "logs_find", &[Logs], "find text in the lines")
        .keys(&[k('/')])
        .hint("find"),
    on_screen(C::LogsNext, "logs_next", &[Logs], "the next line with the found text").keys(&[k('n')]),
    on_screen(C::LogsPrevious, "logs_previous", &[Logs], "the previous line with the found text")
        .keys(&[k('N')]),
    on_screen(C::LogsContext, "logs_context", &[Logs], "the lines around this one from the same stream")
        .keys(&[k('c')])
        .hint("context"),
    on_screen(C::LogsFollow, "logs_follow", &[Logs], "follow: keep adding new lines with this ID")
        .keys(&[k('f')])
        .hint("follow"),
    on_screen(C::LogsSave, "logs_save", &[Logs], "save the lines to the incident as evidence")
        .keys(&[k('s')])
        .hint("save"),
    // A waterfall.
    on_screen(C::WaterfallSave, "waterfall_save", &[Waterfall], "save the waterfall to the incident as evidence")
        .keys(&[k('s')])
        .hint("save"),
    on_screen(C::WaterfallLines, "waterfall_lines", &[Waterfall], "the request's log lines, every service")
        .keys(&[k('L')])
        .hint("lines"),
    // A run.
    on_screen(C::RunAnswer, "run_answer", &[Run], "answer the step: confirm, type the name, choose, or mark it done")
        .keys(&[p(Key::Enter)])
        .hint("answer"),
    on_screen(C::RunSkip, "run_skip", &[Run], "skip the step (asks why; journaled)")
        .keys(&[k('s')])
        .hint("skip"),
    on_screen(C::RunRetry, "run_retry", &[Run], "run a failed or unknown step again")
        .keys(&[k('R')])
        .hint("retry"),
    on_screen(C::RunDone, "run_done", &[Run], "mark an unknown or manual step done").keys(&[k('D')]),
    on_screen(C::RunFailed, "run_failed", &[Run], "mark an unknown or manual step failed")
        .keys(&[k('F')]),
    on_screen(C::RunAbort, "run_abort", &[Run], "abort the run (asks why; journaled)")
        .keys(&[k('A')])
        .hint("abort"),
    on_screen(C::RunFollow, "run_follow", &[Run], "show the run's current step again (j/k look at others)")
        .keys(&[k('f')]),
    // A runbook's parameter form (its other keys type into its fields).
    on_screen(C::FormNext, "form_next", &[RunbookForm], "the next field")
        .keys(&[p(Key::Tab), p(Key::Down)])
        .hint("next field"),
    on_screen(C::FormPrevious, "form_previous", &[RunbookForm], "the previous field")
        .keys(&[p(Key::BackTab), p(Key::Up)]),
    on_screen(C::FormSubmit, "form_submit", &[RunbookForm], "check the values and start the run")
        .keys(&[p(Key::Enter)])
        .hint("start"),
    on_screen(C::FormCancel, "form_cancel", &[RunbookForm], "cancel: nothing runs")
        .keys(&[p(Key::Esc)])
        .hint("cancel"),
    on_screen(C::NextPair, "next_pair", &[RunbookForm], "run in the next watched account and Region (when several are watched)")
        .keys(&[ctrl('p')]),
];
