//! `raudit ctl` on the real kernel, with auditctl 3.0.9 as the oracle:
//! every rule of a corpus loaded by one tool lists byte for byte the same
//! through the other and is deleted exactly; `struct audit_rule_data`
//! bytes captured from the kernel; refused rules with their message and
//! exit code; the control options; rules files and directories, and the
//! shipped rule sets. Root only; serialized and self-restoring through
//! `common::kernel`, plus [`KeepStatus`] for the status values the harness
//! does not restore.

mod common;

#[path = "kernel_ctl/control.rs"]
mod control;
#[path = "kernel_ctl/corpus.rs"]
mod corpus;
#[path = "kernel_ctl/refusals.rs"]
mod refusals;
#[path = "kernel_ctl/rules_dir.rs"]
mod rules_dir;
#[path = "kernel_ctl/wire.rs"]
mod wire;

use std::process::{Command, Output};

use raudit::netlink::AuditSocket;
use raudit::wire::status::{mask, AuditStatus};

/// `raudit ctl ARGS...`.
pub fn ctl(args: &[&str]) -> Output {
    // No store: `-s` then prints exactly what auditctl prints, whatever
    // database this machine has.
    Command::new(common::BIN)
        .arg("ctl")
        .args(args)
        .env("RAUDIT_DB", "/nonexistent/raudit.db")
        .output()
        .expect("running raudit")
}

/// `auditctl ARGS...`, the oracle.
pub fn auditctl(args: &[&str]) -> Output {
    Command::new("auditctl")
        .args(args)
        .output()
        .expect("running auditctl")
}

/// Whether auditctl can serve as the oracle here; says why not otherwise
/// (and fails under CI=true, where it must be installed).
pub fn have_auditctl(test: &str) -> bool {
    let found = Command::new("auditctl").arg("-v").output().is_ok();
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{test}: auditctl (Debian's auditd package) is needed in CI"
        );
        eprintln!("skipping {test}: auditctl is not installed");
    }
    found
}

/// The words of a command line as auditctl reads a rules-file line.
pub fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

/// stdout of a command that must succeed.
pub fn success(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what}: exit {:?}, stderr: {}",
        out.status.code(),
        common::stderr(out)
    );
    common::stdout(out)
}

/// The kernel's rule listing through auditctl.
pub fn auditctl_l() -> String {
    success(&auditctl(&["-l"]), "auditctl -l")
}

/// The delete command for a corpus line: -a/-A become -d, -w becomes -W.
pub fn delete_line(line: &str) -> String {
    let (option, rest) = line.split_at(2);
    let delete = match option {
        "-w" => "-W",
        "-a" | "-A" => "-d",
        other => panic!("not a rule line: {other}"),
    };
    format!("{delete}{rest}")
}

/// Restores the status values that a test changes and the harness does
/// not (failure, rate and backlog limits, backlog wait time); declared
/// after the harness guard so that it drops first, under the lock.
pub struct KeepStatus(AuditStatus);

impl KeepStatus {
    /// Remembers the status now; call it with the kernel lock held.
    pub fn now() -> KeepStatus {
        KeepStatus(AuditSocket::open().unwrap().get_status().unwrap())
    }
}

impl Drop for KeepStatus {
    fn drop(&mut self) {
        let found = self.0;
        let restore = AuditStatus {
            mask: mask::FAILURE | mask::RATE_LIMIT | mask::BACKLOG_LIMIT | mask::BACKLOG_WAIT_TIME,
            failure: found.failure,
            rate_limit: found.rate_limit,
            backlog_limit: found.backlog_limit,
            backlog_wait_time: found.backlog_wait_time,
            ..Default::default()
        };
        if let Ok(mut sock) = AuditSocket::open() {
            let _ = sock.set_status(&restore, "restoring audit status");
        }
    }
}
