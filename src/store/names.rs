//! The distinct names the store has seen, for shell completion.

use rusqlite::Connection;

/// Every key an event was stored with, in order.
pub fn key_names(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT DISTINCT key FROM keyset_member ORDER BY key")?;
    let keys = stmt.query_map([], |row| row.get(0))?;
    keys.collect()
}
