//! Disk policy: free space and database size against the configured
//! thresholds, and what to do when one is crossed (auditd's `space_left`,
//! `admin_space_left`, `max_log_file` and their actions).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::config::{Action, Config, Space};

/// The conditions, from mildest to worst; each fires its action once when
/// entered, and again only after the condition has cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok,
    SpaceLeft,
    AdminSpaceLeft,
}

/// What the daemon should do after a check.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Verdict {
    /// Stop storing events until the condition clears.
    pub suspend: bool,
}

pub struct DiskPolicy {
    space_left: Space,
    space_left_action: Action,
    admin_space_left: Space,
    admin_space_left_action: Action,
    max_db_bytes: u64,
    max_db_size_action: Action,
    dir: PathBuf,
    level: Level,
    over_size: bool,
}

impl DiskPolicy {
    pub fn new(config: &Config) -> DiskPolicy {
        DiskPolicy {
            space_left: config.space_left,
            space_left_action: config.space_left_action.clone(),
            admin_space_left: config.admin_space_left,
            admin_space_left_action: config.admin_space_left_action.clone(),
            max_db_bytes: config.max_db_size.saturating_mul(1 << 20),
            max_db_size_action: config.max_db_size_action.clone(),
            dir: config
                .db
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
            level: Level::Ok,
            over_size: false,
        }
    }

    /// Checks free space and the database's size; runs the actions of any
    /// condition newly entered.
    pub fn check(&mut self, db_bytes: u64) -> Verdict {
        let mut verdict = Verdict::default();
        if let Some((free, total)) = free_space(&self.dir) {
            let level = self.level_for(free, total);
            if level > self.level {
                let (what, action) = match level {
                    Level::AdminSpaceLeft => ("admin_space_left", &self.admin_space_left_action),
                    _ => ("space_left", &self.space_left_action),
                };
                let why = format!(
                    "{} MiB free on {}, below {what}",
                    free >> 20,
                    self.dir.display()
                );
                run(action, &why);
            }
            self.level = level;
            verdict.suspend |= self.suspends_at(level);
        }
        let over = self.max_db_bytes > 0 && db_bytes > self.max_db_bytes;
        if over && !self.over_size {
            let why = format!("database is {} MiB, over max_db_size", db_bytes >> 20);
            run(&self.max_db_size_action, &why);
        }
        self.over_size = over;
        verdict.suspend |= over && self.max_db_size_action == Action::Suspend;
        verdict
    }

    pub fn level_for(&self, free: u64, total: u64) -> Level {
        if free < self.admin_space_left.bytes(total) {
            Level::AdminSpaceLeft
        } else if free < self.space_left.bytes(total) {
            Level::SpaceLeft
        } else {
            Level::Ok
        }
    }

    fn suspends_at(&self, level: Level) -> bool {
        match level {
            Level::Ok => false,
            Level::SpaceLeft => self.space_left_action == Action::Suspend,
            Level::AdminSpaceLeft => {
                self.admin_space_left_action == Action::Suspend
                    || self.space_left_action == Action::Suspend
            }
        }
    }
}

/// (available bytes for root, total bytes) of the file system holding `dir`.
fn free_space(dir: &Path) -> Option<(u64, u64)> {
    let s = nix::sys::statvfs::statvfs(dir).ok()?;
    let frag = s.fragment_size();
    Some((s.blocks_free() * frag, s.blocks() * frag))
}

/// Carries out an action. Suspending is the caller's part (see [`Verdict`]);
/// `single` and `halt` ask init, as auditd does.
pub fn run(action: &Action, why: &str) {
    eprintln!("raudit daemon: {why}; action: {action}");
    let spawn = |program: &Path, args: &[&str]| {
        if let Err(e) = Command::new(program).args(args).spawn() {
            eprintln!("raudit daemon: running {}: {e}", program.display());
        }
    };
    match action {
        Action::Ignore | Action::Syslog | Action::Suspend => {}
        Action::Exec(script) => spawn(script, &[]),
        Action::Single => spawn(Path::new("/sbin/init"), &["1"]),
        Action::Halt => spawn(Path::new("/sbin/init"), &["0"]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(conf: &str) -> DiskPolicy {
        let c = Config::parse(conf, Path::new("test.conf")).unwrap();
        DiskPolicy::new(&c)
    }

    #[test]
    fn levels_follow_the_thresholds_in_mib_and_percent() {
        let p = policy("space_left = 100\nadmin_space_left = 10\n");
        let gib = 1u64 << 30;
        assert_eq!(p.level_for(200 << 20, gib), Level::Ok);
        assert_eq!(p.level_for(50 << 20, gib), Level::SpaceLeft);
        assert_eq!(p.level_for(5 << 20, gib), Level::AdminSpaceLeft);
        let p = policy("space_left = 20%\nadmin_space_left = 5%\n");
        assert_eq!(p.level_for(gib / 2, gib), Level::Ok);
        assert_eq!(p.level_for(gib / 10, gib), Level::SpaceLeft);
        assert_eq!(p.level_for(gib / 50, gib), Level::AdminSpaceLeft);
    }

    #[test]
    fn suspend_applies_from_the_level_that_asks_for_it() {
        let p = policy("space_left_action = syslog\nadmin_space_left_action = suspend\n");
        assert!(!p.suspends_at(Level::SpaceLeft));
        assert!(p.suspends_at(Level::AdminSpaceLeft));
        assert!(!p.suspends_at(Level::Ok));
    }

    #[test]
    fn max_db_size_fires_once_and_suspends_when_asked() {
        let mut p = policy(
            "max_db_size = 1\nmax_db_size_action = suspend\nspace_left = 1\nadmin_space_left = 0\n",
        );
        assert!(!p.check(1 << 19).suspend);
        assert!(p.check(2 << 20).suspend);
        assert!(p.over_size);
        assert!(!p.check(1 << 10).suspend, "cleared");
    }
}
