//! Context the kernel's records do not carry, added to events as they are
//! stored: the systemd unit and the container of the process behind an
//! event, from its cgroup while it lives ([`cgroup`] reads the text,
//! [`procs`] asks `/proc` with a bounded cache).
//!
//! It is context, not a kernel record: it is read after the fact (a
//! process that has exited has none) and the store's chain does not cover
//! it.

pub mod cgroup;
pub mod procs;

/// What the cgroup of an event's process said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Context {
    /// The innermost systemd unit (`cron.service`, `session-3.scope`).
    pub unit: Option<String>,
    /// The container id, 64 hex digits.
    pub container: Option<String>,
}

impl Context {
    pub fn is_empty(&self) -> bool {
        self.unit.is_none() && self.container.is_none()
    }
}
