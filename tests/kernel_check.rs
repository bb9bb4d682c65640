//! `raudit check`'s kernel checks on the real kernel: the daemon and its
//! registration, `enabled`, the backlog, rules drift, and a store that
//! stops growing while the kernel audits. Root only; serialized and
//! self-restoring through `common::kernel`.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

const LOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/oracle/misc.log");

fn check(args: &[&str], now: Option<&str>) -> (String, i32) {
    let mut cmd = Command::new(BIN);
    cmd.arg("check").args(args).env_remove("RAUDIT_CONFIG");
    if let Some(now) = now {
        cmd.env("RAUDIT_NOW", now);
    }
    let o: Output = cmd.output().expect("running raudit check");
    let out = stdout(&o);
    assert_eq!(
        out.lines().count(),
        1,
        "one status line: {out:?} {}",
        stderr(&o)
    );
    (
        out.trim_end().to_string(),
        o.status.code().expect("exit code"),
    )
}

#[test]
fn kernel_state_checks_follow_the_kernel() {
    let Some(k) = kernel("kernel_state_checks_follow_the_kernel") else {
        return;
    };
    ctl(&["-e", "0"]);
    assert_eq!(
        check(&["--enabled"], None),
        (
            "RAUDIT ENABLED CRITICAL - kernel auditing is disabled (enabled 0); raudit ctl -e 1 enables it | enabled=0;;;0;2".into(),
            2
        )
    );
    ctl(&["-e", "1"]);
    assert_eq!(
        check(&["--enabled"], None),
        (
            "RAUDIT ENABLED OK - kernel auditing is enabled | enabled=1;;;0;2".into(),
            0
        )
    );

    // The backlog against the kernel's limit: judged on the share used.
    let limit = k.status().backlog_limit;
    let (line, code) = check(&["--backlog"], None);
    assert_eq!(code, 0, "{line}");
    assert!(line.contains(&format!(";;;0;{limit}")), "{line}");
    let (line, code) = check(&["--backlog", "-w", "@0:100", "-c", "101:"], None);
    assert_eq!(code, 2, "critical before warning: {line}");
    assert_eq!(check(&["--backlog", "-w", "@0:100"], None).1, 1);

    // A store that stops growing while the kernel audits is stale; with
    // auditing off nothing is expected.
    let db = k.path("imported.db");
    import_log(Path::new(LOG), &db);
    let last = search_json(&db, &[])
        .iter()
        .filter_map(|e| e["sec"].as_i64())
        .max()
        .unwrap();
    let at = |seconds_later: i64| {
        chrono::DateTime::from_timestamp(last + seconds_later, 500_000_000)
            .unwrap()
            .to_rfc3339()
    };
    let db_arg = db.to_str().unwrap();
    let stale = |later: i64| check(&["--stale", "--db", db_arg], Some(&at(later)));
    assert_eq!(
        stale(10),
        (
            "RAUDIT STALE OK - last event stored 10 s ago | age=10s;300;900;0;".into(),
            0
        )
    );
    assert_eq!(stale(600).1, 1);
    assert_eq!(stale(1000).1, 2);
    ctl(&["-e", "0"]);
    assert_eq!(
        stale(1000),
        (
            "RAUDIT STALE OK - kernel auditing is disabled: no events are expected".into(),
            0
        )
    );
}

#[test]
fn rules_drift_and_the_daemon_registration() {
    let Some(mut k) = kernel("rules_drift_and_the_daemon_registration") else {
        return;
    };
    let rules = k.path("check-rules.d");
    std::fs::create_dir(&rules).unwrap();
    let watched = k.path("watched");
    std::fs::create_dir(&watched).unwrap();
    let rule = format!("-w {} -p wa -k raudit_check_test\n", watched.display());
    std::fs::write(rules.join("10-test.rules"), &rule).unwrap();
    let conf = k.path("check.conf");
    std::fs::write(&conf, format!("rules_dir = {}\n", rules.display())).unwrap();
    let conf_arg = conf.to_str().unwrap();
    let (line, code) = check(&["--rules", "--config", conf_arg], None);
    assert_eq!(code, 2, "{line}");
    assert!(
        line.contains("1 rules differ, 0 lines cannot be loaded")
            && line.ends_with("| drift=1;;0;0; unloadable=0;;;0;"),
        "{line}"
    );
    assert_eq!(
        check(&["--rules", "--config", conf_arg, "-c", "1"], None).1,
        0
    );
    ctl(&[
        "-w",
        watched.to_str().unwrap(),
        "-p",
        "wa",
        "-k",
        "raudit_check_test",
    ]);
    let (line, code) = check(&["--rules", "--config", conf_arg], None);
    assert_eq!(code, 0, "{line}");
    assert!(line.contains("kernel rules match"), "{line}");

    let db = k.path("db/audit.db");
    let db_arg = db.to_str().unwrap();
    let (line, code) = check(&["--daemon", "--db", db_arg], None);
    assert_eq!(code, 2, "{line}");
    assert!(line.contains("no raudit daemon is recording to"), "{line}");
    let pid = k.start_daemon(&db, &[]);
    let (line, code) = check(&["--daemon", "--db", db_arg], None);
    assert_eq!(code, 0, "{line}");
    assert!(line.ends_with(&format!("| audit_pid={pid};;;0;")), "{line}");
    assert!(k.stop_daemon(pid).success());
    // A daemon that records beside the registered one (or none) holds the
    // store but does not get the kernel's unicast records.
    let observer = k.start_daemon(&db, &["--observe"]);
    let (line, code) = check(&["--daemon", "--db", db_arg], None);
    assert_eq!(code, 2, "{line}");
    assert!(
        line.contains(&format!("pid {observer} holds"))
            && line.contains("no audit daemon is registered"),
        "{line}"
    );
    assert!(k.stop_daemon(observer).success());
}
