//! The chain over what only the daemon writes: events stored in pieces
//! across commits, loss rows, and a prune that deletes an event whose late
//! piece a later commit stored.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::{walk, Break, Walk};
use crate::record::{parse_log_line, EventId, Record};
use crate::store::chain::{default_key_path, Key};
use crate::store::retention::Older;
use crate::store::shape::Summary;
use crate::store::{open_read_only, Batch, Encoder, LossRow, Part, Piece, Writer};

fn records(serial: u64, types: &[&str]) -> Vec<Record> {
    types
        .iter()
        .map(|t| {
            parse_log_line(&format!(
                "type={t} msg=audit(1700000000.000:{serial}): pid=1 uid=0 msg='x {serial}'"
            ))
        })
        .collect()
}

fn piece(
    enc: &mut Encoder,
    token: u64,
    serial: u64,
    part: Part,
    open: bool,
    recs: &[Record],
) -> crate::store::Row {
    let id = EventId {
        sec: 1_700_000_000,
        msec: 0,
        serial,
    };
    enc.piece(
        Piece {
            token,
            id,
            node: None,
            part,
            open,
            records: recs,
        },
        &mut Summary::default(),
    )
}

fn loss(n: u64) -> LossRow {
    LossRow {
        time_ms: 1_700_000_000_000,
        kind: "kernel_lost",
        first_serial: None,
        last_serial: None,
        count: n,
        detail: format!("{n} lost"),
        start_ms: None,
    }
}

/// Three commits: event 1 opens, event 2 whole and a loss row, then a
/// late piece of event 1; then a last event.
fn store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.db");
    let mut w = Writer::open(&db).unwrap();
    let mut enc = Encoder::new(w.dict_state().unwrap());
    let first = records(1, &["USER_AUTH"]);
    let more = records(1, &["USER_ACCT", "CRED_ACQ"]);
    let other = records(2, &["USER_START"]);
    let last = records(3, &["USER_END"]);
    let batches = [
        Batch {
            rows: vec![
                piece(&mut enc, 1, 1, Part::First, true, &first),
                piece(&mut enc, 2, 2, Part::First, false, &other),
            ],
            losses: vec![loss(3)],
            ..Batch::default()
        },
        Batch {
            rows: vec![piece(&mut enc, 1, 1, Part::More, false, &more)],
            ..Batch::default()
        },
        Batch {
            rows: vec![piece(&mut enc, 3, 3, Part::First, false, &last)],
            losses: vec![loss(4)],
            ..Batch::default()
        },
    ];
    for b in batches {
        w.write_batch(b).unwrap();
    }
    (dir, db)
}

fn check(db: &Path) -> Option<Break> {
    let key = Key::read(&default_key_path(db)).unwrap();
    let conn = open_read_only(db).unwrap();
    walk(
        &conn,
        Walk {
            db: None,
            key: Some(&key),
            anchor: None,
            bases: &[],
            progress: &mut |_, _| {},
        },
    )
    .unwrap()
    .1
}

fn edit(db: &Path, sql: &str) {
    Connection::open(db).unwrap().execute_batch(sql).unwrap();
}

#[test]
fn pieces_and_loss_rows_are_covered() {
    let (_d, db) = store();
    assert_eq!(check(&db), None);
    edit(
        &db,
        "UPDATE body_more SET body = CAST(body AS TEXT) || ' ' WHERE event_id = 1",
    );
    assert_eq!(
        check(&db),
        Some(Break::EditedPiece {
            event: 1,
            piece: 1,
            commit: 2
        })
    );

    let (_d, db) = store();
    edit(&db, "DELETE FROM body_more");
    assert!(matches!(
        check(&db),
        Some(Break::DeletedPiece { event: 1, .. })
    ));

    let (_d, db) = store();
    edit(&db, "UPDATE loss SET count = 1 WHERE id = 1");
    assert_eq!(check(&db), Some(Break::EditedLoss { loss: 1, commit: 1 }));

    let (_d, db) = store();
    edit(&db, "DELETE FROM loss WHERE id = 2");
    assert_eq!(check(&db), Some(Break::DeletedLoss { loss: 2, commit: 3 }));
}

#[test]
fn a_pruned_event_whose_late_piece_came_later_still_verifies() {
    let (_d, db) = store();
    let mut w = Writer::open(&db).unwrap();
    let gone = w.prune_step(Older::Count(2)).unwrap().expect("pruned");
    assert_eq!(gone.events, 2, "the first commit's two events");
    assert!(
        w.prune_step(Older::Count(2)).unwrap().is_none(),
        "the newest commit with events stays"
    );
    drop(w);
    let conn = Connection::open(&db).unwrap();
    let left: i64 = conn
        .query_row("SELECT count(*) FROM loss", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 1, "the first commit's loss row went with its events");
    drop(conn);
    assert_eq!(check(&db), None);
}

#[test]
fn a_database_from_before_the_chain_is_covered_when_a_writer_opens_it() {
    let (_d, db) = store();
    // As schema 7 left it: no chain, no key fingerprint.
    edit(
        &db,
        "DELETE FROM chain; DELETE FROM state WHERE key = 'chain_key'",
    );
    assert_eq!(check(&db), Some(Break::NoChain));
    // The writer's checkpoint says a chain was there: refused.
    let err = Writer::open(&db).err().expect("refused").to_string();
    assert!(err.contains("the chain was deleted"), "{err}");
    std::fs::remove_file(db.with_extension("db.checkpoint")).unwrap();
    drop(Writer::open(&db).unwrap());
    assert_eq!(check(&db), None);
}

#[test]
fn a_new_database_where_another_was_starts_its_own_chain() {
    let (_d, db) = store();
    // Deleted (the daemon starts a new one at the path); the key and its
    // checkpoint stay.
    std::fs::remove_file(&db).unwrap();
    let mut w = Writer::open(&db).unwrap();
    let mut enc = Encoder::new(w.dict_state().unwrap());
    let rows = vec![piece(
        &mut enc,
        1,
        9,
        Part::First,
        false,
        &records(9, &["USER_END"]),
    )];
    w.write_batch(Batch {
        rows,
        ..Batch::default()
    })
    .unwrap();
    drop(w);
    assert_eq!(check(&db), None);
}
