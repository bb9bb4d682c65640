//! The kernel's audit status as `auditctl -s` (and `-s -i`) prints it, and
//! the shorter block auditctl prints after `-e`, `-f`, `-r`, `-b` and
//! `--backlog_wait_time`.

use std::fmt::Write;

use std::path::Path;

use crate::netlink::AuditSocket;
use crate::rules;
use crate::wire::message_type as msg;
use crate::wire::status::AuditStatus;

/// raudit's lines after the kernel's status, for `raudit ctl -s` only (not
/// under the `auditctl` name, whose output scripts parse as it is), and
/// only where raudit records (its database can be read; `$RAUDIT_DB`
/// names another): what the store recorded as lost (kernel lost counter,
/// serial gaps, overruns), and how the rules directory stands against the
/// kernel.
pub fn raudit_lines(sock: &mut AuditSocket) -> Vec<String> {
    if crate::cli::invoked_name() == "auditctl" {
        return Vec::new();
    }
    let settings = crate::config::settings_or_default();
    let db = crate::config::env_db().unwrap_or(settings.db);
    let Some(loss) = recorded_loss(&db) else {
        return Vec::new();
    };
    vec![loss, rules_line(sock, &settings.rules_dir)]
}

fn recorded_loss(db: &Path) -> Option<String> {
    let conn = crate::store::open_read_only(db).ok()?;
    let totals = crate::store::query::loss_totals(&conn).ok()?;
    let mut line = String::from("raudit_recorded_loss");
    if totals.is_empty() {
        line.push_str(" none");
    }
    for (kind, count) in totals {
        let _ = write!(line, " {kind}={count}");
    }
    let _ = writeln!(line, " ({})", db.display());
    Some(line)
}

/// Whether the kernel holds every rule the rules directory gives:
/// `raudit_rules in_sync (DIR)`, or `raudit_rules incomplete
/// unloadable=N drift=M (DIR; ...)` with the lines that cannot be loaded
/// and the rules that differ, which `raudit ctl --check` lists, or
/// `raudit_rules unreadable (why)`.
fn rules_line(sock: &mut AuditSocket, dir: &Path) -> String {
    let dir_name = dir.display();
    match rules::dir::check_dir(sock, dir) {
        Ok(drift) if drift.in_sync() => format!("raudit_rules in_sync ({dir_name})\n"),
        Ok(drift) => format!(
            "raudit_rules incomplete unloadable={} drift={} ({dir_name}; raudit ctl --check lists it)\n",
            drift.unloadable.len(),
            drift.lines.len()
        ),
        Err(e) => format!("raudit_rules unreadable ({e})\n"),
    }
}

/// AUDIT_FEATURE_LOGINUID_IMMUTABLE's bit in struct audit_features.
const LOGINUID_IMMUTABLE: u32 = 1 << 1;

/// The loginuid_immutable feature: (set, locked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoginuidImmutable {
    pub set: bool,
    pub locked: bool,
}

/// Reads the loginuid_immutable feature (AUDIT_GET_FEATURE: struct
/// audit_features {vers, mask, features, lock}); `None` when the kernel
/// does not answer it.
pub fn loginuid_immutable(sock: &mut AuditSocket) -> Option<LoginuidImmutable> {
    let payload = sock
        .query(msg::GET_FEATURE, "reading audit features")
        .ok()?;
    let word = |i: usize| -> Option<u32> {
        let bytes = payload.get(i * 4..i * 4 + 4)?;
        Some(u32::from_ne_bytes(bytes.try_into().ok()?))
    };
    Some(LoginuidImmutable {
        set: word(2)? & LOGINUID_IMMUTABLE != 0,
        locked: word(3)? & LOGINUID_IMMUTABLE != 0,
    })
}

/// auditctl's words for the enabled flag under `-s -i`.
fn enabled_name(enabled: u32) -> &'static str {
    match enabled {
        0 => "disable",
        1 => "enabled",
        2 => "enabled+immutable",
        _ => "unknown",
    }
}

/// auditctl's words for the failure flag under `-s -i`.
fn failure_name(failure: u32) -> &'static str {
    match failure {
        0 => "silent",
        1 => "printk",
        2 => "panic",
        _ => "unknown",
    }
}

/// The status lines; `loginuid` adds `-s`'s last line (absent from the
/// block printed after a change).
pub fn text(s: &AuditStatus, interpret: bool, loginuid: Option<LoginuidImmutable>) -> String {
    let mut out = String::new();
    if interpret {
        let _ = writeln!(out, "enabled {}", enabled_name(s.enabled));
        let _ = writeln!(out, "failure {}", failure_name(s.failure));
    } else {
        let _ = writeln!(out, "enabled {}\nfailure {}", s.enabled, s.failure);
    }
    let _ = writeln!(
        out,
        "pid {}\nrate_limit {}\nbacklog_limit {}\nlost {}\nbacklog {}\nbacklog_wait_time {}\nbacklog_wait_time_actual {}",
        s.pid,
        s.rate_limit,
        s.backlog_limit,
        s.lost,
        s.backlog,
        s.backlog_wait_time,
        s.backlog_wait_time_actual
    );
    if let Some(l) = loginuid {
        let state = if l.locked { "locked" } else { "unlocked" };
        let _ = writeln!(out, "loginuid_immutable {} {state}", u8::from(l.set));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status() -> AuditStatus {
        AuditStatus {
            enabled: 1,
            failure: 2,
            pid: 77,
            rate_limit: 0,
            backlog_limit: 8192,
            lost: 12,
            backlog: 3,
            backlog_wait_time: 60000,
            backlog_wait_time_actual: 5,
            ..Default::default()
        }
    }

    #[test]
    fn plain_status_is_auditctls() {
        let loginuid = LoginuidImmutable {
            set: true,
            locked: false,
        };
        assert_eq!(
            text(&status(), false, Some(loginuid)),
            "enabled 1\nfailure 2\npid 77\nrate_limit 0\nbacklog_limit 8192\nlost 12\nbacklog 3\n\
             backlog_wait_time 60000\nbacklog_wait_time_actual 5\nloginuid_immutable 1 unlocked\n"
        );
        assert!(text(&status(), false, None).ends_with("backlog_wait_time_actual 5\n"));
    }

    /// The words auditctl 3.0.9 printed for enabled 0..3 and failure 0..3
    /// (fed each status through an LD_PRELOAD shim, no kernel involved).
    #[test]
    fn interpreted_flags_are_auditctls_words() {
        let words: Vec<_> = (0..4).map(enabled_name).collect();
        assert_eq!(
            words,
            ["disable", "enabled", "enabled+immutable", "unknown"]
        );
        let words: Vec<_> = (0..4).map(failure_name).collect();
        assert_eq!(words, ["silent", "printk", "panic", "unknown"]);
        let s = AuditStatus {
            enabled: 2,
            failure: 1,
            ..status()
        };
        assert!(
            text(&s, true, None).starts_with("enabled enabled+immutable\nfailure printk\npid 77\n")
        );
    }
}
