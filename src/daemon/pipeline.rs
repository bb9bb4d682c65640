//! The assembler thread: records in, rows out. Each reader batch is
//! parsed, grouped into events and handed to the writer at once as rows
//! (the first piece of an event inserts it, later pieces join it), with
//! its shape computed and its body compressed here, so the writer thread
//! only writes. Also here: timeouts, serial gaps, the kernel's lost
//! counter, what a suspension of storing did not store, and each event's
//! context (unit, container) from its process's cgroup: read here, off the
//! reader thread, at most once a second per process.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::types::Value;

use crate::config::Config;
use crate::enrich::accounts::Ids;
use crate::enrich::{Context, Enricher, Process};
use crate::event::{Event, Limits, Note, PieceKind, Stream};
use crate::record::{parse_payload, types, EventId, Record};
use crate::store::shape::Summary;
use crate::store::{Batch, Encoder, LossRow, Part, Piece};

use super::lost;
use super::reader::{Budget, Dropped, Input};
use super::writer::{Message, Shared};

const TICK: Duration = Duration::from_millis(50);

/// What the loop watches besides its input.
pub struct Flags<'a> {
    pub stop: &'a AtomicBool,
    pub reload: &'a AtomicBool,
    pub resume: &'a AtomicBool,
}

/// Events not stored while storing was suspended.
#[derive(Debug, Default)]
struct Suspension {
    events: u64,
    first: Option<u64>,
    last: Option<u64>,
    start_ms: i64,
}

pub struct Pipeline {
    stream: Stream<Summary>,
    encoder: Encoder,
    out: SyncSender<Message>,
    budget: Arc<Budget>,
    shared: Arc<Shared>,
    /// Rows and losses not yet handed to the writer.
    pending: Batch,
    /// Growth of the kernel's lost counter, from the poller thread.
    lost: Receiver<lost::Growth>,
    /// The name stamped on every event (`name_format`).
    node: Option<String>,
    suspension: Option<Suspension>,
    /// The highest kernel serial seen, for the store's `last_serial`.
    high_serial: Option<u64>,
    last_tick: Instant,
    /// Reads the context of events' processes; `None`: not read (the
    /// records come from elsewhere than this machine's kernel).
    enricher: Option<Enricher>,
}

pub fn limits(config: &Config) -> Limits {
    Limits {
        timeout: config.eoe_timeout,
        max_open: config.max_open_events,
        max_records: config.max_event_records,
    }
}

impl Pipeline {
    pub fn new(
        config: &Config,
        node: Option<String>,
        encoder: Encoder,
        out: SyncSender<Message>,
        budget: Arc<Budget>,
        shared: Arc<Shared>,
        lost: Receiver<lost::Growth>,
    ) -> Pipeline {
        Pipeline {
            stream: Stream::new(limits(config)),
            encoder,
            out,
            budget,
            shared,
            pending: Batch::default(),
            lost,
            node,
            suspension: None,
            high_serial: None,
            last_tick: Instant::now(),
            enricher: None,
        }
    }

    /// Adds to each event with a SYSCALL record the context of its process,
    /// as `enricher` finds it.
    pub fn read_context(&mut self, enricher: Enricher) {
        self.enricher = Some(enricher);
    }

    /// The serial the store holds last from this boot: gaps after it are
    /// what the daemon missed while it was not running.
    pub fn resume_after(&mut self, serial: u64) {
        self.stream.resume_after(serial);
        self.high_serial = Some(serial);
    }

    /// Runs until `stop`; `on_reload` is called (and given the pipeline)
    /// whenever `reload` is raised.
    pub fn run_until(
        &mut self,
        input: &Receiver<Input>,
        flags: Flags<'_>,
        mut on_reload: impl FnMut(&mut Pipeline),
    ) {
        while !flags.stop.load(Ordering::Relaxed) {
            match input.recv_timeout(TICK) {
                Ok(item) => self.take(item),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            let now = Instant::now();
            if now.duration_since(self.last_tick) < TICK {
                continue;
            }
            self.last_tick = now;
            self.tick(now);
            if flags.reload.swap(false, Ordering::Relaxed) {
                on_reload(self);
            }
            if flags.resume.swap(false, Ordering::Relaxed) {
                self.resume();
            }
        }
    }

    /// Takes new settings (SIGHUP): the node name.
    pub fn reconfigure(&mut self, node: Option<String>) {
        self.node = node;
    }

    /// Takes one item from the reader; what it completes goes to the
    /// writer at once.
    pub fn take(&mut self, item: Input) {
        match item {
            Input::Records(batch) => {
                let now = Instant::now();
                for (rtype, payload) in batch.records() {
                    let mut record = parse_payload(rtype, payload);
                    if record.node.is_none() {
                        record.node.clone_from(&self.node);
                        if record.id != EventId::default() {
                            let s = record.id.serial;
                            self.high_serial = Some(self.high_serial.map_or(s, |h| h.max(s)));
                        }
                    }
                    self.stream.push(record, now);
                }
                self.budget.give(batch.bytes());
            }
            Input::Overrun => self.loss(
                "overrun",
                None,
                1,
                "audit socket receive buffer overflowed; records dropped",
            ),
            Input::Garbage(detail) => self.loss(
                "overrun",
                None,
                1,
                &format!("undecodable datagram: {detail}"),
            ),
            Input::Dropped(d) => self.dropped(d),
        }
        self.flush();
    }

    pub(super) fn tick(&mut self, now: Instant) {
        self.stream.tick(now);
        self.take_lost();
        self.flush();
    }

    /// Hands every piece the stream has to the writer, as rows.
    pub fn flush(&mut self) {
        let Pipeline {
            stream,
            encoder,
            pending,
            suspension,
            shared,
            enricher,
            ..
        } = self;
        let now = Instant::now();
        let suspended = shared.suspended.load(Ordering::Relaxed);
        if suspended && suspension.is_none() {
            *suspension = Some(Suspension {
                start_ms: chrono::Utc::now().timestamp_millis(),
                ..Suspension::default()
            });
        }
        stream.flush(|piece| {
            if let Some(s) = suspension.as_mut().filter(|_| suspended) {
                if matches!(piece.kind, PieceKind::First | PieceKind::Late) {
                    s.events += 1;
                }
                let serial = piece.id.serial;
                s.first = Some(s.first.map_or(serial, |f| f.min(serial)));
                s.last = Some(s.last.map_or(serial, |l| l.max(serial)));
                return;
            }
            let mut row = encoder.piece(
                Piece {
                    token: piece.token,
                    id: piece.id,
                    node: piece.node,
                    part: Part::from(piece.kind),
                    open: piece.open,
                    records: &piece.records,
                },
                piece.state,
            );
            if let Some(enricher) = enricher.as_mut() {
                row.context = context(enricher, &piece.records, now);
            }
            pending.rows.push(row);
        });
        for note in self.stream.take_notes() {
            self.note(note);
        }
        self.send();
    }

    fn note(&mut self, note: Note) {
        match note {
            Note::Truncated { id, dropped } => self.loss(
                "truncated",
                Some((id.serial, id.serial)),
                dropped,
                &format!("records of event {id} beyond max_event_records, not kept"),
            ),
            Note::ClosedEarly { count, first, last } => self.loss(
                "closed_early",
                Some((first.serial.min(last.serial), first.serial.max(last.serial))),
                count,
                "events completed before their EOE: more than max_open_events were open; \
                 a record that arrives later joins its event",
            ),
            Note::Gap(g) => {
                let (kind, detail) = if g.restart {
                    (
                        "restart",
                        format!(
                            "serials {}..={} were not received: the daemon was not running",
                            g.first, g.last
                        ),
                    )
                } else {
                    (
                        "serial_gap",
                        format!("serials {}..={} never arrived", g.first, g.last),
                    )
                };
                self.loss(kind, Some((g.first, g.last)), g.count(), &detail);
            }
        }
    }

    fn dropped(&mut self, d: Dropped) {
        let range = d.first_serial.zip(d.last_serial);
        self.loss(
            "dropped",
            range,
            d.records,
            &format!(
                "{} records read but not stored: the daemon's queue was full (the store fell behind)",
                d.records
            ),
        );
    }

    /// Hands what is pending to the writer. A send fails only when the
    /// writer died; its error is reported when it is joined.
    pub fn send(&mut self) {
        if let Some(d) = self.encoder.take_trained() {
            self.pending.dicts.push(d);
        }
        if !self.pending.rows.is_empty() {
            if let Some(high) = self.high_serial {
                self.pending
                    .state
                    .push(("last_serial", Value::Integer(high as i64)));
            }
        }
        if self.pending.is_empty() && self.pending.dicts.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.pending);
        let _ = self.out.send(Message::Batch(batch));
    }

    /// SIGUSR2: storing resumes (and suspends again at once if the cause
    /// is still there); what the suspension did not store is recorded.
    pub fn resume(&mut self) {
        self.shared.suspended.store(false, Ordering::Relaxed);
        let _ = self.out.send(Message::Resume);
        self.end_suspension("resumed by SIGUSR2");
    }

    fn end_suspension(&mut self, how: &str) {
        let Some(s) = self.suspension.take() else {
            return;
        };
        if s.events == 0 && s.first.is_none() {
            return;
        }
        let now = chrono::Utc::now().timestamp_millis();
        self.pending.losses.push(LossRow {
            time_ms: now,
            kind: "suspended",
            first_serial: s.first,
            last_serial: s.last,
            count: s.events,
            detail: format!("events not stored while storing was suspended ({how})"),
            start_ms: Some(s.start_ms),
        });
    }

    /// At shutdown: every open event completes, every pending gap and the
    /// suspension are recorded.
    pub fn finish(&mut self) {
        self.stream.finish();
        self.take_lost();
        self.flush();
        self.end_suspension("until the daemon stopped");
    }

    /// Stores one of the daemon's own events (DAEMON_START, ...), even
    /// while storing is suspended: it says why events are missing.
    pub fn emit(&mut self, mut event: Event) {
        if event.node.is_none() {
            event.node.clone_from(&self.node);
        }
        let row = self.encoder.whole(&event);
        self.pending.rows.push(row);
    }

    /// Sets a `state` entry with the next batch.
    pub fn set_state(&mut self, key: &'static str, value: Value) {
        self.pending.state.push((key, value));
    }

    pub fn loss(
        &mut self,
        kind: &'static str,
        range: Option<(u64, u64)>,
        count: u64,
        detail: &str,
    ) {
        self.pending.losses.push(LossRow {
            time_ms: chrono::Utc::now().timestamp_millis(),
            kind,
            first_serial: range.map(|r| r.0),
            last_serial: range.map(|r| r.1),
            count,
            detail: detail.to_string(),
            start_ms: None,
        });
    }

    /// Records growth of the kernel's lost counter reported by the poller.
    fn take_lost(&mut self) {
        while let Ok((count, now)) = self.lost.try_recv() {
            self.loss(
                "kernel_lost",
                None,
                count,
                &format!("kernel lost counter rose to {now}"),
            );
            self.set_state("kernel_lost", Value::Integer(i64::from(now)));
        }
    }
}

/// The context of the process behind a piece's SYSCALL record, if it has
/// one and anything is known of it.
fn context(enricher: &mut Enricher, records: &[Record], now: Instant) -> Option<Context> {
    let syscall = records.iter().find(|r| r.rtype == types::SYSCALL)?;
    let id = |name| u32::try_from(syscall.number(name)?).ok();
    let exe = syscall.text_of("exe");
    let process = Process {
        pid: id("pid")?,
        ppid: id("ppid"),
        exe: exe.as_deref(),
        ids: Ids {
            uid: id("uid"),
            auid: id("auid"),
            gid: id("gid"),
        },
    };
    let context = enricher.context(process, now);
    (!context.is_empty()).then_some(context)
}
