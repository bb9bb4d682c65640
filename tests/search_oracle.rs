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

/// Logs in time order, and logs whose events interleave or whose records
/// of one event stand far apart: the store keeps the order ausearch
/// prints a log's events in. (corpus/audit-ubuntu16.log stays out: ausearch
/// prints its AppArmor AVC in no normalized form, csv or text.)
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
    "corpus/audit-rhel7.log",
    "corpus/netlink-out_of_order.log",
    "corpus/netlink-rollover.log",
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

/// What ausearch refuses in the C locale, raudit refuses too (exit 1, an
/// error instead of `<no matches>`), and what it takes raudit takes alike:
/// dates only as `%m/%d/%y` (`03.12.2026` is not March 12), two output
/// forms at once, ids beyond any number.
#[test]
fn refused_where_ausearch_refuses() {
    let Some(ausearch) = common::ausearch() else {
        return;
    };
    let log = Path::new(DATA).join("oracle/misc.log");
    let log = log.to_str().unwrap();
    let cases: &[&[&str]] = &[
        &["-ts", "03.12.2026"],
        &["-ts", "03/12/2026"],
        &["-ts", "03-12-2026"],
        &["-ts", "13/12/23"],
        &["-ts", "03/12/2026", "10:00"],
        &["-ts", "11/14/23"],
        &["-ts", "11/14/23", "22:15:00"],
        &["-te", "11/14/23", "22:14:00"],
        &["-ts", "3/2/26"],
        &["-r", "-i"],
        &["-i", "-r"],
        &["-i", "--format", "csv"],
        &["--format", "csv", "-i"],
        &["--format", "raw", "-r"],
        &["-ui", "99999999999999999999999"],
        &["-gi", "99999999999999999999999"],
    ];
    let refused = |o: &Output| {
        let err = String::from_utf8_lossy(&o.stderr);
        (o.status.code(), !err.is_empty() && err != "<no matches>\n")
    };
    for args in cases {
        let expected = common::run_utc_c(&ausearch, &[&["-if", log][..], args].concat());
        let got = common::run_utc_c(
            Path::new(BIN),
            &[&["search", "-if", log][..], args].concat(),
        );
        assert_eq!(refused(&got), refused(&expected), "{args:?}");
        assert_eq!(got.stdout, expected.stdout, "{args:?}");
    }
}

/// Where raudit is stricter than ausearch, and says why: a uid beyond 32
/// bits (ausearch wraps it: 4294967296 finds root's events), and
/// `--format json` with `-i`.
#[test]
fn out_of_range_ids_and_conflicting_forms_are_refused() {
    let log = Path::new(DATA).join("oracle/misc.log");
    let log = log.to_str().unwrap();
    for (args, expect) in [
        (
            &["-ui", "99999999999"][..],
            "raudit: user id 99999999999 is out of range: ids are 0 to 4294967295\n",
        ),
        (
            &["-ge", "4294967296"],
            "raudit: group id 4294967296 is out of range: ids are 0 to 4294967295\n",
        ),
        (
            &["-i", "--format", "json"],
            "raudit: conflicting output formats -i and --format json: give only one\n",
        ),
        (
            &["-p", "99999999999"],
            "raudit: invalid value '99999999999' for '--pid <PID>': 99999999999 is not in \
             0..=2147483647; see 'raudit search --help'\n",
        ),
    ] {
        let out = common::run_utc_c(
            Path::new(BIN),
            &[&["search", "-if", log][..], args].concat(),
        );
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), expect);
        assert!(out.stdout.is_empty());
    }
    let unset = common::run_utc_c(Path::new(BIN), &["search", "-if", log, "-ul", "4294967295"]);
    // misc.log has events of processes without a login uid.
    assert_eq!(
        unset.status.code(),
        Some(0),
        "4294967295 (unset) is a valid id"
    );
    assert!(!unset.stdout.is_empty());
}
