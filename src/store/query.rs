//! Reading events back: a filter becomes bound SQL over the indexes, and
//! events stream to a callback one at a time, never all in memory.

use rusqlite::{types::Value, Connection, OptionalExtension};

use crate::event::Event;
use crate::record::{parse_payload, EventId, Record};

use super::LossRow;

/// What to match; every part given must match (AND). Within one part any
/// value may match (OR), as with ausearch's repeated `-m`. Text parts match
/// as substrings, as ausearch's do, unless `whole_word` (`-w`) asks for the
/// whole value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub keys: Vec<String>,
    pub files: Vec<String>,
    pub types: Vec<u32>,
    pub pids: Vec<i64>,
    pub ppids: Vec<i64>,
    pub serials: Vec<u64>,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
    pub uids: Vec<i64>,
    pub euids: Vec<i64>,
    pub auids: Vec<i64>,
    /// uid, euid or auid (`-ua`).
    pub any_uids: Vec<i64>,
    pub gids: Vec<i64>,
    pub egids: Vec<i64>,
    /// gid or egid (`-ga`).
    pub any_gids: Vec<i64>,
    pub syscalls: Vec<i64>,
    pub arch: Option<i64>,
    pub success: Option<bool>,
    pub exits: Vec<i64>,
    pub sessions: Vec<i64>,
    pub comms: Vec<String>,
    pub exes: Vec<String>,
    /// hostname or addr (`-hn`).
    pub hosts: Vec<String>,
    /// terminal or tty (`-tm`).
    pub terminals: Vec<String>,
    pub subjects: Vec<String>,
    pub objects: Vec<String>,
    /// subject or object context (`-se`).
    pub contexts: Vec<String>,
    pub nodes: Vec<String>,
    pub whole_word: bool,
    /// Only events stored after this one (a checkpoint's position).
    pub after_position: Option<i64>,
}

struct Sql {
    clauses: Vec<String>,
    params: Vec<Value>,
    whole_word: bool,
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

    fn numbers(&mut self, columns: &[&str], values: &[i64]) {
        if values.is_empty() {
            return;
        }
        let marks = vec!["?"; values.len()].join(", ");
        let alternatives: Vec<String> = columns
            .iter()
            .map(|c| format!("{c} IN ({marks})"))
            .collect();
        self.clauses
            .push(format!("({})", alternatives.join(" OR ")));
        for _ in columns {
            self.params
                .extend(values.iter().map(|v| Value::Integer(*v)));
        }
    }

    /// Text columns: `col = ?` with `-w`; else a substring match, found by
    /// scanning the column's distinct values in `text_names` and looking
    /// events up by the values found (an index lookup, where a substring
    /// test on every event would scan the table).
    fn texts(&mut self, columns: &[&str], values: &[String]) {
        if values.is_empty() {
            return;
        }
        let mut alternatives = Vec::new();
        for c in columns {
            if self.whole_word {
                let marks = vec!["?"; values.len()].join(", ");
                alternatives.push(format!("e.{c} IN ({marks})"));
                self.params
                    .extend(values.iter().map(|v| Value::Text(v.clone())));
                continue;
            }
            for v in values {
                alternatives.push(format!(
                    "e.id IN (SELECT id FROM event WHERE {c} IN \
                     (SELECT value FROM text_names WHERE col = '{c}' AND {}))",
                    contains("value")
                ));
                self.params.push(Value::Text(v.clone()));
            }
        }
        self.clauses
            .push(format!("({})", alternatives.join(" OR ")));
    }

    fn cmp(&mut self, clause: &str, value: Option<i64>) {
        if let Some(v) = value {
            self.clauses.push(clause.to_string());
            self.params.push(Value::Integer(v));
        }
    }
}

/// A case-sensitive substring test of `column` against the next
/// parameter, as ausearch's strstr(): LIKE would ignore ASCII case.
fn contains(column: &str) -> String {
    format!("instr({column}, ?) > 0")
}

fn build(f: &Filter) -> Sql {
    let mut sql = Sql {
        clauses: Vec::new(),
        params: Vec::new(),
        whole_word: f.whole_word,
    };
    sql.cmp("e.id > ?", f.after_position);
    // Without statistics the planner takes a lower time bound for an
    // unselective one and scans the table in arrival order; the likely
    // case (-ts recent, today, this-hour) selects the newest few events,
    // which the time index finds.
    sql.cmp("likelihood(e.time_ms >= ?, 0.001)", f.start_ms);
    sql.cmp("e.time_ms <= ?", f.end_ms);
    side_table(&mut sql, "event_key", "key", &f.keys);
    side_table(&mut sql, "path", "name", &f.files);
    sql.any_of(
        "e.typeset IN (SELECT typeset_id FROM typeset_member WHERE type IN ({}))",
        f.types.iter().map(|t| Value::Integer(i64::from(*t))),
    );
    let serials: Vec<i64> = f.serials.iter().map(|s| *s as i64).collect();
    sql.numbers(&["e.serial"], &serials);
    sql.numbers(&["e.pid"], &f.pids);
    sql.numbers(&["e.ppid"], &f.ppids);
    sql.numbers(&["e.uid"], &f.uids);
    sql.numbers(&["e.euid"], &f.euids);
    sql.numbers(&["e.auid"], &f.auids);
    sql.numbers(&["e.uid", "e.euid", "e.auid"], &f.any_uids);
    sql.numbers(&["e.gid"], &f.gids);
    sql.numbers(&["e.egid"], &f.egids);
    sql.numbers(&["e.gid", "e.egid"], &f.any_gids);
    sql.numbers(&["e.syscall"], &f.syscalls);
    sql.cmp("e.arch = ?", f.arch);
    // A literal, not a parameter: the planner can then use the partial
    // index of failed events.
    if let Some(success) = f.success {
        sql.clauses
            .push(format!("e.success = {}", i64::from(success)));
    }
    sql.numbers(&["e.exit"], &f.exits);
    sql.numbers(&["e.ses"], &f.sessions);
    sql.texts(&["comm"], &f.comms);
    sql.texts(&["exe"], &f.exes);
    sql.texts(&["hostname", "addr"], &f.hosts);
    sql.texts(&["terminal", "tty"], &f.terminals);
    sql.texts(&["subj"], &f.subjects);
    sql.texts(&["obj"], &f.objects);
    sql.texts(&["subj", "obj"], &f.contexts);
    sql.texts(&["node"], &f.nodes);
    sql
}

/// Keys and paths live in side tables, with their distinct values in a
/// dictionary (`key_names`, `path_names`). The exact form (`-w`) is an index
/// lookup; the substring form scans the dictionary for the matching values,
/// then looks events up by value.
fn side_table(sql: &mut Sql, table: &str, column: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    let (dict, dict_column) = match table {
        "event_key" => ("key_names", "key"),
        _ => ("path_names", "name"),
    };
    let inner = if sql.whole_word {
        "SELECT value FROM json_each(?)".to_string()
    } else {
        format!(
            "SELECT {dict_column} FROM {dict} WHERE {}",
            contains(dict_column)
        )
    };
    let mut alternatives = Vec::new();
    if sql.whole_word {
        alternatives.push(format!(
            "SELECT event_id FROM {table} WHERE {column} IN ({inner})"
        ));
        sql.params.push(Value::Text(
            serde_json::to_string(values).unwrap_or_default(),
        ));
    } else {
        for v in values {
            alternatives.push(format!(
                "SELECT event_id FROM {table} WHERE {column} IN ({inner})"
            ));
            sql.params.push(Value::Text(v.clone()));
        }
    }
    sql.clauses
        .push(format!("e.id IN ({})", alternatives.join(" UNION ")));
}

/// How far a search went: events passed on, and the store position of the
/// last one (for a checkpoint).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub count: usize,
    pub last_position: Option<i64>,
}

/// The statement selecting the events a filter matches, and its parameters.
pub(super) fn select(filter: &Filter) -> (String, Vec<Value>) {
    let sql = build(filter);
    let mut query = String::from("SELECT e.id, e.time_ms, e.serial, e.node FROM event e");
    if !sql.clauses.is_empty() {
        query.push_str(" WHERE ");
        query.push_str(&sql.clauses.join(" AND "));
    }
    // Arrival order, as events stand in an auditd log (and as ausearch
    // prints them): the order they were stored in.
    query.push_str(" ORDER BY e.id");
    (query, sql.params)
}

/// Calls `each` for every matching event in the order stored; it returns
/// `Ok(false)` to stop early.
pub fn for_each_event<E>(
    conn: &Connection,
    filter: &Filter,
    mut each: impl FnMut(Event) -> Result<bool, E>,
) -> Result<Progress, E>
where
    E: From<rusqlite::Error>,
{
    let (query, params) = select(filter);
    let mut stmt = conn.prepare(&query)?;
    let mut bodies = super::BodyReader::new();
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut progress = Progress::default();
    while let Some(row) = rows.next()? {
        let rowid: i64 = row.get(0)?;
        let time_ms: i64 = row.get(1)?;
        let serial: i64 = row.get(2)?;
        let node: Option<String> = row.get(3)?;
        let text = bodies.read(conn, rowid)?;
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
        progress.count += 1;
        progress.last_position = Some(rowid);
        if !each(event)? {
            break;
        }
    }
    Ok(progress)
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

/// The time of the first event stored (in store order), or with
/// `outside` the first whose time is before its start or after its end.
pub fn first_event_time(
    conn: &Connection,
    outside: Option<(i64, i64)>,
) -> rusqlite::Result<Option<i64>> {
    let (start, end) = outside.unwrap_or((i64::MAX, i64::MIN));
    conn.query_row(
        "SELECT time_ms FROM event WHERE NOT (time_ms >= ?1 AND time_ms <= ?2)
         ORDER BY id LIMIT 1",
        [start, end],
        |r| r.get(0),
    )
    .optional()
}

/// The times of the first and last events stored (in store order) in a
/// time range.
pub fn time_bounds(
    conn: &Connection,
    start_ms: Option<i64>,
    end_ms: Option<i64>,
) -> rusqlite::Result<Option<(i64, i64)>> {
    let range = [start_ms.unwrap_or(i64::MIN), end_ms.unwrap_or(i64::MAX)];
    let at = |order: &str| {
        conn.query_row(
            &format!(
                "SELECT time_ms FROM event WHERE time_ms >= ?1 AND time_ms <= ?2
                 ORDER BY id {order} LIMIT 1"
            ),
            range,
            |r| r.get::<_, i64>(0),
        )
        .optional()
    };
    Ok(at("ASC")?.zip(at("DESC")?))
}

/// Every kind of loss row the daemon writes.
pub const LOSS_KINDS: &[&str] = &[
    "kernel_lost",
    "serial_gap",
    "overrun",
    "not_stored",
    "suspended",
];

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
                kind: LOSS_KINDS
                    .iter()
                    .find(|k| **k == kind)
                    .copied()
                    .unwrap_or("overrun"),
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
