//! `raudit export`: a store's events and loss rows into the fleet's
//! tables, in batches, at least once.
//!
//! Each batch is the next events in store order after the cursor; once
//! the server has accepted it, the cursor moves to its last event (see
//! `cursor`). A batch whose answer was lost is sent again on the next
//! try, and collapses with the first copy (the tables' identity is node,
//! time, serial). Each batch is read in its own short read transaction,
//! so a running daemon's checkpoints are not held back while the network
//! is slow. An event the daemon may still add records to (open) ends the
//! export: it and what follows go on a later run.

use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::cursor::{Cursor, CursorError, CursorFile};
use super::{rows, Client, FleetError};
use crate::store::query::{self, Filter, Stored};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Fleet(#[from] FleetError),
    #[error(transparent)]
    Cursor(#[from] CursorError),
    #[error("reading the store: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("export cursor {path} names event {time_ms}:{serial} at position {position}, but the store holds another event there: is this the database it was made for? Remove the cursor to export this one from the start (events already in the fleet are not duplicated)")]
    Replaced {
        path: std::path::PathBuf,
        position: i64,
        time_ms: i64,
        serial: u64,
    },
}

/// How to export.
#[derive(Debug, Clone)]
pub struct Options {
    /// Events per insert.
    pub batch: usize,
    /// The node of events without one, and of the store's loss rows.
    pub node: String,
    /// How long to keep retrying while the server is unreachable.
    pub retry_for: Duration,
}

/// What an export did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub events: u64,
    pub batches: u64,
    pub loss_rows: u64,
    /// An event still open stopped the export there.
    pub stopped_at_open: bool,
}

/// ClickHouse refuses an insert touching more partitions (days) than
/// this (its max_partitions_per_insert_block is 100): a batch ends before.
const MAX_DAYS_PER_BATCH: usize = 50;

/// Sends what the cursor file says `client`'s tables lack; `retrying` is
/// told of each failed attempt that will be retried.
pub fn export(
    conn: &Connection,
    client: &Client,
    cursors: &mut CursorFile,
    options: &Options,
    mut retrying: impl FnMut(&FleetError),
) -> Result<Summary, ExportError> {
    let destination = client.url.display();
    let mut cursor = cursors.get(&destination);
    check_cursor(conn, cursors, &cursor)?;
    let mut summary = Summary::default();
    loop {
        let (batch, last, stopped) = next_batch(conn, cursor.position, options)?;
        summary.stopped_at_open |= stopped;
        let Some(last) = last else { break };
        insert(client, "events", &batch.body, options, &mut retrying)?;
        cursor.position = last.position;
        cursor.time_ms = last.event.id.time_ms();
        cursor.serial = last.event.id.serial;
        cursor.node = last.event.node.clone();
        cursors.set(&destination, cursor.clone())?;
        summary.events += batch.events;
        summary.batches += 1;
        if stopped {
            break;
        }
    }
    let losses = query::losses_after(conn, cursor.loss_position)?;
    if let Some((last, _)) = losses.last() {
        let mut body = Vec::new();
        for (_, row) in &losses {
            rows::loss_row(row, &options.node, &mut body);
        }
        insert(client, "loss", &body, options, &mut retrying)?;
        cursor.loss_position = *last;
        cursors.set(&destination, cursor)?;
        summary.loss_rows = losses.len() as u64;
    }
    Ok(summary)
}

/// The cursor's event, if the store still has it, must be the one it
/// names: a cursor beside a replaced database would skip its events.
/// (One no longer there was deleted by retention: the export goes on.)
fn check_cursor(conn: &Connection, file: &CursorFile, cursor: &Cursor) -> Result<(), ExportError> {
    if cursor.position <= 0 {
        return Ok(());
    }
    let filter = Filter {
        after_position: Some(cursor.position - 1),
        ..Filter::default()
    };
    let mut found = None;
    query::for_each_stored(conn, &filter, |s| -> rusqlite::Result<bool> {
        found = Some(s);
        Ok(false)
    })?;
    match found {
        Some(s)
            if s.position == cursor.position
                && (s.event.id.time_ms(), s.event.id.serial, &s.event.node)
                    != (cursor.time_ms, cursor.serial, &cursor.node) =>
        {
            Err(ExportError::Replaced {
                path: file.path().to_path_buf(),
                position: cursor.position,
                time_ms: cursor.time_ms,
                serial: cursor.serial,
            })
        }
        _ => Ok(()),
    }
}

/// Rows of one insert.
#[derive(Default)]
struct Batch {
    body: Vec<u8>,
    events: u64,
}

/// The next events after `position`, up to a batch: the rows, the last
/// event taken, and whether an open event ended it.
fn next_batch(
    conn: &Connection,
    position: i64,
    options: &Options,
) -> Result<(Batch, Option<Stored>, bool), ExportError> {
    let filter = Filter {
        after_position: Some(position),
        ..Filter::default()
    };
    let mut batch = Batch::default();
    let mut last = None;
    let mut days: Vec<i64> = Vec::new();
    let mut stopped = false;
    query::for_each_stored(conn, &filter, |stored| -> rusqlite::Result<bool> {
        if stored.open {
            stopped = true;
            return Ok(false);
        }
        let day = stored.event.id.sec.div_euclid(86_400);
        if !days.contains(&day) {
            if days.len() == MAX_DAYS_PER_BATCH {
                return Ok(false);
            }
            days.push(day);
        }
        rows::event_row(&stored, &options.node, &mut batch.body);
        batch.events += 1;
        last = Some(stored);
        Ok(batch.events < options.batch as u64)
    })?;
    Ok((batch, last, stopped))
}

/// Inserts JSONEachRow `body` into `table`, retrying while the server is
/// unreachable, for up to `options.retry_for` from the first failure.
fn insert(
    client: &Client,
    table: &str,
    body: &[u8],
    options: &Options,
    retrying: &mut impl FnMut(&FleetError),
) -> Result<(), FleetError> {
    let sql = format!(
        "INSERT INTO {}.{table} FORMAT JSONEachRow",
        client.url.database
    );
    let started = Instant::now();
    let mut pause = Duration::from_millis(200);
    loop {
        match client.execute(&sql, body) {
            Ok(_) => return Ok(()),
            Err(e) if e.is_transient() && started.elapsed() + pause <= options.retry_for => {
                retrying(&e);
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_secs(5));
            }
            Err(e) => return Err(e),
        }
    }
}
