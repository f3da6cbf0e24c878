//! Every integration test in one binary (as bottom's `tests/integration/`):
//! one link of the AWS SDK instead of one per file, one moto pool for every
//! AWS test. A module per area; `support` is what they share.

mod support;

mod app_context;
mod app_logs;
mod app_runbook;
mod app_shell;
mod app_timeline;
mod app_update;
mod app_waiting;
mod aws_changes;
mod aws_cost;
mod aws_diagnosis;
mod aws_ecs;
mod aws_exec;
mod aws_logsearch;
mod aws_monitoring;
mod aws_pairs;
mod aws_runbook;
mod aws_security;
mod bounds;
mod cli;
mod cli_alarms;
mod cli_completions;
mod cli_incident;
mod cli_share;
mod cli_trace;
mod cli_wait;
mod commands;
mod console_loop;
mod demo_pairs;
mod demo_simulation;
mod demo_watch;
mod diagnosis_cost;
mod e2e_tmux;
mod export;
mod hostile_output;
mod insights;
mod journal;
mod journal_compat;
mod json_contract;
mod keymap;
mod logsearch;
mod postmortem_story;
mod properties;
mod runbook_console;
mod runbook_crash;
mod search_pipeline;
mod sso;
mod suggestion;
mod ui_snapshots;
mod ui_watch;
mod workers;
