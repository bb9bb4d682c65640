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

/// Watches a directory (key out) and writes `files` files in it: one
/// event each. When the writing started.
fn write_watched(k: &Kernel, files: usize) -> Instant {
    let watched = k.path("watched");
    std::fs::create_dir(&watched).unwrap();
    ctl(&["-w", watched.to_str().unwrap(), "-p", "w", "-k", "out"]);
    let start = Instant::now();
    for i in 0..files {
        std::fs::write(watched.join(format!("f{i}")), b"x").unwrap();
    }
    start
}

/// The events an output could not take, as the store recorded them.
fn output_loss(db: &Path, output: &str) -> u64 {
    let loss = stdout(&search(db, &["--loss"]).unwrap());
    loss.lines()
        .filter(|l| l.contains(" output count=") && l.contains(&format!("output {output}:")))
        .filter_map(|l| {
            l.split(" count=")
                .nth(1)?
                .split(' ')
                .next()?
                .parse::<u64>()
                .ok()
        })
        .sum()
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
    const FILES: usize = 3000;
    let start = write_watched(&k, FILES);
    // Storing that waited for the stalled program would never finish.
    let stored = wait_for(Duration::from_secs(120), || stored_count(&db) >= FILES);
    assert!(
        stored,
        "{} of {FILES} events stored in {:?}; loss: {}",
        stored_count(&db),
        start.elapsed(),
        stdout(&search(&db, &["--loss"]).unwrap())
    );
    // The reading output got every event, as auditd writes records, but
    // for what it skipped if it fell more than its depth behind (a busy
    // machine), which is counted: nothing goes missing unsaid.
    let raw = stdout(&search(&db, &["-k", "out", "--format", "raw"]).unwrap());
    let stored_lines: std::collections::HashSet<&str> = raw.lines().collect();
    let (mut received, mut skipped) = (0, 0);
    let accounted = wait_for(Duration::from_secs(30), || {
        let text = std::fs::read_to_string(&got).unwrap_or_default();
        let syscalls: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("type=SYSCALL msg=audit(") && l.ends_with("key=\"out\""))
            .collect();
        assert!(
            syscalls.iter().all(|l| stored_lines.contains(l)),
            "the plugin's input differs from the stored records"
        );
        received = syscalls.len();
        skipped = output_loss(&db, "10-reader");
        received + skipped as usize >= FILES
    });
    assert!(
        accounted,
        "reader: {received} received, {skipped} counted lost, of {FILES}"
    );
    // The stalled one's overflow is loss data, of its own kind and name.
    let mut counted = 0;
    wait_for(Duration::from_secs(5), || {
        counted = output_loss(&db, "20-stalled");
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

/// A real rsyslogd (Debian's package) on loopback, with its own config
/// and work directory, writing what it receives to `got` one message a
/// line: HOSTNAME MSGID STRUCTURED-DATA MSG. Stopped by its pid.
struct Rsyslog {
    child: std::process::Child,
    got: PathBuf,
}

impl Rsyslog {
    /// Listens on TCP at the returned port, and on a unix socket at
    /// `dir/log.sock`.
    fn start(dir: &Path) -> Option<(Rsyslog, u16)> {
        let rsyslogd = Path::new("/usr/sbin/rsyslogd");
        if !rsyslogd.exists() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "rsyslog is not installed"
            );
            eprintln!("skipping: rsyslog is not installed (apt-get install rsyslog)");
            return None;
        }
        let work = dir.join("rsyslog");
        std::fs::create_dir_all(&work).unwrap();
        // A port free a moment ago; rsyslog takes it at once.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let got = work.join("got.log");
        let conf = work.join("rsyslog.conf");
        std::fs::write(
            &conf,
            format!(
                "global(workDirectory=\"{work}\")\n\
                 module(load=\"imtcp\")\n\
                 module(load=\"imuxsock\" SysSock.Use=\"off\")\n\
                 template(name=\"each\" type=\"string\" string=\"%hostname% %msgid% %structured-data% %msg%\\n\")\n\
                 ruleset(name=\"keep\") {{ action(type=\"omfile\" file=\"{got}\" template=\"each\") }}\n\
                 input(type=\"imtcp\" address=\"127.0.0.1\" port=\"{port}\" ruleset=\"keep\")\n\
                 input(type=\"imuxsock\" socket=\"{work}/log.sock\" ruleset=\"keep\" useSpecialParser=\"off\")\n",
                work = work.display(),
                got = got.display(),
            ),
        )
        .unwrap();
        let child = std::process::Command::new(rsyslogd)
            .args(["-n", "-f"])
            .arg(&conf)
            .arg("-i")
            .arg(work.join("rsyslogd.pid"))
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("starting rsyslogd");
        let up = wait_for(Duration::from_secs(10), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
                && work.join("log.sock").exists()
        });
        assert!(up, "rsyslogd did not listen on {port}");
        Some((Rsyslog { child, got }, port))
    }

    fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(&self.got)
            .unwrap_or_default()
            .lines()
            .map(String::from)
            .collect()
    }
}

impl Drop for Rsyslog {
    fn drop(&mut self) {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        if wait_exit(&mut self.child, Duration::from_secs(10)).is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The serials of the stored SYSCALL events with key out.
fn stored_serials(db: &Path) -> Vec<u64> {
    let raw = stdout(&search(db, &["-k", "out", "-m", "SYSCALL", "--format", "raw"]).unwrap());
    let mut serials: Vec<u64> = raw
        .lines()
        .filter(|l| l.contains("type=SYSCALL "))
        .filter_map(|l| {
            l.split("msg=audit(")
                .nth(1)?
                .split(':')
                .nth(1)?
                .split(')')
                .next()?
                .parse()
                .ok()
        })
        .collect();
    serials.sort_unstable();
    serials
}

#[test]
fn rsyslog_receives_every_event_over_tcp() {
    let Some(mut k) = kernel("rsyslog_receives_every_event_over_tcp") else {
        return;
    };
    let Some((rsyslog, port)) = Rsyslog::start(k.dir.path()) else {
        return;
    };
    ctl(&["-b", "8192"]);
    let plugins = k.path("plugins.d");
    std::fs::create_dir(&plugins).unwrap();
    std::fs::write(
        plugins.join("syslog.conf"),
        format!("active = yes\ndirection = out\ntype = builtin\npath = builtin_syslog\nargs = tcp 127.0.0.1:{port} LOG_AUTHPRIV\nformat = string\n"),
    )
    .unwrap();
    // Deep enough that even a slow debug build on a busy machine skips
    // nothing: every event must arrive.
    let conf = config(
        &k,
        &plugins,
        "name_format = user\nname = raudit-node\nq_depth = 20000\n",
    );
    let db = k.path("audit.db");
    let daemon = k.start_daemon(&db, &["--config", conf.to_str().unwrap()]);
    const FILES: usize = 10_000;
    let start = write_watched(&k, FILES);
    let received = |r: &Rsyslog| -> Vec<u64> {
        let mut serials: Vec<u64> = r
            .lines()
            .iter()
            .filter(|l| {
                l.starts_with("raudit-node SYSCALL [audit@32473 ") && l.contains(" key=\"out\"]")
            })
            .filter_map(|l| l.split("serial=\"").nth(1)?.split('"').next()?.parse().ok())
            .collect();
        serials.sort_unstable();
        serials
    };
    let all = wait_for(Duration::from_secs(180), || {
        received(&rsyslog).len() >= FILES
    });
    let took = start.elapsed();
    let got = received(&rsyslog);
    assert!(all, "rsyslog received {} of {FILES}", got.len());
    assert_eq!(got, stored_serials(&db), "every stored event, once");
    eprintln!(
        "rsyslog_receives_every_event_over_tcp: {FILES} events stored and received in {took:.2?} ({:.0} events/s)",
        FILES as f64 / took.as_secs_f64()
    );
    // Each record is a message of its own, the record as auditd wrote it.
    let lines = rsyslog.lines();
    let path = lines
        .iter()
        .find(|l| l.starts_with("raudit-node PATH "))
        .expect("a PATH record");
    assert!(
        path.contains(" type=\"PATH\"") && path.contains("] node=raudit-node type=PATH msg=audit("),
        "{path}"
    );
    let loss = stdout(&search(&db, &["--loss"]).unwrap());
    assert!(!loss.contains("output"), "{loss}");
    assert!(k.stop_daemon(daemon).success());
}

#[test]
fn debians_audisp_syslog_plugin_runs_unchanged() {
    let Some(mut k) = kernel("debians_audisp_syslog_plugin_runs_unchanged") else {
        return;
    };
    let shipped = Path::new("/etc/audit/plugins.d/syslog.conf");
    if !Path::new("/sbin/audisp-syslog").exists() || !shipped.exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "audispd-plugins is not installed"
        );
        eprintln!("skipping debians_audisp_syslog_plugin_runs_unchanged: audispd-plugins is not installed");
        return;
    }
    let Some((rsyslog, _)) = Rsyslog::start(k.dir.path()) else {
        return;
    };
    // The package's own file, only switched on.
    let plugins = k.path("plugins.d");
    std::fs::create_dir(&plugins).unwrap();
    let text = std::fs::read_to_string(shipped)
        .unwrap()
        .replace("active = no", "active = yes");
    std::fs::write(plugins.join("syslog.conf"), text).unwrap();
    let conf = config(&k, &plugins, "");
    // audisp-syslog logs through syslog(3) to /dev/log: the daemon runs
    // in a mount namespace of its own whose /dev/log is rsyslog's socket.
    let realdev = k.path("realdev");
    let sock = k.path("rsyslog/log.sock");
    let setup = format!(
        "set -e; mkdir -p {real}; mount --bind /dev {real}; mount -t tmpfs tmpfs /dev; \
         for n in null zero full random urandom; do touch /dev/$n; mount --bind {real}/$n /dev/$n; done; \
         ln -s {sock} /dev/log; exec \"$@\"",
        real = realdev.display(),
        sock = sock.display()
    );
    let db = k.path("audit.db");
    let launcher = ["unshare", "-m", "sh", "-c", setup.as_str(), "sh"];
    let daemon = k.start_daemon_via(&launcher, &db, &["--config", conf.to_str().unwrap()]);
    ctl(&["-m", "raudit-audisp-marker"]);
    let mut lines = Vec::new();
    let logged = wait_for(Duration::from_secs(20), || {
        lines = rsyslog.lines();
        lines.iter().any(|l| l.contains("raudit-audisp-marker"))
    });
    assert!(logged, "audisp-syslog logged: {lines:#?}");
    let marker = lines
        .iter()
        .find(|l| l.contains("raudit-audisp-marker"))
        .unwrap();
    assert!(marker.contains("type=USER msg=audit("), "{marker}");
    assert!(k.stop_daemon(daemon).success());
}

#[test]
fn json_lines_are_the_search_json_of_every_event() {
    let Some(mut k) = kernel("json_lines_are_the_search_json_of_every_event") else {
        return;
    };
    ctl(&["-b", "8192"]);
    let plugins = k.path("plugins.d");
    std::fs::create_dir(&plugins).unwrap();
    let lines = k.path("json/events.json");
    std::fs::create_dir(lines.parent().unwrap()).unwrap();
    std::fs::write(
        plugins.join("json.conf"),
        format!(
            "active = yes\ntype = builtin\npath = builtin_json\nargs = file {} 1 3\n",
            lines.display()
        ),
    )
    .unwrap();
    let conf = config(&k, &plugins, "");
    let db = k.path("audit.db");
    let daemon = k.start_daemon(&db, &["--config", conf.to_str().unwrap()]);
    const FILES: usize = 1000;
    write_watched(&k, FILES);
    let stored = wait_for(Duration::from_secs(120), || stored_count(&db) >= FILES);
    assert!(
        stored,
        "{} of {FILES} stored; {}",
        stored_count(&db),
        k.diagnosis(daemon)
    );
    // The file and its rotations (1 MiB each), oldest first.
    let written = |path: &Path| -> Vec<serde_json::Value> {
        ["3", "2", "1", ""]
            .iter()
            .map(|n| match *n {
                "" => path.to_path_buf(),
                n => PathBuf::from(format!("{}.{n}", path.display())),
            })
            .flat_map(|p| {
                std::fs::read_to_string(p)
                    .unwrap_or_default()
                    .lines()
                    .map(|l| serde_json::from_str(l).unwrap())
                    .collect::<Vec<serde_json::Value>>()
            })
            .filter(|v| v["keys"] == serde_json::json!(["out"]))
            .collect()
    };
    let expected = search_json(&db, &["-k", "out"]);
    let mut got = Vec::new();
    let all = wait_for(Duration::from_secs(30), || {
        got = written(&lines);
        got.len() >= FILES
    });
    assert!(all, "{} of {FILES} written", got.len());
    assert_eq!(
        got, expected,
        "the same objects as raudit search --format json"
    );
    assert!(
        Path::new(&format!("{}.1", lines.display())).exists(),
        "rotated"
    );
    assert!(k.stop_daemon(daemon).success());
}
