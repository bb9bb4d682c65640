//! Every record is searchable the moment it is stored, whatever state its
//! event is in, on the real kernel. The daemons here run with an EOE
//! timeout of 60 s and every check gives up after 10 s: a record held
//! back until its event's timeout (as records without an EOE were) can
//! never be found in time, so these tests check behaviour, not speed.
//! Root only; serialized and self-restoring through `common::kernel`.

mod common;

use std::process::Command;
use std::time::Duration;

use common::*;
use serde_json::Value;

const LONG_EOE: &[&str] = &["--eoe-timeout", "60000"];
const PATIENCE: Duration = Duration::from_secs(10);

/// Waits for an event matching `args` whose text contains `needle`.
fn wait_event(db: &std::path::Path, args: &[&str], needle: &str) -> Option<Value> {
    let mut found = None;
    wait_for(PATIENCE, || {
        found = search_json(db, args)
            .into_iter()
            .find(|e| e.to_string().contains(needle));
        found.is_some()
    });
    found
}

#[test]
fn a_message_right_after_start_is_searchable_at_once() {
    let Some(mut k) = kernel("a_message_right_after_start_is_searchable_at_once") else {
        return;
    };
    let db = k.path("audit.db");
    let daemon = k.start_daemon(&db, LONG_EOE);
    // The kernel's CONFIG_CHANGE for the new audit pid has no EOE: it is
    // open until the timeout, and nothing may wait for it.
    let open = wait_event(&db, &["-m", "CONFIG_CHANGE"], "audit_pid");
    let open = open.expect("the open CONFIG_CHANGE is searchable");
    assert_eq!(open["complete"], Value::Bool(false), "{open}");
    ctl(&["-m", "first-marker-after-start"]);
    assert!(
        wait_event(&db, &["-m", "USER"], "first-marker-after-start").is_some(),
        "the marker waited behind the open event"
    );
    assert!(k.stop_daemon(daemon).success());
    // At the stop every open event is completed.
    let closed = wait_event(&db, &["-m", "CONFIG_CHANGE"], "audit_pid").unwrap();
    assert_eq!(closed["complete"], Value::Bool(true), "{closed}");
}

#[test]
fn an_event_whose_syscall_record_is_excluded_does_not_delay_the_next() {
    let Some(mut k) = kernel("an_event_whose_syscall_record_is_excluded_does_not_delay_the_next")
    else {
        return;
    };
    let db = k.path("audit.db");
    let daemon = k.start_daemon(&db, LONG_EOE);
    // SYSCALL records are dropped for every program but one that does not
    // run here: a rule change then leaves a CONFIG_CHANGE with no SYSCALL,
    // PROCTITLE or EOE after it.
    ctl(&[
        "-a",
        "always,exclude",
        "-F",
        "msgtype=SYSCALL",
        "-F",
        "exe!=/usr/bin/raudit-test-nonexistent",
    ]);
    let watched = k.path("watched");
    std::fs::write(&watched, b"").unwrap();
    ctl(&[
        "-w",
        watched.to_str().unwrap(),
        "-p",
        "wa",
        "-k",
        "excluded-syscall",
    ]);
    let add = wait_event(&db, &["-k", "excluded-syscall"], "add_rule")
        .expect("the rule change is searchable while its event is open");
    assert!(
        !add.to_string().contains("\"SYSCALL\""),
        "its SYSCALL record was excluded: {add}"
    );
    ctl(&["-m", "marker-after-excluded"]);
    assert!(
        wait_event(&db, &["-m", "USER"], "marker-after-excluded").is_some(),
        "the marker waited behind the open rule change"
    );
    assert!(k.stop_daemon(daemon).success());
}

/// An iptables rule, deleted when dropped (also when the test fails).
struct Iptables(Vec<String>);

impl Iptables {
    fn add(spec: &[&str]) -> Option<Iptables> {
        let run = |op: &str| {
            Command::new("iptables")
                .arg(op)
                .args(spec)
                .output()
                .ok()
                .filter(|o| o.status.success())
        };
        run("-I").map(|_| Iptables(spec.iter().map(|s| s.to_string()).collect()))
    }
}

impl Drop for Iptables {
    fn drop(&mut self) {
        let _ = Command::new("iptables").arg("-D").args(&self.0).output();
    }
}

#[test]
fn a_netfilter_record_is_searchable_at_once() {
    let Some(mut k) = kernel("a_netfilter_record_is_searchable_at_once") else {
        return;
    };
    // A UDP datagram to a port nothing listens on, from this test: the
    // rule matches only it, by port.
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = sock.local_addr().unwrap().port().to_string();
    let spec = [
        "OUTPUT",
        "-p",
        "udp",
        "-s",
        "127.0.0.1",
        "--sport",
        &port,
        "-j",
        "AUDIT",
        "--type",
        "accept",
    ];
    let Some(_rule) = Iptables::add(&spec) else {
        let why = "iptables with the AUDIT target is not available";
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("a_netfilter_record_is_searchable_at_once: {why}");
        }
        eprintln!("skipping a_netfilter_record_is_searchable_at_once: {why}");
        return;
    };
    let db = k.path("audit.db");
    let daemon = k.start_daemon(&db, LONG_EOE);
    sock.send_to(b"raudit", "127.0.0.1:9").unwrap();
    let pkt = wait_event(&db, &["-m", "NETFILTER_PKT"], "NETFILTER_PKT")
        .expect("the NETFILTER_PKT record is searchable at once");
    assert!(pkt.to_string().contains("proto"), "{pkt}");
    assert!(k.stop_daemon(daemon).success());
}
