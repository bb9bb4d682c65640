//! ausearch's `-i`: each record printed with its field values interpreted
//! (uids as names, syscall numbers as names, hex strings decoded, ...),
//! byte for byte as ausearch 3.0.9 prints it.
//!
//! The line walk is a port of ausearch's `output_interpreted_record`, and
//! keeps its quirks, since scripts parse its output: a value holding a
//! comma is cut there (except security labels), quoted values keep their
//! quotes when the field is not one ausearch interprets, every field is
//! followed by a space, and text without any field is printed as is.

mod args;
mod fields;
pub mod names;
pub mod num;
mod sockaddr;
mod tty_keys;
pub mod values;

use chrono::{Local, TimeZone};

use super::escape::Escape;
use crate::record::types::SECCOMP;
use crate::record::{types, EventId, MessageType, Record};
use crate::tables::arch::{self, Machine};
use crate::wire::KEY_SEPARATOR_BYTE as KEY_SEPARATOR;
pub use fields::{adjust as field_type, FieldType};
pub use names::group as group_name;
pub use names::user as user_name;
pub use sockaddr::ipv6_text;
pub use values::unescape as unhex;

/// What one value's interpretation may depend on: the field, and for
/// SYSCALL records the machine, the syscall and its first two arguments.
#[derive(Default)]
pub struct Context<'a> {
    pub name: &'a [u8],
    pub val: &'a [u8],
    /// `None` outside SYSCALL records, and for an arch libaudit does not know.
    pub machine: Option<&'static Machine>,
    pub syscall: i32,
    pub a0: u64,
    pub a1: u64,
    /// The event's working directory, to make file names absolute
    /// (auparse's `auparse_interpret_realpath`); `None` as ausearch -i.
    pub cwd: Option<&'a [u8]>,
}

impl Context<'_> {
    fn syscall_name(&self) -> Option<&'static str> {
        self.syscall_name_on(self.machine?)
    }

    fn syscall_name_on(&self, machine: &'static Machine) -> Option<&'static str> {
        let number = u32::try_from(self.syscall).ok()?;
        machine.syscalls()?.name(number)
    }
}

/// Argument `index` (0 for a0 ... 3 for a3) of a syscall as `ausearch -i`
/// reads it in a SYSCALL record, given the a0 and a1 met so far; what
/// `auditctl -l -i` prints for a rule's a0..a3. Without a machine or a
/// syscall, the value in lower-case hex.
pub fn rule_syscall_arg(
    index: u32,
    number: u32,
    machine: Option<&'static Machine>,
    syscall: Option<u32>,
    (a0, a1): (u32, u32),
) -> String {
    let (kind, name) = match index {
        0 => (FieldType::A0, "a0"),
        1 => (FieldType::A1, "a1"),
        2 => (FieldType::A2, "a2"),
        _ => (FieldType::A3, "a3"),
    };
    let hex = format!("{number:x}");
    let cx = Context {
        name: name.as_bytes(),
        val: hex.as_bytes(),
        machine,
        syscall: syscall.map_or(-1, |nr| nr as i32),
        a0: u64::from(a0),
        a1: u64::from(a1),
        cwd: None,
    };
    String::from_utf8_lossy(&value(kind, &cx, None, Escape::Raw)).into_owned()
}

/// The interpreted value of one field, escaped (ausearch's
/// `auparse_do_interpretation`). `recorded`: the value auditd's enriched
/// log format wrote for this field, which takes precedence (unescaped).
pub fn value(
    kind: FieldType,
    cx: &Context<'_>,
    recorded: Option<&[u8]>,
    escape: Escape,
) -> Vec<u8> {
    match recorded {
        // As auparse, a recorded value is returned as it is, unescaped; one
        // auditd could not name is tried again, in case this machine knows.
        Some(v) if !v.starts_with(b"unknown-") => {
            return match kind {
                FieldType::Uid | FieldType::Gid => values::escaped(v),
                _ => v.to_vec(),
            };
        }
        _ => {}
    }
    let out = values::interpret(kind, cx);
    if kind == FieldType::EscapedKey && out.contains(&KEY_SEPARATOR) {
        // Escape each key, not the separators between them.
        let parts: Vec<Vec<u8>> = out
            .split(|&b| b == KEY_SEPARATOR)
            .map(|k| escape.apply(k))
            .collect();
        return parts.join(&KEY_SEPARATOR);
    }
    if escape.needed(&out) {
        escape.apply(&out)
    } else {
        out
    }
}

/// The interpretations auditd wrote after `\x1d` in an enriched log line,
/// by lower-cased field name.
pub struct Recorded(Vec<(Vec<u8>, Vec<u8>)>);

impl Recorded {
    /// Parses `UID="root" ARCH=x86_64 ...`, or a SOCKADDR's `SADDR={ ... }`.
    pub fn parse(text: &[u8]) -> Recorded {
        if let Some(rest) = text.strip_prefix(b"SADDR=") {
            if let Some(open) = rest.iter().position(|&b| b == b'{') {
                if rest[open..].contains(&b'}') {
                    return Recorded(vec![(b"saddr".to_vec(), rest[open..].to_vec())]);
                }
            }
            return Recorded(Vec::new());
        }
        let pairs = text
            .split(|&b| b == b' ')
            .filter_map(|token| {
                let eq = token.iter().position(|&b| b == b'=')?;
                Some((token[..eq].to_ascii_lowercase(), token[eq + 1..].to_vec()))
            })
            .collect();
        Recorded(pairs)
    }

    /// The recorded interpretation of field `name`.
    pub fn get(&self, name: &[u8]) -> Option<&[u8]> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }
}

/// Appends one record as `ausearch -i` prints it, newline included.
pub fn record(
    out: &mut Vec<u8>,
    id: EventId,
    r: &Record,
    recorded: Option<&Recorded>,
    escape: Escape,
) {
    if let Some(node) = &r.node {
        out.extend_from_slice(format!("node={node} ").as_bytes());
    }
    let text = r.text.as_bytes();
    let Some(open) = text.iter().position(|&b| b == b'(') else {
        // ausearch complains on stderr and prints nothing of the record.
        return;
    };
    out.extend_from_slice(format!("type={} msg=audit(", r.rtype).as_bytes());
    let after = &text[open + 1..];
    let Some(close) = after.iter().position(|&b| b == b')') else {
        return;
    };
    let time = Local
        .timestamp_opt(id.sec, 0)
        .single()
        .map(|t| t.format("%m/%d/%y %H:%M:%S").to_string())
        .unwrap_or_else(|| "?".into());
    out.extend_from_slice(format!("{time}.{:03}:{}) ", id.msec, id.serial).as_bytes());
    Walk::new(r, recorded, escape).fields(out, &after[close + 1..]);
}

/// ausearch takes a0/a1 from the SYSCALL record as hex numbers.
fn syscall_arg(r: &Record, name: &str) -> u64 {
    r.raw(name)
        .and_then(|v| num::strtoul(v.as_bytes(), 16))
        .unwrap_or(0)
}

struct Walk<'a> {
    rtype: MessageType,
    machine: Option<&'static Machine>,
    syscall: i32,
    a0: u64,
    a1: u64,
    recorded: Option<&'a Recorded>,
    escape: Escape,
}

impl<'a> Walk<'a> {
    fn new(r: &Record, recorded: Option<&'a Recorded>, escape: Escape) -> Walk<'a> {
        let (a0, a1) = if r.rtype == types::SYSCALL {
            (syscall_arg(r, "a0"), syscall_arg(r, "a1"))
        } else {
            (0, 0)
        };
        Walk {
            rtype: r.rtype,
            machine: None,
            syscall: -1,
            a0,
            a1,
            recorded,
            escape,
        }
    }

    /// The body after `audit(...)`: `: name=value ...`.
    fn fields(&mut self, out: &mut Vec<u8>, body: &[u8]) {
        let find = |from: usize, c: u8| body[from..].iter().position(|&b| b == c).map(|i| from + i);
        let mut str_pos = Some(0);
        let mut found = false;
        let mut saw_equals = true;
        let mut comma = false;
        while let Some(start) = str_pos.filter(|&s| s < body.len()) {
            let Some(eq) = find(start, b'=') else {
                saw_equals = false;
                break;
            };
            comma = false;
            found = true;
            // The name is the word before '=' (from the last space).
            let mut name_start = eq;
            while name_start > start && body[name_start] != b' ' {
                name_start -= 1;
            }
            out.extend_from_slice(&body[start..=eq]);
            let mut name = &body[name_start..eq];
            let vstart = eq + 1;
            // A user record's msg='...' holds the fields: go inside.
            if name == b"msg" {
                str_pos = Some(vstart);
                continue;
            }
            if name.first() == Some(&b'\'') {
                name = &name[1..];
            }
            let vend;
            match body.get(vstart) {
                Some(&q @ (b'\'' | b'"')) => match find(vstart + 1, q) {
                    Some(close) => {
                        vend = close + 1;
                        str_pos = Some(if vend < body.len() { vend + 1 } else { vend });
                    }
                    None => {
                        vend = body.len();
                        str_pos = None;
                    }
                },
                _ => {
                    let comma_at = find(vstart, b',');
                    let space_at = find(vstart, b' ');
                    match (comma_at, space_at) {
                        (Some(c), Some(sp)) if c < sp => {
                            // Commas inside a value: only a security label
                            // keeps them.
                            if fields::adjust(self.rtype, name, &body[vstart..sp])
                                == FieldType::MacLabel
                            {
                                vend = sp;
                                str_pos = Some(sp + 1);
                            } else {
                                vend = c;
                                str_pos = Some(c + 1);
                                comma = true;
                            }
                        }
                        (Some(c), None) => {
                            if fields::adjust(self.rtype, name, &body[vstart..])
                                == FieldType::MacLabel
                            {
                                vend = body.len();
                                str_pos = None;
                            } else {
                                vend = c;
                                str_pos = Some(c + 1);
                                comma = true;
                            }
                        }
                        (_, Some(sp)) => {
                            vend = sp;
                            str_pos = Some(sp + 1);
                        }
                        (None, None) => {
                            vend = body.len();
                            str_pos = None;
                        }
                    }
                }
            }
            self.field(out, name, &body[vstart..vend], comma);
        }
        let rest = str_pos.map_or(&body[..0], |s| &body[s.min(body.len())..]);
        if (!found && !saw_equals && str_pos.is_some()) || comma {
            // The rest of the line, as is (puts adds the newline).
            self.escape.push(out, rest);
            out.push(b'\n');
        }
        out.push(b'\n');
    }

    /// One field, as ausearch's `report_interpret` prints it.
    fn field(&mut self, out: &mut Vec<u8>, name: &[u8], val: &[u8], comma: bool) {
        let mut name = name;
        while let Some((&(b' ' | b'('), rest)) = name.split_first() {
            name = rest;
        }
        let mut val = val;
        if name == b"acct" {
            val = val.strip_suffix(b":").unwrap_or(val);
        }
        let (kind, text) = match self.interpret(name, val) {
            Ok(v) => v,
            Err(message) => {
                out.extend_from_slice(message.as_bytes());
                return;
            }
        };
        match kind {
            FieldType::Unclassified => {
                out.extend_from_slice(val);
                out.push(if comma { b',' } else { b' ' });
            }
            FieldType::EscapedKey if name == b"key" => {
                let mut keys = text.split(|&b| b == KEY_SEPARATOR);
                out.extend_from_slice(keys.next().unwrap_or_default());
                for k in keys {
                    out.extend_from_slice(b" key=");
                    out.extend_from_slice(k);
                }
                out.push(b' ');
            }
            FieldType::TtyData => out.extend_from_slice(&text),
            _ => {
                out.extend_from_slice(&text);
                out.push(b' ');
            }
        }
    }

    /// The type and escaped interpretation of one field; SYSCALL records
    /// also take their machine and syscall number from their fields. The
    /// error is what ausearch prints for an arch or syscall it cannot read.
    fn interpret(&mut self, name: &[u8], val: &[u8]) -> Result<(FieldType, Vec<u8>), String> {
        let kind = fields::adjust(self.rtype, name, val);
        let mut cx = Context {
            name,
            val,
            machine: None,
            syscall: 0,
            a0: self.a0,
            a1: self.a1,
            cwd: None,
        };
        if self.rtype == types::SYSCALL || self.rtype == SECCOMP {
            // An arch libaudit does not know leaves the machine unknown,
            // and the next field falls back to the native one.
            let mut machine = self.machine.unwrap_or_else(arch::native);
            if name == b"arch" {
                let elf = num::strtoul(val, 16)
                    .ok_or_else(|| format!("arch conversion error({}) ", values::s(val)))?;
                self.machine = arch::by_elf(elf as u32);
                machine = self.machine.unwrap_or_else(arch::native);
            }
            if self.syscall < 0 && name == b"syscall" {
                let n = num::strtoul(val, 10)
                    .ok_or_else(|| format!("syscall conversion error({}) ", values::s(val)))?;
                self.syscall = n as i32;
            }
            cx.machine = Some(machine);
            cx.syscall = self.syscall;
        }
        let recorded = self.recorded.and_then(|r| r.get(name));
        Ok((kind, value(kind, &cx, recorded, self.escape)))
    }
}

/// Every field of a record (as the record parser splits them) with its
/// interpreted value, unescaped: the `interp` part of the JSON form.
pub fn fields(r: &Record) -> Vec<(String, String)> {
    let mut walk = Walk::new(r, None, Escape::Raw);
    r.fields()
        .iter()
        .map(|f| {
            let text = match walk.interpret(f.name.as_bytes(), f.value.as_bytes()) {
                Ok((FieldType::Unclassified, _)) => f.value.clone(),
                Ok((_, text)) => String::from_utf8_lossy(&text).into_owned(),
                Err(_) => f.value.clone(),
            };
            (f.name.clone(), text)
        })
        .collect()
}

#[cfg(test)]
mod tests;
