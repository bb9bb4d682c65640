//! `raudit upgrade`: brings a database an older raudit wrote up to this
//! version's schema. Search and report never change a database, so they
//! refuse an older one and name this command; the daemon upgrades its own
//! database when it starts.

use std::path::PathBuf;

use clap::Args;

use super::Outcome;
use crate::store::{self, DEFAULT_DB};

#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// Database to upgrade (never created: it must exist).
    #[arg(long, value_name = "PATH", default_value = DEFAULT_DB)]
    pub db: PathBuf,
}

pub fn run(args: UpgradeArgs) -> anyhow::Result<Outcome> {
    let (from, to) = store::upgrade(&args.db)?;
    if from as usize == to {
        eprintln!(
            "{}: schema version {to}, already current",
            args.db.display()
        );
    } else {
        eprintln!(
            "{}: upgraded from schema version {from} to {to}",
            args.db.display()
        );
    }
    Ok(Outcome::Success)
}
