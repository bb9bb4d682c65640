//! Rule-level tests: byte fixtures (hand-made, and captured from the
//! kernel), the text -> wire -> text round trip over a corpus, command-line
//! grammar, and one test per refused rule.

mod errors;
mod fixtures;
mod kernel_bytes;
mod listing;
mod roundtrip;
mod syntax;

use super::system::fake::FakeSystem;
use super::{parse_args_with, Command, Invocation, Rule, RuleError};

/// Words of a command line, split like a rules-file line.
pub(super) fn words(line: &str) -> Vec<String> {
    super::split_line(line).unwrap_or_default()
}

pub(super) fn parse(line: &str) -> Result<Invocation, RuleError> {
    parse_args_with(&words(line), &FakeSystem)
}

/// The one rule a line adds or deletes.
pub(super) fn rule(line: &str) -> Rule {
    let inv = parse(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    match inv.commands.into_iter().last() {
        Some(Command::Add { rule, .. } | Command::Delete(rule)) => rule,
        other => panic!("{line}: no rule, last command {other:?}"),
    }
}

/// The error a line is refused with, as text.
pub(super) fn error(line: &str) -> String {
    match parse(line) {
        Ok(inv) => panic!("{line}: accepted as {inv:?}"),
        Err(e) => e.to_string(),
    }
}
