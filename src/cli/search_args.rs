//! Arguments of `raudit search` as ausearch spells them, rewritten for clap
//! before parsing: multi-letter single-dash flags, relative times, and the
//! order of --arch and named syscalls.

use std::ffi::OsString;

use crate::search::filter::is_name;

/// ausearch's multi-letter single-dash flags, as clap long options.
pub const ALIASES: &[(&str, &str)] = &[
    ("-ts", "--start"),
    ("-te", "--end"),
    ("-pp", "--ppid"),
    ("-ui", "--uid"),
    ("-ue", "--uid-effective"),
    ("-ul", "--loginuid"),
    ("-ua", "--uid-all"),
    ("-gi", "--gid"),
    ("-ge", "--gid-effective"),
    ("-ga", "--gid-all"),
    ("-sc", "--syscall"),
    ("-sv", "--success"),
    ("-hn", "--host"),
    ("-tm", "--terminal"),
    ("-se", "--context"),
    ("-su", "--subject"),
    ("-if", "--input"),
];

/// Relative times that clap would not take as the value of `--start` or
/// `--end` (after `-ts`/`-te` became those): a leading minus (`-ts -1h`,
/// taken for an option) and `-ts 2 days ago` unquoted (three words where
/// a date and a time take two). Both become one `--start=...` word.
pub fn attach_relative_times(args: Vec<OsString>) -> Vec<OsString> {
    let mut out = Vec::with_capacity(args.len());
    let mut i = 0;
    while i < args.len() {
        let word = |k: usize| args.get(i + k).and_then(|a| a.to_str());
        if let Some(option @ ("--start" | "--end")) = word(0) {
            let value = match (word(1), word(2), word(3)) {
                (Some(t), _, _) if is_negative(t) => Some((t.to_string(), 1)),
                (Some(n), Some(unit), Some("ago")) if n.parse::<u64>().is_ok() => {
                    Some((format!("{n} {unit} ago"), 3))
                }
                _ => None,
            };
            if let Some((value, words)) = value {
                out.push(format!("{option}={value}").into());
                i += 1 + words;
                continue;
            }
        }
        out.push(args[i].clone());
        i += 1;
    }
    out
}

/// `-1h`, `-30m`: a minus and a digit, which no option starts with.
fn is_negative(word: &str) -> bool {
    word.strip_prefix('-')
        .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()))
}

/// ausearch resolves a syscall name when it reads it, for the arch given
/// before it or this machine's; an --arch after a syscall name is refused
/// as ausearch refuses it.
pub fn check_arch_order(args: &[OsString]) -> anyhow::Result<()> {
    let mut named_syscall = false;
    let mut words = args.iter().filter_map(|a| a.to_str());
    while let Some(word) = words.next() {
        match word {
            "--syscall" => {
                named_syscall |= words.next().is_some_and(is_name);
            }
            "--arch" if named_syscall => {
                anyhow::bail!("Arch needs to be defined before the syscall")
            }
            _ => {}
        }
    }
    Ok(())
}
