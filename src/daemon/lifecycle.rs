//! Registering with the kernel as its audit daemon, and the DAEMON_START /
//! DAEMON_END records that make the daemon's own lifecycle part of the record.

use std::path::Path;

use crate::event::Event;
use crate::netlink::{AuditSocket, NetlinkError};
use crate::record::{encode_value, parse_payload, types, EventId, MessageType};
use crate::rules::dir::Report;
use crate::wire::status::{mask, AuditStatus};

use super::DaemonError;

/// The kernel state found at start, restored at stop.
pub struct Registration {
    pub enabled_before: u32,
}

/// Refuses to start when another live process holds the audit pid: the
/// kernel would refuse too (EEXIST), but without saying who.
pub fn check_no_other_daemon(status: &AuditStatus) -> Result<(), DaemonError> {
    let pid = status.pid;
    if pid == 0 || pid == std::process::id() {
        return Ok(());
    }
    match std::fs::read_to_string(format!("/proc/{pid}/comm")) {
        Ok(comm) => Err(DaemonError::OtherDaemon {
            pid,
            comm: comm.trim().to_string(),
        }),
        Err(_) => Ok(()), // a dead daemon's stale pid: the kernel lets us replace it
    }
}

/// AUDIT_SET pid (from the socket that will receive the records: the kernel
/// sends to the port that registered) and enables auditing.
pub fn register(
    events: &mut AuditSocket,
    found: &AuditStatus,
) -> Result<Registration, DaemonError> {
    let mut set = AuditStatus {
        mask: mask::PID,
        pid: std::process::id(),
        ..Default::default()
    };
    // enabled=2 is locked (immutable); asking to change it would fail.
    if found.enabled == 0 {
        set.mask |= mask::ENABLED;
        set.enabled = 1;
    }
    events
        .set_status(&set, "setting audit pid")
        .map_err(|e| match e.errno() {
            Some(nix::errno::Errno::EEXIST) => DaemonError::OtherDaemon {
                pid: found.pid,
                comm: "another process".into(),
            },
            _ => DaemonError::Netlink(e),
        })?;
    Ok(Registration {
        enabled_before: found.enabled,
    })
}

/// Gives the audit pid back and restores the enabled flag found at start.
pub fn unregister(control: &mut AuditSocket, reg: &Registration) -> Result<(), NetlinkError> {
    let mut set = AuditStatus {
        mask: mask::PID,
        pid: 0,
        ..Default::default()
    };
    if reg.enabled_before == 0 {
        set.mask |= mask::ENABLED;
        set.enabled = 0;
    }
    control.set_status(&set, "releasing audit pid")
}

/// A record the daemon writes about itself, shaped like auditd's:
/// `op=start ver=... pid=... uid=... res=success`, plus the database path.
pub fn daemon_event(rtype: MessageType, op: &str, db: &Path, mode: &str) -> Event {
    let fields = format!(
        "ver={ver} format=raw kernel={kernel} {who} mode={mode} db={db}",
        ver = env!("CARGO_PKG_VERSION"),
        kernel = nix::sys::utsname::uname()
            .map(|u| u.release().to_string_lossy().into_owned())
            .unwrap_or_else(|_| "?".into()),
        who = who(),
        db = encode_value(&db.display().to_string()),
    );
    event_now(rtype, &format!("op={op} {fields} res=success"))
}

/// A DAEMON_CONFIG record of a load of the rules directory: how many rules
/// loaded and how many lines or files did not, `res=failed` when any did
/// not (the rule set is then incomplete; `raudit ctl --check` lists them).
pub fn rules_event(dir: &Path, report: &Report) -> Event {
    let unloadable = report.errors.len() + report.unreadable.len();
    let res = if report.incomplete() {
        "failed"
    } else {
        "success"
    };
    let text = format!(
        "op=load-rules {who} rules_dir={dir} loaded={loaded} unloadable={unloadable} immutable={immutable} res={res}",
        who = who(),
        dir = encode_value(&dir.display().to_string()),
        loaded = report.rules_added,
        immutable = u8::from(report.immutable),
    );
    event_now(types::DAEMON_CONFIG, &text)
}

/// auditd's subject fields, in its order: `auid=... pid=... uid=... ses=...`.
fn who() -> String {
    format!(
        "auid={auid} pid={pid} uid={uid} ses={ses}",
        auid = read_proc_self("loginuid"),
        pid = std::process::id(),
        uid = nix::unistd::getuid(),
        ses = read_proc_self("sessionid"),
    )
}

/// A one-record event stamped now (serial 0: the kernel did not number it).
fn event_now(rtype: MessageType, body: &str) -> Event {
    let now = chrono::Utc::now();
    let id = EventId {
        sec: now.timestamp(),
        msec: now.timestamp_subsec_millis(),
        serial: 0,
    };
    let record = parse_payload(rtype, format!("audit({id}): {body}").as_bytes());
    Event {
        id,
        node: None,
        records: vec![record],
    }
}

pub fn start_event(db: &Path, mode: &str) -> Event {
    daemon_event(types::DAEMON_START, "start", db, mode)
}

pub fn end_event(db: &Path, mode: &str) -> Event {
    daemon_event(types::DAEMON_END, "terminate", db, mode)
}

fn read_proc_self(name: &str) -> String {
    std::fs::read_to_string(format!("/proc/self/{name}"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "4294967295".into())
}
