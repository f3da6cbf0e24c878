//! `triage incident …`: start, list, note, milestone, close, export.

use super::exit;
use super::output::table;
use super::Format;
use crate::domain::ports::SharePort;
use crate::domain::timeline::entry::IncidentChange;
use crate::domain::timeline::redact::Redactor;
use crate::domain::timeline::{
    export, time_input, Actor, EntryDraft, EntryKind, Milestone, Severity,
};
use crate::domain::Clock;
use crate::settings::Settings;
use crate::store::{IncidentStore, StoreError};
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct IncidentArgs {
    #[command(subcommand)]
    pub command: IncidentCommand,
}

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Start an incident; prints its id
    Start {
        title: String,
        /// SEV1 (worst) … SEV4
        #[arg(long)]
        severity: Option<String>,
        #[arg(short, long, value_enum, default_value_t = Format::Text)]
        output: Format,
    },
    /// Every incident, newest first
    List {
        #[arg(short, long, value_enum, default_value_t = Format::Text)]
        output: Format,
    },
    /// Add a note: `note [ID] "TEXT"`
    Note {
        #[arg(num_args = 1..=2, value_names = ["ID", "TEXT"], required = true)]
        args: Vec<String>,
        /// When it happened, if not now: 2026-01-28T03:05:00Z, 03:05 (UTC), 15m ago
        #[arg(long)]
        at: Option<String>,
        /// Mark for the post-mortem
        #[arg(long)]
        important: bool,
        /// Tag (repeatable); `followup` becomes an action item in the post-mortem
        #[arg(long)]
        tag: Vec<String>,
    },
    /// Record a milestone: `milestone [ID] NAME`
    Milestone {
        /// impact_started, detected, acknowledged, contained, mitigated or resolved
        #[arg(num_args = 1..=2, value_names = ["ID", "NAME"], required = true)]
        args: Vec<String>,
        #[arg(long)]
        at: Option<String>,
    },
    /// Change an incident's title or severity: `set [ID] --title … --severity SEV2`
    Set {
        id: Option<String>,
        #[arg(long)]
        title: Option<String>,
        /// SEV1 (worst) … SEV4
        #[arg(long)]
        severity: Option<String>,
    },
    /// Close an incident
    Close { id: Option<String> },
    /// Export the timeline: the post-mortem draft (md), json or csv
    Export {
        id: Option<String>,
        #[arg(long, value_enum, default_value_t = ExportFormat::Md)]
        format: ExportFormat,
        /// Write to this file instead of stdout
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Md,
    Json,
    Csv,
}

/// Run an incident subcommand; returns the exit code. With a shared log,
/// what is written here is published, and what others published is pulled in
/// before an incident is read.
pub async fn run(
    args: &IncidentArgs,
    settings: &Settings,
    clock: &dyn Clock,
    shared: Option<&dyn SharePort>,
) -> Result<u8, super::exit::CliError> {
    // Long on purpose: the dispatcher of `triage incident` subcommands, one short arm each.
    let store = IncidentStore::new(&settings.data_dir);
    let sharing = Sharing {
        shared,
        store: &store,
    };
    let redactor =
        Redactor::new(&settings.redact).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let me = Actor::Human {
        name: settings.operator.clone(),
    };
    match &args.command {
        IncidentCommand::Start {
            title,
            severity,
            output,
        } => {
            let severity = match severity.as_deref() {
                Some(given) => Some(parse_severity(given)?),
                None if *output == Format::Text => super::asking::severity(None)?,
                None => None,
            };
            let id = store.start(title, severity, me, &redactor, clock)?;
            if severity.is_none() {
                crate::errln!(
                    "severity not set yet: triage incident set {id} --severity SEV1…SEV4 (the post-mortem asks for it)"
                );
            }
            let entries = store.load(&id)?.incident.entries;
            sharing.publish(&id, &entries).await?;
            match output {
                Format::Json => crate::outln!(
                    "{}",
                    super::output::json_text(&super::output::shapes::IncidentStartedDoc {
                        schema_version: super::output::schema::Version,
                        id: id.clone(),
                    })
                ),
                Format::Text => crate::outln!("{id}"),
            }
        }
        IncidentCommand::List { output } => {
            // Every incident known here, with what others published of it.
            if sharing.shared.is_some() {
                for listed in store.list()? {
                    sharing.pull(&listed.incident.id).await?;
                }
            }
            let incidents = store.list()?;
            match output {
                Format::Json => {
                    let doc = super::output::shapes::IncidentListDoc {
                        schema_version: super::output::schema::Version,
                        incidents: incidents
                            .iter()
                            .map(|l| super::output::shapes::IncidentJson::of(&l.incident))
                            .collect(),
                    };
                    crate::outln!("{}", super::output::json_text(&doc));
                }
                Format::Text if incidents.is_empty() => {
                    crate::outln!("No incidents yet. Start one: triage incident start \"<title>\"")
                }
                Format::Text => {
                    let rows: Vec<Vec<String>> = incidents
                        .iter()
                        .map(|l| {
                            let i = &l.incident;
                            vec![
                                i.id.clone(),
                                i.severity
                                    .map(|s| s.as_str().to_string())
                                    .unwrap_or_else(|| "—".into()),
                                i.status.as_str().into(),
                                i.started_at
                                    .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                                    .unwrap_or_default(),
                                i.entries.len().to_string(),
                                i.title.clone(),
                            ]
                        })
                        .collect();
                    crate::out!(
                        "{}",
                        table(
                            &["ID", "SEVERITY", "STATUS", "STARTED", "ENTRIES", "TITLE"],
                            &rows
                        )
                    );
                }
            }
            for l in &incidents {
                for (line, why) in &l.skipped {
                    crate::errln!("warning: {}: line {line}: {why}", l.incident.id);
                }
            }
        }
        IncidentCommand::Note {
            args,
            at,
            important,
            tag,
        } => {
            let (id, text) = split_optional_id(args);
            if text.trim().is_empty() {
                return Err(StoreError::Invalid(
                    "the note is empty: triage incident note \"what you saw or did\"".into(),
                )
                .into());
            }
            let at = parse_at(at.as_deref(), clock)?;
            let id = sharing.resolve(id).await?;
            let mut draft = EntryDraft::new(EntryKind::Note, me, text).at(at);
            draft.important = *important;
            draft.tags = tag.clone();
            let entry = store.journal(&id).append(draft, &redactor, clock)?;
            crate::outln!("noted in {id} (entry {})", entry.seq);
            sharing.publish(&id, &[entry]).await?;
        }
        IncidentCommand::Milestone { args, at } => {
            let (id, name) = split_optional_id(args);
            let milestone =
                Milestone::parse(name).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let at = parse_at(at.as_deref(), clock)?;
            let id = sharing.resolve(id).await?;
            let incident = store.load(&id)?.incident;
            if let Some(conflict) =
                incident.out_of_order(milestone, at.unwrap_or_else(|| clock.now()))
            {
                return Err(StoreError::Invalid(conflict.to_string()).into());
            }
            let entry = store.journal(&id).append(
                EntryDraft::milestone(milestone, me, at),
                &redactor,
                clock,
            )?;
            crate::outln!(
                "{} at {} in {id} (entry {})",
                milestone.title(),
                entry.occurred_at.format("%Y-%m-%d %H:%M:%S UTC"),
                entry.seq
            );
            sharing.publish(&id, &[entry]).await?;
        }
        IncidentCommand::Set {
            id,
            title,
            severity,
        } => {
            let severity = severity.as_deref().map(parse_severity).transpose()?;
            let title = title.as_deref().map(str::trim).filter(|t| !t.is_empty());
            let summary = match (title, severity) {
                (Some(t), Some(s)) => {
                    format!("Title changed to: {t}; severity set to {}", s.as_str())
                }
                (Some(t), None) => format!("Title changed to: {t}"),
                (None, Some(s)) => format!("Severity set to {}", s.as_str()),
                (None, None) => {
                    return Err(StoreError::Invalid(
                        "nothing to change: give --title \"…\" or --severity SEV1…SEV4".into(),
                    )
                    .into())
                }
            };
            let id = sharing.resolve(id.as_deref()).await?;
            let mut draft = EntryDraft::new(EntryKind::Decision, me, summary);
            draft.incident = Some(IncidentChange {
                title: title.map(str::to_string),
                severity: severity.map(|s| s.as_str().to_string()),
                status: None,
            });
            let entry = store.journal(&id).append(draft, &redactor, clock)?;
            crate::outln!("{} in {id} (entry {})", entry.summary, entry.seq);
            sharing.publish(&id, &[entry]).await?;
        }
        IncidentCommand::Close { id } => {
            let id = sharing.resolve(id.as_deref()).await?;
            let mut draft = EntryDraft::new(EntryKind::Decision, me, "Incident closed");
            draft.incident = Some(IncidentChange {
                status: Some("closed".into()),
                ..Default::default()
            });
            let entry = store.journal(&id).append(draft, &redactor, clock)?;
            crate::outln!("closed {id}");
            sharing.publish(&id, &[entry]).await?;
        }
        IncidentCommand::Export { id, format, output } => {
            let id = sharing.resolve_to_read(id.as_deref()).await?;
            let loaded = store.load(&id)?;
            for (line, why) in &loaded.skipped {
                crate::errln!("warning: {id}: line {line}: {why}");
            }
            let text = match format {
                ExportFormat::Md => export::markdown(&loaded.incident),
                ExportFormat::Json => format!(
                    "{}\n",
                    super::output::json_text(&export::json(&loaded.incident))
                ),
                ExportFormat::Csv => export::csv(&loaded.incident),
            };
            match output {
                Some(path) => {
                    std::fs::write(path, text).map_err(|source| StoreError::Io {
                        doing: "write",
                        path: path.clone(),
                        source,
                    })?;
                    crate::errln!("wrote {}", path.display());
                }
                None => crate::out!("{text}"),
            }
        }
    }
    Ok(exit::OK)
}

/// The shared log, when there is one.
struct Sharing<'a> {
    shared: Option<&'a dyn SharePort>,
    store: &'a IncidentStore,
}

impl Sharing<'_> {
    /// The incident meant (by its id, or the one open); with sharing, what
    /// others published of it is pulled in first — so a responder can join
    /// an incident by its id, and a command without one sees everyone's.
    async fn resolve(&self, id: Option<&str>) -> Result<String, super::exit::CliError> {
        match id {
            // Pulled before it is looked up: it may exist only in the shared log.
            Some(id) => {
                self.pull(id).await?;
                Ok(self.store.resolve(Some(id))?)
            }
            None => {
                let id = self.store.resolve(None)?;
                self.pull(&id).await?;
                Ok(id)
            }
        }
    }

    /// [`Sharing::resolve`] for reading: with none open, the incident closed
    /// last, said on stderr.
    async fn resolve_to_read(&self, id: Option<&str>) -> Result<String, super::exit::CliError> {
        if id.is_some() {
            return self.resolve(id).await;
        }
        let (id, closed) = self.store.resolve_to_read(None)?;
        if closed {
            crate::errln!("no incident is open: exporting {id}, the one closed last");
        }
        self.pull(&id).await?;
        Ok(id)
    }

    /// Merge what others published of incident `id` (nothing without sharing).
    async fn pull(&self, id: &str) -> Result<(), super::exit::CliError> {
        let Some(shared) = self.shared else {
            return Ok(());
        };
        let (new, _) = crate::workers::share::pull(shared, self.store, id, None).await?;
        if !new.is_empty() {
            crate::errln!(
                "merged {} shared entr{} into {id}",
                new.len(),
                if new.len() == 1 { "y" } else { "ies" }
            );
        }
        Ok(())
    }

    async fn publish(
        &self,
        id: &str,
        entries: &[crate::domain::timeline::Entry],
    ) -> Result<(), super::exit::CliError> {
        if let Some(shared) = self.shared {
            shared
                .publish(id, entries)
                .await
                .map_err(|e| super::exit::CliError::NotShared(e.into()))?;
        }
        Ok(())
    }
}

/// `[ID] VALUE`: one argument is the value; two are id and value.
fn split_optional_id(args: &[String]) -> (Option<&str>, &str) {
    match args {
        [value] => (None, value),
        [id, value, ..] => (Some(id), value),
        [] => (None, ""),
    }
}

fn parse_at(
    at: Option<&str>,
    clock: &dyn Clock,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, StoreError> {
    at.map(|t| {
        time_input::parse(t, clock.now()).map_err(|e| StoreError::Invalid(e.message(Some("--at"))))
    })
    .transpose()
}

pub(crate) fn parse_severity(given: &str) -> Result<Severity, StoreError> {
    Severity::parse(given).map_err(|e| StoreError::Invalid(e.to_string()))
}
