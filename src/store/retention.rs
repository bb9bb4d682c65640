//! Retention: deleting the oldest commits' events as one more link of the
//! chain, and the writer's side of the chain (its key, its checkpoints).
//!
//! A prune deletes whole commits, oldest first, at most [`PRUNE_BATCH`]
//! events per transaction so that ingest never waits longer than one such
//! batch: their events with their pieces, paths and enrichment, and the
//! loss rows they stored (DAEMON_START/END are events of those commits and
//! go with them). The newest deleted commit's chain row stays, emptied,
//! as the chain's new start; a prune row MACs it. The newest commit that
//! stored events is never deleted, so event ids keep growing. Freed pages
//! go back to the file system with an incremental vacuum (databases
//! created with `auto_vacuum = INCREMENTAL`; older ones reuse them).

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{params, Connection, OptionalExtension};

use super::chain::{checkpoint_path, Anchor, Chain, Key};
use super::{sqlite_err, Deleted, StoreError, Writer};

/// Events deleted per transaction at most.
pub const PRUNE_BATCH: u64 = 10_000;
/// How often the writer's checkpoint file is brought up to date.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(60);
/// Pages returned to the file system per prune step at most (4 KiB each).
const VACUUM_PAGES: i64 = 4096;

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub(super) fn load_chain(conn: &Connection, db: &Path, key: &Path) -> Result<Chain, StoreError> {
    let chain_err = |why: String| StoreError::Chain {
        path: db.to_path_buf(),
        why,
    };
    let key = Key::read_or_create(key).map_err(|e| chain_err(e.to_string()))?;
    Chain::load(conn, key)
        .map_err(sqlite_err(db))?
        .map_err(chain_err)
}

/// The writer's checkpoint file: the newest commit, saved now and then
/// (and when the writer closes) outside the database, so that `verify`
/// notices a truncated tail.
pub struct Checkpoint {
    last: Option<Instant>,
    path: std::path::PathBuf,
    /// The newest commit not saved yet.
    unsaved: Option<(i64, super::sha256::Digest)>,
}

impl Checkpoint {
    pub(super) fn new(chain: &Chain) -> Checkpoint {
        Checkpoint {
            last: None,
            path: checkpoint_path(&chain.key().path),
            unsaved: None,
        }
    }

    pub(super) fn maybe_save(&mut self, chain: &Chain) {
        self.unsaved = chain.head();
        if self.last.is_none_or(|t| t.elapsed() >= CHECKPOINT_EVERY) {
            self.save();
        }
    }

    fn save(&mut self) {
        let Some((seq, mac)) = self.unsaved.take() else {
            return;
        };
        self.last = Some(Instant::now());
        let anchor = Anchor {
            seq,
            mac,
            time_ms: now_ms(),
        };
        if let Err(e) = anchor.save(&self.path) {
            eprintln!(
                "raudit: writing the chain checkpoint {}: {e}",
                self.path.display()
            );
        }
    }
}

impl Drop for Checkpoint {
    fn drop(&mut self) {
        self.save();
    }
}

/// Which events a prune step deletes.
#[derive(Debug, Clone, Copy)]
pub enum Older {
    /// Events stored before this time (`max_age`, `prune --before`).
    Than(i64),
    /// The oldest events, this many (a size limit).
    Count(u64),
}

impl Writer {
    /// A database from before the chain (schema 7, upgraded): one commit
    /// covers what it holds, so that every stored event is in the chain
    /// from the first open on. Not when the key's checkpoint names a
    /// commit: then the chain was there and has been deleted, and covering
    /// the events again would hide whatever was done to them.
    pub(super) fn adopt(&mut self) -> Result<(), StoreError> {
        let holds: bool = self
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM event) OR EXISTS (SELECT 1 FROM loss)",
                [],
                |r| r.get(0),
            )
            .map_err(sqlite_err(self.path()))?;
        if self.chain.head().is_some() || !holds {
            return Ok(());
        }
        let checkpoint = checkpoint_path(&self.chain.key().path);
        if let Some(a) = std::fs::read_to_string(&checkpoint)
            .ok()
            .and_then(|t| Anchor::parse(&t))
        {
            return Err(StoreError::Chain {
                path: self.path().to_path_buf(),
                why: format!(
                    "has no chain, but the checkpoint {} names its commit {}: the chain was deleted; run raudit verify, keep this database as evidence and start a new one",
                    checkpoint.display(),
                    a.seq
                ),
            });
        }
        self.write_batch(super::Batch::default())
    }

    /// Copies the write-ahead log into the database and empties it, so
    /// that the file's size is what it holds (pages a prune's vacuum
    /// freed are cut off here).
    pub fn checkpoint_wal(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(sqlite_err(self.path()))
    }

    /// The chain's key file.
    pub fn key_path(&self) -> &Path {
        &self.chain.key().path
    }

    /// Deletes the oldest whole commits holding events `older`, at most
    /// [`PRUNE_BATCH`] events; `None` when nothing (more) can go. Call it
    /// again until it says none.
    pub fn prune_step(&mut self, older: Older) -> Result<Option<Deleted>, StoreError> {
        self.prune_step_into(older, None)
    }

    /// A prune step that first copies what it deletes into the archive
    /// named `archive` (a file name beside the database; see
    /// [`super::archive`]).
    pub fn prune_step_into(
        &mut self,
        older: Older,
        archive: Option<&str>,
    ) -> Result<Option<Deleted>, StoreError> {
        let archive_path = archive.map(|name| super::archive::path_of(self.path(), name));
        if let Some(p) = &archive_path {
            super::archive::attach(&self.conn, p)?;
        }
        let result = self.prune_tx(older, archive.unwrap_or(""));
        if let Some(p) = &archive_path {
            super::archive::detach(&self.conn, p)?;
        }
        let gone = result?;
        if gone.is_some() {
            // The deletion is committed and must be reported as such: space
            // not given back now (a full disk) is given back by a later step.
            let _ = self.vacuum(VACUUM_PAGES);
        }
        Ok(gone)
    }

    fn prune_tx(&mut self, older: Older, archive: &str) -> Result<Option<Deleted>, StoreError> {
        let path = self.path().to_path_buf();
        let err = sqlite_err(&path);
        let now = now_ms();
        let tx = self.conn.transaction().map_err(&err)?;
        let Some((upto_seq, upto_event, upto_loss)) = boundary(&tx, older).map_err(&err)? else {
            return Ok(None);
        };
        let gone = bounds(&tx, upto_event).map_err(&err)?;
        if !archive.is_empty() {
            super::archive::copy(&tx, upto_seq, upto_event, upto_loss).map_err(&err)?;
        }
        for sql in [
            "DELETE FROM event_path WHERE event_id <= ?1",
            "DELETE FROM body_more WHERE event_id <= ?1",
            "DELETE FROM enrichment WHERE event_id <= ?1",
            "DELETE FROM event WHERE id <= ?1",
        ] {
            tx.execute(sql, params![upto_event]).map_err(&err)?;
        }
        tx.execute("DELETE FROM loss WHERE id <= ?1", params![upto_loss])
            .map_err(&err)?;
        tx.execute("DELETE FROM chain WHERE seq < ?1", params![upto_seq])
            .map_err(&err)?;
        let mac: Vec<u8> = tx
            .query_row(
                "UPDATE chain SET items = x'', pieces = x'' WHERE seq = ?1 RETURNING mac",
                params![upto_seq],
                |r| r.get(0),
            )
            .map_err(&err)?;
        let mac = mac.try_into().unwrap_or([0; 32]);
        let sealed = self
            .chain
            .seal_prune(&tx, (upto_seq, mac), archive, now)
            .map_err(&err)?;
        tx.commit().map_err(&err)?;
        self.chain.advance(sealed);
        self.checkpoint.maybe_save(&self.chain);
        Ok(gone)
    }

    /// Gives up to `pages` free pages back to the file system (all with
    /// 0), where the database was created with incremental auto-vacuum.
    pub fn vacuum(&self, pages: i64) -> Result<(), StoreError> {
        // Each step of this pragma frees one page: run it to the end.
        let run = || -> rusqlite::Result<()> {
            let mut stmt = self
                .conn
                .prepare(&format!("PRAGMA incremental_vacuum({pages})"))?;
            let mut rows = stmt.query([])?;
            while rows.next()?.is_some() {}
            Ok(())
        };
        run().map_err(sqlite_err(self.path()))
    }
}

/// The newest commit a prune may delete through, with the last event and
/// loss row it covers: every event up to it `older`, at most a batch, and
/// never the newest commit that stored events.
fn boundary(conn: &Connection, older: Older) -> rusqlite::Result<Option<(i64, i64, i64)>> {
    let first: Option<i64> = conn.query_row("SELECT min(id) FROM event", [], |r| r.get(0))?;
    let Some(first) = first else {
        return Ok(None);
    };
    let cap = first + PRUNE_BATCH as i64 - 1;
    // `upto`: the last event a step may delete; `limit`: the last one that
    // may go at all, for a commit larger than a batch.
    let (upto, limit) = match older {
        Older::Count(n) => (first + n.min(PRUNE_BATCH) as i64 - 1, i64::MAX),
        Older::Than(ms) => {
            let young: Option<i64> = conn
                .query_row(
                    "SELECT id FROM event WHERE time_ms >= ?1 ORDER BY id LIMIT 1",
                    [ms],
                    |r| r.get(0),
                )
                .optional()?;
            let limit = young.map_or(i64::MAX, |y| y - 1);
            (limit.min(cap), limit)
        }
    };
    let newest_with_events: Option<i64> = conn.query_row(
        "SELECT max(seq) FROM chain WHERE last_event IS NOT NULL",
        [],
        |r| r.get(0),
    )?;
    let Some(newest) = newest_with_events else {
        return Ok(None);
    };
    // The newest commit within the batch; else, when the oldest commit
    // alone holds more, that one (a commit is never split).
    conn.query_row(
        "SELECT seq, (SELECT max(last_event) FROM chain c2 WHERE c2.seq <= c.seq),
                coalesce((SELECT max(last_loss) FROM chain c3 WHERE c3.seq <= c.seq), 0)
         FROM chain c
         WHERE last_event IS NOT NULL AND seq < ?2
           AND (last_event <= ?1
                OR (first_event <= ?3 AND last_event >= ?3 AND last_event <= ?4))
         ORDER BY (last_event <= ?1) DESC, seq DESC LIMIT 1",
        params![upto, newest, first, limit],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
}

fn bounds(conn: &Connection, upto: i64) -> rusqlite::Result<Option<Deleted>> {
    conn.query_row(
        "SELECT count(*), min(serial), max(serial), min(time_ms), max(time_ms)
         FROM event WHERE id <= ?1",
        [upto],
        |r| {
            let events: i64 = r.get(0)?;
            Ok((events > 0).then(|| Deleted {
                events: events as u64,
                first_serial: r.get::<_, Option<i64>>(1).ok().flatten().unwrap_or(0) as u64,
                last_serial: r.get::<_, Option<i64>>(2).ok().flatten().unwrap_or(0) as u64,
                first_ms: r.get::<_, Option<i64>>(3).ok().flatten().unwrap_or(0),
                last_ms: r.get::<_, Option<i64>>(4).ok().flatten().unwrap_or(0),
            }))
        },
    )
}
