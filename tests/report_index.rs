//! Summaries from the indexes, differentially: `raudit report --summary`
//! over a database counts events alike from its shape index and reads only
//! the others (src/report/indexed.rs); over a log (`-if`) it reads every
//! event. On synthetic logs of a busy machine (many events of each shape,
//! some shapes read event by event: file names, socket addresses, AVCs,
//! user messages), every summary must print what aureport 3.0.9 prints and
//! what reading every event prints, with -i, --failed, --success, -nc,
//! --node and time windows. TZ=UTC and LC_ALL=C, as aureport's dates need.

mod common;

use common::synth::{self, Spec};

const VARIANTS: &[&[&str]] = &[
    &["--summary"],
    &["--summary", "-i"],
    &["--summary", "--failed"],
    &["--summary", "--success"],
    &["--summary", "-nc"],
];

/// Flags tried with the overall, key and file summaries only.
const FILTERS: &[&[&str]] = &[
    &["--node", "alpha"],
    &["-ts", "11/14/23", "22:20:00"],
    &["-ts", "11/14/23", "22:18:00", "-te", "11/14/23", "22:25:00"],
];

#[test]
fn summaries_from_the_indexes_print_what_aureport_and_a_full_read_print() {
    let Some(aureport) = common::aureport() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("busy.log");
    let spec = Spec {
        nodes: true,
        late: 50,
        ..Spec::new(1200, 11)
    };
    std::fs::write(&log, synth::log(spec)).unwrap();
    let db = dir.path().join("busy.db");
    common::import_log(&log, &db);
    // Every report with a summary form (-t has none), then a few with
    // nodes and time windows.
    let mut cases: Vec<Vec<&str>> = Vec::new();
    for report in common::REPORTS.iter().filter(|r| **r != ["-t"]) {
        cases.extend(VARIANTS.iter().map(|v| [*report, *v].concat()));
    }
    for report in [&[][..], &["-k", "--summary"], &["-f", "--summary"]] {
        cases.extend(FILTERS.iter().map(|f| [report, *f].concat()));
    }
    let compared = cases.len();
    let failures: Vec<String> = cases
        .iter()
        .flat_map(|flags| common::against_oracle(&aureport, "report", (&log, &db), flags))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {compared} summaries differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
