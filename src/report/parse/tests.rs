use super::*;
use crate::record::parse_log_line;

/// Reads one event's log lines with the fields of `wants`.
fn extract_lines(lines: &[&str], wants: Wants) -> Result<Items, Malformed> {
    let records: Vec<_> = lines.iter().map(|l| parse_log_line(l)).collect();
    let texts: Vec<String> = records.iter().map(|r| r.log_line()).collect();
    let recs: Vec<Rec<'_>> = records
        .iter()
        .zip(&texts)
        .map(|(r, t)| Rec {
            rtype: r.rtype,
            line: Line::new(t.as_bytes()),
        })
        .collect();
    extract(&recs, wants)
}

const SYSCALL: &str = r#"type=SYSCALL msg=audit(1700000000.100:100): arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c a1=7ffd a2=0 a3=0 items=1 ppid=1 pid=4242 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm="cat" exe="/usr/bin/cat" key=6B31016B32"#;

fn all() -> Wants {
    Wants {
        comm: true,
        exe: true,
        hostname: true,
        terminal: true,
        filename: true,
        key: true,
        uid: true,
        loginuid: true,
        ..Wants::default()
    }
}

#[test]
fn a_syscall_gives_its_task_fields() {
    let s = extract_lines(&[SYSCALL], all()).unwrap();
    assert_eq!((s.pid, s.loginuid, s.uid, s.syscall), (4242, 1000, 0, 257));
    assert_eq!(s.success, FAILED);
    assert_eq!(s.comm.as_deref(), Some(&b"cat"[..]));
    assert_eq!(s.exe.as_deref(), Some(&b"/usr/bin/cat"[..]));
    assert_eq!(s.terminal.as_deref(), Some(&b"pts0"[..]));
    // Hex keys are split at the separator byte.
    assert_eq!(s.keys, Some(vec![b"k1".to_vec(), b"k2".to_vec()]));
}

#[test]
fn fields_not_asked_for_are_not_read() {
    let s = extract_lines(&[SYSCALL], Wants::default()).unwrap();
    assert_eq!((s.loginuid, s.uid), (AUID_UNREAD, UID_UNSET));
    assert_eq!((s.comm, s.exe, s.keys), (None, None, None));
    assert_eq!(s.pid, 4242);
}

#[test]
fn a_syscall_without_its_arguments_makes_the_event_malformed() {
    let line = "type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=2 success=yes pid=1";
    assert_eq!(extract_lines(&[line], Wants::default()), Err(11));
}

#[test]
fn a_relative_path_is_joined_to_the_working_directory() {
    let lines = [
        SYSCALL,
        r#"type=CWD msg=audit(1700000000.100:100): cwd="/home/u""#,
        r#"type=PATH msg=audit(1700000000.100:100): item=0 name="./notes" inode=1 nametype=NORMAL"#,
    ];
    let s = extract_lines(&lines, all()).unwrap();
    let files = s.filenames.unwrap();
    assert_eq!(files[0].name, b"/home/u/./notes");
    assert_eq!(files[0].key.as_deref(), Some(&b"NORMAL"[..]));
}

#[test]
fn a_login_message_gives_its_account_host_and_result() {
    let line = r#"type=USER_LOGIN msg=audit(1700000000.100:7): pid=9 uid=0 auid=4294967295 ses=4294967295 msg='op=login acct="bob" exe="/usr/sbin/sshd" hostname=? addr=10.0.0.1 terminal=ssh res=failed'"#;
    let s = extract_lines(&[line], all()).unwrap();
    assert_eq!(s.acct.as_deref(), Some(&b"bob"[..]));
    // A host name of "?" gives way to the address.
    assert_eq!(s.hostname.as_deref(), Some(&b"10.0.0.1"[..]));
    assert_eq!(s.terminal.as_deref(), Some(&b"ssh"[..]));
    assert_eq!(s.success, FAILED);
    assert_eq!(s.loginuid, UID_UNSET);
}

#[test]
fn an_avc_gives_its_decision_and_labels() {
    let line = "type=AVC msg=audit(1.000:1): avc:  denied  { read write } for  pid=5 comm=\"cat\" name=\"f\" scontext=u:r:a:s0 tcontext=u:r:b:s0 tclass=file permissive=0";
    let w = Wants {
        comm: true,
        subject: true,
        object: true,
        ..Wants::default()
    };
    let s = extract_lines(&[line], w).unwrap();
    let avc = &s.avcs.unwrap()[0];
    assert_eq!(avc.result, AvcResult::Denied);
    assert_eq!(avc.perm.as_deref(), Some(&b"read write"[..]));
    assert_eq!(avc.class.as_deref(), Some(&b"file"[..]));
    assert_eq!(avc.tcontext.as_deref(), Some(&b"u:r:b:s0"[..]));
    assert_eq!(s.success, FAILED);
}
