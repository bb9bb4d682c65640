//! The daemon's assembler and writer threads together, on a real database,
//! fed records as the reader hands them (no kernel needed): what cannot be
//! made to happen on demand on the real kernel.

use std::path::Path;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::disk::DiskPolicy;
use super::pipeline::Pipeline;
use super::reader::{Budget, Input, RecordBatch};
use super::writer::{Policy, Shared, WriterThread};
use crate::config::{Action, Config};
use crate::store::query::{self, Filter, Stored};
use crate::store::{Encoder, Writer};

struct Daemon {
    pipeline: Pipeline,
    writer: std::thread::JoinHandle<Result<(), crate::store::StoreError>>,
}

fn daemon(db: &Path, eoe: Duration) -> Daemon {
    daemon_with(Config {
        db: db.to_path_buf(),
        eoe_timeout: eoe,
        ..Config::default()
    })
}

fn daemon_with(config: Config) -> Daemon {
    let db = &config.db;
    let store = Writer::open(db).unwrap();
    let encoder = Encoder::new(store.dict_state().unwrap());
    let policy = Policy {
        disk_full: Action::Suspend,
        disk_error: Action::Suspend,
        durability: config.durability(),
        wal_limit: config.max_wal_size << 20,
        max_age_days: 0,
    };
    let shared = Arc::new(Shared::default());
    let thread = WriterThread::new(store, policy, DiskPolicy::new(&config), Arc::clone(&shared));
    let (out_tx, out_rx) = mpsc::sync_channel(16);
    let writer = std::thread::spawn(move || thread.run(out_rx));
    let (_lost_tx, lost_rx) = mpsc::channel();
    let pipeline = Pipeline::new(
        &config,
        None,
        encoder,
        out_tx,
        Budget::new(1 << 20),
        shared,
        lost_rx,
    );
    Daemon { pipeline, writer }
}

fn stored(db: &Path, filter: &Filter) -> Vec<Stored> {
    let Ok(conn) = crate::store::open_read_only(db) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    query::for_each_stored(&conn, filter, |s| -> rusqlite::Result<bool> {
        out.push(s);
        Ok(true)
    })
    .unwrap();
    out
}

/// Waits (up to 10 s) until the events of serial 7 satisfy `ok`.
fn wait_serial_7(db: &Path, ok: impl Fn(&[Stored]) -> bool) -> Vec<Stored> {
    let filter = Filter {
        serials: vec![7],
        ..Filter::default()
    };
    let start = Instant::now();
    loop {
        let found = stored(db, &filter);
        if ok(&found) || start.elapsed() > Duration::from_secs(10) {
            return found;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

const CONFIG_CHANGE: &str =
    "audit(1700000000.100:7): auid=0 ses=1 op=add_rule key=\"late\" list=4 res=1";
const SYSCALL: &str = "audit(1700000000.100:7): arch=c000003e syscall=44 success=yes \
    exit=1084 ppid=1 pid=4242 auid=0 uid=0 gid=0 euid=0 egid=0 ses=1 tty=pts0 \
    comm=\"auditctl\" exe=\"/usr/sbin/auditctl\" key=(null)";
const PROCTITLE: &str = "audit(1700000000.100:7): proctitle=617564697463746C";

#[test]
fn a_late_record_joins_its_stored_event() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let mut d = daemon(&db, Duration::from_millis(100));

    d.pipeline
        .take(Input::Records(RecordBatch::of(&[(1305, CONFIG_CHANGE)])));
    let open = wait_serial_7(&db, |s| s.len() == 1);
    assert_eq!(open.len(), 1, "searchable before its end");
    assert!(open[0].open);

    // Its timeout passes: the event is final as it is.
    d.pipeline.tick(Instant::now() + Duration::from_secs(1));
    let closed = wait_serial_7(&db, |s| s.len() == 1 && !s[0].open);
    assert!(!closed[0].open);

    // The rest of its records come late; they join it.
    d.pipeline.take(Input::Records(RecordBatch::of(&[
        (1300, SYSCALL),
        (1327, PROCTITLE),
    ])));
    let joined = wait_serial_7(&db, |s| s.len() == 1 && s[0].event.records.len() == 3);
    assert_eq!(joined.len(), 1, "one event, not two: {joined:#?}");
    let types: Vec<u32> = joined[0]
        .event
        .records
        .iter()
        .map(|r| r.rtype.number())
        .collect();
    assert_eq!(types, [1305, 1300, 1327]);
    assert!(!joined[0].open, "PROCTITLE ended it");
    // Its shape took what the late records brought: -p finds it.
    let by_pid = stored(
        &db,
        &Filter {
            pids: vec![4242],
            ..Filter::default()
        },
    );
    assert_eq!(by_pid.len(), 1);
    let by_key = stored(
        &db,
        &Filter {
            keys: vec!["late".into()],
            ..Filter::default()
        },
    );
    assert_eq!(
        by_key.len(),
        1,
        "the key of its first record still finds it"
    );

    drop(d.pipeline);
    d.writer.join().unwrap().unwrap();
}

/// An event of serial `serial` whose title does not compress: a few
/// hundred bytes of the database each.
fn bulky_event(serial: u64) -> RecordBatch {
    let mut x = serial.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let title: String = (0..200)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            format!("{:02X}", x as u8)
        })
        .collect();
    let syscall = format!(
        "audit(1700000000.100:{serial}): arch=c000003e syscall=2 success=yes exit=3 \
         ppid=1 pid={serial} auid=0 uid=0 gid=0 euid=0 egid=0 ses=1 tty=pts0 \
         comm=\"cat\" exe=\"/usr/bin/cat\" key=\"bulk\""
    );
    let proctitle = format!("audit(1700000000.100:{serial}): proctitle={title}");
    RecordBatch::of(&[(1300, syscall.as_str()), (1327, proctitle.as_str())])
}

fn loss_kinds(db: &Path) -> Vec<String> {
    let Ok(conn) = crate::store::open_read_only(db) else {
        return Vec::new();
    };
    let mut stmt = conn.prepare("SELECT kind FROM loss ORDER BY id").unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_rotation_is_recorded_at_once_though_no_event_follows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let mut d = daemon_with(Config {
        db: db.clone(),
        max_db_size: 1,
        max_db_size_action: Action::Rotate,
        ..Config::default()
    });
    // Several commits (a rotation never deletes the newest), past 1 MiB.
    let mut serial = 100;
    for _ in 0..8 {
        for _ in 0..500 {
            serial += 1;
            d.pipeline.take(Input::Records(bulky_event(serial)));
        }
        d.pipeline.send();
        let last = serial;
        let start = Instant::now();
        while stored(
            &db,
            &Filter {
                serials: vec![last],
                ..Filter::default()
            },
        )
        .is_empty()
            && start.elapsed() < Duration::from_secs(10)
        {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    assert!(
        crate::store::disk_bytes(&db) > 1 << 20,
        "over max_db_size: {} bytes",
        crate::store::disk_bytes(&db)
    );
    // No event follows: the size check (every few seconds) rotates, and
    // the rotation's loss row is stored then, not with a next event.
    let start = Instant::now();
    while !loss_kinds(&db).iter().any(|k| k == "rotated")
        && start.elapsed() < Duration::from_secs(15)
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        loss_kinds(&db).iter().any(|k| k == "rotated"),
        "{:?}",
        loss_kinds(&db)
    );
    drop(d.pipeline);
    d.writer.join().unwrap().unwrap();
}

/// An event's process's cgroup, read from the proc file system the pipeline
/// is given, is stored with the event; a process without one adds nothing.
#[test]
fn the_cgroup_of_a_syscalls_process_is_stored_with_its_event() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let proc_root = dir.path().join("proc");
    let id = "5".repeat(64);
    std::fs::create_dir_all(proc_root.join("4242")).unwrap();
    // Its parent, pid 1, is alive: its program is read from /proc.
    std::fs::create_dir_all(proc_root.join("1")).unwrap();
    std::fs::write(proc_root.join("1/stat"), "1 (init) S 0 1 1 0").unwrap();
    std::os::unix::fs::symlink("/sbin/init", proc_root.join("1/exe")).unwrap();
    std::fs::write(
        proc_root.join("4242/cgroup"),
        format!("0::/system.slice/docker-{id}.scope\n"),
    )
    .unwrap();
    let mut d = daemon(&db, Duration::from_millis(100));
    d.pipeline
        .read_context(crate::enrich::Enricher::new(&proc_root));
    d.pipeline.take(Input::Records(RecordBatch::of(&[
        (1300, SYSCALL),
        (1327, PROCTITLE),
    ])));
    let found = wait_serial_7(&db, |s| s.len() == 1 && !s[0].open);
    assert_eq!(found[0].context.container.as_deref(), Some(id.as_str()));
    assert_eq!(
        found[0].context.unit,
        Some(format!("docker-{id}.scope")),
        "{found:#?}"
    );
    assert_eq!(found[0].context.ancestors, ["/sbin/init"]);
    let other = SYSCALL
        .replace(":7)", ":8)")
        .replace("pid=4242", "pid=4343");
    let title = PROCTITLE.replace(":7)", ":8)");
    d.pipeline.take(Input::Records(RecordBatch::of(&[
        (1300, &other),
        (1327, &title),
    ])));
    let filter = Filter {
        serials: vec![8],
        ..Filter::default()
    };
    let start = Instant::now();
    let mut found = stored(&db, &filter);
    while found.is_empty() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(10));
        found = stored(&db, &filter);
    }
    // No cgroup: its context is its ancestry alone.
    let ancestry_only = crate::enrich::Context {
        ancestors: vec!["/sbin/init".into()],
        ..Default::default()
    };
    assert_eq!(found[0].context, ancestry_only);
}

/// The user database a test gives the pipeline: alice (1000) and staff
/// (50), nobody else.
struct Directory;

impl crate::enrich::accounts::Directory for Directory {
    fn user(&self, uid: u32) -> Option<String> {
        (uid == 1000).then(|| "alice".to_string())
    }

    fn group(&self, gid: u32) -> Option<String> {
        (gid == 50).then(|| "staff".to_string())
    }

    fn stamp(&self) -> Option<std::time::SystemTime> {
        None
    }
}

/// The names of an event's uid, auid and gid are kept as the user database
/// gave them when the event was stored, and JSON output prints those.
#[test]
fn user_and_group_names_are_kept_as_they_were_when_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let mut d = daemon(&db, Duration::from_millis(100));
    d.pipeline
        .read_context(crate::enrich::Enricher::with_directory(
            &dir.path().join("proc"),
            Box::new(Directory),
        ));
    let syscall = SYSCALL.replace("auid=0 uid=0 gid=0", "auid=1001 uid=1000 gid=50");
    d.pipeline.take(Input::Records(RecordBatch::of(&[
        (1300, &syscall),
        (1327, PROCTITLE),
    ])));
    let found = wait_serial_7(&db, |s| s.len() == 1 && !s[0].open);
    let names = &found[0].context.names;
    assert_eq!(names.uid.as_deref(), Some("alice"), "{found:#?}");
    assert_eq!(names.auid.as_deref(), Some("unknown(1001)"));
    assert_eq!(names.gid.as_deref(), Some("staff"));
    let mut out = Vec::new();
    crate::output::print_event_with(
        &mut out,
        &found[0].event,
        crate::output::Format::Json,
        Default::default(),
        None,
        &found[0].context,
    )
    .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        (&json["uid_name"], &json["auid_name"], &json["gid_name"]),
        (
            &serde_json::json!("alice"),
            &serde_json::json!("unknown(1001)"),
            &serde_json::json!("staff")
        )
    );
    drop(d.pipeline);
    d.writer.join().unwrap().unwrap();
}
