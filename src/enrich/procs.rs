//! Reading `/proc/PID/cgroup` for the pipeline, cheaply: one read per
//! process per [`FRESH`] at most (a busy process's events share it), and a
//! bounded number of entries, so memory stays small whatever the pids.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{cgroup, Context};

/// How long a process's context is reused. Short, because a pid is reused
/// by another process and a process can move to another cgroup; long
/// enough that a process writing thousands of events reads its file once.
pub const FRESH: Duration = Duration::from_secs(1);

/// The most processes remembered: a few hundred bytes each.
pub const CAPACITY: usize = 4096;

/// The context of processes by pid, read from a proc file system.
pub struct Cgroups {
    /// Where the proc file system is (`/proc`; a directory in tests).
    root: PathBuf,
    entries: HashMap<u32, (Instant, Arc<Context>)>,
}

impl Cgroups {
    pub fn new(root: impl Into<PathBuf>) -> Cgroups {
        Cgroups {
            root: root.into(),
            entries: HashMap::new(),
        }
    }

    /// The context of process `pid` at `now`: remembered if read within
    /// [`FRESH`], else read. A process gone (or a file unreadable) has an
    /// empty one, remembered too, so that its late events cost no reads.
    pub fn context(&mut self, pid: u32, now: Instant) -> Arc<Context> {
        if let Some((at, context)) = self.entries.get(&pid) {
            if now.duration_since(*at) < FRESH {
                return Arc::clone(context);
            }
        }
        let context = Arc::new(self.read(pid));
        make_room(&mut self.entries, now, |(at, _)| *at);
        self.entries.insert(pid, (now, Arc::clone(&context)));
        context
    }

    fn read(&self, pid: u32) -> Context {
        let path = self.root.join(pid.to_string()).join("cgroup");
        std::fs::read_to_string(path)
            .map(|text| cgroup::parse(&text))
            .unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Room for one more entry in a per-pid map of [`CAPACITY`]: the entries
/// no longer fresh go, and all of them if that is not enough.
pub(super) fn make_room<V>(map: &mut HashMap<u32, V>, now: Instant, at: fn(&V) -> Instant) {
    if map.len() < CAPACITY {
        return;
    }
    map.retain(|_, v| now.duration_since(at(v)) < FRESH);
    if map.len() >= CAPACITY {
        map.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_proc(pids: &[(u32, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (pid, text) in pids {
            let d = dir.path().join(pid.to_string());
            std::fs::create_dir(&d).unwrap();
            std::fs::write(d.join("cgroup"), text).unwrap();
        }
        dir
    }

    #[test]
    fn reads_once_while_fresh_and_again_after() {
        let dir = fake_proc(&[(10, "0::/system.slice/a.service\n")]);
        let mut cache = Cgroups::new(dir.path());
        let t0 = Instant::now();
        assert_eq!(cache.context(10, t0).unit.as_deref(), Some("a.service"));
        std::fs::write(dir.path().join("10/cgroup"), "0::/system.slice/b.service\n").unwrap();
        let soon = t0 + FRESH / 2;
        assert_eq!(cache.context(10, soon).unit.as_deref(), Some("a.service"));
        let later = t0 + FRESH;
        assert_eq!(cache.context(10, later).unit.as_deref(), Some("b.service"));
    }

    #[test]
    fn a_process_gone_has_no_context() {
        let dir = fake_proc(&[]);
        let mut cache = Cgroups::new(dir.path());
        assert!(cache.context(99, Instant::now()).is_empty());
    }

    #[test]
    fn the_number_of_entries_stays_bounded() {
        let dir = fake_proc(&[]);
        let mut cache = Cgroups::new(dir.path());
        let now = Instant::now();
        for pid in 0..(CAPACITY as u32 * 3) {
            cache.context(pid, now);
            assert!(cache.len() <= CAPACITY);
        }
    }
}
