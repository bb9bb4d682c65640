//! How aureport prints ids and codes (ausearch-lookup.c): numbers as they
//! are, or with `-i` names, where an enriched log's own names come first.

use crate::output::interpret::{values, Recorded};
use crate::output::Escape;
use crate::tables::arch;

use super::parse::{AvcResult, FAILED, SUCCESS, UID_UNSET};

/// What a value lookup needs: the form, and the interpretations auditd
/// wrote for the event's first record, if the event has them loaded.
#[derive(Clone, Copy)]
pub struct Lookup<'a> {
    pub interpret: bool,
    pub escape: Escape,
    pub recorded: Option<&'a Recorded>,
}

impl Lookup<'_> {
    /// `aulookup_uid` into a buffer of `size` bytes: the number, or with
    /// `-i` the enriched name, `unset`, the passwd name or `unknown(N)`.
    pub fn uid(&self, uid: u32, size: usize) -> Vec<u8> {
        let mut text = if !self.interpret {
            (uid as i32).to_string().into_bytes()
        } else if uid == UID_UNSET {
            b"unset".to_vec()
        } else if let Some(name) = self.recorded.and_then(|r| r.get(b"auid")) {
            values::escaped(name)
        } else {
            crate::output::interpret::user_name(uid as i32).into_bytes()
        };
        text.truncate(size - 1);
        text
    }

    /// `aulookup_syscall`: the number, or with `-i` the enriched name or
    /// the name in the table of the event's arch (`?` for an unknown arch).
    pub fn syscall(&self, arch_elf: u32, syscall: i32, size: usize) -> Vec<u8> {
        let mut text = if !self.interpret {
            syscall.to_string().into_bytes()
        } else if let Some(name) = self.recorded.and_then(|r| r.get(b"syscall")) {
            name.to_vec()
        } else {
            match arch::by_elf(arch_elf) {
                None => b"?".to_vec(),
                Some(m) => u32::try_from(syscall)
                    .ok()
                    .and_then(|n| m.syscalls()?.name(n))
                    .map_or_else(|| syscall.to_string(), str::to_string)
                    .into_bytes(),
            }
        };
        text.truncate(size - 1);
        text
    }

    /// What the syscall summary lists: the same, except that for an arch
    /// libaudit does not know aureport keeps its buffer as it was (empty)
    /// and returns `?` only to the detailed rows.
    pub fn syscall_listed(&self, arch_elf: u32, syscall: i32) -> Vec<u8> {
        let unknown_arch = self.interpret
            && self.recorded.and_then(|r| r.get(b"syscall")).is_none()
            && arch::by_elf(arch_elf).is_none();
        if unknown_arch {
            return Vec::new();
        }
        self.syscall(arch_elf, syscall, 32)
    }

    /// `safe_print_string`: the text with `--escape`'s escaping.
    pub fn escaped(&self, s: &[u8]) -> Vec<u8> {
        self.escape.apply(s)
    }
}

/// `aulookup_success`.
pub fn success(s: i32) -> &'static str {
    match s {
        FAILED => "no",
        SUCCESS => "yes",
        _ => "unset",
    }
}

/// `aulookup_result`.
pub fn result(r: AvcResult) -> &'static str {
    match r {
        AvcResult::Unset => "unset",
        AvcResult::Denied => "denied",
        AvcResult::Granted => "granted",
    }
}
