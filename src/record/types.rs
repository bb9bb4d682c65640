//! Record type numbers <-> names, from the `types.txt` table beside this file.
//!
//! Names round-trip through text: a number with no name prints as
//! `UNKNOWN[1234]` (as ausearch prints it) and that text parses back.

use std::collections::HashMap;
use std::sync::OnceLock;

pub const USER: u32 = 1005;
pub const DAEMON_START: u32 = 1200;
pub const DAEMON_END: u32 = 1201;
pub const DAEMON_CONFIG: u32 = 1203;
pub const SYSCALL: u32 = 1300;
pub const PATH: u32 = 1302;
pub const CWD: u32 = 1307;
pub const EXECVE: u32 = 1309;
pub const EOE: u32 = 1320;
pub const PROCTITLE: u32 = 1327;

struct Table {
    by_number: HashMap<u32, &'static str>,
    by_name: HashMap<String, u32>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut by_number = HashMap::new();
        let mut by_name = HashMap::new();
        for line in include_str!("types.txt").lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (num, name) = line.split_once(' ').expect("types.txt: 'number NAME'");
            let num: u32 = num.parse().expect("types.txt: numeric type");
            by_number.insert(num, name);
            by_name.insert(name.to_string(), num);
        }
        Table { by_number, by_name }
    })
}

/// The name ausearch prints for a record type, `UNKNOWN[n]` when it has none.
pub fn type_name(number: u32) -> String {
    match known_name(number) {
        Some(name) => name.to_string(),
        None => format!("UNKNOWN[{number}]"),
    }
}

/// The record type's name, if it has one (libaudit's `audit_msg_type_to_name`).
pub fn known_name(number: u32) -> Option<&'static str> {
    table().by_number.get(&number).copied()
}

/// Parses a type name (any case), `UNKNOWN[n]`, or a plain number.
pub fn type_number(name: &str) -> Option<u32> {
    let upper = name.trim().to_ascii_uppercase();
    if let Some(n) = table().by_name.get(&upper) {
        return Some(*n);
    }
    if let Some(inner) = upper
        .strip_prefix("UNKNOWN[")
        .and_then(|s| s.strip_suffix(']'))
    {
        return inner.parse().ok();
    }
    upper.parse().ok()
}

pub const REPLACE: u32 = 1329;
pub const LOGIN: u32 = 1006;
pub const KERNEL: u32 = 2000;

/// Whether a netlink message of this type is an audit record. 1000-1099
/// are requests and replies, except USER and LOGIN which the kernel logs as
/// records; AUDIT_REPLACE is the kernel probing whether a registered daemon
/// is alive (a binary pid, not a record).
pub fn is_record(number: u32) -> bool {
    matches!(number, USER | LOGIN) || (number >= 1100 && number != REPLACE)
}

/// Types that are whole events by themselves when they open one, as
/// auparse and ausearch count them: records below 1300 (user-space
/// messages, LOGIN, daemon records), NetLabel's configuration records,
/// KERNEL, and user-space anomaly and later messages (2100 and up). The
/// kernel's own anomalies (1700-1799: ANOM_LINK, ANOM_PROMISCUOUS, ...)
/// are raised inside a syscall with its stamp and belong to its event.
/// Others wait for EOE; one that never gets it is closed by the
/// assembler's timeout.
pub fn is_single_record(number: u32) -> bool {
    number < SYSCALL || matches!(number, 1406..=1419 | KERNEL) || number >= 2100
}

/// Types that close the event they belong to: EOE, and PROCTITLE, which
/// the kernel writes last (auditd's logs hold no EOE, so ausearch ends an
/// event there; the daemon then ignores the EOE that follows).
pub fn ends_event(number: u32) -> bool {
    matches!(number, EOE | PROCTITLE)
}

/// Every known (number, name) pair, in number order.
pub fn all() -> Vec<(u32, &'static str)> {
    let mut v: Vec<_> = table().by_number.iter().map(|(n, s)| (*n, *s)).collect();
    v.sort_unstable();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (n, name) in all() {
            assert_eq!(type_number(name), Some(n));
            assert_eq!(type_name(n), name);
        }
    }

    #[test]
    fn unknown_types_round_trip_through_text() {
        assert_eq!(type_name(1999), "UNKNOWN[1999]");
        assert_eq!(type_number("UNKNOWN[1999]"), Some(1999));
        assert_eq!(type_number("syscall"), Some(SYSCALL));
        assert_eq!(type_number("1327"), Some(PROCTITLE));
        assert_eq!(type_number("NOPE"), None);
    }

    #[test]
    fn records_and_replies() {
        assert!(is_record(USER));
        assert!(is_record(SYSCALL));
        assert!(!is_record(1000)); // AUDIT_GET reply
        assert!(!is_record(1013)); // AUDIT_LIST_RULES reply
        assert!(!is_record(REPLACE));
    }

    #[test]
    fn single_record_types() {
        assert!(is_single_record(USER));
        assert!(is_single_record(1112)); // USER_LOGIN
        assert!(!is_single_record(1400)); // AVC: raised inside a syscall
        assert!(!is_single_record(1702)); // ANOM_LINK: inside a syscall too
        assert!(is_single_record(1416)); // MAC_UNLBL_STCADD
        assert!(is_single_record(2000)); // KERNEL
        assert!(is_single_record(2101)); // ANOM_LOGIN_FAILURES
        assert!(!is_single_record(SYSCALL));
        assert!(!is_single_record(PATH));
    }
}
