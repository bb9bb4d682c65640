//! Reading events back: a filter becomes bound SQL over the indexes, and
//! events stream to a callback one at a time, never all in memory.

use rusqlite::{types::Value, Connection};

use crate::event::Event;
use crate::record::{parse_payload, EventId, MessageType, Record};

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
    /// systemd units, whole names (context recorded at ingest).
    pub units: Vec<String>,
    /// Container ids or their prefixes, lowercase hex (context recorded at
    /// ingest).
    pub containers: Vec<String>,
    /// Programs the event's process or one of its ancestors ran, whole
    /// paths (ancestry recorded at ingest).
    pub ancestor_exes: Vec<String>,
    pub whole_word: bool,
    /// Only events stored after this one (a checkpoint's position).
    pub after_position: Option<i64>,
    /// Only events stored up to this one (a follower's snapshot).
    pub through_position: Option<i64>,
}

/// The statement being built: conditions on the event row, and conditions
/// on its shape, which go into one subquery.
struct Sql {
    clauses: Vec<String>,
    params: Vec<Value>,
    shape_clauses: Vec<String>,
    shape_params: Vec<Value>,
    whole_word: bool,
}

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

impl Sql {
    fn event(&mut self, clause: String, params: impl IntoIterator<Item = Value>) {
        self.clauses.push(clause);
        self.params.extend(params);
    }

    fn shape(&mut self, clause: String, params: impl IntoIterator<Item = Value>) {
        self.shape_clauses.push(clause);
        self.shape_params.extend(params);
    }

    /// Any of `values` in any of the shape's `columns`.
    fn numbers(&mut self, columns: &[&str], values: &[i64]) {
        if values.is_empty() {
            return;
        }
        let alternatives: Vec<String> = columns
            .iter()
            .map(|c| format!("{c} IN ({})", marks(values.len())))
            .collect();
        let params: Vec<Value> = columns
            .iter()
            .flat_map(|_| values.iter().map(|v| Value::Integer(*v)))
            .collect();
        self.shape(format!("({})", alternatives.join(" OR ")), params);
    }

    /// Text columns of the shape: `col = ?` with `-w`, else a substring
    /// (the shape table holds each distinct value once per combination, so
    /// the scan is over shapes, never events).
    fn texts(&mut self, columns: &[&str], values: &[String]) {
        if values.is_empty() {
            return;
        }
        let mut alternatives = Vec::new();
        let mut params = Vec::new();
        for c in columns {
            if self.whole_word {
                alternatives.push(format!("{c} IN ({})", marks(values.len())));
                params.extend(values.iter().map(|v| Value::Text(v.clone())));
            } else {
                for v in values {
                    alternatives.push(contains(c));
                    params.push(Value::Text(v.clone()));
                }
            }
        }
        self.shape(format!("({})", alternatives.join(" OR ")), params);
    }

    /// Values matched in a dictionary column (`-w`: equal, else a
    /// substring): the SQL selecting the matching values, and its params.
    fn in_dictionary(&self, table: &str, column: &str, values: &[String]) -> (String, Vec<Value>) {
        if self.whole_word {
            (
                "SELECT value FROM json_each(?)".to_string(),
                vec![Value::Text(
                    serde_json::to_string(values).unwrap_or_default(),
                )],
            )
        } else {
            let tests: Vec<String> = values.iter().map(|_| contains(column)).collect();
            (
                format!("SELECT {column} FROM {table} WHERE {}", tests.join(" OR ")),
                values.iter().map(|v| Value::Text(v.clone())).collect(),
            )
        }
    }

    fn cmp(&mut self, clause: &str, value: Option<i64>) {
        if let Some(v) = value {
            self.event(clause.to_string(), [Value::Integer(v)]);
        }
    }

    /// The whole WHERE clause and its parameters, in order.
    fn finish(mut self) -> (Vec<String>, Vec<Value>) {
        if !self.shape_clauses.is_empty() {
            self.clauses.push(format!(
                "e.shape IN (SELECT id FROM shape WHERE {})",
                self.shape_clauses.join(" AND ")
            ));
            self.params.extend(self.shape_params);
        }
        (self.clauses, self.params)
    }
}

/// A case-sensitive substring test of `column` against the next
/// parameter, as ausearch's strstr(): LIKE would ignore ASCII case.
fn contains(column: &str) -> String {
    format!("instr({column}, ?) > 0")
}

pub(super) fn build(f: &Filter) -> (Vec<String>, Vec<Value>) {
    let mut sql = Sql {
        clauses: Vec::new(),
        params: Vec::new(),
        shape_clauses: Vec::new(),
        shape_params: Vec::new(),
        whole_word: f.whole_word,
    };
    sql.cmp("e.id > ?", f.after_position);
    sql.cmp("e.id <= ?", f.through_position);
    // Without statistics the planner takes a lower time bound for an
    // unselective one and scans the table in arrival order; the likely
    // case (-ts recent, today, this-hour) selects the newest few events,
    // which the time index finds.
    sql.cmp("likelihood(e.time_ms >= ?, 0.001)", f.start_ms);
    sql.cmp("e.time_ms <= ?", f.end_ms);
    if !f.keys.is_empty() {
        let (keys, params) = sql.in_dictionary("keyset_member", "key", &f.keys);
        sql.shape(
            format!("keyset IN (SELECT keyset_id FROM keyset_member WHERE key IN ({keys}))"),
            params,
        );
    }
    if !f.files.is_empty() {
        // A PATH name (event_path), or the working directory (a shape
        // column; in event_path too for events stored before schema 7).
        let (names, mut params) = sql.in_dictionary("path_name", "name", &f.files);
        let (cwds, cwd_params) = sql.in_dictionary("shape", "cwd", &f.files);
        params.extend(cwd_params);
        sql.event(
            format!(
                "(e.id IN (SELECT event_id FROM event_path WHERE path_id IN \
                 (SELECT id FROM path_name WHERE name IN ({names}))) \
                 OR e.shape IN (SELECT id FROM shape WHERE cwd IN ({cwds})))"
            ),
            params,
        );
    }
    if !f.types.is_empty() {
        sql.shape(
            format!(
                "typeset IN (SELECT typeset_id FROM typeset_member WHERE type IN ({}))",
                marks(f.types.len())
            ),
            f.types.iter().map(|t| Value::Integer(i64::from(*t))),
        );
    }
    if !f.serials.is_empty() {
        sql.event(
            format!("e.serial IN ({})", marks(f.serials.len())),
            f.serials.iter().map(|s| Value::Integer(*s as i64)),
        );
    }
    for (part, columns) in NUMBER_PARTS {
        sql.numbers(columns, part(f));
    }
    if let Some(arch) = f.arch {
        sql.shape("arch = ?".into(), [Value::Integer(arch)]);
    }
    // A literal, not a parameter: the planner can then use the partial
    // index of failed shapes.
    if let Some(success) = f.success {
        sql.shape(format!("success = {}", i64::from(success)), []);
    }
    for (part, columns) in TEXT_PARTS {
        sql.texts(columns, part(f));
    }
    context(&mut sql, f);
    sql.finish()
}

/// `--unit` (whole names), `--container` (id prefixes, which GLOB finds in
/// the index: the filter holds hex digits only) and `--ancestor-exe` over
/// the events' shared context rows.
fn context(sql: &mut Sql, f: &Filter) {
    let of_contexts = |test: &str| format!("e.context IN (SELECT id FROM context WHERE {test})");
    let texts = |values: &[String]| {
        values
            .iter()
            .map(|v| Value::Text(v.clone()))
            .collect::<Vec<_>>()
    };
    if !f.units.is_empty() {
        let test = format!("unit IN ({})", marks(f.units.len()));
        sql.event(of_contexts(&test), texts(&f.units));
    }
    if !f.containers.is_empty() {
        let test = vec!["container GLOB ?"; f.containers.len()].join(" OR ");
        let patterns = f.containers.iter().map(|c| Value::Text(format!("{c}*")));
        sql.event(of_contexts(&test), patterns);
    }
    if !f.ancestor_exes.is_empty() {
        let marks = marks(f.ancestor_exes.len());
        let test =
            format!("lineage IN (SELECT lineage_id FROM lineage_member WHERE exe IN ({marks}))");
        let mut params = texts(&f.ancestor_exes);
        params.extend(texts(&f.ancestor_exes));
        sql.event(
            format!(
                "({} OR e.shape IN (SELECT id FROM shape WHERE exe IN ({marks})))",
                of_contexts(&test)
            ),
            params,
        );
    }
}

/// A part of a [`Filter`] that lists numbers, and the promoted columns
/// any of which may hold one of them.
pub type NumberPart = (fn(&Filter) -> &[i64], &'static [&'static str]);
/// A part that lists text, matched as a substring (or whole, `-w`).
pub type TextPart = (fn(&Filter) -> &[String], &'static [&'static str]);

/// The numeric parts matched against promoted columns: one table for
/// the store's query and the fleet's.
pub const NUMBER_PARTS: &[NumberPart] = &[
    (|f| &f.pids, &["pid"]),
    (|f| &f.ppids, &["ppid"]),
    (|f| &f.uids, &["uid"]),
    (|f| &f.euids, &["euid"]),
    (|f| &f.auids, &["auid"]),
    (|f| &f.any_uids, &["uid", "euid", "auid"]),
    (|f| &f.gids, &["gid"]),
    (|f| &f.egids, &["egid"]),
    (|f| &f.any_gids, &["gid", "egid"]),
    (|f| &f.syscalls, &["syscall"]),
    (|f| &f.exits, &["exit"]),
    (|f| &f.sessions, &["ses"]),
];

/// The text parts matched against promoted columns (and the node).
pub const TEXT_PARTS: &[TextPart] = &[
    (|f| &f.comms, &["comm"]),
    (|f| &f.exes, &["exe"]),
    (|f| &f.hosts, &["hostname", "addr"]),
    (|f| &f.terminals, &["terminal", "tty"]),
    (|f| &f.subjects, &["subj"]),
    (|f| &f.objects, &["obj"]),
    (|f| &f.contexts, &["subj", "obj"]),
    (|f| &f.nodes, &["node"]),
];

/// How far a search went: events passed on, and the store position of the
/// last one (for a checkpoint).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub count: usize,
    pub last_position: Option<i64>,
}

/// What [`stream`] reads of each event, and the joins it needs.
const STORED_COLUMNS: &str =
    "SELECT e.id, e.time_ms, e.serial, s.node, e.flags, e.body, e.dict, n.records,
            c.unit, c.container, l.exes, c.uid_name, c.auid_name, c.gid_name
     FROM event e JOIN shape s ON s.id = e.shape
     LEFT JOIN enrichment n ON n.event_id = e.id
     LEFT JOIN context c ON c.id = e.context
     LEFT JOIN lineage l ON l.id = c.lineage";

/// The statement selecting the events a filter matches, and its parameters.
pub(super) fn select(filter: &Filter) -> (String, Vec<Value>) {
    let (clauses, params) = build(filter);
    let mut query = String::from(STORED_COLUMNS);
    if !clauses.is_empty() {
        query.push_str(" WHERE ");
        query.push_str(&clauses.join(" AND "));
    }
    // Arrival order of each event's first record, as events stand in an
    // auditd log (and as ausearch prints them): the order they were stored in.
    query.push_str(" ORDER BY e.id");
    (query, params)
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub event: Event,
    /// Its place in the store (for a checkpoint).
    pub position: i64,
    /// Whether more records may still join it (it is not final yet).
    pub open: bool,
    /// auditd's ENRICHED text of an imported event, per record.
    pub enrichment: Option<String>,
    /// The unit and container the daemon found for its process.
    pub context: crate::enrich::Context,
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
    for_each_stored(conn, filter, |s| each(s.event))
}

/// As [`for_each_event`], with what the store knows of each event.
pub fn for_each_stored<E>(
    conn: &Connection,
    filter: &Filter,
    each: impl FnMut(Stored) -> Result<bool, E>,
) -> Result<Progress, E>
where
    E: From<rusqlite::Error>,
{
    let (query, params) = select(filter);
    stream(conn, &query, params, each)
}

/// Runs a statement selecting `e.id, e.time_ms, e.serial, s.node, e.flags,
/// e.body, e.dict, n.records, c.unit, c.container, l.exes, c.uid_name,
/// c.auid_name, c.gid_name` and passes each row on as a [`Stored`] event.
fn stream<E>(
    conn: &Connection,
    query: &str,
    params: Vec<Value>,
    mut each: impl FnMut(Stored) -> Result<bool, E>,
) -> Result<Progress, E>
where
    E: From<rusqlite::Error>,
{
    let mut stmt = conn.prepare(query)?;
    let mut bodies = super::BodyReader::new();
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut progress = Progress::default();
    while let Some(row) = rows.next()? {
        let rowid: i64 = row.get(0)?;
        let time_ms: i64 = row.get(1)?;
        let serial: i64 = row.get(2)?;
        let node: Option<String> = row.get(3)?;
        let flags: i64 = row.get(4)?;
        let text = bodies.read_row(conn, rowid, row.get_ref(5)?, row.get(6)?, flags)?;
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
        let stored = Stored {
            event,
            position: rowid,
            open: flags & super::FLAG_OPEN != 0,
            enrichment: row.get(7)?,
            context: crate::enrich::Context {
                unit: row.get(8)?,
                container: row.get(9)?,
                ancestors: row
                    .get::<_, Option<String>>(10)?
                    .map_or_else(Vec::new, |l| super::context::split_lineage(&l)),
                names: crate::enrich::accounts::Names {
                    uid: row.get(11)?,
                    auid: row.get(12)?,
                    gid: row.get(13)?,
                },
            },
        };
        if !each(stored)? {
            break;
        }
    }
    Ok(progress)
}

/// Events stored under one shape in a time range: how many, and the
/// first one stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeCount {
    pub shape: i64,
    pub count: u64,
    pub first: i64,
    pub node: Option<String>,
    /// The record types of its events, ascending.
    pub types: Vec<u32>,
    /// The shape's values in the columns asked for, as one JSON array.
    pub values: String,
}

/// How many events each shape has between `start_ms` and `end_ms`, with
/// the shape's values in `values` and whether it has one in `present`
/// (names of the shape table's columns), from the indexes alone (no body
/// is read): one pass over the shape index (or the time index, for a
/// range) and one over the shape table, joined here rather than by a
/// lookup per shape.
pub fn shape_counts(
    conn: &Connection,
    (start_ms, end_ms): (Option<i64>, Option<i64>),
    (values, present): (&[&str], &[&str]),
) -> rusqlite::Result<Vec<ShapeCount>> {
    let window = if start_ms.is_some() || end_ms.is_some() {
        "WHERE time_ms >= ?1 AND time_ms <= ?2"
    } else {
        "WHERE ?1 <= ?2"
    };
    let range = [start_ms.unwrap_or(i64::MIN), end_ms.unwrap_or(i64::MAX)];
    // By shape id (dense, from 1): (count, first event), count 0 for none.
    let mut counts: Vec<(u64, i64)> = Vec::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT shape, count(*), min(id) FROM event {window} GROUP BY shape"
    ))?;
    let mut rows = stmt.query(range)?;
    while let Some(r) = rows.next()? {
        let Ok(shape) = usize::try_from(r.get::<_, i64>(0)?) else {
            continue;
        };
        if counts.len() <= shape {
            counts.resize(shape + 1, (0, 0));
        }
        counts[shape] = (r.get::<_, i64>(1)? as u64, r.get(2)?);
    }
    let mut typesets: foldhash::HashMap<i64, Vec<u32>> = Default::default();
    let mut stmt = conn.prepare("SELECT id, types FROM typeset")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let types: String = r.get(1)?;
        let list = types.split(',').filter_map(|t| t.parse().ok()).collect();
        typesets.insert(r.get(0)?, list);
    }
    let columns: Vec<String> = values
        .iter()
        .filter(|c| is_shape_column(c))
        .map(|c| c.to_string())
        .chain(
            present
                .iter()
                .filter(|c| is_shape_column(c))
                .map(|c| format!("{c} IS NULL")),
        )
        .collect();
    let mut stmt = conn.prepare(&format!(
        "SELECT id, node, typeset, json_array({}) FROM shape",
        columns.join(", ")
    ))?;
    let mut rows = stmt.query([])?;
    let mut shapes = Vec::with_capacity(counts.len());
    while let Some(r) = rows.next()? {
        let shape = usize::try_from(r.get::<_, i64>(0)?).unwrap_or(usize::MAX);
        let Some(&(count, first)) = counts.get(shape).filter(|c| c.0 > 0) else {
            continue;
        };
        shapes.push(ShapeCount {
            shape: r.get(0)?,
            count,
            first,
            node: r.get(1)?,
            types: typesets.get(&r.get(2)?).cloned().unwrap_or_default(),
            values: r.get(3)?,
        });
    }
    Ok(shapes)
}

/// A column of the shape table (names are checked before they go into SQL).
fn is_shape_column(name: &str) -> bool {
    use super::shape::{INTS, TEXTS};
    name == "keyset" || INTS.iter().any(|c| c.name == name) || TEXTS.contains(&name)
}

/// The distinct absolute PATH names of the events of `shapes` between
/// `start_ms` and `end_ms` (from the name index: one probe per name
/// stored), and the events of those shapes with a relative name (which a
/// report reads: aureport joins such a name to the event's CWD).
/// `shapes` None: of every event (one probe of the name index per name).
pub fn path_names(
    conn: &Connection,
    shapes: Option<&[i64]>,
    (start_ms, end_ms): (Option<i64>, Option<i64>),
) -> rusqlite::Result<(Vec<String>, Vec<i64>)> {
    let params = rusqlite::params![
        shapes.map(|s| serde_json::to_string(s).unwrap_or_default()),
        start_ms.unwrap_or(i64::MIN),
        end_ms.unwrap_or(i64::MAX)
    ];
    let of_shapes = match shapes {
        Some(_) => {
            "SELECT 1 FROM event_path ep JOIN event e ON e.id = ep.event_id
             WHERE ep.path_id = pn.id AND e.time_ms >= ?2 AND e.time_ms <= ?3
               AND e.shape IN (SELECT value FROM json_each(?1))"
        }
        None => "SELECT 1 FROM event_path ep WHERE ep.path_id = pn.id AND ?1 IS NULL AND ?2 <= ?3",
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT pn.name FROM path_name pn
         WHERE substr(pn.name, 1, 1) = '/' AND EXISTS ({of_shapes}) ORDER BY pn.id"
    ))?;
    let names = stmt
        .query_map(params, |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    // The few relative names first, then their events, then the checks.
    let mut stmt = conn.prepare(
        "SELECT e.id FROM event e
         WHERE e.id IN (SELECT ep.event_id FROM event_path ep WHERE ep.path_id IN
                          (SELECT id FROM path_name WHERE substr(name, 1, 1) <> '/'))
           AND e.time_ms >= ?2 AND e.time_ms <= ?3
           AND (?1 IS NULL OR e.shape IN (SELECT value FROM json_each(?1)))
         ORDER BY e.id",
    )?;
    let relative = stmt
        .query_map(params, |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok((names, relative))
}

/// Whether any stored event carries auditd's enrichment.
pub fn has_enrichment(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("SELECT EXISTS (SELECT 1 FROM enrichment)", [], |r| r.get(0))
}

/// Calls `each`, in store order, for the events `ids` names and for every
/// event of the shapes `shapes` names between `start_ms` and `end_ms`.
pub fn for_each_chosen<E>(
    conn: &Connection,
    (ids, shapes): (&[i64], &[i64]),
    (start_ms, end_ms): (Option<i64>, Option<i64>),
    each: impl FnMut(Stored) -> Result<bool, E>,
) -> Result<Progress, E>
where
    E: From<rusqlite::Error>,
{
    let columns = STORED_COLUMNS;
    let query = format!(
        "{columns} WHERE e.id IN (SELECT value FROM json_each(?1))
         UNION ALL
         {columns} WHERE e.shape IN (SELECT value FROM json_each(?2))
             AND e.time_ms >= ?3 AND e.time_ms <= ?4
         ORDER BY 1"
    );
    let json = |v: &[i64]| Value::Text(serde_json::to_string(v).unwrap_or_default());
    let params = vec![
        json(ids),
        json(shapes),
        Value::Integer(start_ms.unwrap_or(i64::MIN)),
        Value::Integer(end_ms.unwrap_or(i64::MAX)),
    ];
    stream(conn, &query, params, each)
}

/// The records of a stored body: one "TYPE text" per line.
pub fn parse_body(body: &str, node: Option<&str>) -> Vec<Record> {
    body.lines()
        .map(|line| {
            let (rtype, text) = line.split_once(' ').unwrap_or(("0", line));
            let mut rec = parse_payload(MessageType(rtype.parse().unwrap_or(0)), text.as_bytes());
            rec.node = node.map(str::to_string);
            rec
        })
        .collect()
}

/// Every kind of loss row the daemon writes.
pub const LOSS_KINDS: &[&str] = &[
    "kernel_lost",
    "serial_gap",
    "overrun",
    "not_stored",
    "suspended",
    "restart",
    "dropped",
    "truncated",
    "closed_early",
    "db_replaced",
    "rotated",
    "output",
];

/// Loss rows in a time range, oldest first.
pub fn losses(
    conn: &Connection,
    start_ms: Option<i64>,
    end_ms: Option<i64>,
) -> rusqlite::Result<Vec<LossRow>> {
    let mut stmt = conn.prepare(
        "SELECT time_ms, kind, first_serial, last_serial, count, detail, start_ms FROM loss
         WHERE time_ms >= ?1 AND coalesce(start_ms, time_ms) <= ?2 ORDER BY time_ms, id",
    )?;
    let rows = stmt.query_map(
        [start_ms.unwrap_or(i64::MIN), end_ms.unwrap_or(i64::MAX)],
        loss_row,
    )?;
    rows.collect()
}

/// A row of `SELECT time_ms, kind, first_serial, last_serial, count,
/// detail, start_ms FROM loss`.
fn loss_row(r: &rusqlite::Row) -> rusqlite::Result<LossRow> {
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
        start_ms: r.get(6)?,
    })
}

/// Loss rows stored after the one at `after` (their store position), in
/// the order stored, each with its position: what an export has not sent.
pub fn losses_after(conn: &Connection, after: i64) -> rusqlite::Result<Vec<(i64, LossRow)>> {
    let mut stmt = conn.prepare(
        "SELECT time_ms, kind, first_serial, last_serial, count, detail, start_ms, id FROM loss
         WHERE id > ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([after], |r| Ok((r.get(7)?, loss_row(r)?)))?;
    rows.collect()
}

/// Totals per loss kind, for `ctl -s`.
pub fn loss_totals(conn: &Connection) -> rusqlite::Result<Vec<(String, u64)>> {
    let mut stmt = conn.prepare("SELECT kind, SUM(count) FROM loss GROUP BY kind ORDER BY kind")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
    rows.collect()
}
