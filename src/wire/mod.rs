//! The kernel's binary structures, as typed encode/decode over bytes.

pub mod message_type;
pub mod rule;
pub mod status;

/// How auditctl and the kernel join several keys of one rule in its key
/// field, and so in a record's `key=` value (AUDIT_KEY_SEPARATOR,
/// linux/audit.h).
pub const KEY_SEPARATOR: &str = "\x01";
/// [`KEY_SEPARATOR`] as the byte the text scanners look for.
pub const KEY_SEPARATOR_BYTE: u8 = KEY_SEPARATOR.as_bytes()[0];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WireError {
    #[error("{what} is {got} bytes, at least {need} are needed")]
    Short {
        what: &'static str,
        need: usize,
        got: usize,
    },
    #[error("{what}: {detail}")]
    Invalid { what: &'static str, detail: String },
}
