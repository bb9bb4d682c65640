//! auditctl's command-line grammar, shared by argv and rules-file lines.
//!
//! Options are read in order, getopt style (`-k KEY`, `-kKEY`,
//! `--signal TERM`, `--signal=TERM`). Control options become commands in the
//! order given; the rule options (-a -A -d -w -W -S -F -C -p -k) build one
//! rule that becomes the last command, as auditctl sends the rule after it
//! has read the whole line.

use std::path::PathBuf;

use super::builder::RuleBuilder;
use super::system::System;
use super::value::parse_c_number;
use super::{Command, Invocation, RuleError, StatusChange};

/// Option spelling and whether it takes a value.
struct Opt {
    short: Option<char>,
    long: Option<&'static str>,
    takes_value: bool,
}

const fn opt(short: char, takes_value: bool) -> Opt {
    Opt {
        short: Some(short),
        long: None,
        takes_value,
    }
}

const fn long(name: &'static str, takes_value: bool) -> Opt {
    Opt {
        short: None,
        long: Some(name),
        takes_value,
    }
}

const OPTIONS: &[Opt] = &[
    opt('a', true),
    opt('A', true),
    opt('d', true),
    opt('w', true),
    opt('W', true),
    opt('p', true),
    opt('S', true),
    opt('F', true),
    opt('C', true),
    opt('k', true),
    opt('D', false),
    opt('l', false),
    opt('s', false),
    opt('e', true),
    opt('f', true),
    opt('r', true),
    opt('b', true),
    opt('m', true),
    opt('R', true),
    opt('t', false),
    opt('v', false),
    opt('h', false),
    opt('i', false),
    opt('c', false),
    opt('q', true),
    long("backlog_wait_time", true),
    long("reset-lost", false),
    long("reset_backlog_wait_time_actual", false),
    long("loginuid-immutable", false),
    long("signal", true),
    long("help", false),
    long("version", false),
];

/// The signals `--signal` accepts: auditctl's name, its alias, and the
/// canonical name put in [`Command::Signal`].
const SIGNALS: &[(&str, &str)] = &[
    ("TERM", "stop"),
    ("HUP", "reload"),
    ("USR1", "rotate"),
    ("USR2", "resume"),
    ("CONT", "state"),
];

/// One option occurrence: its name as written for messages ("-F",
/// "--signal") and its value.
struct Token<'a> {
    name: String,
    value: Option<&'a str>,
}

/// Splits argv into option tokens, in order, up to the first that is
/// wrong: options are read one at a time, as getopt reads them, so that
/// what comes before a bad word takes effect first (a `-c` does).
fn tokenize(args: &[String]) -> Vec<Result<Token<'_>, RuleError>> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        i += 1;
        let token = find_option(arg).and_then(|(option, inline)| {
            let value = match (option.takes_value, inline) {
                (false, _) => None,
                (true, Some(v)) => Some(v),
                (true, None) => {
                    let next = args
                        .get(i)
                        .ok_or_else(|| RuleError::MissingValue(display_name(option)))?;
                    i += 1;
                    Some(next.as_str())
                }
            };
            Ok(Token {
                name: display_name(option),
                value,
            })
        });
        let failed = token.is_err();
        tokens.push(token);
        if failed {
            break;
        }
    }
    tokens
}

/// The option `arg` names, and a value attached to it (`-kKEY`, `--x=v`).
fn find_option(arg: &str) -> Result<(&'static Opt, Option<&str>), RuleError> {
    let unknown = || RuleError::UnknownOption(arg.to_string());
    if let Some(rest) = arg.strip_prefix("--") {
        let (name, inline) = match rest.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (rest, None),
        };
        let option = OPTIONS
            .iter()
            .find(|o| o.long == Some(name))
            .ok_or_else(unknown)?;
        return Ok((option, inline));
    }
    let Some(rest) = arg.strip_prefix('-') else {
        return Err(RuleError::UnexpectedArgument(arg.to_string()));
    };
    let mut chars = rest.chars();
    let short = chars.next().ok_or_else(unknown)?;
    let option = OPTIONS
        .iter()
        .find(|o| o.short == Some(short))
        .ok_or_else(unknown)?;
    let attached = chars.as_str();
    match (attached.is_empty(), option.takes_value) {
        (true, _) => Ok((option, None)),
        (false, true) => Ok((option, Some(attached))),
        (false, false) => Err(unknown()),
    }
}

/// Every option as it is written (`-a`, `--signal`), for completion.
pub(super) fn spellings() -> Vec<String> {
    OPTIONS.iter().map(display_name).collect()
}

fn display_name(option: &Opt) -> String {
    match (option.short, option.long) {
        (Some(c), _) => format!("-{c}"),
        (None, Some(name)) => format!("--{name}"),
        (None, None) => String::new(),
    }
}

/// Parses one auditctl invocation or rules-file line.
///
/// `-c` and `-i` (an `-i` not after `-l` or `-s`) set a rules file's error
/// policy, and auditctl 3.0.9 stops reading a line at them: words after
/// them make the line an error (whose flag still takes effect), and a rule
/// before them is not loaded (see [`State::finish`]).
pub fn parse_with(args: &[String], sys: &dyn System) -> Result<Invocation, RuleError> {
    let mut state = State {
        inv: Invocation::default(),
        rule: None,
        saw_interpretable: false,
        interpret: false,
        policy_flag: None,
    };
    let tokens = tokenize(args);
    let count = tokens.len();
    for (n, token) in tokens.into_iter().enumerate() {
        let token = token?;
        state.apply(&token.name, token.value.unwrap_or(""), sys)?;
        if let Some(flag) = state.policy_flag.filter(|_| n + 1 < count) {
            return Err(RuleError::PolicyFlagNotLast(flag));
        }
    }
    state.finish()
}

struct State {
    inv: Invocation,
    rule: Option<RuleBuilder>,
    /// -l or -s seen: a -i then means "interpret".
    saw_interpretable: bool,
    /// -i after -l or -s.
    interpret: bool,
    /// The policy flag met (`c` or `i`), which ends the line.
    policy_flag: Option<char>,
}

impl State {
    fn apply(&mut self, name: &str, value: &str, sys: &dyn System) -> Result<(), RuleError> {
        match name {
            "-a" | "-A" | "-d" => {
                let rule = RuleBuilder::syscall_rule(value, name == "-d", name == "-A")?;
                self.start_rule(name, rule)
            }
            "-w" | "-W" => self.start_rule(name, RuleBuilder::watch(value, name == "-W", sys)?),
            "-S" => self.rule_for(name)?.add_syscalls(value),
            "-F" => self.rule_for(name)?.add_field(value, sys),
            "-C" => self.rule_for(name)?.add_compare(value),
            "-p" => self
                .rule
                .as_mut()
                .ok_or(RuleError::PermWithoutWatch)?
                .set_perm(value),
            "-k" => self.key(value),
            _ => self.control(name, value),
        }
    }

    fn start_rule(&mut self, name: &str, rule: RuleBuilder) -> Result<(), RuleError> {
        if self.rule.is_some() {
            return Err(RuleError::SecondRule(name.to_string()));
        }
        self.rule = Some(rule);
        Ok(())
    }

    fn rule_for(&mut self, name: &str) -> Result<&mut RuleBuilder, RuleError> {
        self.rule
            .as_mut()
            .ok_or_else(|| RuleError::NeedsRule(name.to_string()))
    }

    /// A rule's key, or the key filter of a preceding -l or -D.
    fn key(&mut self, key: &str) -> Result<(), RuleError> {
        if let Some(rule) = self.rule.as_mut() {
            return rule.add_key(key);
        }
        let target = self.inv.commands.iter_mut().rev().find_map(|c| match c {
            Command::List { key, .. } | Command::DeleteAll { key } => Some(key),
            _ => None,
        });
        match target {
            Some(slot) => {
                *slot = Some(key.to_string());
                Ok(())
            }
            None => Err(RuleError::KeyWithoutRule),
        }
    }

    fn control(&mut self, name: &str, value: &str) -> Result<(), RuleError> {
        let command = match name {
            "-D" => Command::DeleteAll { key: None },
            "-l" => Command::List {
                key: None,
                interpret: false,
            },
            "-s" => Command::Status { interpret: false },
            "-e" => Command::Set(StatusChange::Enabled(small(name, value)?)),
            "-f" => Command::Set(StatusChange::Failure(small(name, value)?)),
            "-r" => Command::Set(StatusChange::RateLimit(number(name, value)?)),
            "-b" => Command::Set(StatusChange::BacklogLimit(number(name, value)?)),
            "--backlog_wait_time" => {
                Command::Set(StatusChange::BacklogWaitTime(number(name, value)?))
            }
            "--reset-lost" => Command::ResetLost,
            "--reset_backlog_wait_time_actual" => Command::ResetBacklogWaitTimeActual,
            "--loginuid-immutable" => Command::LoginuidImmutable,
            "--signal" => Command::Signal(signal(value)?),
            "-q" => equivalent(value)?,
            "-m" if value.chars().any(|c| c < ' ') => return Err(RuleError::BadMessage),
            "-m" => Command::Message(value.to_string()),
            "-R" => Command::ReadFile(PathBuf::from(value)),
            "-t" => Command::Trim,
            "-v" | "--version" => Command::Version,
            "-h" | "--help" => Command::Help,
            _ => return self.flag(name),
        };
        self.saw_interpretable |= matches!(command, Command::List { .. } | Command::Status { .. });
        self.inv.commands.push(command);
        Ok(())
    }

    /// `-c`, and `-i`: "interpret" after -l or -s, otherwise a rules
    /// file's "ignore errors", as auditctl reads it.
    fn flag(&mut self, name: &str) -> Result<(), RuleError> {
        match name {
            "-c" => {
                self.inv.continue_on_error = true;
                self.policy_flag = Some('c');
            }
            "-i" if self.saw_interpretable => self.interpret = true,
            "-i" => {
                self.inv.ignore_errors = true;
                self.policy_flag = Some('i');
            }
            _ => return Err(RuleError::UnknownOption(name.to_string())),
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Invocation, RuleError> {
        // auditctl reads -R only on its own (`auditctl -R FILE`).
        let reads_file = self
            .inv
            .commands
            .iter()
            .any(|c| matches!(c, Command::ReadFile(_)));
        let alone = self.inv.commands.len() == 1 && self.rule.is_none();
        if reads_file && (!alone || self.policy_flag.is_some()) {
            return Err(RuleError::ReadFileNotAlone);
        }
        if self.interpret {
            self.apply_interpret();
        }
        if let Some(flag) = self.policy_flag {
            self.flag_after_commands(flag)?;
        }
        if let Some(mut rule) = self.rule.take() {
            self.inv.warnings.append(&mut rule.warnings);
            let delete = rule.delete;
            let rule = rule.finish()?;
            self.inv.commands.push(match delete {
                true => Command::Delete(rule),
                false => Command::Add {
                    prepend: rule.prepend,
                    rule,
                },
            });
        }
        Ok(self.inv)
    }

    fn apply_interpret(&mut self) {
        for command in &mut self.inv.commands {
            if let Command::List { interpret, .. } | Command::Status { interpret } = command {
                *interpret = true;
            }
        }
    }

    /// A policy flag after other options, as auditctl 3.0.9 takes it: the
    /// flag takes effect and settings before it are carried out, but a rule
    /// is never sent (said here in a warning), and -l, -s and -D refuse the
    /// extra option before the flag is reached.
    fn flag_after_commands(&mut self, flag: char) -> Result<(), RuleError> {
        let refusing = self.inv.commands.iter().find_map(|c| match c {
            Command::List { .. } => Some("-l"),
            Command::Status { .. } => Some("-s"),
            Command::DeleteAll { .. } => Some("-D"),
            _ => None,
        });
        if let Some(option) = refusing {
            return Err(RuleError::PolicyFlagAfter { flag, option });
        }
        if self.rule.take().is_some() {
            self.inv.warnings.push(format!(
                "-{flag} ends the line: the rule before it is not loaded (auditctl drops it too); put -{flag} on a line of its own"
            ));
        }
        Ok(())
    }
}

fn number(option: &str, value: &str) -> Result<u32, RuleError> {
    parse_c_number(value).ok_or_else(|| RuleError::BadNumber {
        option: option.to_string(),
        value: value.to_string(),
    })
}

/// -e and -f take 0, 1 or 2.
fn small(option: &str, value: &str) -> Result<u32, RuleError> {
    let n = number(option, value)?;
    match n <= 2 {
        true => Ok(n),
        false => Err(RuleError::OutOfRange {
            option: option.to_string(),
            value: n,
            range: "0..2",
        }),
    }
}

/// `-q MOUNT,SUBTREE`, split at the first comma as auditctl does; the
/// kernel resolves both paths and says if one does not exist.
fn equivalent(value: &str) -> Result<Command, RuleError> {
    let bad = || RuleError::BadEquivalent(value.to_string());
    let (mount, subtree) = value.split_once(',').ok_or_else(bad)?;
    if mount.is_empty() || subtree.is_empty() {
        return Err(bad());
    }
    Ok(Command::MakeEquivalent {
        mount: mount.to_string(),
        subtree: subtree.to_string(),
    })
}

fn signal(name: &str) -> Result<String, RuleError> {
    SIGNALS
        .iter()
        .find(|(sig, alias)| sig.eq_ignore_ascii_case(name) || alias.eq_ignore_ascii_case(name))
        .map(|(sig, _)| sig.to_string())
        .ok_or_else(|| RuleError::UnknownSignal(name.to_string()))
}

/// Splits one rules-file line into words as auditctl does: at blanks, with
/// no quoting; blank lines and lines starting with `#` give `None`.
pub fn split_line(line: &str) -> Option<Vec<String>> {
    let line = line.trim_end_matches(['\n', '\r']);
    let first = line.trim_start_matches([' ', '\t']);
    if first.is_empty() || first.starts_with('#') {
        return None;
    }
    Some(
        first
            .split([' ', '\t'])
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect(),
    )
}
