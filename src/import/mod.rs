//! Loading auditd log files into the store, so that users migrating from
//! auditd keep their history, and so that `search -if` can query a log.
//!
//! A log is read line by line (raw or ENRICHED format: the part after the
//! `\x1d` separator, auditd's interpretation, is kept aside in the
//! `enrichment` table), its records are grouped into events as ausearch
//! groups a log ([`crate::event::LogEvents`]), and the events go through
//! the store's writer in batches. Lines without a readable
//! `audit(SEC.MSEC:SERIAL)` stamp are skipped and counted, as ausearch
//! skips them.
//!
//! Importing is idempotent: an event whose records are already stored
//! under the same time, serial and node is skipped, whether an earlier
//! import or the daemon put it there. So importing a log twice, or a log
//! that overlaps what the daemon recorded beside auditd, adds nothing.

pub mod enrich;
mod files;
mod progress;

use std::cell::RefCell;
use std::collections::HashSet;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::mpsc;

use crate::event::{Event, LogEvents};
use crate::record::{parse_log_line, EventId, Record};
use crate::store::{self, Encoder, StoreError, Writer};
pub use files::log_files;
pub use progress::Progress;

/// Events written per transaction.
const BATCH: usize = 2000;

/// What an import did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub records: u64,
    /// Events read from the logs.
    pub events: u64,
    /// Events stored by this import.
    pub added: u64,
    /// Events skipped because the store already held them.
    pub duplicates: u64,
    /// Lines skipped for want of a readable stamp.
    pub skipped: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("reading {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the import's writer stopped unexpectedly; events committed before it stopped are stored, run the import again for the rest")]
    WriterPanicked,
    /// Nothing in the input looked like an audit record: nothing imported,
    /// and no database created.
    #[error("no audit records found in {paths} ({why}); nothing imported")]
    NoRecords { paths: String, why: String },
}

/// Records read from a sequence of log files (or any readers), one line
/// each; empty lines are skipped, undecodable bytes replaced.
struct Lines<'p> {
    sources: std::vec::IntoIter<(PathBuf, Box<dyn BufRead>)>,
    current: Option<(PathBuf, Box<dyn BufRead>)>,
    buf: Vec<u8>,
    progress: &'p mut Progress,
    error: Option<ImportError>,
    records: u64,
    skipped: u64,
    pending: Rc<RefCell<enrich::Pending>>,
}

impl Iterator for Lines<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        loop {
            if self.current.is_none() {
                let (path, reader) = self.sources.next()?;
                self.progress.start_file(&path);
                self.current = Some((path, reader));
            }
            let (path, reader) = self.current.as_mut()?;
            self.buf.clear();
            match reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => {
                    self.current = None;
                }
                Ok(n) => {
                    self.progress.advance(n as u64);
                    let line = String::from_utf8_lossy(&self.buf);
                    let line = line.trim_end_matches(['\n', '\r']);
                    if line.is_empty() {
                        continue;
                    }
                    let (raw, extra) = match line.split_once('\x1d') {
                        Some((raw, extra)) => (raw, Some(extra)),
                        None => (line, None),
                    };
                    let record = parse_log_line(raw);
                    if record.id == EventId::default() && record.error().is_some() {
                        self.skipped += 1;
                        continue;
                    }
                    if let Some(extra) = extra {
                        self.pending.borrow_mut().hold(&record, extra.to_string());
                    }
                    self.records += 1;
                    return Some(record);
                }
                Err(source) => {
                    self.error = Some(ImportError::Read {
                        path: path.clone(),
                        source,
                    });
                    return None;
                }
            }
        }
    }
}

/// Where log text comes from: files, or standard input.
pub enum Source {
    File(PathBuf),
    Stdin,
}

impl Source {
    fn open(self) -> Result<(PathBuf, u64, Box<dyn BufRead>), ImportError> {
        match self {
            Source::Stdin => Ok((
                PathBuf::from("-"),
                0,
                Box::new(std::io::BufReader::new(std::io::stdin())),
            )),
            Source::File(path) => {
                let read_err = |source| ImportError::Read {
                    path: path.clone(),
                    source,
                };
                let file = std::fs::File::open(&path).map_err(read_err)?;
                let len = file.metadata().map_or(0, |m| m.len());
                Ok((path, len, Box::new(std::io::BufReader::new(file))))
            }
        }
    }
}

/// Imports `sources`, in order, into the database at `db`.
pub fn import(
    sources: Vec<Source>,
    db: &Path,
    progress: &mut Progress,
) -> Result<Summary, ImportError> {
    let mut opened = Vec::new();
    let mut total = 0;
    for s in sources {
        let (path, len, reader) = s.open()?;
        total += len;
        opened.push((path, reader));
    }
    progress.set_total(total);
    let files = opened.len();
    let paths = opened
        .iter()
        .map(|(p, _)| match p.as_os_str() == "-" {
            true => "standard input".into(),
            false => p.display().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut lines = Lines {
        sources: opened.into_iter(),
        current: None,
        buf: Vec::new(),
        progress,
        error: None,
        records: 0,
        skipped: 0,
        pending: Rc::default(),
    };
    let pending = lines.pending.clone();
    // The store is opened (and created) only once the input has shown a
    // record: `raudit import /etc/passwd` leaves no database behind.
    let Some(first) = lines.next() else {
        return Err(lines.error.take().unwrap_or(ImportError::NoRecords {
            paths,
            why: match lines.skipped {
                0 => "no lines".into(),
                n => format!("{n} line(s) without an audit(...) stamp"),
            },
        }));
    };
    let first_read_ms = first.id.time_ms();
    let writer = Writer::open_keyed(db, &crate::config::chain_key_for(db))?;
    writer.set_cache_mib(IMPORT_CACHE_MIB)?;
    let before = last_id(db)?;
    let run = (db.to_path_buf(), before, first_read_ms);
    let mut encoder = Encoder::new(writer.dict_state()?);
    let mut summary = Summary {
        files,
        ..Summary::default()
    };
    // Reading, assembling and encoding here; skipping what the store
    // holds and committing on the writer's thread, so that both cores work.
    let (to_writer, batches) = mpsc::sync_channel::<Encoded>(QUEUED_BATCHES);
    let writing = std::thread::spawn(move || write_batches(writer, batches, run));
    let mut batch = Batch::default();
    for event in LogEvents::new(std::iter::once(first).chain(&mut lines)) {
        summary.events += 1;
        let extras = pending.borrow_mut().take(&event);
        let key = Batch::key(&event);
        if batch.keys.contains(&key) {
            summary.duplicates += 1;
            continue;
        }
        batch.push(key, event, extras);
        // A writer that stopped has its error returned below.
        if batch.events.len() >= BATCH && !batch.send(&mut encoder, &to_writer) {
            break;
        }
    }
    batch.send(&mut encoder, &to_writer);
    drop(to_writer);
    let (added, stored_before) = writing.join().map_err(|_| ImportError::WriterPanicked)??;
    summary.added = added;
    summary.duplicates += stored_before;
    summary.records = lines.records;
    summary.skipped = lines.skipped;
    if let Some(e) = lines.error.take() {
        return Err(e);
    }
    lines.progress.finish(&summary);
    Ok(summary)
}

fn last_id(db: &Path) -> Result<i64, ImportError> {
    let conn = store::open_read_only(db)?;
    store::imports::last_id(&conn).map_err(|source| ImportError::Store(store_err(db, source)))
}

fn store_err(db: &Path, source: rusqlite::Error) -> StoreError {
    StoreError::Sqlite {
        path: db.to_path_buf(),
        source,
    }
}

/// Notes the ids this import added and the time of its first record, so
/// that time ranges read it in its place among older and newer logs
/// (see [`store::imports`]).
fn note_run(
    writer: &mut Writer,
    (db, before, first_read_ms): (PathBuf, i64, i64),
) -> Result<(), StoreError> {
    let db = db.as_path();
    let conn = store::open_read_only(db)?;
    let last = store::imports::last_id(&conn).map_err(|e| store_err(db, e))?;
    if last <= before {
        return Ok(());
    }
    let runs = store::imports::imports(&conn).map_err(|e| store_err(db, e))?;
    let run = store::imports::Run {
        first_id: before + 1,
        last_id: last,
        first_read_ms,
    };
    let value = store::imports::with_import(runs, run);
    writer.write_batch(store::Batch {
        state: vec![(store::imports::KEY, rusqlite::types::Value::Text(value))],
        ..store::Batch::default()
    })?;
    Ok(())
}

/// Events waiting for their transaction, and what they are, so that an
/// event repeated within one batch is caught too.
#[derive(Default)]
struct Batch {
    events: Vec<Event>,
    extras: Vec<Option<String>>,
    keys: HashSet<Key>,
}

/// An event's stamp, node and records, as one batch tells repeats apart.
type Key = (i64, u64, Option<String>, String);

/// A batch encoded for the writer, with its events (to look for them in
/// the store first).
struct Encoded {
    events: Vec<Event>,
    rows: store::Batch,
}

/// Batches encoded ahead of the writer: enough to keep both threads busy,
/// few enough to bound memory.
const QUEUED_BATCHES: usize = 2;
/// The import's page cache: more than the daemon's, for a run of minutes
/// into a store that may be large (16 MiB cut a busy import's time into an
/// 80 MB store by 15%).
const IMPORT_CACHE_MIB: u32 = 32;

impl Batch {
    fn key(event: &Event) -> Key {
        (
            event.id.time_ms(),
            event.id.serial,
            event.node.clone(),
            store::body_text(&event.records),
        )
    }

    fn push(&mut self, key: Key, event: Event, extras: Option<enrich::Extras>) {
        self.keys.insert(key);
        self.events.push(event);
        self.extras.push(extras.as_ref().map(enrich::encode));
    }

    /// Encodes the events with their enrichment and hands them to the
    /// writer; `false` when the writer has stopped.
    fn send(&mut self, encoder: &mut Encoder, to_writer: &mpsc::SyncSender<Encoded>) -> bool {
        self.keys.clear();
        if self.events.is_empty() {
            return true;
        }
        let rows = encoder.batch(self.events.iter().zip(self.extras.drain(..)));
        let events = std::mem::take(&mut self.events);
        to_writer.send(Encoded { events, rows }).is_ok()
    }
}

/// The writer's thread: each batch without the events the store already
/// holds, in one transaction, then the note of this import's run (`run`:
/// the database, its last id before, the time of the first record read).
/// Returns the events added and those skipped.
fn write_batches(
    mut writer: Writer,
    batches: mpsc::Receiver<Encoded>,
    run: (PathBuf, i64, i64),
) -> Result<(u64, u64), StoreError> {
    let (mut added, mut skipped) = (0, 0);
    for Encoded { events, mut rows } in batches {
        let mut kept = Vec::with_capacity(rows.rows.len());
        for (event, row) in events.iter().zip(rows.rows.drain(..)) {
            if writer.contains(event)? {
                skipped += 1;
            } else {
                kept.push(row);
            }
        }
        added += kept.len() as u64;
        rows.rows = kept;
        writer.write_batch(rows)?;
    }
    note_run(&mut writer, run)?;
    Ok((added, skipped))
}

#[cfg(test)]
mod tests;
