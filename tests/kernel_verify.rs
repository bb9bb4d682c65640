//! The chain over what the daemon really records: a database recorded
//! from the kernel (events stored as their records arrive, pieces joined
//! in later commits, DAEMON_START/END) verifies, and a copy tampered with
//! does not.

mod common;

use std::path::Path;

use common::{ctl, kernel, search_json};
use rusqlite::Connection;

fn verify(db: &Path) -> (Option<i32>, String) {
    let out = common::raudit(&["verify", "--db", db.to_str().unwrap()]);
    (
        out.status.code(),
        format!("{}{}", common::stdout(&out), common::stderr(&out)),
    )
}

/// The database, its key and its checkpoint, copied into `to`.
fn copy_store(dir: &Path, to: &Path) -> std::path::PathBuf {
    std::fs::create_dir(to).unwrap();
    for name in ["audit.db", "audit.db.key", "audit.db.checkpoint"] {
        std::fs::copy(dir.join(name), to.join(name)).unwrap();
    }
    to.join("audit.db")
}

#[test]
fn a_recorded_database_verifies_and_a_tampered_copy_does_not() {
    let Some(mut k) = kernel("a_recorded_database_verifies_and_a_tampered_copy_does_not") else {
        return;
    };
    let store = k.path("store");
    std::fs::create_dir(&store).unwrap();
    let db = store.join("audit.db");
    let watched = k.path("w");
    std::fs::create_dir(&watched).unwrap();
    // Two runs: the second continues the first's chain.
    for round in 0..2 {
        let pid = k.start_daemon(&db, &[]);
        if round == 0 {
            ctl(&["-w", watched.to_str().unwrap(), "-p", "wa", "-k", "chained"]);
        }
        for i in 0..100 {
            std::fs::write(watched.join(format!("f{round}-{i}")), b"x").unwrap();
        }
        assert!(k.stop_daemon(pid).success());
    }
    assert!(search_json(&db, &["-k", "chained"]).len() >= 200);
    let (code, text) = verify(&db);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("MACs checked, anchor held"), "{text}");

    let edited = copy_store(&store, &k.path("edited"));
    let id: i64 = Connection::open(&edited)
        .unwrap()
        .query_row(
            "SELECT id FROM event WHERE serial > 0 ORDER BY id LIMIT 1 OFFSET 50",
            [],
            |r| r.get(0),
        )
        .unwrap();
    Connection::open(&edited)
        .unwrap()
        .execute("UPDATE event SET time_ms = time_ms + 1 WHERE id = ?1", [id])
        .unwrap();
    let (code, text) = verify(&edited);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains(&format!("event {id} was edited")), "{text}");

    let deleted = copy_store(&store, &k.path("deleted"));
    Connection::open(&deleted)
        .unwrap()
        .execute("DELETE FROM event WHERE id = ?1", [id])
        .unwrap();
    let (code, text) = verify(&deleted);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains(&format!("event {id} was deleted")), "{text}");
}
