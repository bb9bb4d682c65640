//! The batched writer: many events per transaction, prepared statements.

use std::path::{Path, PathBuf};

use std::collections::{HashMap, HashSet};

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::body::{body_text, BodyEncoder};
use super::{open_writable, sqlite_err, StoreError};
use crate::event::Event;
use crate::record::{decode_value, types, Record};

/// One loss observation: kernel `lost` growth, a serial gap, an overrun.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LossRow {
    pub time_ms: i64,
    pub kind: &'static str,
    pub first_serial: Option<u64>,
    pub last_serial: Option<u64>,
    pub count: u64,
    pub detail: String,
}

pub struct Writer {
    conn: Connection,
    path: PathBuf,
    /// Type-set ids by their text, so a known set costs no query.
    typesets: HashMap<String, i64>,
    /// Values known to be in `text_names`, so a known comm or exe costs
    /// no statement.
    text_names: TextNames,
    bodies: BodyEncoder,
}

/// Past this many, the cache of known text values starts over: a bound on
/// memory when values never repeat (a new tty per session, ...).
const TEXT_NAMES_CACHED: usize = 100_000;

/// Known values per dictionary column, in [`Promoted::texts`] order: a
/// lookup by `&str` costs no allocation on the ingest path.
type TextNames = [HashSet<String>; TEXT_COLUMNS];
const TEXT_COLUMNS: usize = 9;

fn no_text_names() -> TextNames {
    std::array::from_fn(|_| HashSet::new())
}

/// The columns promoted from an event's records, taken from the first
/// record that has each field (the SYSCALL record when there is one).
#[derive(Default)]
struct Promoted {
    syscall: Option<i64>,
    arch: Option<i64>,
    success: Option<i64>,
    exit: Option<i64>,
    pid: Option<i64>,
    ppid: Option<i64>,
    uid: Option<i64>,
    euid: Option<i64>,
    auid: Option<i64>,
    gid: Option<i64>,
    egid: Option<i64>,
    ses: Option<i64>,
    tty: Option<String>,
    terminal: Option<String>,
    hostname: Option<String>,
    addr: Option<String>,
    comm: Option<String>,
    exe: Option<String>,
    subj: Option<String>,
    obj: Option<String>,
}

impl Promoted {
    /// The text columns that have a dictionary in `text_names`, with the
    /// event's values.
    fn texts<'a>(&'a self, event: &'a Event) -> [(&'static str, Option<&'a str>); TEXT_COLUMNS] {
        [
            ("comm", self.comm.as_deref()),
            ("exe", self.exe.as_deref()),
            ("tty", self.tty.as_deref()),
            ("terminal", self.terminal.as_deref()),
            ("hostname", self.hostname.as_deref()),
            ("addr", self.addr.as_deref()),
            ("subj", self.subj.as_deref()),
            ("obj", self.obj.as_deref()),
            ("node", event.node.as_deref()),
        ]
    }

    /// One pass over the fields, SYSCALL first: its pid/uid are the
    /// event's, not a PATH's ouid or a later record's.
    fn of(event: &Event) -> Promoted {
        let mut p = Promoted::default();
        let syscall_first = event
            .records
            .iter()
            .filter(|r| r.rtype == types::SYSCALL)
            .chain(event.records.iter().filter(|r| r.rtype != types::SYSCALL));
        for r in syscall_first {
            for f in r.fields() {
                p.take(&f.name, &f.value);
            }
        }
        p
    }

    fn take(&mut self, name: &str, raw: &str) {
        fn set<T>(slot: &mut Option<T>, value: impl FnOnce() -> Option<T>) {
            if slot.is_none() {
                *slot = value();
            }
        }
        let num = || {
            raw.parse::<i64>()
                .ok()
                .or_else(|| raw.parse::<u64>().ok().map(|v| v as i64))
        };
        let text = || decode_value(name, raw);
        match name {
            "syscall" => set(&mut self.syscall, num),
            "arch" => set(&mut self.arch, || {
                u64::from_str_radix(raw, 16).ok().map(|a| a as i64)
            }),
            // Syscalls say success=yes|no; user messages res=success|failed
            // (older kernels res=1|0): ausearch's -sv reads both.
            "success" | "res" => set(&mut self.success, || match raw {
                "yes" | "success" | "1" => Some(1),
                "no" | "failed" | "0" => Some(0),
                _ => None,
            }),
            "exit" => set(&mut self.exit, num),
            "pid" => set(&mut self.pid, num),
            "ppid" => set(&mut self.ppid, num),
            "uid" => set(&mut self.uid, num),
            "euid" => set(&mut self.euid, num),
            "auid" => set(&mut self.auid, num),
            "gid" => set(&mut self.gid, num),
            "egid" => set(&mut self.egid, num),
            "ses" => set(&mut self.ses, num),
            "tty" => set(&mut self.tty, text),
            "terminal" => set(&mut self.terminal, text),
            "hostname" => set(&mut self.hostname, text),
            "addr" => set(&mut self.addr, text),
            "comm" => set(&mut self.comm, text),
            "exe" => set(&mut self.exe, text),
            "subj" => set(&mut self.subj, text),
            "obj" => set(&mut self.obj, text),
            _ => {}
        }
    }
}

/// Every key of an event: `key=` fields, several joined by \x01 in one.
pub fn event_keys(event: &Event) -> Vec<String> {
    let mut keys: Vec<String> = event
        .records
        .iter()
        .filter_map(|r| r.text_of("key"))
        .flat_map(|k| k.split('\x01').map(str::to_string).collect::<Vec<_>>())
        .filter(|k| !k.is_empty())
        .collect();
    keys.dedup();
    keys
}

impl Writer {
    pub fn open(path: &Path) -> Result<Writer, StoreError> {
        let conn = open_writable(path)?;
        let bodies = BodyEncoder::open(&conn).map_err(sqlite_err(path))?;
        Ok(Writer {
            conn,
            path: path.to_path_buf(),
            typesets: HashMap::new(),
            text_names: no_text_names(),
            bodies,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stores events and loss rows in one transaction.
    pub fn write(&mut self, events: &[Event], losses: &[LossRow]) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = sqlite_err(&path);
        // Type sets and names created here are cached only once the commit
        // holds them.
        let mut created: HashMap<String, i64> = HashMap::new();
        let mut new_names = no_text_names();
        let result = (|| {
            let tx = self.conn.transaction()?;
            for event in events {
                let set = typeset_text(event);
                let typeset = match self.typesets.get(&set).or_else(|| created.get(&set)) {
                    Some(id) => *id,
                    None => {
                        let id = typeset_id(&tx, &set)?;
                        created.insert(set, id);
                        id
                    }
                };
                let promoted = Promoted::of(event);
                let body = self.bodies.encode(&tx, &body_text(event))?;
                insert_event(&tx, event, &promoted, typeset, body)?;
                for (i, (col, value)) in promoted.texts(event).into_iter().enumerate() {
                    let Some(value) = value else { continue };
                    if self.text_names[i].contains(value) || new_names[i].contains(value) {
                        continue;
                    }
                    insert_text_name(&tx, col, value)?;
                    new_names[i].insert(value.to_string());
                }
            }
            for loss in losses {
                insert_loss(&tx, loss)?;
            }
            tx.commit()
        })();
        if let Err(e) = result {
            self.bodies.rolled_back();
            return Err(err(e));
        }
        self.bodies.committed();
        self.typesets.extend(created);
        for (known, new) in self.text_names.iter_mut().zip(new_names) {
            if known.len() + new.len() > TEXT_NAMES_CACHED {
                known.clear();
            }
            known.extend(new);
        }
        Ok(())
    }

    /// Sets `PRAGMA synchronous` for the writer's commits.
    pub fn set_synchronous(&mut self, level: &str) -> Result<(), StoreError> {
        self.conn
            .execute_batch(&format!("PRAGMA synchronous = {level}"))
            .map_err(sqlite_err(&self.path))
    }

    /// The write-ahead log's path, for forcing it to disk.
    pub fn wal_path(&self) -> PathBuf {
        super::wal_path(&self.path)
    }
}

/// The sorted, distinct record types of an event, as text.
fn typeset_text(event: &Event) -> String {
    let mut types: Vec<u32> = event.records.iter().map(|r| r.rtype).collect();
    types.sort_unstable();
    types.dedup();
    types
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The id of a type set, created (with its members) if new.
fn typeset_id(tx: &Transaction<'_>, set: &str) -> rusqlite::Result<i64> {
    let found = tx
        .prepare_cached("SELECT id FROM typeset WHERE types = ?1")?
        .query_row([set], |r| r.get(0))
        .optional()?;
    if let Some(id) = found {
        return Ok(id);
    }
    tx.prepare_cached("INSERT INTO typeset (types) VALUES (?1)")?
        .execute([set])?;
    let id = tx.last_insert_rowid();
    for t in set.split(',').filter(|t| !t.is_empty()) {
        tx.prepare_cached("INSERT INTO typeset_member (type, typeset_id) VALUES (?1, ?2)")?
            .execute(params![t.parse::<i64>().unwrap_or(0), id])?;
    }
    Ok(id)
}

fn insert_text_name(tx: &Transaction<'_>, col: &str, value: &str) -> rusqlite::Result<()> {
    tx.prepare_cached("INSERT OR IGNORE INTO text_names (col, value) VALUES (?1, ?2)")?
        .execute([col, value])?;
    Ok(())
}

/// A body as stored: the text or a compressed frame, and its dictionary.
type StoredBody = (rusqlite::types::Value, Option<i64>);

fn insert_event(
    tx: &Transaction<'_>,
    event: &Event,
    p: &Promoted,
    typeset: i64,
    (records, dict): StoredBody,
) -> rusqlite::Result<()> {
    let flags = i64::from(event.records.iter().any(|r| r.error().is_some()));
    tx.prepare_cached(
        "INSERT INTO event (time_ms, serial, node, syscall, arch, success, exit, pid, ppid,
            uid, euid, auid, gid, egid, ses, tty, terminal, hostname, addr, comm, exe,
            subj, obj, typeset, flags)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
    )?
    .execute(params![
        event.id.time_ms(),
        event.id.serial as i64,
        event.node,
        p.syscall,
        p.arch,
        p.success,
        p.exit,
        p.pid,
        p.ppid,
        p.uid,
        p.euid,
        p.auid,
        p.gid,
        p.egid,
        p.ses,
        p.tty,
        p.terminal,
        p.hostname,
        p.addr,
        p.comm,
        p.exe,
        p.subj,
        p.obj,
        typeset,
        flags,
    ])?;
    let id = tx.last_insert_rowid();
    for key in event_keys(event) {
        tx.prepare_cached("INSERT INTO event_key (event_id, key) VALUES (?1, ?2)")?
            .execute(params![id, key])?;
        tx.prepare_cached("INSERT OR IGNORE INTO key_names (key) VALUES (?1)")?
            .execute([&key])?;
    }
    for r in &event.records {
        insert_paths(tx, id, r)?;
    }
    tx.prepare_cached("INSERT INTO body (event_id, records, dict) VALUES (?1, ?2, ?3)")?
        .execute(params![id, records, dict])?;
    Ok(())
}

fn insert_paths(tx: &Transaction<'_>, id: i64, r: &Record) -> rusqlite::Result<()> {
    let (item, name, nametype, inode) = match r.rtype {
        types::PATH => (
            r.number("item"),
            r.text_of("name"),
            r.raw("nametype").map(str::to_string),
            r.number("inode"),
        ),
        // CWD records, and user messages that carry a cwd= (USER_CMD).
        _ => match r.text_of("cwd") {
            Some(cwd) => (None, Some(cwd), None, None),
            None => return Ok(()),
        },
    };
    tx.prepare_cached(
        "INSERT INTO path (event_id, item, name, nametype, inode) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![id, item, name, nametype, inode])?;
    if let Some(name) = &name {
        tx.prepare_cached("INSERT OR IGNORE INTO path_names (name) VALUES (?1)")?
            .execute([name])?;
    }
    Ok(())
}

fn insert_loss(tx: &Transaction<'_>, l: &LossRow) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO loss (time_ms, kind, first_serial, last_serial, count, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        l.time_ms,
        l.kind,
        l.first_serial.map(|s| s as i64),
        l.last_serial.map(|s| s as i64),
        l.count as i64,
        l.detail
    ])?;
    Ok(())
}
