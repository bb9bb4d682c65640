//! Faults on the real kernel: what the daemon could not store is written
//! down, at its cause. A daemon killed again and again under load, a full
//! disk (suspend, rotate, exec), a database deleted under the daemon, two
//! writers on one database, unsafe database paths. Root only; serialized
//! and self-restoring through `common::kernel`.

mod common;

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use rusqlite::{Connection, OpenFlags};

fn read_only(db: &Path) -> Connection {
    Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

/// The kernel serials stored (the daemon's own events have serial 0).
fn serials(db: &Path) -> BTreeSet<u64> {
    let conn = read_only(db);
    let mut stmt = conn
        .prepare("SELECT DISTINCT serial FROM event WHERE serial > 0")
        .unwrap();
    stmt.query_map([], |r| r.get::<_, i64>(0).map(|s| s as u64))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// (kind, first serial, last serial, count) of every loss row.
fn losses(db: &Path) -> Vec<(String, Option<u64>, Option<u64>, u64)> {
    let conn = read_only(db);
    let mut stmt = conn
        .prepare("SELECT kind, first_serial, last_serial, count FROM loss ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get::<_, Option<i64>>(1)?.map(|s| s as u64),
            r.get::<_, Option<i64>>(2)?.map(|s| s as u64),
            r.get::<_, i64>(3)? as u64,
        ))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// open() of a watched file in a loop on a thread of the test, until
/// stopped; a short pause every 64 opens keeps it at a rate a debug
/// build of the daemon follows.
struct Load {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<u64>>,
}

impl Load {
    fn start(file: PathBuf) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut n = 0u64;
            while !flag.load(Ordering::Relaxed) {
                let _ = std::fs::File::open(&file);
                n += 1;
                if n.is_multiple_of(64) {
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
            n
        });
        Load {
            stop,
            thread: Some(thread),
        }
    }

    fn stop(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().unwrap().join().unwrap()
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A fixed sequence of pauses (an LCG), so that every run kills the
/// daemon at the same moments of its life.
fn pauses(n: usize) -> Vec<Duration> {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            Duration::from_millis(50 + (x >> 33) % 400)
        })
        .collect()
}

/// Serials in `lo..=hi` not stored and not inside any loss row's range.
fn unaccounted(
    stored: &BTreeSet<u64>,
    losses: &[(String, Option<u64>, Option<u64>, u64)],
) -> Vec<u64> {
    let (Some(&lo), Some(&hi)) = (stored.first(), stored.last()) else {
        return Vec::new();
    };
    (lo..=hi)
        .filter(|s| !stored.contains(s))
        .filter(|s| {
            !losses.iter().any(|(_, f, l, _)| match (f, l) {
                (Some(f), Some(l)) => f <= s && s <= l,
                _ => false,
            })
        })
        .collect()
}

#[test]
fn killed_again_and_again_under_load_no_loss_goes_unrecorded() {
    let Some(mut k) = kernel("killed_again_and_again_under_load_no_loss_goes_unrecorded") else {
        return;
    };
    let db = k.path("audit.db");
    let watched = k.path("watched");
    std::fs::write(&watched, b"").unwrap();
    let first = k.start_daemon(&db, &[]);
    ctl(&["-w", watched.to_str().unwrap(), "-p", "r", "-k", "killed"]);
    let load = Load::start(watched.clone());
    let mut committed = BTreeSet::new();
    let mut daemon = first;
    // 30 in CI; RAUDIT_KILLS=200 (or more) for the long run outside it.
    let count = std::env::var("RAUDIT_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let kills = pauses(count);
    for pause in &kills {
        std::thread::sleep(*pause);
        k.kill_daemon(daemon);
        // What the killed daemon committed must still be there at the end.
        committed.extend(serials(&db));
        daemon = k.start_daemon(&db, &[]);
    }
    std::thread::sleep(Duration::from_millis(300));
    let opens = load.stop();
    std::thread::sleep(Duration::from_millis(300));
    assert!(k.stop_daemon(daemon).success());

    let conn = read_only(&db);
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let stored = serials(&db);
    let gone: Vec<&u64> = committed.difference(&stored).collect();
    assert!(gone.is_empty(), "committed events went missing: {gone:?}");
    let losses = losses(&db);
    let missing = unaccounted(&stored, &losses);
    let lo = stored.first().copied().unwrap_or(0);
    let hi = stored.last().copied().unwrap_or(0);
    let not_stored = (hi - lo + 1) as usize - stored.len();
    eprintln!(
        "{} kills, {opens} opens, serials {lo}..={hi}: {} stored, {not_stored} not stored, {} of them unrecorded; loss rows: {:?}",
        kills.len(),
        stored.len(),
        missing.len(),
        losses
            .iter()
            .map(|l| format!("{} {:?}-{:?} ({})", l.0, l.1, l.2, l.3))
            .collect::<Vec<_>>()
    );
    assert!(
        missing.is_empty(),
        "{} serials missing without a loss row: {:?}",
        missing.len(),
        &missing[..missing.len().min(20)]
    );
    assert!(
        losses.iter().any(|l| l.0 == "restart"),
        "the restarts missed serials and said so"
    );
}

fn write_config(k: &Kernel, db: &Path, lines: &str) -> PathBuf {
    let conf = k.path("faults.conf");
    let rules = k.path("rules.d");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::write(
        &conf,
        format!(
            "log_file = {}\nrules_dir = {}\n{lines}",
            db.display(),
            rules.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o600)).unwrap();
    conf
}

/// Fills the file system holding `dir` but for about `leave` bytes.
fn fill(dir: &Path, leave: u64) -> PathBuf {
    let s = nix::sys::statvfs::statvfs(dir).unwrap();
    let free = s.blocks_available() * s.fragment_size();
    let filler = dir.join("filler");
    let f = std::fs::File::create(&filler).unwrap();
    f.set_len(0).unwrap();
    let block = vec![0u8; 1 << 20];
    let mut left = free.saturating_sub(leave);
    use std::io::Write;
    let mut w = std::io::BufWriter::new(f);
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        if w.write_all(&block[..n]).is_err() {
            break;
        }
        left -= n as u64;
    }
    let _ = w.flush();
    filler
}

fn opens(file: &Path, n: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        let _ = std::fs::File::open(file);
    }
    start.elapsed()
}

#[test]
fn a_full_disk_suspends_storing_without_stalling_the_machine_and_says_what_it_lost() {
    let Some(mut k) = kernel("a_full_disk_suspends_storing") else {
        return;
    };
    let small = Tmpfs::mount(&k.path("small"), 16);
    let db = small.0.join("audit.db");
    let conf = write_config(
        &k,
        &db,
        "space_left = 1\nspace_left_action = syslog\nadmin_space_left = 0\n\
         admin_space_left_action = syslog\ndisk_full_action = suspend\n",
    );
    let daemon = k.start_daemon(&db, &["--config", conf.to_str().unwrap()]);
    let watched = k.path("watched");
    std::fs::write(&watched, b"").unwrap();
    ctl(&["-w", watched.to_str().unwrap(), "-p", "r", "-k", "full"]);
    let filler = fill(&small.0, 256 << 10);
    // The load goes on at full speed: a daemon that stopped reading would
    // make the kernel hold this process for backlog_wait_time (60 s).
    let took = opens(&watched, 20_000);
    assert!(
        took < Duration::from_secs(30),
        "the audited process was held for {took:?}"
    );
    // Room again; SIGUSR2 resumes.
    std::fs::remove_file(&filler).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(daemon as i32),
        nix::sys::signal::Signal::SIGUSR2,
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    ctl(&["-m", "after-the-disk-was-full"]);
    assert!(
        wait_for(Duration::from_secs(10), || {
            search(&db, &["-m", "USER"])
                .is_some_and(|o| stdout(&o).contains("after-the-disk-was-full"))
        }),
        "storing resumed"
    );
    assert!(k.stop_daemon(daemon).success());
    let losses = losses(&db);
    assert!(
        losses
            .iter()
            .any(|l| (l.0 == "not_stored" || l.0 == "suspended") && l.3 > 0),
        "{losses:?}"
    );
    assert!(
        losses
            .iter()
            .filter(|l| l.0 == "not_stored" || l.0 == "suspended")
            .all(|l| l.1.is_some() && l.2.is_some()),
        "each with its serial range: {losses:?}"
    );
    // Every serial the kernel numbered meanwhile is stored or inside a
    // recorded loss.
    let missing = unaccounted(&serials(&db), &losses);
    assert!(
        missing.is_empty(),
        "{} unrecorded: {losses:?}",
        missing.len()
    );
    let end = search(&db, &["-m", "DAEMON_END"]).unwrap();
    assert!(end.status.success(), "DAEMON_END is stored");
}

#[test]
fn space_left_rotate_deletes_the_oldest_events_and_exec_runs_the_script() {
    let Some(mut k) = kernel("space_left_rotate_and_exec") else {
        return;
    };
    let small = Tmpfs::mount(&k.path("small"), 32);
    let db = small.0.join("audit.db");
    let ran = k.path("script-ran");
    let script = k.path("low-space.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho ran > {}\n", ran.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).unwrap();
    let conf = write_config(
        &k,
        &db,
        &format!(
            "space_left = 12\nspace_left_action = exec {}\nadmin_space_left = 8\n\
             admin_space_left_action = rotate\ndisk_full_action = rotate\n",
            script.display()
        ),
    );
    let daemon = k.start_daemon(&db, &["--config", conf.to_str().unwrap()]);
    let watched = k.path("watched");
    std::fs::write(&watched, b"").unwrap();
    ctl(&["-w", watched.to_str().unwrap(), "-p", "r", "-k", "rotate"]);
    // Below space_left (the script), then below admin_space_left (rotate).
    let filler = fill(&small.0, 10 << 20);
    assert!(
        wait_for(Duration::from_secs(15), || ran.exists()),
        "the space_left script ran"
    );
    let load = Load::start(watched.clone());
    let rotated = wait_for(Duration::from_secs(60), || {
        losses(&db).iter().any(|l| l.0 == "rotated")
    });
    // Storing goes on after the deletion: events newer than any deleted.
    let deleted_upto = losses(&db)
        .iter()
        .filter(|l| l.0 == "rotated")
        .filter_map(|l| l.2)
        .max()
        .unwrap_or(0);
    let goes_on = wait_for(Duration::from_secs(15), || {
        serials(&db).last().is_some_and(|&s| s > deleted_upto)
    });
    let diagnosis = k.diagnosis(daemon);
    let opens = load.stop();
    std::fs::remove_file(&filler).unwrap();
    assert!(k.stop_daemon(daemon).success());
    assert!(
        rotated,
        "the oldest events were deleted: {:?}; {opens} opens; {} events stored; {diagnosis}",
        losses(&db),
        serials(&db).len()
    );
    assert!(
        goes_on,
        "no event stored after the rotation (deleted up to serial {deleted_upto}); {diagnosis}"
    );
    let conn = read_only(&db);
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

#[test]
fn a_database_deleted_under_the_daemon_is_replaced_and_the_loss_recorded() {
    let Some(mut k) = kernel("a_database_deleted_under_the_daemon") else {
        return;
    };
    let dir = k.path("store");
    std::fs::create_dir(&dir).unwrap();
    let db = dir.join("audit.db");
    let daemon = k.start_daemon(&db, &[]);
    ctl(&["-m", "before-the-deletion"]);
    assert!(wait_for(Duration::from_secs(10), || {
        search(&db, &["-m", "USER"]).is_some_and(|o| stdout(&o).contains("before-the-deletion"))
    }));
    for side in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{side}", db.display()));
    }
    std::thread::sleep(Duration::from_millis(1500));
    ctl(&["-m", "after-the-deletion"]);
    assert!(
        wait_for(Duration::from_secs(10), || {
            search(&db, &["-m", "USER"]).is_some_and(|o| stdout(&o).contains("after-the-deletion"))
        }),
        "a new database was started at the path"
    );
    let losses = losses(&db);
    assert!(
        losses.iter().any(|l| l.0 == "db_replaced"),
        "what happened is recorded: {losses:?}"
    );
    assert!(k.stop_daemon(daemon).success());
}

#[test]
fn one_writer_per_database() {
    let Some(mut k) = kernel("one_writer_per_database") else {
        return;
    };
    let db = k.path("audit.db");
    let daemon = k.start_daemon(&db, &[]);
    let second = k.daemon_refused(&db, &["--observe"]);
    assert!(!second.status.success());
    let why = stderr(&second);
    assert!(
        why.contains(&format!("is being written by raudit (pid {daemon})")),
        "{why}"
    );
    let log = k.path("one.log");
    std::fs::write(
        &log,
        "type=USER msg=audit(1700000000.000:1): pid=1 uid=0 auid=0 ses=1 msg='hello res=success'\n",
    )
    .unwrap();
    let import = raudit(&[
        "import",
        "--quiet",
        "--db",
        db.to_str().unwrap(),
        log.to_str().unwrap(),
    ]);
    assert!(!import.status.success());
    assert!(
        stderr(&import).contains(&format!("is being written by raudit (pid {daemon})")),
        "{}",
        stderr(&import)
    );
    assert!(k.stop_daemon(daemon).success());
}

#[test]
fn unsafe_database_paths_are_refused() {
    let Some(mut k) = kernel("unsafe_database_paths_are_refused") else {
        return;
    };
    let real = k.path("real.db");
    std::fs::write(&real, b"").unwrap();
    let link = k.path("link.db");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = k.daemon_refused(&link, &[]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("is a symbolic link"),
        "{}",
        stderr(&out)
    );

    let open = k.path("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = k.daemon_refused(&open.join("audit.db"), &[]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("writable by others (mode 0777)"),
        "{}",
        stderr(&out)
    );
    assert!(!open.join("audit.db").exists(), "nothing created");
}
