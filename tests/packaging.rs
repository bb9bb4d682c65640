//! What ships besides the binary, and the names it answers to:
//! - the clap definition is sound, and the committed man pages and shell
//!   completions are what it generates now (`RAUDIT_REGENERATE=1 cargo test
//!   --test packaging` rewrites them; review the diff);
//! - every man page renders without a groff warning;
//! - invoked as ausearch, auditctl or aureport through a link, the binary
//!   behaves as `raudit search`, `raudit ctl` or `raudit report`.
//!
//! The .deb itself is built, installed and purged by tests/packaging.sh.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_raudit");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn regenerate() -> bool {
    std::env::var("RAUDIT_REGENERATE").as_deref() == Ok("1")
}

fn generate(what: &str, dir: &Path) {
    let status = Command::new(BIN)
        .args(["generate", what])
        .arg(dir)
        .status()
        .unwrap();
    assert!(status.success(), "raudit generate {what} failed");
}

/// The generated files of a directory (not its `src/`, the hand-written
/// parts they are made from).
fn files(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| keep(n))
        .collect();
    names.sort();
    names
}

/// Compares a fresh generation with the committed directory, or rewrites
/// it under RAUDIT_REGENERATE=1.
fn check_current(what: &str, committed: &str, keep: fn(&str) -> bool) {
    let committed = repo().join(committed);
    if regenerate() {
        for old in files(&committed, keep) {
            std::fs::remove_file(committed.join(old)).unwrap();
        }
        generate(what, &committed);
        return;
    }
    let fresh = tempfile::tempdir().unwrap();
    generate(what, fresh.path());
    let hint = "run `RAUDIT_REGENERATE=1 cargo test --test packaging` and review the diff";
    assert_eq!(
        files(fresh.path(), keep),
        files(&committed, keep),
        "{what}: {hint}"
    );
    for name in files(fresh.path(), keep) {
        let want = std::fs::read(fresh.path().join(&name)).unwrap();
        let have = std::fs::read(committed.join(&name)).unwrap();
        assert!(
            want == have,
            "{}/{name} is stale: {hint}",
            committed.display()
        );
    }
}

fn is_page(name: &str) -> bool {
    [".5", ".7", ".8"].iter().any(|s| name.ends_with(s))
}

#[test]
fn the_command_definition_is_sound() {
    raudit::cli::command().debug_assert();
}

#[test]
fn committed_man_pages_are_current() {
    check_current("man", "man", is_page);
}

#[test]
fn committed_completions_are_current() {
    check_current("completions", "completions", |_| true);
}

/// A tool the test needs; missing is a skip, except under CI=true.
fn have(tool: &str, test: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{test}: {tool} is missing in CI"
        );
        eprintln!("skipping {test}: {tool} is not installed");
    }
    found
}

#[test]
fn man_pages_render_without_warnings() {
    if !have("groff", "man_pages_render_without_warnings") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    generate("man", dir.path());
    let pages = files(dir.path(), is_page);
    assert!(pages.len() >= 6, "{pages:?}");
    for page in pages {
        let out = Command::new("groff")
            .args(["-ww", "-man", "-z"])
            .arg(dir.path().join(&page))
            .output()
            .unwrap();
        let warnings = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && warnings.is_empty(),
            "{page}:\n{warnings}"
        );
    }
}

/// A database holding two events, keys `shadow` and `other`, made without
/// a daemon: log lines through the parser, the assembler and the writer.
fn database(dir: &Path) -> PathBuf {
    use raudit::event::Assembler;
    let lines = [
        r#"type=SYSCALL msg=audit(1700000000.100:100): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffd a2=0 a3=0 items=1 ppid=1 pid=4242 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm="cat" exe="/usr/bin/cat" key="shadow""#,
        r#"type=CWD msg=audit(1700000000.100:100): cwd="/root""#,
        r#"type=PATH msg=audit(1700000000.100:100): item=0 name="/etc/shadow" inode=1 dev=08:01 mode=0100640 ouid=0 ogid=42 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0"#,
        r#"type=EOE msg=audit(1700000000.100:100): "#,
        r#"type=SYSCALL msg=audit(1700000001.200:101): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=1 ppid=1 pid=4243 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm="ls" exe="/usr/bin/ls" key="other""#,
        r#"type=EOE msg=audit(1700000001.200:101): "#,
    ];
    let mut assembler = Assembler::new(std::time::Duration::from_secs(1));
    let mut events: Vec<_> = lines
        .iter()
        .filter_map(|l| assembler.push(raudit::record::parse_log_line(l), Instant::now()))
        .collect();
    events.extend(assembler.flush().0);
    assert_eq!(events.len(), 2);
    let db = dir.join("audit.db");
    let mut writer = raudit::store::Writer::open(&db).unwrap();
    writer.write(&events, &[]).unwrap();
    db
}

fn link(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::os::unix::fs::symlink(BIN, &path).unwrap();
    path
}

fn output(program: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(program).args(args).output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn ausearch_through_a_link_is_raudit_search() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let db = db.to_str().unwrap();
    let ausearch = link(dir.path(), "ausearch");
    let cases: [&[&str]; 4] = [
        &["-k", "shadow"],
        &["-k", "shadow", "--raw"],
        &["-f", "/etc/shadow", "-ts", "11/14/23", "00:00:00"],
        &["-k", "no-such-key"],
    ];
    for args in cases {
        let via_link = output(&ausearch, &[args, &["--db", db]].concat());
        let translated: Vec<&str> = args
            .iter()
            .map(|a| match *a {
                "-ts" => "--start",
                other => other,
            })
            .collect();
        let direct = output(
            Path::new(BIN),
            &[&["search"], &translated[..], &["--db", db]].concat(),
        );
        assert_eq!(via_link, direct, "ausearch {args:?}");
    }
    let (code, out, _) = output(&ausearch, &["-k", "shadow", "--db", db]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("key=\"shadow\"") && !out.contains("key=\"other\""),
        "{out}"
    );
}

#[test]
fn auditctl_through_a_link_is_raudit_ctl() {
    // -v needs no kernel, so this runs anywhere and changes nothing.
    let dir = tempfile::tempdir().unwrap();
    let auditctl = link(dir.path(), "auditctl");
    let via_link = output(&auditctl, &["-v"]);
    assert_eq!(via_link.0, Some(0));
    assert_eq!(via_link, output(Path::new(BIN), &["ctl", "-v"]));
}

#[test]
fn aureport_through_a_link_is_raudit_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let db = db.to_str().unwrap();
    let aureport = link(dir.path(), "aureport");
    let cases: [(&[&str], &[&str]); 5] = [
        (&[], &[]),
        (&["-k"], &["-k"]),
        (&["-f", "-i"], &["-f", "-i"]),
        (&["-au"], &["--auth"]),
        (
            &["-e", "--summary", "-ts", "11/14/23"],
            &["-e", "--summary", "--start", "11/14/23"],
        ),
    ];
    for (args, translated) in cases {
        let via_link = output(&aureport, &[args, &["--db", db]].concat());
        let direct = output(
            Path::new(BIN),
            &[&["report"], translated, &["--db", db]].concat(),
        );
        assert_eq!(via_link, direct, "aureport {args:?}");
    }
    let (code, out, _) = output(&aureport, &["-k", "--db", db]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("Key Report") && out.contains(" shadow "),
        "{out}"
    );
}

/// What bash offers for the words of a command line (the last one being
/// completed), through the committed completion script, with this build
/// of raudit first on PATH.
fn bash_completes(words: &[&str]) -> Vec<String> {
    let script = format!(
        "source {}/completions/raudit
         COMP_WORDS=({})
         COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
         _raudit_more raudit \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\" 2>/dev/null
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        repo().display(),
        words
            .iter()
            .map(|w| format!("'{w}'"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["--norc", "-c", &script])
        .env("PATH", path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// `raudit ctl -<TAB>` offers auditctl's options, -m record types, -ui
/// users, --syscall syscall names, -k the keys of the database named.
#[test]
fn bash_completes_ctl_options_types_users_syscalls_and_keys() {
    // Under RAUDIT_REGENERATE the script is being rewritten beside us.
    let test = "bash_completes_ctl_options_types_users_syscalls_and_keys";
    if regenerate() || !have("bash", test) {
        return;
    }
    let ctl = bash_completes(&["raudit", "ctl", "-"]);
    for option in ["-a", "-w", "-F", "-R", "-l", "-s", "--signal"] {
        assert!(ctl.contains(&option.to_string()), "{option}: {ctl:?}");
    }
    assert_eq!(
        bash_completes(&["raudit", "ctl", "-F", "saddr"]),
        ["saddr_fam="]
    );
    assert_eq!(
        bash_completes(&["raudit", "ctl", "-a", "never,exc"]),
        ["never,exclude"]
    );
    // -e 2 would lock the kernel's audit configuration: never offered.
    assert_eq!(bash_completes(&["raudit", "ctl", "-e", ""]), ["0", "1"]);
    assert_eq!(
        bash_completes(&["raudit", "search", "-m", "SYSCALL,PATH,CW"]),
        ["SYSCALL,PATH,CWD"]
    );
    assert_eq!(
        bash_completes(&["raudit", "search", "--syscall", "execv"]),
        ["execve", "execveat"]
    );
    assert!(bash_completes(&["raudit", "search", "-t"]).contains(&"-ts".to_string()));
    // Users are this machine's: the same as bash's own user completion.
    let users = Command::new("bash")
        .args(["--norc", "-c", "compgen -u"])
        .output()
        .unwrap();
    let mut users: Vec<String> = String::from_utf8_lossy(&users.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    let mut offered = bash_completes(&["raudit", "search", "-ui", ""]);
    users.sort();
    offered.sort();
    assert_eq!(offered, users);
    // Keys: those stored in the database --db names.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let log = repo().join("tests/data/oracle/syscalls.log");
    let imported = Command::new(BIN)
        .args(["import", "-q", "--db"])
        .arg(&db)
        .arg(&log)
        .status()
        .unwrap();
    assert!(imported.success());
    let listed = Command::new(BIN)
        .args(["search", "--db", db.to_str().unwrap(), "--list-keys"])
        .output()
        .unwrap();
    let keys: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!keys.is_empty());
    for key in &keys {
        assert!(text.contains(&format!("key=\"{key}\"")), "{key}");
    }
    let offered = bash_completes(&["raudit", "search", "--db", db.to_str().unwrap(), "-k", ""]);
    assert_eq!(offered, keys);
}
