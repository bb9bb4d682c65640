//! Reading what is not a current raudit database: each refused with its
//! cause, none of them changed.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::super::{schema, Writer};
use super::{open_read_only, side_file};

/// A directory of its own, removed when the test ends, passed or not.
fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// The error for `path`, and a check that the directory holding it is as
/// it was: no file created or changed, but for SQLite's own side files of
/// a database of this user (see the module's documentation).
fn refused(path: &Path) -> String {
    let dir = if path.is_dir() {
        path
    } else {
        path.parent().unwrap()
    };
    let before = listing(dir);
    let err = open_read_only(path).unwrap_err().to_string();
    assert!(listing(dir) == before, "{} changed", path.display());
    err
}

fn listing(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            !p.to_string_lossy().ends_with("-wal") && !p.to_string_lossy().ends_with("-shm")
        })
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_default();
            (p, bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_current_database_is_read() {
    let tmp = dir();
    let dir = tmp.path();
    let db = dir.join("audit.db");
    drop(Writer::open(&db).unwrap());
    let conn = open_read_only(&db).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM event", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
    let write = conn.execute("DELETE FROM event", []);
    assert!(write.is_err(), "a reader's connection accepted a write");
}

#[test]
fn what_is_not_a_database_is_named() {
    let tmp = dir();
    let dir = tmp.path();
    let empty = dir.join("empty.db");
    std::fs::write(&empty, "").unwrap();
    let err = refused(&empty);
    assert_eq!(
        err,
        format!(
            "{} is not a raudit database: an empty file",
            empty.display()
        )
    );

    let text = dir.join("text.db");
    std::fs::write(&text, "garbage ".repeat(1000)).unwrap();
    let err = refused(&text);
    assert_eq!(
        err,
        format!(
            "{} is not a raudit database: not a SQLite database",
            text.display()
        )
    );

    let other = dir.join("other.db");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let err = refused(&other);
    assert!(err.ends_with("without raudit's schema"), "{err}");

    let err = refused(dir);
    assert!(err.contains("is a directory"), "{err}");

    let missing = dir.join("missing.db");
    assert!(refused(&missing).contains("does not exist"));
    assert!(!missing.exists());
}

#[test]
fn a_newer_schema_is_refused() {
    let tmp = dir();
    let dir = tmp.path();
    let db = dir.join("audit.db");
    drop(Writer::open(&db).unwrap());
    let newer = schema::MIGRATIONS.len() as i64 + 1;
    Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", newer)
        .unwrap();
    let err = refused(&db);
    assert!(
        err.contains(&format!("schema version {newer}, newer")),
        "{err}"
    );
}

#[test]
fn odd_file_names_reach_sqlite_intact() {
    let tmp = dir();
    let dir = tmp.path();
    let db = dir.join("a ?#%b.db");
    drop(Writer::open(&db).unwrap());
    open_read_only(&db).unwrap();
    assert!(super::uri_path(&db).ends_with("/a%20%3F%23%25b.db"));
}

/// The POSIX locks this process holds on `file`, from /proc/locks:
/// (kind, start, end).
fn my_posix_locks(file: &Path) -> Vec<String> {
    use std::os::unix::fs::MetadataExt;
    let ino = std::fs::metadata(file).unwrap().ino().to_string();
    let me = std::process::id().to_string();
    std::fs::read_to_string("/proc/locks")
        .unwrap()
        .lines()
        .filter_map(|line| {
            // "1: POSIX  ADVISORY  READ 1234 fd:01:5678 128 128"
            let f: Vec<&str> = line.split_whitespace().collect();
            let at = f.iter().position(|w| *w == "POSIX")?;
            let inode = f.get(at + 4)?.rsplit(':').next()?;
            (*f.get(at + 3)? == me && inode == ino).then(|| f[at + 2..].join(" "))
        })
        .collect()
}

#[test]
fn a_reader_in_the_writers_process_leaves_the_writers_locks_in_place() {
    let tmp = dir();
    let db = tmp.path().join("audit.db");
    let writer = Writer::open(&db).unwrap();
    let shm = side_file(&db, "-shm");
    let before = (my_posix_locks(&db), my_posix_locks(&shm));
    assert!(
        !before.1.is_empty(),
        "the writer holds the log index's locks: {before:?}"
    );
    let reader = open_read_only(&db).unwrap();
    drop(reader);
    assert_eq!(
        (my_posix_locks(&db), my_posix_locks(&shm)),
        before,
        "a reader opened beside the writer dropped its locks"
    );
    drop(writer);
}
