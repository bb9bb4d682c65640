//! The store's one writer: rows in batches, one transaction per batch,
//! prepared statements, and in-memory maps that spare a query for every
//! shape, path and set already known.
//!
//! Rows arrive ready to insert (shape computed, body compressed: see
//! [`super::Encoder`]), so this thread spends its time in SQLite only. An
//! event whose records arrive in several pieces is inserted with the first
//! (searchable at once) and its row updated as more arrive.

use std::path::{Path, PathBuf};

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{params, CachedStatement, Connection, OptionalExtension, Transaction};

use super::body::{NewDict, Stored};
use super::encode::Encoder;
use super::shape::{Shape, INTS, TEXTS};
use super::{sqlite_err, BodyReader, DictState, StoreError, FLAG_MALFORMED, FLAG_MORE, FLAG_OPEN};
use crate::event::Event;

/// One loss observation: kernel `lost` growth, a serial gap, an overrun,
/// events not stored, ...
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LossRow {
    /// When it was recorded (or the end of the period it covers).
    pub time_ms: i64,
    pub kind: &'static str,
    pub first_serial: Option<u64>,
    pub last_serial: Option<u64>,
    pub count: u64,
    pub detail: String,
    /// The start of the period it covers, when it covers one.
    pub start_ms: Option<i64>,
}

/// How a row relates to the event it stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The event's first records: a new row.
    First,
    /// More records of an event stored earlier by this writer (by token).
    More,
    /// Records of an event closed earlier: joined to the newest stored
    /// event with the same time, serial and node, or a new row if none.
    Late,
    /// No new records: the event is complete.
    Close,
}

/// The assembler's piece kinds map one to one onto rows.
impl From<crate::event::PieceKind> for Part {
    fn from(kind: crate::event::PieceKind) -> Part {
        use crate::event::PieceKind;
        match kind {
            PieceKind::First => Part::First,
            PieceKind::More => Part::More,
            PieceKind::Late => Part::Late,
            PieceKind::Close => Part::Close,
        }
    }
}

/// One event's rows to write (or a piece of it).
#[derive(Debug, Clone)]
pub struct Row {
    /// The event's number in this run, naming it across its pieces.
    pub token: u64,
    pub time_ms: i64,
    pub serial: u64,
    pub part: Part,
    /// More records may still join.
    pub open: bool,
    /// The event's shape so far (unused by `Close`).
    pub shape: Shape,
    /// Path names of this piece's records (PATH names, cwd).
    pub paths: Vec<String>,
    /// This piece's records (`None` for `Close`).
    pub body: Option<Stored>,
    pub malformed: bool,
    /// auditd's ENRICHED text of an imported event, encoded.
    pub enrichment: Option<String>,
    /// The unit and container of the event's process, read by the daemon.
    pub context: Option<crate::enrich::Context>,
}

/// What one transaction writes.
#[derive(Debug, Default)]
pub struct Batch {
    pub rows: Vec<Row>,
    pub losses: Vec<LossRow>,
    /// Dictionaries the rows' bodies use, stored first.
    pub dicts: Vec<NewDict>,
    /// `state` entries to set.
    pub state: Vec<(&'static str, Value)>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.losses.is_empty() && self.state.is_empty()
    }
}

/// An event inserted in this run that may still get records.
#[derive(Debug, Clone, Copy)]
struct OpenRow {
    id: i64,
    flags: i64,
    next_seq: i64,
}

/// Past this many entries a cache starts over: a bound on memory when
/// values never repeat.
const CACHED: usize = 50_000;

pub struct Writer {
    pub(super) conn: Connection,
    /// Held for the writer's life; declared after `conn`, so released
    /// after the connection has closed.
    lock: super::open::Lock,
    path: PathBuf,
    shapes: foldhash::HashMap<Shape, i64>,
    typesets: foldhash::HashMap<String, i64>,
    keysets: foldhash::HashMap<String, i64>,
    paths: foldhash::HashMap<String, i64>,
    open: foldhash::HashMap<u64, OpenRow>,
    contexts: super::context::Contexts,
    /// Dictionaries handed in whose transaction has not committed yet.
    unsaved: Vec<NewDict>,
    /// For [`Writer::write`]: events encoded here (import, tests).
    encoder: Option<Encoder>,
    /// Reading bodies back, to recognise events already stored.
    bodies: BodyReader,
    /// The tamper-evident chain every commit extends.
    pub(super) chain: super::chain::Chain,
    pub(super) checkpoint: super::retention::Checkpoint,
}

/// What a failed transaction created, to forget.
#[derive(Default)]
struct Created {
    shapes: Vec<Shape>,
    typesets: Vec<String>,
    keysets: Vec<String>,
    paths: Vec<String>,
    opened: Vec<u64>,
    closed: Vec<(u64, OpenRow)>,
    /// `body_more` rows added, (event, seq), for the chain.
    pieces: Vec<(i64, i64)>,
}

impl Writer {
    /// Opens (creating if needed) the database for writing, with the
    /// chain key beside it or named by `$RAUDIT_CHAIN_KEY`; see
    /// [`super::open_writable`].
    pub fn open(path: &Path) -> Result<Writer, StoreError> {
        Writer::open_keyed(path, &super::chain::default_key_path(path))
    }

    /// Opens the database for writing with the chain key at `key` (created
    /// if missing).
    pub fn open_keyed(path: &Path, key: &Path) -> Result<Writer, StoreError> {
        let (conn, lock) = super::open_writable(path)?;
        let chain = super::retention::load_chain(&conn, path, key)?;
        conn.set_prepared_statement_cache_capacity(64);
        let mut w = Writer {
            conn,
            lock,
            path: path.to_path_buf(),
            shapes: Default::default(),
            typesets: Default::default(),
            keysets: Default::default(),
            paths: Default::default(),
            open: Default::default(),
            contexts: Default::default(),
            unsaved: Vec::new(),
            encoder: None,
            bodies: BodyReader::new(),
            checkpoint: super::retention::Checkpoint::new(&chain),
            chain,
        };
        w.warm().map_err(sqlite_err(path))?;
        w.adopt()?;
        Ok(w)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The database file this writer opened, to tell whether the one at
    /// its path is still it.
    pub fn identity(&self) -> super::Identity {
        self.lock.identity
    }

    /// What an [`Encoder`] for this store starts from.
    pub fn dict_state(&self) -> Result<DictState, StoreError> {
        DictState::read(&self.conn).map_err(sqlite_err(&self.path))
    }

    /// Loads the newest shapes and every set, so that a restarted writer
    /// finds the shapes it stored before instead of adding them again.
    fn warm(&mut self) -> rusqlite::Result<()> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT s.id, {cols}, t.types, k.keys FROM shape s
             JOIN typeset t ON t.id = s.typeset JOIN keyset k ON k.id = s.keyset
             ORDER BY s.id DESC LIMIT {CACHED}",
            cols = shape_columns("s.")
        ))?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, shape_from_row(r, 1)?)))?;
        for row in rows {
            let (id, shape) = row?;
            self.shapes.entry(shape).or_insert(id);
        }
        drop(stmt);
        let mut stmt = self.conn.prepare("SELECT id, types FROM typeset")?;
        for row in stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
            let (id, text): (i64, String) = row?;
            self.typesets.insert(text, id);
        }
        drop(stmt);
        let mut stmt = self.conn.prepare("SELECT id, keys FROM keyset")?;
        for row in stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))? {
            let (id, text): (i64, String) = row?;
            self.keysets.insert(text, id);
        }
        Ok(())
    }

    /// Stores whole events and loss rows in one transaction, encoding
    /// them here (tests and tools; the daemon and import encode on a
    /// thread of their own).
    pub fn write(&mut self, events: &[Event], losses: &[LossRow]) -> Result<(), StoreError> {
        if self.encoder.is_none() {
            self.encoder = Some(Encoder::new(self.dict_state()?));
        }
        let encoder = self.encoder.as_mut().expect("just made");
        let mut batch = encoder.batch(events.iter().map(|e| (e, None)));
        batch.losses = losses.to_vec();
        self.write_batch(batch)
    }

    /// Writes one batch in one transaction. On failure nothing of it is
    /// stored, and the writer is as before (its dictionaries are kept for
    /// the next batch).
    pub fn write_batch(&mut self, batch: Batch) -> Result<(), StoreError> {
        self.unsaved.extend(batch.dicts);
        let mut created = Created::default();
        let result = self.transaction(&batch.rows, &batch.losses, &batch.state, &mut created);
        match result {
            Ok(()) => {
                self.unsaved.clear();
                self.trim_caches();
                self.checkpoint.maybe_save(&self.chain);
                Ok(())
            }
            Err(e) => {
                self.forget(created);
                Err(sqlite_err(&self.path)(e))
            }
        }
    }

    fn transaction(
        &mut self,
        rows: &[Row],
        losses: &[LossRow],
        state: &[(&'static str, Value)],
        created: &mut Created,
    ) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        for d in &self.unsaved {
            tx.prepare_cached("INSERT OR IGNORE INTO body_dict (id, dict) VALUES (?1, ?2)")?
                .execute(params![d.id, d.bytes])?;
        }
        {
            let mut maps = Maps {
                shapes: &mut self.shapes,
                typesets: &mut self.typesets,
                keysets: &mut self.keysets,
                paths: &mut self.paths,
                open: &mut self.open,
                contexts: &mut self.contexts,
                created,
                hot: Hot::prepare(&tx)?,
            };
            for row in rows {
                maps.write_row(&tx, row)?;
            }
        }
        for loss in losses {
            insert_loss(&tx, loss)?;
        }
        for (key, value) in state {
            tx.prepare_cached("INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)")?
                .execute(params![key, value])?;
        }
        let sealed = self
            .chain
            .seal(&tx, &created.pieces, super::retention::now_ms())?;
        tx.commit()?;
        if let Some(sealed) = sealed {
            self.chain.advance(sealed);
        }
        Ok(())
    }

    fn forget(&mut self, created: Created) {
        for s in created.shapes {
            self.shapes.remove(&s);
        }
        for t in created.typesets {
            self.typesets.remove(&t);
        }
        for k in created.keysets {
            self.keysets.remove(&k);
        }
        for p in created.paths {
            self.paths.remove(&p);
        }
        for t in created.opened {
            self.open.remove(&t);
        }
        self.contexts.forget();
        self.open.extend(created.closed);
    }

    fn trim_caches(&mut self) {
        if self.shapes.len() > CACHED {
            self.shapes.clear();
        }
        if self.paths.len() > CACHED {
            self.paths.clear();
        }
    }

    /// Whether the store holds this event already: the same time, serial,
    /// node and records (how imports recognise what is stored).
    pub fn contains(&mut self, event: &Event) -> Result<bool, StoreError> {
        super::find_event(&self.conn, &mut self.bodies, event)
            .map(|id| id.is_some())
            .map_err(sqlite_err(&self.path))
    }

    /// Sets `PRAGMA synchronous` for the writer's commits.
    pub fn set_synchronous(&self, level: &str) -> Result<(), StoreError> {
        self.conn
            .execute_batch(&format!("PRAGMA synchronous = {level}"))
            .map_err(sqlite_err(&self.path))
    }

    /// SQLite's page cache for this writer, in MiB: a bulk import into a
    /// large store spends a third of its time reading back index pages
    /// with the daemon's smaller cache.
    pub fn set_cache_mib(&self, mib: u32) -> Result<(), StoreError> {
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = -{}", u64::from(mib) * 1024))
            .map_err(sqlite_err(&self.path))
    }

    /// The write-ahead log's path, for forcing it to disk.
    pub fn wal_path(&self) -> PathBuf {
        super::wal_path(&self.path)
    }

    /// A `state` entry.
    pub fn state(&self, key: &str) -> Result<Option<Value>, StoreError> {
        self.conn
            .query_row("SELECT value FROM state WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sqlite_err(&self.path))
    }

    /// The connection, for the store's own maintenance (checkpoints).
    pub(super) fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// The writer's maps, borrowed for one transaction.
struct Maps<'a> {
    shapes: &'a mut foldhash::HashMap<Shape, i64>,
    typesets: &'a mut foldhash::HashMap<String, i64>,
    keysets: &'a mut foldhash::HashMap<String, i64>,
    paths: &'a mut foldhash::HashMap<String, i64>,
    open: &'a mut foldhash::HashMap<u64, OpenRow>,
    contexts: &'a mut super::context::Contexts,
    created: &'a mut Created,
    hot: Hot<'a>,
}

/// The statements every event runs, prepared once per transaction: looked
/// up in the statement cache per row, their SQL was hashed every time.
struct Hot<'a> {
    insert_event: CachedStatement<'a>,
    link_path: CachedStatement<'a>,
}

impl<'a> Hot<'a> {
    fn prepare(tx: &'a Transaction<'_>) -> rusqlite::Result<Hot<'a>> {
        Ok(Hot {
            insert_event: tx.prepare_cached(
                "INSERT INTO event (time_ms, serial, shape, flags, body, dict, context)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?,
            link_path: tx.prepare_cached(
                "INSERT OR IGNORE INTO event_path (path_id, event_id) VALUES (?1, ?2)",
            )?,
        })
    }
}

impl Maps<'_> {
    fn write_row(&mut self, tx: &Transaction<'_>, row: &Row) -> rusqlite::Result<()> {
        match row.part {
            Part::First => self.insert(tx, row),
            Part::More => match self.open.get(&row.token).copied() {
                Some(open) => self.append(tx, row, open),
                // Its first piece was in a batch that failed.
                None => self.insert(tx, row),
            },
            Part::Late => match find_row(tx, row)? {
                Some(open) => self.append_late(tx, row, open),
                None => self.insert(tx, row),
            },
            Part::Close => {
                if let Some(open) = self.open.remove(&row.token) {
                    self.created.closed.push((row.token, open));
                    tx.prepare_cached("UPDATE event SET flags = ?1 WHERE id = ?2")?
                        .execute(params![open.flags & !FLAG_OPEN, open.id])?;
                }
                Ok(())
            }
        }
    }

    fn insert(&mut self, tx: &Transaction<'_>, row: &Row) -> rusqlite::Result<()> {
        let shape = self.shape_id(tx, &row.shape)?;
        let flags = flag(row.malformed, FLAG_MALFORMED) | flag(row.open, FLAG_OPEN);
        let (body, dict) = row.body.as_ref().map_or(
            (ToSqlOutput::Borrowed(ValueRef::Text(b"")), None),
            Stored::sql,
        );
        let context = self.contexts.id_of(tx, row.context.as_ref())?;
        self.hot.insert_event.execute(params![
            row.time_ms,
            row.serial as i64,
            shape,
            flags,
            body,
            dict,
            context
        ])?;
        let id = tx.last_insert_rowid();
        self.link_paths(tx, id, &row.paths)?;
        if let Some(text) = &row.enrichment {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO enrichment (event_id, records) VALUES (?1, ?2)",
            )?
            .execute(params![id, text])?;
        }
        if row.open {
            self.open.insert(
                row.token,
                OpenRow {
                    id,
                    flags,
                    next_seq: 1,
                },
            );
            self.created.opened.push(row.token);
        }
        Ok(())
    }

    /// More records of an open event: its body grows by a piece, its shape
    /// is the one of all its records so far.
    fn append(&mut self, tx: &Transaction<'_>, row: &Row, open: OpenRow) -> rusqlite::Result<()> {
        let shape = self.shape_id(tx, &row.shape)?;
        let flags = (open.flags & !FLAG_OPEN)
            | flag(row.open, FLAG_OPEN)
            | flag(row.malformed, FLAG_MALFORMED)
            | FLAG_MORE;
        self.add_piece(tx, open, row)?;
        self.update_event(tx, open.id, (shape, flags), row)?;
        self.link_paths(tx, open.id, &row.paths)?;
        if row.open {
            let next = OpenRow {
                id: open.id,
                flags,
                next_seq: open.next_seq + 1,
            };
            if let Some(before) = self.open.insert(row.token, next) {
                self.created.closed.push((row.token, before));
            }
        } else if let Some(before) = self.open.remove(&row.token) {
            self.created.closed.push((row.token, before));
        }
        Ok(())
    }

    /// Records that arrived after their event was closed: the stored
    /// shape's values stay, what they lacked is filled from the new records.
    fn append_late(
        &mut self,
        tx: &Transaction<'_>,
        row: &Row,
        stored: OpenRow,
    ) -> rusqlite::Result<()> {
        let mut shape = stored_shape(tx, stored.id)?;
        super::shape::fill(&mut shape, row.shape.clone());
        let shape = self.shape_id(tx, &shape)?;
        let flags = stored.flags | flag(row.malformed, FLAG_MALFORMED) | FLAG_MORE;
        self.add_piece(tx, stored, row)?;
        self.update_event(tx, stored.id, (shape, flags), row)?;
        self.link_paths(tx, stored.id, &row.paths)
    }

    /// A stored event's new shape and flags, and its context if it had
    /// none yet (the piece with its SYSCALL record came late).
    fn update_event(
        &mut self,
        tx: &Transaction<'_>,
        event: i64,
        (shape, flags): (i64, i64),
        row: &Row,
    ) -> rusqlite::Result<()> {
        let context = self.contexts.id_of(tx, row.context.as_ref())?;
        tx.prepare_cached(
            "UPDATE event SET shape = ?1, flags = ?2, context = coalesce(context, ?3)
             WHERE id = ?4",
        )?
        .execute(params![shape, flags, context, event])?;
        Ok(())
    }

    fn add_piece(
        &mut self,
        tx: &Transaction<'_>,
        open: OpenRow,
        row: &Row,
    ) -> rusqlite::Result<()> {
        let Some(body) = &row.body else {
            return Ok(());
        };
        let (bytes, dict) = body.sql();
        tx.prepare_cached(
            "INSERT INTO body_more (event_id, seq, body, dict) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![open.id, open.next_seq, bytes, dict])?;
        self.created.pieces.push((open.id, open.next_seq));
        Ok(())
    }

    fn link_paths(
        &mut self,
        tx: &Transaction<'_>,
        event: i64,
        paths: &[String],
    ) -> rusqlite::Result<()> {
        for name in paths {
            let id = self.path_id(tx, name)?;
            self.hot.link_path.execute(params![id, event])?;
        }
        Ok(())
    }

    fn path_id(&mut self, tx: &Transaction<'_>, name: &str) -> rusqlite::Result<i64> {
        if let Some(id) = self.paths.get(name) {
            return Ok(*id);
        }
        let (id, _) = find_or_insert(tx, "path_name", "name", name)?;
        self.paths.insert(name.to_string(), id);
        self.created.paths.push(name.to_string());
        Ok(id)
    }

    /// The id of a shape, inserted if this writer does not know it. A shape
    /// stored twice (after the cache started over) is harmless: filters
    /// select shapes by value.
    fn shape_id(&mut self, tx: &Transaction<'_>, shape: &Shape) -> rusqlite::Result<i64> {
        if let Some(id) = self.shapes.get(shape) {
            return Ok(*id);
        }
        let typeset = self.typeset_id(tx, &shape.types_text())?;
        let keyset = self.keyset_id(tx, shape)?;
        let mut values: Vec<Value> = Vec::with_capacity(INTS.len() + TEXTS.len() + 3);
        values.push(shape.node.clone().map_or(Value::Null, Value::Text));
        values.extend(
            shape
                .ints
                .iter()
                .map(|v| v.map_or(Value::Null, Value::Integer)),
        );
        values.extend(
            shape
                .texts
                .iter()
                .map(|v| v.clone().map_or(Value::Null, Value::Text)),
        );
        values.push(Value::Integer(typeset));
        values.push(Value::Integer(keyset));
        tx.prepare_cached(&insert_shape_sql())?
            .execute(rusqlite::params_from_iter(values))?;
        let id = tx.last_insert_rowid();
        self.shapes.insert(shape.clone(), id);
        self.created.shapes.push(shape.clone());
        Ok(id)
    }

    fn typeset_id(&mut self, tx: &Transaction<'_>, text: &str) -> rusqlite::Result<i64> {
        if let Some(id) = self.typesets.get(text) {
            return Ok(*id);
        }
        let (id, created) = find_or_insert(tx, "typeset", "types", text)?;
        if created {
            for t in text.split(',').filter(|t| !t.is_empty()) {
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO typeset_member (type, typeset_id) VALUES (?1, ?2)",
                )?
                .execute(params![t.parse::<i64>().unwrap_or(0), id])?;
            }
        }
        self.typesets.insert(text.to_string(), id);
        self.created.typesets.push(text.to_string());
        Ok(id)
    }

    fn keyset_id(&mut self, tx: &Transaction<'_>, shape: &Shape) -> rusqlite::Result<i64> {
        let text = shape.keys_text();
        if let Some(id) = self.keysets.get(&text) {
            return Ok(*id);
        }
        let (id, created) = find_or_insert(tx, "keyset", "keys", &text)?;
        if created {
            for k in &shape.keys {
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO keyset_member (key, keyset_id) VALUES (?1, ?2)",
                )?
                .execute(params![k, id])?;
            }
        }
        self.keysets.insert(text.clone(), id);
        self.created.keysets.push(text);
        Ok(id)
    }
}

/// The id of the row of a dictionary table (`id`, and a unique `column`)
/// holding `value`, inserted if there is none; whether it was.
fn find_or_insert(
    tx: &Transaction<'_>,
    table: &str,
    column: &str,
    value: &str,
) -> rusqlite::Result<(i64, bool)> {
    let found: Option<i64> = tx
        .prepare_cached(&format!("SELECT id FROM {table} WHERE {column} = ?1"))?
        .query_row([value], |r| r.get(0))
        .optional()?;
    if let Some(id) = found {
        return Ok((id, false));
    }
    tx.prepare_cached(&format!("INSERT INTO {table} ({column}) VALUES (?1)"))?
        .execute([value])?;
    Ok((tx.last_insert_rowid(), true))
}

fn flag(on: bool, bit: i64) -> i64 {
    if on {
        bit
    } else {
        0
    }
}

/// The shape table's columns after `id`, each with `prefix`.
pub(super) fn shape_columns(prefix: &str) -> String {
    let mut cols = vec![format!("{prefix}node")];
    cols.extend(INTS.iter().map(|c| format!("{prefix}{}", c.name)));
    cols.extend(TEXTS.iter().map(|c| format!("{prefix}{c}")));
    cols.join(", ")
}

fn insert_shape_sql() -> String {
    let n = 1 + INTS.len() + TEXTS.len() + 2;
    let marks: Vec<String> = (1..=n).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO shape ({}, typeset, keyset) VALUES ({})",
        shape_columns(""),
        marks.join(", ")
    )
}

/// A shape from a row holding [`shape_columns`] from `at`, then the
/// typeset's and keyset's text.
pub(super) fn shape_from_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Shape> {
    let mut shape = Shape {
        node: r.get(at)?,
        ..Shape::default()
    };
    let mut i = at + 1;
    for slot in shape.ints.iter_mut() {
        *slot = r.get(i)?;
        i += 1;
    }
    for slot in shape.texts.iter_mut() {
        *slot = r.get(i)?;
        i += 1;
    }
    let types: String = r.get(i)?;
    let keys: String = r.get(i + 1)?;
    shape.types = types.split(',').filter_map(|t| t.parse().ok()).collect();
    shape.keys = keys
        .split(super::shape::KEY_SEPARATOR)
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect();
    Ok(shape)
}

fn stored_shape(tx: &Transaction<'_>, event: i64) -> rusqlite::Result<Shape> {
    tx.query_row(
        &format!(
            "SELECT {cols}, t.types, k.keys FROM event e JOIN shape s ON s.id = e.shape
             JOIN typeset t ON t.id = s.typeset JOIN keyset k ON k.id = s.keyset
             WHERE e.id = ?1",
            cols = shape_columns("s.")
        ),
        [event],
        |r| shape_from_row(r, 0),
    )
}

/// The newest stored event with a late row's time, serial and node.
fn find_row(tx: &Transaction<'_>, row: &Row) -> rusqlite::Result<Option<OpenRow>> {
    let found: Option<(i64, i64)> = tx
        .prepare_cached(
            "SELECT e.id, e.flags FROM event e JOIN shape s ON s.id = e.shape
             WHERE e.serial = ?1 AND e.time_ms = ?2 AND s.node IS ?3
             ORDER BY e.id DESC LIMIT 1",
        )?
        .query_row(
            params![row.serial as i64, row.time_ms, row.shape.node],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((id, flags)) = found else {
        return Ok(None);
    };
    let next_seq: i64 = tx
        .prepare_cached("SELECT coalesce(max(seq), 0) + 1 FROM body_more WHERE event_id = ?1")?
        .query_row([id], |r| r.get(0))?;
    Ok(Some(OpenRow {
        id,
        flags,
        next_seq,
    }))
}

fn insert_loss(tx: &Transaction<'_>, l: &LossRow) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO loss (time_ms, kind, first_serial, last_serial, count, detail, start_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        l.time_ms,
        l.kind,
        l.first_serial.map(|s| s as i64),
        l.last_serial.map(|s| s as i64),
        l.count as i64,
        l.detail,
        l.start_ms,
    ])?;
    Ok(())
}
