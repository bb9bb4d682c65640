//! The state file of `raudit check --loss --state FILE`: the last loss
//! row a check saw, so that the next one counts only what came after
//! ("loss since the last check"). The check writes this file, never the
//! database.
//!
//! One line, `last_loss_id=N`. It is replaced whole (a temporary file
//! renamed over it), so that two checks at once or a check killed by its
//! timeout leave the old or the new state, never half of one.

use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("state file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("state file {path}: unreadable content {line:?}; delete it to start counting anew")]
    Malformed { path: PathBuf, line: String },
}

const KEY: &str = "last_loss_id=";

/// The last loss row id recorded, or `None` for a first check (no file).
pub fn read(path: &Path) -> Result<Option<i64>, StateError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(StateError::Io {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let line = text.trim();
    line.strip_prefix(KEY)
        .and_then(|n| n.parse().ok())
        .map(Some)
        .ok_or_else(|| StateError::Malformed {
            path: path.to_path_buf(),
            line: line.to_string(),
        })
}

/// Records `last_loss_id` for the next check.
pub fn write(path: &Path, last_loss_id: i64) -> Result<(), StateError> {
    let io = |source| StateError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut tmp = path.as_os_str().to_os_string();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let mut file = std::fs::File::create(&tmp).map_err(io)?;
    writeln!(file, "{KEY}{last_loss_id}").map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_a_first_check_and_a_written_one_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("loss.state");
        assert_eq!(read(&path).unwrap(), None);
        write(&path, 42).unwrap();
        assert_eq!(read(&path).unwrap(), Some(42));
        write(&path, 43).unwrap();
        assert_eq!(read(&path).unwrap(), Some(43));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp left"
        );
    }

    #[test]
    fn other_content_is_refused_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("loss.state");
        std::fs::write(&path, "garbage\n").unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(
            err.contains("\"garbage\"") && err.contains("delete it"),
            "{err}"
        );
    }
}
