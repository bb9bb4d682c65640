use super::*;
use crate::record::types;

#[test]
fn parses_a_syscall_payload() {
    let r = parse_payload(
        types::SYSCALL,
        b"audit(1763732400.123:456): arch=c000003e syscall=2 success=yes exit=3 comm=\"cat\" key=(null)\0",
    );
    assert_eq!(r.error(), None);
    assert_eq!(
        r.id,
        EventId {
            sec: 1763732400,
            msec: 123,
            serial: 456
        }
    );
    assert_eq!(r.hex("arch"), Some(0xc000003e));
    assert_eq!(r.number("syscall"), Some(2));
    assert_eq!(r.text_of("comm").as_deref(), Some("cat"));
    assert_eq!(r.text_of("key"), None);
    assert!(r.text.ends_with("key=(null)"));
}

/// Records captured from this project's test kernel (6.18, x86_64) by
/// `raudit search -r`, one per line.
const CAPTURED: &str = include_str!("../../../tests/data/kernel-6.18.log");

fn captured(rtype: &str) -> Record {
    let line = CAPTURED
        .lines()
        .find(|l| l.starts_with(&format!("type={rtype} ")))
        .unwrap_or_else(|| panic!("no {rtype} in the capture"));
    let r = parse_log_line(line);
    assert_eq!(r.error(), None, "{line}");
    assert_eq!(r.log_line(), line, "the text round-trips verbatim");
    r
}

#[test]
fn captured_syscall() {
    let r = captured("SYSCALL");
    assert_eq!(r.rtype, types::SYSCALL);
    assert_eq!(r.id.serial, 13);
    assert_eq!(r.hex("arch"), Some(0xc000003e));
    assert_eq!(r.number("syscall"), Some(44));
    assert_eq!(r.number("auid"), Some(4294967295));
    assert_eq!(r.text_of("comm").as_deref(), Some("auditctl"));
    assert_eq!(r.text_of("exe").as_deref(), Some("/usr/sbin/auditctl"));
    assert_eq!(r.text_of("key"), None); // key=(null)
}

#[test]
fn captured_path_and_cwd() {
    let p = captured("PATH");
    assert_eq!(p.text_of("name").as_deref(), Some("/usr/bin/true"));
    assert_eq!(p.raw("nametype"), Some("NORMAL"));
    assert_eq!(p.number("inode"), Some(247857));
    assert_eq!(p.raw("mode"), Some("0100755"));
    let c = captured("CWD");
    assert_eq!(c.text_of("cwd").as_deref(), Some("/tmp/rbuild"));
}

#[test]
fn captured_hex_encoded_values() {
    let t = captured("PROCTITLE");
    assert_eq!(
        t.text_of("proctitle").as_deref(),
        Some("auditctl\0-w\0/usr/bin/true\0-p\0x\0-k\0cap_exec")
    );
    let e = captured("EXECVE");
    assert_eq!(e.number("argc"), Some(3));
    assert_eq!(e.text_of("a0").as_deref(), Some("/usr/bin/true"));
    assert_eq!(e.raw("a1"), Some("617267206F6E65"));
    assert_eq!(e.text_of("a1").as_deref(), Some("arg one"));
}

#[test]
fn captured_user_message_flattens_msg() {
    let u = captured("USER");
    assert_eq!(u.number("pid"), Some(6196));
    assert_eq!(u.text_of("text").as_deref(), Some("capture")); // free text after it is skipped
    assert_eq!(u.text_of("exe").as_deref(), Some("/usr/sbin/auditctl"));
    assert_eq!(u.raw("res"), Some("success"));
    assert!(types::is_single_record(u.rtype));
}

#[test]
fn captured_config_change_login_sockaddr() {
    let c = captured("CONFIG_CHANGE");
    assert_eq!(c.raw("op"), Some("add_rule"));
    assert_eq!(c.text_of("key").as_deref(), Some("cap_exec"));
    let l = captured("LOGIN");
    assert_eq!(l.number("old-auid"), Some(4294967295));
    assert_eq!(l.number("auid"), Some(1000));
    let s = captured("SOCKADDR");
    assert_eq!(s.raw("saddr"), Some("020000097F0000010000000000000000"));
}

#[test]
fn eoe_has_an_empty_body() {
    let r = parse_payload(types::EOE, b"audit(1795268619.691:16): \0");
    assert_eq!(r.error(), None);
    assert_eq!(r.id.serial, 16);
    assert!(r.fields().is_empty());
}

#[test]
fn malformed_records_are_kept_verbatim_with_a_reason() {
    let cases: &[(&[u8], &str)] = &[
        (b"no header at all", "missing audit( header"),
        (
            b"audit(1700000000.123:456 x=1",
            "unterminated audit( header",
        ),
        (b"audit(17000x0000.123:456): x=1", "bad timestamp"),
        (b"audit(1700000000.1234:1): x=1", "bad timestamp"),
        // Beyond an i64 of milliseconds (found by fuzzing: time_ms overflowed).
        (b"audit(17000000000000000.0:0): x=1", "bad timestamp"),
        (b"audit(9223372036854775.808:1): x=1", "bad timestamp"),
        (
            b"audit(1700000000.123:456): name=\"unterminated",
            "unterminated quote",
        ),
    ];
    for (payload, why) in cases {
        let r = parse_payload(types::SYSCALL, payload);
        let err = r.error().unwrap_or_default().to_string();
        assert!(err.contains(why), "{payload:?}: {err}");
        assert_eq!(r.text.as_bytes(), *payload, "kept verbatim");
    }
    let last = parse_payload(types::SYSCALL, b"audit(9223372036854774.999:1): x=1");
    assert_eq!(last.error(), None);
    assert_eq!(last.id.time_ms(), 9_223_372_036_854_774_999);
    let bin = parse_payload(types::SYSCALL, &[0xff, 0xfe, 0]);
    assert!(bin.error().is_some());
}

#[test]
fn log_lines_with_node_and_enriched_part() {
    let r = parse_log_line(
        "node=web1 type=USER_LOGIN msg=audit(1481076992.414:385): pid=1 uid=0 res=success\x1dUID=\"root\"",
    );
    assert_eq!(r.node.as_deref(), Some("web1"));
    assert_eq!(r.rtype, types::USER_LOGIN);
    assert_eq!(r.raw("res"), Some("success"));
    let unknown = parse_log_line("type=UNKNOWN[1999] msg=audit(1.000:2): x=y");
    assert_eq!(unknown.rtype, MessageType(1999));
    assert_eq!(
        unknown.log_line(),
        "type=UNKNOWN[1999] msg=audit(1.000:2): x=y"
    );
    assert!(parse_log_line("type=NOSUCH msg=audit(1.000:2): x")
        .error()
        .is_some());
}

#[test]
fn every_corpus_line_parses() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/corpus");
    for name in [
        "audit-rhel6.log",
        "audit-rhel7.log",
        "audit-ubuntu16.log",
        "test2.log",
        "test3.log",
    ] {
        let text = std::fs::read_to_string(format!("{dir}/{name}")).unwrap();
        for line in text.lines().filter(|l| !l.is_empty()) {
            let r = parse_log_line(line);
            // auditd logs a REPLACE probe as `type=UNKNOWN[1329] msg=?`:
            // kept, flagged, verbatim.
            let stamped = line.contains("msg=audit(");
            assert_eq!(r.error().is_none(), stamped, "{name}: {line}");
            let raw = line.split('\x1d').next().unwrap();
            assert_eq!(r.text, raw.split_once(" msg=").unwrap().1, "{name}");
        }
    }
}

#[test]
fn the_kernel_stamp_reads_as_the_general_parser_reads_it() {
    let stamps = [
        "1700000000.123:456)",
        "0.0:0)",
        "1.000:0)",
        "001700000000.007:0000042)",
        "999999999999999999.999:9999999999999999999)",
        "1700000000.1234:1)",
        "1700000000.999999999:9999999999999999999)",
    ];
    for stamp in stamps {
        let close = stamp.find(')').unwrap();
        let general = parse_stamp(&stamp[..close]).unwrap();
        assert_eq!(
            stamp_digits(stamp.as_bytes()),
            Some((general, close)),
            "{stamp}"
        );
    }
    // Left to the general parser: signs, a missing part, too many digits.
    for stamp in [
        "+1.0:0)",
        "-1.0:0)",
        "1.0:+5)",
        "1:5)",
        "1.5)",
        ".0:0)",
        "1.0:)",
        "1.0:0",
        "1234567890123456789.0:0)",
        "1.0:18446744073709551615)",
        "1.0:18446744073709551616)",
    ] {
        assert_eq!(stamp_digits(stamp.as_bytes()), None, "{stamp}");
    }
    let signed = parse_payload(types::SYSCALL, b"audit(+1700000000.5:+7): x=1");
    assert_eq!(
        (signed.id.sec, signed.id.msec, signed.id.serial),
        (1_700_000_000, 5, 7)
    );
}

#[test]
fn find_either_agrees_with_a_byte_at_a_time() {
    // Every position of a needle in texts of every length up to 40, among
    // bytes that differ from the needles by one bit (0x3c, 0x21, 0x3d^0x80)
    // and bytes one below them (the zero-byte trick's borrows).
    let fillers = [b'a', 0x3c, 0x21, 0xbd, 0x1f, 0x00, 0xff];
    for len in 0..40 {
        for &fill in &fillers {
            for at in 0..=len {
                for second in [None, Some(at + 1), Some(at + 9)] {
                    let mut b = vec![fill; len];
                    if at < len {
                        b[at] = b'=';
                    }
                    if let Some(s) = second.filter(|s| *s < len) {
                        b[s] = b' ';
                    }
                    let want = b.iter().position(|c| *c == b'=' || *c == b' ');
                    assert_eq!(find_either(&b, b'=', b' '), want, "{b:?}");
                    let want = b.iter().position(|c| *c == b' ');
                    assert_eq!(find_either(&b, b' ', b' '), want, "{b:?}");
                }
            }
        }
    }
}
