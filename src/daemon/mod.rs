//! `raudit daemon`: receives every audit record and stores it as events.
//!
//! ```text
//! reader thread ──Input──> assembler (this thread) ──Output──> writer thread
//! ```
//! This thread also watches signals and polls the kernel's `lost` counter.

mod lifecycle;
mod lost;
mod reader;
mod writer;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::event::{Assembler, Event, Gap};
use crate::netlink::{AuditSocket, NetlinkError};
use crate::record::parse_payload;
use crate::store::{LossRow, StoreError, Writer};

use reader::Input;
use writer::Output;

#[derive(Debug, Clone)]
pub struct Options {
    pub db: PathBuf,
    /// Record beside another audit daemon through the read-only multicast
    /// group, without touching kernel settings.
    pub observe: bool,
    /// How long an event may wait for its EOE.
    pub eoe_timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("raudit daemon needs root (CAP_AUDIT_CONTROL); run it as root")]
    NotRoot,
    #[error("{comm} (pid {pid}) is the registered audit daemon; stop it first, or start raudit with --observe to record beside it")]
    OtherDaemon { pid: u32, comm: String },
    #[error(transparent)]
    Netlink(#[from] NetlinkError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("signal handling: {0}")]
    Signal(std::io::Error),
    #[error("a daemon thread panicked")]
    Thread,
}

/// Queue sizes, in batches: records waiting for the assembler (a batch
/// holds up to 512 datagrams), events waiting for the writer.
const RECORD_QUEUE: usize = 256;
const EVENT_QUEUE: usize = 256;
const RECEIVE_BUFFER: usize = 32 << 20;
/// How much auditd raises its priority by default (auditd.conf's
/// `priority_boost = 4`): the daemon must outrun the processes it records.
const PRIORITY_BOOST: i32 = 4;
const TICK: Duration = Duration::from_millis(50);

struct Signals {
    stop: Arc<AtomicBool>,
}

fn signals() -> Result<Signals, DaemonError> {
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(sig, Arc::clone(&stop)).map_err(DaemonError::Signal)?;
    }
    Ok(Signals { stop })
}

pub fn run(opts: &Options) -> Result<(), DaemonError> {
    if !nix::unistd::geteuid().is_root() {
        return Err(DaemonError::NotRoot);
    }
    let signals = signals()?;
    let store = Writer::open(&opts.db)?;
    let mut control = AuditSocket::open()?;
    let found = control.get_status()?;
    let mut events_sock = AuditSocket::open()?;
    // Room for ~0.1 s of records at full speed: if the reader is ever
    // descheduled that long the kernel waits instead of overrunning the
    // socket (an overrun drops records and makes kauditd back off).
    events_sock.set_receive_buffer(RECEIVE_BUFFER);
    boost_priority();
    let mode = if opts.observe { "observe" } else { "primary" };
    let registration = if opts.observe {
        events_sock.join_readlog()?;
        None
    } else {
        lifecycle::check_no_other_daemon(&found)?;
        Some(lifecycle::register(&mut events_sock, &found)?)
    };

    let (rec_tx, rec_rx) = mpsc::sync_channel::<Vec<Input>>(RECORD_QUEUE);
    let (out_tx, out_rx) = mpsc::sync_channel::<Vec<Output>>(EVENT_QUEUE);
    let writer = std::thread::Builder::new()
        .name("raudit-writer".into())
        .spawn(move || writer::run(store, out_rx))
        .map_err(DaemonError::Signal)?;
    let _ = out_tx.send(vec![Output::Event(lifecycle::start_event(&opts.db, mode))]);
    let reader_stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let stop = Arc::clone(&reader_stop);
        let tx = rec_tx.clone();
        std::thread::Builder::new()
            .name("raudit-reader".into())
            .spawn(move || reader::run(events_sock, tx, stop))
            .map_err(DaemonError::Signal)?
    };

    let (lost_tx, lost_rx) = mpsc::channel();
    let poller_stop = Arc::new(AtomicBool::new(false));
    lost::spawn(
        AuditSocket::open()?,
        found.lost,
        lost_tx,
        Arc::clone(&poller_stop),
    )
    .map_err(DaemonError::Signal)?;
    let mut pipeline = Pipeline {
        assembler: Assembler::new(opts.eoe_timeout),
        out: out_tx,
        pending: Vec::new(),
        lost: lost_rx,
    };
    pipeline.run_until(&rec_rx, &signals.stop);

    // Shutdown. Release the audit pid first, so the kernel holds new records
    // for the next daemon instead of sending them to a socket nobody reads;
    // then read what is already queued, flush, and commit.
    reader_stop.store(true, Ordering::Relaxed);
    let mut events_sock = reader.join().map_err(|_| DaemonError::Thread)?;
    let release = match &registration {
        Some(reg) => lifecycle::unregister(&mut control, reg),
        None => Ok(()),
    };
    reader::drain(&mut events_sock, &rec_tx);
    drop(rec_tx);
    while let Ok(batch) = rec_rx.try_recv() {
        pipeline.take(batch);
    }
    poller_stop.store(true, Ordering::Relaxed);
    pipeline.take_lost();
    pipeline.finish();
    pipeline
        .pending
        .push(Output::Event(lifecycle::end_event(&opts.db, mode)));
    pipeline.send();
    drop(pipeline);
    writer.join().map_err(|_| DaemonError::Thread)??;
    release?;
    Ok(())
}

fn boost_priority() {
    if let Err(e) = crate::netlink::sys::raise_priority(PRIORITY_BOOST) {
        eprintln!("raudit daemon: raising priority by {PRIORITY_BOOST}: {e}");
    }
}

struct Pipeline {
    assembler: Assembler,
    out: SyncSender<Vec<Output>>,
    /// Completed events and losses not yet handed to the writer.
    pending: Vec<Output>,
    /// Growth of the kernel's lost counter, from the poller thread.
    lost: Receiver<lost::Growth>,
}

impl Pipeline {
    fn run_until(&mut self, input: &Receiver<Vec<Input>>, stop: &AtomicBool) {
        let mut last_tick = Instant::now();
        while !stop.load(Ordering::Relaxed) {
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
        }
    }

    /// Assembles one batch from the reader and hands what it completes to
    /// the writer in one message.
    fn take(&mut self, batch: Vec<Input>) {
        let now = Instant::now();
        for input in batch {
            match input {
                Input::Record(rtype, payload) => {
                    let record = parse_payload(u32::from(rtype), &payload);
                    if let Some(e) = self.assembler.push(record, now) {
                        self.emit(e);
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

    /// Hands everything pending to the writer. A send fails only when the
    /// writer died; its error is reported when it is joined.
    fn send(&mut self) {
        if !self.pending.is_empty() {
            let _ = self.out.send(std::mem::take(&mut self.pending));
        }
    }

    fn tick(&mut self, now: Instant) {
        for e in self.assembler.expire(now) {
            self.emit(e);
        }
        for g in self.assembler.gaps(now) {
            self.gap(g);
        }
        self.take_lost();
    }

    fn finish(&mut self) {
        let (events, gaps) = self.assembler.flush();
        for e in events {
            self.emit(e);
        }
        for g in gaps {
            self.gap(g);
        }
    }

    fn emit(&mut self, event: Event) {
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
