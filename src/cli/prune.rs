//! `raudit prune --before DATE | --to-size MIB`: deletes the events stored
//! before a time, or the oldest until the database fits, oldest commits
//! first, as retention does (see store::retention): in
//! bounded batches, through the chain, loss rows and the daemon's own
//! events going with the commits that stored them.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::Outcome;
use crate::search::time::{self, Bound, Clock};
use crate::store::retention::{Older, PRUNE_BATCH};
use crate::store::{self, Writer};

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Delete events stored before this time (ausearch's forms: a date
    /// YYYY-MM-DD and/or a time HH:MM[:SS], a keyword such as week-ago,
    /// or a relative time such as 90d).
    #[arg(long, value_name = "DATE", num_args = 1..=2, required_unless_present = "to_size")]
    pub before: Vec<String>,
    /// Delete the oldest events until the database (with its write-ahead
    /// log) takes at most this many MiB on disk.
    #[arg(long, value_name = "MIB")]
    pub to_size: Option<u64>,
    /// Database to prune (not while the daemon writes it) [default:
    /// $RAUDIT_DB, else log_file of raudit.conf, else /var/lib/raudit/audit.db].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Move what is deleted into an archive database beside this one
    /// (DB.archive-YYYYMMDDTHHMMSSZ, made read-only), which verify checks
    /// is there and unchanged.
    #[arg(long)]
    pub archive: bool,
    /// The chain's key file [default: $RAUDIT_CHAIN_KEY, else chain_key of
    /// raudit.conf for its database, else the database's path with .key
    /// appended].
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
}

pub fn run(args: PruneArgs) -> anyhow::Result<Outcome> {
    let db = args.db.clone().unwrap_or_else(crate::config::default_db);
    if !db.exists() {
        anyhow::bail!("{}: no such database", db.display());
    }
    let before = match args.before.is_empty() {
        true => None,
        false => Some(time::parse(&args.before, Bound::Start, &Clock::system()?)?),
    };
    let key = args
        .key
        .clone()
        .unwrap_or_else(|| crate::config::chain_key_for(&db));
    let mut writer = Writer::open_keyed(&db, &key)?;
    let archive = args
        .archive
        .then(|| store::archive::name_for(&db, store::retention::now_ms()));
    let mut done = Done {
        archive: archive.clone(),
        ..Done::default()
    };
    if let Some(ms) = before {
        done.add(&mut writer, &db, |_| Some(Older::Than(ms)))?;
    }
    if let Some(mib) = args.to_size {
        done.add(&mut writer, &db, |w| {
            let _ = w.checkpoint_wal();
            (store::disk_bytes(&db) > mib << 20).then_some(Older::Count(PRUNE_BATCH))
        })?;
    }
    writer
        .vacuum(0)
        .and_then(|()| writer.checkpoint_wal())
        .with_context(|| format!("checkpointing {}", db.display()))?;
    if let Some(name) = archive.filter(|_| done.events > 0) {
        let path = store::archive::path_of(&db, &name);
        store::archive::seal(&path)?;
        eprintln!(
            "{}: archive of {} KiB",
            path.display(),
            store::disk_bytes(&path) >> 10
        );
    }
    eprintln!(
        "{}: {} events deleted in {} steps; now {} KiB on disk",
        db.display(),
        done.events,
        done.steps,
        store::disk_bytes(&db) >> 10
    );
    Ok(Outcome::Success)
}

#[derive(Default)]
struct Done {
    events: u64,
    steps: u64,
    archive: Option<String>,
}

impl Done {
    /// Prunes step by step while `which` says what to delete and
    /// something goes.
    fn add(
        &mut self,
        writer: &mut Writer,
        db: &std::path::Path,
        mut which: impl FnMut(&Writer) -> Option<Older>,
    ) -> anyhow::Result<()> {
        while let Some(older) = which(writer) {
            let step = writer
                .prune_step_into(older, self.archive.as_deref())
                .with_context(|| format!("pruning {}", db.display()))?;
            let Some(gone) = step else {
                break;
            };
            self.events += gone.events;
            self.steps += 1;
        }
        Ok(())
    }
}
