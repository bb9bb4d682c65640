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

/// What a check found: the actions of conditions newly entered, each with
/// why, for the writer to carry out (suspend and rotate are its own).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Verdict {
    pub actions: Vec<(Action, String)>,
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
    /// Thresholds checked against the file system's size once.
    sized: bool,
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
            sized: false,
        }
    }

    /// Forgets the conditions seen (SIGUSR2): one still there fires again.
    /// Whether a threshold's action is to rotate.
    pub fn rotates(&self) -> bool {
        [
            &self.space_left_action,
            &self.admin_space_left_action,
            &self.max_db_size_action,
        ]
        .contains(&&Action::Rotate)
    }

    pub fn rearm(&mut self) {
        self.level = Level::Ok;
        self.over_size = false;
    }

    /// Checks free space and the database's size. A condition newly
    /// entered gives its action; `rotate` is given at every check while
    /// its condition lasts, since each step deletes only some events.
    pub fn check(&mut self, db_bytes: u64) -> Verdict {
        let mut verdict = Verdict::default();
        if let Some((free, total)) = free_space(&self.dir) {
            self.fit_to(total);
            let level = self.level_for(free, total);
            let action = match level {
                Level::Ok => None,
                Level::SpaceLeft => Some(("space_left", &self.space_left_action)),
                Level::AdminSpaceLeft => Some(("admin_space_left", &self.admin_space_left_action)),
            };
            if let Some((what, action)) = action {
                if level > self.level || *action == Action::Rotate {
                    let why = format!(
                        "{} MiB free on {}, below {what}",
                        free >> 20,
                        self.dir.display()
                    );
                    verdict.actions.push((action.clone(), why));
                }
            }
            self.level = level;
        }
        let over = self.max_db_bytes > 0 && db_bytes > self.max_db_bytes;
        if over && (!self.over_size || self.max_db_size_action == Action::Rotate) {
            let why = format!("database is {} MiB, over max_db_size", db_bytes >> 20);
            verdict.actions.push((self.max_db_size_action.clone(), why));
        }
        self.over_size = over;
        verdict
    }

    /// A threshold the file system could never meet (75 MiB free on a
    /// 20 MiB disk) would suspend storing from the first event: it is
    /// lowered to a share of the disk, once, with a warning.
    fn fit_to(&mut self, total: u64) {
        if std::mem::replace(&mut self.sized, true) {
            return;
        }
        for (name, space, share) in [
            ("space_left", &mut self.space_left, 4),
            ("admin_space_left", &mut self.admin_space_left, 8),
        ] {
            if space.bytes(total) >= total / 2 {
                let fitted = Space::MiB((total / share) >> 20);
                eprintln!(
                    "raudit daemon: warning: {name} = {space} MiB does not fit {} ({} MiB in all); using {fitted} MiB",
                    self.dir.display(),
                    total >> 20
                );
                *space = fitted;
            }
        }
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
}

/// (available bytes for root, total bytes) of the file system holding `dir`.
fn free_space(dir: &Path) -> Option<(u64, u64)> {
    let s = nix::sys::statvfs::statvfs(dir).ok()?;
    let frag = s.fragment_size();
    Some((s.blocks_free() * frag, s.blocks() * frag))
}

/// Carries out an action's part outside the store: says why, and runs
/// a script or asks init. Suspending and rotating are the writer's part.
pub fn run(action: &Action, why: &str) {
    eprintln!("raudit daemon: {why}; action: {action}");
    match action {
        Action::Ignore | Action::Syslog | Action::Suspend | Action::Rotate => {}
        Action::Exec(script) => exec(script),
        Action::Single => spawn(Path::new("/sbin/init"), &["1"]),
        Action::Halt => spawn(Path::new("/sbin/init"), &["0"]),
    }
}

/// Runs an action's script as auditd does: no arguments, no shell, and an
/// empty environment; only a root-owned script others cannot write.
fn exec(script: &Path) {
    use std::os::unix::fs::MetadataExt;
    match std::fs::metadata(script) {
        Ok(m) if m.uid() == 0 && m.mode() & 0o022 == 0 => {
            if let Err(e) = Command::new(script).env_clear().spawn() {
                eprintln!("raudit daemon: running {}: {e}", script.display());
            }
        }
        Ok(_) => eprintln!(
            "raudit daemon: not running {}: it must belong to root and not be writable by others",
            script.display()
        ),
        Err(e) => eprintln!("raudit daemon: running {}: {e}", script.display()),
    }
}

fn spawn(program: &Path, args: &[&str]) {
    if let Err(e) = Command::new(program).args(args).spawn() {
        eprintln!("raudit daemon: running {}: {e}", program.display());
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
    fn max_db_size_fires_once_and_rotate_while_it_lasts() {
        let mut p = policy(
            "max_db_size = 1\nmax_db_size_action = suspend\nspace_left = 1\nadmin_space_left = 0\n",
        );
        assert!(p.check(1 << 19).actions.is_empty());
        assert_eq!(p.check(2 << 20).actions[0].0, Action::Suspend);
        assert!(p.check(2 << 20).actions.is_empty(), "once per episode");
        assert!(p.check(1 << 10).actions.is_empty(), "cleared");
        p.max_db_size_action = Action::Rotate;
        assert_eq!(p.check(2 << 20).actions.len(), 1);
        assert_eq!(p.check(2 << 20).actions.len(), 1, "each step deletes some");
    }

    #[test]
    fn thresholds_larger_than_the_disk_are_fitted_to_it() {
        let mut p = policy("space_left = 75\nadmin_space_left = 50\n");
        let disk = 20 << 20;
        p.fit_to(disk);
        assert_eq!(p.space_left.bytes(disk), 5 << 20);
        assert_eq!(p.level_for(10 << 20, disk), Level::Ok);
        assert_eq!(p.level_for(1 << 20, disk), Level::AdminSpaceLeft);
    }
}
