//! `--format json` streams: an event of 20,000 records is written record
//! by record, its peak memory near that of printing it raw, not a tree of
//! values built first (which took 340 MB here, 1.2 GB in a release build
//! over a larger event).
//!
//! One test in this binary: it reads the peak memory of its children.

use std::path::Path;
use std::process::Command;

use nix::sys::resource::{getrusage, UsageWho};

const BIN: &str = env!("CARGO_BIN_EXE_raudit");
const RECORDS: usize = 20_000;

/// One execve event: SYSCALL, an EXECVE of `RECORDS - 3` arguments, as
/// many PATH records, and a PROCTITLE.
fn huge_event_log(path: &Path) {
    let stamp = "audit(1764000000.123:4242)";
    let args = RECORDS - 3;
    let mut log = format!(
        "type=SYSCALL msg={stamp}: arch=c000003e syscall=59 success=yes exit=0 a0=55d5c0a1b2c0 \
         a1=7ffdaf7a1af0 a2=3c a3=0 items={args} ppid=1000 pid=1001 auid=0 uid=0 gid=0 euid=0 \
         suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm=\"bash\" exe=\"/usr/bin/bash\" \
         key=\"big\"\ntype=EXECVE msg={stamp}: argc={args}"
    );
    for i in 0..args {
        log.push_str(&format!(" a{i}=\"arg{i}\""));
    }
    log.push('\n');
    for i in 0..args {
        log.push_str(&format!(
            "type=PATH msg={stamp}: item={i} name=\"/tmp/file{i}\" inode={i} dev=08:01 \
             mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 \
             cap_fver=0 cap_frootid=0\n"
        ));
    }
    log.push_str(&format!(
        "type=PROCTITLE msg={stamp}: proctitle=2F62696E2F62617368\n"
    ));
    std::fs::write(path, log).unwrap();
}

/// The largest peak resident size, in KiB, of the children waited for. A
/// child's peak counts this process's pages it started with, so the raw
/// form's peak is the floor the JSON form's is compared with.
fn children_peak_kib() -> i64 {
    getrusage(UsageWho::RUSAGE_CHILDREN).unwrap().max_rss()
}

#[test]
fn a_huge_event_is_written_record_by_record() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    huge_event_log(&log);
    let db = dir.path().join("audit.db");
    // In this process, so that the import's memory is not a child's.
    let mut progress = raudit::import::Progress::hidden();
    let sources = vec![raudit::import::Source::File(log)];
    raudit::import::import(sources, &db, &mut progress).unwrap();
    let search = |format: &str| {
        let out = Command::new(BIN)
            .args(["search", "--db", db.to_str().unwrap(), "--format", format])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    search("raw");
    let raw_peak = children_peak_kib();
    let json = search("json");
    let json_peak = children_peak_kib();
    let event: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(event["records"].as_array().unwrap().len(), RECORDS);
    assert_eq!(event["argv"].as_array().unwrap().len(), RECORDS - 3);
    assert_eq!(event["records"][0]["fields"]["a2"], "3c");
    assert!(
        json_peak < 4 * raw_peak,
        "json peaked at {json_peak} KiB, raw at {raw_peak} KiB"
    );
}
