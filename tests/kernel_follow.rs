//! `raudit search --follow` on a real daemon: what is stored after it
//! started comes out once each, in store order, across a daemon restart
//! and a crash; a closed pipe ends it. Root only; serialized and
//! self-restoring through `common::kernel`.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;

const PATIENCE: Duration = Duration::from_secs(20);

/// A follower started from the store's first event (a checkpoint at 0:
/// no wall clock involved), printing user messages in raw form; its lines
/// arrive on the channel until the reader stops, which closes the pipe.
fn follower(db: &std::path::Path, checkpoint: &std::path::Path) -> (Child, mpsc::Receiver<String>) {
    std::fs::write(checkpoint, "position=0\n").unwrap();
    let mut child = Command::new(BIN)
        .args([
            "search", "--follow", "-m", "USER", "--format", "raw", "--db",
        ])
        .arg(db)
        .arg("--checkpoint")
        .arg(checkpoint)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starting the follower");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let last = line.contains("follow-marker-last");
            if tx.send(line).is_err() || last {
                break; // dropping the pipe's reader closes it
            }
        }
    });
    (child, rx)
}

/// Lines until one contains `needle` (all of them, that one included).
fn lines_until(rx: &mpsc::Receiver<String>, needle: &str) -> Vec<String> {
    let end = Instant::now() + PATIENCE;
    let mut lines = Vec::new();
    while let Some(left) = end.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) => {
                let done = line.contains(needle);
                lines.push(line);
                if done {
                    return lines;
                }
            }
            Err(_) => break,
        }
    }
    panic!("no line with {needle} within {PATIENCE:?}; got {lines:#?}");
}

fn count(lines: &[String], needle: &str) -> usize {
    lines.iter().filter(|l| l.contains(needle)).count()
}

#[test]
fn follow_prints_each_event_once_across_restarts_and_ends_with_its_pipe() {
    let Some(mut k) =
        kernel("follow_prints_each_event_once_across_restarts_and_ends_with_its_pipe")
    else {
        return;
    };
    let db = k.path("audit.db");
    let checkpoint = k.path("follow.checkpoint");
    let daemon = k.start_daemon(&db, &[]);
    let (mut child, rx) = follower(&db, &checkpoint);
    ctl(&["-m", "follow-marker-1"]);
    let mut seen = lines_until(&rx, "follow-marker-1");

    // A clean restart: the daemon's own records in between, nothing twice.
    assert!(k.stop_daemon(daemon).success());
    let daemon = k.start_daemon(&db, &[]);
    ctl(&["-m", "follow-marker-2"]);
    seen.extend(lines_until(&rx, "follow-marker-2"));

    // A crash: the restarted daemon records the gap; the follower goes on.
    k.kill_daemon(daemon);
    let daemon = k.start_daemon(&db, &[]);
    ctl(&["-m", "follow-marker-3"]);
    ctl(&["-m", "follow-marker-last"]);
    seen.extend(lines_until(&rx, "follow-marker-last"));

    for marker in ["follow-marker-1", "follow-marker-2", "follow-marker-3"] {
        assert_eq!(count(&seen, marker), 1, "{marker} once: {seen:#?}");
    }
    let at = |m: &str| seen.iter().position(|l| l.contains(m)).unwrap();
    assert!(at("follow-marker-1") < at("follow-marker-2"));
    assert!(at("follow-marker-2") < at("follow-marker-3"));
    // Everything printed is what a search of the store prints, in order.
    let all = search(&db, &["-m", "USER", "--format", "raw"]).unwrap();
    let stored: Vec<String> = stdout(&all).lines().map(str::to_string).collect();
    assert_eq!(seen, stored[..seen.len()], "the store's order");

    // The reader stopped after the last marker: the follower notices the
    // closed pipe without another event, exits 0 and leaves its place.
    let status = wait_exit(&mut child, Duration::from_secs(5));
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the follower kept running after its output was closed");
    }
    assert!(status.unwrap().success(), "{status:?}");
    let saved = std::fs::read_to_string(&checkpoint).unwrap();
    assert!(saved.starts_with("position="), "{saved}");
    assert!(k.stop_daemon(daemon).success());
}
