//! The value types of raudit.conf. Each parses its text and prints it back
//! (`Display`), so the effective settings that `raudit daemon
//! --check-config` prints load again unchanged.

use std::fmt;
use std::path::PathBuf;

use super::Problem;

/// Looks a keyword up case-insensitively, as auditd does for its values.
fn keyword<T: Copy>(value: &str, table: &[(&'static str, T)]) -> Result<T, Problem> {
    table
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(value))
        .map(|&(_, v)| v)
        .ok_or_else(|| Problem::BadValue {
            value: value.to_string(),
            expected: one_of(table),
        })
}

fn one_of<T>(table: &[(&'static str, T)]) -> String {
    let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
    format!("one of {}", names.join(", "))
}

fn name_of<T: PartialEq>(value: &T, table: &[(&'static str, T)]) -> &'static str {
    table
        .iter()
        .find(|(_, v)| v == value)
        .map(|(n, _)| *n)
        .expect("every variant is in its table")
}

/// `flush`: how hard the writer works to get committed events onto the
/// disk. auditd's five levels, carried over to SQLite in WAL mode by
/// [`Flush::durability`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flush {
    None,
    Incremental,
    IncrementalAsync,
    Data,
    Sync,
}

const FLUSH: &[(&str, Flush)] = &[
    ("none", Flush::None),
    ("incremental", Flush::Incremental),
    ("incremental_async", Flush::IncrementalAsync),
    ("data", Flush::Data),
    ("sync", Flush::Sync),
];

impl Flush {
    pub fn parse(value: &str) -> Result<Flush, Problem> {
        keyword(value, FLUSH)
    }

    /// Whether `freq` applies (as in auditd, only to the incremental levels).
    pub fn uses_freq(self) -> bool {
        matches!(self, Flush::Incremental | Flush::IncrementalAsync)
    }

    /// The SQLite settings and commit policy this level stands for.
    ///
    /// In WAL mode a commit is an append to the WAL; `synchronous = NORMAL`
    /// fsyncs only at checkpoints, so a power cut can lose the last commits
    /// (never corrupt the database); `FULL` fsyncs the WAL at every commit.
    /// Because the WAL is sequential, one fsync makes every earlier commit
    /// durable, which is what auditd's `freq` asks for.
    pub fn durability(self, freq: u32) -> Durability {
        let every = |background| Durability {
            synchronous: Synchronous::Normal,
            sync_every: Some(freq.max(1)),
            background,
        };
        match self {
            Flush::None => Durability {
                synchronous: Synchronous::Off,
                sync_every: None,
                background: false,
            },
            Flush::Incremental => every(false),
            Flush::IncrementalAsync => every(true),
            Flush::Data => Durability::at_every_commit(Synchronous::Full),
            Flush::Sync => Durability::at_every_commit(Synchronous::Extra),
        }
    }
}

impl fmt::Display for Flush {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(name_of(self, FLUSH))
    }
}

/// SQLite's `PRAGMA synchronous` levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronous {
    Off,
    Normal,
    Full,
    Extra,
}

impl Synchronous {
    /// The value for `PRAGMA synchronous = ...`.
    pub fn pragma(self) -> &'static str {
        match self {
            Synchronous::Off => "OFF",
            Synchronous::Normal => "NORMAL",
            Synchronous::Full => "FULL",
            Synchronous::Extra => "EXTRA",
        }
    }
}

/// What the writer does to make commits durable (see [`Flush::durability`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Durability {
    /// `PRAGMA synchronous` of the writer's connection.
    pub synchronous: Synchronous,
    /// Force the WAL to disk (fsync) after this many events, if set.
    pub sync_every: Option<u32>,
    /// Whether that fsync runs beside the writer (it does not wait for it).
    pub background: bool,
}

impl Durability {
    fn at_every_commit(synchronous: Synchronous) -> Durability {
        Durability {
            synchronous,
            sync_every: None,
            background: false,
        }
    }
}

/// A disk-space threshold: MiB free, or a percentage of the file system
/// holding the database (auditd's `space_left = 75` or `= 5%`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Space {
    MiB(u64),
    Percent(u8),
}

impl Space {
    pub fn parse(value: &str) -> Result<Space, Problem> {
        let bad = || Problem::BadValue {
            value: value.to_string(),
            expected: "a size in MiB (like 75) or a percentage from 1% to 99%".into(),
        };
        match value.strip_suffix('%') {
            Some(n) => match n.trim().parse::<u8>() {
                Ok(p @ 1..=99) => Ok(Space::Percent(p)),
                _ => Err(bad()),
            },
            None => value.parse().map(Space::MiB).map_err(|_| bad()),
        }
    }

    /// The threshold in bytes on a file system of `fs_bytes`.
    pub fn bytes(self, fs_bytes: u64) -> u64 {
        match self {
            Space::MiB(m) => m.saturating_mul(1 << 20),
            Space::Percent(p) => fs_bytes / 100 * u64::from(p),
        }
    }
}

impl fmt::Display for Space {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Space::MiB(m) => write!(f, "{m}"),
            Space::Percent(p) => write!(f, "{p}%"),
        }
    }
}

/// What the daemon does when a disk condition is met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Nothing (the condition is still logged once).
    Ignore,
    /// Log a warning (stderr, hence the journal or syslog).
    Syslog,
    /// Stop storing events, keep draining the kernel and count them;
    /// resume with SIGUSR2 or a restart.
    Suspend,
    /// Delete the oldest events (10,000 at a time) to make room, as
    /// auditd's rotate drops its oldest log.
    Rotate,
    /// Put the machine in single-user mode.
    Single,
    /// Shut the machine down.
    Halt,
    /// Run this script, without arguments (as auditd does).
    Exec(PathBuf),
}

/// Which trigger an action answers; they allow different actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// space_left, admin_space_left, disk_full, disk_error.
    Disk,
    /// max_db_size: like auditd's max_log_file_action, it cannot stop the
    /// machine.
    DbSize,
}

impl Action {
    pub fn parse(value: &str, trigger: Trigger) -> Result<Action, Problem> {
        let mut words = value.split_whitespace();
        let first = words.next().unwrap_or("").to_ascii_lowercase();
        let rest: Vec<&str> = words.collect();
        if first == "exec" {
            return exec(value, &rest);
        }
        let action = match first.as_str() {
            "ignore" => Action::Ignore,
            "syslog" => Action::Syslog,
            "suspend" => Action::Suspend,
            "single" if trigger == Trigger::Disk => Action::Single,
            "halt" if trigger == Trigger::Disk => Action::Halt,
            "single" | "halt" => return Err(unsupported(value, "a database size limit does not stop the machine")),
            "rotate" => Action::Rotate,
            "keep_logs" => return Err(unsupported(value, "raudit keeps one database; use rotate (deletes the oldest events), suspend, or exec a script that archives")),
            "email" => return Err(unsupported(value, "raudit sends no mail; use exec with a script that does")),
            _ => return Err(Problem::BadValue {
                value: value.to_string(),
                expected: Action::expected(trigger).into(),
            }),
        };
        if !rest.is_empty() {
            return Err(unsupported(value, "only exec takes an argument"));
        }
        Ok(action)
    }

    fn expected(trigger: Trigger) -> &'static str {
        match trigger {
            Trigger::Disk => {
                "one of ignore, syslog, suspend, rotate, single, halt, exec /path/to/script"
            }
            Trigger::DbSize => "one of ignore, syslog, suspend, rotate, exec /path/to/script",
        }
    }
}

fn exec(value: &str, rest: &[&str]) -> Result<Action, Problem> {
    match rest {
        [path] if path.starts_with('/') => Ok(Action::Exec(PathBuf::from(path))),
        [] | [_] => Err(Problem::BadValue {
            value: value.to_string(),
            expected: "exec followed by an absolute path".into(),
        }),
        _ => Err(unsupported(
            value,
            "the script takes no arguments (as with auditd)",
        )),
    }
}

fn unsupported(value: &str, why: &'static str) -> Problem {
    Problem::Unsupported {
        value: value.to_string(),
        why,
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Ignore => f.write_str("ignore"),
            Action::Syslog => f.write_str("syslog"),
            Action::Suspend => f.write_str("suspend"),
            Action::Rotate => f.write_str("rotate"),
            Action::Single => f.write_str("single"),
            Action::Halt => f.write_str("halt"),
            Action::Exec(p) => write!(f, "exec {}", p.display()),
        }
    }
}

/// `name_format`: which name, if any, the daemon puts in each event's node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameFormat {
    None,
    Hostname,
    /// The host name resolved to a fully qualified domain name.
    Fqd,
    /// The host name resolved to an IP address.
    Numeric,
    /// The `name` key's text.
    User,
}

const NAME_FORMAT: &[(&str, NameFormat)] = &[
    ("none", NameFormat::None),
    ("hostname", NameFormat::Hostname),
    ("fqd", NameFormat::Fqd),
    ("numeric", NameFormat::Numeric),
    ("user", NameFormat::User),
];

impl NameFormat {
    pub fn parse(value: &str) -> Result<NameFormat, Problem> {
        keyword(value, NAME_FORMAT)
    }
}

impl fmt::Display for NameFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(name_of(self, NAME_FORMAT))
    }
}
