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
        .query_row("SELECT count(DISTINCT comm) FROM shape", [], |r| r.get(0))
        .unwrap();
    assert_eq!(distinct, 2);
    let _ = std::fs::remove_dir_all(db.parent().unwrap());
}

/// Every filter, text ones substring or whole-word, answers from an index:
/// no step of its plan scans the event table. Not checked: --arch (one or
/// two values on a machine), -sv yes and an end time alone (most events):
/// for those, the scan in arrival order is the plan.
#[test]
fn filters_never_scan_the_event_table() {
    let db = temp_db("plan");
    Writer::open(&db)
        .unwrap()
        .write(&[event(1, "sshd", "/usr/sbin/sshd")], &[])
        .unwrap();
    let conn = super::open_read_only(&db).unwrap();
    let one = |set: fn(&mut Filter)| {
        let mut f = Filter::default();
        set(&mut f);
        f
    };
    fn x() -> Vec<String> {
        vec!["x".to_string()]
    }
    let filters = [
        one(|f| f.keys = x()),
        one(|f| f.files = x()),
        one(|f| f.comms = x()),
        one(|f| f.exes = x()),
        one(|f| f.hosts = x()),
        one(|f| f.terminals = x()),
        one(|f| f.subjects = x()),
        one(|f| f.objects = x()),
        one(|f| f.contexts = x()),
        one(|f| f.nodes = x()),
        one(|f| f.pids = vec![1]),
        one(|f| f.ppids = vec![1]),
        one(|f| f.uids = vec![1]),
        one(|f| f.euids = vec![1]),
        one(|f| f.auids = vec![1]),
        one(|f| f.any_uids = vec![1]),
        one(|f| f.gids = vec![1]),
        one(|f| f.egids = vec![1]),
        one(|f| f.any_gids = vec![1]),
        one(|f| f.syscalls = vec![1]),
        one(|f| f.exits = vec![-13]),
        one(|f| f.sessions = vec![1]),
        one(|f| f.serials = vec![1]),
        one(|f| f.types = vec![1300]),
        one(|f| f.success = Some(false)),
        one(|f| f.units = vec!["a.service".into()]),
        one(|f| f.containers = vec!["0a".into()]),
        one(|f| f.ancestor_exes = vec!["/bin/sh".into()]),
        one(|f| f.start_ms = Some(1)),
        one(|f| {
            f.start_ms = Some(1);
            f.end_ms = Some(2);
        }),
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

/// A database as an older raudit left it: the first `version` migrations
/// and one event (serial 7, `vi`), its body stored as text.
fn db_at_version(name: &str, version: usize) -> PathBuf {
    let db = temp_db(name);
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    let conn = Connection::open(&db).unwrap();
    for sql in &schema::MIGRATIONS[..version] {
        conn.execute_batch(sql).unwrap();
    }
    conn.execute_batch(&format!(
        "PRAGMA user_version = {version};
         INSERT INTO typeset (id, types) VALUES (1, '1300');
         INSERT INTO event (id, time_ms, serial, comm, exe, typeset)
             VALUES (1, 1, 7, 'vi', '/usr/bin/vi', 1);
         INSERT INTO body (event_id, records) VALUES (1, '1300 audit(0.001:7): comm=\"vi\"');"
    ))
    .unwrap();
    db
}

/// A database written before the text dictionaries existed gets them
/// filled from its events when opened by this version.
#[test]
fn migration_fills_the_text_dictionary_from_existing_events() {
    let db = db_at_version("migrate", 3);
    drop(open_writable(&db).unwrap());
    let exes = Filter {
        exes: vec!["bin/v".into()],
        ..Filter::default()
    };
    assert_eq!(matching(&db, &exes), [7]);
    let _ = std::fs::remove_dir_all(db.parent().unwrap());
}

/// Bodies are compressed once the writer has trained a dictionary on its
/// first ones, read back byte for byte, and a reopened writer compresses
/// from its first event with the stored dictionary.
#[test]
fn bodies_compress_with_a_trained_dictionary_and_read_back_verbatim() {
    let db = temp_db("bodies");
    let events: Vec<Event> = (1..=3000)
        .map(|i| {
            let comm = ["sshd", "cat", "vi", "bash"][i as usize % 4];
            event(i, comm, &format!("/usr/bin/{comm}{}", i % 17))
        })
        .collect();
    let mut w = Writer::open(&db).unwrap();
    for batch in events.chunks(500) {
        w.write(batch, &[]).unwrap();
    }
    drop(w);
    let conn = Connection::open(&db).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM body_dict"), 1);
    let compressed = count("SELECT count(*) FROM event WHERE dict IS NOT NULL");
    assert!(
        compressed > 1500,
        "only {compressed} of 3000 bodies compressed"
    );
    let avg = |sql: &str| -> f64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let frame = avg("SELECT avg(length(body)) FROM event WHERE dict IS NOT NULL");
    let text = avg("SELECT avg(length(body)) FROM event WHERE dict IS NULL");
    assert!(frame * 4.0 < text, "{frame} bytes a frame, {text} a text");

    let mut read = Vec::new();
    let ro = super::open_read_only(&db).unwrap();
    query::for_each_event(&ro, &Filter::default(), |e| -> rusqlite::Result<bool> {
        read.push(super::body_text(&e.records));
        Ok(true)
    })
    .unwrap();
    let written: Vec<String> = events
        .iter()
        .map(|e| super::body_text(&e.records))
        .collect();
    assert_eq!(read, written);

    let mut w = Writer::open(&db).unwrap();
    w.write(&[event(9999, "cat", "/usr/bin/cat")], &[]).unwrap();
    let dict: Option<i64> = conn
        .query_row("SELECT dict FROM event WHERE serial = 9999", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(dict, Some(1));
    let _ = std::fs::remove_dir_all(db.parent().unwrap());
}

/// A reader refuses a database an older raudit wrote, leaving it as it
/// is, and names the command that upgrades it; `upgrade` then does.
#[test]
fn readers_refuse_an_older_schema_and_upgrade_brings_it_current() {
    let db = db_at_version("reader-upgrade", 4);
    let before = std::fs::read(&db).unwrap();
    let err = super::open_read_only(&db).unwrap_err().to_string();
    assert!(err.contains("schema version 4, older"), "{err}");
    assert!(err.contains("raudit upgrade --db"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "a reader wrote");

    let known = schema::MIGRATIONS.len();
    assert_eq!(super::upgrade(&db).unwrap(), (4, known));
    assert_eq!(matching(&db, &Filter::default()), [7]);
    assert_eq!(super::upgrade(&db).unwrap(), (known as i64, known));
    let _ = std::fs::remove_dir_all(db.parent().unwrap());
}

/// `upgrade` never creates a database, nor touches what is not one.
#[test]
fn upgrade_refuses_what_is_not_an_older_raudit_database() {
    let dir = temp_db("upgrade-refuses");
    let dir = dir.parent().unwrap();
    std::fs::create_dir_all(dir).unwrap();
    let missing = dir.join("missing.db");
    assert!(super::upgrade(&missing)
        .unwrap_err()
        .to_string()
        .contains("does not exist"));
    assert!(!missing.exists());
    let text = dir.join("text.db");
    std::fs::write(&text, "hello").unwrap();
    assert!(super::upgrade(&text)
        .unwrap_err()
        .to_string()
        .contains("not a raudit database"));
    assert_eq!(std::fs::read(&text).unwrap(), b"hello");
    let _ = std::fs::remove_dir_all(dir);
}

/// The writer keeps the write-ahead log near its bound while readers
/// query without pause (each holding its snapshot for one query), as the
/// daemon does between batches.
#[test]
fn the_wal_stays_bounded_under_continuous_readers() {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    const LIMIT: u64 = 1 << 20;
    let db = temp_db("wal");
    let mut w = Writer::open(&db).unwrap();
    w.write(&[event(1, "cat", "/usr/bin/cat")], &[]).unwrap();
    let stop = AtomicBool::new(false);
    let queries = AtomicU64::new(0);
    let mut largest = 0;
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                let conn = super::open_read_only(&db).unwrap();
                while !stop.load(Ordering::Relaxed) {
                    let _: i64 = conn
                        .query_row("SELECT count(*) FROM event", [], |r| r.get(0))
                        .unwrap();
                    queries.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        for batch in 0..100u64 {
            let events: Vec<Event> = (0..250)
                .map(|i| {
                    let serial = 10 + batch * 250 + i;
                    event(serial, "cat", &format!("/usr/bin/cat{}", serial % 97))
                })
                .collect();
            w.write(&events, &[]).unwrap();
            w.bound_wal(LIMIT).unwrap();
            let wal = std::fs::metadata(w.wal_path()).map_or(0, |m| m.len());
            largest = largest.max(wal);
        }
        stop.store(true, Ordering::Relaxed);
    });
    let queries = queries.load(Ordering::Relaxed);
    assert!(queries > 100, "the readers ran only {queries} queries");
    // One batch may land on a log just under the bound before it is reset.
    assert!(
        largest < 2 * LIMIT,
        "the write-ahead log reached {largest} bytes (bound {LIMIT})"
    );
    let _ = std::fs::remove_dir_all(db.parent().unwrap());
}

/// The context stored with events: found by `--unit` (whole name) and
/// `--container` (an id's prefix), read back with the event, and deleted
/// with it by retention.
#[test]
fn context_is_searchable_and_pruned_with_its_event() {
    use crate::enrich::Context;
    let db = temp_db("context");
    let mut w = Writer::open(&db).unwrap();
    let mut encoder = super::Encoder::new(w.dict_state().unwrap());
    let id = format!("0123456789ab{}", "c".repeat(52));
    let contexts = [
        Some(Context {
            unit: Some("cron.service".into()),
            container: None,
            ancestors: vec!["/usr/sbin/cron".into(), "/sbin/init".into()],
            names: crate::enrich::accounts::Names {
                uid: Some("alice".into()),
                auid: Some("unknown(1001)".into()),
                gid: None,
            },
        }),
        Some(Context {
            unit: Some(format!("docker-{id}.scope")),
            container: Some(id.clone()),
            ..Context::default()
        }),
        None,
    ];
    let mut batch = super::Batch::default();
    for (i, context) in contexts.into_iter().enumerate() {
        let mut row = encoder.whole(&event(i as u64 + 1, "c", "/e"));
        row.context = context;
        batch.rows.push(row);
    }
    w.write_batch(batch).unwrap();
    let units = |u: &str| Filter {
        units: vec![u.into()],
        ..Filter::default()
    };
    let containers = |c: &str| Filter {
        containers: vec![c.into()],
        ..Filter::default()
    };
    assert_eq!(matching(&db, &units("cron.service")), [1]);
    assert_eq!(matching(&db, &units("cron")), Vec::<u64>::new());
    assert_eq!(matching(&db, &containers("0123456789ab")), [2]);
    assert_eq!(matching(&db, &containers(&id)), [2]);
    assert_eq!(matching(&db, &containers("123")), Vec::<u64>::new());
    let ancestors = |x: &str| Filter {
        ancestor_exes: vec![x.into()],
        ..Filter::default()
    };
    // An ancestor's program, or the process's own (every event's is /e).
    assert_eq!(matching(&db, &ancestors("/sbin/init")), [1]);
    assert_eq!(matching(&db, &ancestors("/e")), [1, 2, 3]);
    assert_eq!(matching(&db, &ancestors("/sbin")), Vec::<u64>::new());
    let conn = super::open_read_only(&db).unwrap();
    let mut read = Vec::new();
    query::for_each_stored(&conn, &Filter::default(), |s| -> rusqlite::Result<bool> {
        read.push(s.context);
        Ok(true)
    })
    .unwrap();
    assert_eq!(read[0].ancestors, ["/usr/sbin/cron", "/sbin/init"]);
    assert_eq!(read[1].container.as_deref(), Some(id.as_str()));
    assert_eq!(read[2], Context::default());
    drop(conn);
    // A later commit, so that the first one can go.
    w.write(&[event(4, "c", "/e")], &[]).unwrap();
    w.prune_step(super::retention::Older::Count(3)).unwrap();
    let count = |table: &str| -> i64 {
        w.conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(
        (count("event"), count("event WHERE context IS NOT NULL")),
        (1, 0)
    );
    let _ = std::fs::remove_dir_all(db.parent().unwrap());
}
