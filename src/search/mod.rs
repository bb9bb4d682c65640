//! The search stage, shared by `raudit search` and `raudit report`:
//! ausearch's criteria (`filter`, `time`), where the events are read from
//! (the store, or logs imported into a private one: `input`), where a
//! search stopped (`checkpoint`), and the opening of the store and the
//! enrichment of each event streamed from it, the process tree of the
//! events (`tree`). Printing is the output
//! stage's and the report's; the command line's is the cli's.

pub mod checkpoint;
pub mod filter;
pub mod follow;
pub mod input;
pub mod losses;
pub mod time;
pub mod tree;

use std::io;
use std::path::{Path, PathBuf};

use crate::import::enrich::Extras;
use crate::import::ImportError;
use crate::store::query::Stored;
use crate::store::{self, StoreError};
use input::Input;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("{0}: {1}")]
    Input(PathBuf, io::Error),
    #[error("reading checkpoint {0}: {1}")]
    ReadCheckpoint(PathBuf, io::Error),
    #[error("checkpoint {0} is not a raudit checkpoint (position=N)")]
    NotACheckpoint(PathBuf),
    #[error("writing checkpoint {0}: {1}")]
    WriteCheckpoint(PathBuf, io::Error),
    #[error("creating {0}: {1}")]
    TempDir(PathBuf, io::Error),
    #[error("could not create a temporary directory in {0}")]
    NoTempDir(PathBuf),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A store opened read-only: the database asked for, or the private one a
/// log was imported into, which goes when this does.
pub struct Opened {
    pub conn: rusqlite::Connection,
    pub db: PathBuf,
    input: Option<Input>,
}

impl Opened {
    /// Opens `input`'s database, else `db`, else the configured one.
    pub fn open(input: Option<Input>, db: Option<&Path>) -> Result<Opened, SearchError> {
        let db = database(input.as_ref(), db);
        let conn = store::open_read_only(&db)?;
        Ok(Opened { conn, db, input })
    }

    /// Whether the events come from logs imported for this command.
    pub fn is_imported(&self) -> bool {
        self.input.is_some()
    }
}

/// The database events are read from: `input`'s, else `db`, else the
/// configured one.
pub fn database(input: Option<&Input>, db: Option<&Path>) -> PathBuf {
    match input {
        Some(i) => i.db().to_path_buf(),
        None => db.map_or_else(crate::config::default_db, Path::to_path_buf),
    }
}

/// What an enriched log recorded for each record of an imported event;
/// `None` for an event the daemon stored.
pub fn recorded(stored: &Stored) -> Option<Extras> {
    stored
        .enrichment
        .as_deref()
        .map(crate::import::enrich::decode)
}
