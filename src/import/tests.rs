use super::*;

const LOG: &str = "\
type=SYSCALL msg=audit(1700000000.100:10): arch=c000003e syscall=2 success=yes exit=3 a0=1 a1=0 a2=0 a3=0 items=1 ppid=1 pid=7 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"cat\" exe=\"/bin/cat\" key=\"k\"
type=CWD msg=audit(1700000000.100:10): cwd=\"/\"
type=PATH msg=audit(1700000000.100:10): item=0 name=\"/etc/hosts\" inode=5 dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL
type=PROCTITLE msg=audit(1700000000.100:10): proctitle=636174
type=USER_LOGIN msg=audit(1700000001.200:11): pid=9 uid=0 auid=0 ses=2 msg='op=login id=0 exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=ssh res=success'\x1dUID=\"root\" AUID=\"root\" ID=\"root\"
type=DAEMON_START msg=audit(1700000002.300:12): op=start ver=3.0.9 format=enriched kernel=6.1.0 auid=4294967295 pid=1 uid=0 ses=4294967295 res=success

";

fn count(db: &Path) -> i64 {
    let conn = store::open_read_only(db).unwrap();
    conn.query_row("SELECT count(*) FROM event", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn importing_twice_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    std::fs::write(&log, LOG).unwrap();
    let db = dir.path().join("db/audit.db");
    let run = || {
        import(
            vec![Source::File(log.clone())],
            &db,
            &mut Progress::hidden(),
        )
        .unwrap()
    };
    let first = run();
    assert_eq!((first.files, first.records, first.events), (1, 6, 3));
    assert_eq!((first.added, first.duplicates), (3, 0));
    assert_eq!(count(&db), 3);
    let second = run();
    assert_eq!((second.added, second.duplicates), (0, 3));
    assert_eq!(count(&db), 3);
}

#[test]
fn an_event_repeated_in_the_input_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("a.log");
    std::fs::write(&log, LOG).unwrap();
    let db = dir.path().join("audit.db");
    let summary = import(
        vec![Source::File(log.clone()), Source::File(log)],
        &db,
        &mut Progress::hidden(),
    )
    .unwrap();
    assert_eq!((summary.events, summary.added), (6, 3));
    assert_eq!(count(&db), 3);
}

#[test]
fn a_missing_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.log");
    let err = import(
        vec![Source::File(missing)],
        &dir.path().join("audit.db"),
        &mut Progress::hidden(),
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("reading "), "{err}");
    assert!(err.to_string().contains("nope.log"), "{err}");
}

/// An event repeated further apart than a batch is caught by the writer
/// (the first copy is committed by then), and the counts add up.
#[test]
fn an_event_repeated_batches_apart_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("a.log");
    let line = |serial: u64| {
        format!(
            "type=USER_LOGIN msg=audit(1700000000.{:03}:{serial}): pid=9 uid=0 auid=0 ses=2 \
             msg='op=login id=0 exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=ssh res=success'\n",
            serial % 1000
        )
    };
    let mut text: String = (1..=BATCH as u64 + 500).map(line).collect();
    text.push_str(&line(7));
    std::fs::write(&log, text).unwrap();
    let db = dir.path().join("audit.db");
    let summary = import(vec![Source::File(log)], &db, &mut Progress::hidden()).unwrap();
    let n = BATCH as u64 + 500;
    assert_eq!(
        (summary.events, summary.added, summary.duplicates),
        (n + 1, n, 1)
    );
    assert_eq!(count(&db), n as i64);
}
