//! The reader thread: drains the audit socket into a bounded queue and does
//! nothing else, so that a slow disk never backs up into the kernel.
//!
//! It hands on batches: everything queued in the socket at one wake-up goes
//! as one message, so a burst costs one channel hand-off, not one per record.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::Arc;
use std::time::Duration;

use nix::errno::Errno;

use crate::netlink::{frame, AuditSocket};
use crate::record::types;

/// What the reader hands on.
pub enum Input {
    /// One record: its netlink type and payload.
    Record(u16, Vec<u8>),
    /// The socket's receive buffer overflowed (ENOBUFS): records were dropped.
    Overrun,
    /// A datagram that did not split into messages; kept as evidence.
    Garbage(String),
}

const POLL: Duration = Duration::from_millis(100);
/// Datagrams per batch: bounds the latency of the first record in a burst.
const BATCH: usize = 512;

pub fn run(
    mut sock: AuditSocket,
    out: SyncSender<Vec<Input>>,
    stop: Arc<AtomicBool>,
) -> AuditSocket {
    while !stop.load(Ordering::Relaxed) {
        let batch = read_batch(&mut sock, POLL);
        if !batch.is_empty() && out.send(batch).is_err() {
            break;
        }
    }
    sock
}

/// Reads what is already queued in the socket (at shutdown), handing each
/// batch to `take` directly.
pub fn drain(sock: &mut AuditSocket, mut take: impl FnMut(Vec<Input>)) {
    loop {
        let batch = read_batch(sock, Duration::from_millis(20));
        if batch.is_empty() {
            return;
        }
        take(batch);
    }
}

/// Waits up to `wait` for the socket, then takes everything queued.
fn read_batch(sock: &mut AuditSocket, wait: Duration) -> Vec<Input> {
    let mut batch = Vec::new();
    match sock.wait_readable(wait) {
        Ok(true) => {}
        Ok(false) => return batch,
        Err(e) => {
            eprintln!("raudit daemon: {e}");
            std::thread::sleep(wait);
            return batch;
        }
    }
    if let Err(e) = sock.drain_queued(BATCH, |d| split_into(d, &mut batch)) {
        if e.errno() == Some(Errno::ENOBUFS) {
            batch.push(Input::Overrun);
        } else {
            eprintln!("raudit daemon: {e}");
        }
    }
    batch
}

fn split_into(datagram: &[u8], batch: &mut Vec<Input>) {
    match frame::split(datagram) {
        Ok(messages) => batch.extend(
            messages
                .iter()
                .filter(|m| types::is_record(u32::from(m.msg_type)))
                .map(|m| Input::Record(m.msg_type, m.payload.to_vec())),
        ),
        Err(e) => batch.push(Input::Garbage(format!("{e}: {datagram:02x?}"))),
    }
}
