//! Grouping records into events.
//!
//! The kernel stamps every record of one event with the same
//! `audit(SEC.MSEC:SERIAL)`. Records raised inside a syscall end with EOE;
//! user-space and daemon messages are events by themselves; an event whose
//! EOE never comes (a record raised outside a syscall, or a lost EOE) is
//! closed after a timeout.

mod gaps;
mod log;
mod release;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::record::{types, EventId, Record};
pub use gaps::{Gap, SerialTracker};
pub use log::{LogEvents, LOG_TIMEOUT};
pub use release::Release;

/// A complete event: its records in arrival order, EOE excluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: EventId,
    pub node: Option<String>,
    pub records: Vec<Record>,
}

impl Event {
    pub fn has_type(&self, rtype: u32) -> bool {
        self.records.iter().any(|r| r.rtype == rtype)
    }

    pub fn first(&self, rtype: u32) -> Option<&Record> {
        self.records.iter().find(|r| r.rtype == rtype)
    }
}

type Key = (Option<String>, EventId);

struct Open {
    event: Event,
    touched: Instant,
    /// Arrival order of the event's first record: completed events leave
    /// in the order they began, as in a log.
    seq: u64,
}

pub struct Assembler {
    open: HashMap<Key, Open>,
    timeout: Duration,
    serials: SerialTracker,
    next_seq: u64,
}

impl Assembler {
    /// `timeout`: how long an event may wait for its EOE.
    pub fn new(timeout: Duration) -> Assembler {
        Assembler {
            open: HashMap::new(),
            timeout,
            serials: SerialTracker::new(timeout * 2),
            next_seq: 0,
        }
    }

    /// Adds a record; returns the events it completes.
    pub fn push(&mut self, record: Record, now: Instant) -> Option<Event> {
        if record.id == EventId::default() && record.error().is_some() {
            // No usable stamp: keep it, alone, rather than guess its event.
            return Some(single(record));
        }
        if record.node.is_none() {
            self.serials.see(record.id.serial, now);
        }
        let key = (record.node.clone(), record.id);
        if record.rtype == types::EOE {
            return self.open.remove(&key).map(|o| o.event);
        }
        if types::is_single_record(record.rtype) && !self.open.contains_key(&key) {
            return Some(single(record));
        }
        let seq = self.next_seq;
        let open = self.open.entry(key.clone()).or_insert_with(|| Open {
            event: Event {
                id: record.id,
                node: record.node.clone(),
                records: Vec::new(),
            },
            touched: now,
            seq,
        });
        if open.seq == seq {
            self.next_seq += 1;
        }
        open.touched = now;
        let last = types::ends_event(record.rtype);
        open.event.records.push(record);
        if last {
            return self.open.remove(&key).map(|o| o.event);
        }
        None
    }

    /// Events that waited longer than the timeout for their EOE.
    pub fn expire(&mut self, now: Instant) -> Vec<Event> {
        let timeout = self.timeout;
        let stale: Vec<Key> = self
            .open
            .iter()
            .filter(|(_, o)| now.duration_since(o.touched) >= timeout)
            .map(|(k, _)| k.clone())
            .collect();
        let mut out: Vec<Open> = stale
            .into_iter()
            .filter_map(|k| self.open.remove(&k))
            .collect();
        out.sort_by_key(|o| o.seq);
        out.into_iter().map(|o| o.event).collect()
    }

    /// Serial ranges that stayed missing past the grace period.
    pub fn gaps(&mut self, now: Instant) -> Vec<Gap> {
        self.serials.expired(now)
    }

    /// Everything still open, at shutdown; and every gap still pending.
    pub fn flush(&mut self) -> (Vec<Event>, Vec<Gap>) {
        let mut out: Vec<Open> = self.open.drain().map(|(_, o)| o).collect();
        out.sort_by_key(|o| o.seq);
        (
            out.into_iter().map(|o| o.event).collect(),
            self.serials
                .expired(Instant::now() + Duration::from_secs(3600)),
        )
    }

    /// The oldest event still being assembled.
    pub fn oldest_open(&self) -> Option<EventId> {
        self.open.keys().map(|(_, id)| *id).min()
    }

    pub fn open_count(&self) -> usize {
        self.open.len()
    }
}

fn single(record: Record) -> Event {
    Event {
        id: record.id,
        node: record.node.clone(),
        records: vec![record],
    }
}

#[cfg(test)]
mod tests;
