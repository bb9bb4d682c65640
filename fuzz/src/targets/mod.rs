//! The bodies of the fuzz targets, one module per target.
//!
//! Each target in `fuzz_targets/` is one line that calls `run` here, and
//! the top-level crate's `tests/fuzz_regressions.rs` includes this file and
//! feeds every seed and every crasher kept in `fuzz/seeds/<target>/` and
//! `fuzz/regressions/<target>/` to the same function: CI replays them with
//! plain `cargo test`, no libFuzzer needed. So this code uses nothing but
//! `raudit`, `chrono`, `zstd` and std (the main crate's dependencies too).
//!
//! A target fails by panicking: on a panic inside raudit, and on an
//! assertion here about what raudit promises (every record handed on once,
//! memory bounded, round trips).

pub mod config;
pub mod events;
pub mod frame;
pub mod record;
pub mod rules;
pub mod stream;
pub mod time;

/// A target's body: one input in, a panic when something is wrong.
pub type Body = fn(&[u8]);

/// Every target by name, with its body (the names of `fuzz_targets/`).
pub const TARGETS: &[(&str, Body)] = &[
    ("config", config::run),
    ("log_events", events::run),
    ("netlink_frame", frame::run),
    ("record", record::run),
    ("rules", rules::run),
    ("stream", stream::run),
    ("time", time::run),
];
