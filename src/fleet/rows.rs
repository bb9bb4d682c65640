//! Rows for the fleet's tables, as ClickHouse's JSONEachRow format takes
//! them: one JSON object a line, named by the columns of `schema`.

use serde_json::{Map, Value};

use crate::store::query::Stored;
use crate::store::shape::{Summary, INTS, TEXTS};
use crate::store::{body_text, LossRow};

/// One `events` row; events without a node= get `default_node`.
pub fn event_row(stored: &Stored, default_node: &str, out: &mut Vec<u8>) {
    let event = &stored.event;
    let mut summary = Summary::default();
    let mut paths = Vec::new();
    for r in &event.records {
        paths.extend(summary.add(r));
    }
    let malformed = summary.malformed;
    let shape = summary.into_shape(event.node.as_deref());
    let mut row = Map::new();
    let node = event.node.as_deref().unwrap_or(default_node);
    row.insert("node".into(), node.into());
    let key = shape.keys.first().cloned().unwrap_or_default();
    row.insert("key".into(), key.into());
    row.insert("time".into(), event.id.sec.max(0).into());
    row.insert("msec".into(), event.id.msec.into());
    row.insert("serial".into(), event.id.serial.into());
    let records = body_text(&event.records);
    row.insert("digest".into(), fnv1a(records.as_bytes()).into());
    row.insert("keys".into(), shape.keys.into());
    row.insert("types".into(), shape.types.into());
    for (c, v) in INTS.iter().zip(shape.ints) {
        row.insert(c.name.into(), v.into());
    }
    for (c, v) in TEXTS.iter().zip(shape.texts) {
        row.insert((*c).into(), v.into());
    }
    row.insert("paths".into(), paths.into());
    row.insert("records".into(), records.into());
    row.insert("enrichment".into(), stored.enrichment.clone().into());
    row.insert("malformed".into(), u8::from(malformed).into());
    row.insert("position".into(), stored.position.max(0).into());
    push(out, row);
}

/// One `loss` row of the store's host.
pub fn loss_row(row: &LossRow, node: &str, out: &mut Vec<u8>) {
    let mut m = Map::new();
    m.insert("node".into(), node.into());
    m.insert("time".into(), row.time_ms.div_euclid(1000).max(0).into());
    m.insert("msec".into(), row.time_ms.rem_euclid(1000).into());
    m.insert("start_ms".into(), row.start_ms.into());
    m.insert("kind".into(), row.kind.into());
    m.insert("first_serial".into(), row.first_serial.unwrap_or(0).into());
    m.insert("last_serial".into(), row.last_serial.unwrap_or(0).into());
    m.insert("count".into(), row.count.into());
    m.insert("detail".into(), row.detail.clone().into());
    push(out, m);
}

/// FNV-1a, 64 bits: the same on every host and in every release, as a
/// sorting key's value must be.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn push(out: &mut Vec<u8>, row: Map<String, Value>) {
    // Writing a Value into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &Value::Object(row));
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;
    use crate::record::parse_log_line;

    #[test]
    fn an_event_row_has_every_column_once() {
        let lines = [
            "type=SYSCALL msg=audit(1700000000.250:77): arch=c000003e syscall=257 success=no exit=-13 ppid=1 pid=20 auid=1000 uid=1000 gid=1000 euid=1000 egid=1000 ses=2 tty=pts0 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"etc\"",
            "type=PATH msg=audit(1700000000.250:77): item=0 name=\"/etc/shadow\" inode=5",
        ];
        let records: Vec<_> = lines.iter().map(|l| parse_log_line(l)).collect();
        let stored = Stored {
            event: Event {
                id: records[0].id,
                node: None,
                records,
            },
            position: 9,
            open: false,
            enrichment: None,
            context: Default::default(),
        };
        let mut out = Vec::new();
        event_row(&stored, "alpha", &mut out);
        assert_eq!(out.last(), Some(&b'\n'));
        let row: Map<String, Value> = serde_json::from_slice(&out).unwrap();
        let mut names: Vec<&str> = row.keys().map(String::as_str).collect();
        let mut columns: Vec<&str> = super::super::schema::event_columns()
            .iter()
            .map(|c| c.0)
            .collect();
        names.sort_unstable();
        columns.sort_unstable();
        assert_eq!(names, columns);
        assert_eq!(row["node"], "alpha");
        assert_eq!(
            (row["time"].as_i64(), row["msec"].as_i64()),
            (Some(1_700_000_000), Some(250))
        );
        assert_eq!(
            (row["key"].as_str(), row["exit"].as_i64()),
            (Some("etc"), Some(-13))
        );
        assert_eq!(row["paths"], serde_json::json!(["/etc/shadow"]));
        assert_eq!(row["types"], serde_json::json!([1300, 1302]));
        assert_eq!(row["success"], 0);
        let records = row["records"].as_str().unwrap();
        assert_eq!(row["digest"].as_u64(), Some(fnv1a(records.as_bytes())));
        // The published FNV-1a test vector.
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert!(row["records"]
            .as_str()
            .unwrap()
            .starts_with("1300 audit(1700000000.250:77): arch="));
    }
}
