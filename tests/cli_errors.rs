//! Bad environments and bad input at the command line: one clear line on
//! stderr naming the problem, a non-zero exit, never a panic.

mod common;

use std::process::Command;

use common::{raudit, stderr, BIN};

/// Runs the binary as the unprivileged user `nobody`.
fn as_nobody(args: &[&str]) -> Option<std::process::Output> {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipping: switching to nobody needs root");
        return None;
    }
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(BIN)
        .args(args)
        .output()
        .expect("setpriv (util-linux)");
    Some(out)
}

fn one_line(out: &std::process::Output) -> String {
    let err = stderr(out);
    assert_eq!(err.lines().count(), 1, "one line expected: {err:?}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn non_root_users_are_told_root_is_needed() {
    for args in [
        &["ctl", "-l"][..],
        &["ctl", "-w", "/tmp", "-k", "x"],
        &["daemon", "--db", "/tmp/raudit-nobody.db"],
    ] {
        let Some(out) = as_nobody(args) else {
            return;
        };
        // auditctl exits 4 when not root; the daemon, like auditd, 1.
        let code = if args[0] == "ctl" { 4 } else { 1 };
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        let err = one_line(&out);
        assert!(err.contains("root"), "{args:?}: {err}");
    }
}

#[test]
fn a_database_that_cannot_be_created_is_named_with_its_cause() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipping a_database_that_cannot_be_created_is_named_with_its_cause: not root");
        return;
    }
    // /proc refuses new directories, so the store fails before the daemon
    // touches the kernel.
    let out = raudit(&["daemon", "--db", "/proc/raudit-test/audit.db"]);
    assert_eq!(out.status.code(), Some(1));
    let err = one_line(&out);
    assert!(err.contains("/proc/raudit-test"), "{err}");
    assert!(
        err.contains("No such file or directory") || err.contains("ermission"),
        "{err}"
    );
}

#[test]
fn search_names_a_missing_database() {
    let out = raudit(&["search", "--db", "/nonexistent/raudit.db", "-k", "x"]);
    assert_eq!(out.status.code(), Some(1));
    let err = one_line(&out);
    assert!(
        err.contains("/nonexistent/raudit.db does not exist"),
        "{err}"
    );
}

#[test]
fn search_rejects_bad_arguments_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    raudit::store::Writer::open(&db).unwrap();
    let db = db.to_str().unwrap();
    for (args, expect) in [
        (&["-m", "NOPE"][..], "unknown record type \"NOPE\""),
        (&["-ts", "31/31/2026"], "invalid time \"31/31/2026\""),
        (&["-p", "abc"], "abc"),
        (&["--no-such-flag"], "--no-such-flag"),
    ] {
        let mut all = vec!["search", "--db", db];
        all.extend_from_slice(args);
        let out = raudit(&all);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = one_line(&out);
        assert!(err.contains(expect), "{args:?}: {err}");
    }
}

#[test]
fn report_rejects_bad_arguments_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    raudit::store::Writer::open(&db).unwrap();
    let db = db.to_str().unwrap();
    let aureport = dir.path().join("aureport");
    std::os::unix::fs::symlink(BIN, &aureport).unwrap();
    for (args, expect) in [
        (&["-k", "-u"][..], "cannot be used with"),
        (&["-au", "-cr"], "cannot be used with"),
        (&["-ts", "31/31/2026"], "invalid time \"31/31/2026\""),
        (&["-te", "01/01/2000"], "year is 2000"),
        (&["--escape", "nope"], "nope"),
        (&["--no-such-flag"], "--no-such-flag"),
        (&["-t", "--summary"], "Unimplemented option"),
        (&["--tty", "--summary"], "Unimplemented option"),
    ] {
        for program in [std::path::Path::new(BIN), aureport.as_path()] {
            let mut all: Vec<&str> = Vec::new();
            if program == std::path::Path::new(BIN) {
                all.push("report");
            }
            all.extend_from_slice(&["--db", db]);
            all.extend_from_slice(args);
            let out = Command::new(program).args(&all).output().unwrap();
            assert_eq!(out.status.code(), Some(1), "{args:?}");
            let err = one_line(&out);
            assert!(err.contains(expect), "{args:?}: {err}");
        }
    }
    let out = raudit(&["report", "--db", "/nonexistent/raudit.db"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(one_line(&out).contains("/nonexistent/raudit.db does not exist"));
}

#[test]
fn a_report_that_finds_nothing_says_so_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    raudit::store::Writer::open(&db).unwrap();
    let out = raudit(&["report", "--db", db.to_str().unwrap(), "-k"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        common::stdout(&out).ends_with("<no events of interest were found>\n\n"),
        "{}",
        common::stdout(&out)
    );
    // A summary finds nothing without failing, as aureport's does.
    let out = raudit(&["report", "--db", db.to_str().unwrap(), "-k", "--summary"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn an_empty_database_has_no_matches() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    raudit::store::Writer::open(&db).unwrap();
    let out = raudit(&["search", "--db", db.to_str().unwrap(), "-k", "nothing"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "<no matches>\n");
    assert!(out.stdout.is_empty());
}

#[test]
fn ctl_status_adds_the_recorded_loss_but_not_as_auditctl() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipping ctl_status_adds_the_recorded_loss_but_not_as_auditctl: not root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let gap = raudit::store::LossRow {
        time_ms: 1,
        kind: "serial_gap",
        first_serial: Some(10),
        last_serial: Some(14),
        count: 5,
        detail: "test".into(),
    };
    raudit::store::Writer::open(&db)
        .unwrap()
        .write(&[], &[gap])
        .unwrap();
    // A rules directory that is not there: the line says so without
    // reading the kernel's rules (which other tests may be changing).
    let conf = dir.path().join("raudit.conf");
    let rules = dir.path().join("rules.d");
    std::fs::write(&conf, format!("rules_dir = {}\n", rules.display())).unwrap();
    let out = Command::new(BIN)
        .args(["ctl", "-s"])
        .env("RAUDIT_DB", &db)
        .env("RAUDIT_CONFIG", &conf)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let expect = format!(
        "raudit_recorded_loss serial_gap=5 ({})\n\
         raudit_rules unreadable ({}: No such file or directory (os error 2))\n",
        db.display(),
        rules.display()
    );
    assert!(text.ends_with(&expect), "{text}");
    assert!(text.starts_with("enabled "), "{text}");

    let link = dir.path().join("auditctl");
    std::os::unix::fs::symlink(BIN, &link).unwrap();
    let out = Command::new(&link)
        .arg("-s")
        .env("RAUDIT_DB", &db)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("raudit_recorded_loss") && !text.contains("raudit_rules"),
        "auditctl's output stays auditctl's: {text}"
    );
}
