//! Store write throughput: events of the shape a watched open() produces
//! (SYSCALL, CWD, PATH, PROCTITLE), written in the daemon's batch size.
//!
//! cargo bench --bench store_write [-- EVENTS]

use std::time::{Duration, Instant};

use raudit::event::Event;
use raudit::record::{parse_payload, types, EventId};
use raudit::store::Writer;

fn event(serial: u64) -> Event {
    let id = EventId {
        sec: 1_795_268_619 + (serial / 1000) as i64,
        msec: (serial % 1000) as u32,
        serial,
    };
    let texts = [
        (types::SYSCALL, format!("audit({id}): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffdfce24ae5 a2=0 a3=0 items=1 ppid=5603 pid={} auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"bench\"", 1000 + serial % 30000)),
        (types::CWD, format!("audit({id}): cwd=\"/tmp\"")),
        (types::PATH, format!("audit({id}): item=0 name=\"/tmp/rt/w/f1\" inode=10010783 dev=fe:00 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0")),
        (types::PROCTITLE, format!("audit({id}): proctitle=636174002F746D702F72742F772F6631")),
    ];
    Event {
        id,
        node: None,
        records: texts
            .iter()
            .map(|(t, s)| parse_payload(*t, s.as_bytes()))
            .collect(),
    }
}

fn main() {
    let n: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200_000);
    let dir = tempfile::tempdir().unwrap();
    let mut w = Writer::open(&dir.path().join("bench.db")).unwrap();
    let batch = 1024;
    let (mut parse, mut write) = (Duration::ZERO, Duration::ZERO);
    let mut serial = 1;
    while serial <= n {
        let t0 = Instant::now();
        let events: Vec<Event> = (serial..(serial + batch).min(n + 1)).map(event).collect();
        let t1 = Instant::now();
        w.write(&events, &[]).unwrap();
        parse += t1 - t0;
        write += t1.elapsed();
        serial += batch;
    }
    let size = std::fs::metadata(dir.path().join("bench.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "events={n} parse={:.2}s write={:.2}s write_events_per_sec={:.0} db_bytes_per_event={}",
        parse.as_secs_f64(),
        write.as_secs_f64(),
        n as f64 / write.as_secs_f64(),
        size / n
    );
}
