//! The SQLite store: one writer (the daemon), any number of read-only
//! readers (search). WAL mode lets readers run while the writer commits.

pub mod archive;
mod body;
pub mod chain;
mod context;
mod encode;
pub mod health;
pub mod imports;
mod maintain;
mod names;
mod open;
pub mod processes;
pub mod query;
mod read;
pub mod retention;
mod schema;
mod sha256;
pub mod shape;
pub mod verify;
mod writer;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

pub use body::{body_text, BodyReader, DictState, NewDict, Stored};
pub use encode::{Encoder, Piece};
pub use maintain::Deleted;
pub use names::key_names;
pub use open::{AtPath, Identity};
pub use read::open_read_only;
pub use writer::{Batch, LossRow, Part, Row, Writer};

/// `event.flags`: a record did not parse cleanly.
pub const FLAG_MALFORMED: i64 = 1;
/// `event.flags`: the event is still open; more records may join it.
pub const FLAG_OPEN: i64 = 2;
/// `event.flags`: more of its body is in `body_more`.
pub const FLAG_MORE: i64 = 4;

/// Where the daemon keeps its database unless told otherwise.
pub const DEFAULT_DB: &str = "/var/lib/raudit/audit.db";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("database directory {path}: {source}")]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database {path} has schema version {found}, newer than this raudit knows ({known}); upgrade raudit")]
    TooNew {
        path: PathBuf,
        found: i64,
        known: usize,
    },
    #[error("database {path} has schema version {found}, older than this raudit's ({known}); readers never change a database: upgrade it with `raudit upgrade --db {path}` (as a user who may write it), or upgrade a copy")]
    Outdated {
        path: PathBuf,
        found: i64,
        known: usize,
    },
    #[error("database {path} does not exist (has the daemon run with --db {path}?)")]
    Missing { path: PathBuf },
    #[error("database {path}: permission denied on {denied}; run as root, or as a user allowed to read it")]
    PermissionDenied { path: PathBuf, denied: PathBuf },
    #[error(
        "database {path} is a directory; give the database file's path (e.g. {path}/audit.db)"
    )]
    IsDirectory { path: PathBuf },
    #[error("{path} is not a raudit database: {why}")]
    NotRaudit { path: PathBuf, why: &'static str },
    #[error("database {path} is damaged (SQLite: database disk image is malformed); check it with `sqlite3 {path} 'PRAGMA integrity_check'`")]
    Corrupt { path: PathBuf },
    #[error("database {path}: its write-ahead log {path}-wal holds recent events, but its index {path}-shm is missing and cannot be created here (read-only file system or directory); copy the database and its -wal to a writable directory and read the copy")]
    WalUnreadable { path: PathBuf },
    #[error("database {path}: {why}")]
    Chain { path: PathBuf, why: String },
    #[error("database {path} {why}")]
    Unsafe { path: PathBuf, why: String },
    #[error("database {path} is being written by {}; stop it, or use another database", holder_text(.holder))]
    Locked {
        path: PathBuf,
        holder: Option<(u32, String)>,
    },
}

fn holder_text(holder: &Option<(u32, String)>) -> String {
    match holder {
        Some((pid, comm)) => format!("{comm} (pid {pid})"),
        None => "another process".into(),
    }
}

pub(crate) fn sqlite_err(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |source| StoreError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

/// The store's newest row holding this event: the same time, serial, node
/// and records (how imports recognise what is already stored).
pub fn find_event(
    conn: &Connection,
    bodies: &mut BodyReader,
    event: &crate::event::Event,
) -> rusqlite::Result<Option<i64>> {
    let ids: Vec<i64> = conn
        .prepare_cached(
            // One table in the join, so that the plan (made once, without
            // the values) can only start from the serial or time index.
            "SELECT e.id FROM event e
             WHERE e.serial = ?1 AND e.time_ms = ?2
               AND (SELECT s.node FROM shape s WHERE s.id = e.shape) IS ?3
             ORDER BY e.id DESC",
        )?
        .query_map(
            rusqlite::params![event.id.serial as i64, event.id.time_ms(), event.node],
            |r| r.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    if ids.is_empty() {
        return Ok(None);
    }
    let body = body_text(&event.records);
    for id in ids {
        if bodies.read(conn, id)? == body {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// Turns on SQLite's query planner stability guarantee. Without it, a
/// statement whose plan considered a bound value is prepared again each
/// time that value changes (this SQLite is built with STAT4): the lookup
/// an import makes per event spent half the import there. Our queries
/// state their own selectivity where it matters (`likelihood`).
pub(crate) fn stable_plans(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .map(|_| ())
}

/// The write-ahead log beside a database.
pub fn wal_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_os_string();
    p.push("-wal");
    PathBuf::from(p)
}

/// Bytes a database takes on disk: the file and its write-ahead log.
pub fn disk_bytes(db: &Path) -> u64 {
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    size(db) + size(&wal_path(db))
}

/// Opens (creating if needed) the database for writing, as its one
/// writer (see [`open`] for the lock and the checks on the path): WAL,
/// migrations applied. The lock is held until it is dropped, after the
/// connection.
pub fn open_writable(path: &Path) -> Result<(Connection, open::Lock), StoreError> {
    let lock = open::claim(path)?;
    let conn = Connection::open(path).map_err(sqlite_err(path))?;
    stable_plans(&conn).map_err(sqlite_err(path))?;
    conn.execute_batch(
        // Before the first table (no effect on an older database): pages
        // retention frees go back to the file system. A page cache of
        // 8 MiB (SQLite's default is 2): the indexes a busy store inserts
        // into at scattered places (pid, uid, shape) otherwise read their
        // pages back from the file at every commit.
        "PRAGMA auto_vacuum = INCREMENTAL;
         PRAGMA journal_mode = WAL;
         PRAGMA journal_size_limit = 67108864;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = OFF;
         PRAGMA cache_size = -8192;",
    )
    .map_err(sqlite_err(path))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(sqlite_err(path))?;
    migrate(&conn, path)?;
    Ok((conn, lock))
}

/// Brings a database an older raudit wrote up to this binary's schema
/// (`raudit upgrade`): readers refuse such a database rather than change
/// it. Returns the versions before and after. Never creates a database,
/// and refuses whatever a reader would refuse other than the age.
pub fn upgrade(path: &Path) -> Result<(i64, usize), StoreError> {
    let known = schema::MIGRATIONS.len();
    let found = match open_read_only(path) {
        Ok(_) => return Ok((known as i64, known)),
        Err(StoreError::Outdated { found, .. }) => found,
        Err(e) => return Err(e),
    };
    // As the database's writer for the while: not under a daemon.
    let _lock = open::claim(path)?;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite_err(path))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(sqlite_err(path))?;
    migrate(&conn, path)?;
    Ok((found, known))
}

fn check_version(path: &Path, found: i64) -> Result<(), StoreError> {
    if found as usize > schema::MIGRATIONS.len() {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            known: schema::MIGRATIONS.len(),
        });
    }
    Ok(())
}

/// Applies the missing migrations in one transaction, reading the version
/// inside it (as cargo does), so two processes cannot both apply a step.
fn migrate(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let err = sqlite_err(path);
    conn.execute_batch("BEGIN IMMEDIATE").map_err(&err)?;
    let result = (|| {
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(&err)?;
        check_version(path, version)?;
        for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            conn.execute_batch(sql).map_err(&err)?;
            conn.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
                .map_err(&err)?;
        }
        Ok(())
    })();
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    conn.execute_batch(end).map_err(&err)?;
    result
}
