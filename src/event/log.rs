//! Grouping the records of an auditd log into events, by the log's own
//! clock: an event ends at its EOE, at once for a single-record type, or
//! once records stamped `timeout` later than its last one have been read
//! (auparse's rule, so that a log whose records of one serial are far
//! apart groups as ausearch groups it).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::{Assembler, Event, Release};
use crate::record::{EventId, Record};

/// How far the log's clock must move past an event to close it.
pub const LOG_TIMEOUT: Duration = Duration::from_secs(2);

pub struct LogEvents<I> {
    records: I,
    assembler: Assembler,
    start: Instant,
    first_ms: Option<i64>,
    newest_ms: i64,
    release: Release,
    ready: VecDeque<Event>,
    done: bool,
}

impl<I: Iterator<Item = Record>> LogEvents<I> {
    pub fn new(records: I) -> LogEvents<I> {
        LogEvents {
            records,
            assembler: Assembler::new(LOG_TIMEOUT),
            start: Instant::now(),
            first_ms: None,
            newest_ms: 0,
            release: Release::default(),
            ready: VecDeque::new(),
            done: false,
        }
    }

    /// The log's clock as an `Instant`: the newest record time read so far.
    fn clock(&mut self, record: &Record) -> Instant {
        if record.id != EventId::default() {
            let ms = record.id.time_ms();
            let first = *self.first_ms.get_or_insert(ms);
            self.newest_ms = self.newest_ms.max(ms - first);
        }
        self.start + Duration::from_millis(self.newest_ms.max(0) as u64)
    }
}

impl<I: Iterator<Item = Record>> Iterator for LogEvents<I> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(e) = self.ready.pop_front() {
                return Some(e);
            }
            if self.done {
                return None;
            }
            match self.records.next() {
                Some(record) => {
                    let now = self.clock(&record);
                    for e in self.assembler.expire(now) {
                        self.release.hold(e);
                    }
                    if let Some(e) = self.assembler.push(record, now) {
                        self.release.hold(e);
                    }
                    let oldest = self.assembler.oldest_open();
                    self.ready.extend(self.release.ready(oldest));
                }
                None => {
                    self.done = true;
                    for e in self.assembler.flush().0 {
                        self.release.hold(e);
                    }
                    self.ready.extend(self.release.ready(None));
                }
            }
        }
    }
}
