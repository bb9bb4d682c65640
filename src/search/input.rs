//! Where `raudit search` and `raudit report` read events when not from the
//! database: an auditd log (`-if FILE|DIR`) or records piped on standard
//! input. The log is imported into a private temporary database, so that
//! every filter runs as the same SQL as over the store; the database goes
//! when the command ends.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::SearchError;
use crate::import::{self, log_files, Progress, Source};
use crate::store::Writer;

pub struct Input {
    dir: PathBuf,
    db: PathBuf,
}

impl Input {
    /// The input the flags ask for: `-if PATH` (`-` for standard input),
    /// `--stdin`, or standard input if it is a pipe and `pipe_is_input`
    /// (invoked as `ausearch` or `aureport` without `--db`, which read a
    /// pipe as they do). `None`: the database.
    pub fn choose(
        input: Option<&Path>,
        stdin: bool,
        pipe_is_input: bool,
    ) -> Result<Option<Input>, SearchError> {
        let sources = match input {
            Some(p) if p.as_os_str() == "-" => vec![Source::Stdin],
            Some(p) => files(p)?,
            None if stdin || (pipe_is_input && stdin_is_pipe()) => vec![Source::Stdin],
            None => return Ok(None),
        };
        Input::import(sources).map(Some)
    }

    /// These logs, imported into a private temporary database.
    pub fn import(sources: Vec<Source>) -> Result<Input, SearchError> {
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

fn files(path: &Path) -> Result<Vec<Source>, SearchError> {
    let meta =
        std::fs::metadata(path).map_err(|err| SearchError::Input(path.to_path_buf(), err))?;
    if meta.is_dir() {
        // ausearch's note, on stderr, so that scripts see the same.
        eprintln!("NOTE - using logs in {}", path.join("audit.log").display());
    }
    Ok(log_files(path).into_iter().map(Source::File).collect())
}

/// Whether standard input is a pipe, which `ausearch` and `aureport` read
/// instead of the logs.
pub fn stdin_is_pipe() -> bool {
    let stdin = std::io::stdin();
    !stdin.is_terminal()
        && nix::sys::stat::fstat(&stdin).is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFIFO)
}

/// A new directory only this user can enter, under $TMPDIR.
fn private_dir() -> Result<PathBuf, SearchError> {
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
            Err(err) => return Err(SearchError::TempDir(dir, err)),
        }
    }
    Err(SearchError::NoTempDir(base))
}
