//! The fleet's tables in ClickHouse, and the SQL that creates them
//! (`raudit fleet init`; its manual page shows the same statements).
//!
//! `events`: one row per event, with the local store's promoted columns
//! (from `store::shape`, the one description of them), the keys, record
//! types and PATH names as arrays, and the records' text as the local
//! store keeps it ('TYPE text' lines), from which searches print. `loss`:
//! the store's loss rows. Both are partitioned by day (old days drop as
//! whole partitions) and ordered for the filters users run: node, then
//! key, then time. ReplacingMergeTree on a sorting key that holds the
//! identity (node, time, serial) and values of the event itself (its first
//! key, a digest of its records), so the same event always sorts the same
//! and a batch inserted twice leaves one row per event. The digest keeps
//! apart the rare events a store holds under one stamp: ausearch's rules
//! split an event whose records came late into two, and two logs may hold
//! differing copies of one event.

use crate::store::shape::{INTS, TEXTS};

use super::{Client, FleetError};

/// The columns of `events` before and after the promoted ones.
const EVENT_HEAD: &[(&str, &str, &str)] = &[
    (
        "node",
        "String",
        "the host (the event's node=, else export's --node)",
    ),
    (
        "key",
        "String",
        "the first rule key, '' for none: in the sorting key",
    ),
    ("time", "DateTime", "seconds since the epoch"),
    ("msec", "UInt16", "milliseconds"),
    ("serial", "UInt64", "the kernel's serial number"),
    (
        "digest",
        "UInt64",
        "FNV-1a of records: two events of one stamp",
    ),
    ("keys", "Array(String)", "every rule key of the event"),
    ("types", "Array(UInt32)", "its record types, ascending"),
];
const EVENT_TAIL: &[(&str, &str, &str)] = &[
    ("paths", "Array(String)", "PATH records' names"),
    ("records", "String", "'TYPE text' lines, in arrival order"),
    (
        "enrichment",
        "Nullable(String)",
        "auditd's ENRICHED text of an imported event",
    ),
    ("malformed", "UInt8", "1: a record did not parse"),
    (
        "position",
        "UInt64",
        "its place in its node's store: arrival order",
    ),
];

/// Every column of `events`: (name, ClickHouse type, what it holds).
pub fn event_columns() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut columns = EVENT_HEAD.to_vec();
    columns.extend(INTS.iter().map(|c| (c.name, "Nullable(Int64)", "")));
    columns.extend(TEXTS.iter().map(|c| (*c, "Nullable(String)", "")));
    columns.extend_from_slice(EVENT_TAIL);
    columns
}

const LOSS_COLUMNS: &[(&str, &str, &str)] = &[
    ("node", "String", "the host whose store recorded it"),
    ("time", "DateTime", "when it was recorded"),
    ("msec", "UInt16", ""),
    (
        "start_ms",
        "Nullable(Int64)",
        "the start of the period it covers",
    ),
    ("kind", "String", "kernel_lost, serial_gap, overrun, ..."),
    ("first_serial", "UInt64", "0: none"),
    ("last_serial", "UInt64", "0: none"),
    ("count", "UInt64", "events missing"),
    ("detail", "String", ""),
];

/// What `fleet init` creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub database: String,
    /// Days a row is kept (ClickHouse's table TTL), or forever.
    pub ttl_days: Option<u32>,
}

/// The statements `fleet init` runs, in order. Each is idempotent (IF NOT
/// EXISTS), so init may run again, and on every host.
pub fn statements(options: &Options) -> Vec<String> {
    let db = &options.database;
    let ttl = options
        .ttl_days
        .map(|d| format!("\nTTL time + INTERVAL {d} DAY"))
        .unwrap_or_default();
    vec![
        format!("CREATE DATABASE IF NOT EXISTS {db}"),
        format!(
            "CREATE TABLE IF NOT EXISTS {db}.events (\n{}\n) ENGINE = ReplacingMergeTree\n\
             PARTITION BY toDate(time)\nORDER BY (node, key, time, msec, serial, digest){ttl}",
            column_list(&event_columns())
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS {db}.loss (\n{}\n) ENGINE = ReplacingMergeTree\n\
             PARTITION BY toDate(time)\n\
             ORDER BY (node, time, msec, kind, first_serial, last_serial){ttl}",
            column_list(LOSS_COLUMNS)
        ),
    ]
}

/// Column definitions, one a line, each with its meaning as a comment.
fn column_list(columns: &[(&str, &str, &str)]) -> String {
    let mut lines = Vec::new();
    for (i, (name, ty, what)) in columns.iter().enumerate() {
        let comma = if i + 1 < columns.len() { "," } else { "" };
        let line = format!("    {name} {ty}{comma}");
        lines.push(if what.is_empty() {
            line
        } else {
            format!("{line:<40} -- {what}")
        });
    }
    lines.join("\n")
}

/// The first ClickHouse release with table TTL.
const TTL_SINCE: (u32, u32) = (19, 6);

/// Creates the tables (see [`statements`]). A TTL asked of a server too
/// old to keep one is refused before anything is created.
pub fn init(client: &Client, options: &Options) -> Result<(), FleetError> {
    if options.ttl_days.is_some() {
        let version = server_version(client)?;
        if version < TTL_SINCE {
            return Err(FleetError::Unsupported {
                server: client.url.display(),
                why: format!(
                    "ClickHouse {}.{} has no table TTL (19.6 and later have it); run init without --ttl-days and drop old days with ALTER TABLE {}.events DROP PARTITION 'YYYY-MM-DD'",
                    version.0, version.1, options.database
                ),
            });
        }
    }
    for sql in statements(options) {
        client.query(&sql)?;
    }
    Ok(())
}

/// The server's (major, minor) version.
pub fn server_version(client: &Client) -> Result<(u32, u32), FleetError> {
    let body = client.query("SELECT version()")?;
    let text = String::from_utf8_lossy(&body);
    let mut parts = text.trim().split('.').map(|p| p.parse::<u32>());
    match (parts.next(), parts.next()) {
        (Some(Ok(major)), Some(Ok(minor))) => Ok((major, minor)),
        _ => Err(FleetError::Answer {
            server: client.url.display(),
            why: format!("version() gave {:?}", text.trim()),
        }),
    }
}

/// The statements as the manual page shows them.
pub fn manual_text() -> String {
    let example = Options {
        database: super::http::DEFAULT_DATABASE.into(),
        ttl_days: Some(90),
    };
    statements(&example)
        .iter()
        .map(|s| format!("{s};"))
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_promoted_column_is_a_fleet_column() {
        let columns = event_columns();
        for c in INTS.iter().map(|c| c.name).chain(TEXTS) {
            assert!(columns.iter().any(|(n, _, _)| *n == c), "{c}");
        }
        let mut names: Vec<_> = columns.iter().map(|c| c.0).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), columns.len(), "a column named twice");
    }

    #[test]
    fn statements_name_the_database_and_the_ttl() {
        let plain = statements(&Options {
            database: "audit".into(),
            ttl_days: None,
        });
        assert_eq!(plain[0], "CREATE DATABASE IF NOT EXISTS audit");
        assert!(plain[1].starts_with("CREATE TABLE IF NOT EXISTS audit.events (\n    node String,"));
        assert!(plain[1].contains("ORDER BY (node, key, time, msec, serial, digest)"));
        assert!(plain.iter().all(|s| !s.contains("TTL")));
        let kept = statements(&Options {
            database: "audit".into(),
            ttl_days: Some(30),
        });
        assert!(kept[1].ends_with("\nTTL time + INTERVAL 30 DAY"));
        assert!(kept[2].ends_with("\nTTL time + INTERVAL 30 DAY"));
    }
}
