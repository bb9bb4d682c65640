use super::*;
use crate::event::LogEvents;
use crate::record::parse_log_line;

fn events(lines: &[&str]) -> Vec<Event> {
    LogEvents::new(
        lines
            .iter()
            .map(|l| parse_log_line(l))
            .collect::<Vec<_>>()
            .into_iter(),
    )
    .collect()
}

const LOG: &[&str] = &[
    r#"type=SYSCALL msg=audit(1700000000.100:100): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffd a2=0 a3=0 items=1 ppid=1 pid=4242 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm="cat" exe="/usr/bin/cat" key="shadow""#,
    r#"type=PATH msg=audit(1700000000.100:100): item=0 name="/etc/shadow" inode=1 nametype=NORMAL"#,
    r#"type=EOE msg=audit(1700000000.100:100): "#,
    r#"type=USER_LOGIN msg=audit(1700000001.200:101): pid=9 uid=0 auid=1000 ses=3 msg='op=login id=1000 exe="/usr/sbin/sshd" hostname=host addr=10.0.0.1 terminal=ssh res=success'"#,
];

fn config(kind: Kind, detail: Detail) -> Config {
    Config {
        kind,
        detail,
        only: Only::Both,
        interpret: false,
        escape: Escape::Tty,
        no_config: false,
        nodes: Vec::new(),
        start: None,
        end: None,
    }
}

fn run(config: Config) -> (String, bool) {
    let mut report = Report::new(config);
    let mut out = Vec::new();
    report.title(&mut out).unwrap();
    for e in events(LOG) {
        report.event(&mut out, &e, None).unwrap();
    }
    let found = report.finish(&mut out, &TimeRange::default()).unwrap();
    (String::from_utf8(out).unwrap(), found)
}

#[test]
fn the_summary_counts_events_logins_and_distinct_values() {
    let (text, found) = run(config(Kind::Summary, Detail::Summary));
    assert!(found);
    for line in [
        "Number of logins: 1\n",
        "Number of users: 1\n",
        "Number of executables: 2\n",
        "Number of files: 1\n",
        "Number of keys: 1\n",
        "Number of process IDs: 2\n",
        "Number of events: 2\n",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
}

#[test]
fn a_detailed_report_numbers_its_rows() {
    let (text, found) = run(config(Kind::Key, Detail::Detailed));
    assert!(found);
    assert!(text.starts_with("\nKey Report\n"), "{text}");
    assert!(
        text.ends_with(" shadow yes /usr/bin/cat 1000 100\n"),
        "{text}"
    );
    let first = format!("\n1. {} ", format::date(1_700_000_000));
    assert!(text.contains(&first), "{text}");
}

#[test]
fn a_detailed_report_without_rows_says_so() {
    let (text, found) = run(config(Kind::Avc, Detail::Detailed));
    assert!(!found);
    assert!(
        text.ends_with("<no events of interest were found>\n\n"),
        "{text}"
    );
}

#[test]
fn failed_keeps_only_failures() {
    let mut c = config(Kind::Event, Detail::Summary);
    c.only = Only::Failed;
    let (text, _) = run(c);
    assert!(
        text.starts_with("\nFailed Event Summary Report\n"),
        "{text}"
    );
    assert!(
        text.ends_with("<no events of interest were found>\n\n"),
        "{text}"
    );
}

#[test]
fn type_totals_are_most_frequent_first() {
    let (text, _) = run(config(Kind::Event, Detail::Summary));
    assert!(
        text.ends_with("total  type\n======================\n1  1112\n1  1300\n"),
        "{text}"
    );
}
