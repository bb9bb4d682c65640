//! `raudit export`: copy a database's events and loss rows into the
//! fleet's ClickHouse tables (a backfill), resuming where the last run
//! stopped.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;

use super::fleet::ServerArgs;
use super::Outcome;
use crate::fleet::cursor::{self, CursorFile};
use crate::fleet::export::{self, Options};
use crate::store;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Database to export [default: $RAUDIT_DB, else log_file of
    /// raudit.conf, else /var/lib/raudit/audit.db]. It is only read.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The fleet's ClickHouse (tables made by `raudit fleet init`):
    /// http://[USER[:PASSWORD]@]HOST[:PORT][/DATABASE].
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// Where the export keeps its place [default: the database's path
    /// with .export.json added].
    #[arg(long, value_name = "FILE")]
    pub cursor: Option<PathBuf>,
    /// Events per insert.
    #[arg(long, value_name = "N", default_value_t = 10_000,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub batch: u32,
    /// Node name for events recorded without one, and for the database's
    /// loss rows [default: this machine's host name].
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,
    /// Seconds to keep retrying while the server is unreachable (refused,
    /// timed out, connection lost) before giving up; 0: give up at once.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub retry_for: u64,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub server: ServerArgs,
}

pub fn run(args: ExportArgs) -> anyhow::Result<Outcome> {
    let client = args.server.client(&args.to)?;
    let db = args.db.clone().unwrap_or_else(crate::config::default_db);
    let conn = store::open_read_only(&db)?;
    let cursor_path = args
        .cursor
        .clone()
        .unwrap_or_else(|| cursor::default_path(&db));
    let mut cursors = CursorFile::load(&cursor_path)?;
    let options = Options {
        batch: args.batch as usize,
        node: match &args.node {
            Some(n) => n.clone(),
            None => host_name()?,
        },
        retry_for: Duration::from_secs(args.retry_for),
    };
    let started = Instant::now();
    let mut said = false;
    let summary = export::export(&conn, &client, &mut cursors, &options, |e| {
        if !said && !args.quiet {
            eprintln!(
                "raudit export: {e}; retrying for up to {} s",
                args.retry_for
            );
            said = true;
        }
    })
    .with_context(|| format!("exporting {} to {}", db.display(), client.url.display()))?;
    if !args.quiet {
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "{} events in {} batches, {} loss rows, in {secs:.1} s ({:.0} events/s)",
            summary.events,
            summary.batches,
            summary.loss_rows,
            summary.events as f64 / secs.max(1e-3)
        );
        if summary.stopped_at_open {
            eprintln!("stopped at an event the daemon may still add records to; run again later for it and what follows");
        }
    }
    Ok(Outcome::Success)
}

fn host_name() -> anyhow::Result<String> {
    let name = nix::unistd::gethostname().context("reading this machine's host name")?;
    Ok(name.to_string_lossy().into_owned())
}
