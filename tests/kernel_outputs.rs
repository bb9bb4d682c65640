//! The daemon's outputs on the real kernel: auditd plugin programs fed
//! auditd's record lines, restarted when they die, and an output that
//! stops reading, which must neither slow storing nor go uncounted.
//! Root only; serialized and self-restoring through `common::kernel`.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;

/// A plugin program: a shell script made executable.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// A plugin directory entry with audisp's keys.
fn plugin_conf(plugins: &Path, name: &str, program: &Path) {
    std::fs::write(
        plugins.join(format!("{name}.conf")),
        format!(
            "active = yes\ndirection = out\npath = {}\ntype = always\nargs = unused\nformat = string\n",
            program.display()
        ),
    )
    .unwrap();
}

/// A raudit.conf for the test's daemon, its outputs in `plugins`.
fn config(k: &Kernel, plugins: &Path, extra: &str) -> PathBuf {
    let rules = k.path("rules.d");
    std::fs::create_dir_all(&rules).unwrap();
    let conf = k.path("outputs.conf");
    std::fs::write(
        &conf,
        format!(
            "rules_dir = {}\nplugin_dir = {}\n{extra}",
            rules.display(),
            plugins.display()
        ),
    )
    .unwrap();
    conf
}

/// Processes whose command line holds `token`.
fn processes_with(token: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| {
                String::from_utf8_lossy(&c)
                    .replace('\0', " ")
                    .contains(token)
            })
        })
        .collect()
}

/// Ends the stalled plugin if the daemon did not (a failed test).
struct Reaper(String);

impl Drop for Reaper {
    fn drop(&mut self) {
        for pid in processes_with(&self.0) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid as i32),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
}

/// Events with key out stored, as `raudit check` counts them.
fn stored_count(db: &Path) -> usize {
    let out = raudit(&[
        "check",
        "--db",
        db.to_str().unwrap(),
        "-k",
        "out",
        "-m",
        "SYSCALL",
    ]);
    let line = stdout(&out);
    line.split("events=")
        .nth(1)
        .and_then(|v| v.split(';').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{line}"))
}

#[test]
fn a_stalled_output_never_slows_storing_and_its_overflow_is_counted() {
    let Some(mut k) = kernel("a_stalled_output_never_slows_storing_and_its_overflow_is_counted")
    else {
        return;
    };
    ctl(&["-b", "8192"]);
    let plugins = k.path("plugins.d");
    std::fs::create_dir(&plugins).unwrap();
    let got = k.path("got.log");
    let reader = script(
        k.dir.path(),
        "reader.sh",
        &format!("exec cat >> {}", got.display()),
    );
    // Never reads its stdin: its pipe fills, then its queue.
    let token = format!("{}", 600 + std::process::id() % 1000);
    let stalled = script(k.dir.path(), "stalled.sh", &format!("exec sleep {token}"));
    let _reaper = Reaper(format!("sleep {token}"));
    plugin_conf(&plugins, "10-reader", &reader);
    plugin_conf(&plugins, "20-stalled", &stalled);
    const DEPTH: usize = 1000;
    let conf = config(&k, &plugins, &format!("q_depth = {DEPTH}\n"));
    let db = k.path("audit.db");
    let daemon = k.start_daemon(&db, &["--config", conf.to_str().unwrap()]);
    let watched = k.path("watched");
    std::fs::create_dir(&watched).unwrap();
    ctl(&["-w", watched.to_str().unwrap(), "-p", "w", "-k", "out"]);

    const FILES: usize = 5000;
    let start = Instant::now();
    for i in 0..FILES {
        std::fs::write(watched.join(format!("f{i}")), b"x").unwrap();
    }
    // Storing that waited for the stalled program would never finish.
    let stored = wait_for(Duration::from_secs(60), || stored_count(&db) >= FILES);
    assert!(
        stored,
        "{} of {FILES} events stored in {:?}",
        stored_count(&db),
        start.elapsed()
    );
    // The reading output got every event, as auditd writes records.
    let every = wait_for(Duration::from_secs(10), || {
        std::fs::read_to_string(&got)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("type=SYSCALL msg=audit(") && l.ends_with("key=\"out\""))
            .count()
            >= FILES
    });
    assert!(every, "the reading plugin missed events");
    // The stalled one's overflow is loss data, of its own kind and name.
    let mut counted = 0;
    wait_for(Duration::from_secs(5), || {
        let loss = stdout(&search(&db, &["--loss"]).unwrap());
        counted = loss
            .lines()
            .filter(|l| l.contains(" output count=") && l.contains("output 20-stalled"))
            .filter_map(|l| {
                l.split(" count=")
                    .nth(1)?
                    .split(' ')
                    .next()?
                    .parse::<u64>()
                    .ok()
            })
            .sum::<u64>();
        counted as usize >= FILES - DEPTH - 500
    });
    // At most its depth and what its pipe holds went to it.
    assert!(
        counted as usize >= FILES - DEPTH - 500,
        "counted {counted} of {FILES}"
    );
    assert!(
        counted as usize <= FILES + 10,
        "counted {counted} of {FILES}"
    );
    let loss = stdout(&search(&db, &["--loss"]).unwrap());
    assert!(!loss.contains("output 10-reader"), "{loss}");
    assert!(!loss.contains("kernel_lost"), "{loss}");
    assert!(k.stop_daemon(daemon).success());
    assert_eq!(
        processes_with(&format!("sleep {token}")),
        Vec::<u32>::new(),
        "plugin outlived the daemon"
    );
}

#[test]
fn a_plugin_that_dies_is_restarted() {
    let Some(mut k) = kernel("a_plugin_that_dies_is_restarted") else {
        return;
    };
    let plugins = k.path("plugins.d");
    std::fs::create_dir(&plugins).unwrap();
    let got = k.path("got.log");
    // Takes one record line, then exits.
    let once = script(
        k.dir.path(),
        "once.sh",
        &format!("read line; echo \"$$ $line\" >> {}", got.display()),
    );
    plugin_conf(&plugins, "once", &once);
    let conf = config(&k, &plugins, "");
    let db = k.path("audit.db");
    let daemon = k.start_daemon(&db, &["--config", conf.to_str().unwrap()]);
    let mut pids = Vec::new();
    let restarted = wait_for(Duration::from_secs(20), || {
        ctl(&["-m", "raudit-restart-test"]);
        std::thread::sleep(Duration::from_millis(200));
        pids = std::fs::read_to_string(&got)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split(' ').next().map(String::from))
            .collect();
        pids.dedup();
        pids.len() >= 3
            && std::fs::read_to_string(&got)
                .unwrap_or_default()
                .contains("type=USER msg=audit(")
    });
    assert!(restarted, "runs: {pids:?}");
    let text = std::fs::read_to_string(&got).unwrap();
    assert!(text.contains("type=USER msg=audit("), "{text}");
    assert!(k.stop_daemon(daemon).success());
}
