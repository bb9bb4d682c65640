//! auditctl's rule language: the grammar (shared by the command line and
//! rules files), the rule model, its `struct audit_rule_data` encoding, and
//! the `auditctl -l` text of a rule; then carrying commands out on the
//! kernel (`kernel`) and rules files and directories (`dir`).
//!
//! ```text
//! argv / rules-file line --split_line--> words --parse_args--> Invocation { commands }
//! Rule --to_wire--> bytes (AUDIT_ADD_RULE / AUDIT_DEL_RULE)
//! AUDIT_LIST_RULES payload --from_wire--> Rule --Display--> "-a always,exit -F arch=b64 -S openat ..."
//! rules.d/*.rules --dir::load_dir--> RuleSet --dir::apply--> kernel::apply per command
//! ```
//!
//! Name tables (syscalls per arch, errnos, fields, comparisons, machines) are
//! data files in [`crate::tables`], parsed at first use.

mod arch;
mod builder;
mod codec;
mod compare;
pub mod completion;
pub mod dir;
mod display;
mod error;
mod fields;
pub mod kernel;
mod model;
mod syntax;
mod system;
mod value;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

pub use arch::parse_arch;
pub use display::{ReadArg, SyscallArg};
pub use error::RuleError;
pub use model::{Action, FieldValue, FilterList, Operator, Rule, RuleField, SyscallMask};
pub use system::{HostSystem, System};

/// One auditctl action, in command-line order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// -a / -A / -w (`prepend` for -A, also set in `rule.prepend`).
    Add { rule: Rule, prepend: bool },
    /// -d / -W
    Delete(Rule),
    /// -D [-k KEY]
    DeleteAll { key: Option<String> },
    /// -l [-k KEY] [-i]
    List {
        key: Option<String>,
        interpret: bool,
    },
    /// -s [-i]
    Status { interpret: bool },
    /// -e -f -r -b --backlog_wait_time
    Set(StatusChange),
    /// --reset-lost
    ResetLost,
    /// --reset_backlog_wait_time_actual
    ResetBacklogWaitTimeActual,
    /// --loginuid-immutable
    LoginuidImmutable,
    /// -q MOUNT,SUBTREE: make a subtree mounted inside a watched directory
    /// part of that directory's watches (AUDIT_MAKE_EQUIV).
    MakeEquivalent { mount: String, subtree: String },
    /// -m TEXT
    Message(String),
    /// -R FILE
    ReadFile(PathBuf),
    /// --signal NAME, normalised to TERM, HUP, USR1, USR2 or CONT (auditctl
    /// also takes stop, reload, rotate, resume and state).
    Signal(String),
    /// -t
    Trim,
    /// -v
    Version,
    /// -h
    Help,
}

/// A change to the kernel's audit status (AUDIT_SET).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    /// -e 0|1|2 (2 locks the configuration until reboot)
    Enabled(u32),
    /// -f 0|1|2 (silent, printk, panic)
    Failure(u32),
    /// -r messages per second
    RateLimit(u32),
    /// -b outstanding buffers
    BacklogLimit(u32),
    /// --backlog_wait_time
    BacklogWaitTime(u32),
}

/// One parsed auditctl command line or rules-file line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invocation {
    pub commands: Vec<Command>,
    /// -c: keep loading a rules file after an error.
    pub continue_on_error: bool,
    /// -i without -l or -s: ignore errors in a rules file.
    pub ignore_errors: bool,
    /// What auditctl warns about but carries out: a syscall rule without an
    /// arch whose syscall numbers differ between the 32- and 64-bit tables,
    /// a watch path with `..` or wildcards.
    pub warnings: Vec<String>,
}

/// Parses auditctl arguments (argv without the program name). The same
/// grammar parses a rules-file line (see [`split_line`]). Uses the real
/// system to stat `-w` paths and resolve user and group names.
pub fn parse_args(args: &[String]) -> Result<Invocation, RuleError> {
    syntax::parse_with(args, &HostSystem)
}

/// [`parse_args`] against another [`System`] (tests, replay).
pub fn parse_args_with(args: &[String], sys: &dyn System) -> Result<Invocation, RuleError> {
    syntax::parse_with(args, sys)
}

/// Splits one rules-file line into words (auditctl's own splitting: at
/// blanks, no quoting); comments and blank lines give `None`.
pub fn split_line(line: &str) -> Option<Vec<String>> {
    syntax::split_line(line)
}
