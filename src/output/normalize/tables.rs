//! The normalizer's tables, from the data files in `tables/` (auparse's
//! normalize_*_map.h and the event kind switch), and the kinds of object.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::record::MessageType;
use crate::tables::{data_lines, parse_number};

/// What kind of thing an event's object is (auparse's `NORM_WHAT_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ObjectKind {
    #[default]
    Unknown,
    Fifo,
    CharDev,
    Directory,
    BlockDev,
    File,
    Link,
    Socket,
    Process,
    Firewall,
    Service,
    Account,
    UserSession,
    VirtualMachine,
    Printer,
    System,
    AuditRule,
    AuditConfig,
    MacConfig,
    FileSystem,
    Memory,
    Keystrokes,
    Device,
    Software,
}

impl ObjectKind {
    /// The name the csv form prints (normalize_obj_kind_map.h).
    pub fn name(self) -> &'static str {
        use ObjectKind::*;
        match self {
            Unknown => "unknown",
            Fifo => "fifo",
            CharDev => "character-device",
            Directory => "directory",
            BlockDev => "block-device",
            File => "file",
            Link => "symlink",
            Socket => "socket",
            Process => "process",
            Firewall => "firewall",
            Service => "service",
            Account => "account",
            UserSession => "user-session",
            VirtualMachine => "virtual-machine",
            Printer => "printer",
            System => "system",
            AuditRule => "admin-defined-rule",
            AuditConfig => "audit-config",
            MacConfig => "mac-config",
            FileSystem => "file-system",
            Memory => "memory",
            Keystrokes => "keystrokes",
            Device => "device",
            Software => "software",
        }
    }

    /// The kind of file a PATH record's `mode` says.
    pub fn of_mode(mode: u64) -> Option<ObjectKind> {
        Some(match mode & 0o170000 {
            0o100000 => ObjectKind::File,
            0o040000 => ObjectKind::Directory,
            0o020000 => ObjectKind::CharDev,
            0o060000 => ObjectKind::BlockDev,
            0o010000 => ObjectKind::Fifo,
            0o120000 => ObjectKind::Link,
            0o140000 => ObjectKind::Socket,
            _ => return None,
        })
    }
}

/// What a syscall does, as `tables/syscall_kinds.txt` names it (auparse's
/// `NORM_*`); the record types that override it map to the same kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyscallKind {
    Unknown,
    File,
    FileChattr,
    FileChperm,
    FileChown,
    FileLdmod,
    FileUnldmod,
    FileDir,
    FileMount,
    FileRename,
    FileStat,
    FileLnk,
    FileUmnt,
    FileDel,
    FileTime,
    Exec,
    SocketAccept,
    SocketBind,
    SocketConn,
    SocketRecv,
    SocketSend,
    Pid,
    MacLoad,
    MacConfig,
    MacEnforce,
    MacErr,
    Iptables,
    Promiscuous,
    Uid,
    Gid,
    SystemTime,
    MakeDev,
    SystemName,
    FileSysStat,
    SystemMemory,
    Scheduler,
    Bpf,
    EvListen,
}

impl SyscallKind {
    fn parse(word: &str) -> Option<SyscallKind> {
        use SyscallKind::*;
        Some(match word {
            "file" => File,
            "file-chattr" => FileChattr,
            "file-chperm" => FileChperm,
            "file-chown" => FileChown,
            "file-ldmod" => FileLdmod,
            "file-unldmod" => FileUnldmod,
            "file-dir" => FileDir,
            "file-mount" => FileMount,
            "file-rename" => FileRename,
            "file-stat" => FileStat,
            "file-lnk" => FileLnk,
            "file-umnt" => FileUmnt,
            "file-del" => FileDel,
            "file-time" => FileTime,
            "exec" => Exec,
            "socket-accept" => SocketAccept,
            "socket-bind" => SocketBind,
            "socket-conn" => SocketConn,
            "socket-recv" => SocketRecv,
            "socket-send" => SocketSend,
            "pid" => Pid,
            "uid" => Uid,
            "gid" => Gid,
            "system-time" => SystemTime,
            "make-dev" => MakeDev,
            "system-name" => SystemName,
            "file-sys-stat" => FileSysStat,
            "system-memory" => SystemMemory,
            "scheduler" => Scheduler,
            _ => return None,
        })
    }

    /// The kind of syscall `name`, if the table lists it.
    pub fn of(name: &str) -> Option<SyscallKind> {
        static TABLE: OnceLock<HashMap<&'static str, SyscallKind>> = OnceLock::new();
        TABLE
            .get_or_init(|| {
                rows(SYSCALL_KINDS, |[name, kind]| {
                    Some((name, SyscallKind::parse(kind)?))
                })
            })
            .get(name)
            .copied()
    }
}

const SYSCALL_KINDS: (&str, &str) = (
    "syscall_kinds.txt",
    include_str!("tables/syscall_kinds.txt"),
);
const RECORD_ACTIONS: (&str, &str) = (
    "record_actions.txt",
    include_str!("tables/record_actions.txt"),
);
const EVENT_KINDS: (&str, &str) = ("event_kinds.txt", include_str!("tables/event_kinds.txt"));

/// The lines of a table file, `N` words each, as `parse` reads them.
fn rows<T, C: FromIterator<T>, const N: usize>(
    (file, text): (&str, &'static str),
    parse: impl Fn([&'static str; N]) -> Option<T>,
) -> C {
    data_lines(text)
        .map(|words| {
            <[&str; N]>::try_from(words.as_slice())
                .ok()
                .and_then(&parse)
                .unwrap_or_else(|| panic!("{file}: bad line {words:?}"))
        })
        .collect()
}

/// The action a record type stands for (`tables/record_actions.txt`).
pub fn record_action(rtype: MessageType) -> Option<&'static str> {
    static TABLE: OnceLock<HashMap<MessageType, &'static str>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            rows(RECORD_ACTIONS, |[name, action]| {
                Some((MessageType::parse(name)?, action))
            })
        })
        .get(&rtype)
        .copied()
}

/// The kind of an event whose first record has type `rtype`
/// (`tables/event_kinds.txt`).
pub fn event_kind(rtype: MessageType) -> &'static str {
    static TABLE: OnceLock<Vec<(u32, u32, &'static str)>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            rows(EVENT_KINDS, |[first, last, kind]| {
                Some((parse_number(first)?, parse_number(last)?, kind))
            })
        })
        .iter()
        .find(|(first, last, _)| (*first..=*last).contains(&rtype.number()))
        .map_or("unknown", |(_, _, kind)| kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::types::{LOGIN, PROCTITLE, SYSCALL, USER_LOGIN};

    #[test]
    fn tables_load() {
        assert_eq!(record_action(USER_LOGIN), Some("logged-in"));
        assert_eq!(record_action(SYSCALL), None);
        assert_eq!(SyscallKind::of("openat"), Some(SyscallKind::File));
        assert_eq!(SyscallKind::of("execve"), Some(SyscallKind::Exec));
        assert_eq!(SyscallKind::of("nosuch"), None);
        assert_eq!(event_kind(LOGIN), "user-login");
        assert_eq!(event_kind(SYSCALL), "audit-rule");
        assert_eq!(event_kind(PROCTITLE), "unknown");
        assert_eq!(event_kind(MessageType(1250)), "audit-daemon");
    }

    #[test]
    fn event_kind_ranges_do_not_overlap() {
        let mut kinds: Vec<(u32, u32)> = rows(EVENT_KINDS, |[first, last, _]| {
            Some((parse_number(first)?, parse_number(last)?))
        });
        kinds.sort_unstable();
        for pair in kinds.windows(2) {
            assert!(pair[0].1 < pair[1].0, "{pair:?}");
        }
    }
}
