//! Which interpretation a field gets: by name from `tables/field_types.txt`
//! (auparse's typetab), corrected for the record types where a name means
//! something else (auparse's `auparse_interp_adjust_type`).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::record::types::{
    ADD_GROUP, AVC, CRYPTO_KEY_USER, DEL_GROUP, EXECVE, GRP_MGMT, KERN_MODULE, MQ_OPEN,
    NETFILTER_PKT, PATH, TRUSTED_APP, USER_TTY,
};
use crate::record::MessageType;
use crate::tables::data_lines;

/// How a field's value is interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Unclassified,
    Uid,
    Gid,
    Syscall,
    Arch,
    Exit,
    Escaped,
    EscapedFile,
    EscapedKey,
    Perm,
    Mode,
    ModeShort,
    Sockaddr,
    Flags,
    Promisc,
    Capability,
    Success,
    A0,
    A1,
    A2,
    A3,
    Signal,
    List,
    TtyData,
    Session,
    CapBitmap,
    Nfproto,
    Icmptype,
    Protocol,
    Addr,
    Personality,
    Seccomp,
    Oflag,
    Mmap,
    MacLabel,
    Proctitle,
    Hook,
    Netaction,
    Macproto,
    IoctlReq,
    Fanotify,
    Nlmcgrp,
    Resolve,
}

impl FieldType {
    fn parse(word: &str) -> Option<FieldType> {
        use FieldType::*;
        Some(match word {
            "uid" => Uid,
            "gid" => Gid,
            "syscall" => Syscall,
            "arch" => Arch,
            "exit" => Exit,
            "escaped" => Escaped,
            "escaped_file" => EscapedFile,
            "escaped_key" => EscapedKey,
            "perm" => Perm,
            "mode" => Mode,
            "sockaddr" => Sockaddr,
            "flags" => Flags,
            "promisc" => Promisc,
            "capability" => Capability,
            "success" => Success,
            "a0" => A0,
            "a1" => A1,
            "a2" => A2,
            "a3" => A3,
            "signal" => Signal,
            "list" => List,
            "tty_data" => TtyData,
            "session" => Session,
            "cap_bitmap" => CapBitmap,
            "nfproto" => Nfproto,
            "icmptype" => Icmptype,
            "protocol" => Protocol,
            "addr" => Addr,
            "personality" => Personality,
            "seccomp" => Seccomp,
            "oflag" => Oflag,
            "mmap" => Mmap,
            "mac_label" => MacLabel,
            "proctitle" => Proctitle,
            "hook" => Hook,
            "netaction" => Netaction,
            "macproto" => Macproto,
            "ioctl_req" => IoctlReq,
            "fanotify" => Fanotify,
            "nlmcgrp" => Nlmcgrp,
            "resolve" => Resolve,
            _ => return None,
        })
    }
}

fn by_name() -> &'static HashMap<&'static str, FieldType> {
    static TABLE: OnceLock<HashMap<&'static str, FieldType>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map = HashMap::new();
        for words in data_lines(include_str!("tables/field_types.txt")) {
            let [name, kind] = words[..] else {
                panic!("field_types.txt line {words:?} is not 'name type'");
            };
            let kind = FieldType::parse(kind)
                .unwrap_or_else(|| panic!("field_types.txt: unknown type {kind:?}"));
            map.entry(name).or_insert(kind);
        }
        map
    })
}

/// The type of a field by its name alone.
pub fn lookup(name: &[u8]) -> FieldType {
    std::str::from_utf8(name)
        .ok()
        .and_then(|n| by_name().get(n).copied())
        .unwrap_or(FieldType::Unclassified)
}

// Record types whose fields are read differently (libaudit.h numbers).

/// The type of field `name` with value `val` in a record of type `rtype`.
pub fn adjust(rtype: MessageType, name: &[u8], val: &[u8]) -> FieldType {
    use FieldType::*;
    let hex = |v: &[u8]| v.iter().all(u8::is_ascii_hexdigit);
    match (rtype, name) {
        (EXECVE, [b'a', ..]) if name != b"argc" && !contains(name, b"_len") => Escaped,
        (AVC, b"saddr") => Unclassified,
        (USER_TTY, b"msg") => Escaped,
        (NETFILTER_PKT, b"saddr") => Addr,
        (_, b"acct") if val.first() == Some(&b'"') || hex(val) => Escaped,
        (_, b"acct") => Unclassified,
        (PATH, b"flags") => Flags,
        (MQ_OPEN, b"mode") => ModeShort,
        (CRYPTO_KEY_USER, b"fp") => Unclassified,
        (ADD_GROUP | GRP_MGMT | DEL_GROUP, b"id") => Gid,
        (TRUSTED_APP, _) if val.first() == Some(&b'"') => Escaped,
        (TRUSTED_APP, _) if val.iter().all(u8::is_ascii_digit) => Unclassified,
        (TRUSTED_APP, _) if hex(val) => Escaped,
        (TRUSTED_APP, _) => Unclassified,
        (KERN_MODULE, b"name") => Escaped,
        _ => lookup(name),
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::types::{MMAP, SYSCALL, USER_ACCT};

    #[test]
    fn names_and_overrides() {
        assert_eq!(lookup(b"auid"), FieldType::Uid);
        assert_eq!(lookup(b"name"), FieldType::EscapedFile);
        assert_eq!(lookup(b"operation"), FieldType::Escaped);
        assert_eq!(lookup(b"nosuch"), FieldType::Unclassified);
        assert_eq!(adjust(EXECVE, b"a1", b"\"x\""), FieldType::Escaped);
        assert_eq!(adjust(EXECVE, b"argc", b"3"), FieldType::Unclassified);
        assert_eq!(adjust(EXECVE, b"a1_len", b"3"), FieldType::Unclassified);
        assert_eq!(adjust(SYSCALL, b"a1", b"3"), FieldType::A1);
        assert_eq!(adjust(PATH, b"flags", b"3"), FieldType::Flags);
        assert_eq!(adjust(MMAP, b"flags", b"3"), FieldType::Mmap);
        assert_eq!(adjust(USER_ACCT, b"acct", b"root"), FieldType::Unclassified);
        assert_eq!(adjust(USER_ACCT, b"acct", b"\"root\""), FieldType::Escaped);
    }
}
