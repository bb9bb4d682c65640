//! Who may have written the configuration. The daemon runs as root and the
//! file decides where it writes and what it executes (`exec` actions), so,
//! like auditd with auditd.conf, it refuses a file that anyone but root
//! could have changed.

use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::ConfigError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Insecure {
    #[error("not a regular file")]
    NotRegular,
    #[error("owned by uid {0}, not root; chown root it")]
    NotRootOwned(u32),
    #[error("world-writable (mode {0:04o}); chmod o-w it")]
    WorldWritable(u32),
}

/// Checks the file at `path` (following symlinks, as the daemon will read
/// through them).
pub fn check_permissions(path: &Path) -> Result<(), ConfigError> {
    let meta = std::fs::metadata(path).map_err(|error| ConfigError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    judge(&meta).map_err(|why| ConfigError::Insecure {
        path: path.to_path_buf(),
        why,
    })
}

/// The verdict on a file's metadata: regular, root's, not world-writable.
pub fn judge(meta: &Metadata) -> Result<(), Insecure> {
    if !meta.is_file() {
        return Err(Insecure::NotRegular);
    }
    if meta.uid() != 0 {
        return Err(Insecure::NotRootOwned(meta.uid()));
    }
    if meta.mode() & 0o002 != 0 {
        return Err(Insecure::WorldWritable(meta.mode() & 0o7777));
    }
    Ok(())
}
