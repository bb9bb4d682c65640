//! The daemon on the real kernel: watches, file operations, user messages,
//! lifecycle records, loss accounting, observe mode. Root only; serialized
//! and self-restoring through `common::kernel`.

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;

/// The records of one type in a JSON event.
fn records<'a>(event: &'a Value, rtype: &str) -> Vec<&'a Value> {
    event["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == rtype)
        .collect()
}

fn field<'a>(record: &'a Value, name: &str) -> &'a str {
    record["fields"][name].as_str().unwrap_or("")
}

/// The event whose SYSCALL has `syscall` and a PATH `name` with `nametype`.
fn find<'a>(events: &'a [Value], syscall: &str, name: &str, nametype: &str) -> Option<&'a Value> {
    events.iter().find(|e| {
        records(e, "SYSCALL")
            .iter()
            .any(|s| field(s, "syscall") == syscall)
            && records(e, "PATH")
                .iter()
                .any(|p| field(p, "name") == name && field(p, "nametype") == nametype)
    })
}

#[test]
fn records_each_file_operation_under_a_watch() {
    let Some(mut k) = kernel("records_each_file_operation_under_a_watch") else {
        return;
    };
    let db = k.path("db/audit.db");
    let watched = k.path("watched");
    std::fs::create_dir(&watched).unwrap();
    let daemon = k.start_daemon(&db, &[]);
    ctl(&["-w", watched.to_str().unwrap(), "-p", "rwxa", "-k", "ops"]);

    let a = watched.join("a");
    let b = watched.join("b");
    std::fs::write(&a, b"created").unwrap(); // openat O_CREAT
    let _ = std::fs::read(&a).unwrap(); // openat O_RDONLY
    std::fs::OpenOptions::new().append(true).open(&a).unwrap(); // openat O_WRONLY
    std::fs::rename(&a, &b).unwrap(); // rename
    std::fs::remove_file(&b).unwrap(); // unlink
    ctl(&["-m", "raudit-test-marker"]);

    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let mut events = Vec::new();
    let all_seen = wait_for(Duration::from_secs(10), || {
        events = search_json(&db, &["-k", "ops"]);
        find(&events, "82", b, "CREATE").is_some() && find(&events, "87", b, "DELETE").is_some()
    });
    assert!(all_seen, "not every operation was found: {events:#?}");
    // x86_64 numbers: open=2 (std uses openat=257), rename=82, unlink=87;
    // the standard library calls openat, rename and unlink.
    assert!(find(&events, "257", a, "CREATE").is_some(), "create");
    let opens_a: Vec<_> = events
        .iter()
        .filter(|e| find(std::slice::from_ref(*e), "257", a, "NORMAL").is_some())
        .collect();
    assert_eq!(opens_a.len(), 2, "read and append opens: {opens_a:#?}");
    let rename = find(&events, "82", b, "CREATE").unwrap();
    assert!(records(rename, "PATH")
        .iter()
        .any(|p| field(p, "name") == a && field(p, "nametype") == "DELETE"));
    assert!(find(&events, "87", b, "DELETE").is_some(), "unlink");
    for e in &events {
        assert_eq!(e["keys"], serde_json::json!(["ops"]));
    }

    let mut marker = Vec::new();
    assert!(wait_for(Duration::from_secs(5), || {
        marker = search_json(&db, &["-m", "USER"]);
        marker
            .iter()
            .any(|e| e.to_string().contains("raudit-test-marker"))
    }));
    let user = records(&marker[0], "USER")[0];
    assert_eq!(field(user, "res"), "success");
    assert!(field(user, "exe").ends_with("raudit"), "{user}");

    // The default output is ausearch's: ----, time->, records.
    let text = stdout(
        &search(
            &db,
            &[
                "-k",
                "ops",
                "-p",
                field(records(rename, "SYSCALL")[0], "pid"),
            ],
        )
        .unwrap(),
    );
    assert!(text.starts_with("----\ntime->"), "{text}");
    assert!(text.contains("type=SYSCALL msg=audit("), "{text}");
    assert!(k.stop_daemon(daemon).success());
}

#[test]
fn sigterm_leaves_lifecycle_records_and_loses_nothing() {
    let Some(mut k) = kernel("sigterm_leaves_lifecycle_records_and_loses_nothing") else {
        return;
    };
    let db = k.path("audit.db");
    let watched = k.path("w");
    std::fs::create_dir(&watched).unwrap();
    let first = k.start_daemon(&db, &[]);
    assert_eq!(k.status().pid, first);
    ctl(&["-w", watched.to_str().unwrap(), "-p", "wa", "-k", "burst"]);
    for i in 0..200 {
        std::fs::write(watched.join(format!("f{i}")), b"x").unwrap();
    }
    let status = k.stop_daemon(first);
    assert!(status.success(), "daemon exit: {status:?}");
    assert_eq!(k.status().pid, 0, "audit pid released");

    let events = search_json(&db, &["-k", "burst"]);
    assert!(events.len() >= 200, "only {} events stored", events.len());
    let life = search_json(&db, &["-m", "DAEMON_START,DAEMON_END"]);
    let kinds: Vec<&str> = life
        .iter()
        .map(|e| e["records"][0]["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["DAEMON_START", "DAEMON_END"]);
    assert_eq!(field(&life[0]["records"][0], "pid"), first.to_string());

    let loss = search(&db, &["--loss"]).unwrap();
    assert_eq!(
        (loss.status.code(), stdout(&loss).as_str()),
        (Some(0), ""),
        "no loss expected"
    );
    let serials = all_serials(&db);
    let (lo, hi) = (serials[0], *serials.last().unwrap());
    assert_eq!(
        serials.len() as u64,
        hi - lo + 1,
        "serials not contiguous: {serials:?}"
    );

    // A second start appends to the same database.
    let second = k.start_daemon(&db, &[]);
    assert!(k.stop_daemon(second).success());
    let life = search_json(&db, &["-m", "DAEMON_START"]);
    assert_eq!(life.len(), 2);
    assert_eq!(search_json(&db, &["-k", "burst"]).len(), events.len());
}

/// Every distinct kernel serial stored (0 is the daemon's own records).
fn all_serials(db: &std::path::Path) -> Vec<u64> {
    let mut s: Vec<u64> = search_json(db, &[])
        .iter()
        .map(|e| e["serial"].as_u64().unwrap())
        .filter(|s| *s != 0)
        .collect();
    s.sort_unstable();
    s.dedup();
    s
}

#[test]
fn refuses_to_start_beside_a_registered_daemon_unless_observing() {
    let Some(mut k) = kernel("refuses_to_start_beside_a_registered_daemon_unless_observing") else {
        return;
    };
    let primary_db = k.path("primary.db");
    let observer_db = k.path("observer.db");
    let primary = k.start_daemon(&primary_db, &[]);

    let refused = raudit(&["daemon", "--db", k.path("second.db").to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    let err = stderr(&refused);
    assert!(
        err.contains(&format!(
            "raudit (pid {primary}) is the registered audit daemon"
        )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one line: {err}");

    let observer = k.start_daemon(&observer_db, &["--observe"]);
    assert_eq!(
        k.status().pid,
        primary,
        "observing leaves the audit pid alone"
    );
    let watched = k.path("w");
    std::fs::create_dir(&watched).unwrap();
    ctl(&["-w", watched.to_str().unwrap(), "-p", "wa", "-k", "both"]);
    std::fs::write(watched.join("x"), b"1").unwrap();
    let seen_by = |db: &std::path::Path| {
        wait_for(Duration::from_secs(5), || {
            !search_json(db, &["-k", "both"]).is_empty()
        })
    };
    assert!(seen_by(&primary_db), "primary recorded");
    assert!(seen_by(&observer_db), "observer recorded");
    let a = search_json(&primary_db, &["-k", "both"]);
    let b = search_json(&observer_db, &["-k", "both"]);
    let ids = |v: &[Value]| v.iter().map(|e| e["serial"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b));
    assert!(k.stop_daemon(observer).success());
    assert_eq!(k.status().pid, primary, "observer's stop leaves the pid");
    assert!(k.stop_daemon(primary).success());
}

#[test]
fn a_failing_test_still_leaves_the_kernel_as_found() {
    let Some(before) = kernel("a_failing_test_still_leaves_the_kernel_as_found") else {
        return;
    };
    let found = before.status();
    drop(before);
    let outcome = std::panic::catch_unwind(|| {
        let mut k = kernel("inner").unwrap();
        let db = k.path("audit.db");
        k.start_daemon(&db, &[]);
        ctl(&["-w", k.dir.path().to_str().unwrap(), "-k", "leak"]);
        ctl(&["-e", "1"]);
        panic!("deliberate failure with a daemon, a rule and enabled=1 in place");
    });
    assert!(outcome.is_err());
    let k = kernel("a_failing_test_still_leaves_the_kernel_as_found").unwrap();
    let now = k.status();
    assert_eq!(now.pid, 0, "daemon stopped and pid released");
    assert_eq!(now.enabled, found.enabled, "enabled flag restored");
    let rules = raudit::netlink::AuditSocket::open()
        .unwrap()
        .list_rules()
        .unwrap();
    assert!(rules.is_empty(), "rules removed");
}

#[test]
fn sighup_reloads_the_configuration_and_keeps_running() {
    let Some(mut k) = kernel("sighup_reloads_the_configuration_and_keeps_running") else {
        return;
    };
    let db = k.path("audit.db");
    let conf = k.path("raudit.conf");
    let rules = k.path("rules.d");
    let watched = k.path("w");
    std::fs::create_dir(&rules).unwrap();
    std::fs::create_dir(&watched).unwrap();
    let write_conf = |name: &str| {
        let text = format!(
            "log_file = {}\nname_format = user\nname = {name}\nrules_dir = {}\n",
            db.display(),
            rules.display()
        );
        std::fs::write(&conf, text).unwrap();
    };
    write_conf("alpha");
    // The rules directory loads at start: the watch comes from it.
    let rule = format!("-w {} -p wa -k hup\n", watched.display());
    std::fs::write(rules.join("10-watch.rules"), rule).unwrap();
    let daemon = k.start_daemon(&db, &["--config", conf.to_str().unwrap()]);
    let listed = || stdout(&ctl(&["-l"]));
    assert!(
        wait_for(Duration::from_secs(5), || listed().contains("-k hup")),
        "{}",
        listed()
    );
    // The node of the event that created `name` in the watched directory.
    let node_of = |name: &str| -> Option<String> {
        let path = watched.join(name);
        search_json(&db, &["-f", path.to_str().unwrap()])
            .first()
            .map(|e| e["node"].as_str().unwrap_or("").to_string())
    };
    std::fs::write(watched.join("one"), b"1").unwrap();
    assert!(wait_for(Duration::from_secs(5), || node_of("one").is_some()));
    assert_eq!(node_of("one").as_deref(), Some("alpha"));

    write_conf("beta");
    let more = format!("-w {}/two -p r -k hup2\n", watched.display());
    std::fs::write(rules.join("20-more.rules"), more).unwrap();
    let hup = |pid: u32| {
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid as i32),
            nix::sys::signal::Signal::SIGHUP,
        )
        .unwrap()
    };
    hup(daemon);
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(watched.join("two"), b"2").unwrap();
    assert!(wait_for(Duration::from_secs(5), || node_of("two").is_some()));
    assert_eq!(node_of("two").as_deref(), Some("beta"));
    assert!(
        wait_for(Duration::from_secs(5), || listed().contains("-k hup2")),
        "{}",
        listed()
    );

    // A bad file on reload keeps the settings in effect.
    std::fs::write(&conf, "no_such_key = 1\n").unwrap();
    hup(daemon);
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(watched.join("three"), b"3").unwrap();
    assert!(wait_for(Duration::from_secs(5), || node_of("three").is_some()));
    assert_eq!(node_of("three").as_deref(), Some("beta"));
    assert_eq!(k.status().pid, daemon, "still the registered daemon");
    assert!(k.stop_daemon(daemon).success());
}

/// `raudit ARGS...` with the daemon's configuration and database as the
/// defaults, as `raudit ctl -s` and `--check` find them on a machine.
fn raudit_with(
    conf: &std::path::Path,
    db: &std::path::Path,
    args: &[&str],
) -> std::process::Output {
    std::process::Command::new(BIN)
        .args(args)
        .env("RAUDIT_CONFIG", conf)
        .env("RAUDIT_DB", db)
        .output()
        .expect("running raudit")
}

/// One bad line in the rules directory no longer leaves the machine
/// unaudited: the daemon loads every other rule, names the bad line,
/// says so in its start line and records it, and `raudit ctl --check` and
/// `raudit ctl -s` show the rule set incomplete. A setting the machine
/// cannot honour (an exec script that is not there) is warned about.
#[test]
fn a_bad_rules_line_loads_the_rest_and_is_reported() {
    let Some(mut k) = kernel("a_bad_rules_line_loads_the_rest_and_is_reported") else {
        return;
    };
    let db = k.path("audit.db");
    let rules = k.path("rules.d");
    let (w1, w2) = (k.path("w1"), k.path("w2"));
    for d in [&rules, &w1, &w2] {
        std::fs::create_dir(d).unwrap();
    }
    let file = rules.join("10-mixed.rules");
    std::fs::write(
        &file,
        format!(
            "-w {} -p wa -k good1\n-a always,exit -F colour=red\n-w {} -p wa -k good2\n",
            w1.display(),
            w2.display()
        ),
    )
    .unwrap();
    let conf = k.path("raudit.conf");
    let missing = k.path("no-such-script");
    std::fs::write(
        &conf,
        format!(
            "rules_dir = {}\ndisk_full_action = exec {}\n",
            rules.display(),
            missing.display()
        ),
    )
    .unwrap();
    let log = k.path("daemon.stderr");
    let to_log = format!("exec 2>{}; exec \"$@\"", log.display());
    let launcher = ["sh", "-c", &to_log, "sh"];
    // A backlog as the shipped rules set it: no warning about it here.
    ctl(&["-b", "8192"]);
    let daemon = k.start_daemon_via(&launcher, &db, &["--config", conf.to_str().unwrap()]);

    let listed = stdout(&ctl(&["-l"]));
    assert!(
        listed.contains("-k good1") && listed.contains("-k good2"),
        "{listed}"
    );
    let said = std::fs::read_to_string(&log).unwrap();
    let (c, r) = (conf.display(), rules.display());
    let m = missing.display();
    assert_eq!(
        said.lines().collect::<Vec<_>>(),
        [
            format!("raudit daemon: warning: {c}: disk_full_action = exec {m}: {m}: No such file or directory (os error 2)"),
            format!("raudit daemon: {}:2: unknown field \"colour\"", file.display()),
            format!(
                "raudit daemon: started (pid {daemon}, config {c}, database {}, rules: 2 loaded from {r}, 1 problem (see raudit ctl --check), mode primary)",
                db.display()
            ),
        ]
    );

    // --check names the line and exits 1; the rest is in sync.
    let out = raudit_with(&conf, &db, &["ctl", "--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("{}:2: unknown field \"colour\"\n", file.display())
    );
    // -s says it after the kernel's status.
    let out = raudit_with(&conf, &db, &["ctl", "-s"]);
    let status = stdout(&out);
    assert!(
        status.ends_with(&format!(
            "raudit_rules incomplete unloadable=1 drift=0 ({r}; raudit ctl --check lists it)\n"
        )),
        "{status}"
    );
    // The record: the rules that loaded and the line that did not.
    let events = search_json(&db, &["-m", "DAEMON_CONFIG"]);
    assert_eq!(events.len(), 1, "{events:#?}");
    let rec = &events[0]["records"][0];
    assert_eq!(
        (
            field(rec, "op"),
            field(rec, "loaded"),
            field(rec, "unloadable"),
            field(rec, "res")
        ),
        ("load-rules", "2", "1", "failed"),
        "{rec:#}"
    );

    // Fixed and reloaded: in sync.
    std::fs::write(&file, format!("-w {} -p wa -k good1\n", w1.display())).unwrap();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(daemon as i32),
        nix::sys::signal::Signal::SIGHUP,
    )
    .unwrap();
    let in_sync = || {
        let out = raudit_with(&conf, &db, &["ctl", "-s"]);
        stdout(&out).ends_with(&format!("raudit_rules in_sync ({r})\n"))
    };
    assert!(
        wait_for(Duration::from_secs(5), in_sync),
        "{}",
        stdout(&raudit_with(&conf, &db, &["ctl", "-s"]))
    );
    assert!(k.stop_daemon(daemon).success());
}

/// A kernel backlog left at its boot default is warned about once the
/// rules are loaded, naming the rules directory; rules that set a large
/// enough backlog silence it.
#[test]
fn a_small_kernel_backlog_is_warned_about() {
    let Some(mut k) = kernel("a_small_kernel_backlog_is_warned_about") else {
        return;
    };
    let rules = k.path("rules.d");
    std::fs::create_dir(&rules).unwrap();
    let conf = k.path("raudit.conf");
    std::fs::write(&conf, format!("rules_dir = {}\n", rules.display())).unwrap();
    let warning = format!(
        "raudit daemon: warning: the kernel's backlog_limit is 64: bursts will make audited \
         processes wait; add \"-b 8192\" to a rules file in {}",
        rules.display()
    );
    let said = |k: &mut Kernel, run: &str| {
        let log = k.path(&format!("{run}.stderr"));
        let to_log = format!("exec 2>{}; exec \"$@\"", log.display());
        let db = k.path(&format!("{run}.db"));
        let daemon = k.start_daemon_via(
            &["sh", "-c", &to_log, "sh"],
            &db,
            &["--config", conf.to_str().unwrap()],
        );
        assert!(k.stop_daemon(daemon).success());
        std::fs::read_to_string(&log).unwrap()
    };
    ctl(&["-b", "64"]);
    let small = said(&mut k, "small");
    assert!(small.lines().any(|l| l == warning), "{small}");
    std::fs::write(rules.join("10-base.rules"), "-b 8192\n").unwrap();
    let sized = said(&mut k, "sized");
    assert!(!sized.contains("backlog_limit"), "{sized}");
    assert_eq!(k.status().backlog_limit, 8192);
}

/// `key=value` settings of the packaged unit's [Service] section.
fn unit_setting(unit: &str, key: &str) -> Option<String> {
    unit.lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().to_string())
}

/// The unit's hardening, applied without systemd (PID 1 need not be
/// systemd where tests run): CapabilityBoundingSet and NoNewPrivileges
/// through setpriv; ProtectSystem=full, ProtectHome=read-only and
/// ProtectKernelTunables as read-only bind mounts in a private mount
/// namespace; the unit's UMask. The daemon must start, record, reload and
/// stop under them without a warning. The seccomp-based settings
/// (RestrictAddressFamilies, SystemCallArchitectures, ...) need systemd.
#[test]
fn runs_under_the_units_sandbox() {
    let Some(mut k) = kernel("runs_under_the_units_sandbox") else {
        return;
    };
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/debian/raudit.service"
    ))
    .unwrap();
    // What this emulation covers must still be what the unit says.
    assert_eq!(
        unit_setting(&unit, "NoNewPrivileges").as_deref(),
        Some("yes")
    );
    assert_eq!(
        unit_setting(&unit, "ProtectSystem").as_deref(),
        Some("full")
    );
    assert_eq!(
        unit_setting(&unit, "ProtectHome").as_deref(),
        Some("read-only")
    );
    assert_eq!(
        unit_setting(&unit, "ProtectKernelTunables").as_deref(),
        Some("yes")
    );
    let umask = unit_setting(&unit, "UMask").unwrap();
    let caps: Vec<String> = unit_setting(&unit, "CapabilityBoundingSet")
        .unwrap()
        .split_whitespace()
        .map(|c| c.trim_start_matches("CAP_").to_lowercase())
        .collect();
    let bounding: Vec<String> = caps.iter().map(|c| format!("+{c}")).collect();

    let stderr_log = k.path("daemon.stderr");
    // The backlog the shipped rules set: a daemon under them says nothing
    // but its start and reloads.
    ctl(&["-b", "8192"]);
    let script = format!(
        "set -e
         for d in /usr /boot /efi /etc /home /root /run/user /proc/sys; do
             if [ -d $d ]; then mount --bind -o ro $d $d; fi
         done
         umask {umask}
         exec 2>{log}
         exec setpriv --no-new-privs --inh-caps=-all --bounding-set=-all,{caps} -- \"$@\"",
        log = stderr_log.display(),
        caps = bounding.join(",")
    );
    let launcher = ["unshare", "--mount", "--", "sh", "-c", &script, "sh"];
    let db = k.path("sandboxed/audit.db");
    let watched = k.path("w");
    std::fs::create_dir(&watched).unwrap();
    let daemon = k.start_daemon_via(&launcher, &db, &[]);

    // The sandbox took: only the unit's capabilities, no new privileges.
    let status = std::fs::read_to_string(format!("/proc/{daemon}/status")).unwrap();
    let line = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap()
            .trim()
            .to_string()
    };
    let expected: u64 = caps.iter().map(|c| 1u64 << cap_number(c)).sum();
    assert_eq!(u64::from_str_radix(&line("CapBnd:"), 16).unwrap(), expected);
    assert_eq!(u64::from_str_radix(&line("CapEff:"), 16).unwrap(), expected);
    assert_eq!(line("NoNewPrivs:"), "1");
    let mounts = std::fs::read_to_string(format!("/proc/{daemon}/mountinfo")).unwrap();
    assert!(
        mounts.lines().any(|l| l.split(' ').nth(4) == Some("/etc")
            && l.split(' ').nth(5).is_some_and(|o| o.starts_with("ro"))),
        "/etc not read-only for the daemon"
    );

    ctl(&["-w", watched.to_str().unwrap(), "-p", "wa", "-k", "sandbox"]);
    std::fs::write(watched.join("one"), b"1").unwrap();
    assert!(wait_for(Duration::from_secs(5), || !search_json(
        &db,
        &["-k", "sandbox"]
    )
    .is_empty()));
    // systemctl reload: the unit's ExecReload sends SIGHUP.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(daemon as i32),
        nix::sys::signal::Signal::SIGHUP,
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(watched.join("two"), b"2").unwrap();
    let two = watched.join("two");
    assert!(wait_for(Duration::from_secs(5), || !search_json(
        &db,
        &["-f", two.to_str().unwrap()]
    )
    .is_empty()));
    assert!(k.stop_daemon(daemon).success());
    assert_eq!(k.status().pid, 0, "audit pid released");
    let said = std::fs::read_to_string(&stderr_log).unwrap();
    let complaints: Vec<&str> = said
        .lines()
        .filter(|l| {
            !l.starts_with("raudit daemon: reloaded ") && !l.starts_with("raudit daemon: started ")
        })
        .collect();
    assert!(complaints.is_empty(), "the daemon complained:\n{said}");
    assert!(said.contains("reloaded"), "no reload reported:\n{said}");
    assert!(
        said.contains(&format!("raudit daemon: started (pid {daemon}, ")),
        "no start line:\n{said}"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

/// A capability's number, from linux/capability.h.
fn cap_number(name: &str) -> u32 {
    const CAPS: &[(&str, u32)] = &[
        ("dac_override", 1),
        ("kill", 5),
        ("setpcap", 8),
        ("net_admin", 12),
        ("sys_boot", 22),
        ("sys_nice", 23),
        ("sys_resource", 24),
        ("audit_write", 29),
        ("audit_control", 30),
        ("audit_read", 37),
    ];
    CAPS.iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .unwrap_or_else(|| panic!("capability {name} missing from this test's table"))
}

/// SIGTERM while records pour in: the daemon stops promptly (its reader
/// may be waiting to hand on a batch when the pipeline stops taking them)
/// and stores what it had taken in, closed by DAEMON_END.
#[test]
fn sigterm_under_load_stops_promptly() {
    let Some(mut k) = kernel("sigterm_under_load_stops_promptly") else {
        return;
    };
    let db = k.path("audit.db");
    let file = k.path("hot");
    std::fs::write(&file, b"x").unwrap();
    let daemon = k.start_daemon(&db, &[]);
    ctl(&["-w", file.to_str().unwrap(), "-p", "r", "-k", "load"]);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load: Vec<_> = (0..2)
        .map(|_| {
            let (stop, file) = (stop.clone(), file.clone());
            std::thread::spawn(move || {
                let deadline = std::time::Instant::now() + Duration::from_secs(3);
                while !stop.load(std::sync::atomic::Ordering::Relaxed)
                    && std::time::Instant::now() < deadline
                {
                    let _ = std::fs::File::open(&file);
                }
            })
        })
        .collect();
    // Long enough for the daemon's queues to fill behind its writer.
    std::thread::sleep(Duration::from_millis(1200));
    let started = std::time::Instant::now();
    let status = k.stop_daemon(daemon);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for t in load {
        t.join().unwrap();
    }
    assert!(status.success(), "daemon exit: {status:?}");
    eprintln!("stopped in {:?}", started.elapsed());
    assert_eq!(k.status().pid, 0, "audit pid released");
    let end = search_json(&db, &["-m", "DAEMON_END"]);
    assert_eq!(end.len(), 1, "DAEMON_END stored");
    assert!(!search_json(&db, &["-k", "load", "--just-one"]).is_empty());
}
