//! `raudit import`: load auditd log files (plain or rotated, raw or
//! enriched) into the database, so the history auditd kept stays
//! searchable. Importing the same log again adds nothing.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::Outcome;
use crate::import::{self, log_files, Progress, Source};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Log files, or directories holding audit.log and its rotations
    /// (audit.log.1 ... read oldest first); `-` reads standard input.
    #[arg(value_name = "FILE|DIR", required = true)]
    pub paths: Vec<PathBuf>,
    /// Database to import into (created if missing) [default: $RAUDIT_DB,
    /// else log_file of raudit.conf, else /var/lib/raudit/audit.db].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(args: ImportArgs) -> anyhow::Result<Outcome> {
    let mut sources = Vec::new();
    for path in &args.paths {
        if path.as_os_str() == "-" {
            sources.push(Source::Stdin);
            continue;
        }
        if !path.exists() {
            anyhow::bail!("{}: no such file or directory", path.display());
        }
        let files = log_files(path);
        if files.is_empty() {
            anyhow::bail!("{}: no audit.log in this directory", path.display());
        }
        sources.extend(files.into_iter().map(Source::File));
    }
    let mut progress = if args.quiet {
        Progress::hidden()
    } else {
        Progress::on_terminal()
    };
    let db = args.db.unwrap_or_else(crate::config::default_db);
    let summary = import::import(sources, &db, &mut progress)
        .with_context(|| format!("importing into {}", db.display()))?;
    if !args.quiet {
        eprintln!(
            "{} file(s), {} records, {} events: {} added, {} already stored",
            summary.files, summary.records, summary.events, summary.added, summary.duplicates
        );
        if summary.skipped > 0 {
            eprintln!("{} line(s) skipped: no audit(...) stamp", summary.skipped);
        }
    }
    Ok(Outcome::Success)
}
