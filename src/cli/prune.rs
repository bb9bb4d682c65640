//! `raudit prune --before DATE`: deletes the events stored before a time,
//! oldest commits first, as retention does (see store::retention): in
//! bounded batches, through the chain, loss rows and the daemon's own
//! events going with the commits that stored them.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::Outcome;
use crate::search::time::{self, Bound, Clock};
use crate::store::retention::Older;
use crate::store::Writer;

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Delete events stored before this time (ausearch's forms: a date
    /// YYYY-MM-DD and/or a time HH:MM[:SS], a keyword such as week-ago,
    /// or a relative time such as 90d).
    #[arg(long, value_name = "DATE", num_args = 1..=2, required = true)]
    pub before: Vec<String>,
    /// Database to prune (not while the daemon writes it) [default:
    /// $RAUDIT_DB, else log_file of raudit.conf, else /var/lib/raudit/audit.db].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The chain's key file [default: $RAUDIT_CHAIN_KEY, else the
    /// database's path with .key appended].
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
}

pub fn run(args: PruneArgs) -> anyhow::Result<Outcome> {
    let db = args.db.clone().unwrap_or_else(crate::config::default_db);
    if !db.exists() {
        anyhow::bail!("{}: no such database", db.display());
    }
    let clock = Clock::system()?;
    let before = time::parse(&args.before, Bound::Start, &clock)?;
    let key = args
        .key
        .clone()
        .unwrap_or_else(|| crate::store::chain::default_key_path(&db));
    let mut writer = Writer::open_keyed(&db, &key)?;
    let (mut events, mut steps) = (0u64, 0u64);
    while let Some(gone) = writer
        .prune_step(Older::Than(before))
        .with_context(|| format!("pruning {}", db.display()))?
    {
        events += gone.events;
        steps += 1;
    }
    eprintln!(
        "{}: {events} events deleted in {steps} batches; the newest commit with events is always kept",
        db.display()
    );
    Ok(Outcome::Success)
}
