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

/// Rules files with a bad line, and -c/-i as lines or beside others, each
/// with what auditctl 3.0.9 did with it here (exit code; uid=N of the rules
/// left loaded): the lines before a bad one load and the exit is 1; a -c
/// line goes on past errors and exits 1, an -i line goes on and exits 0;
/// words after -c/-i make the line an error but the flag holds; a rule
/// before them is not loaded.
const RULES_FILES: &[(&str, &[&str], u8, &[u32])] = &[
    ("parse error", &[G1, BAD, G2], 1, &[1]),
    ("kernel refusal", &[G1, G1, G2], 1, &[1]),
    ("-c first", &["-c", G1, BAD, G2], 1, &[1, 2]),
    ("-i first", &["-i", G1, BAD, G2], 0, &[1, 2]),
    ("-c after the error", &[G1, BAD, "-c", G2], 1, &[1]),
    ("-c, kernel refusal", &["-c", G1, G1, G2], 1, &[1, 2]),
    ("-i, kernel refusal", &["-i", G1, G1, G2], 0, &[1, 2]),
    ("-c and -i", &["-c", "-i", G1, BAD, G2], 1, &[1, 2]),
    ("-c -i on one line", &["-c -i", G1, BAD, G2], 1, &[1, 2]),
    ("-c then a bad word", &["-c -x", G1, BAD, G2], 1, &[1, 2]),
    ("-l -i interprets", &["-l -i", G1, BAD, G2], 1, &[1]),
    ("-i -l ignores", &["-i -l", G1, BAD, G2], 0, &[1, 2]),
    ("-c before a rule", &[G3_C_FIRST, G2], 1, &[2]),
    ("-c after a rule", &[G3_C_LAST, G2], 0, &[2]),
    ("-i after a rule", &[G3_I_LAST, G2], 0, &[2]),
    ("-l -c", &["-l -c", G2], 1, &[]),
    ("nested -R", &[G1, "-R /etc/audit/audit.rules", G2], 1, &[1]),
    (
        "-i, nested -R",
        &["-i", G1, "-R /etc/audit/audit.rules", G2],
        0,
        &[1, 2],
    ),
];
const G1: &str = "-a always,exit -S all -F uid=1";
const G2: &str = "-a always,exit -S all -F uid=2";
const BAD: &str = "-a always,exit -S all -F colour=red";
const G3_C_FIRST: &str = "-c -a always,exit -S all -F uid=3";
const G3_C_LAST: &str = "-a always,exit -S all -F uid=3 -c";
const G3_I_LAST: &str = "-a always,exit -S all -F uid=3 -i";

/// (exit code, uid=N of the rules loaded) after `tool ... -R FILE`.
fn load_with(tool: fn(&[&str]) -> std::process::Output, file: &str) -> (Option<i32>, Vec<u32>) {
    success(&auditctl(&["-D"]), "auditctl -D");
    let code = tool(&["-R", file]).status.code();
    let uids = auditctl_l()
        .lines()
        .filter_map(|l| l.rsplit_once("uid=").and_then(|(_, n)| n.parse().ok()))
        .collect();
    success(&auditctl(&["-D"]), "auditctl -D");
    (code, uids)
}

#[test]
fn a_rules_file_loads_as_auditctl_loads_it() {
    let Some(k) = common::kernel("a_rules_file_loads_as_auditctl_loads_it") else {
        return;
    };
    let oracle = crate::have_auditctl("a_rules_file_loads_as_auditctl_loads_it");
    let mut failures = Vec::new();
    for (i, (what, lines, code, uids)) in RULES_FILES.iter().enumerate() {
        let file = write(&k.path(&format!("{i}.rules")), &(lines.join("\n") + "\n"));
        let want = (Some(i32::from(*code)), uids.to_vec());
        let got = load_with(ctl, &file);
        if got != want {
            failures.push(format!("{what}: raudit {got:?}, expected {want:?}"));
        }
        if oracle && load_with(auditctl, &file) != want {
            failures.push(format!("{what}: auditctl {:?}", load_with(auditctl, &file)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_bad_line_is_named_after_the_lines_before_it_load() {
    let Some(k) = common::kernel("a_bad_line_is_named_after_the_lines_before_it_load") else {
        return;
    };
    let file = write(&k.path("bad.rules"), &format!("{G1}\n\n{BAD}\n{G2}\n"));
    let out = ctl(&["-R", &file]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("raudit: {file}:3: unknown field \"colour\"\n")
    );
    assert_eq!(auditctl_l(), format!("{G1}\n"));
    success(&ctl(&["-D"]), "-D");
    // A rule before -c is not loaded, and raudit says so.
    let file = write(&k.path("c.rules"), &format!("{G3_C_LAST}\n{G2}\n"));
    let out = ctl(&["-R", &file]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stderr(&out),
        format!("{file}:1: -c ends the line: the rule before it is not loaded (auditctl drops it too); put -c on a line of its own\n")
    );
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
