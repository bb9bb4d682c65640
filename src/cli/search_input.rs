//! Where `raudit search` and `raudit report` read events when not from the
//! database: an auditd log (`-if FILE|DIR`) or records piped on standard
//! input. The log is imported into a private temporary database, so that
//! every filter runs as the same SQL as over the store; the database goes
//! when the command ends.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::import::{self, log_files, Progress, Source};
use crate::store::Writer;

pub struct Input {
    dir: PathBuf,
    db: PathBuf,
}

impl Input {
    /// The input the flags ask for: `-if PATH` (`-` for standard input),
    /// `--stdin`, or, when invoked as `ausearch` or `aureport` without
    /// `--db`, standard input if it is a pipe (as they do). `None`: the
    /// database.
    pub fn choose(
        input: Option<&Path>,
        stdin: bool,
        db_given: bool,
    ) -> anyhow::Result<Option<Input>> {
        let sources = match input {
            Some(p) if p.as_os_str() == "-" => vec![Source::Stdin],
            Some(p) => files(p)?,
            None if stdin || (!db_given && piped_to_tool()) => vec![Source::Stdin],
            None => return Ok(None),
        };
        Input::import(sources).map(Some)
    }

    /// These logs, imported into a private temporary database.
    pub fn import(sources: Vec<Source>) -> anyhow::Result<Input> {
        let dir = private_dir()?;
        let input = Input {
            db: dir.join("search.db"),
            dir,
        };
        match import::import(sources, &input.db, &mut Progress::hidden()) {
            // A log without records (an empty audit.log after rotation) is
            // searched like any other: an empty store, `<no matches>`.
            Err(import::ImportError::NoRecords { .. }) => drop(Writer::open(&input.db)?),
            other => drop(other?),
        }
        Ok(input)
    }

    pub fn db(&self) -> &Path {
        &self.db
    }
}

impl Drop for Input {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn files(path: &Path) -> anyhow::Result<Vec<Source>> {
    let meta = std::fs::metadata(path).with_context(|| format!("{}", path.display()))?;
    if meta.is_dir() {
        // ausearch's note, on stderr, so that scripts see the same.
        eprintln!("NOTE - using logs in {}", path.join("audit.log").display());
    }
    Ok(log_files(path).into_iter().map(Source::File).collect())
}

/// Whether this is `ausearch` or `aureport` (a link) with a pipe on
/// standard input, which those tools read instead of the logs.
pub fn piped_to_tool() -> bool {
    let tool = std::env::args_os()
        .next()
        .and_then(|a| {
            Path::new(&a)
                .file_name()
                .map(|n| n == "ausearch" || n == "aureport")
        })
        .unwrap_or(false);
    tool && stdin_is_pipe()
}

fn stdin_is_pipe() -> bool {
    let stdin = std::io::stdin();
    !stdin.is_terminal()
        && nix::sys::stat::fstat(&stdin).is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFIFO)
}

/// A new directory only this user can enter, under $TMPDIR.
fn private_dir() -> anyhow::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let base = std::env::temp_dir();
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    for attempt in 0..100u32 {
        let dir = base.join(format!(
            "raudit-search-{}-{stamp}-{attempt}",
            std::process::id()
        ));
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("creating {}", dir.display())),
        }
    }
    anyhow::bail!(
        "could not create a temporary directory in {}",
        base.display()
    )
}
