//! Events from the test logs normalized, against what `ausearch -if LOG
//! --format csv --extra-keys --extra-obj2` (3.0.9) printed for them (with
//! `--extra-labels` where `attrs` is set). Only events whose names do not
//! depend on this machine's users are used.

use super::*;
use crate::output::Escape;
use crate::record::parse_log_line;

const KERNEL: &str = include_str!("../../../tests/data/kernel-6.18.log");
const MISC: &str = include_str!("../../../tests/data/oracle/misc.log");
const ENRICHED: &str = include_str!("../../../tests/data/oracle/enriched.log");

use crate::output::logged_event as event;

/// Per event auparse makes of it, the csv columns from EVENT_KIND on:
/// kind, session, subject, acting as, subject kind, action, result,
/// object, object secondary, second object, object kind, how, key.
fn columns(log: &str, serial: u64, attrs: bool) -> Vec<Vec<String>> {
    let (event, recorded) = event(log, serial);
    AuEvent::split(&event, Some(&recorded), Escape::Tty)
        .iter()
        .map(|au_event| {
            let mut au = Cursor::new(au_event);
            let n = normalize(&mut au, attrs).expect("normalized");
            let mut at = |loc: Option<Loc>| {
                let found = au.seek(loc);
                let text = match au.field_type() {
                    FieldType::EscapedFile if found => au.realpath(),
                    _ if found => au.interpret(),
                    _ => Vec::new(),
                };
                String::from_utf8(text).unwrap()
            };
            let text =
                |t: Option<&[u8]>| String::from_utf8(t.unwrap_or_default().to_vec()).unwrap();
            let result = match at(n.results).as_str() {
                "" => "",
                r if r == "yes" || r.starts_with("suc") => "success",
                _ => "failed",
            };
            let subject = match at(n.subject.primary).as_str() {
                "unset" => "system".to_string(),
                s => s.to_string(),
            };
            vec![
                n.kind.unwrap_or("unknown").to_string(),
                at(n.session),
                subject,
                at(n.subject.secondary),
                n.subject.kind.unwrap_or_default().to_string(),
                text(n.action.as_deref()),
                result.to_string(),
                at(n.object.primary),
                at(n.object.secondary),
                at(n.object.two),
                n.object.kind.name().to_string(),
                text(n.how.as_deref()),
                at(n.key),
            ]
        })
        .collect()
}

fn csv(line: &str) -> Vec<String> {
    line.split(',').map(str::to_string).collect()
}

#[test]
fn execve_by_a_watched_key() {
    // ,SYSCALL,11/21/26,13:43:39,16,audit-rule,...
    assert_eq!(
        columns(KERNEL, 16, false),
        [csv(
            "audit-rule,unset,system,root,privileged-acct,executed,success,\
             /usr/bin/true,247857,,file,/usr/bin/true,cap_exec"
        )]
    );
}

#[test]
fn open_of_a_watched_file_with_recorded_names() {
    // The enriched log recorded AUID="alice".
    assert_eq!(
        columns(ENRICHED, 4001, false),
        [csv(
            "audit-rule,1,alice,root,privileged-acct,opened-file,success,\
             /etc/hosts,1,,file,/usr/bin/cat,k"
        )]
    );
}

#[test]
fn connect_to_a_socket() {
    assert_eq!(
        columns(KERNEL, 17, false)[0][5..8],
        csv("connected-to,failed,{ saddr_fam=inet laddr=127.0.0.1 lport=9 }")
    );
}

#[test]
fn rule_added() {
    // The action is CONFIG_CHANGE's op, the object the rule's key.
    assert_eq!(
        columns(KERNEL, 13, false),
        [csv(
            "configuration,unset,system,root,privileged-acct,add_rule,success,\
             cap_exec,,,audit-config,/usr/sbin/auditctl,"
        )]
    );
}

#[test]
fn failed_user_login() {
    assert_eq!(
        columns(MISC, 3045, false),
        [csv(
            "user-login,unset,(unknown),,unknown-acct,logged-in,failed,ssh,,,\
             user-session,/usr/sbin/sshd,"
        )]
    );
}

#[test]
fn avc_object_only_with_attributes() {
    let expected = |object: &str| {
        [csv(&format!(
            "mac-decision,,unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023,,\
             unknown-acct,accessed-mac-policy-controlled-object,failed,{object},,,\
             unknown,cat,"
        ))]
    };
    assert_eq!(columns(MISC, 3038, false), expected(""));
    assert_eq!(
        columns(MISC, 3038, true),
        expected("system_u:object_r:shadow_t:s0")
    );
}

#[test]
fn rule_removed_leaves_no_result() {
    // The search for the object runs off the end of the record, so the
    // search for res= that follows finds nothing (ausearch prints none).
    assert_eq!(
        columns(MISC, 3019, false),
        [csv(
            "configuration,unset,system,,,deleted-audit-rule,,,,,audit-config,,"
        )]
    );
}

#[test]
fn login_inside_a_syscall_is_an_event_apart() {
    let events = columns(KERNEL, 18, false);
    let actions: Vec<&str> = events.iter().map(|e| e[5].as_str()).collect();
    assert_eq!(
        actions,
        ["changed-login-id-to", "triggered-unknown-audit-rule"]
    );
}

#[test]
fn several_records_without_a_syscall_do_not_normalize() {
    let line = "type=PATH msg=audit(1700000000.000:1): item=0 name=\"/x\"\n\
                type=CWD msg=audit(1700000000.000:1): cwd=\"/\"";
    let (event, _) = event(line, 1);
    let au_event = &AuEvent::split(&event, None, Escape::Tty)[0];
    assert_eq!(normalize(&mut Cursor::new(au_event), false), None);
}

#[test]
fn auparse_splits_records_its_own_way() {
    let line = "type=USER_AVC msg=audit(1700000000.000:1): pid=1 uid=0 auid=4294967295 \
                ses=4294967295 msg='avc:  denied  { status } for auid=0 key=(null) res=0' ";
    let r = event::parse(&parse_log_line(line), None);
    let names: Vec<&str> = r.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["type", "pid", "uid", "auid", "ses", "auid", "key", "res"]
    );
    let keys = "type=SYSCALL msg=audit(1700000000.000:1): arch=c000003e syscall=2 \
                key=6B3101663200";
    let r = event::parse(&parse_log_line(keys), None);
    let vals: Vec<&str> = r.fields[3..].iter().map(|f| f.val.as_str()).collect();
    assert_eq!(vals, ["\"k1\"", "\"f2\""]);
    assert_eq!(r.syscall, 2);
}
