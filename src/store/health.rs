//! What a monitoring check asks of the store: counts and ages, read-only.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension};

use super::query::{self, Filter};

/// How many events `filter` matches.
pub fn count_matching(conn: &Connection, filter: &Filter) -> rusqlite::Result<u64> {
    let (select, params) = query::select(filter);
    let sql = format!("SELECT count(*) FROM ({select})");
    conn.query_row(&sql, rusqlite::params_from_iter(params), |r| {
        r.get::<_, i64>(0)
    })
    .map(|n| n as u64)
}

/// Events lost, as the store recorded them: the sum of the loss rows'
/// counts and the rows' number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LossSum {
    pub lost: u64,
    pub rows: u64,
    /// The newest row's id, to count only later rows next time.
    pub last_id: i64,
}

/// Loss recorded between two times (milliseconds), either end open.
pub fn loss_between(
    conn: &Connection,
    start_ms: Option<i64>,
    end_ms: Option<i64>,
) -> rusqlite::Result<LossSum> {
    loss_sum(
        conn,
        "time_ms >= ?1 AND time_ms <= ?2",
        [start_ms.unwrap_or(i64::MIN), end_ms.unwrap_or(i64::MAX)],
    )
}

/// Loss recorded in rows after the row `after_id`.
pub fn loss_after(conn: &Connection, after_id: i64) -> rusqlite::Result<LossSum> {
    loss_sum(conn, "id > ?1 AND ?2", [after_id, 1])
}

fn loss_sum(conn: &Connection, clause: &str, params: [i64; 2]) -> rusqlite::Result<LossSum> {
    let sql = format!(
        "SELECT coalesce(sum(count), 0), count(*), coalesce(max(id), 0) FROM loss WHERE {clause}"
    );
    conn.query_row(&sql, params, |r| {
        Ok(LossSum {
            lost: r.get::<_, i64>(0)? as u64,
            rows: r.get::<_, i64>(1)? as u64,
            last_id: r.get(2)?,
        })
    })
}

/// The newest loss row's id (0 without any).
pub fn last_loss_id(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT coalesce(max(id), 0) FROM loss", [], |r| r.get(0))
}

/// The time of the newest stored event (milliseconds), `None` when empty.
pub fn last_event_ms(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.query_row("SELECT max(time_ms) FROM event", [], |r| r.get(0))
        .optional()
        .map(Option::flatten)
}

/// The process holding a database's writer lock (the daemon, an import),
/// with its command name; read from /proc/locks without taking the lock.
pub fn writer(db: &Path) -> Option<(u32, String)> {
    super::open::holder_of(db)
}

/// The newest stored event's position (0 when empty).
pub fn last_event_id(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT coalesce(max(id), 0) FROM event", [], |r| r.get(0))
}

/// How many events lie after position `after`, up to `upto`.
pub fn events_between(conn: &Connection, after: i64, upto: i64) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT count(*) FROM event WHERE id > ?1 AND id <= ?2",
        [after, upto],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n as u64)
}
