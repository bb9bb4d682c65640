//! The little that parsing a rule asks of the running system, behind a trait
//! so tests (and fuzzers) parse rules deterministically without root.
//!
//! auditctl stats a `-w` path to choose between a file watch (AUDIT_WATCH)
//! and a recursive directory watch (AUDIT_DIR), and resolves user and group
//! names for uid/gid fields.

use std::path::Path;

pub trait System {
    /// Whether `path` exists now and is a directory.
    fn is_dir(&self, path: &str) -> bool;
    fn user_id(&self, name: &str) -> Option<u32>;
    fn group_id(&self, name: &str) -> Option<u32>;
}

/// The real system: the filesystem and the passwd/group databases (NSS).
#[derive(Debug, Clone, Copy, Default)]
pub struct HostSystem;

impl System for HostSystem {
    fn is_dir(&self, path: &str) -> bool {
        Path::new(path).is_dir()
    }

    fn user_id(&self, name: &str) -> Option<u32> {
        let user = nix::unistd::User::from_name(name).ok().flatten()?;
        Some(user.uid.as_raw())
    }

    fn group_id(&self, name: &str) -> Option<u32> {
        let group = nix::unistd::Group::from_name(name).ok().flatten()?;
        Some(group.gid.as_raw())
    }
}

#[cfg(test)]
pub(crate) mod fake {
    use super::System;

    /// A system with fixed users, groups and directories.
    pub struct FakeSystem;

    impl System for FakeSystem {
        fn is_dir(&self, path: &str) -> bool {
            matches!(path, "/etc" | "/var/log/audit" | "/tmp/dir")
        }
        fn user_id(&self, name: &str) -> Option<u32> {
            [("root", 0), ("alice", 1000)]
                .iter()
                .find(|u| u.0 == name)
                .map(|u| u.1)
        }
        fn group_id(&self, name: &str) -> Option<u32> {
            [("root", 0), ("wheel", 10)]
                .iter()
                .find(|g| g.0 == name)
                .map(|g| g.1)
        }
    }
}
