//! What aureport takes out of each event's records: a port of ausearch's
//! `extract_search_items` (ausearch-parse.c), which aureport shares.
//!
//! It is a text scanner, not a field parser: each record type has its own
//! walk of `strstr` calls from a moving position, fields it does not look
//! for are never read, and a record that does not have what the walk
//! expects makes the whole event malformed, so that aureport leaves it out
//! of every report and count. Reports depend on all of this (which uid a
//! USER_LOGIN shows, whether an event counts at all), so the walks are
//! kept as they are, quirks included.

mod kernel;
mod path;
mod task;
mod user;

use super::line::Line;
use crate::record::types::{
    self, ANOM_ABEND, ANOM_LINK, ANOM_PROMISCUOUS, AVC, AVC_PATH, CONFIG_CHANGE, DAEMON_ABORT,
    DAEMON_ACCEPT, DAEMON_CLOSE, DAEMON_CONFIG, DAEMON_END, DAEMON_RESUME, DAEMON_ROTATE,
    DAEMON_START, EVENT_LISTENER, FEATURE_CHANGE, FIRST_USER_MSG, FIRST_USER_MSG2, INTEGRITY_DATA,
    INTEGRITY_RULE, IPC, LAST_USER_MSG, LAST_USER_MSG2, MAC_POLICY_LOAD, MAC_UNLBL_STCDEL,
    NETFILTER_CFG, NETFILTER_PKT, OBJ_PID, SECCOMP, SOCKADDR, TTY, USER, USER_AVC, VIRT_MACHINE_ID,
    VIRT_RESOURCE,
};
use crate::record::MessageType;

/// Which fields the chosen report asks for; aureport reads no others.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wants {
    pub comm: bool,
    pub subject: bool,
    pub object: bool,
    pub exe: bool,
    pub hostname: bool,
    pub terminal: bool,
    pub filename: bool,
    pub key: bool,
    pub uid: bool,
    pub loginuid: bool,
    pub session: bool,
    /// `-i`: the SYSCALL record's arch is read too.
    pub arch: bool,
}

/// aureport's `success_t` (-1 unset, 0 failed, 1 success), kept as the int
/// it is, since a `res=` number is stored without a check.
pub const UNSET: i32 = -1;
pub const FAILED: i32 = 0;
pub const SUCCESS: i32 = 1;

/// A file name and, for PATH records, the text after its `type=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    pub name: Vec<u8>,
    pub key: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AvcResult {
    #[default]
    Unset,
    Denied,
    Granted,
}

/// One access decision, or a bare subject or object label.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Avc {
    pub scontext: Option<Vec<u8>>,
    pub tcontext: Option<Vec<u8>>,
    pub result: AvcResult,
    pub perm: Option<Vec<u8>>,
    pub class: Option<Vec<u8>>,
}

/// ausearch's `search_items`: one event's fields of interest. Ids keep
/// their C types (uid_t, pid_t), so that -1 and -2 compare as in C.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Items {
    pub pid: i32,
    pub uid: u32,
    pub loginuid: u32,
    /// Whether the auid has a name (ausearch's `tauid` was set).
    pub tauid: bool,
    pub tuid: bool,
    pub success: i32,
    pub arch: u32,
    pub syscall: i32,
    pub session_id: u32,
    pub hostname: Option<Vec<u8>>,
    pub filenames: Option<Vec<FileName>>,
    pub cwd: Option<Vec<u8>>,
    pub exe: Option<Vec<u8>>,
    pub keys: Option<Vec<Vec<u8>>>,
    pub terminal: Option<Vec<u8>>,
    pub comm: Option<Vec<u8>>,
    pub avcs: Option<Vec<Avc>>,
    pub acct: Option<Vec<u8>>,
}

/// `(uid_t)-1` and `(uid_t)-2`: unset, and "not read".
pub const UID_UNSET: u32 = u32::MAX;
pub const AUID_UNREAD: u32 = u32::MAX - 1;

impl Default for Items {
    fn default() -> Items {
        Items {
            pid: -1,
            uid: UID_UNSET,
            loginuid: AUID_UNREAD,
            tauid: false,
            tuid: false,
            success: UNSET,
            arch: 0,
            syscall: 0,
            session_id: AUID_UNREAD,
            hostname: None,
            filenames: None,
            cwd: None,
            exe: None,
            keys: None,
            terminal: None,
            comm: None,
            avcs: None,
            acct: None,
        }
    }
}

impl Items {
    fn push_avc(&mut self, avc: Avc) {
        self.avcs.get_or_insert_with(Vec::new).push(avc);
    }

    fn push_file(&mut self, name: Vec<u8>) {
        self.filenames
            .get_or_insert_with(Vec::new)
            .push(FileName { name, key: None });
    }

    /// The auid as read from text, and whether it has a name.
    fn set_loginuid(&mut self, value: u64) {
        self.loginuid = value as u32;
        self.tauid = has_name(self.loginuid);
    }

    fn set_uid(&mut self, value: u64) {
        self.uid = value as u32;
        self.tuid = has_name(self.uid);
    }
}

/// ausearch's `lookup_uid` succeeds for 0, -1 and any uid in the user
/// database (the interpretations it checks first are never loaded while
/// an event is parsed).
fn has_name(uid: u32) -> bool {
    uid == 0
        || uid == UID_UNSET
        || nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
            .ok()
            .flatten()
            .is_some()
}

/// Why a record made its event malformed: the C parser's return code
/// (USER_AVC parsing forgives codes above 20).
pub type Malformed = u8;

type Parsed = Result<(), Malformed>;

/// One record as the parsers see it.
pub struct Rec<'a> {
    pub rtype: MessageType,
    pub line: Line<'a>,
}

/// Reads every record of an event in order, stopping at the first
/// malformed one; `Err` means aureport skips the event.
pub fn extract(records: &[Rec<'_>], wants: Wants) -> Result<Items, Malformed> {
    let mut items = Items::default();
    for rec in records {
        record(rec, &mut items, wants)?;
    }
    Ok(items)
}

/// The user-space messages `parse_user` reads: all but USER_AVC, which
/// has its own parser.
fn is_user_message(t: MessageType) -> bool {
    t != USER_AVC
        && ((FIRST_USER_MSG..=LAST_USER_MSG).contains(&t)
            || (FIRST_USER_MSG2..=LAST_USER_MSG2).contains(&t))
}

fn record(rec: &Rec<'_>, s: &mut Items, w: Wants) -> Parsed {
    let t = rec.rtype;
    match t {
        types::SYSCALL => task::syscall(rec, s, w),
        types::CWD => path::dir(rec, s, w),
        AVC_PATH => path::avc_path(rec, s, w),
        types::PATH => path::path(rec, s, w),
        USER => user::user(rec, s, w, None),
        _ if is_user_message(t) => user::user(rec, s, w, None),
        SOCKADDR => path::sockaddr(rec, s, w),
        types::LOGIN => user::login(rec, s, w),
        IPC | OBJ_PID => path::obj(rec, s, w),
        DAEMON_START | DAEMON_END | DAEMON_ABORT | DAEMON_CONFIG | DAEMON_ROTATE
        | DAEMON_RESUME => user::daemon1(rec, s, w),
        DAEMON_ACCEPT | DAEMON_CLOSE => user::daemon2(rec, s, w),
        CONFIG_CHANGE => {
            let rc = kernel::simple_message(rec, s, w);
            // Older events have no path=: that one is not an error.
            let _ = path::avc_path(rec, s, w);
            rc
        }
        AVC | USER_AVC => user::avc(rec, s, w),
        NETFILTER_PKT => kernel::pkt(rec, s, w),
        FEATURE_CHANGE | ANOM_LINK => task::task_info(rec, s, w),
        SECCOMP | ANOM_PROMISCUOUS | ANOM_ABEND => kernel::kernel_anom(rec, s, w),
        _ if (MAC_POLICY_LOAD..=MAC_UNLBL_STCDEL).contains(&t) => kernel::simple_message(rec, s, w),
        _ if (INTEGRITY_DATA..=INTEGRITY_RULE).contains(&t) => kernel::integrity(rec, s, w),
        NETFILTER_CFG | EVENT_LISTENER => kernel::kernel(rec, s, w),
        TTY => kernel::tty(rec, s, w),
        _ => Ok(()),
    }
}

/// An optional `ses=` after `term`, which then moves past it.
fn session(line: Line<'_>, s: &mut Items, term: &mut usize, codes: (u8, u8)) -> Parsed {
    if let Some(str) = line.find(*term, "ses=") {
        let (v, end) = line.number_ending_at_space(str + 4, codes)?;
        *term = end;
        s.session_id = v as u32;
    }
    Ok(())
}

/// The value of a `name=` at `at` (just past the `=`): the quoted text, or
/// the hex-decoded run. `Err` when a quote does not close.
fn quoted_or_hex(line: Line<'_>, at: usize) -> Result<(Option<Vec<u8>>, Option<usize>), ()> {
    if line.at(at) == b'"' {
        let end = line.find_byte(at + 1, b'"').ok_or(())?;
        Ok((Some(line.span(at + 1, end)), Some(end)))
    } else {
        Ok((line.unescape(at), None))
    }
}

#[cfg(test)]
mod tests;
