//! The JSON form of real captured events. Only names that do not depend on
//! this machine's users are asserted (root, unset, and names an enriched
//! log recorded).

use serde_json::{json, Value};

use super::*;

const KERNEL: &str = include_str!("../../../tests/data/kernel-6.18.log");
const MISC: &str = include_str!("../../../tests/data/oracle/misc.log");
const ENRICHED: &str = include_str!("../../../tests/data/oracle/enriched.log");

/// Event `serial` of `log` as `--format json` prints it.
fn json_of(log: &str, serial: u64) -> Value {
    let (event, recorded) = crate::output::logged_event(log, serial);
    let enriched = recorded.iter().any(Option::is_some);
    let mut out = Vec::new();
    let none = Context::default();
    print(
        &mut out,
        &event,
        enriched.then_some(&recorded[..]),
        true,
        &none,
    )
    .unwrap();
    assert_eq!(out.last(), Some(&b'\n'));
    serde_json::from_slice(&out).unwrap()
}

/// The context the daemon stored with an event is three fields of it.
#[test]
fn the_unit_and_container_of_the_process() {
    let (event, _) = crate::output::logged_event(KERNEL, 16);
    let id = "ab".repeat(32);
    let context = Context {
        unit: Some(format!("docker-{id}.scope")),
        container: Some(id.clone()),
        ancestors: vec!["/usr/bin/bash".into(), "/usr/sbin/sshd".into()],
        ..Context::default()
    };
    let mut out = Vec::new();
    print(&mut out, &event, None, true, &context).unwrap();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["unit"], json!(format!("docker-{id}.scope")));
    assert_eq!(v["container"], json!(id));
    assert_eq!(v["ancestors"], json!(["/usr/bin/bash", "/usr/sbin/sshd"]));
}

/// Names the daemon kept when it stored the event stand over what the
/// user database says today.
#[test]
fn names_as_they_were_when_the_event_was_stored() {
    let (event, _) = crate::output::logged_event(KERNEL, 16);
    let context = Context {
        names: crate::enrich::accounts::Names {
            uid: Some("alice".into()),
            auid: None,
            gid: Some("staff".into()),
        },
        ..Context::default()
    };
    let mut out = Vec::new();
    print(&mut out, &event, None, true, &context).unwrap();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["uid_name"], "alice");
    assert_eq!(v["auid_name"], "unset", "none kept: as -i prints it");
    assert_eq!(v["gid_name"], "staff");
}

/// Everything but the records.
fn event_fields(v: &Value) -> Value {
    let mut v = v.clone();
    v.as_object_mut().unwrap().remove("records");
    v
}

#[test]
fn an_execve_event_with_its_event_level_fields() {
    let v = json_of(KERNEL, 16);
    assert_eq!(
        event_fields(&v),
        json!({
            "schema": 1,
            "time": "2026-11-21T13:43:39.691Z",
            "sec": 1795268619,
            "msec": 691,
            "serial": 16,
            "complete": true,
            "node": null,
            "keys": ["cap_exec"],
            "syscall": "execve",
            "syscall_nr": 59,
            "arch": "x86_64",
            "success": true,
            "exit": 0,
            "pid": 6153,
            "ppid": 5849,
            "uid": 0,
            "uid_name": "root",
            "auid": 4294967295u32,
            "auid_name": "unset",
            "gid": 0,
            "gid_name": "root",
            "ses": 4294967295u32,
            "tty": null,
            "comm": "true",
            "exe": "/usr/bin/true",
            "argv": ["/usr/bin/true", "arg one", "two"],
            "unit": null,
            "container": null,
            "ancestors": null,
        })
    );
    let types: Vec<(&str, u64)> = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["type"].as_str().unwrap(), r["type_nr"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        types,
        [
            ("SYSCALL", 1300),
            ("BPRM_FCAPS", 1321),
            ("EXECVE", 1309),
            ("CWD", 1307),
            ("PATH", 1302),
            ("PATH", 1302),
            ("PROCTITLE", 1327),
        ]
    );
    assert_eq!(v["records"][2]["fields"]["a1"], "arg one");
    assert_eq!(
        v["records"][6]["fields"]["proctitle"],
        "/usr/bin/true\0arg one\0two"
    );
}

/// A SYSCALL's a0..a3 are numbers (addresses, flags), kept as written:
/// `a1=7ffc` is not the bytes 0x7f 0xfc, nor `a2=3c` a `<`.
#[test]
fn syscall_arguments_are_not_decoded_as_text() {
    let v = json_of(ENRICHED, 4001);
    let fields = &v["records"][0]["fields"];
    assert_eq!(fields["a0"], "ffffff9c");
    assert_eq!(fields["a1"], "7ffc");
    assert_eq!(v["records"][0]["interp"]["a1"], "0x7ffc");
    let v = json_of(KERNEL, 16);
    assert_eq!(v["records"][0]["fields"]["a3"], "39e95b4b11e19a74");
}

/// An argument the kernel split (`a1_len`, `a1[0]`, `a1[1]`) is one argv
/// entry, its hex parts decoded.
#[test]
fn split_execve_arguments_are_joined() {
    assert_eq!(json_of(MISC, 3005)["argv"], json!(["ls", "abcd"]));
}

/// Names an enriched log recorded win over this machine's (auid 1000 was
/// alice on the host that logged it).
#[test]
fn user_names_from_an_enriched_log() {
    let v = json_of(ENRICHED, 4001);
    assert_eq!(v["auid"], 1000);
    assert_eq!(v["auid_name"], "alice");
    assert_eq!(v["uid_name"], "root");
    assert_eq!(v["syscall"], "openat");
}

/// User messages say their result as `res=`.
#[test]
fn a_failed_login_is_not_a_success() {
    let v = json_of(MISC, 3045);
    assert_eq!(v["success"], false);
    assert_eq!(v["exe"], "/usr/sbin/sshd");
    assert_eq!(v["syscall"], Value::Null);
    assert_eq!(v["argv"], Value::Null);
    assert_eq!(v["records"][0]["fields"]["hostname"], "1.2.3.4");
}
