//! The assembler thread: records in, events out, plus everything that must
//! happen between batches (timeouts, gaps, loss reports, disk checks,
//! SIGHUP reloads).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::event::{Assembler, Event, Gap, Release};
use crate::record::parse_payload;
use crate::store::LossRow;

use super::disk::DiskPolicy;
use super::lost;
use super::reader::Input;
use super::writer::Output;

const TICK: Duration = Duration::from_millis(50);
const DISK_CHECK: Duration = Duration::from_secs(5);

pub struct Pipeline {
    assembler: Assembler,
    /// Completed events wait here for older ones still being assembled,
    /// so that they are stored in the order an auditd log holds them.
    release: Release,
    out: SyncSender<Vec<Output>>,
    /// Completed events and losses not yet handed to the writer.
    pending: Vec<Output>,
    /// Growth of the kernel's lost counter, from the poller thread.
    lost: Receiver<lost::Growth>,
    /// The name stamped on every event (`name_format`).
    node: Option<String>,
    disk: DiskPolicy,
    last_disk_check: Option<Instant>,
    /// Events dropped while a disk condition suspends storing.
    suspended: Option<u64>,
    /// The database, for its size on disk.
    db: std::path::PathBuf,
}

/// What the loop watches besides its input.
pub struct Flags<'a> {
    pub stop: &'a AtomicBool,
    pub reload: &'a AtomicBool,
}

impl Pipeline {
    pub fn new(
        config: &Config,
        node: Option<String>,
        out: SyncSender<Vec<Output>>,
        lost: Receiver<lost::Growth>,
    ) -> Pipeline {
        let db = config.db.clone();
        Pipeline {
            assembler: Assembler::new(config.eoe_timeout),
            release: Release::default(),
            out,
            pending: Vec::new(),
            lost,
            node,
            disk: DiskPolicy::new(config),
            last_disk_check: None,
            suspended: None,
            db,
        }
    }

    /// Runs until `stop`; `on_reload` is called (and given the pipeline)
    /// whenever `reload` is raised.
    pub fn run_until(
        &mut self,
        input: &Receiver<Vec<Input>>,
        flags: Flags<'_>,
        mut on_reload: impl FnMut(&mut Pipeline),
    ) {
        let mut last_tick = Instant::now();
        while !flags.stop.load(Ordering::Relaxed) {
            match input.recv_timeout(TICK) {
                Ok(batch) => self.take(batch),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            // Timeouts are checked per tick, not per record: under load a
            // scan of every open event per record would be quadratic.
            let now = Instant::now();
            if now.duration_since(last_tick) < TICK {
                continue;
            }
            last_tick = now;
            self.tick(now);
            if flags.reload.swap(false, Ordering::Relaxed) {
                on_reload(self);
            }
        }
    }

    /// Takes new settings (SIGHUP): node name and disk policy. A suspension
    /// is lifted; the next disk check suspends again if the cause remains.
    pub fn reconfigure(&mut self, config: &Config, node: Option<String>) {
        self.node = node;
        self.disk = DiskPolicy::new(config);
        self.last_disk_check = None;
        self.resume();
    }

    /// Assembles one batch from the reader and hands what it completes to
    /// the writer in one message.
    pub fn take(&mut self, batch: Vec<Input>) {
        let now = Instant::now();
        for input in batch {
            match input {
                Input::Record(rtype, payload) => {
                    let record = parse_payload(u32::from(rtype), &payload);
                    if let Some(e) = self.assembler.push(record, now) {
                        self.release.hold(e);
                    }
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
            }
        }
        self.send();
    }

    /// Hands everything pending to the writer, with the completed events
    /// no older open event holds back. A send fails only when the writer
    /// died; its error is reported when it is joined.
    pub fn send(&mut self) {
        let oldest = self.assembler.oldest_open();
        for e in self.release.ready(oldest) {
            self.emit(e);
        }
        if !self.pending.is_empty() {
            let _ = self.out.send(std::mem::take(&mut self.pending));
        }
    }

    fn tick(&mut self, now: Instant) {
        for e in self.assembler.expire(now) {
            self.release.hold(e);
        }
        for g in self.assembler.gaps(now) {
            self.gap(g);
        }
        if self
            .last_disk_check
            .is_none_or(|t| now.duration_since(t) >= DISK_CHECK)
        {
            self.last_disk_check = Some(now);
            self.check_disk();
        }
        self.take_lost();
    }

    fn check_disk(&mut self) {
        let verdict = self.disk.check(crate::store::disk_bytes(&self.db));
        match (verdict.suspend, self.suspended) {
            (true, None) => self.suspended = Some(0),
            (false, Some(_)) => self.resume(),
            _ => {}
        }
    }

    fn resume(&mut self) {
        if let Some(count) = self.suspended.take() {
            if count > 0 {
                self.loss(
                    "suspended",
                    None,
                    count,
                    "events not stored while a disk condition suspended storing",
                );
            }
        }
    }

    /// At shutdown: every open event and pending gap.
    pub fn finish(&mut self) {
        let (events, gaps) = self.assembler.flush();
        for e in events {
            self.release.hold(e);
        }
        for e in self.release.ready(None) {
            self.emit(e);
        }
        for g in gaps {
            self.gap(g);
        }
        self.take_lost();
    }

    pub fn emit(&mut self, mut event: Event) {
        if let Some(dropped) = &mut self.suspended {
            *dropped += 1;
            return;
        }
        if event.node.is_none() {
            event.node.clone_from(&self.node);
        }
        self.pending.push(Output::Event(event));
    }

    fn gap(&mut self, g: Gap) {
        let detail = format!("serials {}..={} never arrived", g.first, g.last);
        self.loss("serial_gap", Some(g), g.count(), &detail);
    }

    fn loss(&mut self, kind: &'static str, gap: Option<Gap>, count: u64, detail: &str) {
        let row = LossRow {
            time_ms: chrono::Utc::now().timestamp_millis(),
            kind,
            first_serial: gap.map(|g| g.first),
            last_serial: gap.map(|g| g.last),
            count,
            detail: detail.to_string(),
        };
        self.pending.push(Output::Loss(row));
    }

    /// Records growth of the kernel's `lost` counter reported by the poller.
    fn take_lost(&mut self) {
        while let Ok((count, now)) = self.lost.try_recv() {
            self.loss(
                "kernel_lost",
                None,
                count,
                &format!("kernel lost counter rose to {now}"),
            );
        }
        self.send();
    }
}
