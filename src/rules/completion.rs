//! The words shell completion offers for `raudit ctl`, taken from the
//! grammar's own tables so that completion offers what the parser takes:
//! auditctl's option spellings, `-a`'s LIST,ACTION pairs, `-F`'s field
//! names and this machine's syscall names.

use super::builder::RuleBuilder;
use super::model::{Action, FilterList};

/// Every option, as `-a` or `--signal`.
pub fn options() -> Vec<String> {
    super::syntax::spellings()
}

/// The ACTION,LIST pairs a rule can be added with (the deprecated ones,
/// which the parser refuses, left out).
pub fn list_actions() -> Vec<String> {
    let lists = (0..8).filter_map(FilterList::from_number);
    let pairs = lists.flat_map(|list| {
        (0..3)
            .filter_map(Action::from_number)
            .map(move |action| format!("{},{}", action.name(), list.name()))
    });
    pairs
        .filter(|pair| RuleBuilder::syscall_rule(pair, false, false).is_ok())
        .collect()
}

/// `-F`'s field names, each with its `=`.
pub fn fields() -> Vec<String> {
    super::fields::names()
        .into_iter()
        .map(|name| format!("{name}="))
        .collect()
}

/// The syscall names of this machine, in number order.
pub fn syscalls() -> Vec<&'static str> {
    crate::tables::arch::native()
        .syscalls()
        .map(|table| table.printed_names())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_are_the_grammars() {
        let options = options();
        for o in ["-a", "-w", "-F", "-R", "--signal", "--loginuid-immutable"] {
            assert!(options.iter().any(|x| x == o), "{o}: {options:?}");
        }
        let pairs = list_actions();
        assert!(pairs.contains(&"always,exit".to_string()), "{pairs:?}");
        assert!(pairs.contains(&"never,exclude".to_string()), "{pairs:?}");
        assert!(
            !pairs
                .iter()
                .any(|p| p.contains("entry") || p.contains("possible")),
            "{pairs:?}"
        );
        assert!(fields().contains(&"saddr_fam=".to_string()));
        let syscalls = syscalls();
        assert!(
            syscalls.contains(&"openat") && syscalls.contains(&"execve"),
            "{syscalls:?}"
        );
    }
}
