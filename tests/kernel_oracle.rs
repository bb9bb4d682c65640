//! The same kernel events recorded at once by Debian's auditd (its log)
//! and by `raudit daemon --observe` (its database), then searched with the
//! same flags by `ausearch -if LOG` and `raudit search`: every output must
//! be byte-identical and every exit code the same.
//!
//! The workload runs as children of this test, which the syscall rules
//! select by ppid: file operations under a watch, execs with long argument
//! lists, failed opens, TCP and unix-socket connects, a user message and
//! rule changes. Both sides are searched within the workload's seconds
//! (-ts/-te added to every flag set), where the two daemons' own records
//! are not.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::TimeZone;
use common::*;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

const AUDITD: &str = "/usr/sbin/auditd";

/// auditd started by this test for its duration; stopped by its pid, also
/// when the test fails.
struct Auditd {
    child: Option<Child>,
    log: PathBuf,
}

impl Auditd {
    fn start(k: &Kernel, dir: &Path) -> Auditd {
        let conf = dir.join("conf");
        let logs = dir.join("log");
        std::fs::create_dir_all(conf.join("plugins.d")).unwrap();
        std::fs::create_dir_all(&logs).unwrap();
        let log = logs.join("audit.log");
        let text = format!(
            "local_events = yes\nwrite_logs = yes\nlog_file = {}\nlog_format = RAW\n\
             flush = INCREMENTAL_ASYNC\nfreq = 50\nmax_log_file = 100\nnum_logs = 2\n\
             max_log_file_action = IGNORE\nname_format = NONE\nspace_left = 2\n\
             space_left_action = IGNORE\nadmin_space_left = 1\n\
             admin_space_left_action = IGNORE\ndisk_full_action = IGNORE\n\
             disk_error_action = IGNORE\nplugin_dir = {}\n",
            log.display(),
            conf.join("plugins.d").display()
        );
        let file = conf.join("auditd.conf");
        std::fs::write(&file, text).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        let child = Command::new(AUDITD)
            .args(["-n", "-c"])
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting auditd");
        let pid = child.id();
        let auditd = Auditd {
            child: Some(child),
            log,
        };
        assert!(
            wait_for(Duration::from_secs(10), || k.status().pid == pid),
            "auditd {pid} did not register"
        );
        auditd
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM);
            let _ = child.wait();
        }
    }
}

impl Drop for Auditd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Runs one workload command as a child of this test, whatever its exit.
fn child(program: &str, args: &[&str]) {
    let _ = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("running {program}: {e}"));
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Sleeps into the next second: what follows has a later timestamp than
/// anything before.
fn next_second() -> i64 {
    let start = now_secs();
    while now_secs() == start {
        std::thread::sleep(Duration::from_millis(20));
    }
    now_secs()
}

/// `MM/DD/YY HH:MM:SS` in UTC, as both tools read -ts/-te under LC_ALL=C.
fn date_time(secs: i64) -> [String; 2] {
    let t = chrono::Utc.timestamp_opt(secs, 0).unwrap();
    [
        t.format("%m/%d/%y").to_string(),
        t.format("%H:%M:%S").to_string(),
    ]
}

/// Everything the workload touches and what the flags refer to.
struct Workload {
    watched: PathBuf,
    secret: PathBuf,
    socket: PathBuf,
}

fn run_workload(w: &Workload, listener: &TcpListener) {
    let d = |name: &str| w.watched.join(name).display().to_string();
    child("touch", &[&d("a")]);
    child("cp", &[&d("a"), &d("b")]);
    child("mv", &[&d("b"), &d("c")]);
    child("chmod", &["600", &d("c")]);
    child("ln", &["-s", &d("c"), &d("link")]);
    child("cat", &[&d("link")]);
    child("mkdir", &[&d("sub")]);
    child("rmdir", &[&d("sub")]);
    child("rm", &["-f", &d("a"), &d("c"), &d("link")]);
    // Failed opens: a missing file, and a root-only file as uid 1000.
    child("cat", &[&d("missing")]);
    let secret = w.secret.display().to_string();
    child(
        "setpriv",
        &[
            "--reuid=1000",
            "--regid=1000",
            "--clear-groups",
            "cat",
            &secret,
        ],
    );
    // Execs with long argument lists: many arguments, and one longer than
    // the kernel logs in one piece (it splits it into a0[0], a0[1], ...).
    let many: Vec<String> = (0..150).map(|i| format!("arg{i}")).collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    child("true", &refs);
    let long = "x".repeat(10_000);
    child("true", &["short", &long, "with space", "tab\there"]);
    // Sockets: a TCP connect that succeeds, one refused, a unix one to a
    // missing path.
    let port = listener.local_addr().unwrap().port().to_string();
    let tcp = "use Socket; socket(S, PF_INET, SOCK_STREAM, 0); \
               connect(S, sockaddr_in($ARGV[0], inet_aton('127.0.0.1')));";
    child("perl", &["-e", tcp, &port]);
    child("perl", &["-e", tcp, "1"]);
    let unix = "use Socket; socket(S, PF_UNIX, SOCK_STREAM, 0); \
                connect(S, pack_sockaddr_un($ARGV[0]));";
    child("perl", &["-e", unix, &w.socket.display().to_string()]);
    // A user message.
    ctl(&["-m", "oracle workload done"]);
}

/// Flag sets compared; `{W}` is the watched directory, `{SECRET}` the
/// root-only file, `{SOCK}` the unix socket path, `{PPID}` this test's pid.
const FLAGS: &[&[&str]] = &[
    &["-k", "files"],
    &["-k", "exec"],
    &["-k", "net"],
    &["-k", "failed"],
    &["-k", "fil"],
    &["-w", "-k", "fil"],
    &["-w", "-k", "files"],
    &["-k", "nosuch"],
    &["-m", "SYSCALL"],
    &["-m", "CONFIG_CHANGE"],
    &["-m", "USER"],
    &["-m", "EXECVE"],
    &["-m", "SOCKADDR"],
    &["-m", "PATH"],
    &["-m", "CWD"],
    &["-m", "PROCTITLE"],
    &["-m", "user,config_change"],
    &["-m", "1300"],
    &["-m", "ALL"],
    &["-sc", "openat"],
    &["-sc", "execve"],
    &["-sc", "connect"],
    &["-sc", "unlinkat"],
    &["-sc", "257"],
    &["-sc", "openat", "--arch", "b64"],
    &["--arch", "x86_64"],
    &["-sv", "yes"],
    &["-sv", "no"],
    &["-e", "-2"],
    &["-e", "-13"],
    &["-e", "0"],
    &["-ui", "0"],
    &["-ui", "1000"],
    &["-ue", "1000"],
    &["-ua", "1000"],
    &["-ui", "4242"],
    &["-gi", "0"],
    &["-ge", "1000"],
    &["-ga", "1000"],
    &["-pp", "{PPID}"],
    &["-f", "{W}"],
    &["-f", "{W}/c"],
    &["-f", "{SECRET}"],
    &["-f", "{SOCK}"],
    &["-w", "-f", "{W}/a"],
    &["-f", "missing"],
    &["-x", "cat"],
    &["-x", "/usr/bin/perl"],
    &["-w", "-x", "cat"],
    &["-c", "cat"],
    &["-c", "mv"],
    &["-c", "perl"],
    &["-k", "exec", "-ui", "0"],
    &["-k", "files", "-sc", "openat"],
    &["-k", "net", "-sv", "no"],
    &["-k", "net", "-sv", "yes"],
    &["-k", "failed", "-e", "-13"],
    &["-m", "SYSCALL", "-sv", "no"],
    &["-ui", "1000", "-sv", "no"],
    &["-x", "cat", "-k", "files"],
    &["-c", "cat", "-sc", "openat"],
    &["-m", "PATH", "-f", "{W}/c"],
    &["-m", "USER", "-ui", "0"],
    &["-m", "EXECVE", "-k", "exec"],
    &["--just-one", "-k", "files"],
];

const FORMS: &[&[&str]] = &[
    &[],
    &["-r"],
    &["-i"],
    &["--format", "csv"],
    &["--format", "text"],
];

fn outcome(o: &Output) -> (String, Option<i32>) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        o.status.code(),
    )
}

#[test]
fn search_agrees_with_ausearch_on_events_recorded_by_both() {
    let Some(mut k) = kernel("search_agrees_with_ausearch_on_events_recorded_by_both") else {
        return;
    };
    let Some(ausearch) = ausearch() else { return };
    assert!(
        Path::new(AUDITD).exists() || std::env::var("CI").as_deref() != Ok("true"),
        "auditd (Debian's auditd package) is needed in CI"
    );
    if !Path::new(AUDITD).exists() {
        eprintln!("skipping: {AUDITD} is not installed");
        return;
    }
    let work = k.path("work");
    let watched = work.join("watched");
    std::fs::create_dir_all(&watched).unwrap();
    // Searchable by uid 1000 down to the root-only file.
    use std::os::unix::fs::PermissionsExt;
    for dir in [k.dir.path(), work.as_path()] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let secret = work.join("secret");
    std::fs::write(&secret, b"s").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let w = Workload {
        watched: watched.clone(),
        secret,
        socket: work.join("missing.sock"),
    };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();

    let mut auditd = Auditd::start(&k, &k.path("auditd"));
    let db = k.path("raudit.db");
    let observer = k.start_daemon(&db, &["--observe"]);
    let start = next_second();
    let ppid = std::process::id().to_string();
    let watch = watched.display().to_string();
    ctl(&["-w", &watch, "-p", "rwxa", "-k", "files"]);
    for (syscall, extra, key) in [
        ("execve", "", "exec"),
        ("connect", "", "net"),
        ("openat", "-F success=0", "failed"),
    ] {
        let ppid_field = format!("ppid={ppid}");
        // The observer is a child of this test too: its own reads of /proc
        // (the cgroup of each event's process, failing once that process
        // has exited) would be audited, racing with the workload's events.
        // Events whose records interleave are stored in the order of their
        // first record, while ausearch prints them in the order they end.
        let not_observer = format!("pid!={observer}");
        let mut rule = vec!["-a", "always,exit", "-F", "arch=b64", "-S", syscall];
        rule.extend(["-F", &ppid_field, "-F", &not_observer]);
        rule.extend(extra.split_whitespace());
        rule.extend(["-k", key]);
        ctl(&rule);
    }
    run_workload(&w, &listener);
    // A rule removed: a CONFIG_CHANGE of its own.
    ctl(&["-W", &watch, "-p", "rwxa", "-k", "files"]);
    let end = now_secs();
    next_second();
    std::thread::sleep(Duration::from_millis(300));
    assert!(k.stop_daemon(observer).success());
    auditd.stop();

    let window: Vec<String> = [
        vec!["-ts".to_string()],
        date_time(start).to_vec(),
        vec!["-te".to_string()],
        date_time(end).to_vec(),
    ]
    .concat();
    let log = auditd.log.display().to_string();
    let sock = w.socket.display().to_string();
    let secret = w.secret.display().to_string();
    let mut failures = Vec::new();
    let mut runs = 0;
    for flags in FLAGS {
        let flags: Vec<String> = flags
            .iter()
            .map(|f| {
                f.replace("{W}", &watch)
                    .replace("{SECRET}", &secret)
                    .replace("{SOCK}", &sock)
                    .replace("{PPID}", &ppid)
            })
            .collect();
        for form in FORMS {
            let args: Vec<&str> = flags
                .iter()
                .map(String::as_str)
                .chain(form.iter().copied())
                .chain(window.iter().map(String::as_str))
                .collect();
            let expected = outcome(&run_utc_c(&ausearch, &[&["-if", &log][..], &args].concat()));
            let db = db.display().to_string();
            let got = outcome(&run_utc_c(
                Path::new(BIN),
                &[&["search", "--db", &db][..], &args].concat(),
            ));
            runs += 1;
            if expected != got {
                failures.push(format!(
                    "{args:?}: exit {:?} vs {:?}\n{}",
                    expected.1,
                    got.1,
                    first_difference("ausearch", &expected.0, &got.0)
                ));
            }
        }
    }
    // The workload must have been seen: the matrix is not all "no matches".
    let files = run_utc_c(&ausearch, &["-if", &log, "-k", "files"]);
    assert!(files.status.success(), "auditd recorded no watched event");
    assert!(
        failures.is_empty(),
        "{} of {runs} searches differ from ausearch:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
