//! The `:` command palette: parse a command line into a command.

use super::state::Screen;

/// A command the palette understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `:svc` — the ranked services (home).
    Services,
    /// `:svc <name>` — open a service by name (first match across clusters).
    OpenService(String),
    /// `:events [cluster]`
    Events(Option<String>),
    /// `:theme <name>`
    Theme(String),
    /// `:tl` — the incident timeline
    Timeline,
    /// `:diag` — why tasks stopped
    Diagnosis,
    /// `:logs ID` — one request across every service
    Logs(String),
    /// `:rb` — the runbooks found
    Runbooks,
    /// `:run` — the run in progress
    Run,
    /// `:resume [RUN_ID]` — go on with a run that stopped
    /// `:resume [RUN_ID] [--accept-changes] [--param NAME=VALUE]…`
    Resume(crate::domain::runbook::resume::ResumeAsk),
    /// `:start <title>` — open an incident
    StartIncident(String),
    Refresh,
    Help,
    Quit,
    /// `:keys`: the keymap in use.
    Keys,
    /// `:alarms`: alarms in ALARM and without data.
    Alarms,
    /// `:security`: GuardDuty's findings.
    Security,
    /// `:ctx [PROFILE]`: watch another profile.
    Context(Option<String>),
    /// `:region [REGION]`: watch another Region.
    Region(Option<String>),
}

/// A palette command: its name, the other words it answers to, its usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaletteCommand {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub usage: &'static str,
}

const fn cmd(
    name: &'static str,
    aliases: &'static [&'static str],
    usage: &'static str,
) -> PaletteCommand {
    PaletteCommand {
        name,
        aliases,
        usage,
    }
}

/// Every command, its aliases and usage: parsing, completion and help all
/// read this one list.
pub const COMMANDS: &[PaletteCommand] = &[
    cmd("svc", &["services", "service", "home"], "ranked services; `:svc NAME` opens one"),
    cmd("events", &["ev"], "events merged by time; `:events CLUSTER` for one cluster"),
    cmd("diag", &["diagnose", "diagnosis"], "why tasks stopped: every stopped task decoded"),
    cmd("alarms", &["alarm", "al"], "alarms in ALARM (and without data), with their graphs"),
    cmd("security", &["sec", "guardduty", "gd"], "GuardDuty findings, most severe first, with the service each is about"),
    cmd("tl", &["timeline"], "the incident timeline: notes, milestones, export"),
    cmd("logs", &["log"], "one request across every service: `:logs ID`"),
    cmd("rb", &["runbook", "runbooks"], "runbooks: pick one, fill its parameters, run it step by step"),
    cmd("run", &[], "the runbook run in progress"),
    cmd(
        "resume",
        &[],
        "go on with a run that stopped (crash, quit): `:resume [RUN_ID] [--accept-changes] [--param NAME=VALUE]`",
    ),
    cmd("start", &[], "open an incident: `:start TITLE`"),
    cmd("ctx", &["context", "profile"], "watch another profile (a picker; `:ctx NAME` at once); the incident stays"),
    cmd("region", &[], "watch another Region (a picker; `:region NAME` at once)"),
    cmd("keys", &["keymap"], "every key in use, yours marked"),
    cmd("theme", &[], "switch colours: `:theme dark|light|high-contrast`"),
    cmd("refresh", &["r"], "refresh now"),
    cmd("help", &["h", "?"], "keys for this screen"),
    cmd("quit", &["q", "exit", "q!"], "leave triage"),
];

/// The command a word names (its name or an alias).
pub fn named(word: &str) -> Option<&'static PaletteCommand> {
    COMMANDS
        .iter()
        .find(|c| c.name == word || c.aliases.contains(&word))
}

/// `:resume`'s words, read like `triage runbook run --resume`'s flags. An
/// empty run id means "the newest unfinished run".
fn resume_args(line: &str) -> Result<crate::domain::runbook::resume::ResumeAsk, String> {
    let mut ask = crate::domain::runbook::resume::ResumeAsk::default();
    let mut words = line.split_whitespace().skip(1);
    while let Some(word) = words.next() {
        match word {
            "--accept-changes" => ask.accept_changes = true,
            "--param" => {
                let pair = words
                    .next()
                    .ok_or("--param needs NAME=VALUE, e.g. --param token=…")?;
                let (name, value) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("--param {pair}: use NAME=VALUE"))?;
                ask.given.insert(name.to_string(), value.to_string());
            }
            flag if flag.starts_with("--") => {
                return Err(format!(
                    "`{flag}`: :resume takes a run id, --accept-changes and --param NAME=VALUE"
                ))
            }
            id if ask.run_id.is_empty() => ask.run_id = id.to_string(),
            extra => return Err(format!("`{extra}`: :resume takes one run id")),
        }
    }
    Ok(ask)
}

pub fn parse(line: &str) -> Result<Command, String> {
    let line = line.trim().trim_start_matches(':');
    let mut words = line.split_whitespace();
    let Some(name) = words.next() else {
        return Err("type a command, e.g. :svc or :events".into());
    };
    let arg = words.next().map(str::to_string);
    let Some(command) = named(name) else {
        return Err(format!(
            "unknown command `:{name}`; commands: {}",
            COMMANDS
                .iter()
                .map(|c| format!(":{}", c.name))
                .collect::<Vec<_>>()
                .join(" ")
        ));
    };
    match command.name {
        "svc" => Ok(match arg {
            Some(a) => Command::OpenService(a),
            None => Command::Services,
        }),
        "events" => Ok(Command::Events(arg)),
        "theme" => arg
            .map(Command::Theme)
            .ok_or_else(|| "which theme? :theme dark|light|high-contrast".to_string()),
        "tl" => Ok(Command::Timeline),
        "rb" => Ok(Command::Runbooks),
        "run" => Ok(Command::Run),
        "logs" => arg
            .map(Command::Logs)
            .ok_or_else(|| "which ID? :logs req-5f1e0c9a".to_string()),
        "resume" => resume_args(line).map(Command::Resume),
        "diag" => Ok(Command::Diagnosis),
        "start" => {
            let title = line
                .split_once(char::is_whitespace)
                .map(|(_, t)| t.trim())
                .unwrap_or("");
            if title.is_empty() {
                Err("give the incident a title: :start checkout errors after deploy".into())
            } else {
                Ok(Command::StartIncident(title.to_string()))
            }
        }
        "refresh" => Ok(Command::Refresh),
        "keys" => Ok(Command::Keys),
        "alarms" => Ok(Command::Alarms),
        "security" => Ok(Command::Security),
        "ctx" => Ok(Command::Context(arg)),
        "region" => Ok(Command::Region(arg)),
        "help" => Ok(Command::Help),
        "quit" => Ok(Command::Quit),
        // Every name in the list has an arm above (a test checks).
        other => Err(format!("`:{other}` is listed but not carried out")),
    }
}

/// Commands starting with what was typed, for the palette's suggestions.
pub fn complete(prefix: &str) -> Vec<&'static str> {
    let prefix = prefix.trim().trim_start_matches(':');
    COMMANDS
        .iter()
        .map(|c| c.name)
        .filter(|c| c.starts_with(prefix))
        .collect()
}

/// The screen a command leads to, if it is a navigation.
pub fn target(command: &Command) -> Option<Screen> {
    match command {
        Command::Services => Some(Screen::Services),
        Command::Events(cluster) => Some(Screen::Events(cluster.clone())),
        Command::Timeline => Some(Screen::Timeline),
        Command::Diagnosis => Some(Screen::Diagnosis),
        Command::Alarms => Some(Screen::Alarms),
        Command::Security => Some(Screen::Security),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_command_and_alias_is_carried_out() {
        for c in COMMANDS {
            for word in std::iter::once(&c.name).chain(c.aliases) {
                let line = format!(":{word} x");
                if let Err(e) = parse(&line) {
                    assert!(!e.contains("not carried out"), "{line}: {e}");
                }
            }
        }
    }

    #[test]
    fn parses_commands_and_arguments() {
        assert_eq!(parse(":svc"), Ok(Command::Services));
        assert_eq!(
            parse("svc chatbot-api"),
            Ok(Command::OpenService("chatbot-api".into()))
        );
        assert_eq!(
            parse("events prod-web"),
            Ok(Command::Events(Some("prod-web".into())))
        );
        assert_eq!(parse("q"), Ok(Command::Quit));
        assert!(parse("logz").unwrap_err().contains(":svc"));
        assert!(parse("").is_err());
    }

    #[test]
    fn completes_prefixes() {
        assert_eq!(complete("ev"), vec!["events"]);
        assert_eq!(complete("").len(), COMMANDS.len());
    }
}
