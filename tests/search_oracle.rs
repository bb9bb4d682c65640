//! Output forms, differentially: a log imported with `raudit import` and
//! searched with `raudit search --db`, and the same log searched with
//! `raudit search -if`, must print what `ausearch -if LOG` (Debian's
//! auditd 3.0.9) prints, byte for byte, in the default, raw, interpreted,
//! csv (with each of its extra columns) and text forms, say `<no matches>`
//! alike, and exit alike.
//!
//! Both run with TZ=UTC and LC_ALL=C: ausearch prints local time in the
//! locale's date format.

mod common;

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_raudit");
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

/// Logs in time order (ausearch prints a log's events in the order it
/// completes them, the store in time order: the same for such logs).
const LOGS: &[&str] = &[
    "oracle/syscalls.log",
    "oracle/misc.log",
    "oracle/enriched.log",
    "oracle/normalize.log",
    "kernel-6.18.log",
    "corpus/netlink-normal.log",
    "corpus/netlink-lost_messages.log",
    "corpus/test2.log",
    "corpus/test3.log",
    "corpus/audit-rhel6.log",
    "corpus/audit-ubuntu17.log",
];

const FORMS: &[&[&str]] = &[
    &[],
    &["-r"],
    &["-i"],
    &["--format", "raw"],
    &["--format", "interpret"],
    &["-i", "--escape", "shell"],
    &["--escape", "raw", "-i"],
    &["--escape", "shell_quote"],
    &["--format", "csv"],
    &["--format", "text"],
    &["--format", "csv", "--extra-keys"],
    &["--format", "csv", "--extra-labels"],
    &["--format", "csv", "--extra-obj2"],
    &["--format", "csv", "--extra-time"],
    &[
        "--format",
        "csv",
        "--extra-keys",
        "--extra-labels",
        "--extra-obj2",
        "--extra-time",
    ],
    &["--format", "text", "--escape", "raw"],
];

/// Filters that hold in every form (the filter test covers the rest).
const FILTERS: &[&[&str]] = &[
    &[],
    &["-k", "k"],
    &["-k", "cap_exec"],
    &["-k", "nosuch"],
    &["-m", "SYSCALL"],
    &["-m", "USER_LOGIN,USER_START,PATH"],
    &["-m", "SOCKADDR"],
    &["-p", "100"],
    &["-a", "16"],
    &["-a", "3005"],
    &["-f", "/etc/hosts"],
    &["-ts", "11/14/23", "22:15:00"],
    &["-te", "11/14/23", "22:14:00"],
];

/// What must agree: stdout, whether `<no matches>` was said, exit code.
fn outcome(o: &Output) -> (String, bool, Option<i32>) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).contains("<no matches>"),
        o.status.code(),
    )
}

#[test]
fn search_prints_what_ausearch_prints() {
    let Some(ausearch) = common::ausearch() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut compared = 0;
    for (i, name) in LOGS.iter().enumerate() {
        let log = Path::new(DATA).join(name);
        let db = dir.path().join(format!("{i}.db"));
        common::import_log(&log, &db);
        let log_arg = log.to_str().unwrap();
        let db_arg = db.to_str().unwrap();
        for form in FORMS {
            for filter in FILTERS {
                let flags: Vec<&str> = filter.iter().chain(form.iter()).copied().collect();
                let expected = outcome(&common::run_utc_c(
                    &ausearch,
                    &[&["-if", log_arg][..], &flags].concat(),
                ));
                for input in [["--db", db_arg], ["-if", log_arg]] {
                    let got = outcome(&common::run_utc_c(
                        Path::new(BIN),
                        &[&["search"][..], &input, &flags].concat(),
                    ));
                    compared += 1;
                    if got != expected {
                        failures.push(format!(
                            "{name} {input:?} {flags:?}:\n{}",
                            diff(&expected.0, &got.0)
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {compared} searches differ from ausearch:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn diff(expected: &str, got: &str) -> String {
    common::first_difference("ausearch", expected, got)
}

#[test]
fn importing_twice_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.db");
    let log = Path::new(DATA).join("oracle/misc.log");
    common::import_log(&log, &db);
    let first = common::run_utc_c(
        Path::new(BIN),
        &["search", "--db", db.to_str().unwrap(), "-r"],
    );
    let o = common::run_utc_c(
        Path::new(BIN),
        &[
            "import",
            "--db",
            db.to_str().unwrap(),
            log.to_str().unwrap(),
        ],
    );
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(said.contains(" 0 added,"), "{said}");
    let second = common::run_utc_c(
        Path::new(BIN),
        &["search", "--db", db.to_str().unwrap(), "-r"],
    );
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn rotated_logs_are_read_oldest_first() {
    let Some(ausearch) = common::ausearch() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let logs = common::rotated_logs(dir.path());
    let db = dir.path().join("audit.db");
    common::import_log(&logs, &db);
    let logs = logs.to_str().unwrap();
    for form in FORMS {
        let expected = outcome(&common::run_utc_c(
            &ausearch,
            &[&["-if", logs][..], form].concat(),
        ));
        let stored = common::run_utc_c(
            Path::new(BIN),
            &[&["search", "--db", db.to_str().unwrap()][..], form].concat(),
        );
        assert_eq!(outcome(&stored), expected, "{form:?}");
        let direct = common::run_utc_c(
            Path::new(BIN),
            &[&["search", "-if", logs][..], form].concat(),
        );
        assert_eq!(outcome(&direct), expected, "-if DIR {form:?}");
    }
}

#[test]
fn records_piped_on_stdin() {
    let Some(ausearch) = common::ausearch() else {
        return;
    };
    let log = std::fs::read(Path::new(DATA).join("kernel-6.18.log")).unwrap();
    let piped = |program: &Path, args: &[&str]| {
        use std::io::Write;
        let mut child = Command::new(program)
            .args(args)
            .env("TZ", "UTC")
            .env("LC_ALL", "C")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&log).unwrap();
        child.wait_with_output().unwrap()
    };
    let expected = outcome(&piped(&ausearch, &["-i"]));
    assert_eq!(
        outcome(&piped(Path::new(BIN), &["search", "--stdin", "-i"])),
        expected
    );
    assert_eq!(
        outcome(&piped(Path::new(BIN), &["search", "-if", "-", "-i"])),
        expected
    );
}
