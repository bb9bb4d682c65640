//! Polling the kernel's `lost` counter, on a thread of its own.
//!
//! Any process that sends an audit netlink request while the kernel's
//! backlog is over its limit is put to sleep for up to backlog_wait_time
//! after the request (kernel/audit.c `audit_receive`: "penalize the sender
//! now"). The poll must therefore never run on a thread the pipeline waits
//! for: this one only reports growth through a channel the assembler reads
//! when it has time.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::Duration;

use crate::netlink::AuditSocket;

pub const POLL: Duration = Duration::from_secs(1);

/// Growth of the counter: (records lost since the last look, new value).
pub type Growth = (u64, u32);

/// Starts the poller; it ends when `stop` is set or the receiver is gone.
pub fn spawn(
    mut control: AuditSocket,
    mut seen: u32,
    out: Sender<Growth>,
    stop: Arc<AtomicBool>,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("raudit-lost".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(POLL);
                let Ok(status) = control.get_status() else {
                    continue;
                };
                if status.lost > seen
                    && out
                        .send((u64::from(status.lost - seen), status.lost))
                        .is_err()
                {
                    return;
                }
                seen = status.lost;
            }
        })
        .map(|_| ())
}
