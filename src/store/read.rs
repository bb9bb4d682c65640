//! Opening a database to read it (search, report, `ctl -s`): strictly
//! read-only. A reader never migrates, creates or writes a database, so it
//! works on read-only media, on a copy owned by someone else, and beside a
//! running daemon without disturbing it.
//!
//! SQLite reads a WAL database through two files beside it: the log
//! (`-wal`) and its shared-memory index (`-shm`). Even a read-only
//! connection creates them when they are missing, which a reader cannot do
//! on read-only media and must not do in someone else's directory. So:
//! - with a `-wal` there (a daemon is running, or stopped uncleanly), the
//!   plain read-only open reads it, with SQLite's usual locking;
//! - without one, the database file holds every committed transaction. A
//!   database of this user is opened as usual (side files of its own user
//!   harm nobody, and SQLite's locks keep a writer that starts meanwhile
//!   from changing pages under the reader); someone else's, or one whose
//!   directory refuses the side files, is opened `immutable`: no lock and
//!   no file created.
//!
//! What cannot be read is named with its cause: missing, permission
//! denied, a directory, not a database, not raudit's, or a schema older or
//! newer than this binary's.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::{schema, sqlite_err, StoreError};

/// How long a reader waits for a writer's lock (a checkpoint) to pass.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens an existing database read-only, as search and report do.
pub fn open_read_only(path: &Path) -> Result<Connection, StoreError> {
    let meta = check_file(path)?;
    let wal = side_file(path, "-wal");
    let wal_len = check_side_file(path, &wal)?;
    check_side_file(path, &side_file(path, "-shm"))?;
    let own = meta.uid() == nix::unistd::geteuid().as_raw();
    let conn = if wal_len.is_none() && !own {
        connect(path, Mode::Immutable).map_err(|e| classify(path, e))?
    } else {
        match connect(path, Mode::Locked) {
            Ok(conn) => conn,
            // The side files cannot be created here (read-only media or
            // directory): without a log to read, the file is the whole
            // database.
            Err(e) if needs_side_files(&e) && wal_len.unwrap_or(0) == 0 => {
                connect(path, Mode::Immutable).map_err(|e| classify(path, e))?
            }
            Err(e) if needs_side_files(&e) => {
                return Err(StoreError::WalUnreadable {
                    path: path.to_path_buf(),
                })
            }
            Err(e) => return Err(classify(path, e)),
        }
    };
    check_schema(&conn, path)?;
    Ok(conn)
}

/// The database file: there, readable, a file and not empty.
fn check_file(path: &Path) -> Result<std::fs::Metadata, StoreError> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, path, e))?;
    if meta.is_dir() {
        return Err(StoreError::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    readable(path).map_err(|e| io_error(path, path, e))?;
    if meta.len() == 0 {
        return Err(StoreError::NotRaudit {
            path: path.to_path_buf(),
            why: "an empty file",
        });
    }
    Ok(meta)
}

/// The length of a side file, if there is one; an error when this user
/// cannot read it (SQLite would only say it cannot open the database).
fn check_side_file(db: &Path, side: &Path) -> Result<Option<u64>, StoreError> {
    match std::fs::metadata(side).and_then(|m| readable(side).map(|()| m.len())) {
        Ok(len) => Ok(Some(len)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error(db, side, e)),
    }
}

/// Whether this process may read `path`, asked without opening it: a
/// file SQLite has open in this process must never be opened and closed
/// beside it, for closing any descriptor of a file drops every POSIX lock
/// the process holds on it (SQLite's among them). A daemon whose writer
/// lost its locks that way lets another process's reader rebuild the
/// write-ahead log's index under it.
fn readable(path: &Path) -> std::io::Result<()> {
    nix::unistd::eaccess(path, nix::unistd::AccessFlags::R_OK).map_err(std::io::Error::from)
}

fn io_error(db: &Path, file: &Path, e: std::io::Error) -> StoreError {
    match e.kind() {
        std::io::ErrorKind::NotFound => StoreError::Missing {
            path: db.to_path_buf(),
        },
        std::io::ErrorKind::PermissionDenied => StoreError::PermissionDenied {
            path: db.to_path_buf(),
            denied: denied_part(file),
        },
        _ => StoreError::Dir {
            path: file.to_path_buf(),
            source: e,
        },
    }
}

/// Which part of `file`'s path this user may not enter or read: the first
/// directory it cannot search, else the file itself.
fn denied_part(file: &Path) -> PathBuf {
    file.ancestors()
        .skip(1)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .filter(|d| !d.as_os_str().is_empty())
        .find(|d| nix::unistd::access(*d, nix::unistd::AccessFlags::X_OK).is_err())
        .map_or_else(|| file.to_path_buf(), Path::to_path_buf)
}

fn side_file(db: &Path, suffix: &str) -> PathBuf {
    let mut p = db.as_os_str().to_os_string();
    p.push(suffix);
    PathBuf::from(p)
}

#[derive(Clone, Copy)]
enum Mode {
    /// SQLite's read-only open, with its locks and side files.
    Locked,
    /// The file taken as it is: no lock, no side file, any `-wal` ignored.
    Immutable,
}

/// A read-only connection that has read the schema (so that a file that is
/// not a database fails here, not in the middle of a report).
fn connect(path: &Path, mode: Mode) -> rusqlite::Result<Connection> {
    let params = match mode {
        Mode::Locked => "mode=ro",
        Mode::Immutable => "mode=ro&immutable=1",
    };
    let conn = Connection::open_with_flags(
        format!("file:{}?{params}", uri_path(path)),
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    super::stable_plans(&conn)?;
    // Refuses any write on this connection, whatever a query asks.
    conn.pragma_update(None, "query_only", true)?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
    Ok(conn)
}

/// A path as a `file:` URI's path: bytes other than unreserved ones and
/// `/` percent-encoded (a `?` or `#` in a file name would end the path).
fn uri_path(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::new();
    for &b in absolute.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether SQLite failed for want of its side files: it could not create
/// the `-wal` or `-shm` (read-only file system or directory).
fn needs_side_files(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly)
    )
}

fn classify(path: &Path, e: rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotRaudit {
            path,
            why: "not a SQLite database",
        },
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt { path },
        Some(ErrorCode::PermissionDenied) => StoreError::PermissionDenied {
            denied: path.clone(),
            path,
        },
        _ => sqlite_err(&path)(e),
    }
}

/// Accepts only this binary's schema: a reader cannot run newer queries on
/// older tables, and must not upgrade them.
fn check_schema(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| classify(path, e))?;
    let known = schema::MIGRATIONS.len();
    let path = path.to_path_buf();
    match found {
        0 => Err(StoreError::NotRaudit {
            path,
            why: "a SQLite database without raudit's schema",
        }),
        f if f as usize > known => Err(StoreError::TooNew { path, found, known }),
        f if (f as usize) < known => Err(StoreError::Outdated { path, found, known }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
