//! Context at ingest on the real kernel: a process moved by the test into a
//! cgroup laid out as systemd lays out a service, and one laid out as
//! docker's systemd driver lays out a container, writes a watched file; the
//! daemon stores each event with the unit and container it read from the
//! process's cgroup and the programs of its ancestors; `search --unit`,
//! `--container` and `--ancestor-exe` find them, JSON shows them, and
//! `--tree` draws the processes under the test. Root only; serialized and self-restoring through
//! `common::kernel`; the cgroups made are removed.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;

/// A cgroup directory made by the test, with the process put in it; the
/// process is ended (by its pid) and the directory removed on drop.
struct Cgroup {
    dir: PathBuf,
    child: Child,
}

impl Cgroup {
    /// `sh` in a new cgroup at `relative` under the cgroup2 mount `root`,
    /// waiting for a line on stdin before it appends to `file`, then
    /// living a while (its cgroup is read while it lives).
    fn run_in(root: &Path, relative: &str, file: &Path) -> Cgroup {
        let dir = root.join(relative);
        std::fs::create_dir_all(&dir).expect("creating a cgroup");
        // exec: the process that wrote stays the one to end.
        let script = format!("read go; echo x >> '{}'; exec sleep 5", file.display());
        let child = Command::new("/bin/sh")
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .spawn()
            .expect("starting sh");
        std::fs::write(dir.join("cgroup.procs"), child.id().to_string())
            .expect("moving the process into its cgroup");
        Cgroup { dir, child }
    }

    /// Lets the process write the file: it is in its cgroup by now.
    fn go(&mut self) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(b"go\n").unwrap();
        stdin.flush().unwrap();
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = wait_for(Duration::from_secs(5), || {
            std::fs::read_to_string(self.dir.join("cgroup.procs")).is_ok_and(|p| p.is_empty())
        });
        for dir in self.dir.ancestors().take(2) {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Where the unified (v2) cgroup hierarchy is mounted, if it is.
fn cgroup2_mount() -> Option<PathBuf> {
    let mounts = std::fs::read_to_string("/proc/self/mounts").ok()?;
    mounts.lines().find_map(|l| {
        let mut fields = l.split(' ');
        let (_, at, kind) = (fields.next()?, fields.next()?, fields.next()?);
        (kind == "cgroup2").then(|| PathBuf::from(at))
    })
}

#[test]
fn events_carry_the_unit_and_container_of_their_process() {
    let Some(mut k) = kernel("events_carry_the_unit_and_container_of_their_process") else {
        return;
    };
    let Some(root) = cgroup2_mount() else {
        panic!("no cgroup2 file system is mounted: the test needs one to make its cgroups");
    };
    let db = k.path("audit.db");
    let watched = k.path("watched");
    std::fs::write(&watched, b"").unwrap();
    k.start_daemon(&db, &[]);
    ctl(&["-w", watched.to_str().unwrap(), "-p", "w", "-k", "enrich"]);

    let me = std::process::id();
    let slice = format!("raudit-test-{me}.slice");
    let id = format!("{:016x}", u64::from(me).wrapping_mul(0x9e37_79b9_7f4a_7c15)).repeat(4);
    let service = format!("raudit-test-{me}.service");
    let scope = format!("docker-{id}.scope");
    let mut in_service = Cgroup::run_in(&root, &format!("{slice}/{service}"), &watched);
    let mut in_container = Cgroup::run_in(&root, &format!("{slice}/{scope}"), &watched);
    in_service.go();
    in_container.go();

    let by_unit = |unit: &str| search_json(&db, &["-k", "enrich", "--unit", unit]);
    let found = wait_for(Duration::from_secs(10), || {
        !by_unit(&service).is_empty() && !by_unit(&scope).is_empty()
    });
    assert!(found, "{:#?}", search_json(&db, &["-k", "enrich"]));

    // The unit's short name is its service's; its events only.
    let service_events = by_unit(&format!("raudit-test-{me}"));
    assert!(!service_events.is_empty());
    for e in &service_events {
        assert_eq!(e["pid"].as_i64().unwrap().to_string(), in_service.pid());
        assert_eq!(e["unit"], service.as_str());
        assert_eq!(e["container"], serde_json::Value::Null);
    }
    // The container by the 12 digits docker shows, and by its whole id.
    for prefix in [&id[..12], &id[..]] {
        let events = search_json(&db, &["-k", "enrich", "--container", prefix]);
        assert!(!events.is_empty(), "--container {prefix}");
        for e in &events {
            assert_eq!(e["pid"].as_i64().unwrap().to_string(), in_container.pid());
            assert_eq!(e["unit"], scope.as_str());
            assert_eq!(e["container"], id.as_str());
        }
    }
    // Their parent is this test: its program is their first ancestor (and
    // `raudit ctl`'s, whose rule change has the key too: not an open).
    let me_exe = std::env::current_exe().unwrap();
    let me_exe = me_exe.to_str().unwrap();
    let events = search_json(
        &db,
        &[
            "-k",
            "enrich",
            "--syscall",
            "openat",
            "--ancestor-exe",
            me_exe,
        ],
    );
    assert_eq!(events.len(), 2, "{events:#?}");
    for e in &events {
        assert_eq!(e["ancestors"][0], me_exe, "{e:#?}");
    }
    // The tree under this test: its two children, with their events.
    let tree = stdout(&search(&db, &["-k", "enrich", "--tree", &me.to_string()]).unwrap());
    let lines: Vec<&str> = tree.lines().collect();
    assert_eq!(lines[0], format!("{me} (no events)"), "{tree}");
    let sh = std::fs::canonicalize("/bin/sh").unwrap();
    for child in [in_service.pid(), in_container.pid()] {
        let line = format!("  {child} {} events=1 ", sh.display());
        assert!(
            lines.iter().any(|l| l.starts_with(&line)),
            "{line:?} in\n{tree}"
        );
    }
    // The default output is ausearch's, untouched by the context.
    let text = stdout(&search(&db, &["-k", "enrich", "--unit", &service]).unwrap());
    assert!(
        !text.contains(&service) && text.contains("type=SYSCALL"),
        "{text}"
    );
}
