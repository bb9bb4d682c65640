//! Grouping the records of an auditd log into events as ausearch and
//! aureport group them (ausearch-lol.c), so that an imported log is stored,
//! searched and reported in the order those tools print it.
//!
//! A record joins the event being built under its stamp and node; any
//! other record starts an event (a stray EOE is dropped). An event is
//! complete when a record starting another event is stamped at least
//! [`LOG_TIMEOUT`] after it, or at once when its first record is of a
//! single-record type; EOE does not complete it, so records of its stamp
//! read later still join it. Events leave oldest stamp first, and only
//! when the oldest of all those held is complete: an event whose records
//! arrive after later events, or that began in the previous file, keeps
//! the later ones waiting. Equal stamps (other nodes) leave in the order
//! of ausearch's array slots, the lowest free slot taken first.
//!
//! ausearch scans every held event per record; here each step is a lookup
//! in an index, so a log of a million interleaved events takes linear time.
//!
//! Memory is bounded where ausearch's is not: at most [`MAX_HELD`] events
//! are held. A log whose events never complete (records that share one
//! second and never see a record two seconds newer, as a flood of SYSCALL
//! records without EOE does) would otherwise hold them all; past the cap
//! the oldest event held is completed early and leaves, so such a log is
//! read in constant memory. ausearch would keep it whole and print it in
//! the same order: only records of that event read later differ (they
//! start an event of their own), and no real log holds that many events
//! open at once.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::Duration;

use super::Event;
use crate::record::{types, EventId, MessageType, Record};

/// How far the log's clock must move past an event to complete it.
pub const LOG_TIMEOUT: Duration = Duration::from_secs(2);

/// The most events held at once (see the module's documentation).
pub const MAX_HELD: usize = 65_536;

/// ausearch-lol's types that make an event of one record (judged by the
/// event's first record).
pub fn single_record(t: MessageType) -> bool {
    t == types::PROCTITLE
        || !(types::SYSCALL..types::FIRST_USER_MSG2).contains(&t)
        || t == types::KERNEL
        || (types::MAC_UNLBL_ALLOW..=types::MAC_CALIPSO_DEL).contains(&t)
}

struct Slot {
    event: Event,
    complete: bool,
}

type Key = (Option<String>, EventId);

/// ausearch's list of events being built.
pub struct EventList {
    /// The most events held at once.
    cap: usize,
    /// ausearch's array: the slot index breaks ties between equal stamps.
    slots: Vec<Option<Slot>>,
    /// Empty slots, lowest first.
    free: BTreeSet<usize>,
    /// The events still building, by stamp and node.
    building: HashMap<Key, usize>,
    /// The events still building, by their second (to complete by time).
    by_sec: BTreeSet<(i64, usize)>,
    /// Every event held, by stamp then slot: the first one leaves next.
    order: BTreeSet<(EventId, usize)>,
}

impl Default for EventList {
    fn default() -> EventList {
        EventList::with_cap(MAX_HELD)
    }
}

impl EventList {
    /// A list holding at most `cap` events (at least one).
    pub fn with_cap(cap: usize) -> EventList {
        EventList {
            cap: cap.max(1),
            slots: Vec::new(),
            free: BTreeSet::new(),
            building: HashMap::new(),
            by_sec: BTreeSet::new(),
            order: BTreeSet::new(),
        }
    }

    /// Adds a record; `false` when it was dropped (a stray EOE).
    pub fn add(&mut self, record: Record) -> bool {
        let key = (record.node.clone(), record.id);
        if let Some(&i) = self.building.get(&key) {
            if record.rtype != types::EOE {
                if let Some(slot) = self.slots[i].as_mut() {
                    slot.event.records.push(record);
                }
            }
            return true;
        }
        if record.rtype == types::EOE {
            return false;
        }
        let sec = record.id.sec;
        let single = single_record(record.rtype);
        let i = self.free.pop_first().unwrap_or(self.slots.len());
        let slot = Slot {
            event: Event {
                id: record.id,
                node: record.node.clone(),
                records: vec![record],
            },
            complete: single,
        };
        if i == self.slots.len() {
            self.slots.push(Some(slot));
        } else {
            self.slots[i] = Some(slot);
        }
        self.order.insert((key.1, i));
        if !single {
            self.building.insert(key, i);
            self.by_sec.insert((sec, i));
        }
        self.complete_before(sec.saturating_sub(LOG_TIMEOUT.as_secs() as i64));
        self.bound();
        true
    }

    /// Completes the oldest event held while more than the cap are held:
    /// it leaves at once (it is the first in order), and with it every
    /// completed event it kept waiting. Callers take the ready events
    /// before adding a record, so the oldest is still building here.
    fn bound(&mut self) {
        while self.order.len() > self.cap {
            let Some(&(id, i)) = self.order.first() else {
                return;
            };
            if self.slots[i].as_ref().is_none_or(|s| s.complete) {
                return;
            }
            self.by_sec.remove(&(id.sec, i));
            self.finish(i);
        }
    }

    /// Completes the events stamped at or before `sec`.
    fn complete_before(&mut self, sec: i64) {
        while let Some(&(s, i)) = self.by_sec.first() {
            if s > sec {
                break;
            }
            self.by_sec.pop_first();
            self.finish(i);
        }
    }

    fn finish(&mut self, i: usize) {
        if let Some(slot) = self.slots[i].as_mut() {
            slot.complete = true;
            self.building
                .remove(&(slot.event.node.clone(), slot.event.id));
        }
    }

    /// Completes every event (the end of the last log).
    pub fn terminate(&mut self) {
        for (_, i) in std::mem::take(&mut self.by_sec) {
            self.finish(i);
        }
    }

    /// The oldest event held, if it is complete.
    pub fn take_ready(&mut self) -> Option<Event> {
        let &(id, i) = self.order.first()?;
        if !self.slots[i].as_ref()?.complete {
            return None;
        }
        self.order.remove(&(id, i));
        self.free.insert(i);
        self.slots[i].take().map(|s| s.event)
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// How many events are held.
    pub fn len(&self) -> usize {
        self.order.len()
    }
}

/// The events of a log's records, in the order ausearch prints them.
pub struct LogEvents<I> {
    records: I,
    list: EventList,
    ready: VecDeque<Event>,
    done: bool,
}

impl<I: Iterator<Item = Record>> LogEvents<I> {
    pub fn new(records: I) -> LogEvents<I> {
        LogEvents {
            records,
            list: EventList::default(),
            ready: VecDeque::new(),
            done: false,
        }
    }
}

impl<I: Iterator<Item = Record>> Iterator for LogEvents<I> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(e) = self.list.take_ready() {
                return Some(e);
            }
            if let Some(e) = self.ready.pop_front() {
                return Some(e);
            }
            if self.done {
                return None;
            }
            match self.records.next() {
                // No usable stamp: kept alone rather than guessed into an
                // event (ausearch skips such a line).
                Some(r) if r.id == EventId::default() && r.error().is_some() => {
                    self.ready.push_back(Event {
                        id: r.id,
                        node: r.node.clone(),
                        records: vec![r],
                    });
                }
                Some(r) => {
                    self.list.add(r);
                }
                None => {
                    self.done = true;
                    self.list.terminate();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::parse_log_line;

    /// The stamps of the events of these records, in the order they leave.
    fn order(lines: &[&str]) -> Vec<(u64, usize)> {
        LogEvents::new(lines.iter().map(|l| parse_log_line(l)))
            .map(|e| (e.id.serial, e.records.len()))
            .collect()
    }

    const A: &str = "type=SYSCALL msg=audit(100.100:1): syscall=2";
    const A_PATH: &str = "type=PATH msg=audit(100.100:1): item=0 name=\"/a\"";
    const B: &str = "type=SYSCALL msg=audit(100.200:2): syscall=2";
    const B_PATH: &str = "type=PATH msg=audit(100.200:2): item=0 name=\"/b\"";

    #[test]
    fn an_event_written_late_still_leaves_in_stamp_order() {
        // 1 was stamped first (at syscall entry) but written after 2.
        assert_eq!(order(&[B, B_PATH, A, A_PATH]), [(1, 2), (2, 2)]);
    }

    #[test]
    fn records_of_an_event_join_it_until_two_seconds_pass() {
        let eoe = "type=EOE msg=audit(100.100:1): ";
        let later = "type=SYSCALL msg=audit(102.100:3): syscall=2";
        let late = "type=PATH msg=audit(100.100:1): item=1 name=\"/late\"";
        // EOE does not end 1: its PATH read after 2 joins it. Once 3 (two
        // seconds on) starts, 1 and 2 are complete and leave; a record of 1
        // read after that starts an event of its own, which leaves before
        // 3 (ausearch 3.0.9 prints this log in this order).
        assert_eq!(
            order(&[A, eoe, B, A_PATH, later, late]),
            [(1, 2), (2, 1), (1, 1), (3, 1)]
        );
    }

    #[test]
    fn single_record_types_complete_at_once_and_stray_eoe_is_dropped() {
        let login = "type=USER_LOGIN msg=audit(99.000:5): pid=1 res=success";
        let title = "type=PROCTITLE msg=audit(100.000:4): proctitle=6C73";
        let stray = "type=EOE msg=audit(100.000:4): ";
        // The PROCTITLE that starts a log (the rest of an event of the
        // last file) is an event of one record, complete at once: it leaves
        // before the login stamped earlier is read; the EOE after it joins
        // nothing (ausearch 3.0.9 prints this log in this order).
        assert_eq!(order(&[title, stray, login, A]), [(4, 1), (5, 1), (1, 1)]);
    }

    #[test]
    fn equal_stamps_of_two_nodes_leave_by_slot() {
        let one = "node=b type=SYSCALL msg=audit(100.100:1): syscall=2";
        let two = "node=a type=SYSCALL msg=audit(100.100:1): syscall=2";
        let old = "type=SYSCALL msg=audit(98.000:8): syscall=2";
        let nodes = |lines: &[&str]| -> Vec<Option<String>> {
            LogEvents::new(lines.iter().map(|l| parse_log_line(l)))
                .map(|e| e.node)
                .collect()
        };
        let (a, b) = (Some("a".to_string()), Some("b".to_string()));
        assert_eq!(nodes(&[one, two]), [b.clone(), a.clone()]);
        // Node b's event completes the older one, which leaves and frees
        // slot 0: node a's event takes it, below node b's.
        assert_eq!(nodes(&[old, one, two]), [None, a, b]);
    }

    #[test]
    fn a_flood_of_events_that_never_complete_is_held_within_the_cap() {
        // Records of one second that never see a later one: ausearch holds
        // every event; the list holds at most its cap, completing the
        // oldest early, and the events still leave in stamp order.
        let mut list = EventList::with_cap(8);
        let mut left = Vec::new();
        for serial in 1..=1000 {
            let line = format!("type=SYSCALL msg=audit(100.100:{serial}): syscall=2");
            assert!(list.add(parse_log_line(&line)));
            while let Some(e) = list.take_ready() {
                left.push(e.id.serial);
            }
            assert!(list.len() <= 8, "{} held after {serial}", list.len());
        }
        assert_eq!(left, (1..=992).collect::<Vec<u64>>());
        list.terminate();
        while let Some(e) = list.take_ready() {
            left.push(e.id.serial);
        }
        assert_eq!(left, (1..=1000).collect::<Vec<u64>>());
        assert!(list.is_empty());
    }

    #[test]
    fn completed_events_waiting_behind_an_open_one_count_against_the_cap() {
        // 1 never completes; 2.. are single-record events stamped after
        // it, complete but kept waiting for it. Past the cap 1 is completed
        // early and everything behind it leaves.
        let mut list = EventList::with_cap(4);
        list.add(parse_log_line(A));
        for serial in 2..=5 {
            let line = format!("type=USER_LOGIN msg=audit(100.500:{serial}): pid=1 res=success");
            list.add(parse_log_line(&line));
        }
        let mut left = Vec::new();
        while let Some(e) = list.take_ready() {
            left.push(e.id.serial);
        }
        assert_eq!(left, [1, 2, 3, 4, 5]);
        assert!(list.is_empty());
    }
}
