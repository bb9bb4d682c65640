//! Retention on a store filled by `raudit import`: by age and by size,
//! through the chain (the store still verifies), with the space returned.

mod common;

use std::path::{Path, PathBuf};

use common::synth::{self, Spec};
use rusqlite::Connection;

const BIN: &str = env!("CARGO_BIN_EXE_raudit");

fn run(args: &[&str]) -> (bool, String) {
    let out = common::run_utc_c(Path::new(BIN), args);
    let text = format!("{}{}", common::stdout(&out), common::stderr(&out));
    (out.status.success(), text)
}

/// 20,000 synthetic events over about 100 minutes, imported in four logs.
fn filled() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.db");
    for part in 0..4 {
        let mut spec = Spec::new(5_000, part + 1);
        spec.start = 1_700_000_000 + part as i64 * 750;
        let log = dir.path().join(format!("part{part}.log"));
        std::fs::write(&log, synth::log(spec)).unwrap();
        common::import_log(&log, &db);
    }
    (dir, db)
}

fn verify_ok(db: &Path) -> String {
    let (ok, text) = run(&["verify", "--db", db.to_str().unwrap()]);
    assert!(ok, "{text}");
    text
}

fn scalar(db: &Path, sql: &str) -> i64 {
    Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn prune_by_age_deletes_whole_commits_before_the_date() {
    let (_dir, db) = filled();
    let before = scalar(&db, "SELECT count(*) FROM event");
    // 2023-11-14 22:43:20 UTC is 1,700,001,800: half an hour into the log.
    let cutoff_ms = 1_700_001_800_000i64;
    let (ok, text) = run(&[
        "prune",
        "--db",
        db.to_str().unwrap(),
        "--before",
        "2023-11-14",
        "22:43:20",
    ]);
    assert!(ok, "{text}");
    let after = scalar(&db, "SELECT count(*) FROM event");
    assert!(after < before, "{after} of {before}: {text}");
    // Older events stay only in the commit that holds the first younger one.
    let straddling = scalar(
        &db,
        &format!(
            "SELECT first_event FROM chain WHERE first_event <= (SELECT min(id) FROM event WHERE time_ms >= {cutoff_ms})
             AND last_event >= (SELECT min(id) FROM event WHERE time_ms >= {cutoff_ms})"
        ),
    );
    let stray = scalar(
        &db,
        &format!("SELECT count(*) FROM event WHERE time_ms < {cutoff_ms} AND id < {straddling}"),
    );
    assert_eq!(stray, 0, "every older event outside that commit is gone");
    assert!(
        scalar(
            &db,
            &format!("SELECT count(*) FROM event WHERE time_ms >= {cutoff_ms}")
        ) > 0
    );
    let text = verify_ok(&db);
    assert!(text.contains("older commits pruned through"), "{text}");
    // Searching still works on what is left.
    let (ok, text) = run(&[
        "search",
        "--db",
        db.to_str().unwrap(),
        "-m",
        "SYSCALL",
        "--format",
        "csv",
    ]);
    assert!(ok, "{text}");
}

#[test]
fn prune_to_size_returns_the_space_to_the_file_system() {
    let (_dir, db) = filled();
    let (_dir2, db2) = filled();
    let big = raudit_disk(&db2);
    let target = (big / 2) >> 20;
    let (ok, text) = run(&[
        "prune",
        "--db",
        db2.to_str().unwrap(),
        "--to-size",
        &target.max(1).to_string(),
    ]);
    assert!(ok, "{text}");
    let small = raudit_disk(&db2);
    // The shared rows (shapes, path names) stay: the synthetic log gives
    // most events a shape of their own, so it may not fit, but then only
    // the newest commit is left, and the events' pages went back.
    let left = scalar(&db2, "SELECT count(*) FROM event");
    let newest = scalar(
        &db2,
        "SELECT last_event - first_event + 1 FROM chain WHERE last_event IS NOT NULL ORDER BY seq DESC LIMIT 1",
    );
    assert!(
        small <= target.max(1) << 20 || left == newest,
        "{small} bytes and {left} events after pruning to {target} MiB (from {big}): {text}"
    );
    assert!(small < big * 6 / 10, "{small} bytes of {big}: {text}");
    assert!(left > 0, "the newest commit stays");
    verify_ok(&db2);
    // To nothing: only the newest commit with events is left.
    let (ok, text) = run(&["prune", "--db", db.to_str().unwrap(), "--to-size", "0"]);
    assert!(ok, "{text}");
    let newest = scalar(
        &db,
        "SELECT max(seq) FROM chain WHERE last_event IS NOT NULL",
    );
    let oldest_left = scalar(&db, "SELECT min(id) FROM event");
    assert_eq!(
        oldest_left,
        scalar(
            &db,
            &format!("SELECT first_event FROM chain WHERE seq = {newest}")
        )
    );
    verify_ok(&db);
}

fn raudit_disk(db: &Path) -> u64 {
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    std::fs::metadata(db).map_or(0, |m| m.len()) + std::fs::metadata(wal).map_or(0, |m| m.len())
}
