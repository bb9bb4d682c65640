//! Grouping records into events.
//!
//! The kernel stamps every record of one event with the same
//! `audit(SEC.MSEC:SERIAL)`. Records raised inside a syscall end with EOE;
//! user-space and daemon messages are events by themselves; an event whose
//! EOE never comes (a record raised outside a syscall, or a lost EOE) is
//! closed after a timeout.

mod gaps;
mod log;
mod stream;

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::record::{types, EventId, MessageType, Record};
pub use gaps::{Gap, SerialTracker};
pub use log::{single_record, EventList, LogEvents, LOG_TIMEOUT};
pub use stream::{Limits, Note, PieceKind, PieceRef, Stream};

/// A complete event: its records in arrival order, EOE excluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: EventId,
    pub node: Option<String>,
    pub records: Vec<Record>,
}

impl Event {
    pub fn has_type(&self, rtype: MessageType) -> bool {
        self.records.iter().any(|r| r.rtype == rtype)
    }

    pub fn first(&self, rtype: MessageType) -> Option<&Record> {
        self.records.iter().find(|r| r.rtype == rtype)
    }

    /// Every rule key of the event, in the order first seen: the `key=`
    /// fields, several joined by \x01 in one.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        for k in self.records.iter().filter_map(|r| r.text_of("key")) {
            for k in k.split(crate::wire::KEY_SEPARATOR) {
                if !k.is_empty() && !keys.iter().any(|have| have == k) {
                    keys.push(k.to_string());
                }
            }
        }
        keys
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
    /// Open events by the time they were touched, oldest first; an entry
    /// is stale once its event was touched again or closed. With
    /// `by_id`, nothing scans every open event per record (a log whose
    /// events never close would take quadratic time).
    by_touch: VecDeque<(Instant, u64, Key)>,
    /// The ids of the open events, with their seq.
    by_id: BTreeSet<(EventId, u64)>,
    timeout: Duration,
    serials: SerialTracker,
    next_seq: u64,
}

impl Assembler {
    /// `timeout`: how long an event may wait for its EOE.
    pub fn new(timeout: Duration) -> Assembler {
        Assembler {
            open: HashMap::new(),
            by_touch: VecDeque::new(),
            by_id: BTreeSet::new(),
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
            return self.close(&key);
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
            self.by_id.insert((record.id, seq));
        }
        if open.touched != now || open.seq == seq {
            self.by_touch.push_back((now, open.seq, key.clone()));
        }
        open.touched = now;
        let last = types::ends_event(record.rtype);
        open.event.records.push(record);
        if last {
            return self.close(&key);
        }
        None
    }

    fn close(&mut self, key: &Key) -> Option<Event> {
        let open = self.open.remove(key)?;
        self.by_id.remove(&(open.event.id, open.seq));
        Some(open.event)
    }

    /// Events that waited longer than the timeout for their EOE, in the
    /// order they began.
    pub fn expire(&mut self, now: Instant) -> Vec<Event> {
        let mut out: Vec<Open> = Vec::new();
        while let Some((at, _, _)) = self.by_touch.front() {
            if now.saturating_duration_since(*at) < self.timeout {
                break;
            }
            let (at, seq, key) = self.by_touch.pop_front().expect("front");
            let live = self
                .open
                .get(&key)
                .is_some_and(|o| o.seq == seq && o.touched == at);
            if live {
                let open = self.open.remove(&key).expect("live");
                self.by_id.remove(&(open.event.id, open.seq));
                out.push(open);
            }
        }
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
        self.by_id.clear();
        self.by_touch.clear();
        out.sort_by_key(|o| o.seq);
        (
            out.into_iter().map(|o| o.event).collect(),
            self.serials
                .expired(Instant::now() + Duration::from_secs(3600)),
        )
    }

    /// The oldest event still being assembled.
    pub fn oldest_open(&self) -> Option<EventId> {
        self.by_id.first().map(|(id, _)| *id)
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
