//! `raudit verify` against each way of tampering with a recorded database,
//! and `raudit prune` keeping the chain whole. The database is recorded
//! by importing real logs (three imports: several commits).

mod common;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

const LOGS: &[&str] = &[
    "tests/data/oracle/syscalls.log",
    "tests/data/oracle/normalize.log",
    "tests/data/kernel-6.18.log",
];

fn raudit(args: &[&str]) -> (i32, String, String) {
    let out = common::run_utc_c(Path::new(env!("CARGO_BIN_EXE_raudit")), args);
    (
        out.status.code().unwrap_or(-1),
        common::stdout(&out),
        common::stderr(&out),
    )
}

/// A recorded database (and its key and checkpoint beside it) in a new
/// directory.
fn recorded() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.db");
    for log in LOGS {
        let (code, _, err) = raudit(&["import", "--quiet", "--db", db.to_str().unwrap(), log]);
        assert_eq!(code, 0, "{err}");
    }
    (dir, db)
}

fn verify(db: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["verify", "--db", db.to_str().unwrap()];
    args.extend(extra);
    let (code, out, err) = raudit(&args);
    (code, format!("{out}{err}"))
}

fn edit(db: &Path, sql: &str) {
    let conn = Connection::open(db).unwrap();
    conn.execute_batch(sql).unwrap();
}

fn assert_broken(db: &Path, extra: &[&str], want: &str) {
    let (code, text) = verify(db, extra);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains(want), "wanted {want:?} in: {text}");
    assert_eq!(text.trim().lines().count(), 1, "one line: {text}");
}

#[test]
fn a_clean_recording_verifies() {
    let (_dir, db) = recorded();
    let (code, text) = verify(&db, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("chain intact: 3 commits"), "{text}");
    assert!(text.contains("MACs checked, anchor held"), "{text}");
}

#[test]
fn one_byte_of_a_record_edited() {
    let (_dir, db) = recorded();
    let conn = Connection::open(&db).unwrap();
    let body: Vec<u8> = conn
        .query_row(
            "SELECT CAST(body AS BLOB) FROM event WHERE id = 5",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut edited = body.clone();
    let at = edited.len() / 2;
    edited[at] ^= 0x01;
    let typed = if conn
        .query_row("SELECT typeof(body) FROM event WHERE id = 5", [], |r| {
            r.get::<_, String>(0)
        })
        .unwrap()
        == "text"
    {
        rusqlite::types::Value::Text(String::from_utf8(edited).unwrap())
    } else {
        rusqlite::types::Value::Blob(edited)
    };
    conn.execute("UPDATE event SET body = ?1 WHERE id = 5", [typed])
        .unwrap();
    drop(conn);
    assert_broken(
        &db,
        &[],
        "event 5 was edited: its records differ from what commit 1 stored",
    );
}

#[test]
fn an_event_deleted() {
    let (_dir, db) = recorded();
    edit(&db, "DELETE FROM event WHERE id = 7");
    assert_broken(&db, &[], "event 7 was deleted: commit 1 stored it");
}

#[test]
fn an_event_inserted() {
    let (_dir, db) = recorded();
    let max: i64 = Connection::open(&db)
        .unwrap()
        .query_row("SELECT max(id) FROM event", [], |r| r.get(0))
        .unwrap();
    edit(
        &db,
        "INSERT INTO event (time_ms, serial, shape, flags, body, dict)
         SELECT time_ms + 1, serial + 1, shape, flags, body, dict FROM event WHERE id = 3",
    );
    assert_broken(
        &db,
        &[],
        &format!("event {} was inserted: no commit stored it", max + 1),
    );
}

#[test]
fn two_events_swapped() {
    let (_dir, db) = recorded();
    edit(
        &db,
        "CREATE TEMP TABLE t AS SELECT * FROM event WHERE id IN (2, 4);
         UPDATE event SET (time_ms, serial, body, dict) =
             (SELECT time_ms, serial, body, dict FROM t WHERE t.id = 6 - event.id)
         WHERE id IN (2, 4);",
    );
    assert_broken(&db, &[], "events 2 and 4 were swapped");
}

#[test]
fn the_tail_truncated_against_the_checkpoint_and_an_exported_anchor() {
    let (dir, db) = recorded();
    let anchor = dir.path().join("exported.anchor");
    let (code, text) = verify(&db, &["--export-anchor", anchor.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    edit(
        &db,
        "DELETE FROM event WHERE id >= (SELECT first_event FROM chain WHERE seq = 3);
         DELETE FROM chain WHERE seq = 3;",
    );
    assert_broken(
        &db,
        &[],
        "the chain was truncated: the anchor names commit 3, the database ends at commit 2",
    );
    std::fs::remove_file(dir.path().join("audit.db.checkpoint")).unwrap();
    assert_broken(
        &db,
        &["--anchor", anchor.to_str().unwrap()],
        "the anchor names commit 3, the database ends at commit 2",
    );
    // Without any anchor the shorter chain is consistent: the documented limit.
    let (code, text) = verify(&db, &[]);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn a_chain_recomputed_without_the_key() {
    let (dir, db) = recorded();
    // The attacker's copy: the same logs, but one edited, chained afresh
    // with a key of the attacker's.
    let forged = dir.path().join("forged.db");
    let log = dir.path().join("edited.log");
    let text = std::fs::read_to_string(LOGS[0])
        .unwrap()
        .replacen("uid=0", "uid=7", 1);
    std::fs::write(&log, text).unwrap();
    for l in [log.to_str().unwrap(), LOGS[1], LOGS[2]] {
        let (code, _, err) = raudit(&["import", "--quiet", "--db", forged.to_str().unwrap(), l]);
        assert_eq!(code, 0, "{err}");
    }
    let key = dir.path().join("audit.db.key");
    let key_arg = ["--key", key.to_str().unwrap()];
    assert_broken(&forged, &key_arg, "the chain was made with another key");
    // ... and with the real key's fingerprint copied in.
    let fingerprint: String = Connection::open(&db)
        .unwrap()
        .query_row("SELECT value FROM state WHERE key = 'chain_key'", [], |r| {
            r.get(0)
        })
        .unwrap();
    edit(
        &forged,
        &format!("UPDATE state SET value = '{fingerprint}' WHERE key = 'chain_key'"),
    );
    assert_broken(
        &forged,
        &key_arg,
        "commit 1's MAC does not match under the key",
    );
}

#[test]
fn a_chain_row_deleted() {
    let (_dir, db) = recorded();
    edit(&db, "DELETE FROM chain WHERE seq = 2");
    assert_broken(&db, &[], "commits 2 to 2 were deleted from the chain");
}

#[test]
fn verify_never_writes_and_needs_no_write_access() {
    let (_dir, db) = recorded();
    let before = std::fs::read(&db).unwrap();
    let (code, text) = verify(&db, &[]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn prune_deletes_old_commits_and_the_chain_still_verifies() {
    let (_dir, db) = recorded();
    let conn = Connection::open(&db).unwrap();
    // The second commit's newest event: everything stored before it goes
    // (whole commits only, never the newest with events).
    let (events, newest_first): (i64, i64) = conn
        .query_row(
            "SELECT count(*), (SELECT first_event FROM chain WHERE seq = 3) FROM event",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    drop(conn);
    let (code, _, err) = raudit(&[
        "prune",
        "--db",
        db.to_str().unwrap(),
        "--before",
        "2038-01-01",
    ]);
    assert_eq!(code, 0, "{err}");
    let conn = Connection::open(&db).unwrap();
    let (left, oldest): (i64, i64) = conn
        .query_row("SELECT count(*), min(id) FROM event", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert!(left < events, "{left} of {events}");
    assert_eq!(oldest, newest_first, "only the newest commit's events stay");
    drop(conn);
    let (code, text) = verify(&db, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("older commits pruned through 2"), "{text}");
    // Deleting more of the past by hand is still caught.
    edit(&db, "DELETE FROM chain WHERE seq = 2");
    let (code, text) = verify(&db, &[]);
    assert_eq!(code, 2, "{text}");
}

/// The archive `prune --archive` wrote beside `db`.
fn archive_of(db: &Path) -> PathBuf {
    let dir = db.parent().unwrap();
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".archive-"))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found.pop().unwrap()
}

fn archived() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (dir, db) = recorded();
    let (code, _, err) = raudit(&[
        "prune",
        "--db",
        db.to_str().unwrap(),
        "--archive",
        "--before",
        "2038-01-01",
    ]);
    assert_eq!(code, 0, "{err}");
    let archive = archive_of(&db);
    (dir, db, archive)
}

#[test]
fn an_archive_carries_the_chain_and_verifies_with_the_live_store() {
    let (dir, db, archive) = archived();
    let (code, text) = verify(&db, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("older commits pruned through 2, 1 archive(s) holding"),
        "{text}"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&archive).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o400, "read-only");
    // On its own, with the live store's key.
    let key = dir.path().join("audit.db.key");
    let (code, text) = verify(&archive, &["--key", key.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    // Readable as any store.
    let (code, out, err) = raudit(&["search", "--db", archive.to_str().unwrap(), "-m", "SYSCALL"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("type=SYSCALL"), "{out}");
}

#[test]
fn an_archive_edited_replaced_or_missing() {
    let (_dir, db, archive) = archived();
    let writable = |p: &Path| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600)).unwrap();
    };
    writable(&archive);
    edit(
        &archive,
        "UPDATE event SET serial = serial + 1 WHERE id = 3",
    );
    let name = archive.file_name().unwrap().to_string_lossy().into_owned();
    assert_broken(&db, &[], &format!("archive {name}: event 3 was edited"));

    // Another store put in its place: a whole, valid chain, but not the
    // one the live store's prune moved.
    std::fs::remove_file(&archive).unwrap();
    let (_other_dir, other, other_archive) = archived();
    drop(other);
    std::fs::copy(&other_archive, &archive).unwrap();
    assert_broken(&db, &[], &format!("archive {name} was replaced"));

    std::fs::remove_file(&archive).unwrap();
    assert_broken(
        &db,
        &[],
        &format!("archive {name} is missing: prune commit 4 moved commits into it"),
    );
}

#[test]
fn search_verified_flags_the_events_of_a_broken_commit() {
    let (_dir, db) = recorded();
    edit(&db, "UPDATE event SET time_ms = time_ms + 1 WHERE id = 3");
    let (first_last, total): ((i64, i64), i64) = {
        let conn = Connection::open(&db).unwrap();
        let range = conn
            .query_row(
                "SELECT first_event, last_event FROM chain WHERE seq = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let total = conn
            .query_row("SELECT count(*) FROM event", [], |r| r.get(0))
            .unwrap();
        (range, total)
    };
    let (code, out, err) = raudit(&["search", "--db", db.to_str().unwrap(), "--verified", "-r"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("event 3 was edited"), "{err}");
    let flagged = out
        .lines()
        .filter(|l| l.starts_with("# unverified: event 3 was edited"))
        .count();
    assert_eq!(
        flagged as i64,
        first_last.1 - first_last.0 + 1,
        "the first commit's events"
    );
    assert!(
        (flagged as i64) < total,
        "the other commits' events are not flagged"
    );
    let (code, out, _) = raudit(&["search", "--db", db.to_str().unwrap(), "-r"]);
    assert_eq!(code, 0);
    assert!(!out.contains("# unverified"), "only when asked");
    let (code, _, err) = raudit(&[
        "search",
        "--db",
        db.to_str().unwrap(),
        "--verified",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("--verified flags events in the default"),
        "{err}"
    );
}
