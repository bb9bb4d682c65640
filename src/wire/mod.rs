//! The kernel's binary structures, as typed encode/decode over bytes.

pub mod message_type;
pub mod rule;
pub mod status;

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
