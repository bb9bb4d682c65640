//! `struct audit_rule_data` as the kernel lists it, captured once into
//! `tests/data/kernel-rules.hex` (the unit tests decode and re-encode those
//! bytes without root). Here the capture is proven current: each rule,
//! loaded by auditctl and then by raudit, comes back from the kernel as the
//! committed bytes. `RAUDIT_WRITE_FIXTURES=1` rewrites the file instead.

use std::fmt::Write;

use raudit::netlink::AuditSocket;
use raudit::rules::Rule;

use crate::common::{self, stdout};
use crate::{auditctl, auditctl_l, ctl, success, words};

const FIXTURES: &str = "tests/data/kernel-rules.hex";

/// The rules captured: every list, watches of both kinds, string fields,
/// a comparison, several keys, and "all syscalls" (whose class bits the
/// kernel clears).
const RULES: &[&str] = &[
    "-w /etc/passwd -p wa -k identity",
    "-w /etc -p rwxa -k cfg -k etc",
    "-a always,exit -F arch=b64 -S openat,open -F auid>=1000 -F auid!=unset -k perm",
    "-a always,exit -F arch=b32 -S open -F exit=-EACCES -F inode=4000000000 -F filetype=dir",
    "-a never,exit -F dir=/var/log -F exe=/usr/bin/cat -F subj_type!=x_t -C auid!=obj_uid -k a -k b",
    "-a always,exit -S all -F a0&0xff -F a1&=0x3 -F pers!=8 -F success=0",
    "-a always,exit -F arch=b64 -S execve -F subj_sen>=s0 -F obj_lev_high<s0:c1",
    "-a never,exclude -F msgtype=CWD",
    "-a never,task -F uid=1000",
    "-a never,user -F msgtype=USER_LOGIN -F pid=1",
    "-a always,filesystem -F fstype=debugfs -k dbg",
];

/// The one rule the kernel lists, as raw bytes.
fn kernel_bytes() -> Vec<u8> {
    let mut rules = AuditSocket::open().unwrap().list_rules().unwrap();
    assert_eq!(rules.len(), 1, "one rule expected");
    rules.pop().unwrap()
}

#[test]
fn kernel_rule_bytes_match_the_committed_capture() {
    let Some(_k) = common::kernel("kernel_rule_bytes_match_the_committed_capture") else {
        return;
    };
    if !crate::have_auditctl("kernel_rule_bytes_match_the_committed_capture") {
        return;
    }
    let root = env!("CARGO_MANIFEST_DIR");
    let path = format!("{root}/{FIXTURES}");
    let write = std::env::var_os("RAUDIT_WRITE_FIXTURES").is_some();
    let committed = match write {
        true => Vec::new(),
        false => parse(&std::fs::read_to_string(&path).expect("reading the fixtures")),
    };
    if !write {
        let commands: Vec<&str> = committed.iter().map(|f| f.command.as_str()).collect();
        assert_eq!(
            commands, RULES,
            "the fixture file has other rules; regenerate it"
        );
    }
    let mut captured = Vec::new();
    for (i, command) in RULES.iter().enumerate() {
        success(&auditctl(&words(command)), command);
        let bytes = kernel_bytes();
        let listed = auditctl_l();
        success(&auditctl(&["-D"]), "auditctl -D");

        // raudit sends the rule the kernel keeps from auditctl's.
        success(&ctl(&words(command)), command);
        assert_eq!(kernel_bytes(), bytes, "raudit ctl {command}");
        assert_eq!(
            stdout(&ctl(&["-l"])),
            listed,
            "raudit ctl -l after {command}"
        );
        success(&ctl(&["-D"]), "raudit ctl -D");

        let rule = Rule::from_wire(&bytes).unwrap();
        assert_eq!(format!("{rule}\n"), listed);
        assert_eq!(rule.to_wire().unwrap(), bytes, "re-encoding {command}");
        let listed = listed.trim_end().to_string();
        if !write {
            let fixture = &committed[i];
            assert_eq!(
                fixture.bytes, bytes,
                "{command}: the kernel's bytes changed"
            );
            assert_eq!(fixture.listed, listed);
        }
        captured.push(Fixture {
            command: command.to_string(),
            listed,
            bytes,
        });
    }
    if write {
        std::fs::write(&path, render(&captured)).unwrap();
    }
}

#[path = "../data/kernel_rules_fixture.rs"]
mod fixture_file;

use fixture_file::{parse, Fixture};

const HEADER: &str = "\
# struct audit_rule_data payloads of AUDIT_LIST_RULES replies, captured from
# Linux 6.18 on x86_64 (native endian: little) after loading each rule with
# auditctl 3.0.9, and the line `auditctl -l` printed for it. Regenerate (as
# root, with auditctl installed) and review the diff:
#   RAUDIT_WRITE_FIXTURES=1 cargo test --test kernel_ctl kernel_rule_bytes
# Rows are \"OFFSET: 32 bytes\" (offsets in hex; 0x0 flags, 0x4 action,
# 0x8 field_count, 0xc mask[64], 0x10c fields[64], 0x20c values[64],
# 0x30c fieldflags[64], 0x40c buflen, 0x410 buf); rows left out are zero.
";

fn render(fixtures: &[Fixture]) -> String {
    let mut out = String::from(HEADER);
    for f in fixtures {
        let _ = write!(
            out,
            "\ncommand: {}\nlisted: {}\nlength: {}\n",
            f.command,
            f.listed,
            f.bytes.len()
        );
        for (row, chunk) in f.bytes.chunks(32).enumerate() {
            if chunk.iter().all(|b| *b == 0) {
                continue;
            }
            let _ = write!(out, "{:04x}:", row * 32);
            for word in chunk.chunks(4) {
                out.push(' ');
                for b in word {
                    let _ = write!(out, "{b:02x}");
                }
            }
            out.push('\n');
        }
    }
    out
}
