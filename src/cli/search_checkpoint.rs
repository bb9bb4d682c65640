//! `--checkpoint FILE`: where the last search stopped, so the next one
//! prints only what came after. The file holds the store position of the
//! last event printed (`position=N`); the store only appends, so positions
//! never go back.

use std::path::Path;

use anyhow::{bail, Context};

/// The position recorded in `file`; `None` when it does not exist yet.
pub fn read(file: &Path) -> anyhow::Result<Option<i64>> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading checkpoint {}", file.display())),
    };
    let Some(n) = text
        .trim()
        .strip_prefix("position=")
        .and_then(|n| n.parse().ok())
    else {
        bail!(
            "checkpoint {} is not a raudit checkpoint (position=N)",
            file.display()
        );
    };
    Ok(Some(n))
}

pub fn write(file: &Path, position: i64) -> anyhow::Result<()> {
    std::fs::write(file, format!("position={position}\n"))
        .with_context(|| format!("writing checkpoint {}", file.display()))
}
