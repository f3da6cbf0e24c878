//! `triage completions SHELL` prints a completion script for bash, zsh,
//! fish, PowerShell or elvish; `triage man` prints the manual page (or, with
//! `--dir`, writes one page per subcommand). Both come from the same clap
//! definitions as the parser, so they cannot drift from the flags.

use super::Cli;
use clap::{Args, CommandFactory};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write triage.1 and a page per subcommand (triage-status.1 …) into this folder
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// The completion script, to `out`.
pub fn completions(args: &CompletionsArgs, out: &mut dyn Write) {
    clap_complete::generate(args.shell, &mut Cli::command(), "triage", out);
}

/// The manual: one page to `out`, or every page into `--dir`.
pub fn man(args: &ManArgs, out: &mut dyn Write) -> std::io::Result<Vec<PathBuf>> {
    let command = Cli::command();
    match &args.dir {
        None => {
            clap_mangen::Man::new(command).render(out)?;
            Ok(Vec::new())
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            clap_mangen::generate_to(command, dir)?;
            let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "1"))
                .collect();
            pages.sort();
            Ok(pages)
        }
    }
}
