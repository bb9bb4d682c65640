//! The processes behind the events a filter matches, for `search --tree`:
//! per process (pid, parent, program) how many events and the first one,
//! from the shapes and the event index (no body is read).

use rusqlite::{types::Value, Connection};

use super::query::{build, Filter};

/// One process's events, as one (pid, ppid, exe) of the shapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessEvents {
    pub pid: i64,
    pub ppid: Option<i64>,
    pub exe: Option<String>,
    pub count: u64,
    /// The first event: its store position, time and serial.
    pub first_position: i64,
    pub first_time_ms: i64,
    pub first_serial: u64,
}

/// The processes of the matching events, in the order of their first.
pub fn processes(conn: &Connection, filter: &Filter) -> rusqlite::Result<Vec<ProcessEvents>> {
    let (mut clauses, params) = build(filter);
    clauses.push("s.pid IS NOT NULL".into());
    // SQLite takes the bare columns time_ms and serial from the row that
    // has min(e.id): the first event's.
    let sql = format!(
        "SELECT s.pid, s.ppid, s.exe, count(*), min(e.id), e.time_ms, e.serial
         FROM event e JOIN shape s ON s.id = e.shape
         WHERE {}
         GROUP BY s.pid, s.ppid, s.exe
         ORDER BY 5",
        clauses.join(" AND ")
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter::<Vec<Value>>(params), |r| {
        Ok(ProcessEvents {
            pid: r.get(0)?,
            ppid: r.get(1)?,
            exe: r.get(2)?,
            count: r.get::<_, i64>(3)? as u64,
            first_position: r.get(4)?,
            first_time_ms: r.get(5)?,
            first_serial: r.get::<_, i64>(6)? as u64,
        })
    })?;
    rows.collect()
}
