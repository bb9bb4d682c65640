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
    let store = Writer::open(db).unwrap();
    let encoder = Encoder::new(store.dict_state().unwrap());
    let config = Config {
        db: db.to_path_buf(),
        eoe_timeout: eoe,
        ..Config::default()
    };
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
