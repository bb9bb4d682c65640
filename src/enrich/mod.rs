//! Context the kernel's records do not carry, added to events as they are
//! stored: the systemd unit and the container of the process behind an
//! event, from its cgroup while it lives ([`cgroup`] reads the text,
//! [`procs`] asks `/proc` with a bounded cache), and the programs its
//! ancestors ran ([`ancestry`]: parent links from SYSCALL records and
//! `/proc`), and the user and group names of its ids as they were then
//! ([`accounts`]).
//!
//! It is context, not a kernel record: it is read after the fact (a
//! process that has exited has none) and the store's chain does not cover
//! it.

pub mod accounts;
pub mod ancestry;
pub mod cgroup;
pub mod procs;

/// What the cgroup of an event's process said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Context {
    /// The innermost systemd unit (`cron.service`, `session-3.scope`).
    pub unit: Option<String>,
    /// The container id, 64 hex digits.
    pub container: Option<String>,
    /// The programs the process's ancestors ran, its parent's first.
    pub ancestors: Vec<String>,
    /// The names of its uid, auid and gid when the event was stored.
    pub names: accounts::Names,
}

impl Context {
    pub fn is_empty(&self) -> bool {
        self.unit.is_none()
            && self.container.is_none()
            && self.ancestors.is_empty()
            && self.names.is_empty()
    }
}

/// A process as a SYSCALL record names it.
#[derive(Debug, Clone, Copy)]
pub struct Process<'a> {
    pub pid: u32,
    pub ppid: Option<u32>,
    pub exe: Option<&'a str>,
    pub ids: accounts::Ids,
}

/// What the daemon's pipeline asks: the context of an event's process,
/// from a proc file system (`/proc`; a directory in tests).
pub struct Enricher {
    cgroups: procs::Cgroups,
    ancestry: ancestry::Ancestry,
    accounts: accounts::Accounts,
}

impl Enricher {
    pub fn new(proc_root: &std::path::Path) -> Enricher {
        Enricher::with_directory(proc_root, Box::<accounts::System>::default())
    }

    /// As [`Enricher::new`], with names from `directory`.
    pub fn with_directory(
        proc_root: &std::path::Path,
        directory: Box<dyn accounts::Directory>,
    ) -> Enricher {
        Enricher {
            cgroups: procs::Cgroups::new(proc_root),
            ancestry: ancestry::Ancestry::new(proc_root),
            accounts: accounts::Accounts::new(directory),
        }
    }

    pub fn context(&mut self, process: Process<'_>, now: std::time::Instant) -> Context {
        let cgroup = self.cgroups.context(process.pid, now);
        let ancestors = match process.ppid {
            Some(ppid) => {
                self.ancestry.learn(process.pid, ppid, process.exe, now);
                self.ancestry.exes(ppid, now)
            }
            None => Vec::new(),
        };
        Context {
            unit: cgroup.unit.clone(),
            container: cgroup.container.clone(),
            ancestors,
            names: self.accounts.names(process.ids, now),
        }
    }
}
