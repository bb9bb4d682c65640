//! Audit records: their identity, type and fields, parsed by a pure parser
//! that always keeps the text exactly as the kernel sent it.

mod parse;
pub mod types;

pub use types::MessageType;

use std::sync::OnceLock;

pub use parse::{parse_log_line, parse_payload, visit_fields};

/// The identity the kernel stamps on every record of one event:
/// `audit(SEC.MSEC:SERIAL)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct EventId {
    pub sec: i64,
    pub msec: u32,
    pub serial: u64,
}

impl EventId {
    /// Milliseconds since the epoch, the store's time axis.
    pub fn time_ms(&self) -> i64 {
        self.sec * 1000 + i64::from(self.msec)
    }
}

impl std::fmt::Display for EventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:03}:{}", self.sec, self.msec, self.serial)
    }
}

/// One `name=value` pair; `value` is the text as written (quotes included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub value: String,
}

/// One audit record.
///
/// Only the header is parsed up front (the assembler needs nothing else);
/// the fields are parsed on first use, on whichever thread asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub rtype: MessageType,
    pub id: EventId,
    /// `node=` prefix of records that came from a log of another host.
    pub node: Option<String>,
    /// The payload verbatim: `audit(SEC.MSEC:SERIAL): body`.
    pub text: String,
    /// Why the header did not parse; the record is still kept.
    header_error: Option<String>,
    /// Where the fields start in `text`, after the stamp (its length when
    /// the header did not parse: no fields).
    body_at: usize,
    parsed: OnceLock<Parsed>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Parsed {
    fields: Vec<Field>,
    error: Option<String>,
}

/// Fields the kernel hex-encodes when their value holds a space, quote or
/// control character (`audit_log_untrustedstring`).
const ENCODED: &[&str] = &[
    "name",
    "proctitle",
    "comm",
    "exe",
    "cwd",
    "key",
    "path",
    "dir",
    "data",
    "cmd",
    "acct",
    "old-chardev",
    "new-chardev",
    "ocomm",
    "root_dir",
    "watch",
    "vm",
    "dev",
    "db",
];

impl Record {
    /// Fields in order; the fields of a user record's `msg='...'` are
    /// flattened in after the outer ones.
    pub fn fields(&self) -> &[Field] {
        &self.parsed().fields
    }

    /// Calls `each(name, raw value)` for every field, in order, borrowing
    /// from the text; returns why the body did not parse to its end.
    pub fn visit_fields<'a>(&'a self, each: impl FnMut(&'a str, &'a str)) -> Option<String> {
        parse::visit_body_of(&self.text[self.body_at..], each)
    }

    /// Why the record's `audit(...)` stamp did not parse, if it did not
    /// (known without parsing the fields).
    pub fn header_error(&self) -> Option<&str> {
        self.header_error.as_deref()
    }

    /// Why the record did not parse cleanly, if it did not.
    pub fn error(&self) -> Option<&str> {
        self.header_error
            .as_deref()
            .or_else(|| self.parsed().error.as_deref())
    }

    fn parsed(&self) -> &Parsed {
        self.parsed.get_or_init(|| {
            let mut fields = Vec::new();
            let error = self.visit_fields(|name, value| {
                fields.push(Field {
                    name: name.to_string(),
                    value: value.to_string(),
                })
            });
            Parsed { fields, error }
        })
    }

    /// The raw value of the first field called `name`.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.fields()
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    }

    /// The value of `name` as text: quotes removed, hex decoded for the fields
    /// the kernel encodes, and `None` for `(null)` and `?`.
    pub fn text_of(&self, name: &str) -> Option<String> {
        decode_field(self.rtype, name, self.raw(name)?)
    }

    /// A numeric field (decimal), e.g. `pid`, `uid`, `exit`.
    pub fn number(&self, name: &str) -> Option<i64> {
        let raw = self.raw(name)?;
        raw.parse::<i64>()
            .ok()
            .or_else(|| raw.parse::<u64>().ok().map(|v| v as i64))
    }

    /// A hexadecimal field without `0x`, e.g. `arch=c000003e`.
    pub fn hex(&self, name: &str) -> Option<u64> {
        u64::from_str_radix(self.raw(name)?, 16).ok()
    }

    /// The auditd log line for this record: `type=NAME msg=audit(...): ...`.
    pub fn log_line(&self) -> String {
        let node = match &self.node {
            Some(n) => format!("node={n} "),
            None => String::new(),
        };
        format!("{node}type={} msg={}", self.rtype, self.text)
    }
}

/// Decodes one field value of a record of type `rtype`, as
/// [`Record::text_of`] does: EXECVE's arguments are encoded like untrusted
/// strings, other records' `aN` are numbers (a SYSCALL's `a1=7ffd...` is
/// an address, not text).
pub fn decode_field(rtype: MessageType, name: &str, raw: &str) -> Option<String> {
    if rtype == types::EXECVE && is_execve_arg(name) {
        return decode_untrusted(raw);
    }
    decode_value(name, raw)
}

/// Decodes a value by its name alone: quotes removed, and hex decoded for
/// the fields the kernel always encodes when they need it (`name`, `comm`,
/// `exe`, ...). `aN` needs the record type: see [`decode_field`].
pub fn decode_value(name: &str, raw: &str) -> Option<String> {
    if ENCODED.contains(&name) {
        return decode_untrusted(raw);
    }
    unquote(raw)
}

/// A value the kernel wrote with `audit_log_untrustedstring`: quoted when
/// plain, hex when it holds a space, quote or control byte.
fn decode_untrusted(raw: &str) -> Option<String> {
    let text = unquote(raw)?;
    if text.len() == raw.len() {
        if let Some(bytes) = decode_hex(raw) {
            return Some(String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Some(text)
}

/// Quotes removed; `None` for the kernel's ways of saying "no value".
fn unquote(raw: &str) -> Option<String> {
    if raw == "(null)" || raw == "?" || raw == "(none)" {
        return None;
    }
    let inner = raw
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| raw.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')));
    Some(inner.unwrap_or(raw).to_string())
}

/// `a0`, `a1[2]`: EXECVE arguments, which are encoded like untrusted strings.
fn is_execve_arg(name: &str) -> bool {
    let rest = match name.strip_prefix('a') {
        Some(r) => r,
        None => return false,
    };
    let digits = rest.split('[').next().unwrap_or("");
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Decodes an even-length string of hex digits.
pub fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() || !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// Writes a value the way the kernel writes untrusted strings: quoted when
/// it is plain, hex-encoded when it holds a space, quote or control byte.
pub fn encode_value(s: &str) -> String {
    let plain = s
        .bytes()
        .all(|b| b > 0x20 && b < 0x7f && b != b'"' && b != b'\'');
    if plain {
        format!("\"{s}\"")
    } else {
        s.bytes().map(|b| format!("{b:02X}")).collect()
    }
}
