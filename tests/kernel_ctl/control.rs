//! The control options against auditctl on the same kernel: status
//! reports, status changes and the block printed after them, -D and -l
//! with keys, counter resets, -q, -t, -m, -v, -h, --signal.

use std::time::Duration;

use crate::common::{self, stderr, stdout};
use crate::{auditctl, auditctl_l, ctl, success, words, KeepStatus};

/// A status block with the values that move on their own (lost, backlog,
/// backlog_wait_time_actual) blanked.
fn steady(status: &str) -> String {
    status
        .lines()
        .map(|line| match line.split_once(' ') {
            Some((name @ ("lost" | "backlog" | "backlog_wait_time_actual"), _)) => {
                format!("{name} _")
            }
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn status_reports_match_auditctl() {
    let Some(_k) = common::kernel("status_reports_match_auditctl") else {
        return;
    };
    if !crate::have_auditctl("status_reports_match_auditctl") {
        return;
    }
    for args in [&["-s"][..], &["-s", "-i"]] {
        let ours = success(&ctl(args), "raudit ctl -s");
        let theirs = success(&auditctl(args), "auditctl -s");
        assert_eq!(steady(&ours), steady(&theirs), "{args:?}");
        assert_eq!(ours.lines().count(), 10, "{ours}");
    }
}

#[test]
fn status_changes_print_the_new_status_like_auditctl() {
    let Some(k) = common::kernel("status_changes_print_the_new_status_like_auditctl") else {
        return;
    };
    let _keep = KeepStatus::now();
    if !crate::have_auditctl("status_changes_print_the_new_status_like_auditctl") {
        return;
    }
    let found = k.status();
    let changes: [&[&str]; 7] = [
        &["-b", "321"],
        &["-r", "7"],
        &["-f", "0"],
        &["--backlog_wait_time", "1234"],
        &["--backlog_wait_time=4321"],
        &["-e", "1"],
        &["-e", "0"],
    ];
    for args in changes {
        let ours = success(&ctl(args), &format!("raudit ctl {args:?}"));
        let theirs = success(&auditctl(args), &format!("auditctl {args:?}"));
        assert_eq!(steady(&ours), steady(&theirs), "{args:?}");
        assert_eq!(ours.lines().count(), 9, "no loginuid line: {ours}");
    }
    // Several changes at once: one block, with all of them (auditctl shows
    // the status after the first). Never -f 2: it panics the machine on an
    // audit failure.
    let ours = success(&ctl(&["-b", "123", "-f", "1", "-r", "0"]), "three changes");
    assert_eq!(ours.lines().count(), 9);
    assert!(
        ours.contains("\nfailure 1\n") && ours.contains("\nbacklog_limit 123\n"),
        "{ours}"
    );
    let now = k.status();
    assert_eq!(
        (now.backlog_limit, now.failure, now.rate_limit),
        (123, 1, 0)
    );
    assert_eq!((now.backlog_wait_time, now.enabled), (4321, 0));
    assert_eq!(found.pid, 0);
}

#[test]
fn delete_all_and_list_select_keys_as_auditctl_does() {
    let Some(_k) = common::kernel("delete_all_and_list_select_keys_as_auditctl_does") else {
        return;
    };
    if !crate::have_auditctl("delete_all_and_list_select_keys_as_auditctl_does") {
        return;
    }
    let rules = [
        "-a always,exit -F arch=b64 -S openat -k a -k b",
        "-a always,exit -F arch=b64 -S open -k ab",
        "-a always,exit -F arch=b64 -S close -k c",
        "-a always,exit -F arch=b64 -S read",
    ];
    let load = |tool: fn(&[&str]) -> std::process::Output| {
        for rule in rules {
            success(&tool(&words(rule)), rule);
        }
    };
    // -l with no rules at all, then with rules none of which match.
    for args in [&["-l"][..], &["-l", "-k", "x"], &["-D"], &["-D", "-k", "x"]] {
        assert_eq!(stdout(&ctl(args)), "No rules\n", "{args:?}");
        assert_eq!(stdout(&auditctl(args)), "No rules\n", "{args:?}");
    }
    load(ctl);
    // A key selects every rule whose key field contains it.
    for key in ["a", "b", "ab", "c", "zz"] {
        let args = ["-l", "-k", key];
        assert_eq!(stdout(&ctl(&args)), stdout(&auditctl(&args)), "-l -k {key}");
    }
    assert_eq!(
        stdout(&ctl(&["-l", "-k", "b"])),
        "-a always,exit -F arch=b64 -S openat -F key=a -F key=b\n\
         -a always,exit -F arch=b64 -S open -F key=ab\n"
    );
    // -D -k removes those rules and prints nothing while others are left.
    let ours = ctl(&["-D", "-k", "b"]);
    assert_eq!(stdout(&ours), "");
    let left = auditctl_l();
    assert_eq!(
        left,
        "-a always,exit -F arch=b64 -S close -F key=c\n-a always,exit -F arch=b64 -S read\n"
    );
    success(&auditctl(&["-D"]), "-D");
    load(auditctl);
    assert_eq!(stdout(&auditctl(&["-D", "-k", "b"])), "");
    assert_eq!(auditctl_l(), left);
    assert_eq!(stdout(&ctl(&["-D"])), "No rules\n");
    assert_eq!(auditctl_l(), "No rules\n");
}

#[test]
fn counters_resets_and_small_commands() {
    let Some(k) = common::kernel("counters_resets_and_small_commands") else {
        return;
    };
    if !crate::have_auditctl("counters_resets_and_small_commands") {
        return;
    }
    // The old value, on stderr, as auditctl prints it.
    let out = ctl(&["--reset_backlog_wait_time_actual"]);
    assert!(out.status.success());
    let err = stderr(&out);
    let value = err
        .strip_prefix("backlog_wait_time_actual: ")
        .unwrap_or_else(|| panic!("{err}"));
    assert!(value.trim_end().parse::<u32>().is_ok(), "{err}");
    assert_eq!(k.status().backlog_wait_time_actual, 0);
    let out = ctl(&["--reset-lost"]);
    assert!(out.status.success());
    assert!(stderr(&out).starts_with("lost: "), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");

    // -q AUDIT_MAKE_EQUIV: accepted with no directory watch to tag.
    for tool in [ctl, auditctl] {
        let out = tool(&["-q", "/tmp,/tmp"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!((stdout(&out), stderr(&out)), (String::new(), String::new()));
    }
    // -t and -m succeed silently, like auditctl.
    for args in [&["-t"][..], &["-m", "raudit kernel_ctl test"]] {
        let out = ctl(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), "");
        assert!(auditctl(args).status.success());
    }
    // -v succeeds; -h prints the usage and exits 255, as auditctl does.
    assert!(success(&ctl(&["-v"]), "-v").starts_with("raudit ctl version "));
    let help = ctl(&["-h"]);
    assert_eq!(help.status.code(), Some(255));
    assert!(stdout(&help).starts_with("usage: raudit ctl [options]\n"));
    assert!(stdout(&help).contains("-q <mount,subtree>"));
    assert_eq!(auditctl(&["-h"]).status.code(), Some(255));
    // Warnings go to stderr; the rule is loaded all the same.
    let out = ctl(&["-a", "always,exit", "-S", "open", "-k", "warned"]);
    assert!(out.status.success());
    assert_eq!(
        stderr(&out),
        "WARNING - 32/64 bit syscall mismatch, you should specify an arch\n"
    );
    assert_eq!(auditctl_l(), "-a always,exit -S open -F key=warned\n");
    success(&ctl(&["-D"]), "-D");
}

#[test]
fn signal_goes_to_the_registered_daemon() {
    let Some(mut k) = common::kernel("signal_goes_to_the_registered_daemon") else {
        return;
    };
    // No daemon: nothing to signal, and auditctl does not fail either.
    let out = ctl(&["--signal", "TERM"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "no audit daemon is registered with the kernel; SIGTERM not sent\n"
    );
    if crate::have_auditctl("signal_goes_to_the_registered_daemon") {
        assert!(auditctl(&["--signal", "TERM"]).status.success());
    }

    let db = k.path("db/audit.db");
    let pid = k.start_daemon(&db, &[]);
    assert_eq!(k.status().pid, pid);
    let out = ctl(&["--signal", "stop"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let gone = common::wait_for(Duration::from_secs(10), || k.status().pid == 0);
    assert!(gone, "the daemon did not stop on --signal stop");
    assert!(k.stop_daemon(pid).success());
}
