//! The store against real SQLite: migrations, dictionaries, query plans.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::query::{self, Filter};
use super::{open_writable, schema, Writer};
use crate::event::Event;
use crate::record::{parse_log_line, EventId};

fn temp_db(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("raudit-store-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("audit.db")
}

/// One event of a SYSCALL record with these comm and exe, and a CWD.
fn event(serial: u64, comm: &str, exe: &str) -> Event {
    let stamp = format!("audit(1700000000.{:03}:{serial})", serial % 1000);
    let lines = [
        format!(
            "type=SYSCALL msg={stamp}: arch=c000003e syscall=257 success=yes exit=3 \
             a0=ffffff9c a1=0 a2=0 a3=0 items=1 ppid=1 pid=2 auid=1000 uid=0 gid=0 euid=0 \
             suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"{comm}\" \
             exe=\"{exe}\" subj=unconfined key=\"k\""
        ),
        format!("type=CWD msg={stamp}: cwd=\"/root\""),
    ];
    Event {
        id: EventId {
            sec: 1_700_000_000,
            msec: (serial % 1000) as u32,
            serial,
        },
        node: None,
        records: lines.iter().map(|l| parse_log_line(l)).collect(),
    }
}

fn matching(db: &Path, filter: &Filter) -> Vec<u64> {
    let conn = super::open_read_only(db).unwrap();
    let mut serials = Vec::new();
    query::for_each_event(&conn, filter, |e| -> rusqlite::Result<bool> {
        serials.push(e.id.serial);
        Ok(true)
    })
    .unwrap();
    serials
}

#[test]
fn text_filters_match_substrings_case_sensitively() {
    let db = temp_db("case");
    let mut w = Writer::open(&db).unwrap();
    w.write(
        &[
            event(1, "sshd", "/usr/sbin/sshd"),
            event(2, "cat", "/usr/bin/cat"),
        ],
        &[],
    )
    .unwrap();
    // The second batch repeats known values: served from the writer's cache.
    w.write(&[event(3, "sshd", "/usr/sbin/sshd")], &[]).unwrap();
    let comms = |c: &str| Filter {
        comms: vec![c.into()],
        ..Filter::default()
    };
    assert_eq!(matching(&db, &comms("ssh")), [1, 3]);
    assert_eq!(matching(&db, &comms("SSH")), Vec::<u64>::new());
    let exes = |x: &str, whole_word| Filter {
        exes: vec![x.into()],
        whole_word,
        ..Filter::default()
    };
    assert_eq!(matching(&db, &exes("/usr/", false)), [1, 2, 3]);
    assert_eq!(matching(&db, &exes("/usr/", true)), Vec::<u64>::new());
    assert_eq!(matching(&db, &exes("/usr/bin/cat", true)), [2]);
    let conn = Connection::open(&db).unwrap();
    let distinct: i64 = conn
        .query_row(
            "SELECT count(*) FROM text_names WHERE col = 'comm'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(distinct, 2);
    let _ = std::fs::remove_dir_all(db.parent().unwrap());
}

/// Every text filter, substring or whole-word, answers from an index: no
/// step of its plan scans the event table.
#[test]
fn text_filters_never_scan_the_event_table() {
    let db = temp_db("plan");
    Writer::open(&db)
        .unwrap()
        .write(&[event(1, "sshd", "/usr/sbin/sshd")], &[])
        .unwrap();
    let conn = super::open_read_only(&db).unwrap();
    let v = || vec!["x".to_string()];
    let filters = [
        Filter {
            keys: v(),
            ..Filter::default()
        },
        Filter {
            files: v(),
            ..Filter::default()
        },
        Filter {
            comms: v(),
            ..Filter::default()
        },
        Filter {
            exes: v(),
            ..Filter::default()
        },
        Filter {
            hosts: v(),
            ..Filter::default()
        },
        Filter {
            terminals: v(),
            ..Filter::default()
        },
        Filter {
            subjects: v(),
            ..Filter::default()
        },
        Filter {
            objects: v(),
            ..Filter::default()
        },
        Filter {
            contexts: v(),
            ..Filter::default()
        },
        Filter {
            nodes: v(),
            ..Filter::default()
        },
    ];
    for whole_word in [false, true] {
        for f in &filters {
            let f = Filter {
                whole_word,
                ..f.clone()
            };
            let (sql, params) = query::select(&f);
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let plan: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(params), |r| r.get(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(
                !plan
                    .iter()
                    .any(|step| step.starts_with("SCAN e") || step.starts_with("SCAN event")),
                "{f:?} scans the event table:\n{}",
                plan.join("\n")
            );
        }
    }
    let _ = std::fs::remove_dir_all(db.parent().unwrap());
}

/// A database written before the text dictionaries existed gets them
/// filled from its events when opened by this version.
#[test]
fn migration_fills_the_text_dictionary_from_existing_events() {
    let db = temp_db("migrate");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    let conn = Connection::open(&db).unwrap();
    for sql in &schema::MIGRATIONS[..3] {
        conn.execute_batch(sql).unwrap();
    }
    conn.execute_batch(
        "PRAGMA user_version = 3;
         INSERT INTO typeset (id, types) VALUES (1, '1300');
         INSERT INTO event (id, time_ms, serial, comm, exe, typeset)
             VALUES (1, 1, 1, 'vi', '/usr/bin/vi', 1);
         INSERT INTO body (event_id, records) VALUES (1, '1300 audit(0.001:1): comm=\"vi\"');",
    )
    .unwrap();
    drop(conn);
    drop(open_writable(&db).unwrap());
    let exes = Filter {
        exes: vec!["bin/v".into()],
        ..Filter::default()
    };
    assert_eq!(matching(&db, &exes), [1]);
    let _ = std::fs::remove_dir_all(db.parent().unwrap());
}
