//! Golden test: `golden/records.log` interpreted record by record must give
//! `golden/records.interpreted`, which is what `ausearch -i` printed for
//! each record (uids 0 and unset only, so that no machine's user names
//! matter). `WRITE_GOLDEN=1 cargo test --lib` rewrites it from this code;
//! check the diff against `ausearch -if golden/records.log -i`.

use super::*;
use crate::record::parse_log_line;

const LOG: &str = include_str!("golden/records.log");
const GOLDEN: &str = include_str!("golden/records.interpreted");

fn interpret_log(log: &str, escape: Escape) -> String {
    let mut out = Vec::new();
    for l in log.lines().filter(|l| !l.is_empty()) {
        let (raw, extra) = match l.split_once('\x1d') {
            Some((a, b)) => (a, Some(Recorded::parse(b.as_bytes()))),
            None => (l, None),
        };
        let r = parse_log_line(raw);
        record(&mut out, r.id, &r, extra.as_ref(), escape);
    }
    String::from_utf8(out).unwrap()
}

/// The date and time depend on the time zone the test runs in: masked.
fn without_time(text: &str) -> String {
    text.lines()
        .map(|l| match (l.find("msg=audit("), l.find(") : ")) {
            (Some(a), Some(b)) if a < b => {
                let stamp = &l[a + 10..b];
                let ms = stamp.rfind('.').map_or("", |d| &stamp[d..]);
                format!("{}msg=audit(DATE{ms}{}", &l[..a], &l[b..])
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn records_print_as_ausearch_interprets_them() {
    let got = interpret_log(LOG, Escape::Tty);
    if std::env::var_os("WRITE_GOLDEN").is_some() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/output/interpret/golden/records.interpreted"
        );
        std::fs::write(path, &got).unwrap();
        return;
    }
    let (got, want) = (without_time(&got), without_time(GOLDEN));
    for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        assert_eq!(g, w, "line {} differs", i + 1);
    }
    assert_eq!(got.lines().count(), want.lines().count());
}

#[test]
fn escape_modes_apply_to_interpreted_values() {
    let log = "type=CWD msg=audit(1700000100.023:3023): cwd=2F746D702F6120620A63";
    let line = |e| without_time(&interpret_log(log, e));
    assert!(line(Escape::Tty).ends_with("cwd=/tmp/a b\\012c "));
    assert!(line(Escape::Raw).ends_with("cwd=/tmp/a b\nc "));
    assert!(line(Escape::Shell).ends_with("cwd=/tmp/a\\ b\\012c "));
}

#[test]
fn several_keys_print_as_several_fields() {
    let log = "type=CONFIG_CHANGE msg=audit(1700000100.019:3019): auid=0 ses=1 op=add_rule key=6B31016B32 list=4 res=1";
    assert!(interpret_log(log, Escape::Tty).contains(" key=k1 key=k2 list=exit res=yes \n"));
}

#[test]
fn enriched_values_come_first() {
    let log = "type=SYSCALL msg=audit(1700000200.001:4001): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffc a2=0 a3=0 items=1 ppid=1 pid=100 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"k\"\x1dARCH=x86_64 SYSCALL=openat AUID=\"alice\" UID=\"root\"";
    let text = interpret_log(log, Escape::Tty);
    assert!(text.contains(" auid=alice uid=root "), "{text}");
    assert!(
        text.contains(" a0=AT_FDCWD a1=0x7ffc a2=O_RDONLY "),
        "{text}"
    );
}

#[test]
fn json_values_are_interpreted_per_field() {
    let r = parse_log_line("type=SYSCALL msg=audit(1700000000.100:10): arch=c000003e syscall=2 success=no exit=-13 a0=1 a1=0 a2=0 a3=0 items=1 ppid=1 pid=7 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"cat\" exe=\"/bin/cat\" key=(null)");
    let f: std::collections::HashMap<String, String> = fields(&r).into_iter().collect();
    assert_eq!(f["syscall"], "open");
    assert_eq!(f["exit"], "EACCES(Permission denied)");
    assert_eq!(f["a1"], "O_RDONLY");
    assert_eq!(f["auid"], "unset");
    assert_eq!(f["ses"], "unset");
    assert_eq!(f["items"], "1");
}
