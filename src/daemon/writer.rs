//! The writer thread: the only SQLite writer. It takes what is queued,
//! writes it in one transaction and commits as soon as the queue runs dry:
//! one event commits alone when the system is idle (searchable within
//! milliseconds); under load the batches grow (group commit).
//!
//! A failed write never touches what is already stored. The events of a
//! batch that cannot be written (disk full, I/O error) are counted, the
//! configured action runs once per episode, and when writing works again a
//! loss row says how many events were not stored.

use std::sync::mpsc::Receiver;
use std::time::Duration;

use crate::config::{Action, Durability};
use crate::event::Event;
use crate::store::{LossRow, StoreError, Writer};

use super::disk;

pub enum Output {
    Event(Event),
    Loss(LossRow),
}

/// What the writer does on failure and for durability.
#[derive(Debug, Clone)]
pub struct Policy {
    pub disk_full: Action,
    pub disk_error: Action,
    pub durability: Durability,
}

/// The largest batch; bounds the transaction and the memory it holds.
const MAX_BATCH: usize = 4096;
/// One quick retry covers a transient failure (a busy checkpoint).
const RETRY: Duration = Duration::from_millis(100);

struct State {
    store: Writer,
    policy: Policy,
    written: u64,
    since_sync: u64,
    /// Events not stored in the current failure episode.
    dropped: u64,
    failing: bool,
}

/// Runs until the sender hangs up and everything queued is handled.
/// Fails only if the last batch could not be stored.
pub fn run(
    mut store: Writer,
    input: Receiver<Vec<Output>>,
    policy: Policy,
) -> Result<u64, StoreError> {
    if let Err(e) = store.set_synchronous(policy.durability.synchronous.pragma()) {
        eprintln!("raudit daemon: {e}");
    }
    let mut st = State {
        store,
        policy,
        written: 0,
        since_sync: 0,
        dropped: 0,
        failing: false,
    };
    let mut last = Ok(());
    while let Ok(mut batch) = input.recv() {
        while batch.len() < MAX_BATCH {
            match input.try_recv() {
                Ok(more) => batch.extend(more),
                Err(_) => break,
            }
        }
        last = st.write(batch);
    }
    last.map(|()| st.written)
}

impl State {
    fn write(&mut self, batch: Vec<Output>) -> Result<(), StoreError> {
        let mut events = Vec::with_capacity(batch.len());
        let mut losses = Vec::new();
        for o in batch {
            match o {
                Output::Event(e) => events.push(e),
                Output::Loss(l) => losses.push(l),
            }
        }
        if self.failing && self.dropped > 0 {
            losses.push(not_stored(self.dropped));
        }
        let mut result = self.store.write(&events, &losses);
        if result.is_err() {
            std::thread::sleep(RETRY);
            result = self.store.write(&events, &losses);
        }
        match result {
            Ok(()) => {
                if self.failing {
                    eprintln!(
                        "raudit daemon: writing to {} works again; {} events were not stored",
                        self.store.path().display(),
                        self.dropped
                    );
                }
                self.failing = false;
                self.dropped = 0;
                self.written += events.len() as u64;
                self.since_sync += events.len() as u64;
                self.sync_if_due();
                Ok(())
            }
            Err(e) => {
                if !self.failing {
                    let action = if is_disk_full(&e) {
                        &self.policy.disk_full
                    } else {
                        &self.policy.disk_error
                    };
                    disk::run(action, &e.to_string());
                }
                self.failing = true;
                self.dropped += events.len() as u64;
                Err(e)
            }
        }
    }

    /// With `flush = incremental[_async]`: force the write-ahead log to
    /// disk every `freq` events (beside the writer for `_async`).
    fn sync_if_due(&mut self) {
        let Some(every) = self.policy.durability.sync_every else {
            return;
        };
        if self.since_sync < u64::from(every) {
            return;
        }
        self.since_sync = 0;
        let wal = self.store.wal_path();
        let sync = move || {
            if let Ok(f) = std::fs::File::open(&wal) {
                let _ = f.sync_data();
            }
        };
        if self.policy.durability.background {
            std::thread::spawn(sync);
        } else {
            sync();
        }
    }
}

fn not_stored(count: u64) -> LossRow {
    LossRow {
        time_ms: chrono::Utc::now().timestamp_millis(),
        kind: "not_stored",
        first_serial: None,
        last_serial: None,
        count,
        detail: "events assembled while the database could not be written".into(),
    }
}

fn is_disk_full(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Sqlite {
            source: rusqlite::Error::SqliteFailure(f, _),
            ..
        } if f.code == rusqlite::ErrorCode::DiskFull
    )
}
