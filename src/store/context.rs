//! Writing the context the daemon found for an event (see crate::enrich):
//! the event row points at a shared `context` row, whose ancestry is a
//! shared `lineage`. The writer remembers the ids of the contexts it has
//! seen, so a known one costs no query.
//!
//! Context is not a kernel record: it is read from `/proc` after the fact,
//! and the chain (store::chain) does not cover it.

use rusqlite::{params, OptionalExtension, Transaction};

use crate::enrich::Context;

/// Past this many the map starts over: a bound on memory.
const CACHED: usize = 50_000;

/// What separates the parts of a context's key and a lineage's programs.
const SEP: char = '\u{1}';

#[derive(Default)]
pub(super) struct Contexts {
    ids: foldhash::HashMap<Context, i64>,
}

impl Contexts {
    /// The id of the `context` row for `context`, made if new; `None`
    /// for an event without context.
    pub fn id_of(
        &mut self,
        tx: &Transaction<'_>,
        context: Option<&Context>,
    ) -> rusqlite::Result<Option<i64>> {
        match context.filter(|c| !c.is_empty()) {
            Some(c) => self.id(tx, c).map(Some),
            None => Ok(None),
        }
    }

    /// After a transaction that failed: the ids it made are gone.
    pub fn forget(&mut self) {
        self.ids.clear();
    }

    fn id(&mut self, tx: &Transaction<'_>, context: &Context) -> rusqlite::Result<i64> {
        if let Some(id) = self.ids.get(context) {
            return Ok(*id);
        }
        let lineage = lineage_id(tx, &context.ancestors)?;
        let names = &context.names;
        let text = |t: Option<&str>| t.unwrap_or("").to_string();
        let key = [
            text(context.unit.as_deref()),
            text(context.container.as_deref()),
            lineage.map_or(String::new(), |l| l.to_string()),
            text(names.uid.as_deref()),
            text(names.auid.as_deref()),
            text(names.gid.as_deref()),
        ]
        .join(&SEP.to_string());
        let found: Option<i64> = tx
            .prepare_cached("SELECT id FROM context WHERE key = ?1")?
            .query_row([&key], |r| r.get(0))
            .optional()?;
        let id = match found {
            Some(id) => id,
            None => {
                tx.prepare_cached(
                    "INSERT INTO context (key, unit, container, lineage, uid_name, auid_name, gid_name)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    key,
                    context.unit,
                    context.container,
                    lineage,
                    names.uid,
                    names.auid,
                    names.gid
                ])?;
                tx.last_insert_rowid()
            }
        };
        if self.ids.len() >= CACHED {
            self.ids.clear();
        }
        self.ids.insert(context.clone(), id);
        Ok(id)
    }
}

/// The lineage of these programs, made with its members if new; `None`
/// for no ancestors.
fn lineage_id(tx: &Transaction<'_>, exes: &[String]) -> rusqlite::Result<Option<i64>> {
    if exes.is_empty() {
        return Ok(None);
    }
    let text = exes.join(&SEP.to_string());
    let found: Option<i64> = tx
        .prepare_cached("SELECT id FROM lineage WHERE exes = ?1")?
        .query_row([&text], |r| r.get(0))
        .optional()?;
    if let Some(id) = found {
        return Ok(Some(id));
    }
    tx.prepare_cached("INSERT INTO lineage (exes) VALUES (?1)")?
        .execute([&text])?;
    let id = tx.last_insert_rowid();
    for exe in exes {
        tx.prepare_cached(
            "INSERT OR IGNORE INTO lineage_member (exe, lineage_id) VALUES (?1, ?2)",
        )?
        .execute(params![exe, id])?;
    }
    Ok(Some(id))
}

/// A lineage's programs as stored, nearest first.
pub fn split_lineage(exes: &str) -> Vec<String> {
    exes.split(SEP).map(str::to_string).collect()
}
