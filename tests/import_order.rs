//! Order, differentially: logs whose events interleave (an event's records
//! written after the next event began, as two CPUs write them), whose
//! records of one event stand seconds apart, that start in the middle of an
//! event (as every rotated audit.log can), or that hold several nodes'
//! events, imported with `raudit import`, print what ausearch and aureport
//! (Debian's auditd 3.0.9) print over the same log: the same events in the
//! same order for `search`, the same rows and ties for `report -f -i` and
//! `report -f --summary`. A database that imported an older log after a
//! newer one states its time range as aureport does over both logs.
//!
//! The logs are synthetic (tests/common/synth.rs) and real ones from
//! tests/data/corpus (go-libaudit's, Apache License 2.0: see the notice
//! there). All run with TZ=UTC and LC_ALL=C.

mod common;

use std::path::{Path, PathBuf};

use common::synth::{self, Spec};

const BIN: &str = env!("CARGO_BIN_EXE_raudit");
use common::AUREPORT;
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/corpus");

/// The logs compared: each quirk alone, then all at once.
fn logs(dir: &Path) -> Vec<PathBuf> {
    let mut specs = vec![
        ("interleaved", Spec::new(1500, 1)),
        (
            "mid-event",
            Spec {
                mid_event: true,
                ..Spec::new(300, 2)
            },
        ),
        (
            "late-records",
            Spec {
                late: 25,
                ..Spec::new(600, 3)
            },
        ),
        (
            "nodes",
            Spec {
                nodes: true,
                ..Spec::new(600, 4)
            },
        ),
    ];
    specs.push((
        "everything",
        Spec {
            mid_event: true,
            late: 40,
            nodes: true,
            interleave: 7,
            ..Spec::new(1500, 5)
        },
    ));
    let mut logs: Vec<PathBuf> = specs
        .into_iter()
        .map(|(name, spec)| {
            let path = dir.join(format!("{name}.log"));
            std::fs::write(&path, synth::log(spec)).unwrap();
            path
        })
        .collect();
    for real in ["audit-rhel7.log", "netlink-out_of_order.log"] {
        logs.push(Path::new(CORPUS).join(real));
    }
    logs
}

#[test]
fn search_prints_interleaved_logs_in_ausearchs_order() {
    let Some(ausearch) = common::ausearch() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for log in logs(dir.path()) {
        let db = dir.path().join("search.db");
        let _ = std::fs::remove_file(&db);
        common::import_log(&log, &db);
        for flags in [&[][..], &["-r"], &["-i"], &["-k", "etc"], &["-m", "PATH"]] {
            failures.extend(common::against_oracle(
                &ausearch,
                "search",
                (&log, &db),
                flags,
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn file_reports_order_rows_and_ties_as_aureport() {
    if common::aureport().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for log in logs(dir.path()) {
        let db = dir.path().join("report.db");
        let _ = std::fs::remove_file(&db);
        common::import_log(&log, &db);
        for flags in [
            &["-f", "-i"][..],
            &["-f", "--summary"],
            &["-f"],
            &["-e"],
            &["-h", "--summary"],
            &[],
        ] {
            failures.extend(common::against_oracle(
                Path::new(AUREPORT),
                "report",
                (&log, &db),
                flags,
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Two logs of different days, imported newest first: the database states
/// the range aureport states over a directory of both (older rotation
/// first), with and without a start time.
#[test]
fn time_ranges_read_an_older_import_first() {
    if common::aureport().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let older = Spec {
        mid_event: true,
        ..Spec::new(400, 6)
    };
    let newer = Spec {
        start: older.start + 86_400,
        ..Spec::new(400, 7)
    };
    std::fs::write(logs.join("audit.log.1"), synth::log(older)).unwrap();
    std::fs::write(logs.join("audit.log"), synth::log(newer)).unwrap();
    let db = dir.path().join("audit.db");
    common::import_log(&logs.join("audit.log"), &db);
    common::import_log(&logs.join("audit.log.1"), &db);
    let mut failures = Vec::new();
    for flags in [
        &[][..],
        &["-ts", "11/15/23", "00:00:00"],
        &["-te", "11/14/23", "23:00:00"],
        &["-ts", "11/14/23", "22:14:00", "-te", "11/15/23", "22:14:00"],
    ] {
        let expected = common::outcome(&common::run_utc_c(
            Path::new(AUREPORT),
            &[&["-if", logs.to_str().unwrap()][..], flags].concat(),
        ));
        let got = common::outcome(&common::run_utc_c(
            Path::new(BIN),
            &[&["report", "--db", db.to_str().unwrap()][..], flags].concat(),
        ));
        if got != expected {
            failures.push(format!(
                "{flags:?}:\n{}",
                common::first_difference("aureport", &expected.0, &got.0)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
