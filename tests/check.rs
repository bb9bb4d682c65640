//! `raudit check`, the monitoring plugin, run as NRPE runs it: one status
//! line, the state's exit code, the performance data, over a database
//! made by importing a log written here (times fixed, the present given
//! by RAUDIT_NOW). The kernel's checks are in tests/kernel_check.rs.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{stdout, BIN};

/// The log's first event, and the present the checks run at: 11.5
/// minutes later, so that the last 5 minutes hold events 7 to 11.
const T0: i64 = 1_700_000_000;
const NOW: &str = "2023-11-14T22:24:50Z"; // T0 + 690 s

/// One write to /etc/passwd (key passwd) and one read of /etc/hosts (key
/// other) a minute apart, twelve times.
fn log_text() -> String {
    let mut log = String::new();
    for i in 0..12 {
        for (n, key, file) in [(0, "passwd", "/etc/passwd"), (1, "other", "/etc/hosts")] {
            let serial = 100 + i * 2 + n;
            let stamp = format!("audit({}.{:03}:{serial})", T0 + i * 60, n + 1);
            log.push_str(&format!(
                "type=SYSCALL msg={stamp}: arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=55d4 a2=241 a3=1b6 items=1 ppid=1 pid={serial} auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"vi\" exe=\"/usr/bin/vi\" key=\"{key}\"\n\
                 type=PATH msg={stamp}: item=0 name=\"{file}\" inode=1 dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL\n\
                 type=PROCTITLE msg={stamp}: proctitle=7669\n"
            ));
        }
    }
    log
}

fn database(dir: &Path) -> PathBuf {
    let log = dir.join("audit.log");
    std::fs::write(&log, log_text()).unwrap();
    let db = dir.join("audit.db");
    common::import_log(&log, &db);
    db
}

fn check(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("check")
        .arg("--db")
        .arg(db)
        .args(args)
        .env("RAUDIT_NOW", NOW)
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .env_remove("RAUDIT_CONFIG")
        .output()
        .expect("running raudit check")
}

/// The status line and exit code; the line must be the only one.
fn outcome(o: &Output) -> (String, i32) {
    let out = stdout(o);
    assert_eq!(out.lines().count(), 1, "one status line: {out:?}");
    (
        out.trim_end().to_string(),
        o.status.code().expect("exit code"),
    )
}

#[test]
fn events_in_a_window_give_each_state_with_its_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let passwd = ["-k", "passwd", "--window", "5m"];
    let run = |extra: &[&str]| outcome(&check(&db, &[&passwd[..], extra].concat()));
    assert_eq!(
        run(&["-w", "0", "-c", "10"]),
        (
            "RAUDIT EVENTS WARNING - 5 matching events in the last 5m | events=5;0;10;0;".into(),
            1
        )
    );
    assert_eq!(
        run(&["-w", "5", "-c", "10"]).0,
        "RAUDIT EVENTS OK - 5 matching events in the last 5m | events=5;5;10;0;"
    );
    assert_eq!(run(&["-w", "5", "-c", "10"]).1, 0);
    assert_eq!(run(&["-w", "0", "-c", "4"]).1, 2);
    assert_eq!(run(&["-w", "@5:5"]).1, 1, "inside the range alerts");
    assert_eq!(run(&[]).1, 0, "no thresholds, no alert");
    // Other filters and windows: the search's own.
    let (line, code) = outcome(&check(
        &db,
        &["-f", "/etc/hosts", "--window", "1h", "-c", "11"],
    ));
    assert_eq!(
        (line.contains("12 matching events in the last 1h"), code),
        (true, 2),
        "{line}"
    );
    let (line, code) = outcome(&check(&db, &["-k", "nothing", "-w", "0"]));
    assert_eq!(
        (line.as_str(), code),
        (
            "RAUDIT EVENTS OK - 0 matching events in the store | events=0;0;;0;",
            0
        )
    );
    let (line, _) = outcome(&check(
        &db,
        &["--word", "--comm", "vi", "-ts", "11/14/23", "22:23:00"],
    ));
    assert!(
        line.contains(" 4 matching events in the given time range"),
        "{line}"
    );
}

#[test]
fn what_the_plugin_cannot_run_is_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    for (args, says) in [
        (&["-w", "10:5"][..], "invalid threshold \"10:5\""),
        (&["--window", "5x"], "invalid window \"5x\""),
        (&["--colour"], "--colour"),
        (
            &["--daemon", "-k", "x"],
            "search filters apply to the events check only",
        ),
        (&["--loss", "--daemon"], "cannot be used with"),
        (
            &["--window", "5m", "-ts", "today"],
            "either --window or --start/--end",
        ),
    ] {
        let (line, code) = outcome(&check(&db, args));
        assert_eq!(code, 3, "{args:?}: {line}");
        assert!(
            line.starts_with("RAUDIT ") && line.contains(" UNKNOWN - "),
            "{line}"
        );
        assert!(line.contains(says), "{args:?}: {line}");
    }
    let (line, code) = outcome(&check(&dir.path().join("none.db"), &[]));
    assert_eq!(code, 3);
    assert!(line.contains("none.db does not exist"), "{line}");
}

/// Adds a loss row, as the daemon records one (the check only reads).
fn record_loss(db: &Path, time_s: i64, count: i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute(
        "INSERT INTO loss (time_ms, kind, count, detail) VALUES (?1, 'kernel_lost', ?2, 'test')",
        [time_s * 1000, count],
    )
    .unwrap();
}

#[test]
fn loss_in_a_window_and_since_the_last_check() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let (line, code) = outcome(&check(&db, &["--loss"]));
    assert_eq!(
        (line.as_str(), code),
        (
            "RAUDIT LOSS OK - no loss recorded in the store | lost=0;0;;0;",
            0
        )
    );
    record_loss(&db, T0 + 100, 2);
    record_loss(&db, T0 + 600, 3);
    let (line, code) = outcome(&check(&db, &["--loss", "--window", "5m"]));
    assert_eq!(code, 1, "{line}");
    assert!(line.ends_with("| lost=3;0;;0;"), "{line}");
    assert_eq!(
        outcome(&check(&db, &["--loss", "-c", "4"])).1,
        2,
        "5 lost in all"
    );
    assert_eq!(outcome(&check(&db, &["--loss", "--window", "1m"])).1, 0);

    let state = dir.path().join("loss.state");
    let state_arg = state.to_str().unwrap();
    let since = |w: &str| outcome(&check(&db, &["--loss", "--state", state_arg, "-w", w]));
    let (line, code) = since("0");
    assert_eq!(
        code, 0,
        "a first check only records where it stands: {line}"
    );
    assert!(line.contains("first check"), "{line}");
    assert_eq!(since("0").1, 0, "nothing new");
    record_loss(&db, T0 + 650, 4);
    let (line, code) = since("0");
    assert_eq!(code, 1, "{line}");
    assert!(
        line.contains("4 events lost since the last check (1 loss records")
            && line.ends_with("lost=4;0;;0;"),
        "{line}"
    );
    assert_eq!(since("0").1, 0, "counted once");
}

#[test]
fn a_check_that_hangs_ends_unknown_at_its_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    // A state file that is a FIFO no one writes: reading it blocks.
    let fifo = dir.path().join("stuck.state");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let start = Instant::now();
    let o = check(
        &db,
        &["--loss", "--state", fifo.to_str().unwrap(), "-t", "1"],
    );
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(
        outcome(&o),
        ("RAUDIT LOSS UNKNOWN - timed out after 1 s".into(), 3)
    );
}

#[test]
fn free_space_against_ranges_and_the_configuration() {
    if !nix::unistd::geteuid().is_root() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "needs root in CI (a tmpfs)"
        );
        eprintln!("skipping free_space_against_ranges_and_the_configuration: not root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fs = dir.path().join("fs");
    let _mount = common::Tmpfs::mount(&fs, 20);
    let db = fs.join("audit.db");
    let conf = dir.path().join("raudit.conf");
    let space = |conf_text: &str, args: &[&str]| {
        std::fs::write(&conf, conf_text).unwrap();
        let mut all = vec!["--space", "--config", conf.to_str().unwrap()];
        all.extend_from_slice(args);
        outcome(&check(&db, &all))
    };
    let thresholds = "space_left = 50%\nadmin_space_left = 10%\n";
    let (line, code) = space(thresholds, &[]);
    assert_eq!(code, 0, "{line}");
    assert!(line.contains("| free=20MB;10:;2:;0;20"), "{line}");
    std::fs::write(fs.join("fill"), vec![1u8; 15 << 20]).unwrap();
    let (line, code) = space(thresholds, &[]);
    assert_eq!(code, 1, "below space_left: {line}");
    assert!(
        line.starts_with("RAUDIT SPACE WARNING - 5 MiB free of 20 MiB on "),
        "{line}"
    );
    std::fs::write(fs.join("fill"), vec![1u8; 19 << 20]).unwrap();
    assert_eq!(space(thresholds, &[]).1, 2, "below admin_space_left");
    // -w/-c replace the configuration's thresholds.
    assert_eq!(space(thresholds, &["-w", "0:", "-c", "0:"]).1, 0);
}

#[test]
fn search_loss_succeeds_when_nothing_was_lost() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let o = common::search(&db, &["--loss"]).unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "nothing lost is not a failed search"
    );
    assert_eq!(
        (stdout(&o), common::stderr(&o)),
        (String::new(), "<no loss recorded>\n".into())
    );
    record_loss(&db, T0 + 100, 2);
    let o = common::search(&db, &["--loss"]).unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("kernel_lost"), "{}", stdout(&o));
}
