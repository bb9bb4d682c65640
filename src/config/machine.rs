//! The settings against the machine: what a file can say correctly and the
//! daemon still could not do here. `raudit daemon --check-config` fails on
//! these; the daemon warns about them at start and at reload, since a
//! rules directory or a script can appear later.

use std::fmt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use nix::unistd::{access, AccessFlags};

use super::{Action, Config};

/// One setting the machine cannot honour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub key: &'static str,
    pub value: String,
    pub problem: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}: {}", self.key, self.value, self.problem)
    }
}

/// [`check`], with the rules directory or without it (a daemon that
/// observes loads no rules).
pub fn check_for(config: &Config, rules: bool) -> Vec<Finding> {
    let mut found = check(config);
    found.retain(|f| rules || f.key != "rules_dir");
    found
}

/// Every finding, in the order of the keys.
pub fn check(config: &Config) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut note = |key, value: String, problem: Option<String>| {
        if let Some(problem) = problem {
            found.push(Finding {
                key,
                value,
                problem,
            });
        }
    };
    note("log_file", show(&config.db), database(&config.db));
    let actions = [
        ("space_left_action", &config.space_left_action),
        ("admin_space_left_action", &config.admin_space_left_action),
        ("disk_full_action", &config.disk_full_action),
        ("disk_error_action", &config.disk_error_action),
        ("max_db_size_action", &config.max_db_size_action),
    ];
    for (key, action) in actions {
        if let Action::Exec(script) = action {
            note(key, action.to_string(), exec_script(script));
        }
    }
    note(
        "rules_dir",
        show(&config.rules_dir),
        rules_dir(&config.rules_dir),
    );
    found
}

fn show(path: &Path) -> String {
    path.display().to_string()
}

// A read-only directory is checked by tests/config.rs, through a
// read-only bind mount (root sees through permission bits).

/// The database must be writable, and so must its directory (SQLite puts
/// its journal beside it); a missing directory is created, so the nearest
/// one that exists must be writable.
fn database(db: &Path) -> Option<String> {
    if db.exists() {
        return writable(db)
            .err()
            .map(|e| format!("the database is not writable: {e}"));
    }
    let dir = db.parent().unwrap_or(Path::new("/"));
    let existing = nearest_existing(dir);
    if !existing.is_dir() {
        return Some(format!("{} is not a directory", existing.display()));
    }
    let problem = writable(&existing).err()?;
    Some(match existing == dir {
        true => format!("its directory {} is not writable: {problem}", dir.display()),
        false => format!(
            "its directory {} is missing and cannot be created in {}: {problem}",
            dir.display(),
            existing.display()
        ),
    })
}

fn nearest_existing(dir: &Path) -> PathBuf {
    dir.ancestors()
        .find(|d| d.exists())
        .unwrap_or(Path::new("/"))
        .to_path_buf()
}

/// Whether this process may write `path` (a read-only mount answers EROFS
/// even to root).
fn writable(path: &Path) -> Result<(), String> {
    access(path, AccessFlags::W_OK).map_err(|e| match e {
        nix::errno::Errno::EROFS => "read-only file system".to_string(),
        e => e.desc().to_string(),
    })
}

/// An `exec` action's script, run as root when a disk condition strikes:
/// it must be there, executable, and root's alone (as auditd demands).
fn exec_script(script: &Path) -> Option<String> {
    let meta = match std::fs::metadata(script) {
        Ok(meta) => meta,
        Err(e) => return Some(format!("{}: {e}", script.display())),
    };
    let problem = if !meta.is_file() {
        "not a regular file".to_string()
    } else if meta.mode() & 0o100 == 0 {
        "not executable; chmod u+x it".to_string()
    } else if meta.uid() != 0 {
        format!(
            "owned by uid {}, not root, yet run as root; chown root it",
            meta.uid()
        )
    } else if meta.mode() & 0o022 != 0 {
        format!(
            "writable by others than root (mode {:04o}); chmod go-w it",
            meta.mode() & 0o7777
        )
    } else {
        return None;
    };
    Some(format!("{}: {problem}", script.display()))
}

fn rules_dir(dir: &Path) -> Option<String> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => None,
        Ok(_) => Some("not a directory; the daemon would load no rules".into()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(
            "no such directory; the daemon would load no rules (create it and put *.rules files in it)"
                .into(),
        ),
        Err(e) => Some(format!("{e}; the daemon would load no rules")),
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn script(dir: &Path, mode: u32) -> PathBuf {
        let path = dir.join(format!("s{mode:o}"));
        std::fs::write(&path, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        path
    }

    #[test]
    fn a_sound_setup_has_no_findings() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            db: dir.path().join("new/sub/audit.db"),
            rules_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        assert_eq!(check(&config), []);
    }

    #[test]
    fn rules_dir_and_scripts_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("rules.d");
        let config = Config {
            db: dir.path().join("audit.db"),
            rules_dir: missing.clone(),
            disk_full_action: Action::Exec(dir.path().join("nope")),
            disk_error_action: Action::Exec(script(dir.path(), 0o644)),
            ..Config::default()
        };
        let found: Vec<String> = check(&config)
            .iter()
            .map(|f| f.to_string().replace(&*dir.path().to_string_lossy(), "T"))
            .collect();
        assert_eq!(
            found,
            [
                "disk_full_action = exec T/nope: T/nope: No such file or directory (os error 2)",
                "disk_error_action = exec T/s644: T/s644: not executable; chmod u+x it",
                "rules_dir = T/rules.d: no such directory; the daemon would load no rules (create it and put *.rules files in it)",
            ]
        );
        // Writable by others, and (unless the tests run as root) not root's.
        let loose = script(dir.path(), 0o777);
        let problem = exec_script(&loose).unwrap();
        assert!(
            problem.contains("not root") || problem.contains("chmod go-w"),
            "{problem}"
        );
    }

    #[test]
    fn a_database_nowhere_writable_is_found() {
        let file = tempfile::NamedTempFile::new().unwrap();
        // A directory that would have to be made inside a regular file.
        let db = file.path().join("sub/audit.db");
        assert_eq!(
            database(&db),
            Some(format!("{} is not a directory", file.path().display()))
        );
    }
}
