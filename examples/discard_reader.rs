//! The ceiling for benches/ingest.sh: the least an audit daemon can do.
//! Registers as the audit daemon, drains NETLINK_AUDIT as fast as the kernel
//! delivers, one recvfrom per datagram into one reused buffer, and discards
//! every record, counting records and events (EOE records).
//!
//! Usage (root): discard_reader
//! SIGUSR1 prints the counts; SIGTERM or SIGINT releases the audit pid,
//! restores `enabled` as found, and prints them. The counts line is
//! `records=R events=E last=T`, T the wall time (seconds since the epoch) at
//! which the last datagram was read, 0 before any.

use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use raudit::netlink::AuditSocket;
use raudit::record::{types, MessageType};
use raudit::wire::status::{mask, AuditStatus};

/// As raudit's daemon: room for bursts in the socket rather than in the
/// kernel's backlog, so the ceiling is set by reading, not by buffering.
const RECEIVE_BUFFER: usize = 32 << 20;
/// As auditd's `priority_boost = 4` and raudit's daemon.
const PRIORITY_BOOST: i32 = 4;
/// How often an idle reader looks at its signal flags.
const IDLE_WAKE: Duration = Duration::from_millis(100);

#[derive(Default)]
struct Counts {
    records: u64,
    events: u64,
    last: Option<SystemTime>,
}

impl Counts {
    /// A record the kernel unicasts to the audit daemon is alone in its
    /// datagram, so the header's type (bytes 4..6) is the record's.
    fn take(&mut self, datagram: &[u8]) {
        let Some(&[lo, hi]) = datagram.get(4..6) else {
            return;
        };
        let msg_type = MessageType(u16::from_ne_bytes([lo, hi]).into());
        if msg_type.is_record() {
            self.records += 1;
            self.events += u64::from(msg_type == types::EOE);
        }
    }

    fn print(&self) {
        let last = self
            .last
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0.0, |d| d.as_secs_f64());
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "records={} events={} last={last:.6}",
            self.records, self.events
        );
        let _ = out.flush();
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("discard_reader: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    if !nix::unistd::geteuid().is_root() {
        bail!("registering as the audit daemon needs root (CAP_AUDIT_CONTROL); run it as root");
    }
    let stop = Arc::new(AtomicBool::new(false));
    let report = Arc::new(AtomicBool::new(false));
    use signal_hook::consts::{SIGINT, SIGTERM, SIGUSR1};
    for sig in [SIGTERM, SIGINT] {
        signal_hook::flag::register(sig, Arc::clone(&stop)).context("signal handler")?;
    }
    signal_hook::flag::register(SIGUSR1, Arc::clone(&report)).context("signal handler")?;

    let mut control = AuditSocket::open()?;
    let found = control.get_status()?;
    if found.pid != 0 && std::path::Path::new(&format!("/proc/{}", found.pid)).exists() {
        bail!(
            "pid {} is the registered audit daemon; stop it first",
            found.pid
        );
    }
    let mut events = AuditSocket::open()?;
    events.set_receive_buffer(RECEIVE_BUFFER);
    events.set_receive_timeout(IDLE_WAKE)?;
    if let Err(e) = raudit::netlink::sys::raise_priority(PRIORITY_BOOST) {
        eprintln!("discard_reader: raising priority by {PRIORITY_BOOST}: {e}");
    }
    // enabled=2 is locked: asking to change it would fail, and it is on.
    let enabled_mask = if found.enabled == 0 { mask::ENABLED } else { 0 };
    // The kernel sends records to the socket that registered.
    events.set_status(
        &AuditStatus {
            mask: mask::PID | enabled_mask,
            pid: std::process::id(),
            enabled: 1,
            ..Default::default()
        },
        "setting audit pid",
    )?;

    let mut counts = Counts::default();
    let drained = drain(&mut events, &stop, &report, &mut counts);
    let released = control.set_status(
        &AuditStatus {
            mask: mask::PID | enabled_mask,
            pid: 0,
            enabled: found.enabled,
            ..Default::default()
        },
        "releasing audit pid",
    );
    // What the kernel sent before the release is still queued.
    while let Ok(Some(d)) = events.recv_next() {
        counts.take(d);
        counts.last = Some(SystemTime::now());
    }
    counts.print();
    drained?;
    released?;
    Ok(())
}

/// Reads until asked to stop. The clock is read once per datagram, as the
/// harness needs the time of the last one; that is a vDSO call, not a
/// syscall.
fn drain(
    events: &mut AuditSocket,
    stop: &AtomicBool,
    report: &AtomicBool,
    counts: &mut Counts,
) -> Result<()> {
    while !stop.load(Ordering::Relaxed) {
        if report.swap(false, Ordering::Relaxed) {
            counts.print();
        }
        if let Some(d) = events.recv_next()? {
            counts.take(d);
            counts.last = Some(SystemTime::now());
        }
    }
    Ok(())
}
