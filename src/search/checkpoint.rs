//! `--checkpoint FILE`: where the last search stopped, so the next one
//! prints only what came after. The file holds the store position of the
//! last event printed (`position=N`); the store only appends, so positions
//! never go back.

use std::path::{Path, PathBuf};

use super::SearchError;

/// The position recorded in `file`; `None` when it does not exist yet.
pub fn read(file: &Path) -> Result<Option<i64>, SearchError> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(SearchError::ReadCheckpoint(file.to_path_buf(), err)),
    };
    text.trim()
        .strip_prefix("position=")
        .and_then(|n| n.parse().ok())
        .map(Some)
        .ok_or_else(|| SearchError::NotACheckpoint(file.to_path_buf()))
}

pub fn write(file: &Path, position: i64) -> Result<(), SearchError> {
    std::fs::write(file, format!("position={position}\n"))
        .map_err(|err| SearchError::WriteCheckpoint(PathBuf::from(file), err))
}
