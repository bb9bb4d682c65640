//! Archives: the commits a prune deletes, moved first into a database of
//! their own beside the live one (`audit.db.archive-20261203T184500Z`),
//! rows, ids and chain rows as they were, so that the archive verifies
//! with the same key and its last commit is the one the live database's
//! prune row MACs. The archive is made read-only (0400) once written.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, Transaction};

use super::{sqlite_err, StoreError};

/// An archive's file name for a prune run at `time_ms`.
pub fn name_for(db: &Path, time_ms: i64) -> String {
    let file = db
        .file_name()
        .map_or_else(|| "audit.db".into(), |n| n.to_string_lossy().into_owned());
    let stamp = chrono::DateTime::from_timestamp_millis(time_ms).map_or_else(
        || time_ms.to_string(),
        |t| t.format("%Y%m%dT%H%M%SZ").to_string(),
    );
    format!("{file}.archive-{stamp}")
}

/// An archive's path from its name in a prune row.
pub fn path_of(db: &Path, name: &str) -> PathBuf {
    db.parent().unwrap_or(Path::new(".")).join(name)
}

/// Creates the archive (the store's schema) if missing and attaches it to
/// `conn` as `archive`.
pub fn attach(conn: &Connection, archive: &Path) -> Result<(), StoreError> {
    if !archive.exists() {
        drop(super::open_writable(archive)?);
    }
    conn.execute("ATTACH DATABASE ?1 AS archive", [archive.to_string_lossy()])
        .map_err(sqlite_err(archive))?;
    Ok(())
}

pub fn detach(conn: &Connection, archive: &Path) -> Result<(), StoreError> {
    conn.execute_batch("DETACH DATABASE archive")
        .map_err(sqlite_err(archive))
}

/// Copies what a prune through commit `seq` (events up to `event`, loss
/// rows up to `loss`) deletes into the attached archive, with the shared
/// rows they point at.
pub fn copy(tx: &Transaction<'_>, seq: i64, event: i64, loss: i64) -> rusqlite::Result<()> {
    for table in [
        "body_dict",
        "typeset",
        "typeset_member",
        "keyset",
        "keyset_member",
    ] {
        tx.execute(
            &format!("INSERT OR IGNORE INTO archive.{table} SELECT * FROM main.{table}"),
            [],
        )?;
    }
    for sql in [
        "INSERT OR IGNORE INTO archive.shape SELECT * FROM main.shape
         WHERE id IN (SELECT shape FROM main.event WHERE id <= ?1)",
        "INSERT OR IGNORE INTO archive.path_name SELECT * FROM main.path_name
         WHERE id IN (SELECT path_id FROM main.event_path WHERE event_id <= ?1)",
        "INSERT OR IGNORE INTO archive.event SELECT * FROM main.event WHERE id <= ?1",
        "INSERT OR IGNORE INTO archive.body_more SELECT * FROM main.body_more WHERE event_id <= ?1",
        "INSERT OR IGNORE INTO archive.event_path SELECT * FROM main.event_path WHERE event_id <= ?1",
        "INSERT OR IGNORE INTO archive.enrichment SELECT * FROM main.enrichment WHERE event_id <= ?1",
    ] {
        tx.execute(sql, params![event])?;
    }
    tx.execute(
        "INSERT OR IGNORE INTO archive.loss SELECT * FROM main.loss WHERE id <= ?1",
        params![loss],
    )?;
    // A row already there is the full one an earlier step copied; the
    // live database's is emptied by now.
    tx.execute(
        "INSERT OR IGNORE INTO archive.chain SELECT * FROM main.chain WHERE seq <= ?1",
        params![seq],
    )?;
    tx.execute(
        "INSERT OR REPLACE INTO archive.state SELECT * FROM main.state WHERE key = 'chain_key'",
        [],
    )?;
    // Its chain ends where the live one's prune took over: the live
    // database's checkpoint is not its own.
    tx.execute(
        "INSERT OR REPLACE INTO archive.state (key, value) VALUES ('archive', 1)",
        [],
    )?;
    Ok(())
}

/// Whether a database is an archive.
pub fn is_archive(conn: &Connection) -> bool {
    conn.query_row("SELECT 1 FROM state WHERE key = 'archive'", [], |_| Ok(()))
        .is_ok()
}

/// Makes a finished archive read-only: out of WAL mode first, so that
/// readers need no side files beside it.
pub fn seal(archive: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    let conn = Connection::open(archive).map_err(sqlite_err(archive))?;
    conn.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))
        .map_err(sqlite_err(archive))?;
    drop(conn);
    std::fs::set_permissions(archive, std::fs::Permissions::from_mode(0o400)).map_err(|source| {
        StoreError::Dir {
            path: archive.to_path_buf(),
            source,
        }
    })
}
