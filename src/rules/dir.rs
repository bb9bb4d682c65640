//! Rules files and rules directories: reading them (`-R FILE`, and
//! `rules.d/*.rules` the way augenrules merges them), carrying them out on
//! the kernel with auditctl's `-c`/`-i` error policy, and comparing them
//! with what the kernel has loaded (`raudit ctl --check`).
//!
//! Every line keeps its file and line number, so each error names both. A
//! line that does not parse stops the load before anything reaches the
//! kernel, unless an earlier `-c` or `-i` line asked to carry on.

mod order;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::netlink::AuditSocket;

use super::kernel::{self, ApplyError};
use super::{Command, Invocation, Rule, RuleError};

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
/// out. A line that did not parse is kept (as `Err`) only when `-c` or `-i`
/// was in effect, so that carrying out the set reports it in its place.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RuleSet {
    pub lines: Vec<Located<Result<Invocation, RuleError>>>,
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
    #[error("{}:{line}: the line is not valid UTF-8", file.display())]
    Encoding { file: PathBuf, line: usize },
    #[error("{0}")]
    Parse(Located<RuleError>),
}

/// auditctl's error policy, changed by `-c` and `-i` lines as they are met.
#[derive(Debug, Clone, Copy, Default)]
struct Policy {
    continue_on_error: bool,
    ignore_errors: bool,
}

impl Policy {
    fn update(&mut self, inv: &Invocation) {
        self.continue_on_error |= inv.continue_on_error;
        self.ignore_errors |= inv.ignore_errors;
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

/// The lines of one file, numbered, without comments and blank lines.
fn read_lines(path: &Path) -> Result<Vec<Located<String>>, LoadError> {
    check_file(path)?;
    let bytes = std::fs::read(path).map_err(|error| LoadError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let mut out = Vec::new();
    for (i, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let text = std::str::from_utf8(raw).map_err(|_| LoadError::Encoding {
            file: path.to_path_buf(),
            line: i + 1,
        })?;
        if super::split_line(text).is_some() {
            out.push(Located {
                file: path.to_path_buf(),
                line: i + 1,
                item: text.to_string(),
            });
        }
    }
    Ok(out)
}

/// Parses numbered lines in order with the real system (for `-w` and user
/// names), keeping refused lines only under `-c`/`-i`.
fn parse_lines(lines: Vec<Located<String>>) -> Result<RuleSet, LoadError> {
    let mut policy = Policy::default();
    let mut set = RuleSet::default();
    for Located { file, line, item } in lines {
        let words = super::split_line(&item).unwrap_or_default();
        let parsed = super::parse_args(&words).and_then(|inv| {
            match inv
                .commands
                .iter()
                .any(|c| matches!(c, Command::ReadFile(_)))
            {
                true => Err(RuleError::NestedRulesFile),
                false => Ok(inv),
            }
        });
        if let Ok(inv) = &parsed {
            policy.update(inv);
        }
        let item = match parsed {
            Err(item) if !policy.keeps_going() => {
                return Err(LoadError::Parse(Located { file, line, item }))
            }
            parsed => parsed,
        };
        set.lines.push(Located { file, line, item });
    }
    Ok(set)
}

/// One rules file, every line in order (`-R FILE`).
pub fn load_file(path: &Path) -> Result<RuleSet, LoadError> {
    parse_lines(read_lines(path)?)
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
/// at the very end.
pub fn load_dir(dir: &Path) -> Result<RuleSet, LoadError> {
    let mut lines = Vec::new();
    for file in rules_files(dir)? {
        lines.extend(read_lines(&file)?);
    }
    parse_lines(place(lines))
}

/// What carrying out a rule set did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Lines carried out without error.
    pub applied: usize,
    /// Lines refused (by the parser or the kernel), in order.
    pub errors: Vec<Located<String>>,
    /// auditctl's warnings for the lines carried out.
    pub warnings: Vec<Located<String>>,
    /// Whether the load counts as failed: an error with neither `-c` nor
    /// `-i` in effect (which stops it there), or any error under `-c`.
    /// Under `-i` alone errors are reported and the load still succeeds.
    pub failed: bool,
    /// The kernel's configuration is locked (`-e 2`): nothing was sent.
    pub immutable: bool,
}

/// Carries out `set` line by line with `exec`, following auditctl's error
/// policy: stop at the first error, or with `-c` go on and fail at the end,
/// or with `-i` go on and succeed.
pub fn run_set<E: fmt::Display>(
    set: &RuleSet,
    mut exec: impl FnMut(&Invocation) -> Result<(), E>,
) -> Report {
    let mut report = Report::default();
    let mut policy = Policy::default();
    for located in &set.lines {
        let at = |item: String| Located {
            file: located.file.clone(),
            line: located.line,
            item,
        };
        let result = match &located.item {
            Ok(inv) => {
                policy.update(inv);
                report
                    .warnings
                    .extend(inv.warnings.iter().map(|w| at(w.clone())));
                exec(inv).map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        };
        match result {
            Ok(()) => report.applied += 1,
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

/// Carries out a rule set on the kernel, printing nothing. When the
/// configuration is locked nothing is sent and the report says so.
pub fn apply(sock: &mut AuditSocket, set: &RuleSet) -> Result<Report, ApplyError> {
    if sock.get_status().map_err(ApplyError::Netlink)?.enabled == 2 {
        return Ok(Report {
            immutable: true,
            ..Report::default()
        });
    }
    Ok(run_set(set, |inv| {
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

/// Loads `dir` (see [`load_dir`]) and carries it out on the kernel (see
/// [`apply`]): the daemon's start and SIGHUP. The directory is the rule
/// set: when none of its files says `-D`, one is put first, so that a
/// reload replaces the rules instead of failing on the ones already loaded.
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
    Ok(apply(sock, &set)?)
}

/// The rules the kernel has once `set` is carried out on an empty rule
/// list, in the order it lists them (list by list, `-A` rules first), in
/// their normal form (see [`kernel::normal_form`]).
pub fn expected_rules(set: &RuleSet) -> Vec<Rule> {
    let mut lists: Vec<Vec<Rule>> = vec![Vec::new(); 8];
    let slot = |rule: &Rule| (rule.list.number() as usize).min(7);
    for inv in set.lines.iter().filter_map(|l| l.item.as_ref().ok()) {
        for cmd in &inv.commands {
            match cmd {
                Command::Add { rule, .. } => {
                    let normal = kernel::normal_form(rule);
                    let list = &mut lists[slot(rule)];
                    if list.contains(&normal) {
                        continue;
                    }
                    match rule.prepend {
                        true => list.insert(0, normal),
                        false => list.push(normal),
                    }
                }
                Command::Delete(rule) => {
                    let normal = kernel::normal_form(rule);
                    lists[slot(rule)].retain(|r| *r != normal);
                }
                Command::DeleteAll { key } => {
                    for list in &mut lists {
                        list.retain(|r| !kernel::key_matches(r, key.as_deref()));
                    }
                }
                _ => {}
            }
        }
    }
    lists.into_iter().flatten().collect()
}

/// The difference between the rules on disk and the rules in the kernel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drift {
    pub source: PathBuf,
    /// In `auditctl -l` form, in order, each marked with where it is.
    pub lines: Vec<DriftLine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DriftLine {
    /// On disk, and not in the kernel (or not in that place).
    OnDiskOnly(String),
    /// In the kernel, and not on disk (or not in that place).
    InKernelOnly(String),
}

impl Drift {
    pub fn in_sync(&self) -> bool {
        self.lines.is_empty()
    }
}

/// A diff from the rules on disk to the kernel's: `-` for a rule the
/// kernel lacks, `+` for one it has in addition.
impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "--- {} (rules on disk)", self.source.display())?;
        writeln!(f, "+++ kernel (rules loaded)")?;
        for line in &self.lines {
            match line {
                DriftLine::OnDiskOnly(rule) => writeln!(f, "-{rule}")?,
                DriftLine::InKernelOnly(rule) => writeln!(f, "+{rule}")?,
            }
        }
        Ok(())
    }
}

/// Compares the rules `set` gives with the kernel's, order included.
pub fn check(sock: &mut AuditSocket, set: &RuleSet, source: &Path) -> Result<Drift, ApplyError> {
    let expected = expected_rules(set);
    let loaded: Vec<Rule> = kernel::list_rules(sock)?
        .iter()
        .map(kernel::normal_form)
        .collect();
    Ok(Drift {
        source: source.to_path_buf(),
        lines: order::diff(&expected, &loaded),
    })
}

/// `raudit ctl --check DIR`: loads `dir` and compares it with the kernel.
pub fn check_dir(sock: &mut AuditSocket, dir: &Path) -> Result<Drift, DirError> {
    let set = load_dir(dir)?;
    Ok(check(sock, &set, dir)?)
}

#[cfg(test)]
mod tests;
