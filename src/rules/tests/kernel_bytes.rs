//! The `struct audit_rule_data` bytes the kernel listed for rules auditctl
//! loaded (`tests/data/kernel-rules.hex`, captured and kept current by
//! tests/kernel_ctl.rs), without root: decoded they list as auditctl
//! listed them, re-encoded they are the same bytes, and the rule parsed
//! from the command is the same kernel rule.

use super::rule;
use crate::rules::kernel::normal_form;
use crate::rules::Rule;

#[path = "../../../tests/data/kernel_rules_fixture.rs"]
mod fixture_file;

use fixture_file::Fixture;

fn fixtures() -> Vec<Fixture> {
    fixture_file::parse(include_str!("../../../tests/data/kernel-rules.hex"))
}

fn word(bytes: &[u8], offset: usize) -> u32 {
    u32::from_le_bytes(bytes[offset..offset + 4].try_into().unwrap())
}

#[cfg(target_endian = "little")]
#[test]
fn kernel_bytes_decode_list_and_encode_back() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= 10);
    for f in &fixtures {
        let decoded = Rule::from_wire(&f.bytes).unwrap_or_else(|e| panic!("{}: {e}", f.command));
        assert_eq!(decoded.to_string(), f.listed, "{}", f.command);
        assert_eq!(decoded.to_wire().unwrap(), f.bytes, "{}", f.command);
        // The command, parsed here, is the rule the kernel kept (its
        // normal form: no prepend flag, no syscall-class bits).
        assert_eq!(normal_form(&rule(&f.command)), decoded, "{}", f.command);
    }
}

/// A few words read straight from the capture, so the layout itself is
/// checked against the kernel and not only against our own codec.
#[cfg(target_endian = "little")]
#[test]
fn kernel_bytes_follow_the_documented_layout() {
    let fixtures = fixtures();
    let watch = &fixtures[0];
    assert_eq!(watch.command, "-w /etc/passwd -p wa -k identity");
    assert_eq!(word(&watch.bytes, 0), 4); // flags: AUDIT_FILTER_EXIT
    assert_eq!(word(&watch.bytes, 4), 2); // action: AUDIT_ALWAYS
    assert_eq!(word(&watch.bytes, 8), 3); // field_count
    assert_eq!(word(&watch.bytes, 12), u32::MAX); // mask[0]: every syscall
    assert_eq!(word(&watch.bytes, 12 + 4 * 63), 0x0000_ffff); // class bits cleared
    assert_eq!(word(&watch.bytes, 268), 105); // fields[0]: AUDIT_WATCH
    assert_eq!(word(&watch.bytes, 524), 11); // values[0]: strlen("/etc/passwd")
    assert_eq!(word(&watch.bytes, 780), 0x4000_0000); // fieldflags[0]: AUDIT_EQUAL
    assert_eq!(word(&watch.bytes, 272), 106); // fields[1]: AUDIT_PERM
    assert_eq!(word(&watch.bytes, 528), 2 | 8); // values[1]: write | attr
    assert_eq!(word(&watch.bytes, 1036), 19); // buflen: path + key
    assert_eq!(&watch.bytes[1040..], b"/etc/passwdidentity");

    let task = fixtures
        .iter()
        .find(|f| f.command == "-a never,task -F uid=1000")
        .unwrap();
    assert_eq!(word(&task.bytes, 0), 1); // AUDIT_FILTER_TASK
    assert_eq!(word(&task.bytes, 4), 0); // AUDIT_NEVER
    assert!(task.bytes[12..268].iter().all(|b| *b == 0)); // no syscalls
    assert_eq!(task.bytes.len(), 1040); // no strings
}
