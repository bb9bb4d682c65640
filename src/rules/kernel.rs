//! Carrying out rule commands on the kernel over [`AuditSocket`], and the
//! kernel's refusals turned into one line that says why.
//!
//! `raudit ctl` (command line and `-R`) and the daemon's rules directory both
//! come through here, so a rule is loaded, deleted and refused the same way
//! whoever asks.

use nix::errno::Errno;

use crate::netlink::{AuditSocket, NetlinkError};
use crate::wire::message_type as msg;
use crate::wire::status::{mask, AuditStatus};

use super::{fields, Command, Rule, RuleError, StatusChange};

/// The bits of the last mask word the kernel keeps for syscall classes
/// (AUDIT_SYSCALL_CLASSES is 16): it clears them when it stores a rule and
/// lists the rule back without them (kernel/auditfilter.c
/// `audit_to_entry_common`).
const CLASS_BITS: u32 = 0xffff_0000;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The kernel answered the request with an error.
    #[error("{what}: {why}")]
    Refused {
        what: String,
        errno: Errno,
        why: String,
    },
    #[error(transparent)]
    Netlink(NetlinkError),
    #[error(transparent)]
    Rule(#[from] RuleError),
}

impl ApplyError {
    pub fn errno(&self) -> Option<Errno> {
        match self {
            ApplyError::Refused { errno, .. } => Some(*errno),
            ApplyError::Netlink(e) => e.errno(),
            ApplyError::Rule(_) => None,
        }
    }
}

/// What was asked of the kernel, for the words of a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    AddRule,
    DeleteRule,
    MakeEquivalent,
    /// Any other change (status, features, trim, message).
    Change,
}

/// Why the kernel refused `request` with `errno`, in words; `locked` is
/// whether the configuration is immutable (`-e 2`), which turns every
/// change into EPERM until the next reboot.
pub fn refusal(request: Request, errno: Errno, locked: bool) -> String {
    let desc = errno.desc();
    match (request, errno) {
        (_, Errno::EPERM) if locked => {
            "the audit configuration is locked (enabled 2) until the next reboot".into()
        }
        (_, Errno::EPERM | Errno::EACCES) => {
            format!("{desc} (root with CAP_AUDIT_CONTROL is needed)")
        }
        (Request::AddRule, Errno::EEXIST) => "the rule is already loaded".into(),
        (Request::DeleteRule, Errno::ENOENT) => "no such rule is loaded".into(),
        (Request::AddRule, Errno::ENOENT) => format!(
            "{desc} (a watched path's directory, a dir= directory and an exe='s directory must exist)"
        ),
        (Request::AddRule, Errno::EINVAL) => {
            format!("{desc} (the kernel does not accept this combination of list, fields and values)")
        }
        (Request::AddRule, Errno::ENOSPC) => {
            format!("{desc} (the kernel's limit of watches or rules is reached)")
        }
        _ => desc.to_string(),
    }
}

/// Turns a netlink failure into a refusal when the kernel answered with an
/// errno; asks the kernel whether it is locked when that could explain it.
fn refused(sock: &mut AuditSocket, e: NetlinkError, request: Request, what: String) -> ApplyError {
    let Some(errno) = e
        .errno()
        .filter(|_| matches!(e, NetlinkError::Request { .. }))
    else {
        return ApplyError::Netlink(e);
    };
    let locked = errno == Errno::EPERM && sock.get_status().is_ok_and(|s| s.enabled == 2);
    ApplyError::Refused {
        what,
        errno,
        why: refusal(request, errno, locked),
    }
}

pub fn add_rule(sock: &mut AuditSocket, rule: &Rule) -> Result<(), ApplyError> {
    let bytes = rule.to_wire()?;
    sock.add_rule(&bytes).map_err(|e| {
        let mut err = refused(sock, e, Request::AddRule, format!("adding rule `{rule}`"));
        if let (ApplyError::Refused { errno, why, .. }, Some(field)) = (&mut err, unset_id(rule)) {
            if *errno == Errno::EINVAL {
                *why = format!(
                    "{} (the kernel takes -1 only for auid and sessionid, not for {field})",
                    errno.desc()
                );
            }
        }
        err
    })
}

/// A uid or gid field (other than auid) that is -1, which the kernel
/// refuses as an invalid id (`make_kuid` in audit_data_to_entry).
fn unset_id(rule: &Rule) -> Option<&'static str> {
    const IDS: &[(u32, &str)] = &[
        (1, "uid"),
        (2, "euid"),
        (3, "suid"),
        (4, "fsuid"),
        (5, "gid"),
        (6, "egid"),
        (7, "sgid"),
        (8, "fsgid"),
        (109, "obj_uid"),
        (110, "obj_gid"),
    ];
    rule.fields.iter().find_map(|f| {
        let (_, name) = IDS.iter().find(|(id, _)| *id == f.field)?;
        (f.num() == Some(u32::MAX)).then_some(*name)
    })
}

pub fn delete_rule(sock: &mut AuditSocket, rule: &Rule) -> Result<(), ApplyError> {
    let bytes = rule.to_wire()?;
    sock.delete_rule(&bytes).map_err(|e| {
        refused(
            sock,
            e,
            Request::DeleteRule,
            format!("deleting rule `{rule}`"),
        )
    })
}

/// Every rule in the kernel, in its order (list by list).
pub fn list_rules(sock: &mut AuditSocket) -> Result<Vec<Rule>, ApplyError> {
    let payloads = sock.list_rules().map_err(ApplyError::Netlink)?;
    let rules = payloads.iter().map(|b| Rule::from_wire(b));
    Ok(rules.collect::<Result<_, _>>()?)
}

/// Whether `-l -k KEY` and `-D -k KEY` select the rule: auditctl looks for
/// KEY anywhere in the key field (`strstr`), so `-k a` also selects a rule
/// keyed `ab`. No key selects every rule.
pub fn key_matches(rule: &Rule, key: Option<&str>) -> bool {
    let Some(key) = key else {
        return true;
    };
    rule.fields
        .iter()
        .filter(|f| f.field == fields::FILTERKEY)
        .filter_map(|f| f.str())
        .any(|text| text.contains(key))
}

/// `-D [-k KEY]`: deletes the selected rules one by one, as auditctl does.
/// Returns how many rules the kernel has left.
pub fn delete_all(sock: &mut AuditSocket, key: Option<&str>) -> Result<usize, ApplyError> {
    let rules = list_rules(sock)?;
    let mut left = rules.len();
    for rule in rules.iter().filter(|r| key_matches(r, key)) {
        delete_rule(sock, rule)?;
        left -= 1;
    }
    Ok(left)
}

/// The rule the kernel lists back after loading `rule`: no prepend flag,
/// no syscall-class bits. Two rules are the same kernel rule exactly when
/// their normal forms are equal.
pub fn normal_form(rule: &Rule) -> Rule {
    let mut r = rule.clone();
    r.prepend = false;
    r.syscalls.0[63] &= !CLASS_BITS;
    r
}

/// `-e -f -r -b --backlog_wait_time` (AUDIT_SET).
pub fn set(sock: &mut AuditSocket, change: StatusChange) -> Result<(), ApplyError> {
    let mut s = AuditStatus::default();
    let what = match change {
        StatusChange::Enabled(v) => {
            (s.mask, s.enabled) = (mask::ENABLED, v);
            "setting the enabled flag"
        }
        StatusChange::Failure(v) => {
            (s.mask, s.failure) = (mask::FAILURE, v);
            "setting the failure flag"
        }
        StatusChange::RateLimit(v) => {
            (s.mask, s.rate_limit) = (mask::RATE_LIMIT, v);
            "setting the rate limit"
        }
        StatusChange::BacklogLimit(v) => {
            (s.mask, s.backlog_limit) = (mask::BACKLOG_LIMIT, v);
            "setting the backlog limit"
        }
        StatusChange::BacklogWaitTime(v) => {
            (s.mask, s.backlog_wait_time) = (mask::BACKLOG_WAIT_TIME, v);
            "setting the backlog wait time"
        }
    };
    sock.set_status(&s, what)
        .map_err(|e| refused(sock, e, Request::Change, what.into()))
}

/// Which counter `reset_counter` resets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    Lost,
    BacklogWaitTimeActual,
}

/// `--reset-lost`, `--reset_backlog_wait_time_actual`: the kernel answers
/// with the old value in the ACK.
pub fn reset_counter(sock: &mut AuditSocket, counter: Counter) -> Result<u32, ApplyError> {
    let (bit, what) = match counter {
        Counter::Lost => (mask::LOST, "resetting the lost counter"),
        Counter::BacklogWaitTimeActual => (
            mask::BACKLOG_WAIT_TIME_ACTUAL,
            "resetting backlog_wait_time_actual",
        ),
    };
    let s = AuditStatus {
        mask: bit,
        ..Default::default()
    };
    sock.command_value(msg::SET, &s.encode(), what)
        .map_err(|e| refused(sock, e, Request::Change, what.into()))
}

/// AUDIT_FEATURE_LOGINUID_IMMUTABLE (linux/audit.h).
pub const LOGINUID_IMMUTABLE: u32 = 1;

/// struct audit_features {u32 vers = 1, mask, features, lock} asking to set
/// (or clear) one feature and optionally lock it, as libaudit's
/// audit_set_feature builds it.
pub fn features_payload(feature: u32, value: bool, lock: bool) -> Vec<u8> {
    let bit = 1u32 << (feature & 31);
    let words = [
        1u32,
        bit,
        if value { bit } else { 0 },
        if lock { bit } else { 0 },
    ];
    words.iter().flat_map(|w| w.to_ne_bytes()).collect()
}

/// `--loginuid-immutable`: struct audit_features {vers 1, mask, features,
/// lock} with AUDIT_FEATURE_LOGINUID_IMMUTABLE (bit 1) set and locked.
pub fn loginuid_immutable(sock: &mut AuditSocket) -> Result<(), ApplyError> {
    let payload = features_payload(LOGINUID_IMMUTABLE, true, true);
    let what = "making loginuid immutable";
    sock.command(msg::SET_FEATURE, &payload, what)
        .map_err(|e| refused(sock, e, Request::Change, what.into()))
}

/// `-q MOUNT,SUBTREE` (AUDIT_MAKE_EQUIV): {u32 len1, u32 len2} then both
/// paths without NULs, as libaudit's audit_make_equivalent sends them.
pub fn make_equivalent(
    sock: &mut AuditSocket,
    mount: &str,
    subtree: &str,
) -> Result<(), ApplyError> {
    let mut payload = Vec::with_capacity(8 + mount.len() + subtree.len());
    payload.extend_from_slice(&(mount.len() as u32).to_ne_bytes());
    payload.extend_from_slice(&(subtree.len() as u32).to_ne_bytes());
    payload.extend_from_slice(mount.as_bytes());
    payload.extend_from_slice(subtree.as_bytes());
    let what = format!("making {subtree} equivalent to {mount}");
    sock.command(msg::MAKE_EQUIV, &payload, &what)
        .map_err(|e| refused(sock, e, Request::MakeEquivalent, what))
}

/// `-t` (AUDIT_TRIM): drops directory watches whose directory is gone.
pub fn trim(sock: &mut AuditSocket) -> Result<(), ApplyError> {
    let what = "trimming directory watches";
    sock.command(msg::TRIM, &[], what)
        .map_err(|e| refused(sock, e, Request::Change, what.into()))
}

/// `-m TEXT`: an AUDIT_USER message as auditctl sends it, `text=...` then
/// the sender's executable and terminal.
pub fn send_message(sock: &mut AuditSocket, text: &str) -> Result<(), ApplyError> {
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "?".into());
    let terminal = nix::unistd::ttyname(std::io::stdin())
        .map(|p| p.display().to_string())
        .map(|t| t.trim_start_matches("/dev/").to_string())
        .unwrap_or_else(|_| "?".into());
    let full = format!(
        "text={text} exe={} hostname=? addr=? terminal={terminal} res=success",
        crate::record::encode_value(&exe)
    );
    sock.send_user_message(msg::USER, &full)
        .map_err(|e| refused(sock, e, Request::Change, "sending a user message".into()))
}

/// What [`apply`] did with a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Done,
    /// A command that only reports (-l, -s, -v, -h, --signal, counter
    /// resets) or reads another file: nothing for a rule set to do.
    Skipped,
}

/// Carries out one configuration command of a rule set, printing nothing.
pub fn apply(sock: &mut AuditSocket, cmd: &Command) -> Result<Applied, ApplyError> {
    match cmd {
        Command::Add { rule, .. } => add_rule(sock, rule)?,
        Command::Delete(rule) => delete_rule(sock, rule)?,
        Command::DeleteAll { key } => {
            delete_all(sock, key.as_deref())?;
        }
        Command::Set(change) => set(sock, *change)?,
        Command::LoginuidImmutable => loginuid_immutable(sock)?,
        Command::MakeEquivalent { mount, subtree } => make_equivalent(sock, mount, subtree)?,
        Command::Trim => trim(sock)?,
        Command::Message(text) => send_message(sock, text)?,
        Command::List { .. }
        | Command::Status { .. }
        | Command::ResetLost
        | Command::ResetBacklogWaitTimeActual
        | Command::ReadFile(_)
        | Command::Signal(_)
        | Command::Version
        | Command::Help => return Ok(Applied::Skipped),
    }
    Ok(Applied::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locked_configuration_is_named_as_the_reason() {
        for request in [Request::AddRule, Request::DeleteRule, Request::Change] {
            assert_eq!(
                refusal(request, Errno::EPERM, true),
                "the audit configuration is locked (enabled 2) until the next reboot"
            );
        }
        assert_eq!(
            refusal(Request::Change, Errno::EPERM, false),
            "Operation not permitted (root with CAP_AUDIT_CONTROL is needed)"
        );
    }

    #[test]
    fn rule_refusals_say_why() {
        assert_eq!(
            refusal(Request::AddRule, Errno::EEXIST, false),
            "the rule is already loaded"
        );
        assert_eq!(
            refusal(Request::DeleteRule, Errno::ENOENT, false),
            "no such rule is loaded"
        );
        assert!(refusal(Request::AddRule, Errno::ENOENT, false)
            .starts_with("No such file or directory (a watched path's directory"));
        assert_eq!(
            refusal(Request::MakeEquivalent, Errno::ENOENT, false),
            "No such file or directory"
        );
    }

    #[test]
    fn keys_match_anywhere_in_the_key_field() {
        let rule = super::super::tests::rule("-w /tmp/x -k ab -k cd");
        assert!(key_matches(&rule, Some("ab")));
        assert!(key_matches(&rule, Some("b")));
        assert!(key_matches(&rule, Some("cd")));
        assert!(key_matches(&rule, None));
        assert!(!key_matches(&rule, Some("x")));
        let unkeyed = super::super::tests::rule("-w /tmp/x");
        assert!(!key_matches(&unkeyed, Some("a")));
    }

    #[test]
    fn the_normal_form_drops_what_the_kernel_drops() {
        let rule = super::super::tests::rule("-A always,exit -S all -F uid=0");
        let normal = normal_form(&rule);
        assert!(!normal.prepend);
        assert_eq!(normal.syscalls.0[63], 0x0000_ffff);
        assert!(normal.syscalls.is_all());
    }
}

#[cfg(test)]
mod feature_tests {
    use super::*;

    #[test]
    fn loginuid_immutable_request_bytes() {
        // x86_64 little endian, as `auditctl --loginuid-immutable` sends it.
        let expected: [u8; 16] = [
            0x01, 0x00, 0x00, 0x00, // vers: AUDIT_FEATURE_VERSION 1
            0x02, 0x00, 0x00, 0x00, // mask: 1 << AUDIT_FEATURE_LOGINUID_IMMUTABLE
            0x02, 0x00, 0x00, 0x00, // features: set
            0x02, 0x00, 0x00, 0x00, // lock: locked until reboot
        ];
        assert_eq!(features_payload(LOGINUID_IMMUTABLE, true, true), expected);
        assert_eq!(
            &features_payload(0, false, false)[4..],
            &[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        );
    }
}
