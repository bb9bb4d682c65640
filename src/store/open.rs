//! Opening a database for writing, safely: one writer at a time, and no
//! path an attacker could have bent.
//!
//! - The database file is locked (flock, exclusive) for the writer's whole
//!   life, so a second daemon, an `--observe` daemon or an import on the
//!   same database is refused with the holder's pid instead of storing
//!   every event twice. SQLite's own locks are per transaction and would
//!   let both write.
//! - The path may not be a symbolic link, nor pass through one that
//!   someone other than root or this user owns; its directory may not be
//!   writable by others unless it is sticky (as /tmp), where the file must
//!   then be this user's own. A file this writer did not create is never
//!   chmod'ed; a new one is created 0600 in a new directory 0700.

use std::fs::{File, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use nix::fcntl::{Flock, FlockArg};

use super::StoreError;

/// The writer's hold on its database file; released when dropped.
pub struct Lock {
    _flock: Flock<File>,
    /// The file's identity when opened: a different one at the path later
    /// means it was deleted, moved or replaced.
    pub identity: Identity,
}

/// Device and inode of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    pub dev: u64,
    pub ino: u64,
}

/// What is at the database's path now, against what the writer opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtPath {
    Same,
    /// Nothing: deleted or moved away.
    Missing,
    /// Another file.
    Replaced,
}

impl Identity {
    fn of(meta: &std::fs::Metadata) -> Identity {
        Identity {
            dev: meta.dev(),
            ino: meta.ino(),
        }
    }

    /// Compares the file now at `path` with this one.
    pub fn check(&self, path: &Path) -> AtPath {
        match std::fs::symlink_metadata(path) {
            Ok(m) if Identity::of(&m) == *self => AtPath::Same,
            Ok(_) => AtPath::Replaced,
            Err(_) => AtPath::Missing,
        }
    }
}

fn unsafe_path(path: &Path, why: String) -> StoreError {
    StoreError::Unsafe {
        path: path.to_path_buf(),
        why,
    }
}

/// Checks the path, creates the file (and its directory) if missing, and
/// takes the writer's lock.
pub fn claim(path: &Path) -> Result<Lock, StoreError> {
    let dir = parent(path);
    check_components(&dir, path)?;
    ensure_dir(&dir, path)?;
    for side in ["-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_os_string();
        p.push(side);
        if is_symlink(Path::new(&p)) {
            return Err(unsafe_path(
                path,
                format!("{} is a symbolic link; remove it", Path::new(&p).display()),
            ));
        }
    }
    let file = open_file(path)?;
    let meta = file.metadata().map_err(|source| StoreError::Dir {
        path: path.to_path_buf(),
        source,
    })?;
    let identity = Identity::of(&meta);
    let flock = Flock::lock(file, FlockArg::LockExclusiveNonblock).map_err(|(_, errno)| {
        if errno == nix::errno::Errno::EWOULDBLOCK {
            StoreError::Locked {
                path: path.to_path_buf(),
                holder: holder(identity),
            }
        } else {
            StoreError::Dir {
                path: path.to_path_buf(),
                source: errno.into(),
            }
        }
    })?;
    Ok(Lock {
        _flock: flock,
        identity,
    })
}

fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn is_symlink(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
}

/// No component of the path may be a symbolic link that someone other
/// than root or this user could change, and the database itself may not
/// be a link at all.
fn check_components(dir: &Path, path: &Path) -> Result<(), StoreError> {
    if let Ok(m) = std::fs::symlink_metadata(path) {
        if m.file_type().is_symlink() {
            let to = std::fs::read_link(path)
                .map(|t| format!(" (to {})", t.display()))
                .unwrap_or_default();
            return Err(unsafe_path(
                path,
                format!("is a symbolic link{to}; give the database's real path"),
            ));
        }
    }
    let me = nix::unistd::geteuid().as_raw();
    let mut at = PathBuf::new();
    for part in dir.components() {
        at.push(part);
        let Ok(m) = std::fs::symlink_metadata(&at) else {
            break; // created below, by us
        };
        if m.file_type().is_symlink() && m.uid() != 0 && m.uid() != me {
            return Err(unsafe_path(
                path,
                format!(
                    "{} is a symbolic link owned by uid {}, who could redirect the database",
                    at.display(),
                    m.uid()
                ),
            ));
        }
    }
    Ok(())
}

/// The directory exists (created 0700 if not) and others cannot write to
/// it, unless it is sticky.
fn ensure_dir(dir: &Path, path: &Path) -> Result<(), StoreError> {
    let dir_err = |source| StoreError::Dir {
        path: dir.to_path_buf(),
        source,
    };
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(dir_err)?;
        return Ok(());
    }
    let meta = std::fs::metadata(dir).map_err(dir_err)?;
    if !meta.is_dir() {
        return Err(unsafe_path(
            path,
            format!("{} is not a directory", dir.display()),
        ));
    }
    let mode = meta.permissions().mode();
    let sticky = mode & 0o1000 != 0;
    if mode & 0o022 != 0 && !sticky {
        return Err(unsafe_path(
            path,
            format!(
                "its directory {} is writable by others (mode {:04o}); run chmod go-w {} or choose another directory",
                dir.display(),
                mode & 0o7777,
                dir.display()
            ),
        ));
    }
    Ok(())
}

/// Opens the database file, creating it 0600 if it does not exist; an
/// existing one must be a regular file of this user's (or root's, for
/// root) and is left as it is.
fn open_file(path: &Path) -> Result<File, StoreError> {
    let err = |source| StoreError::Dir {
        path: path.to_path_buf(),
        source,
    };
    let mut options = OpenOptions::new();
    options
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    let created = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path);
    let is_dir = |e: &std::io::Error| e.raw_os_error() == Some(libc::EISDIR);
    let file = match created.or_else(|e| match e.kind() {
        ErrorKind::AlreadyExists => options.open(path),
        _ => Err(e),
    }) {
        Ok(f) => f,
        Err(e) if is_dir(&e) => {
            return Err(unsafe_path(path, "is a directory; give a file name".into()))
        }
        Err(e) => return Err(err(e)),
    };
    let meta = file.metadata().map_err(err)?;
    if meta.is_dir() {
        return Err(unsafe_path(path, "is a directory; give a file name".into()));
    }
    if !meta.is_file() {
        return Err(unsafe_path(path, "is not a regular file".into()));
    }
    let me = nix::unistd::geteuid().as_raw();
    if meta.uid() != me && meta.uid() != 0 {
        return Err(unsafe_path(
            path,
            format!(
                "belongs to uid {}; a database must belong to the user that writes it",
                meta.uid()
            ),
        ));
    }
    Ok(file)
}

/// The process holding `path`'s writer lock, if any.
pub(super) fn holder_of(path: &Path) -> Option<(u32, String)> {
    let meta = std::fs::metadata(path).ok()?;
    holder(Identity::of(&meta))
}

/// Who holds a lock on the file, from /proc/locks: (pid, command).
fn holder(file: Identity) -> Option<(u32, String)> {
    let locks = std::fs::read_to_string("/proc/locks").ok()?;
    let want_ino = file.ino.to_string();
    locks.lines().find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        // "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF"
        let at = f.iter().position(|w| *w == "FLOCK")?;
        let pid: u32 = f.get(at + 3)?.parse().ok()?;
        let ino = f.get(at + 4)?.rsplit(':').next()?;
        (ino == want_ino && pid != std::process::id()).then(|| {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .map(|c| c.trim().to_string())
                .unwrap_or_else(|_| "?".into());
            (pid, comm)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_with_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.db");
        let first = claim(&db).unwrap();
        // A second claim from this process opens another description of
        // the file, which flock treats as another holder.
        let err = claim(&db).err().expect("refused");
        assert!(matches!(err, StoreError::Locked { .. }), "{err}");
        drop(first);
        claim(&db).expect("free again");
    }

    #[test]
    fn links_directories_and_open_directories_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.db");
        std::fs::write(&real, b"").unwrap();
        let link = dir.path().join("link.db");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let err = claim(&link).err().unwrap().to_string();
        assert!(err.contains("is a symbolic link (to"), "{err}");
        let dangling = dir.path().join("dangling.db");
        std::os::unix::fs::symlink(dir.path().join("nowhere.db"), &dangling).unwrap();
        assert!(claim(&dangling).is_err());
        assert!(
            !dir.path().join("nowhere.db").exists(),
            "nothing created through it"
        );

        let err = claim(dir.path()).err().unwrap().to_string();
        assert!(err.contains("is a directory"), "{err}");

        let open = dir.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = claim(&open.join("a.db")).err().unwrap().to_string();
        assert!(err.contains("writable by others (mode 0777)"), "{err}");
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o1777)).unwrap();
        claim(&open.join("a.db")).expect("a sticky directory, as /tmp");
    }

    #[test]
    fn new_files_are_private_and_existing_ones_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("new/a.db");
        drop(claim(&db).unwrap());
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&db), 0o600);
        assert_eq!(mode(db.parent().unwrap()), 0o700);
        let old = dir.path().join("old.db");
        std::fs::write(&old, b"").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o640)).unwrap();
        drop(claim(&old).unwrap());
        assert_eq!(mode(&old), 0o640, "not chmod'ed");
    }

    #[test]
    fn identity_tells_deleted_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.db");
        let lock = claim(&db).unwrap();
        assert_eq!(lock.identity.check(&db), AtPath::Same);
        std::fs::rename(&db, dir.path().join("moved.db")).unwrap();
        assert_eq!(lock.identity.check(&db), AtPath::Missing);
        std::fs::write(&db, b"").unwrap();
        assert_eq!(lock.identity.check(&db), AtPath::Replaced);
    }
}
