//! Which events each report is about, and what the summaries count
//! (aureport-scan.c).

use super::line::Line;
use super::lookup::Lookup;
use super::parse::{Items, Wants, AUID_UNREAD, FAILED, SUCCESS};
use super::tally::Tally;
use super::Kind;
use crate::record::types::{
    ADD_USER, AVC, CONFIG_CHANGE, DAEMON_CONFIG, DEL_GROUP, FEATURE_CHANGE, FIRST_ANOM_MSG,
    FIRST_ANOM_RESP, FIRST_CRYPTO_MSG, FIRST_KERN_ANOM_MSG, FIRST_KERN_CRYPTO_MSG,
    FIRST_USER_LSPP_MSG, FIRST_VIRT_MSG, GRP_AUTH, GRP_MGMT, INTEGRITY_FIRST_MSG,
    INTEGRITY_LAST_MSG, LAST_ANOM_MSG, LAST_ANOM_RESP, LAST_CRYPTO_MSG, LAST_KERN_ANOM_MSG,
    LAST_KERN_CRYPTO_MSG, LAST_USER_LSPP_MSG, LAST_VIRT_MSG, MAC_MAP_DEL, MAC_POLICY_LOAD,
    MAC_UNLBL_STCDEL, NETFILTER_CFG, ROLE_ASSIGN, ROLE_REMOVE, SECCOMP, TTY, USER_AUTH, USER_AVC,
    USER_CHAUTHTOK, USER_LOGIN, USER_MAC_CONFIG_CHANGE, USER_MGMT, USER_TTY, USYS_CONFIG,
};
use crate::record::{types, EventId, MessageType};

/// The record types of configuration changes, besides the MAC range.
const CONFIG_TYPES: [MessageType; 6] = [
    CONFIG_CHANGE,
    DAEMON_CONFIG,
    USYS_CONFIG,
    NETFILTER_CFG,
    FEATURE_CHANGE,
    USER_MAC_CONFIG_CHANGE,
];

/// libaudit's ranges of message types.
const KERN_CRYPTO: (MessageType, MessageType) = (FIRST_KERN_CRYPTO_MSG, LAST_KERN_CRYPTO_MSG);
const CRYPTO: (MessageType, MessageType) = (FIRST_CRYPTO_MSG, LAST_CRYPTO_MSG);
const KERN_ANOM: (MessageType, MessageType) = (FIRST_KERN_ANOM_MSG, LAST_KERN_ANOM_MSG);
const ANOM: (MessageType, MessageType) = (FIRST_ANOM_MSG, LAST_ANOM_MSG);
const ANOM_RESP: (MessageType, MessageType) = (FIRST_ANOM_RESP, LAST_ANOM_RESP);
const USER_LSPP: (MessageType, MessageType) = (FIRST_USER_LSPP_MSG, LAST_USER_LSPP_MSG);
const INTEGRITY: (MessageType, MessageType) = (INTEGRITY_FIRST_MSG, INTEGRITY_LAST_MSG);
const VIRT: (MessageType, MessageType) = (FIRST_VIRT_MSG, LAST_VIRT_MSG);

/// An event that passed the scan: its stamp, record types, first
/// record's line, what was read from it, and how to print ids.
pub struct Scanned<'a> {
    pub id: EventId,
    pub types: Vec<u32>,
    pub head_line: Option<Line<'a>>,
    pub items: Items,
    pub lookup: Lookup<'a>,
}

/// An event's record types, and the tests aureport makes on them.
#[derive(Clone, Copy)]
pub struct Types<'a>(pub &'a [u32]);

impl Types<'_> {
    pub fn has(self, t: MessageType) -> bool {
        self.0.contains(&t.0)
    }

    /// `list_find_msg_range`, which finds nothing in an empty range.
    pub fn has_range(self, (low, high): (MessageType, MessageType)) -> bool {
        high > low && self.0.iter().any(|t| (low.0..=high.0).contains(t))
    }

    fn has_config_change(self) -> bool {
        CONFIG_TYPES.iter().any(|&t| self.has(t))
            || self.has_range((MAC_POLICY_LOAD, MAC_UNLBL_STCDEL))
    }

    fn has_account_change(self) -> bool {
        self.has(USER_CHAUTHTOK)
            || self.has_range((ADD_USER, DEL_GROUP))
            || self.has(USER_MGMT)
            || self.has(GRP_MGMT)
            || self.has_range((ROLE_ASSIGN, ROLE_REMOVE))
    }

    fn has_anomaly(self) -> bool {
        self.has_range(ANOM) || self.has_range(KERN_ANOM) || self.has(SECCOMP)
    }

    fn has_crypto(self) -> bool {
        self.has_range(KERN_CRYPTO) || self.has_range(CRYPTO)
    }

    fn has_mac(self, last: MessageType) -> bool {
        self.has_range((MAC_POLICY_LOAD, last)) || self.has_range(USER_LSPP)
    }

    /// Whether an event of these types can count in a `--summary` list:
    /// the reports about kinds of events count no other, and keys are
    /// read from SYSCALL, CONFIG_CHANGE and MAC records only.
    pub fn may_count(self, kind: Kind) -> bool {
        match kind {
            Kind::Avc => self.has(AVC) || self.has(USER_AVC),
            Kind::Mac => self.has_mac(MAC_MAP_DEL),
            Kind::Integ => self.has_range(INTEGRITY),
            Kind::Virt => self.has_range(VIRT),
            Kind::Config => self.has_config_change(),
            Kind::Auth => self.has(USER_AUTH) || self.has(USER_MGMT),
            Kind::Login => self.has(USER_LOGIN),
            Kind::AcctMod => self.has_account_change(),
            Kind::Anomaly => self.has_anomaly(),
            Kind::Response => self.has_range(ANOM_RESP),
            Kind::Crypto => self.has_crypto(),
            Kind::Key => {
                self.has(types::SYSCALL)
                    || self.has(CONFIG_CHANGE)
                    || self.has_range((MAC_POLICY_LOAD, MAC_UNLBL_STCDEL))
            }
            _ => true,
        }
    }
}

impl Scanned<'_> {
    pub fn head(&self) -> MessageType {
        MessageType(self.types.first().copied().unwrap_or(0))
    }

    fn kinds(&self) -> Types<'_> {
        Types(&self.types)
    }

    pub fn has(&self, t: MessageType) -> bool {
        self.kinds().has(t)
    }

    pub fn has_range(&self, range: (MessageType, MessageType)) -> bool {
        self.kinds().has_range(range)
    }

    fn has_config_change(&self) -> bool {
        self.kinds().has_config_change()
    }

    fn has_account_change(&self) -> bool {
        self.kinds().has_account_change()
    }

    fn has_anomaly(&self) -> bool {
        self.kinds().has_anomaly()
    }

    fn has_crypto(&self) -> bool {
        self.kinds().has_crypto()
    }

    fn has_mac(&self, last: MessageType) -> bool {
        self.kinds().has_mac(last)
    }

    fn failed_user_mgmt(&self) -> bool {
        self.has(USER_MGMT) && self.items.success == FAILED
    }

    /// The first key, unless the rule had none.
    pub fn first_key(&self) -> Option<&[u8]> {
        self.items
            .keys
            .as_ref()?
            .first()
            .map(Vec::as_slice)
            .filter(|k| *k != b"(null)")
    }
}

impl Kind {
    /// The fields a report reads (aureport sets ausearch's `event_*`
    /// options to a dummy value for each).
    pub fn wants(self) -> Wants {
        let mut w = Wants {
            loginuid: true,
            ..Wants::default()
        };
        match self {
            Kind::Time | Kind::Virt | Kind::Response => w.loginuid = false,
            Kind::Avc => {
                w = Wants::default();
                (w.comm, w.subject, w.object) = (true, true, true);
            }
            Kind::Auth => {
                w = Wants::default();
                (w.exe, w.hostname, w.terminal, w.uid) = (true, true, true, true);
            }
            Kind::Mac | Kind::Integ | Kind::Config | Kind::Crypto | Kind::Event => {}
            Kind::Login | Kind::AcctMod => (w.exe, w.hostname, w.terminal) = (true, true, true),
            Kind::File => (w.filename, w.exe) = (true, true),
            Kind::Host => w.hostname = true,
            Kind::Pid => w.exe = true,
            Kind::Syscall => w.comm = true,
            Kind::Term | Kind::Exe => (w.terminal, w.hostname, w.exe) = (true, true, true),
            Kind::User => (w.terminal, w.hostname, w.exe, w.uid) = (true, true, true, true),
            Kind::Comm => (w.terminal, w.hostname, w.comm) = (true, true, true),
            Kind::Anomaly => {
                (w.terminal, w.hostname, w.exe, w.comm) = (true, true, true, true);
            }
            Kind::Key => (w.exe, w.key) = (true, true),
            Kind::Tty => (w.session, w.terminal, w.comm) = (true, true, true),
            Kind::Summary => {
                (w.filename, w.hostname, w.terminal, w.exe) = (true, true, true, true);
                (w.comm, w.key) = (true, true);
            }
        }
        w
    }
}

/// Whether a detailed report prints a row for this event.
pub fn of_interest(kind: Kind, ev: &Scanned<'_>) -> bool {
    let s = &ev.items;
    match kind {
        Kind::Avc => ev.has(AVC) || ev.has(USER_AVC),
        Kind::Mac => ev.has_mac(MAC_UNLBL_STCDEL),
        Kind::Integ => ev.has_range(INTEGRITY),
        Kind::Virt => ev.has_range(VIRT),
        Kind::Config => ev.has_config_change(),
        Kind::Auth => ev.has(USER_AUTH) || ev.failed_user_mgmt(),
        Kind::Login => ev.has(USER_LOGIN),
        Kind::AcctMod => ev.has_account_change(),
        Kind::Event => true,
        Kind::File => s.filenames.is_some(),
        Kind::Host => s.hostname.is_some(),
        Kind::Pid => s.pid >= 0,
        Kind::Syscall => s.syscall != 0,
        Kind::Term => s.terminal.is_some(),
        Kind::User => s.uid != super::parse::UID_UNSET,
        Kind::Exe => s.exe.is_some(),
        Kind::Comm => s.comm.is_some(),
        Kind::Anomaly => ev.has_anomaly(),
        Kind::Response => ev.has_range(ANOM_RESP),
        Kind::Crypto => ev.has_crypto(),
        Kind::Key => ev.first_key().is_some(),
        Kind::Tty => matches!(ev.head(), TTY | USER_TTY),
        Kind::Time | Kind::Summary => false,
    }
}

/// The overall summary's counts, and each report's `--summary` list.
#[derive(Default)]
pub struct Totals {
    pub changes: u64,
    pub crypto: u64,
    pub acct_changes: u64,
    pub good_logins: u64,
    pub bad_logins: u64,
    pub good_auth: u64,
    pub bad_auth: u64,
    pub events: u64,
    pub avcs: u64,
    pub mac: u64,
    pub failed_syscalls: u64,
    pub anomalies: u64,
    pub responses: u64,
    pub virt: u64,
    pub integ: u64,
    pub users: Tally<Vec<u8>>,
    pub terms: Tally<Vec<u8>>,
    pub files: Tally<Vec<u8>>,
    pub hosts: Tally<Vec<u8>>,
    pub exes: Tally<Vec<u8>>,
    pub comms: Tally<Vec<u8>>,
    pub avc_objs: Tally<Vec<u8>>,
    pub keys: Tally<Vec<u8>>,
    pub syscalls: Tally<Vec<u8>>,
    /// Process ids, or for the type reports (config, accounts, events)
    /// record types, as aureport borrows this list.
    pub pids: Tally<i32>,
    pub types: Tally<i32>,
}

impl Totals {
    /// Counts one event, `n` times (for events alike); `true` for the
    /// overall summary (the only summary whose events count as found).
    pub fn add(&mut self, kind: Kind, ev: &Scanned<'_>, n: u32) -> bool {
        let s = &ev.items;
        let head = ev.head().number() as i32;
        match kind {
            Kind::Summary => {
                self.add_summary(ev, n);
                return true;
            }
            Kind::Avc if ev.has(AVC) || ev.has(USER_AVC) => {
                let avcs = s.avcs.iter().flatten();
                for a in avcs.filter(|a| a.result != super::parse::AvcResult::Unset) {
                    if let Some(t) = &a.tcontext {
                        self.avc_objs.add(t.clone(), n);
                    }
                }
            }
            Kind::Mac if ev.has_mac(MAC_MAP_DEL) => self.types.add_ordered(head, n),
            Kind::Integ if ev.has_range(INTEGRITY) => self.types.add_ordered(head, n),
            Kind::Virt if ev.has_range(VIRT) => self.types.add_ordered(head, n),
            Kind::Config if ev.has_config_change() => self.pids.add_ordered(head, n),
            Kind::Auth if ev.has(USER_AUTH) || ev.failed_user_mgmt() => {
                self.add_account(ev, s.loginuid == AUID_UNREAD, n);
            }
            Kind::Login if ev.has(USER_LOGIN) => self.add_account(ev, (s.loginuid as i32) < 0, n),
            Kind::AcctMod if ev.has_account_change() => self.pids.add_ordered(head, n),
            Kind::Event => self.pids.add_ordered(head, n),
            Kind::File => self.add_files(s, n),
            Kind::Host => add_text(&mut self.hosts, &s.hostname, n),
            Kind::Pid if s.pid != -1 => self.pids.add_ordered(s.pid, n),
            Kind::Syscall if s.syscall > 0 => {
                let name = ev.lookup.syscall_listed(s.arch, s.syscall);
                self.syscalls.add(name, n);
            }
            Kind::Term => add_text(&mut self.terms, &s.terminal, n),
            Kind::User if s.loginuid != AUID_UNREAD => {
                self.users.add(ev.lookup.uid(s.loginuid, 32), n);
            }
            Kind::Exe => add_text(&mut self.exes, &s.exe, n),
            Kind::Comm => add_text(&mut self.comms, &s.comm, n),
            Kind::Anomaly if ev.has_anomaly() => self.types.add_ordered(head, n),
            Kind::Response if ev.has_range(ANOM_RESP) => self.types.add_ordered(head, n),
            Kind::Crypto if ev.has_crypto() => self.types.add_ordered(head, n),
            Kind::Key => self.add_keys(s, n),
            _ => {}
        }
        false
    }

    /// An account by name when the auid is not usable, else by auid.
    fn add_account(&mut self, ev: &Scanned<'_>, by_name: bool, n: u32) {
        match &ev.items.acct {
            Some(acct) if by_name => self.users.add(acct.clone(), n),
            _ => self.users.add(ev.lookup.uid(ev.items.loginuid, 64), n),
        }
    }

    /// Names counted once each, for the number of distinct files only.
    pub fn add_file_names(&mut self, names: Vec<String>) {
        for name in names {
            self.files.add(name.into_bytes(), 1);
        }
    }

    pub fn add_files(&mut self, s: &Items, n: u32) {
        for f in s.filenames.iter().flatten() {
            self.files.add(f.name.clone(), n);
        }
    }

    fn add_keys(&mut self, s: &Items, n: u32) {
        for k in s.keys.iter().flatten().filter(|k| *k != b"(null)") {
            self.keys.add(k.clone(), n);
        }
    }

    fn add_summary(&mut self, ev: &Scanned<'_>, n: u32) {
        let s = &ev.items;
        let hits = u64::from(n);
        self.events += hits;
        // The summary counts each kind of change an event holds.
        self.changes += hits * CONFIG_TYPES.iter().filter(|&&t| ev.has(t)).count() as u64;
        self.changes += hits * u64::from(ev.has_range((MAC_POLICY_LOAD, MAC_UNLBL_STCDEL)));
        self.acct_changes += hits
            * [
                ev.has(USER_CHAUTHTOK),
                ev.has_range((ADD_USER, DEL_GROUP)),
                ev.has(USER_MGMT),
                ev.has(GRP_MGMT),
                ev.has_range((ROLE_ASSIGN, ROLE_REMOVE)),
            ]
            .iter()
            .filter(|&&b| b)
            .count() as u64;
        self.crypto +=
            hits * (u64::from(ev.has_range(KERN_CRYPTO)) + u64::from(ev.has_range(CRYPTO)));
        if ev.has(USER_LOGIN) {
            count_outcome(
                s.success,
                hits,
                (&mut self.good_logins, &mut self.bad_logins),
            );
        }
        if ev.has(USER_AUTH) {
            count_outcome(s.success, hits, (&mut self.good_auth, &mut self.bad_auth));
        } else if ev.has(USER_MGMT) {
            // Only the failures count.
            self.bad_auth += hits * u64::from(s.success == FAILED);
        } else if ev.has(GRP_AUTH) {
            count_outcome(s.success, hits, (&mut self.good_auth, &mut self.bad_auth));
        }
        if s.loginuid != AUID_UNREAD {
            self.users
                .add((s.loginuid as i32).to_string().into_bytes(), n);
        }
        add_text(&mut self.terms, &s.terminal, n);
        add_text(&mut self.hosts, &s.hostname, n);
        add_text(&mut self.exes, &s.exe, n);
        add_text(&mut self.comms, &s.comm, n);
        self.add_files(s, n);
        self.avcs += hits * u64::from(ev.has(AVC) || ev.has(USER_AVC));
        self.mac += hits
            * (u64::from(ev.has_range((MAC_POLICY_LOAD, MAC_UNLBL_STCDEL)))
                + u64::from(ev.has_range(USER_LSPP)));
        self.virt += hits * u64::from(ev.has_range(VIRT));
        self.integ += hits * u64::from(ev.has_range(INTEGRITY));
        self.failed_syscalls += hits * u64::from(s.success == FAILED && s.syscall > 0);
        if s.pid != -1 {
            self.pids.add_ordered(s.pid, n);
        }
        self.anomalies +=
            hits * (u64::from(ev.has_range(ANOM)) + u64::from(ev.has_range(KERN_ANOM)));
        self.responses += hits * u64::from(ev.has_range(ANOM_RESP));
        self.add_keys(s, n);
    }
}

fn count_outcome(success: i32, hits: u64, (good, bad): (&mut u64, &mut u64)) {
    match success {
        SUCCESS => *good += hits,
        FAILED => *bad += hits,
        _ => {}
    }
}

fn add_text(tally: &mut Tally<Vec<u8>>, value: &Option<Vec<u8>>, n: u32) {
    if let Some(v) = value {
        tally.add(v.clone(), n);
    }
}
