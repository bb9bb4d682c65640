//! Reports, differentially: every log in tests/data reported by
//! `aureport -if LOG` (Debian's auditd 3.0.9) and by raudit, both from the
//! log (`raudit report -if LOG`) and from a database it was imported into
//! (`raudit report --db DB`): stdout and the exit code must be the same,
//! byte for byte, for every report, in detail and in summary, with -i,
//! --failed, --success and time windows.
//!
//! Both run with TZ=UTC and LC_ALL=C: aureport prints local time in the
//! locale's date format.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

const BIN: &str = env!("CARGO_BIN_EXE_raudit");
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
const AUREPORT: &str = "/usr/sbin/aureport";

/// Every report option (none: the overall summary).
const REPORTS: &[&[&str]] = &[
    &[],
    &["-a"],
    &["-au"],
    &["-c"],
    &["-cr"],
    &["-e"],
    &["-f"],
    &["-h"],
    &["-k"],
    &["-l"],
    &["-m"],
    &["-ma"],
    &["-n"],
    &["-p"],
    &["-r"],
    &["-s"],
    &["-t"],
    &["-tm"],
    &["-u"],
    &["-x"],
    &["--comm"],
    &["--virt"],
    &["--integrity"],
    &["--tty"],
];

const VARIANTS: &[&[&str]] = &[
    &[],
    &["--summary"],
    &["-i"],
    &["--summary", "-i"],
    &["--failed"],
    &["--success"],
    &["--summary", "--failed"],
    &["--summary", "--success"],
    &["-nc"],
    &["-i", "--escape", "shell"],
];

/// Time windows, tried with a few reports: around the oracle logs' and the
/// kernel log's times, and ones that hold everything or nothing.
const WINDOWS: &[&[&str]] = &[
    &["-ts", "11/14/23", "22:15:00"],
    &["-te", "11/14/23", "22:15:00"],
    &["-ts", "11/21/26", "13:43:39", "-te", "11/21/26", "13:43:40"],
    &["-ts", "01/02/04", "00:00:00"],
    &["-te", "01/02/04"],
    &["-ts", "04/12/17", "22:48:11"],
];
const WINDOWED: &[&[&str]] = &[&[], &["-e"], &["-t"], &["-p", "--summary"], &["-f"]];

/// Which comparisons a known difference covers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Every report over this input.
    All,
    /// The overall summary (no report option), whose first line states
    /// when the first record was read.
    Summary,
}

/// Where aureport 3.0.9 and raudit knowingly differ, and why: (log, input
/// "--db" or "-if", scope, reason). The test fails if anything else
/// disagrees, or if an exception no longer shows anywhere (remove it then).
const KNOWN: &[(&str, &str, Scope, &str)] = &[
    // Sorted by record type, not time: records of one event stand far
    // apart, and how aureport regroups them depends on its 2-second
    // clock and buffer order (as for ausearch, tests/search_filters.rs).
    (
        "audit-rhel7.log",
        "--db",
        Scope::All,
        "records of one event far apart",
    ),
    (
        "audit-rhel7.log",
        "-if",
        Scope::All,
        "records of one event far apart",
    ),
    // The first record of the file belongs to an event completed after
    // the next one: aureport's "Range of time in logs" starts at that
    // record. A database keeps events, not the order their records were
    // read in, so it starts at the first event stored (-if walks the file
    // and agrees).
    (
        "audit-rhel6.log",
        "--db",
        Scope::Summary,
        "first record, not first event",
    ),
];

fn logs() -> Vec<PathBuf> {
    let mut logs = vec![Path::new(DATA).join("kernel-6.18.log")];
    for dir in ["corpus", "oracle"] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(Path::new(DATA).join(dir))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "log"))
            .collect();
        found.sort();
        logs.extend(found);
    }
    logs
}

/// What must agree: stdout and the exit code.
fn outcome(o: &Output) -> (String, Option<i32>) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        o.status.code(),
    )
}

fn aureport() -> Option<PathBuf> {
    if Path::new(AUREPORT).exists() {
        return Some(PathBuf::from(AUREPORT));
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("aureport (Debian's auditd package) is needed in CI");
    }
    eprintln!("skipping: {AUREPORT} is not installed");
    None
}

/// Every (flags) combination compared for one log.
fn cases() -> Vec<Vec<&'static str>> {
    let mut cases = Vec::new();
    for report in REPORTS {
        for variant in VARIANTS {
            cases.push([*report, *variant].concat());
        }
    }
    for report in WINDOWED {
        for window in WINDOWS {
            cases.push([*report, *window].concat());
        }
    }
    cases
}

/// The known difference covering this comparison, if any (its index).
fn known(log: &str, input: &str, flags: &[&str]) -> Option<usize> {
    let summary = !REPORTS
        .iter()
        .any(|r| r.first().is_some_and(|o| flags.first() == Some(o)));
    KNOWN
        .iter()
        .position(|(l, i, scope, _)| *l == log && *i == input && (*scope == Scope::All || summary))
}

/// Runs `f` until it starts and ends within one second of the wall clock
/// (the time of day a date-only `-te` takes), at most five tries; returns that second (RFC
/// 3339, for raudit's RAUDIT_NOW) with `f`'s result.
fn within_one_second<T>(mut f: impl FnMut() -> T) -> (String, T) {
    let second = || {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
    };
    let mut tries = 0;
    loop {
        let before = second();
        let out = f();
        tries += 1;
        // A run longer than a second never fits: the comparison then
        // holds only for reports that ignore the time of day.
        if second() == before || tries == 5 {
            let now = chrono::DateTime::from_timestamp(before as i64, 0).unwrap();
            return (now.to_rfc3339(), out);
        }
    }
}

/// Runs the comparisons of one log; returns (compared, differences,
/// the known exceptions that showed).
fn compare_log(aureport: &Path, log: &Path, db: &Path) -> (usize, Vec<String>, Vec<usize>) {
    let name = log.file_name().unwrap().to_str().unwrap();
    let log_arg = log.to_str().unwrap();
    let db_arg = db.to_str().unwrap();
    let (mut compared, mut failures, mut shown) = (0, Vec::new(), Vec::new());
    for flags in cases() {
        let (now, out) = within_one_second(|| {
            common::run_utc_c(aureport, &[&["-if", log_arg][..], &flags].concat())
        });
        let mut expected = outcome(&out);
        if flags.first() == Some(&"-t") {
            // The log's name is the one part that may differ: the database
            // has none of its own.
            expected.0 = expected.0.replace(log_arg, "LOG");
        }
        for input in [["--db", db_arg], ["-if", log_arg]] {
            let is_known = known(name, input[0], &flags);
            let mut got = outcome(
                &Command::new(BIN)
                    .args([&["report"][..], &input, &flags].concat())
                    .env("TZ", "UTC")
                    .env("LC_ALL", "C")
                    .env("RAUDIT_NOW", &now)
                    .output()
                    .unwrap(),
            );
            got.0 = got.0.replace(log_arg, "LOG").replace(db_arg, "LOG");
            compared += 1;
            match (got == expected, is_known) {
                (false, Some(k)) => shown.push(k),
                (false, None) => failures.push(format!(
                    "{name} {input:?} {flags:?}:\n{}",
                    diff(&expected.0, &got.0, expected.1, got.1)
                )),
                (true, _) => {}
            }
        }
    }
    (compared, failures, shown)
}

#[test]
fn reports_print_what_aureport_prints() {
    let Some(aureport) = aureport() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let logs = logs();
    let results: Vec<(usize, Vec<String>, Vec<usize>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = logs
            .chunks(logs.len().div_ceil(2))
            .map(|chunk| {
                let (aureport, dir) = (&aureport, dir.path());
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|log| {
                            let db = dir
                                .join(format!("{}.db", log.file_name().unwrap().to_string_lossy()));
                            common::import_log(log, &db);
                            compare_log(aureport, log, &db)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let compared: usize = results.iter().map(|r| r.0).sum();
    let failures: Vec<&String> = results.iter().flat_map(|r| &r.1).collect();
    let shown: Vec<usize> = results.iter().flat_map(|r| r.2.clone()).collect();
    let gone: Vec<&str> = (0..KNOWN.len())
        .filter(|k| !shown.contains(k))
        .map(|k| KNOWN[k].0)
        .collect();
    eprintln!("{compared} reports compared with aureport");
    assert!(
        failures.is_empty(),
        "{} of {compared} reports differ from aureport:\n{}",
        failures.len(),
        failures
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        gone.is_empty(),
        "known differences that no longer show (remove them from KNOWN): {gone:?}"
    );
}

fn diff(expected: &str, got: &str, code: Option<i32>, got_code: Option<i32>) -> String {
    let lines = common::first_difference("aureport", expected, got);
    format!("{lines}, exit {code:?} vs {got_code:?}")
}

/// A directory of rotated logs: aureport reads them oldest first and, for
/// -t, names each.
#[test]
fn rotated_logs_are_read_oldest_first() {
    let Some(aureport) = aureport() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let logs = common::rotated_logs(dir.path());
    let logs = logs.to_str().unwrap();
    for flags in [&[][..], &["-t"], &["-e", "-i"], &["-f", "--summary"]] {
        let expected = outcome(&common::run_utc_c(
            &aureport,
            &[&["-if", logs][..], flags].concat(),
        ));
        let got = outcome(&common::run_utc_c(
            Path::new(BIN),
            &[&["report", "-if", logs][..], flags].concat(),
        ));
        assert_eq!(got, expected, "{flags:?}");
    }
}
