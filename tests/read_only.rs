//! Readers (search, report) never write a database, and read one wherever
//! it can only be read: on a read-only mount, with or without a writer's
//! log beside it, and as a user who does not own it. What they cannot read
//! they name: permission denied, not a database, an older schema.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{as_nobody, raudit, stderr, stdout, BIN};

const LOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/oracle/misc.log");

/// Whether this test can run (root: mounts, other users); a skip is said
/// in one line, and fails under CI=true.
fn root(test: &str) -> bool {
    if nix::unistd::geteuid().is_root() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{test} needs root in CI"
    );
    eprintln!("skipping {test}: not root");
    false
}

/// A directory anyone may enter (tempfile makes them 0700).
fn open_dir(parent: &Path, name: &str, mode: u32) -> PathBuf {
    let dir = parent.join(name);
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(mode)).unwrap();
    dir
}

/// `dir/audit.db`, holding LOG's events, closed cleanly (no -wal left).
fn imported(dir: &Path) -> PathBuf {
    let db = dir.join("audit.db");
    common::import_log(Path::new(LOG), &db);
    assert!(!dir.join("audit.db-wal").exists());
    db
}

/// Every file of a directory with its bytes.
fn listing(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.clone(), std::fs::read(&p).unwrap_or_default()))
        .collect();
    files.sort();
    files
}

/// What `raudit search -i` prints for LOG, read straight from the log.
fn expected_search() -> String {
    let out = raudit(&["search", "-if", LOG, "-i"]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

/// `raudit ARGS... --db MNT/audit.db` in a mount namespace of its own
/// where MNT is SRC mounted read-only; the mount goes with the namespace.
fn on_read_only_mount(src: &Path, mnt: &Path, args: &[&str]) -> Output {
    let script = r#"mount --bind "$SRC" "$MNT"
mount -o remount,bind,ro "$MNT"
exec "$RAUDIT" "$@" --db "$MNT/audit.db""#;
    Command::new("unshare")
        .args([
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-ec",
            script,
            "sh",
        ])
        .args(args)
        .env("SRC", src)
        .env("MNT", mnt)
        .env("RAUDIT", BIN)
        .output()
        .expect("unshare (util-linux)")
}

/// A temporary directory with `src` (the database's) and `mnt` in it.
fn mount_dirs() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let src = open_dir(tmp.path(), "src", 0o755);
    let mnt = open_dir(tmp.path(), "mnt", 0o755);
    (tmp, src, mnt)
}

#[test]
fn a_database_on_a_read_only_mount_is_read() {
    if !root("a_database_on_a_read_only_mount_is_read") {
        return;
    }
    let (_tmp, src, mnt) = mount_dirs();
    imported(&src);
    let before = listing(&src);
    let out = on_read_only_mount(&src, &mnt, &["search", "-i"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), expected_search());
    let out = on_read_only_mount(&src, &mnt, &["report", "-x", "--summary"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("/usr/bin/"), "{}", stdout(&out));
    assert!(listing(&src) == before, "the database changed");
}

/// One event with key `hot`, written after the import.
fn hot_event() -> raudit::event::Event {
    let line = "type=SYSCALL msg=audit(1700000000.123:999999): arch=c000003e syscall=2 \
                success=yes exit=3 a0=1 a1=0 a2=0 a3=0 items=0 ppid=1 pid=2 auid=0 uid=0 \
                gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 \
                comm=\"cat\" exe=\"/usr/bin/cat\" key=\"hot\"";
    let record = raudit::record::parse_log_line(line);
    raudit::event::Event {
        id: record.id,
        node: None,
        records: vec![record],
    }
}

/// With a writer running, the newest events are only in the log beside
/// the database: a read-only mount shows them, through the writer's own
/// index. A copy of the log without its index cannot be read on read-only
/// media, and the error says what to do.
#[test]
fn a_hot_database_on_a_read_only_mount_is_read_with_its_log() {
    if !root("a_hot_database_on_a_read_only_mount_is_read_with_its_log") {
        return;
    }
    let (tmp, src, mnt) = mount_dirs();
    let db = imported(&src);
    let mut writer = raudit::store::Writer::open(&db).unwrap();
    writer.write(&[hot_event()], &[]).unwrap();
    let wal = src.join("audit.db-wal");
    assert!(std::fs::metadata(&wal).unwrap().len() > 0);
    let out = on_read_only_mount(&src, &mnt, &["search", "-k", "hot", "-r"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));

    let copy = open_dir(tmp.path(), "copy", 0o755);
    std::fs::copy(&db, copy.join("audit.db")).unwrap();
    std::fs::copy(&wal, copy.join("audit.db-wal")).unwrap();
    drop(writer);
    let out = on_read_only_mount(&copy, &mnt, &["search", "-k", "hot"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("-shm is missing and cannot be created here"),
        "{err}"
    );
    assert!(!copy.join("audit.db-shm").exists());
}

/// A copy owned by root, readable by all, is read by `nobody` whether or
/// not its directory lets `nobody` create files, and nothing is created.
#[test]
fn another_users_copy_is_read_and_left_as_it_was() {
    if !root("another_users_copy_is_read_and_left_as_it_was") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let expected = expected_search();
    for mode in [0o755, 0o777] {
        // Written where a writer may write, then opened up as a copy
        // handed to others would be.
        let dir = open_dir(tmp.path(), &format!("copy-{mode:o}"), 0o700);
        let db = imported(&dir);
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(mode)).unwrap();
        let before = listing(&dir);
        let db = db.to_str().unwrap();
        let out = as_nobody(&["search", "--db", db, "-i"]).unwrap();
        assert!(out.status.success(), "{mode:o}: {}", stderr(&out));
        assert_eq!(stdout(&out), expected, "{mode:o}");
        let out = as_nobody(&["report", "--db", db, "-x", "--summary"]).unwrap();
        assert!(out.status.success(), "{mode:o}: {}", stderr(&out));
        assert!(listing(&dir) == before, "{mode:o}: the directory changed");
    }
}

fn one_line_error(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "{}", stdout(out));
    let err = stderr(out);
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

#[test]
fn permission_denied_is_named_as_such() {
    if !root("permission_denied_is_named_as_such") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let private = open_dir(tmp.path(), "private", 0o700);
    let db = imported(&private);
    let out = as_nobody(&["search", "--db", db.to_str().unwrap()]).unwrap();
    assert_eq!(
        one_line_error(&out),
        format!(
            "raudit: database {}: permission denied on {}; run as root, or as a user \
             allowed to read it\n",
            db.display(),
            private.display()
        )
    );

    let open = open_dir(tmp.path(), "open", 0o755);
    let db = imported(&open);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).unwrap();
    for cmd in ["search", "report"] {
        let out = as_nobody(&[cmd, "--db", db.to_str().unwrap()]).unwrap();
        let err = one_line_error(&out);
        assert!(
            err.contains(&format!("permission denied on {};", db.display())),
            "{err}"
        );
    }
}

/// Each refused with its cause in one line, and left as it was; a report
/// prints no header before the error.
#[test]
fn readers_refuse_what_is_not_a_current_database() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let empty = dir.join("empty.db");
    std::fs::write(&empty, "").unwrap();
    let text = dir.join("text.db");
    std::fs::write(&text, "not a database\n".repeat(100)).unwrap();
    let older = imported(&open_dir(dir, "older", 0o755));
    rusqlite::Connection::open(&older)
        .unwrap()
        .pragma_update(None, "user_version", 1)
        .unwrap();
    let folder = open_dir(dir, "folder", 0o755);
    let cases = [
        (
            &empty,
            "is not a raudit database: an empty file".to_string(),
        ),
        (
            &text,
            "is not a raudit database: not a SQLite database".into(),
        ),
        (
            &folder,
            "is a directory; give the database file's path".into(),
        ),
        (
            &older,
            format!(
                "readers never change a database: upgrade it with `raudit upgrade --db {}`",
                older.display()
            ),
        ),
    ];
    for (path, expect) in cases {
        let before = std::fs::read(path).ok();
        for cmd in ["search", "report"] {
            let out = raudit(&[cmd, "--db", path.to_str().unwrap()]);
            let err = one_line_error(&out);
            assert!(err.contains(&expect), "{cmd}: {err}");
            assert!(err.matches("not a database").count() <= 1, "{err}");
            assert!(
                std::fs::read(path).ok() == before,
                "{} changed",
                path.display()
            );
        }
    }
}

#[test]
fn upgrade_never_creates_a_database() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("missing.db");
    let out = raudit(&["upgrade", "--db", missing.to_str().unwrap()]);
    assert!(one_line_error(&out).contains("does not exist"));
    assert!(!missing.exists());
    let db = imported(tmp.path());
    let out = raudit(&["upgrade", "--db", db.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).ends_with("already current\n"),
        "{}",
        stderr(&out)
    );
}
