//! Reading events back: a filter becomes bound SQL over the indexes, and
//! events stream to a callback one at a time, never all in memory.

use rusqlite::{types::Value, Connection};

use crate::event::Event;
use crate::record::{parse_payload, EventId, Record};

use super::LossRow;

/// What to match; every part given must match (AND). Within one part any
/// value may match (OR), as with ausearch's repeated `-m`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub keys: Vec<String>,
    pub files: Vec<String>,
    pub types: Vec<u32>,
    pub pids: Vec<i64>,
    pub serials: Vec<u64>,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
}

struct Sql {
    clauses: Vec<String>,
    params: Vec<Value>,
}

impl Sql {
    fn any_of(&mut self, template: &str, values: impl IntoIterator<Item = Value>) {
        let values: Vec<Value> = values.into_iter().collect();
        if values.is_empty() {
            return;
        }
        let marks = vec!["?"; values.len()].join(", ");
        self.clauses.push(template.replace("{}", &marks));
        self.params.extend(values);
    }

    fn cmp(&mut self, clause: &str, value: Option<i64>) {
        if let Some(v) = value {
            self.clauses.push(clause.to_string());
            self.params.push(Value::Integer(v));
        }
    }
}

fn text(values: &[String]) -> impl Iterator<Item = Value> + '_ {
    values.iter().map(|v| Value::Text(v.clone()))
}

fn build(filter: &Filter) -> Sql {
    let mut sql = Sql {
        clauses: Vec::new(),
        params: Vec::new(),
    };
    sql.cmp("e.time_ms >= ?", filter.start_ms);
    sql.cmp("e.time_ms <= ?", filter.end_ms);
    sql.any_of(
        "e.id IN (SELECT event_id FROM event_key WHERE key IN ({}))",
        text(&filter.keys),
    );
    sql.any_of(
        "e.id IN (SELECT event_id FROM path WHERE name IN ({}))",
        text(&filter.files),
    );
    sql.any_of(
        "e.typeset IN (SELECT typeset_id FROM typeset_member WHERE type IN ({}))",
        filter.types.iter().map(|t| Value::Integer(i64::from(*t))),
    );
    sql.any_of(
        "e.pid IN ({})",
        filter.pids.iter().map(|p| Value::Integer(*p)),
    );
    sql.any_of(
        "e.serial IN ({})",
        filter.serials.iter().map(|s| Value::Integer(*s as i64)),
    );
    sql
}

/// Calls `each` for every matching event in time order; it returns
/// `Ok(false)` to stop early. Returns how many events were passed.
pub fn for_each_event<E>(
    conn: &Connection,
    filter: &Filter,
    mut each: impl FnMut(Event) -> Result<bool, E>,
) -> Result<usize, E>
where
    E: From<rusqlite::Error>,
{
    let sql = build(filter);
    let mut query = String::from("SELECT e.id, e.time_ms, e.serial, e.node FROM event e");
    if !sql.clauses.is_empty() {
        query.push_str(" WHERE ");
        query.push_str(&sql.clauses.join(" AND "));
    }
    query.push_str(" ORDER BY e.time_ms, e.serial, e.id");
    let mut stmt = conn.prepare(&query)?;
    let mut records = conn.prepare("SELECT records FROM body WHERE event_id = ?1")?;
    let mut rows = stmt.query(rusqlite::params_from_iter(sql.params))?;
    let mut count = 0;
    while let Some(row) = rows.next()? {
        let rowid: i64 = row.get(0)?;
        let time_ms: i64 = row.get(1)?;
        let serial: i64 = row.get(2)?;
        let node: Option<String> = row.get(3)?;
        let text: String = records.query_row([rowid], |r| r.get(0))?;
        let recs = parse_body(&text, node.as_deref());
        let event = Event {
            id: EventId {
                sec: time_ms.div_euclid(1000),
                msec: time_ms.rem_euclid(1000) as u32,
                serial: serial as u64,
            },
            node,
            records: recs,
        };
        count += 1;
        if !each(event)? {
            break;
        }
    }
    Ok(count)
}

/// The records of a stored body: one "TYPE text" per line.
fn parse_body(body: &str, node: Option<&str>) -> Vec<Record> {
    body.lines()
        .map(|line| {
            let (rtype, text) = line.split_once(' ').unwrap_or(("0", line));
            let mut rec = parse_payload(rtype.parse().unwrap_or(0), text.as_bytes());
            rec.node = node.map(str::to_string);
            rec
        })
        .collect()
}

/// Loss rows in a time range, oldest first.
pub fn losses(
    conn: &Connection,
    start_ms: Option<i64>,
    end_ms: Option<i64>,
) -> rusqlite::Result<Vec<LossRow>> {
    let mut stmt = conn.prepare(
        "SELECT time_ms, kind, first_serial, last_serial, count, detail FROM loss
         WHERE time_ms >= ?1 AND time_ms <= ?2 ORDER BY time_ms, id",
    )?;
    let rows = stmt.query_map(
        [start_ms.unwrap_or(i64::MIN), end_ms.unwrap_or(i64::MAX)],
        |r| {
            let kind: String = r.get(1)?;
            Ok(LossRow {
                time_ms: r.get(0)?,
                kind: match kind.as_str() {
                    "kernel_lost" => "kernel_lost",
                    "serial_gap" => "serial_gap",
                    _ => "overrun",
                },
                first_serial: r.get::<_, Option<i64>>(2)?.map(|s| s as u64),
                last_serial: r.get::<_, Option<i64>>(3)?.map(|s| s as u64),
                count: r.get::<_, i64>(4)? as u64,
                detail: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
            })
        },
    )?;
    rows.collect()
}

/// Totals per loss kind, for `ctl -s`.
pub fn loss_totals(conn: &Connection) -> rusqlite::Result<Vec<(String, u64)>> {
    let mut stmt = conn.prepare("SELECT kind, SUM(count) FROM loss GROUP BY kind ORDER BY kind")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
    rows.collect()
}
