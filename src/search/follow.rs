//! `search --follow`: events passed on as they are stored, until stopped.
//!
//! The follower keeps a cursor, the store position of the last event it
//! has dealt with; positions only grow (each event's row is appended, and
//! retention deletes from the oldest end), so every event is seen once,
//! across daemon restarts too, and a checkpoint can hold the cursor.
//!
//! An event is passed on once it is final: a stored event the daemon may
//! still add records to (its `open` flag) holds back the ones stored after
//! it, so that output stays in store order and shows whole events. The
//! daemon closes every event within its `eoe_timeout`; one still open after
//! [`GRACE`] (a daemon killed mid-event) is passed on as it stands.
//!
//! Each round reads in one snapshot, so an event committed during a round
//! is left for the next one rather than skipped.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension};

use crate::store::query::{self, Filter, Stored};
use crate::store::{self, StoreError};

/// How long an event may stay open before it is passed on anyway: longer
/// than any `eoe_timeout` the daemon accepts.
pub const GRACE: Duration = Duration::from_secs(15);

/// How often the store is looked at when nothing new came.
pub const POLL: Duration = Duration::from_millis(100);

/// Where following starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// After the newest event stored now.
    Now,
    /// From the first event stored (a time filter then picks the start).
    All,
    /// After a checkpoint's position.
    After(i64),
}

/// A follower over one database path. Each round opens the store afresh
/// and closes it: a daemon that stops deletes the write-ahead log and its
/// index (a read-only connection does not keep it from doing so), the next
/// daemon makes new ones, and SQLite shares one index per file among a
/// process's connections, so a connection kept open would keep every later
/// one of the process reading the deleted index. No other connection to the
/// store may stay open in the process while it follows.
pub struct Follower {
    db: PathBuf,
    /// The database file followed (device, inode, birth time: a new file
    /// often takes the inode number of the one deleted): a file put in
    /// its place (a deleted store that the daemon started again) is
    /// followed from its first event.
    file: FileId,
    cursor: i64,
    /// The open event holding the others back, and since when.
    held: Option<(i64, Instant)>,
}

/// What one round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// Go on (false: the consumer asked to stop).
    pub more: bool,
    /// The database at the path was replaced and is followed anew.
    pub replaced: bool,
}

impl Follower {
    pub fn open(db: &Path, start: Start) -> Result<Follower, StoreError> {
        let conn = store::open_read_only(db)?;
        let file = identity(db).map_err(|_| StoreError::Missing {
            path: db.to_path_buf(),
        })?;
        let cursor = match start {
            Start::Now => newest(&conn).map_err(store::sqlite_err(db))?,
            Start::All => 0,
            Start::After(position) => position,
        };
        Ok(Follower {
            db: db.to_path_buf(),
            file,
            cursor,
            held: None,
        })
    }

    /// The position of the last event dealt with (for a checkpoint).
    pub fn cursor(&self) -> i64 {
        self.cursor
    }

    /// Passes on, in store order, the final events matching `filter` that
    /// were stored since the last round.
    pub fn round<E>(
        &mut self,
        filter: &Filter,
        now: Instant,
        each: impl FnMut(Stored) -> Result<bool, E>,
    ) -> Result<Round, E>
    where
        E: From<StoreError> + From<rusqlite::Error>,
    {
        let replaced = self.follow_replacement();
        if replaced.is_none() {
            // Gone for now: the daemon makes it again at the same path.
            return Ok(Round {
                more: true,
                replaced: false,
            });
        }
        let conn = store::open_read_only(&self.db)?;
        conn.execute_batch("BEGIN")
            .map_err(store::sqlite_err(&self.db))?;
        let result = self.read(&conn, filter, now, each);
        // A read transaction: nothing to keep, ending it cannot lose data.
        let _ = conn.execute_batch("COMMIT");
        let more = result?;
        Ok(Round {
            more,
            replaced: replaced == Some(true),
        })
    }

    fn read<E>(
        &mut self,
        conn: &Connection,
        filter: &Filter,
        now: Instant,
        mut each: impl FnMut(Stored) -> Result<bool, E>,
    ) -> Result<bool, E>
    where
        E: From<StoreError> + From<rusqlite::Error>,
    {
        let newest = newest(conn)?;
        let end = match self.barrier(conn, now)? {
            Some(open) => open - 1,
            None => newest,
        };
        if end <= self.cursor {
            return Ok(true);
        }
        let window = Filter {
            after_position: Some(self.cursor),
            through_position: Some(end),
            ..filter.clone()
        };
        let mut more = true;
        let mut last = self.cursor;
        query::for_each_stored(conn, &window, |stored| {
            last = stored.position;
            more = each(stored)?;
            Ok::<bool, E>(more)
        })?;
        // Stopped early: what came after the last one passed on is not done.
        self.cursor = if more { end } else { last };
        Ok(more)
    }

    /// The first event after the cursor that is still open and not yet
    /// past its grace.
    fn barrier(&mut self, conn: &Connection, now: Instant) -> rusqlite::Result<Option<i64>> {
        let mut after = self.cursor;
        loop {
            let Some(open) = first_open_after(conn, after)? else {
                self.held = None;
                return Ok(None);
            };
            match self.held {
                Some((id, since)) if id == open => {
                    if now.duration_since(since) < GRACE {
                        return Ok(Some(open));
                    }
                    // Given up on: pass it on as it stands.
                    after = open;
                    self.held = None;
                }
                _ => {
                    self.held = Some((open, now));
                    return Ok(Some(open));
                }
            }
        }
    }

    /// Whether the file at the path is another one than before (then
    /// followed from its start); `None` while there is none.
    fn follow_replacement(&mut self) -> Option<bool> {
        let file = identity(&self.db).ok()?;
        if file == self.file {
            return Some(false);
        }
        self.file = file;
        self.cursor = 0;
        self.held = None;
        Some(true)
    }
}

type FileId = (u64, u64, Option<std::time::SystemTime>);

fn identity(db: &Path) -> std::io::Result<FileId> {
    let meta = std::fs::metadata(db)?;
    Ok((meta.dev(), meta.ino(), meta.created().ok()))
}

/// The newest event's position, 0 for none.
fn newest(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT coalesce(max(id), 0) FROM event", [], |r| r.get(0))
}

fn first_open_after(conn: &Connection, after: i64) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT id FROM event WHERE id > ?1 AND flags & ?2 != 0 ORDER BY id LIMIT 1",
        rusqlite::params![after, store::FLAG_OPEN],
        |r| r.get(0),
    )
    .optional()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{parse_log_line, Record};
    use crate::store::shape::Summary;
    use crate::store::{Batch, Encoder, Part, Piece, Writer};

    fn records(serial: u64) -> Vec<Record> {
        vec![parse_log_line(&format!(
            "type=SYSCALL msg=audit(1700000000.000:{serial}): arch=c000003e syscall=2 success=yes exit=3 pid=9 uid=0 auid=0 ses=1 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"k\""
        ))]
    }

    /// Stores event `serial` as the daemon does: `open` while more records
    /// may come, later closed by [`close`].
    fn store(writer: &mut Writer, serial: u64, open: bool) {
        let records = records(serial);
        let mut encoder = Encoder::new(writer.dict_state().unwrap());
        let row = encoder.piece(
            Piece {
                token: serial,
                id: records[0].id,
                node: None,
                part: Part::First,
                open,
                records: &records,
            },
            &mut Summary::default(),
        );
        let mut batch = Batch::default();
        batch.rows.push(row);
        writer.write_batch(batch).unwrap();
    }

    fn close(writer: &mut Writer, serial: u64) {
        let mut encoder = Encoder::new(writer.dict_state().unwrap());
        let row = encoder.piece(
            Piece {
                token: serial,
                id: records(serial)[0].id,
                node: None,
                part: Part::Close,
                open: false,
                records: &[],
            },
            &mut Summary::default(),
        );
        let mut batch = Batch::default();
        batch.rows.push(row);
        writer.write_batch(batch).unwrap();
    }

    fn serials(follower: &mut Follower, now: Instant) -> Vec<u64> {
        let mut seen = Vec::new();
        let round = follower
            .round(&Filter::default(), now, |s| {
                seen.push(s.event.id.serial);
                Ok::<bool, anyhow::Error>(true)
            })
            .unwrap();
        assert!(round.more);
        seen
    }

    #[test]
    fn events_stored_after_the_start_come_once_each_in_store_order() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("audit.db");
        let mut writer = Writer::open(&db).unwrap();
        store(&mut writer, 1, false);
        let now = Instant::now();
        let mut from_now = Follower::open(&db, Start::Now).unwrap();
        let mut from_all = Follower::open(&db, Start::All).unwrap();
        assert_eq!(serials(&mut from_now, now), Vec::<u64>::new());
        store(&mut writer, 2, false);
        store(&mut writer, 3, false);
        assert_eq!(serials(&mut from_now, now), [2, 3]);
        assert_eq!(serials(&mut from_now, now), Vec::<u64>::new());
        assert_eq!(serials(&mut from_all, now), [1, 2, 3]);
        let mut resumed = Follower::open(&db, Start::After(from_now.cursor() - 1)).unwrap();
        assert_eq!(serials(&mut resumed, now), [3]);
    }

    #[test]
    fn an_open_event_holds_later_ones_back_until_it_is_final_or_given_up() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("audit.db");
        let mut writer = Writer::open(&db).unwrap();
        let mut follower = Follower::open(&db, Start::Now).unwrap();
        let t0 = Instant::now();
        store(&mut writer, 1, false);
        store(&mut writer, 2, true);
        store(&mut writer, 3, false);
        assert_eq!(serials(&mut follower, t0), [1]);
        assert_eq!(serials(&mut follower, t0 + GRACE / 2), Vec::<u64>::new());
        close(&mut writer, 2);
        assert_eq!(serials(&mut follower, t0 + GRACE / 2), [2, 3]);
        // A daemon killed mid-event never closes it: given up after GRACE.
        store(&mut writer, 4, true);
        store(&mut writer, 5, false);
        assert_eq!(serials(&mut follower, t0), Vec::<u64>::new());
        assert_eq!(serials(&mut follower, t0 + GRACE / 2), Vec::<u64>::new());
        assert_eq!(serials(&mut follower, t0 + GRACE), [4, 5]);
    }

    #[test]
    fn a_consumer_that_stops_resumes_after_the_last_event_it_took() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("audit.db");
        let mut writer = Writer::open(&db).unwrap();
        let mut follower = Follower::open(&db, Start::Now).unwrap();
        for serial in 1..=3 {
            store(&mut writer, serial, false);
        }
        let mut seen = Vec::new();
        let round = follower
            .round(&Filter::default(), Instant::now(), |s| {
                seen.push(s.event.id.serial);
                Ok::<bool, anyhow::Error>(false)
            })
            .unwrap();
        assert!(!round.more);
        assert_eq!(seen, [1]);
        assert_eq!(serials(&mut follower, Instant::now()), [2, 3]);
    }

    #[test]
    fn a_database_put_in_place_of_the_followed_one_is_followed_from_its_start() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("audit.db");
        let mut writer = Writer::open(&db).unwrap();
        store(&mut writer, 1, false);
        let mut follower = Follower::open(&db, Start::Now).unwrap();
        drop(writer);
        for side in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{side}", db.display()));
        }
        let mut writer = Writer::open(&db).unwrap();
        store(&mut writer, 7, false);
        let mut seen = Vec::new();
        let round = follower
            .round(&Filter::default(), Instant::now(), |s| {
                seen.push(s.event.id.serial);
                Ok::<bool, anyhow::Error>(true)
            })
            .unwrap();
        assert!(round.replaced);
        assert_eq!(seen, [7]);
    }
}
