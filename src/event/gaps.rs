//! Serial-number gaps: records the kernel numbered but that never reached us.
//!
//! The kernel's serial is a u32 counter shared by every event, and events
//! from different CPUs arrive slightly out of order, so a missing serial is
//! only reported once it has stayed missing for a grace period. The counter
//! wraps from 4294967295 to 0; a gap across the wrap is kept as two ranges.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Serials `first..=last` never arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    pub first: u64,
    pub last: u64,
    /// Serials the daemon missed while it was not running: the gap right
    /// after the serial the store held last.
    pub restart: bool,
}

impl Gap {
    pub fn count(&self) -> u64 {
        self.last - self.first + 1
    }
}

pub struct SerialTracker {
    high: Option<u32>,
    /// Missing ranges by first serial: (last serial, when noticed). Ranges
    /// never wrap and never overlap.
    missing: BTreeMap<u32, (u32, Instant)>,
    grace: Duration,
    /// The first serial after the one stored last before this run.
    resumed_at: Option<u32>,
}

impl SerialTracker {
    pub fn new(grace: Duration) -> SerialTracker {
        SerialTracker {
            high: None,
            missing: BTreeMap::new(),
            grace,
            resumed_at: None,
        }
    }

    /// Continues from the serial the store holds last (before a restart):
    /// what is missing between it and the first serial seen now was
    /// missed while no daemon ran.
    pub fn resume_after(&mut self, serial: u64) {
        let s = serial as u32;
        self.high = Some(s);
        self.resumed_at = Some(s.wrapping_add(1));
    }

    pub fn see(&mut self, serial: u64, now: Instant) {
        let s = serial as u32;
        let Some(high) = self.high else {
            self.high = Some(s);
            return;
        };
        let ahead = s.wrapping_sub(high);
        if ahead == 0 {
            return;
        }
        if ahead < 1 << 31 {
            if ahead > 1 {
                self.add(high.wrapping_add(1), s.wrapping_sub(1), now);
            }
            self.high = Some(s);
        } else {
            self.fill(s);
        }
    }

    fn add(&mut self, first: u32, last: u32, now: Instant) {
        if first <= last {
            self.missing.insert(first, (last, now));
        } else {
            self.missing.insert(first, (u32::MAX, now));
            self.missing.insert(0, (last, now));
        }
    }

    /// A late serial arrived: take it out of the range that holds it.
    fn fill(&mut self, s: u32) {
        let Some((&first, &(last, noticed))) = self.missing.range(..=s).next_back() else {
            return;
        };
        if s > last {
            return;
        }
        self.missing.remove(&first);
        if s != first {
            self.missing.insert(first, (s - 1, noticed));
        }
        if s != last {
            self.missing.insert(s + 1, (last, noticed));
        }
    }

    /// Ranges missing for longer than the grace period, now reported.
    pub fn expired(&mut self, now: Instant) -> Vec<Gap> {
        let grace = self.grace;
        let due: Vec<u32> = self
            .missing
            .iter()
            .filter(|(_, (_, t))| now.saturating_duration_since(*t) >= grace)
            .map(|(f, _)| *f)
            .collect();
        due.into_iter()
            .filter_map(|f| {
                self.missing.remove(&f).map(|(l, _)| Gap {
                    first: u64::from(f),
                    last: u64::from(l),
                    restart: self.resumed_at == Some(f),
                })
            })
            .collect()
    }
}
