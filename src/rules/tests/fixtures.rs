//! Byte fixtures: a rule line, the exact `audit_rule_data` auditctl 3.0.9
//! builds for it (field order, mask, string buffer), and the `-l` line the
//! same bytes list as. Offsets are those of the layout in wire/rule.rs.

use super::rule;
use crate::rules::Rule;

const EQ: u32 = 0x4000_0000; // AUDIT_EQUAL
const NE: u32 = 0x3000_0000; // AUDIT_NOT_EQUAL
const GE: u32 = 0x6000_0000; // AUDIT_GREATER_THAN_OR_EQUAL

/// A zeroed 1040-byte header with the given words set, then `buf`.
fn bytes(words: &[(usize, u32)], buf: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 1040];
    for (offset, v) in words {
        out[*offset..offset + 4].copy_from_slice(&v.to_ne_bytes());
    }
    out.extend_from_slice(buf);
    out
}

/// fields[i], values[i], fieldflags[i].
fn slot(i: usize, field: u32, value: u32, op: u32) -> [(usize, u32); 3] {
    [
        (268 + 4 * i, field),
        (524 + 4 * i, value),
        (780 + 4 * i, op),
    ]
}

/// mask[0..64] all ones: every syscall.
fn all_syscalls() -> Vec<(usize, u32)> {
    (0..64).map(|i| (12 + 4 * i, u32::MAX)).collect()
}

fn check(line: &str, expected: &[u8], listed: &str) {
    let parsed = rule(line);
    assert_eq!(parsed.to_wire().unwrap(), expected, "encoding of {line}");
    let decoded = Rule::from_wire(expected).unwrap();
    assert_eq!(decoded, parsed, "decoding of {line}");
    assert_eq!(decoded.to_string(), listed);
}

#[test]
fn file_watch() {
    let mut words = vec![
        (0, 4),    // flags: AUDIT_FILTER_EXIT
        (4, 2),    // action: AUDIT_ALWAYS
        (8, 3),    // field_count
        (1036, 8), // buflen: "/tmp/x" + "k1"
    ];
    words.extend(all_syscalls());
    words.extend(slot(0, 105, 6, EQ)); // AUDIT_WATCH = "/tmp/x" (6 bytes)
    words.extend(slot(1, 106, 2 | 8, EQ)); // AUDIT_PERM = WRITE|ATTR
    words.extend(slot(2, 210, 2, EQ)); // AUDIT_FILTERKEY = "k1" (2 bytes)
    let line = "-w /tmp/x -p wa -k k1";
    check(line, &bytes(&words, b"/tmp/xk1"), line);
}

#[test]
fn directory_watch_with_two_keys() {
    let mut words = vec![
        (0, 4),     // flags: AUDIT_FILTER_EXIT
        (4, 2),     // action: AUDIT_ALWAYS
        (8, 3),     // field_count
        (1036, 11), // buflen: "/etc" + "cfg\x01etc"
    ];
    words.extend(all_syscalls());
    words.extend(slot(0, 107, 4, EQ)); // AUDIT_DIR = "/etc": it is a directory
    words.extend(slot(1, 106, 15, EQ)); // AUDIT_PERM = rwxa, the default
    words.extend(slot(2, 210, 7, EQ)); // AUDIT_FILTERKEY = "cfg\x01etc"
    let bytes = bytes(&words, b"/etccfg\x01etc");
    check(
        "-w /etc/ -k cfg -k etc",
        &bytes,
        "-w /etc -p rwxa -k cfg -k etc",
    );
}

#[test]
fn syscall_rule_with_arch_fields_and_key() {
    let mut words = vec![
        (0, 4),               // flags: AUDIT_FILTER_EXIT
        (4, 2),               // action: AUDIT_ALWAYS
        (8, 4),               // field_count
        (12, 1 << 2),         // mask[0]: open (2)
        (12 + 4 * 8, 1 << 1), // mask[8]: openat (257 = 8 * 32 + 1)
        (1036, 4),            // buflen: "perm"
    ];
    words.extend(slot(0, 11, 0xc000_003e, EQ)); // AUDIT_ARCH = AUDIT_ARCH_X86_64
    words.extend(slot(1, 9, 1000, GE)); // AUDIT_LOGINUID >= 1000
    words.extend(slot(2, 9, u32::MAX, NE)); // AUDIT_LOGINUID != unset
    words.extend(slot(3, 210, 4, EQ)); // AUDIT_FILTERKEY = "perm"
    let line = "-a always,exit -F arch=b64 -S openat -S open -F auid>=1000 -F auid!=unset -k perm";
    let listed = "-a always,exit -F arch=b64 -S open,openat -F auid>=1000 -F auid!=-1 -F key=perm";
    check(line, &bytes(&words, b"perm"), listed);
}

#[test]
fn rule_with_string_fields_and_comparison() {
    let mut words = vec![
        (0, 4),     // flags: AUDIT_FILTER_EXIT
        (4, 0),     // action: AUDIT_NEVER
        (8, 5),     // field_count
        (1036, 41), // buflen: 14 + 16 + 8 + 3
    ];
    words.extend(all_syscalls()); // no -S on the exit list: all of them
    words.extend(slot(0, 107, 14, EQ)); // AUDIT_DIR = "/var/log/audit"
    words.extend(slot(1, 112, 16, EQ)); // AUDIT_EXE = "/usr/sbin/auditd"
    words.extend(slot(2, 15, 8, NE)); // AUDIT_SUBJ_TYPE != "auditd_t"
    words.extend(slot(3, 111, 5, NE)); // AUDIT_FIELD_COMPARE != AUDIT_COMPARE_AUID_TO_OBJ_UID
    words.extend(slot(4, 210, 3, EQ)); // AUDIT_FILTERKEY = "a\x01b"
    let buf = b"/var/log/audit/usr/sbin/auditdauditd_ta\x01b";
    let line = "-a never,exit -F dir=/var/log/audit -F exe=/usr/sbin/auditd -F subj_type!=auditd_t -C auid!=obj_uid -k a -k b";
    let listed = "-a never,exit -S all -F dir=/var/log/audit -F exe=/usr/sbin/auditd -F subj_type!=auditd_t -C auid!=obj_uid -F key=a -F key=b";
    check(line, &bytes(&words, buf), listed);
}

#[test]
fn prepend_sets_the_flag_and_exclude_takes_all_syscalls() {
    let mut words = vec![
        (0, 5 | 0x10), // flags: AUDIT_FILTER_EXCLUDE | AUDIT_FILTER_PREPEND
        (4, 0),        // action: AUDIT_NEVER
        (8, 1),        // field_count
    ];
    words.extend(all_syscalls()); // auditctl sets "all" on every list but task
    words.extend(slot(0, 12, 1307, EQ)); // AUDIT_MSGTYPE = CWD
    check(
        "-A never,exclude -F msgtype=CWD",
        &bytes(&words, b""),
        "-a never,exclude -F msgtype=CWD",
    );
}

#[test]
fn task_rule_has_an_empty_mask() {
    let words = [
        (0, 1), // flags: AUDIT_FILTER_TASK
        (4, 0), // action: AUDIT_NEVER
        (8, 0), // field_count; mask stays zero on the task list
    ];
    check("-a task,never", &bytes(&words, b""), "-a never,task");
}
