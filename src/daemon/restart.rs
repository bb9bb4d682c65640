//! What a starting daemon compares with the store, so that what happened
//! while no daemon ran (a crash, a kill -9, a stop) is written down: the
//! serials the kernel numbered meanwhile, the events a killed daemon had
//! received but not stored, and the growth of the kernel's lost counter.
//! Only within one boot: serials and the counter start over at boot.

use rusqlite::types::Value;

use crate::store::Writer;
use crate::wire::status::AuditStatus;

use super::pipeline::Pipeline;

/// How far back a start looks for serials a killed daemon had not stored:
/// records arrive slightly out of serial order, never this far.
const TAIL: u64 = 10_000;

/// What the store says of the previous run on this boot.
#[derive(Debug, Default)]
pub struct Previous {
    boot_id: Option<String>,
    last_serial: Option<u64>,
    kernel_lost: Option<u32>,
    /// Serials below the last one that the previous run neither stored nor
    /// recorded as lost.
    unrecorded: Vec<(u64, u64)>,
}

/// This boot's id, from the kernel.
pub fn boot_id() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .ok()
        .map(|s| s.trim().to_string())
}

/// When this boot began, in ms since the epoch (from /proc/stat).
fn boot_ms() -> i64 {
    std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("btime "))
                .and_then(|v| v.trim().parse::<i64>().ok())
        })
        .map_or(0, |s| s * 1000)
}

fn int(v: Option<Value>) -> Option<i64> {
    match v {
        Some(Value::Integer(i)) => Some(i),
        _ => None,
    }
}

impl Previous {
    /// Reads the state of the previous run, if it ran on this boot.
    pub fn read(store: &Writer, node: Option<&str>) -> Previous {
        let now = boot_id();
        let state = |k: &str| store.state(k).ok().flatten();
        let same_boot = match (state("boot_id"), &now) {
            (Some(Value::Text(stored)), Some(now)) => stored == *now,
            _ => false,
        };
        if !same_boot {
            return Previous {
                boot_id: now,
                ..Previous::default()
            };
        }
        let last_serial = int(state("last_serial")).map(|s| s as u64);
        let unrecorded = last_serial
            .map(|last| {
                store
                    .unrecorded_serials(last.saturating_sub(TAIL), last, node, boot_ms())
                    .unwrap_or_else(|e| {
                        eprintln!("raudit daemon: looking for serials the last run missed: {e}");
                        Vec::new()
                    })
            })
            .unwrap_or_default();
        Previous {
            boot_id: now,
            last_serial,
            kernel_lost: int(state("kernel_lost")).map(|n| n as u32),
            unrecorded,
        }
    }

    /// Records what the previous run missed, and starts this one's state.
    pub fn apply(self, pipeline: &mut Pipeline, found: &AuditStatus) {
        for (first, last) in &self.unrecorded {
            pipeline.loss(
                "restart",
                Some((*first, *last)),
                last - first + 1,
                &format!(
                    "serials {first}..={last} were received by the last daemon but not stored: it stopped without finishing (killed or crashed)"
                ),
            );
        }
        if let Some(last) = self.last_serial {
            pipeline.resume_after(last);
        }
        if let Some(before) = self.kernel_lost.filter(|b| found.lost > *b) {
            pipeline.loss(
                "kernel_lost",
                None,
                u64::from(found.lost - before),
                &format!(
                    "kernel lost counter rose from {before} to {} while no raudit daemon ran",
                    found.lost
                ),
            );
        }
        if let Some(id) = self.boot_id {
            pipeline.set_state("boot_id", Value::Text(id));
        }
        pipeline.set_state("kernel_lost", Value::Integer(i64::from(found.lost)));
    }
}
