//! Which files a path names: a log file itself, or in a directory auditd's
//! `audit.log` and its rotations, oldest first, as ausearch reads them.

use std::path::{Path, PathBuf};

/// `audit.log.N`, ..., `audit.log.1`, `audit.log` for a directory (the
/// numbers counted up from 1 while the files exist, as ausearch does);
/// the path itself for anything else.
pub fn log_files(path: &Path) -> Vec<PathBuf> {
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    let base = path.join("audit.log");
    let mut files = Vec::new();
    if base.exists() {
        files.push(base.clone());
    }
    for n in 1.. {
        let rotated = PathBuf::from(format!("{}.{n}", base.display()));
        if !rotated.exists() {
            break;
        }
        files.push(rotated);
    }
    files.reverse();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotated_logs_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "audit.log",
            "audit.log.1",
            "audit.log.2",
            "audit.log.4",
            "other",
        ] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let names: Vec<String> = log_files(dir.path())
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["audit.log.2", "audit.log.1", "audit.log"]);
        let file = dir.path().join("other");
        assert_eq!(log_files(&file), vec![file]);
    }
}
