//! The writer thread: the only SQLite writer. It takes what is queued,
//! writes it in one transaction and commits as soon as the queue runs dry:
//! one event commits alone when the system is idle (searchable within
//! milliseconds); under load the batches grow (group commit).

use std::sync::mpsc::Receiver;
use std::time::Duration;

use crate::event::Event;
use crate::store::{LossRow, StoreError, Writer};

pub enum Output {
    Event(Event),
    Loss(LossRow),
}

/// The largest batch; bounds the transaction and the memory it holds.
const MAX_BATCH: usize = 4096;
const RETRY: Duration = Duration::from_secs(1);

/// Runs until the sender hangs up and everything queued is stored.
pub fn run(mut store: Writer, input: Receiver<Vec<Output>>) -> Result<u64, StoreError> {
    let mut written = 0u64;
    while let Ok(mut batch) = input.recv() {
        while batch.len() < MAX_BATCH {
            match input.try_recv() {
                Ok(more) => batch.extend(more),
                Err(_) => break,
            }
        }
        let mut events = Vec::with_capacity(batch.len());
        let mut losses = Vec::new();
        for o in batch {
            match o {
                Output::Event(e) => events.push(e),
                Output::Loss(l) => losses.push(l),
            }
        }
        write_retrying(&mut store, &events, &losses)?;
        written += events.len() as u64;
    }
    Ok(written)
}

/// A failed commit (disk full, I/O error) keeps the batch and tries again,
/// so nothing assembled is dropped; the queue behind it fills meanwhile.
/// Gives up only when the daemon is shutting down and still cannot write.
fn write_retrying(
    store: &mut Writer,
    events: &[Event],
    losses: &[LossRow],
) -> Result<(), StoreError> {
    let mut attempts = 0;
    loop {
        match store.write(events, losses) {
            Ok(()) => return Ok(()),
            Err(e) => {
                attempts += 1;
                eprintln!(
                    "raudit daemon: writing {} events: {e} (retrying)",
                    events.len()
                );
                if attempts >= 30 {
                    return Err(e);
                }
                std::thread::sleep(RETRY);
            }
        }
    }
}
