//! Searching the fleet: a search filter (`store::query::Filter`, what
//! ausearch's flags give) as ClickHouse SQL over `events`.
//!
//! Values are bound, never pasted into the statement: each filter's values
//! travel as a small external table (ClickHouse's HTTP external data, a
//! multipart part in JSONEachRow) that the statement reads by name
//! (`syscall IN p3`, `(SELECT groupArray(v) FROM p0)`). Servers before 19
//! have no `param_` query parameters; external data works on all.
//! Substring tests walk arrays with nested lambdas whose outer parameter
//! carries the row's value: 18.x lambdas cannot name a column directly.

use serde_json::Value;

use super::http::ExternalTable;
use super::{Client, FleetError};
use crate::record::EventId;
use crate::store::query::{parse_body, Filter, Stored, NUMBER_PARTS, TEXT_PARTS};

/// A statement and the tables its values are in.
#[derive(Debug, Default)]
pub struct Select {
    pub sql: String,
    pub tables: Vec<ExternalTable>,
}

/// The conditions being built and the values they bind.
#[derive(Default)]
struct Builder {
    clauses: Vec<String>,
    tables: Vec<ExternalTable>,
    whole_word: bool,
}

impl Builder {
    /// Binds `values` as a one-column table; returns its name.
    fn bind(&mut self, ty: &str, values: impl IntoIterator<Item = Value>) -> String {
        let name = format!("p{}", self.tables.len());
        let mut rows = Vec::new();
        for v in values {
            let _ = serde_json::to_writer(&mut rows, &serde_json::json!({ "v": v }));
            rows.push(b'\n');
        }
        self.tables.push(ExternalTable {
            name: name.clone(),
            structure: format!("v {ty}"),
            rows,
        });
        name
    }

    /// Any of `values` in any of the numeric `columns`.
    fn numbers(&mut self, columns: &[&str], values: &[i64]) {
        if values.is_empty() {
            return;
        }
        let table = self.bind("Int64", values.iter().map(|v| Value::from(*v)));
        let tests: Vec<String> = columns.iter().map(|c| format!("{c} IN {table}")).collect();
        self.clauses.push(format!("({})", tests.join(" OR ")));
    }

    /// Any of `values` in any element of the array expression `array`: as
    /// a substring, or whole with `-w`.
    fn strings_in(&mut self, array: &str, values: &[String]) {
        if values.is_empty() {
            return;
        }
        let table = self.bind("String", values.iter().map(|v| Value::from(v.as_str())));
        let wants = format!("(SELECT groupArray(v) FROM {table})");
        let test = if self.whole_word {
            format!("has({wants}, x)")
        } else {
            format!("arrayExists(w -> position(x, w) > 0, {wants})")
        };
        self.clauses
            .push(format!("arrayExists(x -> {test}, {array})"));
    }

    /// Text columns (NULL matches nothing: '' is never searched for).
    fn texts(&mut self, columns: &[&str], values: &[String]) {
        let array: Vec<String> = columns.iter().map(|c| format!("ifNull({c}, '')")).collect();
        self.strings_in(&format!("[{}]", array.join(", ")), values);
    }

    fn time(&mut self, op: &str, ms: Option<i64>) {
        if let Some(ms) = ms {
            let table = self.bind("Int64", [Value::from(ms)]);
            self.clauses.push(format!(
                "toInt64(time) * 1000 + msec {op} (SELECT any(v) FROM {table})"
            ));
        }
    }
}

/// The statement selecting what `filter` matches in `database`.events,
/// each event once (FINAL), node by node in each node's store order.
pub fn select(filter: &Filter, database: &str) -> Result<Select, String> {
    if filter.after_position.is_some() {
        return Err(
            "--checkpoint reads a local store's positions; it does not apply to --fleet".into(),
        );
    }
    if !filter.units.is_empty() || !filter.containers.is_empty() || !filter.ancestor_exes.is_empty()
    {
        return Err(
            "--unit, --container and --ancestor-exe read the context a local daemon stored; \
             they do not apply to --fleet"
                .into(),
        );
    }
    let mut b = Builder {
        whole_word: filter.whole_word,
        ..Builder::default()
    };
    b.time(">=", filter.start_ms);
    b.time("<=", filter.end_ms);
    b.strings_in("keys", &filter.keys);
    b.strings_in("arrayPushBack(paths, ifNull(cwd, ''))", &filter.files);
    if !filter.types.is_empty() {
        let table = b.bind("UInt32", filter.types.iter().map(|t| Value::from(*t)));
        b.clauses.push(format!(
            "hasAny(types, (SELECT groupArray(v) FROM {table}))"
        ));
    }
    if !filter.serials.is_empty() {
        let table = b.bind("UInt64", filter.serials.iter().map(|s| Value::from(*s)));
        b.clauses.push(format!("serial IN {table}"));
    }
    for (part, columns) in NUMBER_PARTS {
        b.numbers(columns, part(filter));
    }
    b.numbers(&["arch"], &filter.arch.into_iter().collect::<Vec<_>>());
    b.numbers(
        &["success"],
        &filter
            .success
            .map(i64::from)
            .into_iter()
            .collect::<Vec<_>>(),
    );
    for (part, columns) in TEXT_PARTS {
        b.texts(columns, part(filter));
    }
    let mut sql = format!(
        "SELECT node, toInt64(time) AS sec, msec, serial, records, enrichment, position \
         FROM {database}.events FINAL"
    );
    if !b.clauses.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&b.clauses.join(" AND "));
    }
    sql.push_str(" ORDER BY node, position FORMAT JSONEachRow");
    Ok(Select {
        sql,
        tables: b.tables,
    })
}

/// Calls `each` for every event the fleet holds that `filter` matches,
/// node by node (in name order), each node's in its store's order; it
/// returns `Ok(false)` to stop. Returns how many were passed on.
pub fn for_each_event<E: From<FleetError>>(
    client: &Client,
    filter: &Filter,
    mut each: impl FnMut(Stored) -> Result<bool, E>,
) -> Result<usize, E> {
    let select = select(filter, &client.url.database).map_err(|why| FleetError::Unsupported {
        server: client.url.display(),
        why,
    })?;
    let body = client.query_with_tables(&select.sql, &select.tables)?;
    let mut count = 0;
    for line in body.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let stored = stored(line).map_err(|why| FleetError::Answer {
            server: client.url.display(),
            why,
        })?;
        count += 1;
        if !each(stored)? {
            break;
        }
    }
    Ok(count)
}

/// Events a node's store recorded as missing, of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeLoss {
    pub node: String,
    pub kind: String,
    pub count: u64,
}

/// The statement summing the loss rows whose period overlaps the filter's
/// time window (all of them without one), by node and kind, for the nodes
/// the filter names (all without `-n`).
pub fn loss_select(filter: &Filter, database: &str) -> Select {
    let mut b = Builder::default();
    let at = "(toInt64(time) * 1000 + msec)";
    if let Some(start) = filter.start_ms {
        let table = b.bind("Int64", [Value::from(start)]);
        b.clauses
            .push(format!("{at} >= (SELECT any(v) FROM {table})"));
    }
    if let Some(end) = filter.end_ms {
        let table = b.bind("Int64", [Value::from(end)]);
        b.clauses.push(format!(
            "ifNull(start_ms, {at}) <= (SELECT any(v) FROM {table})"
        ));
    }
    if !filter.nodes.is_empty() {
        let table = b.bind(
            "String",
            filter.nodes.iter().map(|n| Value::from(n.as_str())),
        );
        b.clauses.push(format!("node IN {table}"));
    }
    let mut sql = format!("SELECT node, kind, sum(count) AS n FROM {database}.loss FINAL");
    if !b.clauses.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&b.clauses.join(" AND "));
    }
    sql.push_str(" GROUP BY node, kind HAVING n > 0 ORDER BY node, kind FORMAT JSONEachRow");
    Select {
        sql,
        tables: b.tables,
    }
}

/// What the fleet's stores recorded as lost in the filter's window.
pub fn losses(client: &Client, filter: &Filter) -> Result<Vec<NodeLoss>, FleetError> {
    let select = loss_select(filter, &client.url.database);
    let body = client.query_with_tables(&select.sql, &select.tables)?;
    let answer = |why: String| FleetError::Answer {
        server: client.url.display(),
        why,
    };
    body.split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|line| {
            let row: serde_json::Map<String, Value> = serde_json::from_slice(line)
                .map_err(|e| answer(format!("a row that is not JSON: {e}")))?;
            let count = match row.get("n") {
                Some(Value::Number(n)) => n.as_u64(),
                Some(Value::String(s)) => s.parse().ok(),
                _ => None,
            };
            Ok(NodeLoss {
                node: row.get("node").and_then(Value::as_str).unwrap_or("").into(),
                kind: row.get("kind").and_then(Value::as_str).unwrap_or("").into(),
                count: count.ok_or_else(|| answer("a loss sum that is not a number".into()))?,
            })
        })
        .collect()
}

/// One line naming each node that recorded loss, with its count by kind:
/// `alpha 12 (kernel_lost=10 restart=2), beta 3 (output=3)`.
pub fn loss_line(losses: &[NodeLoss]) -> String {
    let mut nodes: Vec<(String, u64, Vec<String>)> = Vec::new();
    for l in losses {
        let node = if l.node.is_empty() {
            "(no node)"
        } else {
            &l.node
        };
        if nodes.last().is_none_or(|n| n.0 != node) {
            nodes.push((node.to_string(), 0, Vec::new()));
        }
        let entry = nodes.last_mut().expect("pushed");
        entry.1 += l.count;
        entry.2.push(format!("{}={}", l.kind, l.count));
    }
    nodes
        .iter()
        .map(|(node, total, kinds)| format!("{node} {total} ({})", kinds.join(" ")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One row of the answer as the local store would give the event.
fn stored(line: &[u8]) -> Result<Stored, String> {
    let row: serde_json::Map<String, Value> =
        serde_json::from_slice(line).map_err(|e| format!("a row that is not JSON: {e}"))?;
    let text = |name: &str| row.get(name).and_then(Value::as_str);
    // ClickHouse quotes 64-bit integers in JSON.
    let int = |name: &str| -> Result<i64, String> {
        match row.get(name) {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.parse().ok(),
            _ => None,
        }
        .ok_or_else(|| format!("no {name} in a row"))
    };
    let node = text("node").filter(|n| !n.is_empty()).map(str::to_string);
    let records = parse_body(text("records").unwrap_or(""), node.as_deref());
    Ok(Stored {
        event: crate::event::Event {
            id: EventId {
                sec: int("sec")?,
                msec: int("msec")? as u32,
                serial: int("serial")? as u64,
            },
            node,
            records,
        },
        position: int("position")?,
        open: false,
        enrichment: text("enrichment").map(str::to_string),
        context: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loss_line_names_each_node_with_its_kinds() {
        let row = |node: &str, kind: &str, count| NodeLoss {
            node: node.into(),
            kind: kind.into(),
            count,
        };
        let line = loss_line(&[
            row("alpha", "kernel_lost", 10),
            row("alpha", "restart", 2),
            row("beta", "output", 3),
        ]);
        assert_eq!(
            line,
            "alpha 12 (kernel_lost=10 restart=2), beta 3 (output=3)"
        );
    }

    #[test]
    fn values_are_bound_never_pasted() {
        let filter = Filter {
            keys: vec!["x') OR 1=1 --".into()],
            syscalls: vec![257],
            start_ms: Some(1_700_000_000_000),
            ..Filter::default()
        };
        let s = select(&filter, "raudit").unwrap();
        assert!(
            !s.sql.contains("OR 1=1") && !s.sql.contains("257") && !s.sql.contains("1700000000000")
        );
        assert_eq!(s.tables.len(), 3);
        assert!(s.sql.contains("syscall IN p2"), "{}", s.sql);
        let keys = String::from_utf8(s.tables[1].rows.clone()).unwrap();
        assert_eq!(keys, "{\"v\":\"x') OR 1=1 --\"}\n");
        let loss = loss_select(
            &Filter {
                nodes: vec!["a' OR '1".into()],
                end_ms: Some(1_700_000_000_000),
                ..Filter::default()
            },
            "raudit",
        );
        assert!(!loss.sql.contains("OR '1") && !loss.sql.contains("1700000000000"));
        assert_eq!(loss.tables.len(), 2);
        assert!(select(
            &Filter {
                after_position: Some(3),
                ..Filter::default()
            },
            "raudit"
        )
        .is_err());
    }
}
