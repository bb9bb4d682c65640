//! The order a database's events were read in, for the time ranges
//! aureport states (`report -t`, "Range of time in logs").
//!
//! aureport reads logs oldest first, each in its own order, and states the
//! first record it read and the first and last events it completed. Within
//! one import (and within what the daemon stored) the store's order is that
//! order; across imports it is not: a log imported after a newer one has
//! newer ids. So each import notes its ids and the time of its first record
//! (in `state`, key [`KEY`]), and a time range reads the stored runs of ids
//! oldest first: imports by their first record, runs the daemon stored by
//! their first event.

use rusqlite::{Connection, OptionalExtension};

/// The `state` key listing the imports: a JSON array of
/// `[first id, last id, first record's time in ms]`.
pub const KEY: &str = "imports";

/// A run of consecutive ids read as one log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub first_id: i64,
    pub last_id: i64,
    /// When its first record was stamped (the first event stored, for a
    /// run the daemon stored).
    pub first_read_ms: i64,
}

/// The imports noted so far.
pub fn imports(conn: &Connection) -> rusqlite::Result<Vec<Run>> {
    let text: Option<String> = conn
        .query_row("SELECT value FROM state WHERE key = ?1", [KEY], |r| {
            r.get(0)
        })
        .optional()?;
    let runs: Vec<[i64; 3]> = text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    Ok(runs
        .into_iter()
        .map(|[first_id, last_id, first_read_ms]| Run {
            first_id,
            last_id,
            first_read_ms,
        })
        .collect())
}

/// `runs` with one more, as the `state` value to store.
pub fn with_import(mut runs: Vec<Run>, run: Run) -> String {
    runs.push(run);
    let rows: Vec<[i64; 3]> = runs
        .iter()
        .map(|r| [r.first_id, r.last_id, r.first_read_ms])
        .collect();
    serde_json::to_string(&rows).unwrap_or_default()
}

/// The highest id stored (0 when none).
pub fn last_id(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT coalesce(max(id), 0) FROM event", [], |r| r.get(0))
}

/// Every stored run of ids, oldest first.
pub fn runs(conn: &Connection) -> rusqlite::Result<Vec<Run>> {
    let mut imported = imports(conn)?;
    imported.sort_by_key(|r| r.first_id);
    let mut all = Vec::new();
    let mut next = 1;
    let last = last_id(conn)?;
    for run in imported {
        if run.first_id > next {
            all.extend(stored(conn, next, run.first_id - 1)?);
        }
        next = next.max(run.last_id + 1);
        all.push(run);
    }
    if last >= next {
        all.extend(stored(conn, next, last)?);
    }
    all.sort_by_key(|r| (r.first_read_ms, r.first_id));
    Ok(all)
}

/// The ids from `first` to `last` as a run the daemon stored, if any.
fn stored(conn: &Connection, first: i64, last: i64) -> rusqlite::Result<Option<Run>> {
    let time: Option<i64> = conn
        .query_row(
            "SELECT time_ms FROM event WHERE id BETWEEN ?1 AND ?2 ORDER BY id LIMIT 1",
            [first, last],
            |r| r.get(0),
        )
        .optional()?;
    Ok(time.map(|first_read_ms| Run {
        first_id: first,
        last_id: last,
        first_read_ms,
    }))
}

/// The time of the first record read without a start time, else of the
/// first record read outside `[start, end]` (aureport remembers only the
/// records it skips once a start time is set): a run's first record when it
/// is outside, else the first event outside in the order it was stored
/// (the store keeps events, not the order of their other records).
pub fn first_read(conn: &Connection, outside: Option<(i64, i64)>) -> rusqlite::Result<Option<i64>> {
    let runs = runs(conn)?;
    let Some((start, end)) = outside else {
        return Ok(runs.first().map(|r| r.first_read_ms));
    };
    for run in &runs {
        if !(start..=end).contains(&run.first_read_ms) {
            return Ok(Some(run.first_read_ms));
        }
        let found = conn
            .query_row(
                "SELECT time_ms FROM event WHERE id BETWEEN ?1 AND ?2
                 AND NOT (time_ms >= ?3 AND time_ms <= ?4) ORDER BY id LIMIT 1",
                [run.first_id, run.last_id, start, end],
                |r| r.get(0),
            )
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// The times of the first and last events read in a time range.
pub fn time_bounds(
    conn: &Connection,
    start_ms: Option<i64>,
    end_ms: Option<i64>,
) -> rusqlite::Result<Option<(i64, i64)>> {
    let runs = runs(conn)?;
    let range = [start_ms.unwrap_or(i64::MIN), end_ms.unwrap_or(i64::MAX)];
    let at = |run: &Run, order: &str| {
        conn.query_row(
            &format!(
                "SELECT time_ms FROM event WHERE id BETWEEN ?1 AND ?2
                 AND time_ms >= ?3 AND time_ms <= ?4 ORDER BY id {order} LIMIT 1"
            ),
            [run.first_id, run.last_id, range[0], range[1]],
            |r| r.get::<_, i64>(0),
        )
        .optional()
    };
    let mut first = None;
    for run in &runs {
        first = at(run, "ASC")?;
        if first.is_some() {
            break;
        }
    }
    let mut last = None;
    for run in runs.iter().rev() {
        last = at(run, "DESC")?;
        if last.is_some() {
            break;
        }
    }
    Ok(first.zip(last))
}
