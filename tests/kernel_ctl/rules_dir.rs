//! Rules files and directories on the kernel: `-c`/`-i` lines, the shipped
//! rule sets in `rules/` (each file loads; the directory applied the way
//! the daemon applies it gives the list auditctl loads from the same
//! files), and `raudit ctl --check` in sync and drifted.

use std::path::{Path, PathBuf};

use raudit::netlink::AuditSocket;
use raudit::rules::dir;

use crate::common::{self, stderr, stdout};
use crate::{auditctl, auditctl_l, ctl, success, KeepStatus};

fn write(path: &Path, text: &str) -> String {
    std::fs::write(path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn continue_and_ignore_lines_in_a_rules_file() {
    let Some(k) = common::kernel("continue_and_ignore_lines_in_a_rules_file") else {
        return;
    };
    let body = "-a always,exit -S all -F uid=1\n-a always,exit -S all -F uid=1\n-a always,exit -S all -F colour=red\n-a always,exit -S all -F uid=2\n";
    // -c: every good line loads, the bad ones are named, the exit is 1.
    let file = write(&k.path("c.rules"), &format!("-c\n{body}"));
    let out = ctl(&["-R", &file]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "raudit: {file}:3: adding rule `-a always,exit -S all -F uid=1`: the rule is already loaded\n\
             raudit: {file}:4: unknown field \"colour\"\n"
        )
    );
    let both = "-a always,exit -S all -F uid=1\n-a always,exit -S all -F uid=2\n";
    assert_eq!(auditctl_l(), both);
    success(&ctl(&["-D"]), "-D");
    // -i: the same, and the exit is 0.
    let file = write(&k.path("i.rules"), &format!("-i\n{body}"));
    let out = ctl(&["-R", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 2);
    assert_eq!(auditctl_l(), both);
    success(&ctl(&["-D"]), "-D");
    // -D, -l and -s in a file print as on the command line.
    let file = write(
        &k.path("p.rules"),
        "-a always,exit -S all -F uid=3\n-l\n-D\n",
    );
    let out = ctl(&["-R", &file]);
    assert_eq!(stdout(&out), "-a always,exit -S all -F uid=3\nNo rules\n");
}

fn shipped_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")
}

fn shipped_files() -> Vec<PathBuf> {
    let files = dir::rules_files(&shipped_dir()).unwrap();
    assert!(files.len() >= 8, "{files:?}");
    files
}

#[test]
fn every_shipped_rules_file_loads() {
    let Some(_k) = common::kernel("every_shipped_rules_file_loads") else {
        return;
    };
    let _keep = KeepStatus::now();
    for file in shipped_files() {
        let out = ctl(&["-R", file.to_str().unwrap()]);
        assert!(out.status.success(), "{}: {}", file.display(), stderr(&out));
        assert_eq!(stderr(&out), "", "{}", file.display());
        success(&ctl(&["-D"]), "-D");
    }
}

#[test]
fn the_shipped_directory_applies_like_auditctl_and_checks_in_sync() {
    let Some(_k) = common::kernel("the_shipped_directory_applies_like_auditctl_and_checks_in_sync")
    else {
        return;
    };
    let _keep = KeepStatus::now();
    let rules = shipped_dir();
    let mut sock = AuditSocket::open().unwrap();
    let report = dir::apply_dir(&mut sock, &rules).unwrap();
    assert!(!report.failed && report.errors.is_empty(), "{report:?}");
    assert!(
        !report.immutable && report.warnings.is_empty(),
        "{report:?}"
    );
    let applied = auditctl_l();
    assert!(applied.lines().count() > 30, "{applied}");
    let status = sock.get_status().unwrap();
    assert_eq!((status.backlog_limit, status.failure), (8192, 1));

    // In sync: exit 0, nothing printed.
    let dir_arg = rules.to_str().unwrap();
    let out = ctl(&["--check", dir_arg]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!((stdout(&out), stderr(&out)), (String::new(), String::new()));

    // auditctl, fed the same files in the same order, loads the same list.
    if crate::have_auditctl("the_shipped_directory_applies_like_auditctl_and_checks_in_sync") {
        success(&auditctl(&["-D"]), "-D");
        for file in shipped_files() {
            success(&auditctl(&["-R", file.to_str().unwrap()]), "auditctl -R");
        }
        assert_eq!(auditctl_l(), applied);
    }

    // Drift: a rule gone from the kernel, one the directory does not have.
    let gone = "-w /etc/shadow -p wa -k identity";
    assert!(applied.contains(gone));
    success(
        &ctl(&["-W", "/etc/shadow", "-p", "wa", "-k", "identity"]),
        "-W",
    );
    let extra = "-a always,exit -F arch=b64 -S ptrace -F key=extra";
    success(
        &ctl(&[
            "-a",
            "always,exit",
            "-F",
            "arch=b64",
            "-S",
            "ptrace",
            "-k",
            "extra",
        ]),
        "-a",
    );
    let out = ctl(&["--check", dir_arg]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("--- {dir_arg} (rules on disk)\n+++ kernel (rules loaded)\n-{gone}\n+{extra}\n")
    );
    success(&ctl(&["-D"]), "-D");
    // With no rules in the kernel, every rule on disk is missing.
    let out = ctl(&["--check", dir_arg]);
    assert_eq!(out.status.code(), Some(1));
    let missing: String = applied.lines().map(|l| format!("-{l}\n")).collect();
    assert_eq!(
        stdout(&out),
        format!("--- {dir_arg} (rules on disk)\n+++ kernel (rules loaded)\n{missing}")
    );
}

#[test]
fn check_names_a_directory_it_cannot_read() {
    let Some(k) = common::kernel("check_names_a_directory_it_cannot_read") else {
        return;
    };
    let missing = k.path("nope");
    let out = ctl(&["--check", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "raudit: {}: No such file or directory (os error 2)\n",
            missing.display()
        )
    );
    // An empty directory checks in sync with an empty kernel.
    let empty = k.path("empty");
    std::fs::create_dir(&empty).unwrap();
    assert_eq!(
        ctl(&["--check", empty.to_str().unwrap()]).status.code(),
        Some(0)
    );
}
