//! Rules on disk against rules in the kernel (`raudit ctl --check`, the
//! `raudit_rules` line of `raudit ctl -s`): the rules a set gives, in the
//! kernel's order, and the difference from what the kernel has loaded.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::netlink::AuditSocket;
use crate::rules::kernel::{self, ApplyError};
use crate::rules::{Command, Rule};

use super::{load_dir, order, DirError, RuleSet};

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
    /// What on disk cannot be loaded at all ([`RuleSet::problems`]): the
    /// rule set is incomplete even when the rest matches.
    pub unloadable: Vec<String>,
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
        self.lines.is_empty() && self.unloadable.is_empty()
    }
}

/// What cannot be loaded, one `FILE:LINE: why` a line, then a diff from
/// the rules on disk to the kernel's: `-` for a rule the kernel lacks, `+`
/// for one it has in addition.
impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for problem in &self.unloadable {
            writeln!(f, "{problem}")?;
        }
        if self.lines.is_empty() {
            return Ok(());
        }
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
        unloadable: set.problems(),
        lines: order::diff(&expected, &loaded),
    })
}

/// `raudit ctl --check DIR`: loads `dir` and compares it with the kernel.
pub fn check_dir(sock: &mut AuditSocket, dir: &Path) -> Result<Drift, DirError> {
    let set = load_dir(dir)?;
    Ok(check(sock, &set, dir)?)
}
