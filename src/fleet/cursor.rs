//! Where an export stands, per destination: the last event (and loss row)
//! the fleet has acknowledged, kept in a small JSON file beside the store
//! (readers never write the audit database). Written after each batch the
//! server accepted, atomically (a new file renamed over the old, both
//! synced), so a crash leaves the old cursor or the new one: at worst a
//! batch is sent again, which the fleet's tables collapse.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The last event and loss row sent to one destination.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The event's place in the store (0: none sent yet).
    pub position: i64,
    /// Its identity, to recognise a store replaced under the cursor.
    pub time_ms: i64,
    pub serial: u64,
    pub node: Option<String>,
    /// The last loss row's place in the store.
    pub loss_position: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum CursorError {
    #[error("export cursor {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("export cursor {path} is damaged ({why}); remove it to export from the start (events already in the fleet are not duplicated)")]
    Damaged { path: PathBuf, why: String },
}

/// The cursor file beside a database.
pub fn default_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_os_string();
    p.push(".export.json");
    PathBuf::from(p)
}

/// Every destination's cursor in one file, keyed by the destination's URL
/// (without credentials).
#[derive(Debug)]
pub struct CursorFile {
    path: PathBuf,
    all: BTreeMap<String, Cursor>,
}

impl CursorFile {
    /// Reads the file; a missing one is an empty one.
    pub fn load(path: &Path) -> Result<CursorFile, CursorError> {
        let all = match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| CursorError::Damaged {
                path: path.to_path_buf(),
                why: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(source) => {
                return Err(CursorError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        Ok(CursorFile {
            path: path.to_path_buf(),
            all,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn get(&self, destination: &str) -> Cursor {
        self.all.get(destination).cloned().unwrap_or_default()
    }

    /// Records `cursor` for `destination`, durably, before returning.
    pub fn set(&mut self, destination: &str, cursor: Cursor) -> Result<(), CursorError> {
        self.all.insert(destination.to_string(), cursor);
        let io = |source| CursorError::Io {
            path: self.path.clone(),
            source,
        };
        let mut text = serde_json::to_vec_pretty(&self.all)
            .map_err(std::io::Error::from)
            .map_err(io)?;
        text.push(b'\n');
        let mut tmp = self.path.as_os_str().to_os_string();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let mut file = std::fs::File::create(&tmp).map_err(io)?;
        file.write_all(&text).map_err(io)?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&tmp, &self.path).map_err(io)?;
        // The rename itself, durable.
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_per_destination() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.db.export.json");
        let mut file = CursorFile::load(&path).unwrap();
        assert_eq!(file.get("http://a:8123/raudit"), Cursor::default());
        let cursor = Cursor {
            position: 7,
            time_ms: 1_700_000_000_123,
            serial: 42,
            node: Some("alpha".into()),
            loss_position: 2,
        };
        file.set("http://a:8123/raudit", cursor.clone()).unwrap();
        let again = CursorFile::load(&path).unwrap();
        assert_eq!(again.get("http://a:8123/raudit"), cursor);
        assert_eq!(again.get("http://b:8123/raudit"), Cursor::default());
        std::fs::write(&path, "{not json").unwrap();
        let err = CursorFile::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("is damaged") && err.contains("remove it"),
            "{err}"
        );
    }
}
