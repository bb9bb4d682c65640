//! The fuzz targets' inputs worth keeping, replayed by plain `cargo test`:
//! every seed (`fuzz/seeds/<target>/`), the minimized corpus of a long run
//! (`fuzz/minimized/<target>/`) and every input that once failed a target
//! (`fuzz/regressions/<target>/`) goes through the target's own body,
//! compiled here from the fuzz crate's source. CI so covers the bugs
//! fuzzing found without cargo-fuzz or libFuzzer (see fuzz/README.md).

#[path = "../fuzz/src/targets/mod.rs"]
mod harness;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `fuzz/<kind>/<target>/`, none when it does not exist.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = fuzz_dir().join(kind).join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

/// Runs every kept input of `target`; fails naming each input that panics.
fn replay(target: &str) {
    let (_, run) = harness::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .unwrap_or_else(|| panic!("no fuzz target {target}"));
    let seeds = inputs("seeds", target);
    assert!(!seeds.is_empty(), "fuzz/seeds/{target}/ has no seeds");
    let files = seeds
        .into_iter()
        .chain(inputs("minimized", target))
        .chain(inputs("regressions", target));
    let failed: Vec<String> = files
        .filter(|file| {
            let data = std::fs::read(file).unwrap();
            catch_unwind(AssertUnwindSafe(|| run(&data))).is_err()
        })
        .map(|file| file.display().to_string())
        .collect();
    assert!(
        failed.is_empty(),
        "{target} fails on:\n{}",
        failed.join("\n")
    );
}

#[test]
fn netlink_frame_inputs() {
    replay("netlink_frame");
}

#[test]
fn record_inputs() {
    replay("record");
}

#[test]
fn log_events_inputs() {
    replay("log_events");
}

#[test]
fn stream_inputs() {
    replay("stream");
}

#[test]
fn rules_inputs() {
    replay("rules");
}

#[test]
fn time_inputs() {
    replay("time");
}

#[test]
fn config_inputs() {
    replay("config");
}

/// Each target has a binary in fuzz/fuzz_targets/ and a test above, and
/// every directory of kept inputs belongs to a target.
#[test]
fn targets_binaries_and_inputs_agree() {
    let mut names: Vec<&str> = harness::TARGETS.iter().map(|(n, _)| *n).collect();
    names.sort_unstable();
    let mut binaries: Vec<String> = std::fs::read_dir(fuzz_dir().join("fuzz_targets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_string()))
        .collect();
    binaries.sort_unstable();
    assert_eq!(binaries, names);
    let this = include_str!("fuzz_regressions.rs");
    for name in &names {
        assert!(
            this.contains(&format!("replay(\"{name}\")")),
            "no test replays {name}"
        );
    }
    for kind in ["seeds", "minimized", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz_dir().join(kind)) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            if path.is_dir() {
                let dir = path.file_name().unwrap().to_str().unwrap().to_string();
                assert!(
                    names.contains(&dir.as_str()),
                    "{kind}/{dir}: no such target"
                );
            }
        }
    }
}
