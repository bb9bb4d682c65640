//! The programs a process's ancestors ran, for `search --ancestor-exe`:
//! parent links learned from SYSCALL records (pid, ppid, exe as the kernel
//! logged them) and, for ancestors that logged nothing, read from
//! `/proc/PID/stat` and `/proc/PID/exe` while they live. An ancestor gone
//! from `/proc` is still known by the last link a record or a read gave.
//! Bounded like [`super::procs::Cgroups`].

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

#[cfg(test)]
use super::procs::CAPACITY;
use super::procs::FRESH;

/// The longest chain followed: deeper trees are rare, and a pid cycle
/// (links from different times) must end.
pub const DEPTH: usize = 32;

#[derive(Debug, Clone)]
struct Link {
    ppid: u32,
    exe: Option<String>,
    at: Instant,
}

pub struct Ancestry {
    root: PathBuf,
    links: HashMap<u32, Link>,
}

impl Ancestry {
    pub fn new(root: impl Into<PathBuf>) -> Ancestry {
        Ancestry {
            root: root.into(),
            links: HashMap::new(),
        }
    }

    /// What a SYSCALL record says of its process.
    pub fn learn(&mut self, pid: u32, ppid: u32, exe: Option<&str>, now: Instant) {
        self.insert(
            pid,
            Link {
                ppid,
                exe: exe.map(str::to_string),
                at: now,
            },
        );
    }

    /// The programs of `ppid` and its ancestors, nearest first, up to
    /// [`DEPTH`]; a process whose program is unknown (a kernel thread)
    /// adds none but its parent is still followed.
    pub fn exes(&mut self, ppid: u32, now: Instant) -> Vec<String> {
        let mut exes = Vec::new();
        let mut pid = ppid;
        for _ in 0..DEPTH {
            if pid == 0 {
                break;
            }
            let Some(link) = self.link(pid, now) else {
                break;
            };
            exes.extend(link.exe);
            if link.ppid == pid {
                break;
            }
            pid = link.ppid;
        }
        exes
    }

    /// The link of `pid`: remembered if fresh, else read from `/proc`, else
    /// the last one known (the process has exited).
    fn link(&mut self, pid: u32, now: Instant) -> Option<Link> {
        if let Some(link) = self.links.get(&pid) {
            if now.duration_since(link.at) < FRESH {
                return Some(link.clone());
            }
        }
        match self.read(pid, now) {
            Some(link) => {
                self.insert(pid, link.clone());
                Some(link)
            }
            None => self.links.get(&pid).cloned(),
        }
    }

    fn read(&self, pid: u32, now: Instant) -> Option<Link> {
        let dir = self.root.join(pid.to_string());
        let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
        let exe = std::fs::read_link(dir.join("exe"))
            .ok()
            .map(|p| p.to_string_lossy().into_owned());
        Some(Link {
            ppid: stat_ppid(&stat)?,
            exe,
            at: now,
        })
    }

    fn insert(&mut self, pid: u32, link: Link) {
        if !self.links.contains_key(&pid) {
            super::procs::make_room(&mut self.links, link.at, |l| l.at);
        }
        self.links.insert(pid, link);
    }

    pub fn len(&self) -> usize {
        self.links.len()
    }

    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }
}

/// The parent pid in the text of `/proc/PID/stat`: the second field after
/// the command name, which is in parentheses and may hold spaces and
/// parentheses itself (so the last `)` ends it).
pub fn stat_ppid(stat: &str) -> Option<u32> {
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_ascii_whitespace();
    let _state = fields.next()?;
    fields.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parent_pid_of_a_stat_line() {
        assert_eq!(stat_ppid("1234 (bash) S 1200 1234 1234 34816"), Some(1200));
        assert_eq!(stat_ppid("77 (a) b) (c) R 5 77 77 0"), Some(5));
        assert_eq!(stat_ppid("77 (no end S 5"), None);
        assert_eq!(stat_ppid(""), None);
    }

    /// A fake /proc: each pid's stat (with its ppid) and exe link.
    fn fake_proc(procs: &[(u32, u32, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (pid, ppid, exe) in procs {
            let d = dir.path().join(pid.to_string());
            std::fs::create_dir(&d).unwrap();
            std::fs::write(d.join("stat"), format!("{pid} (x y) S {ppid} 1 1 0")).unwrap();
            std::os::unix::fs::symlink(exe, d.join("exe")).unwrap();
        }
        dir
    }

    #[test]
    fn ancestors_from_proc_and_from_records() {
        let dir = fake_proc(&[(1, 0, "/sbin/init"), (10, 1, "/usr/sbin/sshd")]);
        let mut a = Ancestry::new(dir.path());
        let now = Instant::now();
        // 20 has exited: only its SYSCALL record told of it.
        a.learn(20, 10, Some("/usr/bin/bash"), now);
        assert_eq!(
            a.exes(20, now),
            ["/usr/bin/bash", "/usr/sbin/sshd", "/sbin/init"]
        );
        // Still known once the record's link is no longer fresh.
        assert_eq!(a.exes(20, now + FRESH * 2).len(), 3);
        assert_eq!(a.exes(99, now), Vec::<String>::new());
    }

    #[test]
    fn a_cycle_of_stale_links_ends() {
        let dir = fake_proc(&[]);
        let mut a = Ancestry::new(dir.path());
        let now = Instant::now();
        a.learn(5, 6, Some("/a"), now);
        a.learn(6, 5, Some("/b"), now);
        assert_eq!(a.exes(5, now).len(), DEPTH);
    }

    #[test]
    fn links_stay_bounded() {
        let dir = fake_proc(&[]);
        let mut a = Ancestry::new(dir.path());
        let now = Instant::now();
        for pid in 0..(CAPACITY as u32 * 3) {
            a.learn(pid, pid + 1, None, now);
            assert!(a.len() <= CAPACITY);
        }
    }
}
