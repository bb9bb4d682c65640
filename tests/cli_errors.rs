//! Bad environments and bad input at the command line: one clear line on
//! stderr naming the problem, a non-zero exit, never a panic.

mod common;

use std::process::Command;

use common::{as_nobody, raudit, stderr, BIN};

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
        (&["-ts", "31/31/2026"], "invalid date \"31/31/2026\""),
        (&["-p", "abc"], "abc"),
        (&["--no-such-flag"], "--no-such-flag"),
        (&["--container", "xyz"], "invalid container id \"xyz\""),
        (&["--container", "1234"], "<no matches>"),
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
        (&["-ts", "31/31/2026"], "invalid date \"31/31/2026\""),
        (&["-te", "01/01/00"], "year is 2000"),
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
        start_ms: None,
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

/// clap's whole error on one line: the missing arguments, its suggestion,
/// and where the help is; bare `raudit` prints the help.
#[test]
fn usage_errors_say_what_is_missing_and_where_help_is() {
    for (args, expect) in [
        (
            &["import"][..],
            "raudit: the following required arguments were not provided: <FILE|DIR>... \
             (usage: raudit import <FILE|DIR>...); see 'raudit import --help'\n",
        ),
        (
            &["serch"],
            "raudit: unrecognized subcommand 'serch' (did you mean 'search'?); \
             see 'raudit --help'\n",
        ),
        (
            &["search", "--frmat", "json"],
            "raudit: unexpected argument '--frmat' found (did you mean '--format'?); \
             see 'raudit search --help'\n",
        ),
    ] {
        let out = raudit(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(one_line(&out), expect);
    }
    let out = raudit(&[]);
    assert_eq!(out.status.code(), Some(1));
    let help = stderr(&out);
    for part in [
        "Usage: raudit <COMMAND>",
        "search",
        "report",
        "import",
        "--help",
    ] {
        assert!(help.contains(part), "{help}");
    }
}

/// `-ts -1h`, `-ts "1 hour ago"` and `-ts 1 hour ago` mean the same start
/// as the date an hour before RAUDIT_NOW.
#[test]
fn relative_start_times_as_journalctl_takes_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let log = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/oracle/misc.log");
    common::import_log(std::path::Path::new(log), &db);
    // misc.log's events are at 2023-11-14 22:15:00 UTC.
    let search = |times: &[&str]| {
        let out = Command::new(BIN)
            .args(["search", "--db", db.to_str().unwrap(), "-r"])
            .args(times)
            .env("RAUDIT_NOW", "2023-11-14T22:45:00Z")
            .env("TZ", "UTC")
            .env("LC_ALL", "C")
            .output()
            .unwrap();
        (out.status.code(), common::stdout(&out))
    };
    let expected = search(&["-ts", "11/14/23", "21:45:00"]);
    assert_eq!(expected.0, Some(0));
    for times in [
        &["-ts", "-1h"][..],
        &["-ts", "1 hour ago"],
        &["-ts", "1", "hour", "ago"],
        &["-ts", "-60m", "-te", "now"],
        &["-te", "-1m", "-ts", "-1h"],
    ] {
        assert_eq!(search(times), expected, "{times:?}");
    }
    assert_eq!(search(&["-ts", "-10m"]), (Some(1), String::new()));
}

/// A file without audit records is not a log: import says so, exits 1 and
/// creates no database; search -if finds nothing in it, as ausearch does.
#[test]
fn importing_what_is_not_a_log_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let passwd = dir.path().join("passwd");
    std::fs::write(
        &passwd,
        "root:x:0:0:root:/root:/bin/bash\nbin:x:1:1::/:/bin/false\n",
    )
    .unwrap();
    let empty = dir.path().join("audit.log");
    std::fs::write(&empty, "").unwrap();
    let db = dir.path().join("new.db");
    let db_arg = db.to_str().unwrap();
    for (paths, said) in [
        (
            vec![passwd.to_str().unwrap()],
            format!(
                "{} (2 line(s) without an audit(...) stamp)",
                passwd.display()
            ),
        ),
        (
            vec![empty.to_str().unwrap()],
            format!("{} (no lines)", empty.display()),
        ),
    ] {
        let out = raudit(&[&["import", "--db", db_arg][..], &paths].concat());
        assert_eq!(out.status.code(), Some(1), "{paths:?}");
        assert_eq!(
            one_line(&out),
            format!("raudit: importing into {db_arg}: no audit records found in {said}; nothing imported\n")
        );
        assert!(!db.exists(), "{paths:?} created {db_arg}");
    }
    let out = raudit(&["search", "-if", passwd.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "<no matches>\n");
}
