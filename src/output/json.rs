//! `--format json`: one object per event per line. The structs below are
//! the schema (documented in raudit-search(8), from `search --help`); its
//! version is the `schema` field. Within a version fields are only added;
//! a change to a field's meaning or type takes a new version.
//!
//! An event is written as it is serialized, record by record: an event of
//! 20,000 records costs one record's worth of memory beyond the event.

use std::collections::HashSet;
use std::io::{self, Write};

use chrono::TimeZone;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::interpret::{self, Recorded};
use super::Enrichment;
use crate::enrich::Context;
use crate::event::Event;
use crate::record::{decode_field, types, Record};
use crate::tables::arch;

/// The version of the schema: the value of every event's `schema` field.
pub const SCHEMA: u32 = 1;

pub fn print(
    out: &mut impl Write,
    event: &Event,
    enrichment: Enrichment<'_>,
    complete: bool,
    context: &Context,
) -> io::Result<()> {
    let mut json = EventJson::of(event, enrichment);
    json.complete = complete;
    json.unit = context.unit.as_deref();
    json.container = context.container.as_deref();
    json.ancestors = (!context.ancestors.is_empty()).then_some(&context.ancestors[..]);
    [json.uid_name, json.auid_name, json.gid_name] = names(event, enrichment, context);
    serde_json::to_writer(&mut *out, &json)?;
    writeln!(out)
}

/// One event. Event-level fields come from the first record that has the
/// field, the SYSCALL record first (as the store's columns do); `null`
/// when no record has it.
#[derive(Serialize)]
struct EventJson<'a> {
    schema: u32,
    /// RFC 3339, UTC, milliseconds.
    time: Option<String>,
    sec: i64,
    msec: u32,
    serial: u64,
    /// The host that logged the event; null for this one.
    node: Option<&'a str>,
    /// False while the daemon may still add records to the event (its
    /// EOE has not come, nor its timeout); true once it is final.
    complete: bool,
    /// Every key of the event's rules.
    keys: Vec<String>,
    /// The system call's name for its architecture (null if unknown).
    syscall: Option<&'static str>,
    syscall_nr: Option<i64>,
    arch: Option<&'static str>,
    /// `success=yes|no`, or a user message's `res=`.
    success: Option<bool>,
    exit: Option<i64>,
    pid: Option<i64>,
    ppid: Option<i64>,
    uid: Option<i64>,
    uid_name: Option<String>,
    auid: Option<i64>,
    auid_name: Option<String>,
    gid: Option<i64>,
    gid_name: Option<String>,
    ses: Option<i64>,
    tty: Option<String>,
    comm: Option<String>,
    exe: Option<String>,
    /// The EXECVE record's arguments, decoded, in order.
    argv: Option<Vec<String>>,
    /// The systemd unit of the process (from its cgroup, read by the daemon
    /// when it stored the event; null if none or not read).
    unit: Option<&'a str>,
    /// The container id of the process (64 hex digits), likewise.
    container: Option<&'a str>,
    /// The programs its ancestors ran, its parent's first, likewise.
    ancestors: Option<&'a [String]>,
    records: Records<'a>,
}

impl<'a> EventJson<'a> {
    fn of(event: &'a Event, enrichment: Enrichment<'a>) -> EventJson<'a> {
        let find = Finder { event, enrichment };
        let number = |name| find.field(name).and_then(|(_, r)| r.number(name));
        let text = |name| find.field(name).and_then(|(_, r)| r.text_of(name));
        let machine = find
            .field("arch")
            .and_then(|(_, r)| r.hex("arch"))
            .and_then(|elf| arch::by_elf(elf as u32));
        let syscall_nr = number("syscall");
        EventJson {
            schema: SCHEMA,
            time: chrono::Utc
                .timestamp_millis_opt(event.id.time_ms())
                .single()
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            sec: event.id.sec,
            msec: event.id.msec,
            serial: event.id.serial,
            node: event.node.as_deref(),
            complete: true,
            keys: event.keys(),
            syscall: machine
                .and_then(|m| m.syscalls())
                .zip(syscall_nr)
                .and_then(|(table, nr)| table.name(u32::try_from(nr).ok()?)),
            syscall_nr,
            arch: machine.map(|m| m.name()),
            success: find.success(),
            exit: number("exit"),
            pid: number("pid"),
            ppid: number("ppid"),
            uid: number("uid"),
            uid_name: None,
            auid: number("auid"),
            auid_name: None,
            gid: number("gid"),
            gid_name: None,
            ses: number("ses"),
            tty: text("tty"),
            comm: text("comm"),
            exe: text("exe"),
            argv: argv(event),
            unit: None,
            container: None,
            ancestors: None,
            records: Records(&event.records),
        }
    }
}

/// The names of the event's uid, auid and gid: as the daemon kept them
/// when it stored the event, else as an enriched log recorded them, else
/// as `-i` prints them today.
pub(super) fn names(
    event: &Event,
    enrichment: Enrichment<'_>,
    context: &Context,
) -> [Option<String>; 3] {
    let find = Finder { event, enrichment };
    let kept = &context.names;
    [
        (&kept.uid, "uid", interpret::user_name as fn(i32) -> String),
        (&kept.auid, "auid", interpret::user_name),
        (&kept.gid, "gid", interpret::group_name),
    ]
    .map(|(kept, field, lookup)| {
        kept.as_deref()
            .map(str::to_string)
            .or_else(|| find.named(field, lookup))
    })
}

/// Looks up event-level fields.
struct Finder<'a> {
    event: &'a Event,
    enrichment: Enrichment<'a>,
}

impl<'a> Finder<'a> {
    /// The first record holding `name`, SYSCALL first, with its index.
    fn field(&self, name: &str) -> Option<(usize, &'a Record)> {
        let records = self.event.records.iter().enumerate();
        let syscall = records.clone().filter(|(_, r)| r.rtype == types::SYSCALL);
        let others = records.filter(|(_, r)| r.rtype != types::SYSCALL);
        syscall.chain(others).find(|(_, r)| r.raw(name).is_some())
    }

    fn success(&self) -> Option<bool> {
        let (_, r) = self.field("success").or_else(|| self.field("res"))?;
        match r.raw("success").or_else(|| r.raw("res"))? {
            "yes" | "success" | "1" => Some(true),
            "no" | "failed" | "0" => Some(false),
            _ => None,
        }
    }

    /// A uid's name: the one an enriched log recorded with the event (the
    /// logging host's), else this machine's, as `ausearch -i` names it.
    /// The name of the id in field `name`: as an enriched log recorded
    /// it, else as `-i` prints it (`lookup`).
    fn named(&self, name: &str, lookup: fn(i32) -> String) -> Option<String> {
        let (i, r) = self.field(name)?;
        let recorded = self
            .enrichment
            .and_then(|e| e.get(i))
            .and_then(Option::as_deref)
            .and_then(|e| {
                let names = Recorded::parse(e.as_bytes());
                let text = String::from_utf8_lossy(names.get(name.as_bytes())?).into_owned();
                Some(text.trim_matches('"').to_string())
            });
        recorded.or_else(|| Some(lookup(r.number(name)? as i32)))
    }
}

/// The arguments of the event's EXECVE records: `argc` of them, each `aN`
/// or, for a long one the kernel split, `aN[0]`, `aN[1]`, ... joined.
fn argv(event: &Event) -> Option<Vec<String>> {
    let execve: Vec<&Record> = event
        .records
        .iter()
        .filter(|r| r.rtype == types::EXECVE)
        .collect();
    let argc = execve.iter().find_map(|r| r.number("argc"));
    let fields: std::collections::HashMap<&str, &str> = execve
        .iter()
        .flat_map(|r| r.fields())
        .map(|f| (f.name.as_str(), f.value.as_str()))
        .collect();
    let decode = |name: &str| decode_field(types::EXECVE, name, fields.get(name)?);
    let arg = |i: i64| {
        decode(&format!("a{i}")).or_else(|| {
            let parts: Vec<String> = (0..).map_while(|j| decode(&format!("a{i}[{j}]"))).collect();
            (!parts.is_empty()).then(|| parts.concat())
        })
    };
    match argc {
        Some(n) => Some((0..n).map(|i| arg(i).unwrap_or_default()).collect()),
        None if !execve.is_empty() => Some((0..).map_while(arg).collect()),
        None => None,
    }
}

/// The records, serialized one at a time.
struct Records<'a>(&'a [Record]);

impl Serialize for Records<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for r in self.0 {
            seq.serialize_element(&RecordJson::of(r))?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct RecordJson<'a> {
    /// The record type's name (`UNKNOWN[1234]` for a number without one).
    #[serde(rename = "type")]
    rtype: String,
    type_nr: u32,
    /// The record's text as the kernel wrote it, from `audit(` on.
    raw: &'a str,
    /// Name to value, quotes removed, the kernel's hex encoding undone;
    /// null for `(null)` and `?`. A name repeated keeps its first value.
    fields: FirstOfEach<Option<String>>,
    /// Name to value as `ausearch -i` shows it, unescaped.
    interp: FirstOfEach<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parse_error: Option<&'a str>,
}

impl<'a> RecordJson<'a> {
    fn of(r: &'a Record) -> RecordJson<'a> {
        RecordJson {
            rtype: r.rtype.to_string(),
            type_nr: r.rtype.number(),
            raw: &r.text,
            fields: FirstOfEach(
                r.fields()
                    .iter()
                    .map(|f| (f.name.clone(), decode_field(r.rtype, &f.name, &f.value)))
                    .collect(),
            ),
            interp: FirstOfEach(interpret::fields(r)),
            parse_error: r.error(),
        }
    }
}

/// Pairs as a JSON object, the first of each name kept.
struct FirstOfEach<V>(Vec<(String, V)>);

impl<V: Serialize> Serialize for FirstOfEach<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seen = HashSet::new();
        let mut map = s.serialize_map(None)?;
        for (name, value) in self.0.iter().filter(|(n, _)| seen.insert(n.as_str())) {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests;
