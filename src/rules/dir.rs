//! Rules files and rules directories: reading them (`-R FILE`, and
//! `rules.d/*.rules` the way augenrules merges them), carrying them out on
//! the kernel with auditctl's `-c`/`-i` error policy (or, for the daemon,
//! every valid line whatever the others hold), and comparing them with
//! what the kernel has loaded (`raudit ctl --check`).
//!
//! Every line keeps its file and line number, so each error names both. A
//! line that does not parse is kept in its place: carrying the set out
//! stops there (after the lines before it, as auditctl does) unless `-c`
//! or `-i` asked to carry on.

mod drift;
mod order;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::netlink::AuditSocket;

use super::kernel::{self, ApplyError};
use super::{Command, Invocation, RuleError};

pub use drift::{check, check_dir, expected_rules, Drift, DriftLine};
pub use order::{natural_cmp, place};

/// Where the daemon reads its rules from, and what `raudit ctl --check`
/// compares by default.
pub const DEFAULT_DIR: &str = "/etc/raudit/rules.d";

/// Something read from a rules file, with where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    pub item: T,
}

impl<T: fmt::Display> fmt::Display for Located<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.item)
    }
}

/// The lines of a rules file or directory, in the order they are carried
/// out, the ones that did not parse included (as `Err`), and the files of
/// a directory that could not be read at all.
#[derive(Debug, Default)]
pub struct RuleSet {
    pub lines: Vec<Located<Result<Invocation, RuleError>>>,
    pub unreadable: Vec<LoadError>,
}

impl RuleSet {
    /// What keeps part of the set from loading, whatever the kernel says:
    /// each unreadable file and each line that does not parse, one line
    /// each (`FILE: why`, `FILE:LINE: why`).
    pub fn problems(&self) -> Vec<String> {
        let files = self.unreadable.iter().map(LoadError::to_string);
        let lines = self.lines.iter().filter_map(|l| match &l.item {
            Err(e) => Some(format!("{}:{}: {e}", l.file.display(), l.line)),
            Ok(_) => None,
        });
        files.chain(lines).collect()
    }
}

/// Why a rules file or directory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    // The cause is part of the message rather than a `source`, so that
    // printing the error chain does not say it twice.
    #[error("{}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// auditctl's refusals: a file that is not regular, that another user
    /// owns or that anyone may write could carry someone else's rules.
    #[error("{}: {why}; refusing to load it", path.display())]
    Unsafe { path: PathBuf, why: &'static str },
}

/// How errors end the carrying out of a rule set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// auditctl's: stop at the first error, unless a `-c` line (go on, fail
    /// at the end) or an `-i` line (go on, succeed) came before it.
    Auditctl,
    /// The daemon's: carry out every line that can be; any error fails.
    Everything,
}

/// auditctl's error policy, changed by `-c` and `-i` lines as they are met.
#[derive(Debug, Clone, Copy, Default)]
struct Policy {
    continue_on_error: bool,
    ignore_errors: bool,
}

impl Policy {
    /// A line's flags take effect even when the line is refused for what
    /// follows them, as auditctl sets them before it reads on.
    fn update(&mut self, line: &Result<Invocation, RuleError>) {
        let (c, i) = match line {
            Ok(inv) => (inv.continue_on_error, inv.ignore_errors),
            Err(RuleError::PolicyFlagNotLast(flag)) => (*flag == 'c', *flag == 'i'),
            Err(_) => (false, false),
        };
        self.continue_on_error |= c;
        self.ignore_errors |= i;
    }
    fn keeps_going(self) -> bool {
        self.continue_on_error || self.ignore_errors
    }
}

/// Checks a rules file as auditctl does before reading it: a regular file,
/// owned by root, that no other user may write. (Owned by the user reading
/// it is accepted too: that is root wherever rules can be loaded, and lets
/// tests without root read their own files.)
pub fn check_file(path: &Path) -> Result<(), LoadError> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).map_err(|error| LoadError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let why = if !meta.is_file() {
        "not a regular file"
    } else if meta.uid() != 0 && meta.uid() != nix::unistd::geteuid().as_raw() {
        "not owned by root"
    } else if meta.mode() & 0o002 != 0 {
        "world-writable"
    } else {
        return Ok(());
    };
    Err(LoadError::Unsafe {
        path: path.to_path_buf(),
        why,
    })
}

/// The lines of one file, numbered, without comments and blank lines; a
/// line that is not UTF-8 is kept as `None`, to be reported in its place.
fn read_lines(path: &Path) -> Result<Vec<Located<Option<String>>>, LoadError> {
    check_file(path)?;
    let bytes = std::fs::read(path).map_err(|error| LoadError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let mut out = Vec::new();
    for (i, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let text = std::str::from_utf8(raw).ok();
        if text.is_some_and(|t| super::split_line(t).is_none()) {
            continue;
        }
        out.push(Located {
            file: path.to_path_buf(),
            line: i + 1,
            item: text.map(str::to_string),
        });
    }
    Ok(out)
}

/// Parses numbered lines in order with the real system (for `-w` and user
/// names); a line that does not parse is kept as its error.
fn parse_lines(lines: Vec<Located<Option<String>>>) -> Vec<Located<Result<Invocation, RuleError>>> {
    lines
        .into_iter()
        .map(|Located { file, line, item }| Located {
            file,
            line,
            item: item
                .ok_or(RuleError::NotUtf8)
                .and_then(|text| parse_line(&text)),
        })
        .collect()
}

fn parse_line(text: &str) -> Result<Invocation, RuleError> {
    let words = super::split_line(text).unwrap_or_default();
    let inv = super::parse_args(&words)?;
    match inv
        .commands
        .iter()
        .any(|c| matches!(c, Command::ReadFile(_)))
    {
        true => Err(RuleError::NestedRulesFile),
        false => Ok(inv),
    }
}

/// One rules file, every line in order (`-R FILE`).
pub fn load_file(path: &Path) -> Result<RuleSet, LoadError> {
    Ok(RuleSet {
        lines: parse_lines(read_lines(path)?),
        unreadable: Vec::new(),
    })
}

/// The `*.rules` files of `dir` in natural sort order (`ls -v`), as
/// augenrules picks them.
pub fn rules_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let io = |error| LoadError::Io {
        path: dir.to_path_buf(),
        error,
    };
    let mut names: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let name = entry.map_err(io)?.file_name();
        // A name that is not UTF-8 cannot end in ".rules" as text; skip it
        // like any other file that is not a rules file.
        if let Some(name) = name.to_str().filter(|n| n.ends_with(".rules")) {
            names.push(name.to_string());
        }
    }
    names.sort_by(|a, b| natural_cmp(a, b));
    Ok(names.into_iter().map(|n| dir.join(n)).collect())
}

/// Every `*.rules` file of `dir`, merged as augenrules merges them: files
/// in natural sort order, then the last bare `-D` first, the last `-b`
/// second, the last `-f` third, the other lines in order, and the last `-e`
/// at the very end. A file that cannot be read is left out and named in
/// [`RuleSet::unreadable`]; only an unreadable directory is an error.
pub fn load_dir(dir: &Path) -> Result<RuleSet, LoadError> {
    let mut lines = Vec::new();
    let mut unreadable = Vec::new();
    for file in rules_files(dir)? {
        match read_lines(&file) {
            Ok(file_lines) => lines.extend(file_lines),
            Err(e) => unreadable.push(e),
        }
    }
    Ok(RuleSet {
        lines: parse_lines(place(lines)),
        unreadable,
    })
}

/// What carrying out a rule set did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Lines carried out without error.
    pub applied: usize,
    /// Rules those lines added (`-a`, `-A`, `-w`).
    pub rules_added: usize,
    /// Lines refused (by the parser or the kernel), in order.
    pub errors: Vec<Located<String>>,
    /// Files of a directory that could not be read, each with why.
    pub unreadable: Vec<String>,
    /// auditctl's warnings for the lines carried out.
    pub warnings: Vec<Located<String>>,
    /// Whether the load counts as failed. Under [`Mode::Auditctl`]: an
    /// error with neither `-c` nor `-i` in effect (which stops it there),
    /// or any error under `-c`; under `-i` alone errors are reported and
    /// the load still succeeds. Under [`Mode::Everything`]: any error.
    pub failed: bool,
    /// The kernel's configuration is locked (`-e 2`): nothing was sent.
    pub immutable: bool,
}

impl Report {
    /// Whether part of the set did not load.
    pub fn incomplete(&self) -> bool {
        self.immutable || !self.errors.is_empty() || !self.unreadable.is_empty()
    }

    /// Everything that did not load, one line each: unreadable files, then
    /// refused lines (`FILE:LINE: why`).
    pub fn problems(&self) -> Vec<String> {
        let lines = self.errors.iter().map(ToString::to_string);
        self.unreadable.iter().cloned().chain(lines).collect()
    }
}

/// Carries out `set` line by line with `exec`, stopping (or not) at errors
/// as `mode` says.
pub fn run_set<E: fmt::Display>(
    set: &RuleSet,
    mode: Mode,
    mut exec: impl FnMut(&Invocation) -> Result<(), E>,
) -> Report {
    let mut report = Report {
        unreadable: set.unreadable.iter().map(ToString::to_string).collect(),
        failed: !set.unreadable.is_empty(),
        ..Report::default()
    };
    let mut policy = match mode {
        Mode::Auditctl => Policy::default(),
        Mode::Everything => Policy {
            continue_on_error: true,
            ignore_errors: false,
        },
    };
    for located in &set.lines {
        let at = |item: String| Located {
            file: located.file.clone(),
            line: located.line,
            item,
        };
        policy.update(&located.item);
        let result = match &located.item {
            Ok(inv) => {
                report
                    .warnings
                    .extend(inv.warnings.iter().map(|w| at(w.clone())));
                exec(inv).map(|()| added(inv)).map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        };
        match result {
            Ok(rules) => {
                report.applied += 1;
                report.rules_added += rules;
            }
            Err(message) => {
                report.errors.push(at(message));
                report.failed |= policy.continue_on_error || !policy.keeps_going();
                if !policy.keeps_going() {
                    break;
                }
            }
        }
    }
    report
}

/// How many rules a line adds.
fn added(inv: &Invocation) -> usize {
    inv.commands
        .iter()
        .filter(|c| matches!(c, Command::Add { .. }))
        .count()
}

/// Carries out a rule set on the kernel, printing nothing. When the
/// configuration is locked nothing is sent and the report says so.
pub fn apply(sock: &mut AuditSocket, set: &RuleSet, mode: Mode) -> Result<Report, ApplyError> {
    if sock.get_status().map_err(ApplyError::Netlink)?.enabled == 2 {
        return Ok(Report {
            immutable: true,
            ..Report::default()
        });
    }
    Ok(run_set(set, mode, |inv| {
        inv.commands
            .iter()
            .try_for_each(|cmd| kernel::apply(sock, cmd).map(drop))
    }))
}

/// Why a rules directory could not be applied or checked.
#[derive(Debug, thiserror::Error)]
pub enum DirError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Kernel(#[from] ApplyError),
}

/// Loads `dir` (see [`load_dir`]) and carries out every line of it that
/// can be (see [`apply`], [`Mode::Everything`]): the daemon's start and
/// SIGHUP, where one bad line must not leave the machine unaudited. The
/// directory is the rule set: when none of its files says `-D`, one is put
/// first, so that a reload replaces the rules instead of failing on the
/// ones already loaded.
pub fn apply_dir(sock: &mut AuditSocket, dir: &Path) -> Result<Report, DirError> {
    let mut set = load_dir(dir)?;
    let clears = set.lines.iter().any(|l| {
        l.item.as_ref().is_ok_and(|inv| {
            inv.commands
                .iter()
                .any(|c| matches!(c, Command::DeleteAll { key: None }))
        })
    });
    let has_rules = set.lines.iter().any(|l| {
        l.item.as_ref().is_ok_and(|inv| {
            inv.commands
                .iter()
                .any(|c| matches!(c, Command::Add { .. }))
        })
    });
    if has_rules && !clears {
        set.lines.insert(
            0,
            Located {
                file: dir.to_path_buf(),
                line: 0,
                item: Ok(Invocation {
                    commands: vec![Command::DeleteAll { key: None }],
                    ..Invocation::default()
                }),
            },
        );
    }
    Ok(apply(sock, &set, Mode::Everything)?)
}

#[cfg(test)]
mod tests;
