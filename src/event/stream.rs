//! The daemon's assembler: records in, events out in pieces, at once.
//!
//! Every record is handed on with the next flush (the end of the reader's
//! batch), whatever state its event is in: the first piece of an event
//! makes it searchable, later pieces join it, and its last piece (EOE,
//! PROCTITLE, a single-record type, or the timeout) says it is complete.
//! No event waits for another. Pieces leave in the order of each event's
//! first record, which is the order an auditd log holds them in.
//!
//! Memory is bounded: at most `max_open` events are open at once (past
//! that the least recently touched is completed early, and a record that
//! arrives for it later joins it as a late piece), and an event keeps at
//! most `max_records` records (the rest are counted, not kept).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::gaps::{Gap, SerialTracker};
use crate::record::{types, EventId, Record};

/// How a piece relates to its event (mirrors the store's row parts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceKind {
    /// The event's first records.
    First,
    /// More records of an event that already has a piece out.
    More,
    /// Records of an event completed earlier (by timeout or early).
    Late,
    /// No new records; the event is complete (its timeout passed).
    Close,
}

/// One piece of an event, with the state the consumer keeps per event.
pub struct PieceRef<'a, S> {
    pub token: u64,
    pub id: EventId,
    pub node: Option<&'a str>,
    pub kind: PieceKind,
    /// More records may still join the event.
    pub open: bool,
    pub records: Vec<Record>,
    pub state: &'a mut S,
}

/// What the assembler noticed that is not an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Records of one event beyond the limit, not kept.
    Truncated { id: EventId, dropped: u64 },
    /// Events completed before their EOE because too many were open.
    ClosedEarly {
        count: u64,
        first: EventId,
        last: EventId,
    },
    /// Serials that never arrived.
    Gap(Gap),
}

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long an event waits for its EOE.
    pub timeout: Duration,
    pub max_open: usize,
    pub max_records: usize,
}

type Key = (Option<String>, EventId);

struct Open<S> {
    token: u64,
    pending: Vec<Record>,
    records: usize,
    touched: Instant,
    /// A piece of it has been handed on.
    out: bool,
    /// Its first piece joins an event completed earlier.
    late: bool,
    truncated: u64,
    state: S,
}

/// A completed event waiting for the flush.
struct Done<S> {
    key: Key,
    open: Open<S>,
}

pub struct Stream<S> {
    open: foldhash::HashMap<Key, Open<S>>,
    /// Open events by the time they were last touched, oldest first; an
    /// entry is stale once its event was touched again or completed.
    by_touch: VecDeque<(Instant, u64, Key)>,
    /// Events with new records since the last flush, by token.
    touched: Vec<(u64, Key)>,
    done: Vec<Done<S>>,
    /// Events completed by their timeout or early: a record for one of
    /// them joins it late. Bounded: the oldest are forgotten.
    closed: foldhash::HashMap<Key, Instant>,
    closed_order: VecDeque<Key>,
    notes: Vec<Note>,
    serials: SerialTracker,
    limits: Limits,
    next_token: u64,
}

/// How many completed-early events are remembered for late records.
const REMEMBERED: usize = 16_384;

impl<S: Default> Stream<S> {
    pub fn new(limits: Limits) -> Stream<S> {
        Stream {
            open: Default::default(),
            by_touch: VecDeque::new(),
            touched: Vec::new(),
            done: Vec::new(),
            closed: Default::default(),
            closed_order: VecDeque::new(),
            notes: Vec::new(),
            serials: SerialTracker::new(limits.timeout * 2),
            limits,
            next_token: 1,
        }
    }

    /// The serial stored last before this run (same boot): the first gap
    /// after it is what the previous run missed.
    pub fn resume_after(&mut self, serial: u64) {
        self.serials.resume_after(serial);
    }

    pub fn open_count(&self) -> usize {
        self.open.len()
    }

    /// Takes one record.
    pub fn push(&mut self, record: Record, now: Instant) {
        if record.node.is_none() && record.id != EventId::default() {
            self.serials.see(record.id.serial, now);
        }
        let key = (record.node.clone(), record.id);
        if record.rtype == types::EOE {
            if let Some(open) = self.open.remove(&key) {
                self.complete(key, open);
            }
            return;
        }
        let ends = types::ends_event(record.rtype);
        if let Some(open) = self.open.get_mut(&key) {
            if open.pending.is_empty() {
                self.touched.push((open.token, key.clone()));
            }
            open.touched = now;
            if open.records >= self.limits.max_records {
                open.truncated += 1;
            } else {
                open.records += 1;
                open.pending.push(record);
            }
            if ends {
                let open = self.open.remove(&key).expect("present");
                self.complete(key, open);
            }
            return;
        }
        // The event's first record. One with no usable stamp, or of a type
        // that is an event by itself, completes it at once.
        let unstamped = record.id == EventId::default() && record.error().is_some();
        let alone = types::is_single_record(record.rtype) || unstamped;
        if !alone && !ends {
            self.make_room(now);
        }
        let mut open = self.new_open(&key, now);
        open.pending.push(record);
        open.records = 1;
        if alone || ends {
            self.complete(key, open);
        } else {
            self.touched.push((open.token, key.clone()));
            self.open.insert(key, open);
        }
    }

    fn new_open(&mut self, key: &Key, now: Instant) -> Open<S> {
        let token = self.next_token;
        self.next_token += 1;
        let late = self.closed.remove(key).is_some();
        Open {
            token,
            pending: Vec::new(),
            records: 0,
            touched: now,
            out: false,
            late,
            truncated: 0,
            state: S::default(),
        }
    }

    fn complete(&mut self, key: Key, open: Open<S>) {
        if open.truncated > 0 {
            self.notes.push(Note::Truncated {
                id: key.1,
                dropped: open.truncated,
            });
        }
        self.done.push(Done { key, open });
    }

    /// Completes the least recently touched events while too many are open.
    fn make_room(&mut self, now: Instant) {
        let mut early: Option<(u64, EventId, EventId)> = None;
        while self.open.len() >= self.limits.max_open {
            let Some(key) = self.oldest_live() else {
                break;
            };
            let open = self.open.remove(&key).expect("live");
            let id = key.1;
            early = Some(match early {
                Some((n, first, _)) => (n + 1, first, id),
                None => (1, id, id),
            });
            self.remember_closed(key.clone(), now);
            self.complete(key, open);
        }
        if let Some((count, first, last)) = early {
            self.notes.push(Note::ClosedEarly { count, first, last });
        }
    }

    /// The key of the open event touched longest ago, its entry popped.
    fn oldest_live(&mut self) -> Option<Key> {
        while let Some((at, token, key)) = self.by_touch.pop_front() {
            if let Some(open) = self.open.get(&key) {
                if open.token == token && open.touched == at {
                    return Some(key);
                }
            }
        }
        None
    }

    fn remember_closed(&mut self, key: Key, now: Instant) {
        if self.closed.insert(key.clone(), now).is_none() {
            self.closed_order.push_back(key);
        }
        while self.closed_order.len() > REMEMBERED {
            if let Some(old) = self.closed_order.pop_front() {
                self.closed.remove(&old);
            }
        }
    }

    /// Completes the events that waited longer than the timeout, and
    /// reports serial gaps that outlived their grace period.
    pub fn tick(&mut self, now: Instant) {
        while let Some((at, token, key)) = self.by_touch.front().cloned() {
            if now.saturating_duration_since(at) < self.limits.timeout {
                break;
            }
            self.by_touch.pop_front();
            let live = self
                .open
                .get(&key)
                .is_some_and(|o| o.token == token && o.touched == at);
            if live {
                let open = self.open.remove(&key).expect("live");
                self.remember_closed(key.clone(), now);
                self.complete(key, open);
            }
        }
        for g in self.serials.expired(now) {
            self.notes.push(Note::Gap(g));
        }
    }

    /// Hands on every piece since the last flush, in the order of each
    /// event's first record; `each` gets the event's state with it.
    pub fn flush(&mut self, mut each: impl FnMut(PieceRef<'_, S>)) {
        enum Source {
            Open(Key),
            Done(usize),
        }
        let mut order: Vec<(u64, Source)> =
            Vec::with_capacity(self.touched.len() + self.done.len());
        for (token, key) in self.touched.drain(..) {
            if self.open.get(&key).is_some_and(|o| o.token == token) {
                order.push((token, Source::Open(key)));
            }
        }
        for (i, d) in self.done.iter().enumerate() {
            order.push((d.open.token, Source::Done(i)));
        }
        order.sort_unstable_by_key(|(token, _)| *token);
        let mut done: Vec<Option<Done<S>>> = self.done.drain(..).map(Some).collect();
        for (_, source) in order {
            match source {
                Source::Open(key) => {
                    let open = self.open.get_mut(&key).expect("checked");
                    self.by_touch
                        .push_back((open.touched, open.token, key.clone()));
                    // Touched only by records beyond `max_records` (counted,
                    // not kept), each of which listed it again: there is
                    // nothing to hand on, and an empty piece of an open
                    // event would read as its `Close`.
                    if open.pending.is_empty() {
                        continue;
                    }
                    each(piece(&key, open, true));
                    open.out = true;
                    open.late = false;
                }
                Source::Done(i) => {
                    let Done { key, mut open } = done[i].take().expect("once");
                    each(piece(&key, &mut open, false));
                }
            }
        }
    }

    /// Notes since the last call.
    pub fn take_notes(&mut self) -> Vec<Note> {
        std::mem::take(&mut self.notes)
    }

    /// At shutdown: every open event completes, and every pending gap is
    /// reported.
    pub fn finish(&mut self) {
        let keys: Vec<Key> = self.open.keys().cloned().collect();
        let mut opens: Vec<(Key, Open<S>)> = keys
            .into_iter()
            .filter_map(|k| self.open.remove(&k).map(|o| (k, o)))
            .collect();
        opens.sort_unstable_by_key(|(_, o)| o.token);
        for (key, open) in opens {
            self.complete(key, open);
        }
        self.by_touch.clear();
        for g in self
            .serials
            .expired(Instant::now() + Duration::from_secs(3600))
        {
            self.notes.push(Note::Gap(g));
        }
    }
}

/// The piece of an event holding its records since the last one.
fn piece<'a, S>(key: &'a Key, open: &'a mut Open<S>, still_open: bool) -> PieceRef<'a, S> {
    let records = std::mem::take(&mut open.pending);
    PieceRef {
        token: open.token,
        id: key.1,
        node: key.0.as_deref(),
        kind: kind_of(open, records.is_empty()),
        open: still_open,
        records,
        state: &mut open.state,
    }
}

fn kind_of<S>(open: &Open<S>, no_records: bool) -> PieceKind {
    match (open.out, open.late, no_records) {
        (true, _, true) => PieceKind::Close,
        (true, _, false) => PieceKind::More,
        (false, true, _) => PieceKind::Late,
        (false, false, _) => PieceKind::First,
    }
}

#[cfg(test)]
mod tests;
