//! The writer's upkeep between batches: keeping the write-ahead log
//! bounded, and what a daemon
//! compares with when it starts again.

use rusqlite::params;

use super::{sqlite_err, StoreError, Writer};

/// Events deleted from the oldest end of the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deleted {
    pub events: u64,
    pub first_serial: u64,
    pub last_serial: u64,
    pub first_ms: i64,
    pub last_ms: i64,
}

impl Writer {
    /// Resets the write-ahead log once it is larger than `limit`. Readers
    /// keep old frames alive while they run, so only a checkpoint that
    /// waits for them to finish can start the log over; it waits briefly
    /// (ingest is paused meanwhile) and is tried again later if a reader
    /// is still busy.
    pub fn bound_wal(&self, limit: u64) -> Result<(), StoreError> {
        let wal = std::fs::metadata(self.wal_path()).map_or(0, |m| m.len());
        if wal <= limit {
            return Ok(());
        }
        let err = sqlite_err(self.path());
        let conn = self.conn();
        conn.busy_timeout(std::time::Duration::from_millis(200))
            .map_err(&err)?;
        let result = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            r.get::<_, i64>(0)
        });
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(&err)?;
        match result {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::DatabaseBusy =>
            {
                Ok(())
            }
            Err(e) => Err(err(e)),
        }
    }

    /// Copies the whole write-ahead log into the database and empties it,
    /// then closes the writer (its lock with it).
    pub fn checkpoint_truncate(self) -> Result<(), StoreError> {
        self.conn()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|_| ())
            .map_err(sqlite_err(self.path()))
    }

    /// Serials in `(after, upto]` that no stored event of `node` since
    /// `since_ms` has and no loss row covers: what a daemon that stopped
    /// without a word (killed, crashed) had received but not stored. The
    /// range starts at the first such event stored, so serials from before
    /// this boot's first daemon are not counted.
    pub fn unrecorded_serials(
        &self,
        after: u64,
        upto: u64,
        node: Option<&str>,
        since_ms: i64,
    ) -> Result<Vec<(u64, u64)>, StoreError> {
        let err = sqlite_err(self.path());
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT DISTINCT e.serial FROM event e JOIN shape s ON s.id = e.shape
                 WHERE e.serial > ?1 AND e.serial <= ?2 AND e.time_ms >= ?3 AND s.node IS ?4
                 ORDER BY e.serial",
            )
            .map_err(&err)?;
        let stored: Vec<u64> = stmt
            .query_map(params![after as i64, upto as i64, since_ms, node], |r| {
                r.get::<_, i64>(0).map(|s| s as u64)
            })
            .map_err(&err)?
            .collect::<rusqlite::Result<_>>()
            .map_err(&err)?;
        let mut holes = Vec::new();
        for pair in stored.windows(2) {
            if pair[1] > pair[0] + 1 {
                holes.push((pair[0] + 1, pair[1] - 1));
            }
        }
        let mut covered = conn
            .prepare(
                "SELECT first_serial, last_serial FROM loss
                 WHERE first_serial IS NOT NULL AND last_serial >= ?1 AND first_serial <= ?2",
            )
            .map_err(&err)?;
        let ranges: Vec<(u64, u64)> = covered
            .query_map(params![after as i64, upto as i64], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
            })
            .map_err(&err)?
            .collect::<rusqlite::Result<_>>()
            .map_err(&err)?;
        Ok(subtract(holes, &ranges))
    }
}

/// `holes` minus every range in `covered`.
fn subtract(holes: Vec<(u64, u64)>, covered: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut out = holes;
    for &(lo, hi) in covered {
        out = out
            .into_iter()
            .flat_map(|(a, b)| {
                let mut parts = Vec::new();
                if b < lo || a > hi {
                    parts.push((a, b));
                } else {
                    if a < lo {
                        parts.push((a, lo - 1));
                    }
                    if b > hi {
                        parts.push((hi + 1, b));
                    }
                }
                parts
            })
            .collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::subtract;

    #[test]
    fn covered_ranges_are_taken_out_of_holes() {
        assert_eq!(subtract(vec![(5, 10)], &[(7, 8)]), [(5, 6), (9, 10)]);
        assert_eq!(subtract(vec![(5, 10)], &[(1, 20)]), []);
        assert_eq!(
            subtract(vec![(5, 10), (20, 21)], &[(10, 20)]),
            [(5, 9), (21, 21)]
        );
    }
}
