//! The reader thread: drains the audit socket and does nothing else, so
//! that neither a slow disk nor a burst backs up into the kernel.
//!
//! Datagrams are received in bursts (one system call for many) and copied
//! into compact batches: one buffer and one index per batch, not one
//! allocation per record. The records waiting for the assembler are
//! bounded in bytes ([`Budget`]); when a burst outruns the store that far,
//! the reader keeps draining the socket and counts what it cannot queue
//! (with the serials it carried) instead of letting the socket overflow and
//! the kernel hold every audited process for backlog_wait_time.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;

use nix::errno::Errno;

use crate::netlink::burst::Burst;
use crate::netlink::{frame, AuditSocket};
use crate::record::MessageType;

/// What the reader hands on.
pub enum Input {
    Records(RecordBatch),
    /// The socket's receive buffer overflowed (ENOBUFS): records were
    /// dropped by the kernel before we could read them.
    Overrun,
    /// A datagram that did not split into messages; kept as evidence.
    Garbage(String),
    /// Records read but not queued, the budget being spent.
    Dropped(Dropped),
}

/// Records as received: their netlink types and payloads, in one buffer.
#[derive(Default)]
pub struct RecordBatch {
    data: Vec<u8>,
    items: Vec<(u16, u32, u32)>,
}

impl RecordBatch {
    fn push(&mut self, rtype: u16, payload: &[u8]) {
        let start = self.data.len() as u32;
        self.data.extend_from_slice(payload);
        self.items.push((rtype, start, payload.len() as u32));
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// A batch of (type, payload) records, as the reader would hand them.
    #[cfg(test)]
    pub fn of(records: &[(u16, &str)]) -> RecordBatch {
        let mut b = RecordBatch::default();
        for (t, text) in records {
            b.push(*t, text.as_bytes());
        }
        b
    }

    /// Bytes held, as counted against the budget.
    pub fn bytes(&self) -> usize {
        self.data.len() + self.items.len() * std::mem::size_of::<(u16, u32, u32)>()
    }

    /// (type, payload) of each record, in arrival order.
    pub fn records(&self) -> impl Iterator<Item = (MessageType, &[u8])> {
        self.items.iter().map(|&(t, s, l)| {
            let payload = &self.data[s as usize..(s + l) as usize];
            (MessageType(t.into()), payload)
        })
    }
}

/// Records dropped by the reader, and the serials they carried.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dropped {
    pub records: u64,
    pub first_serial: Option<u64>,
    pub last_serial: Option<u64>,
}

impl Dropped {
    fn add(&mut self, payload: &[u8]) {
        self.records += 1;
        if let Some(s) = serial_of(payload) {
            self.first_serial = Some(self.first_serial.map_or(s, |f| f.min(s)));
            self.last_serial = Some(self.last_serial.map_or(s, |l| l.max(s)));
        }
    }
}

/// The serial in `audit(SEC.MSEC:SERIAL):`, read without parsing the rest.
fn serial_of(payload: &[u8]) -> Option<u64> {
    let head = &payload[..payload.len().min(64)];
    let colon = head.iter().position(|b| *b == b':')?;
    let close = head[colon..].iter().position(|b| *b == b')')? + colon;
    std::str::from_utf8(&head[colon + 1..close])
        .ok()?
        .parse()
        .ok()
}

/// Bytes of records queued for the assembler, shared by both threads.
#[derive(Debug)]
pub struct Budget {
    used: AtomicUsize,
    limit: usize,
}

impl Budget {
    pub fn new(limit: usize) -> Arc<Budget> {
        Arc::new(Budget {
            used: AtomicUsize::new(0),
            limit,
        })
    }

    /// Takes `n` bytes if they fit.
    fn take(&self, n: usize) -> bool {
        let used = self.used.load(Ordering::Acquire);
        if used + n > self.limit && used > 0 {
            return false;
        }
        self.used.fetch_add(n, Ordering::AcqRel);
        true
    }

    /// Gives back what a batch took, once it is assembled.
    pub fn give(&self, n: usize) {
        self.used.fetch_sub(n, Ordering::AcqRel);
    }
}

const POLL: Duration = Duration::from_millis(100);
/// Datagrams per system call.
const BURST: usize = 64;
/// A batch is handed on at this size, or when the socket is empty: small
/// enough that the first record of a burst is not kept waiting.
const BATCH_BYTES: usize = 256 * 1024;

pub struct Reader {
    sock: AuditSocket,
    out: Sender<Input>,
    budget: Arc<Budget>,
    dropped: Dropped,
}

impl Reader {
    pub fn new(sock: AuditSocket, out: Sender<Input>, budget: Arc<Budget>) -> Reader {
        Reader {
            sock,
            out,
            budget,
            dropped: Dropped::default(),
        }
    }

    /// Runs until `stop`; gives the socket back for the final drain.
    pub fn run(mut self, stop: Arc<AtomicBool>) -> AuditSocket {
        // Made here: it points into itself while receiving, so it never
        // leaves this thread.
        let mut burst = Burst::new(BURST);
        while !stop.load(Ordering::Relaxed) {
            match self.sock.wait_readable(POLL) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    eprintln!("raudit daemon: {e}");
                    std::thread::sleep(POLL);
                    continue;
                }
            }
            if !self.drain_once(&mut burst) {
                break;
            }
        }
        self.flush_dropped();
        self.sock
    }

    /// Reads everything queued now, in batches. False when the assembler
    /// has gone.
    fn drain_once(&mut self, burst: &mut Burst) -> bool {
        let mut batch = RecordBatch::default();
        loop {
            match self.sock.recv_burst(burst) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    if e.errno() == Some(Errno::ENOBUFS) {
                        if self.out.send(Input::Overrun).is_err() {
                            return false;
                        }
                    } else {
                        eprintln!("raudit daemon: {e}");
                    }
                    break;
                }
            }
            for d in burst.datagrams() {
                match frame::split(d) {
                    Ok(messages) => {
                        for m in messages
                            .iter()
                            .filter(|m| MessageType(m.msg_type.into()).is_record())
                        {
                            batch.push(m.msg_type, m.payload);
                        }
                    }
                    Err(e) => {
                        let garbage = Input::Garbage(format!("{e}: {d:02x?}"));
                        if self.out.send(garbage).is_err() {
                            return false;
                        }
                    }
                }
            }
            if batch.bytes() >= BATCH_BYTES && !self.hand_on(std::mem::take(&mut batch)) {
                return false;
            }
        }
        self.hand_on(batch)
    }

    /// Queues a batch if the budget allows, else counts it as dropped.
    fn hand_on(&mut self, batch: RecordBatch) -> bool {
        if batch.is_empty() {
            return true;
        }
        if !self.budget.take(batch.bytes()) {
            for (_, payload) in batch.records() {
                self.dropped.add(payload);
            }
            return true;
        }
        if !self.flush_dropped() {
            return false;
        }
        self.out.send(Input::Records(batch)).is_ok()
    }

    /// Reports what was dropped, once there is room again.
    fn flush_dropped(&mut self) -> bool {
        if self.dropped.records == 0 {
            return true;
        }
        let d = std::mem::take(&mut self.dropped);
        self.out.send(Input::Dropped(d)).is_ok()
    }
}

/// Reads what is still queued in the socket (at shutdown), handing each
/// batch to `take` directly.
pub fn drain(sock: &mut AuditSocket, mut take: impl FnMut(RecordBatch)) {
    let mut burst = Burst::new(BURST);
    loop {
        match sock.wait_readable(Duration::from_millis(20)) {
            Ok(true) => {}
            _ => return,
        }
        let mut batch = RecordBatch::default();
        match sock.recv_burst(&mut burst) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        for d in burst.datagrams() {
            if let Ok(messages) = frame::split(d) {
                for m in messages
                    .iter()
                    .filter(|m| MessageType(m.msg_type.into()).is_record())
                {
                    batch.push(m.msg_type, m.payload);
                }
            }
        }
        take(batch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_read_from_the_stamp() {
        assert_eq!(serial_of(b"audit(1700000000.123:456): a=b"), Some(456));
        assert_eq!(serial_of(b"audit(1.000:4294967295): x"), Some(4294967295));
        assert_eq!(serial_of(b"garbage"), None);
        let mut d = Dropped::default();
        d.add(b"audit(1.000:9): x");
        d.add(b"audit(1.000:7): x");
        d.add(b"no stamp");
        assert_eq!(
            d,
            Dropped {
                records: 3,
                first_serial: Some(7),
                last_serial: Some(9)
            }
        );
    }

    #[test]
    fn the_budget_admits_one_batch_even_when_larger() {
        let b = Budget::new(100);
        assert!(b.take(150), "an empty queue takes any batch");
        assert!(!b.take(1));
        b.give(150);
        assert!(b.take(60));
        assert!(!b.take(60));
        assert!(b.take(40));
    }
}
