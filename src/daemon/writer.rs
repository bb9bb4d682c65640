//! The writer thread: the only SQLite writer. It takes what is queued,
//! writes it in one transaction and commits as soon as the queue runs dry:
//! one event commits alone when the system is idle (searchable within
//! milliseconds); under load the batches grow (group commit).
//!
//! A failed write never touches what is already stored, and never stalls
//! the daemon: the batch is counted as not stored (with its serials), the
//! configured action runs once per failure episode, and the count is
//! written with the first batch that can be. Between batches it watches
//! the free space (auditd's thresholds and actions), the database file
//! (deleted, moved or replaced under it) and the size of the write-ahead
//! log.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::{Action, Durability};
use crate::store::{AtPath, Batch, LossRow, Part, StoreError, Writer};

use super::disk::{self, DiskPolicy};

/// What the assembler sends.
pub enum Message {
    Batch(Batch),
    /// SIGUSR2: try storing again.
    Resume,
}

/// State both threads see.
#[derive(Debug, Default)]
pub struct Shared {
    /// Storing is suspended (disk_full_action, space_left_action, ... =
    /// suspend): the assembler counts what it does not send.
    pub suspended: AtomicBool,
}

/// What the writer does on failure and for durability.
#[derive(Debug, Clone)]
pub struct Policy {
    pub disk_full: Action,
    pub disk_error: Action,
    pub durability: Durability,
    /// Bytes the write-ahead log is reset past.
    pub wal_limit: u64,
    /// `max_age`, days; 0 keeps every event.
    pub max_age_days: u64,
}

/// The largest number of rows in one transaction.
const MAX_ROWS: usize = 8192;
/// How often the database file and the disk are looked at.
const WATCH: Duration = Duration::from_secs(1);
const DISK_CHECK: Duration = Duration::from_secs(5);
/// Events the rotate action deletes per step.
const ROTATE_STEP: u64 = 10_000;
/// The fewest events a rotation step is retried with on a full disk.
const ROTATE_STEP_LEAST: u64 = 100;
/// Bytes kept aside beside the database while a rotate action is set: on
/// a full disk the deletion itself needs room for its log pages, and
/// this file gives it back (made again once the rotation has freed space).
const RESERVE_BYTES: u64 = 4 << 20;

/// Events not stored in a failure episode.
#[derive(Debug, Default, Clone)]
struct NotStored {
    events: u64,
    first: Option<u64>,
    last: Option<u64>,
    start_ms: Option<i64>,
    why: String,
}

/// Committed since the database file was last seen at its path: what is
/// lost if it turns out to have been deleted meanwhile.
#[derive(Debug, Default, Clone, Copy)]
struct SinceCheck {
    events: u64,
    first: Option<u64>,
    last: Option<u64>,
    since_ms: i64,
}

pub struct WriterThread {
    /// `None` while the database is gone and no new one could be started.
    store: Option<Writer>,
    db: PathBuf,
    policy: Policy,
    disk: DiskPolicy,
    shared: Arc<Shared>,
    since_sync: u64,
    failing: Option<NotStored>,
    /// Loss rows and state not yet stored (their batch failed).
    held: Batch,
    since_check: SinceCheck,
    last_watch: Instant,
    last_disk: Option<Instant>,
    retention: super::retention::Retention,
    /// The chain key, for a database started again.
    key: PathBuf,
}

impl WriterThread {
    pub fn new(
        store: Writer,
        policy: Policy,
        disk: DiskPolicy,
        shared: Arc<Shared>,
    ) -> WriterThread {
        set_durability(&store, &policy);
        let db = store.path().to_path_buf();
        let key = store.key_path().to_path_buf();
        let retention = super::retention::Retention::new(policy.max_age_days);
        if policy.disk_full == Action::Rotate || disk.rotates() {
            make_reserve(&db);
        }
        WriterThread {
            store: Some(store),
            db,
            policy,
            disk,
            shared,
            since_sync: 0,
            failing: None,
            held: Batch::default(),
            since_check: SinceCheck {
                since_ms: now_ms(),
                ..SinceCheck::default()
            },
            last_watch: Instant::now(),
            last_disk: None,
            retention,
            key,
        }
    }

    /// Runs until the sender hangs up and everything queued is handled.
    /// Fails only if the last batch (DAEMON_END and the final loss rows)
    /// could not be stored; it says why on stderr.
    pub fn run(mut self, input: Receiver<Message>) -> Result<(), StoreError> {
        let mut last = Ok(());
        loop {
            let first = match input.recv_timeout(WATCH) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => {
                    self.between_batches();
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => break,
            };
            let mut batch = Batch::default();
            let mut msg = Some(first);
            while let Some(m) = msg.take() {
                match m {
                    Message::Batch(b) => merge(&mut batch, b),
                    Message::Resume => self.resume(),
                }
                if batch.rows.len() < MAX_ROWS {
                    msg = input.try_recv().ok();
                }
            }
            last = self.write(batch);
            self.between_batches();
        }
        if let Err(e) = &last {
            eprintln!("raudit daemon: the last events, DAEMON_END and the loss record could not be stored: {e}");
        }
        if let Some(f) = &self.failing {
            eprintln!(
                "raudit daemon: {} events were not stored ({}), and that could not be recorded in {}",
                f.events,
                f.why,
                self.db.display()
            );
        }
        last
    }

    fn write(&mut self, mut batch: Batch) -> Result<(), StoreError> {
        if self.shared.suspended.load(Ordering::Relaxed) && !batch.rows.is_empty() {
            // Rows queued before the suspension took effect.
            let rows = std::mem::take(&mut batch.rows);
            self.count_not_stored(&rows_serials(&rows), "storing was suspended");
        }
        let mut losses = std::mem::take(&mut self.held.losses);
        losses.append(&mut batch.losses);
        if let Some(f) = &self.failing {
            losses.push(not_stored_row(f));
        }
        batch.losses = losses;
        let mut state = std::mem::take(&mut self.held.state);
        state.append(&mut batch.state);
        batch.state = state;
        let serials = rows_serials(&batch.rows);
        let rows = batch.rows.len();
        let losses = batch.losses.clone();
        let state = batch.state.clone();
        let result = match self.store.as_mut() {
            Some(store) => store.write_batch(batch),
            None => Err(StoreError::Missing {
                path: self.db.clone(),
            }),
        };
        match result {
            Ok(()) => {
                if let Some(f) = self.failing.take() {
                    eprintln!(
                        "raudit daemon: writing to {} works again; {} events were not stored",
                        self.db.display(),
                        f.events
                    );
                }
                self.since_check.add(&serials);
                self.since_sync += rows as u64;
                self.sync_if_due();
                Ok(())
            }
            Err(e) => {
                // Loss rows and state wait for the next batch that can be
                // written; the events of this one are counted.
                self.held.losses = losses
                    .into_iter()
                    .filter(|l| l.kind != "not_stored")
                    .collect();
                self.held.state = state;
                let first_failure = self.failing.is_none();
                self.count_not_stored(&serials, &e.to_string());
                if first_failure {
                    self.on_failure(&e);
                }
                Err(e)
            }
        }
    }

    fn count_not_stored(&mut self, serials: &Serials, why: &str) {
        let f = self.failing.get_or_insert_with(|| NotStored {
            start_ms: Some(now_ms()),
            why: why.to_string(),
            ..NotStored::default()
        });
        f.events += serials.events;
        if let Some((lo, hi)) = serials.range {
            f.first = Some(f.first.map_or(lo, |x| x.min(lo)));
            f.last = Some(f.last.map_or(hi, |x| x.max(hi)));
        }
    }

    /// The first failure of an episode: the configured action, once.
    fn on_failure(&mut self, e: &StoreError) {
        let action = if is_disk_full(e) {
            self.policy.disk_full.clone()
        } else {
            self.policy.disk_error.clone()
        };
        let why = format!("writing to {}: {e}", self.db.display());
        self.act(&action, &why);
    }

    /// Carries out an action; suspend and rotate are the writer's own.
    fn act(&mut self, action: &Action, why: &str) {
        disk::run(action, why);
        match action {
            Action::Suspend => self.suspend(),
            Action::Rotate => self.rotate(),
            _ => {}
        }
    }

    fn suspend(&mut self) {
        if !self.shared.suspended.swap(true, Ordering::Relaxed) {
            eprintln!(
                "raudit daemon: storing suspended; events are counted, not stored, until SIGUSR2 (or a restart)"
            );
        }
    }

    fn resume(&mut self) {
        self.shared.suspended.store(false, Ordering::Relaxed);
        self.disk.rearm();
        self.last_disk = None;
        if self.store.is_none() {
            self.reopen("resumed by SIGUSR2");
        }
    }

    /// Makes room by deleting the oldest events, recorded as such. On a
    /// full disk the deletion needs room for its own log pages: a step that
    /// finds the disk full is tried again on fewer events, then with the
    /// reserve file given back.
    fn rotate(&mut self) {
        let Some(store) = self.store.as_mut() else {
            return;
        };
        let mut step = ROTATE_STEP;
        let mut reserve_freed = false;
        let result = loop {
            match store.prune_step(crate::store::retention::Older::Count(step)) {
                Err(e) if is_disk_full(&e) && step > ROTATE_STEP_LEAST => step /= 10,
                Err(e) if is_disk_full(&e) && !reserve_freed => {
                    reserve_freed = true;
                    if std::fs::remove_file(reserve_path(&self.db)).is_err() {
                        break Err(e);
                    }
                }
                other => break other,
            }
        };
        if reserve_freed && matches!(result, Ok(Some(_))) {
            make_reserve(&self.db);
        }
        match result {
            Ok(Some(gone)) => self.held.losses.push(LossRow {
                time_ms: now_ms(),
                kind: "rotated",
                first_serial: Some(gone.first_serial),
                last_serial: Some(gone.last_serial),
                count: gone.events,
                detail: format!(
                    "the oldest {} events (stored {} to {}) were deleted to make room",
                    gone.events,
                    utc(gone.first_ms),
                    utc(gone.last_ms),
                ),
                start_ms: Some(gone.first_ms),
            }),
            Ok(None) => {}
            Err(e) => eprintln!("raudit daemon: deleting the oldest events: {e}"),
        }
    }

    /// Between batches: the database file, the disk, the write-ahead log,
    /// events past max_age.
    fn between_batches(&mut self) {
        if let Some(store) = self.store.as_mut() {
            self.retention.step(store);
        }
        let now = Instant::now();
        if now.duration_since(self.last_watch) >= WATCH {
            self.last_watch = now;
            self.watch_file();
            if let Some(Err(e)) = self
                .store
                .as_ref()
                .map(|s| s.bound_wal(self.policy.wal_limit))
            {
                eprintln!("raudit daemon: checkpointing the write-ahead log: {e}");
            }
        }
        if self
            .last_disk
            .is_none_or(|t| now.duration_since(t) >= DISK_CHECK)
        {
            self.last_disk = Some(now);
            let bytes = crate::store::disk_bytes(&self.db);
            let verdict = self.disk.check(bytes);
            for action in verdict.actions {
                self.act(&action.0, &action.1);
            }
        }
        // A loss the writer noted itself (a rotation, a new database) is
        // stored now, not with the next event, which may be long coming.
        if !self.held.losses.is_empty() && self.failing.is_none() {
            let _ = self.write(Batch::default());
        }
    }

    /// Is the database at its path still the file this writer writes? A
    /// deleted, moved or replaced database is noticed within a second,
    /// said once, and a new one started at the path (unless the error
    /// action says otherwise), with a loss row for what went with the old.
    fn watch_file(&mut self) {
        let Some(store) = &self.store else {
            return;
        };
        let what = match store.identity().check(&self.db) {
            AtPath::Same => {
                self.since_check = SinceCheck {
                    since_ms: now_ms(),
                    ..SinceCheck::default()
                };
                if !crate::store::wal_path(&self.db).exists() {
                    self.reopen_same();
                }
                return;
            }
            AtPath::Missing => "was deleted or moved away",
            AtPath::Replaced => "was replaced by another file",
        };
        let why = format!("database {} {what} under the daemon", self.db.display());
        eprintln!("raudit daemon: {why}");
        // A new database keeps the machine audited whatever the action
        // says; the action still runs for its notice (syslog, exec) or
        // for the machine (single, halt), but suspending would only add
        // to the loss.
        if self.policy.disk_error != Action::Suspend {
            disk::run(&self.policy.disk_error, &why);
        }
        self.store = None;
        self.reopen(&why);
    }

    /// What went with a database that disappeared.
    fn gone_row(&mut self, why: &str, then: &str) -> LossRow {
        let gone = std::mem::replace(
            &mut self.since_check,
            SinceCheck {
                since_ms: now_ms(),
                ..SinceCheck::default()
            },
        );
        LossRow {
            time_ms: now_ms(),
            kind: "db_replaced",
            first_serial: gone.first,
            last_serial: gone.last,
            count: gone.events,
            detail: format!(
                "{why}; the {} events written to it since it was last seen went with it; {then}",
                gone.events
            ),
            start_ms: Some(gone.since_ms),
        }
    }

    /// Starts a new database at the configured path.
    fn reopen(&mut self, why: &str) {
        match Writer::open_keyed(&self.db, &self.key) {
            Ok(store) => {
                set_durability(&store, &self.policy);
                self.store = Some(store);
                eprintln!(
                    "raudit daemon: started a new database at {}",
                    self.db.display()
                );
                let row = self.gone_row(why, "a new database was started here");
                self.held.losses.push(row);
            }
            Err(e) => {
                eprintln!(
                    "raudit daemon: starting a new database at {}: {e}; storing is suspended until SIGUSR2",
                    self.db.display()
                );
                self.suspend();
            }
        }
    }

    /// The same file, but its write-ahead log is gone: what it held is
    /// copied into the database, and a new connection makes a new log
    /// (readers would otherwise make one of their own beside ours).
    fn reopen_same(&mut self) {
        eprintln!(
            "raudit daemon: the write-ahead log of {} was deleted; reopening the database",
            self.db.display()
        );
        if let Some(store) = self.store.take() {
            if let Err(e) = store.checkpoint_truncate() {
                eprintln!("raudit daemon: {e}");
            }
        }
        match Writer::open_keyed(&self.db, &self.key) {
            Ok(store) => {
                set_durability(&store, &self.policy);
                self.store = Some(store);
            }
            Err(e) => {
                eprintln!(
                    "raudit daemon: reopening {}: {e}; storing is suspended until SIGUSR2",
                    self.db.display()
                );
                self.suspend();
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
        let wal = crate::store::wal_path(&self.db);
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

impl SinceCheck {
    fn add(&mut self, s: &Serials) {
        self.events += s.events;
        if let Some((lo, hi)) = s.range {
            self.first = Some(self.first.map_or(lo, |x| x.min(lo)));
            self.last = Some(self.last.map_or(hi, |x| x.max(hi)));
        }
    }
}

/// The events among rows (their first rows) and the kernel serials they
/// span.
#[derive(Debug, Default)]
struct Serials {
    events: u64,
    range: Option<(u64, u64)>,
}

fn rows_serials(rows: &[crate::store::Row]) -> Serials {
    let mut s = Serials::default();
    for r in rows {
        if matches!(r.part, Part::First | Part::Late) {
            s.events += 1;
        }
        if r.serial == 0 {
            continue; // the daemon's own records
        }
        s.range = Some(match s.range {
            Some((lo, hi)) => (lo.min(r.serial), hi.max(r.serial)),
            None => (r.serial, r.serial),
        });
    }
    s
}

fn merge(into: &mut Batch, from: Batch) {
    into.rows.extend(from.rows);
    into.losses.extend(from.losses);
    into.dicts.extend(from.dicts);
    into.state.extend(from.state);
}

fn not_stored_row(f: &NotStored) -> LossRow {
    LossRow {
        time_ms: now_ms(),
        kind: "not_stored",
        first_serial: f.first,
        last_serial: f.last,
        count: f.events,
        detail: format!("events that could not be written: {}", f.why),
        start_ms: f.start_ms,
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
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

fn reserve_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(".reserve");
    PathBuf::from(p)
}

/// Sets [`RESERVE_BYTES`] aside beside the database (written, not sparse,
/// so the blocks are really held), unless already there.
fn make_reserve(db: &Path) {
    use std::io::Write;
    let path = reserve_path(db);
    if path.exists() {
        return;
    }
    let made = std::fs::File::create(&path).and_then(|mut f| {
        let chunk = vec![0u8; 1 << 20];
        for _ in 0..RESERVE_BYTES / chunk.len() as u64 {
            f.write_all(&chunk)?;
        }
        f.sync_all()
    });
    if made.is_err() {
        // Not enough room now: the next rotation goes without it.
        let _ = std::fs::remove_file(&path);
    }
}

fn set_durability(store: &Writer, policy: &Policy) {
    if let Err(e) = store.set_synchronous(policy.durability.synchronous.pragma()) {
        eprintln!("raudit daemon: {e}");
    }
}

/// A time for messages: `2026-12-03 10:29:19 UTC`.
fn utc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    )
}
