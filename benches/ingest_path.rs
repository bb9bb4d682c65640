//! The daemon's path for one record, in process and without the kernel:
//! payload bytes as the reader receives them (SYSCALL, CWD, PATH,
//! PROCTITLE, EOE per open(); a new process every 50 events) -> parse ->
//! assembler -> shape and compressed body -> SQLite, in the reader's batch
//! size. The assembler's thread (parse, assemble, encode) and the writer's
//! (SQLite) are timed apart: µs per event for each, and bytes stored per
//! event. Run it under `valgrind --tool=callgrind` for instruction counts
//! that do not depend on what else the machine does. Each event gets the
//! context the daemon adds (unit, container, ancestors) of a live process,
//! this one, as the daemon finds it for a busy process (cached, re-read
//! each second); `NO_CONTEXT=1` leaves it out, for comparison.
//!
//! cargo bench --bench ingest_path [-- EVENTS]

use std::time::{Duration, Instant};

use raudit::enrich::{Enricher, Process};
use raudit::event::{Limits, Stream};
use raudit::record::{parse_payload, types, EventId, MessageType};
use raudit::store::shape::Summary;
use raudit::store::{Batch, Encoder, Part, Piece, Writer};

/// One open()'s records, as the kernel sends them.
fn payloads(serial: u64) -> Vec<(MessageType, String)> {
    let id = EventId {
        sec: 1_795_268_619 + (serial / 1000) as i64,
        msec: (serial % 1000) as u32,
        serial,
    };
    let pid = 1000 + serial / 50;
    vec![
        (types::SYSCALL, format!("audit({id}): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffdfce24ae5 a2=0 a3=0 items=1 ppid=5603 pid={pid} auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"open_loop\" exe=\"/usr/local/bin/open_loop\" subj=unconfined key=\"bench\"")),
        (types::CWD, format!("audit({id}): cwd=\"/root\"")),
        (types::PATH, format!("audit({id}): item=0 name=\"/tmp/tmp.bench/f\" inode=10010783 dev=fe:00 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0")),
        (types::PROCTITLE, format!("audit({id}): proctitle=2F7573722F6C6F63616C2F62696E2F6F70656E5F6C6F6F70002F746D702F746D702E62656E63682F66")),
        (types::EOE, format!("audit({id}): ")),
    ]
}

fn main() {
    let n: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200_000);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.db");
    let mut writer = Writer::open(&db).unwrap();
    let mut encoder = Encoder::new(writer.dict_state().unwrap());
    let mut stream: Stream<Summary> = Stream::new(Limits {
        timeout: Duration::from_secs(1),
        max_open: 8192,
        max_records: 2048,
    });
    // The reader hands on about 256 KiB at a time: ~200 events.
    let per_batch = 200;
    let input: Vec<Vec<(MessageType, String)>> = (1..=n).map(payloads).collect();
    let (mut assemble, mut write) = (Duration::ZERO, Duration::ZERO);
    let mut enricher = std::env::var_os("NO_CONTEXT")
        .is_none()
        .then(|| Enricher::new(std::path::Path::new("/proc")));
    let me = Process {
        pid: std::process::id(),
        ppid: Some(std::os::unix::process::parent_id()),
        exe: Some("/usr/local/bin/open_loop"),
        ids: raudit::enrich::accounts::Ids {
            uid: Some(1000),
            auid: Some(1000),
            gid: Some(1000),
        },
    };
    for chunk in input.chunks(per_batch) {
        let t0 = Instant::now();
        let now = Instant::now();
        for (rtype, text) in chunk.iter().flatten() {
            stream.push(parse_payload(*rtype, text.as_bytes()), now);
        }
        let mut batch = Batch::default();
        stream.flush(|p| {
            let mut row = encoder.piece(
                Piece {
                    token: p.token,
                    id: p.id,
                    node: p.node,
                    part: Part::from(p.kind),
                    open: p.open,
                    records: &p.records,
                },
                p.state,
            );
            let has_syscall = p.records.iter().any(|r| r.rtype == types::SYSCALL);
            if let Some(e) = enricher.as_mut().filter(|_| has_syscall) {
                row.context = Some(e.context(me, now)).filter(|c| !c.is_empty());
            }
            batch.rows.push(row);
        });
        batch.dicts.extend(encoder.take_trained());
        let t1 = Instant::now();
        writer.write_batch(batch).unwrap();
        assemble += t1 - t0;
        write += t1.elapsed();
    }
    drop(writer);
    let size = std::fs::metadata(&db).map_or(0, |m| m.len());
    let per = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
    println!(
        "events={n} assemble_us_per_event={:.2} write_us_per_event={:.2} events_per_sec_one_core={:.0} db_bytes_per_event={}",
        per(assemble),
        per(write),
        n as f64 / (assemble + write).as_secs_f64(),
        size / n
    );
}
