//! Audit message and record types: the one table of numbers and names
//! (`message_types.txt` beside this file, turned into the constants below by
//! `build.rs`).
//!
//! Names round-trip through text: a number with no name prints as
//! `UNKNOWN[1234]` (as ausearch prints it) and that text parses back.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

/// The type of a netlink audit message: a request, a reply, or a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MessageType(pub u32);

include!(concat!(env!("OUT_DIR"), "/message_types.rs"));

// libaudit's bounds of its ranges of types (libaudit.h), which name no type
// of their own.
pub const FIRST_USER_MSG: MessageType = MessageType(1100);
pub const LAST_USER_MSG: MessageType = MessageType(1199);
pub const FIRST_DAEMON: MessageType = MessageType(1200);
pub const LAST_DAEMON: MessageType = MessageType(1299);
pub const LAST_SELINUX: MessageType = MessageType(1499);
pub const FIRST_USER_MSG2: MessageType = MessageType(2100);
pub const LAST_USER_MSG2: MessageType = MessageType(2999);
pub const FIRST_KERN_CRYPTO_MSG: MessageType = MessageType(1600);
pub const LAST_KERN_CRYPTO_MSG: MessageType = MessageType(1699);
pub const FIRST_KERN_ANOM_MSG: MessageType = MessageType(1700);
pub const LAST_KERN_ANOM_MSG: MessageType = MessageType(1799);
pub const INTEGRITY_FIRST_MSG: MessageType = MessageType(1800);
pub const INTEGRITY_LAST_MSG: MessageType = MessageType(1899);
pub const FIRST_ANOM_MSG: MessageType = MessageType(2100);
pub const LAST_ANOM_MSG: MessageType = MessageType(2199);
pub const FIRST_ANOM_RESP: MessageType = MessageType(2200);
pub const LAST_ANOM_RESP: MessageType = MessageType(2299);
pub const FIRST_USER_LSPP_MSG: MessageType = MessageType(2300);
pub const LAST_USER_LSPP_MSG: MessageType = MessageType(2399);
pub const FIRST_CRYPTO_MSG: MessageType = MessageType(2400);
pub const LAST_CRYPTO_MSG: MessageType = MessageType(2499);
pub const FIRST_VIRT_MSG: MessageType = MessageType(2500);
pub const LAST_VIRT_MSG: MessageType = MessageType(2599);

impl MessageType {
    pub const fn number(self) -> u32 {
        self.0
    }

    /// The netlink `nlmsg_type` of a request of this type (every audit
    /// type is below 65536; linux/audit.h keeps them in 1000-2999).
    pub const fn netlink(self) -> u16 {
        self.0 as u16
    }

    /// The record type's name, if it has one (libaudit's `audit_msg_type_to_name`).
    pub fn name(self) -> Option<&'static str> {
        TABLE
            .binary_search_by_key(&self.0, |(n, _)| *n)
            .ok()
            .map(|at| TABLE[at].1)
    }

    /// Parses a type name (any case), `UNKNOWN[n]`, or a plain number.
    pub fn parse(text: &str) -> Option<MessageType> {
        let upper = text.trim().to_ascii_uppercase();
        if let Some(n) = by_name().get(upper.as_str()) {
            return Some(MessageType(*n));
        }
        let number = upper
            .strip_prefix("UNKNOWN[")
            .and_then(|s| s.strip_suffix(']'))
            .unwrap_or(&upper);
        number.parse().ok().map(MessageType)
    }

    /// Whether a netlink message of this type is an audit record. 1000-1099
    /// are requests and replies, except USER and LOGIN which the kernel logs as
    /// records; AUDIT_REPLACE is the kernel probing whether a registered daemon
    /// is alive (a binary pid, not a record).
    pub fn is_record(self) -> bool {
        matches!(self, USER | LOGIN) || (self.0 >= 1100 && self != REPLACE)
    }

    /// Every known type, in number order.
    pub fn all() -> impl Iterator<Item = (MessageType, &'static str)> {
        TABLE.iter().map(|(n, name)| (MessageType(*n), *name))
    }
}

/// The name ausearch prints for a record type, `UNKNOWN[n]` when it has none.
impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "UNKNOWN[{}]", self.0),
        }
    }
}

fn by_name() -> &'static HashMap<&'static str, u32> {
    static BY_NAME: OnceLock<HashMap<&'static str, u32>> = OnceLock::new();
    BY_NAME.get_or_init(|| TABLE.iter().map(|(n, name)| (*name, *n)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (t, name) in MessageType::all() {
            assert_eq!(MessageType::parse(name), Some(t));
            assert_eq!(t.to_string(), name);
        }
    }

    #[test]
    fn unknown_types_round_trip_through_text() {
        assert_eq!(MessageType(1999).to_string(), "UNKNOWN[1999]");
        assert_eq!(MessageType::parse("UNKNOWN[1999]"), Some(MessageType(1999)));
        assert_eq!(MessageType::parse("syscall"), Some(SYSCALL));
        assert_eq!(MessageType::parse("1327"), Some(PROCTITLE));
        assert_eq!(MessageType::parse("NOPE"), None);
    }

    #[test]
    fn the_constants_are_the_table() {
        assert_eq!(SYSCALL, MessageType(1300));
        assert_eq!(CONFIG_CHANGE.name(), Some("CONFIG_CHANGE"));
        assert_eq!(GET.netlink(), 1000);
    }

    #[test]
    fn records_and_replies() {
        assert!(USER.is_record());
        assert!(SYSCALL.is_record());
        assert!(!GET.is_record()); // AUDIT_GET reply
        assert!(!LIST_RULES.is_record());
        assert!(!REPLACE.is_record());
    }
}
