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
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

const BIN: &str = env!("CARGO_BIN_EXE_raudit");
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

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

/// Every (flags) combination compared for one log.
fn cases() -> Vec<Vec<&'static str>> {
    let mut cases = Vec::new();
    for report in common::REPORTS {
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

/// Runs `f`, returning the wall-clock seconds it started and ended in:
/// aureport took the time of day a date-only `-te` takes at one of them.
fn timed<T>(f: impl FnOnce() -> T) -> (std::ops::RangeInclusive<u64>, T) {
    let second = || {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
    };
    let before = second();
    let out = f();
    (before..=second(), out)
}

/// `raudit report` with RAUDIT_NOW at `second` (RFC 3339).
fn raudit_report(args: &[&str], second: u64) -> (String, Option<i32>) {
    let now = chrono::DateTime::from_timestamp(second as i64, 0).unwrap();
    common::outcome(
        &Command::new(BIN)
            .args(args)
            .env("TZ", "UTC")
            .env("LC_ALL", "C")
            .env("RAUDIT_NOW", now.to_rfc3339())
            .output()
            .unwrap(),
    )
}

/// Runs the comparisons of one log; returns (compared, differences).
fn compare_log(aureport: &Path, log: &Path, db: &Path) -> (usize, Vec<String>) {
    let name = log.file_name().unwrap().to_str().unwrap();
    let log_arg = log.to_str().unwrap();
    let db_arg = db.to_str().unwrap();
    let (mut compared, mut failures) = (0, Vec::new());
    for flags in cases() {
        let (seconds, out) =
            timed(|| common::run_utc_c(aureport, &[&["-if", log_arg][..], &flags].concat()));
        let mut expected = common::outcome(&out);
        if flags.first() == Some(&"-t") {
            // The log's name is the one part that may differ: the database
            // has none of its own.
            expected.0 = expected.0.replace(log_arg, "LOG");
        }
        for input in [["--db", db_arg], ["-if", log_arg]] {
            let args = [&["report"][..], &input, &flags].concat();
            let run = |second| {
                let mut got = raudit_report(&args, second);
                got.0 = got.0.replace(log_arg, "LOG").replace(db_arg, "LOG");
                got
            };
            // The first second that matches, else the first one's output.
            let first = run(*seconds.start());
            let got = if first == expected {
                first
            } else {
                seconds
                    .clone()
                    .skip(1)
                    .map(run)
                    .find(|g| *g == expected)
                    .unwrap_or(first)
            };
            compared += 1;
            if got != expected {
                failures.push(format!(
                    "{name} {input:?} {flags:?}:\n{}",
                    diff(&expected.0, &got.0, expected.1, got.1)
                ));
            }
        }
    }
    (compared, failures)
}

#[test]
fn reports_print_what_aureport_prints() {
    let Some(aureport) = common::aureport() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let logs = logs();
    let results: Vec<(usize, Vec<String>)> = std::thread::scope(|scope| {
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
}

fn diff(expected: &str, got: &str, code: Option<i32>, got_code: Option<i32>) -> String {
    let lines = common::first_difference("aureport", expected, got);
    format!("{lines}, exit {code:?} vs {got_code:?}")
}

/// A directory of rotated logs: aureport reads them oldest first and, for
/// -t, names each.
#[test]
fn rotated_logs_are_read_oldest_first() {
    let Some(aureport) = common::aureport() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let logs = common::rotated_logs(dir.path());
    let logs = logs.to_str().unwrap();
    for flags in [&[][..], &["-t"], &["-e", "-i"], &["-f", "--summary"]] {
        let expected = common::outcome(&common::run_utc_c(
            &aureport,
            &[&["-if", logs][..], flags].concat(),
        ));
        let got = common::outcome(&common::run_utc_c(
            Path::new(BIN),
            &[&["report", "-if", logs][..], flags].concat(),
        ));
        assert_eq!(got, expected, "{flags:?}");
    }
}
