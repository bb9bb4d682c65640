//! An event as auparse holds it when ausearch feeds it records for the
//! csv and text forms: each record split into fields by auparse's own
//! tokenizer (`parse_up_record`), which differs from the record parser's
//! (the `type` and `node` words are fields, a user message's `msg='...'`
//! is opened in place, an AVC's `denied { read }` become `seresult` and
//! `seperms`, several keys become several `key` fields).

use crate::event::Event;
use crate::output::interpret::{self, num, Recorded};
use crate::output::{Enrichment, Escape};
use crate::record::{types, EventId, MessageType, Record};
use crate::tables::arch::{self, Machine};

use crate::record::types::{AVC, CWD, USER_AVC};
use crate::wire::KEY_SEPARATOR_BYTE as KEY_SEPARATOR;

/// One `name=value` as auparse keeps it (trailing `:`, `,`, `'` and `)`
/// trimmed from the value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub val: String,
}

/// One record: its fields, and what auparse notes while splitting them,
/// which later interpretations depend on.
pub struct AuRecord {
    pub rtype: MessageType,
    pub fields: Vec<Field>,
    /// From an `arch` field at the place a SYSCALL or SECCOMP record has it.
    pub machine: Option<&'static Machine>,
    pub syscall: i32,
    pub a0: u64,
    pub a1: u64,
    /// What an enriched log recorded after the record's `\x1d`.
    pub recorded: Option<Recorded>,
}

/// The records of one event as auparse delivers it.
pub struct AuEvent {
    pub id: EventId,
    pub node: Option<String>,
    pub records: Vec<AuRecord>,
    /// The `cwd` of the event's CWD record, for absolute file names.
    pub cwd: Option<String>,
    pub escape: Escape,
}

impl AuEvent {
    /// Splits an event into the events auparse makes of its records: an
    /// event ends at a record of a type auparse takes to end one (a
    /// PROCTITLE, or a user-space or anomaly type), so a LOGIN raised inside
    /// a syscall is an event apart from its SYSCALL record.
    pub fn split(event: &Event, enrichment: Enrichment<'_>, escape: Escape) -> Vec<AuEvent> {
        let mut out = Vec::new();
        let mut current: Option<AuEvent> = None;
        for (i, r) in event.records.iter().enumerate() {
            let recorded = enrichment
                .and_then(|e| e.get(i))
                .and_then(Option::as_deref)
                .filter(|e| !e.is_empty())
                .map(|e| Recorded::parse(e.as_bytes()));
            let record = parse(r, recorded);
            if current.is_none() && record.rtype == types::EOE {
                continue;
            }
            let ev = current.get_or_insert_with(|| AuEvent {
                id: event.id,
                node: event.node.clone(),
                records: Vec::new(),
                cwd: None,
                escape,
            });
            if record.rtype == CWD {
                if let Some(f) = record.fields.iter().find(|f| f.name == "cwd") {
                    ev.cwd = Some(f.val.clone());
                }
            }
            let complete = ends_event(record.rtype);
            ev.records.push(record);
            if complete {
                out.extend(current.take());
            }
        }
        out.extend(current);
        out
    }

    /// The interpretation of field `field` of record `rec` (auparse's
    /// `auparse_interpret_field`, or `auparse_interpret_realpath` with `cwd`).
    pub fn interpret(
        &self,
        rec: usize,
        field: usize,
        recorded: Option<usize>,
        cwd: bool,
    ) -> Vec<u8> {
        let r = &self.records[rec];
        let f = &r.fields[field];
        let kind = interpret::field_type(r.rtype, f.name.as_bytes(), f.val.as_bytes());
        let cx = interpret::Context {
            name: f.name.as_bytes(),
            val: f.val.as_bytes(),
            machine: r.machine,
            syscall: r.syscall,
            a0: r.a0,
            a1: r.a1,
            cwd: self.cwd.as_deref().map(str::as_bytes).filter(|_| cwd),
        };
        let recorded = recorded
            .and_then(|i| self.records[i].recorded.as_ref())
            .and_then(|rec| rec.get(f.name.as_bytes()));
        interpret::value(kind, &cx, recorded, self.escape)
    }
}

/// auparse's `au_check_events`: the types after which it takes an event
/// to be complete, the ones the daemon's assembler uses too.
fn ends_event(rtype: MessageType) -> bool {
    types::is_single_record(rtype) || types::ends_event(rtype)
}

/// A record split as auparse's `parse_up_record` splits its log line.
pub fn parse(r: &Record, recorded: Option<Recorded>) -> AuRecord {
    let mut out = AuRecord {
        rtype: MessageType(0),
        fields: Vec::new(),
        machine: None,
        syscall: -1,
        a0: 0,
        a1: 0,
        recorded,
    };
    let line = r.log_line();
    let mut offset = 0;
    let mut words = line.split(' ').filter(|w| !w.is_empty());
    while let Some(word) = words.next() {
        let Some(eq) = word.find('=') else {
            if out.rtype == AVC || out.rtype == USER_AVC {
                avc_word(&mut out, word, offset, &mut words);
            }
            continue;
        };
        let (mut name, mut val) = (&word[..eq], &word[eq + 1..]);
        if let Some(rest) = word.strip_prefix("msg=") {
            match rest.as_bytes().first() {
                Some(b'a') => continue,
                Some(b'\'') => {
                    let Some(eq) = rest[1..].find('=') else {
                        continue;
                    };
                    (name, val) = (&rest[1..eq + 1], &rest[eq + 2..]);
                }
                _ => {}
            }
        }
        let name = name.strip_prefix('(').unwrap_or(name);
        let val = trim_value(val);
        if val.is_empty() {
            continue;
        }
        if name == "key" && !val.starts_with('(') && !val.starts_with('"') {
            push_keys(&mut out.fields, val);
            continue;
        }
        out.fields.push(Field {
            name: name.to_string(),
            val: val.to_string(),
        });
        note(&mut out, name, val, &mut offset);
    }
    out
}

/// What auparse notes of a field at the place it expects it.
fn note(r: &mut AuRecord, name: &str, val: &str, offset: &mut usize) {
    let n = r.fields.len();
    let off = *offset;
    let hex = |v: &str| num::strtoul(v.as_bytes(), 16);
    if n == 1 && name == "node" {
        *offset = 1;
    } else if n == 1 + off && name == "type" {
        r.rtype = MessageType::parse(val).unwrap_or_default();
    } else if (n == 2 + off || n == 11 + off) && name == "arch" {
        r.machine = hex(val).and_then(|elf| arch::by_elf(elf as u32));
    } else if (n == 3 + off || n == 12 + off) && name == "syscall" {
        r.syscall = num::strtoul(val.as_bytes(), 10).map_or(-1, |v| v as i32);
    } else if n == 6 + off && name == "a0" {
        r.a0 = hex(val).unwrap_or(u64::MAX);
    } else if n == 7 + off && name == "a1" {
        r.a1 = hex(val).unwrap_or(u64::MAX);
    }
}

/// Trailing punctuation auparse removes, once each, in this order.
fn trim_value(val: &str) -> &str {
    let mut v = val;
    for c in [':', ',', '\''] {
        v = v.strip_suffix(c).unwrap_or(v);
    }
    if v != "(none)" && v != "(null)" {
        v = v.strip_suffix(')').unwrap_or(v);
    }
    v
}

/// A hex-encoded `key=` holding several keys: one `key` field each,
/// written back as the kernel writes an untrusted string.
fn push_keys(fields: &mut Vec<Field>, val: &str) {
    // Decoded as a C string: up to the first NUL.
    let decoded = interpret::unhex(val.as_bytes())
        .map(|d| d.split(|&b| b == 0).next().unwrap_or_default().to_vec());
    let Some(decoded) = decoded else {
        fields.push(Field {
            name: "key".into(),
            val: String::new(),
        });
        return;
    };
    for key in decoded
        .split(|&b| b == KEY_SEPARATOR)
        .filter(|k| !k.is_empty())
    {
        let plain = key.iter().all(|&b| b > 0x20 && b < 0x7f && b != b'"');
        let val = if plain {
            format!("\"{}\"", String::from_utf8_lossy(key))
        } else {
            key.iter().map(|b| format!("{b:02X}")).collect()
        };
        fields.push(Field {
            name: "key".into(),
            val,
        });
    }
}

/// An SELinux AVC's words without `=`: `denied` is the result, and the
/// permissions between braces are joined with commas.
fn avc_word<'a>(
    r: &mut AuRecord,
    word: &str,
    offset: usize,
    words: &mut impl Iterator<Item = &'a str>,
) {
    let n = r.fields.len();
    if n == 1 + offset && !word.starts_with("avc") {
        r.fields.push(Field {
            name: "seresult".into(),
            val: word.to_string(),
        });
    } else if n == 2 + offset && word.starts_with('{') {
        let perms: Vec<&str> = words.by_ref().take_while(|w| !w.starts_with('}')).collect();
        r.fields.push(Field {
            name: "seperms".into(),
            val: perms.join(","),
        });
    }
}
