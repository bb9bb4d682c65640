//! Shared harness for tests that drive the real kernel's audit subsystem.
//!
//! Kernel audit state is global to the machine, so every such test takes
//! one machine-wide file lock (test binaries and processes included), and a
//! guard restores what it found (rules, enabled flag, audit pid, daemons it
//! started) when it drops, on success and on panic alike.

#![allow(dead_code)]

pub mod clickhouse;
pub mod synth;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use nix::fcntl::{Flock, FlockArg};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use raudit::netlink::AuditSocket;
use raudit::wire::status::{mask, AuditStatus};

pub const BIN: &str = env!("CARGO_BIN_EXE_raudit");
const LOCK: &str = "/tmp/raudit-kernel-tests.lock";

/// Why the kernel tests cannot run here, if they cannot.
fn unavailable() -> Option<String> {
    if !nix::unistd::geteuid().is_root() {
        return Some("not root".into());
    }
    match AuditSocket::open().and_then(|mut s| s.get_status()) {
        Ok(_) => None,
        Err(e) => Some(format!("kernel audit unavailable: {e}")),
    }
}

pub struct Kernel {
    _lock: Flock<File>,
    found: AuditStatus,
    rules_before: Vec<Vec<u8>>,
    daemons: Vec<Child>,
    pub dir: tempfile::TempDir,
}

/// Takes the kernel for one test, or says in one line why it is skipped
/// (and fails instead under CI=true, where the real path must be proven).
pub fn kernel(test: &str) -> Option<Kernel> {
    if let Some(why) = unavailable() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{test}: kernel test cannot run in CI: {why}");
        }
        eprintln!("skipping {test}: {why}");
        return None;
    }
    let file = File::create(LOCK).expect("creating the kernel test lock");
    let lock = Flock::lock(file, FlockArg::LockExclusive).expect("locking the kernel");
    let mut sock = AuditSocket::open().expect("audit socket");
    let found = sock.get_status().expect("audit status");
    assert_eq!(
        found.pid, 0,
        "{test}: an audit daemon (pid {}) is registered; kernel tests need it stopped",
        found.pid
    );
    let rules_before = sock.list_rules().expect("listing rules");
    Some(Kernel {
        _lock: lock,
        found,
        rules_before,
        daemons: Vec::new(),
        dir: tempfile::tempdir().expect("temp dir"),
    })
}

impl Kernel {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Starts `raudit daemon` with extra arguments and waits until it has
    /// stored its DAEMON_START (so it is registered and recording).
    pub fn start_daemon(&mut self, db: &Path, extra: &[&str]) -> u32 {
        self.start_daemon_via(&[], db, extra)
    }

    /// As [`Kernel::start_daemon`], through `launcher`: a command that
    /// ends by exec'ing the command line given after its own arguments
    /// (so the daemon keeps the launcher's pid).
    pub fn start_daemon_via(&mut self, launcher: &[&str], db: &Path, extra: &[&str]) -> u32 {
        // Without --config a test daemon would read the machine's
        // /etc/raudit: give it one whose rules directory is this test's.
        let mut args: Vec<String> = vec!["daemon".into(), "--db".into(), db.display().to_string()];
        if !extra.contains(&"--config") {
            let conf = self.path("test-raudit.conf");
            let rules = self.path("rules.d");
            std::fs::create_dir_all(&rules).unwrap();
            std::fs::write(&conf, format!("rules_dir = {}\n", rules.display())).unwrap();
            args.extend(["--config".into(), conf.display().to_string()]);
        }
        let mut command = match launcher.split_first() {
            Some((program, launcher_args)) => {
                let mut c = Command::new(program);
                c.args(launcher_args).arg(BIN);
                c
            }
            None => Command::new(BIN),
        };
        let child = command
            .args(&args)
            .args(extra)
            .stdout(Stdio::null())
            .spawn()
            .expect("starting the daemon");
        let pid = child.id();
        self.daemons.push(child);
        let started = wait_for(Duration::from_secs(10), || {
            search(db, &["-m", "DAEMON_START", "--format", "json"])
                .map(|o| String::from_utf8_lossy(&o.stdout).contains(&format!("\"pid\":\"{pid}\"")))
                .unwrap_or(false)
        });
        assert!(started, "daemon {pid} did not record its start");
        pid
    }

    /// SIGTERM to a daemon this test started; returns its exit status.
    /// A daemon still running 20 s later fails the test (and is killed).
    pub fn stop_daemon(&mut self, pid: u32) -> std::process::ExitStatus {
        let i = self
            .daemons
            .iter()
            .position(|c| c.id() == pid)
            .expect("a daemon of this test");
        kill(Pid::from_raw(pid as i32), Signal::SIGTERM).expect("SIGTERM");
        let status = wait_exit(&mut self.daemons[i], Duration::from_secs(20));
        match status {
            Some(status) => {
                // Exited and reaped by wait_exit.
                let _ = self.daemons.remove(i).wait();
                status
            }
            None => panic!("daemon {pid} still running 20 s after SIGTERM"),
        }
    }

    /// SIGKILL to a daemon this test started (a crash, as far as the
    /// store can tell), reaped.
    pub fn kill_daemon(&mut self, pid: u32) {
        let i = self
            .daemons
            .iter()
            .position(|c| c.id() == pid)
            .expect("a daemon of this test");
        kill(Pid::from_raw(pid as i32), Signal::SIGKILL).expect("SIGKILL");
        let _ = self.daemons.remove(i).wait();
    }

    /// Starts a daemon expected to refuse to start; its exit status and
    /// stderr.
    pub fn daemon_refused(&mut self, db: &Path, extra: &[&str]) -> Output {
        let conf = self.path("test-raudit.conf");
        let rules = self.path("rules.d");
        std::fs::create_dir_all(&rules).unwrap();
        std::fs::write(&conf, format!("rules_dir = {}\n", rules.display())).unwrap();
        let child = Command::new(BIN)
            .args(["daemon", "--db"])
            .arg(db)
            .arg("--config")
            .arg(&conf)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting the daemon");
        let pid = child.id();
        self.daemons.push(child);
        let i = self.daemons.len() - 1;
        if wait_exit(&mut self.daemons[i], Duration::from_secs(10)).is_none() {
            panic!("daemon {pid} started where it should have refused");
        }
        self.daemons
            .remove(i)
            .wait_with_output()
            .expect("its output")
    }

    pub fn status(&self) -> AuditStatus {
        AuditSocket::open().unwrap().get_status().unwrap()
    }

    /// For a failure message: the kernel's audit state and what each
    /// thread of daemon `pid` is doing, so that a stall says where.
    pub fn diagnosis(&self, pid: u32) -> String {
        let mut out = match AuditSocket::open()
            .and_then(|mut s| Ok((s.get_status()?, s.list_rules()?.len())))
        {
            Ok((st, rules)) => format!(
                "kernel: enabled {} pid {} backlog {}/{} lost {} rules {rules}",
                st.enabled, st.pid, st.backlog, st.backlog_limit, st.lost
            ),
            Err(e) => format!("kernel status: {e}"),
        };
        // A process that has ended but is not reaped: how it ended (the
        // wait status, the last field of its stat).
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        if let Some(code) = stat
            .split(' ')
            .next_back()
            .and_then(|c| c.trim().parse::<i32>().ok())
        {
            if stat.contains(") Z ") {
                out.push_str(&format!("; daemon {pid} ended: wait status {code:#x}"));
            }
        }
        let tasks = format!("/proc/{pid}/task");
        for task in std::fs::read_dir(&tasks).into_iter().flatten().flatten() {
            let at = |f: &str| {
                std::fs::read_to_string(task.path().join(f))
                    .unwrap_or_default()
                    .trim()
                    .to_string()
            };
            let state = at("stat");
            let state = state
                .rsplit(") ")
                .next()
                .unwrap_or("")
                .split(' ')
                .next()
                .unwrap_or("");
            out.push_str(&format!("; {} {state} in {}", at("comm"), at("wchan")));
        }
        out
    }
}

impl Drop for Kernel {
    fn drop(&mut self) {
        for child in &mut self.daemons {
            let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM);
            // A daemon that does not stop (the bug a test found) must not
            // hang the guard: the kernel is released by killing it.
            if wait_exit(child, Duration::from_secs(20)).is_none() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        let Ok(mut sock) = AuditSocket::open() else {
            return;
        };
        if let Ok(rules) = sock.list_rules() {
            for r in rules.iter().filter(|r| !self.rules_before.contains(r)) {
                let _ = sock.delete_rule(r);
            }
        }
        let now = sock.get_status().unwrap_or_default();
        let mut restore = AuditStatus::default();
        if now.enabled != self.found.enabled && now.enabled != 2 {
            restore.mask |= mask::ENABLED;
            restore.enabled = self.found.enabled;
        }
        if now.backlog_limit != self.found.backlog_limit {
            restore.mask |= mask::BACKLOG_LIMIT;
            restore.backlog_limit = self.found.backlog_limit;
        }
        if now.backlog_wait_time != self.found.backlog_wait_time {
            restore.mask |= mask::BACKLOG_WAIT_TIME;
            restore.backlog_wait_time = self.found.backlog_wait_time;
        }
        // A daemon killed by a test leaves its pid registered until the
        // kernel next fails to reach it: give it back.
        if now.pid != 0 && !std::path::Path::new(&format!("/proc/{}", now.pid)).exists() {
            restore.mask |= mask::PID;
            restore.pid = 0;
        }
        if restore.mask != 0 {
            let _ = sock.set_status(&restore, "restoring audit state");
        }
    }
}

pub fn wait_for(limit: Duration, mut ok: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    ok()
}

pub fn raudit(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("running raudit")
}

/// `raudit ctl ARGS...`, which must succeed.
pub fn ctl(args: &[&str]) -> Output {
    let mut all = vec!["ctl"];
    all.extend_from_slice(args);
    let out = raudit(&all);
    assert!(
        out.status.success(),
        "raudit ctl {args:?}: {}",
        stderr(&out)
    );
    out
}

/// `raudit search --db DB ARGS...`; None when the database is not there yet.
pub fn search(db: &Path, args: &[&str]) -> Option<Output> {
    if !db.exists() {
        return None;
    }
    let mut all = vec!["search", "--db", db.to_str().unwrap()];
    all.extend_from_slice(args);
    Some(raudit(&all))
}

/// The JSON events a search prints.
pub fn search_json(db: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--format", "json"]);
    let out = search(db, &all).expect("database exists");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON event per line"))
        .collect()
}

/// Runs the binary as the unprivileged user `nobody` (uid and gid 65534,
/// no supplementary groups); `None`, said on stderr, when not root.
pub fn as_nobody(args: &[&str]) -> Option<Output> {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipping: switching to nobody needs root");
        return None;
    }
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(BIN)
        .args(args)
        .output()
        .expect("setpriv (util-linux)");
    Some(out)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Debian's ausearch, the oracle for search output; a test without it
/// skips with one line, and fails under CI=true.
pub fn ausearch() -> Option<std::path::PathBuf> {
    let found = ["/sbin/ausearch", "/usr/sbin/ausearch"]
        .iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.exists());
    if found.is_none() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("ausearch (Debian's auditd package) is needed in CI");
        }
        eprintln!("skipping: ausearch is not installed");
    }
    found
}

/// Debian's aureport, the oracle for reports; a test without it skips
/// with one line, and fails under CI=true.
pub const AUREPORT: &str = "/usr/sbin/aureport";

pub fn aureport() -> Option<PathBuf> {
    if Path::new(AUREPORT).exists() {
        return Some(PathBuf::from(AUREPORT));
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("aureport (Debian's auditd package) is needed in CI");
    }
    eprintln!("skipping: {AUREPORT} is not installed");
    None
}

/// Every report option (none: the overall summary).
pub const REPORTS: &[&[&str]] = &[
    &[],
    &["-a"],
    &["-au"],
    &["-c"],
    &["-cr"],
    &["-e"],
    &["-f"],
    &["-h"],
    &["-k"],
    &["-l"],
    &["-m"],
    &["-ma"],
    &["-n"],
    &["-p"],
    &["-r"],
    &["-s"],
    &["-t"],
    &["-tm"],
    &["-u"],
    &["-x"],
    &["--comm"],
    &["--virt"],
    &["--integrity"],
    &["--tty"],
];

/// What must agree with an oracle: stdout and the exit code.
pub fn outcome(o: &Output) -> (String, Option<i32>) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        o.status.code(),
    )
}

/// Runs `oracle -if LOG FLAGS` and `raudit COMMAND` with the same flags
/// over the database the log was imported into and over the log itself;
/// returns the comparisons that differ, each with its first difference.
pub fn against_oracle(
    oracle: &Path,
    command: &str,
    (log, db): (&Path, &Path),
    flags: &[&str],
) -> Vec<String> {
    let log_arg = log.to_str().unwrap();
    let expected = outcome(&run_utc_c(oracle, &[&["-if", log_arg][..], flags].concat()));
    let mut failures = Vec::new();
    for input in [["--db", db.to_str().unwrap()], ["-if", log_arg]] {
        let got = outcome(&run_utc_c(
            Path::new(BIN),
            &[&[command][..], &input, flags].concat(),
        ));
        if got != expected {
            let name = oracle.file_name().unwrap().to_string_lossy();
            failures.push(format!(
                "{} {command} {input:?} {flags:?}:\n{}",
                log.file_name().unwrap().to_string_lossy(),
                first_difference(&name, &expected.0, &got.0)
            ));
        }
    }
    failures
}

/// Stores every event of an auditd log in a database with `raudit import`.
pub fn import_log(log: &Path, db: &Path) {
    let out = Command::new(BIN)
        .args(["import", "--quiet", "--db"])
        .arg(db)
        .arg(log)
        .output()
        .expect("running raudit import");
    assert!(
        out.status.success(),
        "import {}: {}",
        log.display(),
        stderr(&out)
    );
}

/// The first line where two outputs differ, with both line counts: enough
/// to see what went wrong. `oracle`: the name of the tool that printed
/// `expected`.
pub fn first_difference(oracle: &str, expected: &str, got: &str) -> String {
    let (e, g): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), got.lines().collect());
    let at = e
        .iter()
        .zip(&g)
        .position(|(a, b)| a != b)
        .unwrap_or(e.len().min(g.len()));
    let pad = " ".repeat(oracle.len().saturating_sub(6));
    format!(
        "  line {}: {oracle} {:?}\n  line {}: raudit{pad}   {:?}\n  ({} vs {} lines)",
        at + 1,
        e.get(at),
        at + 1,
        g.get(at),
        e.len(),
        g.len()
    )
}

/// A directory `log` in `dir` holding the three oracle logs as audit.log
/// and two rotations (oldest: syscalls.log).
pub fn rotated_logs(dir: &Path) -> PathBuf {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let logs = dir.join("log");
    std::fs::create_dir(&logs).unwrap();
    for (from, to) in [
        ("oracle/syscalls.log", "audit.log.2"),
        ("oracle/misc.log", "audit.log.1"),
        ("oracle/enriched.log", "audit.log"),
    ] {
        std::fs::copy(data.join(from), logs.join(to)).unwrap();
    }
    logs
}

/// Runs a program in UTC and the C locale, the setting the oracle tests
/// compare outputs in.
pub fn run_utc_c(program: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", program.display()))
}

/// Waits up to `limit` for a child to exit.
pub fn wait_exit(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// A tmpfs of `mib` MiB mounted on `dir` for one test, unmounted (lazily,
/// if something still holds it) when dropped, also when the test fails.
pub struct Tmpfs(pub PathBuf);

impl Tmpfs {
    pub fn mount(dir: &Path, mib: u32) -> Tmpfs {
        std::fs::create_dir_all(dir).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o"])
            .arg(format!("size={mib}m,mode=0700"))
            .args(["tmpfs"])
            .arg(dir)
            .output()
            .expect("running mount");
        assert!(out.status.success(), "mount tmpfs: {}", stderr(&out));
        Tmpfs(dir.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).output();
    }
}
