//! The daemon's configuration file, `/etc/raudit/raudit.conf`, in
//! auditd.conf's form: one `key = value` a line, `#` comment lines, key
//! names and keyword values case-insensitive.
//!
//! It takes auditd's keys where they apply to a database (`log_file`,
//! `flush`, `freq`, the disk-space thresholds and actions, `name_format`,
//! `name`) and raudit's own (`max_db_size`, `rules_dir`, `eoe_timeout_ms`);
//! [`keys::KEYS`] lists them all. The daemon refuses to start rather than
//! guess: an unknown key, a key given twice, a bad value or an inconsistent
//! pair is an error naming the file, the line and the key, and every such
//! line of a file is reported at once. auditd keys that mean nothing here
//! are refused with the reason ([`keys::AUDITD_ONLY`]);
//! [`import::from_auditd`] converts an auditd.conf.
//!
//! `flush` maps to SQLite (WAL mode) as [`Flush::durability`] says:
//!
//! | flush             | PRAGMA synchronous | forced to disk                        |
//! |-------------------|--------------------|---------------------------------------|
//! | none              | OFF                | never                                 |
//! | incremental       | NORMAL             | every `freq` events, writer waits     |
//! | incremental_async | NORMAL             | every `freq` events, beside the writer|
//! | data              | FULL               | every commit                          |
//! | sync              | EXTRA              | every commit, directory too           |

pub mod import;
mod keys;
pub mod machine;
mod node;
mod security;
mod values;

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use keys::{Key, AUDITD_ONLY, KEYS};
pub use security::{check_permissions, judge, Insecure};
pub use values::{Action, Durability, Flush, NameFormat, Space, Synchronous, Trigger};

/// Where the daemon reads its configuration unless told otherwise.
pub const DEFAULT_PATH: &str = "/etc/raudit/raudit.conf";
/// The configuration file's name inside a configuration directory
/// (auditd's `-c DIR`).
pub const FILE_NAME: &str = "raudit.conf";
/// Names another configuration file for every command (several daemons,
/// tests, a tour on a scratch database).
pub const CONFIG_ENV: &str = "RAUDIT_CONFIG";
/// Names another database for every command; the daemon's `--db` and the
/// readers' `--db` still win.
pub const DB_ENV: &str = "RAUDIT_DB";

/// Where the daemon reads its outputs (`plugin_dir`) unless set.
pub const DEFAULT_PLUGIN_DIR: &str = "/etc/raudit/plugins.d";

/// The configuration file named by `$RAUDIT_CONFIG`, if any.
pub fn env_path() -> Option<PathBuf> {
    std::env::var_os(CONFIG_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The database named by `$RAUDIT_DB`, if any.
pub fn env_db() -> Option<PathBuf> {
    std::env::var_os(DB_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The settings commands other than the daemon go by (where the database
/// and the rules are): the configuration file's (`$RAUDIT_CONFIG`, else
/// [`DEFAULT_PATH`]), or the defaults when it cannot be read, as by a
/// user other than root.
pub fn settings_or_default() -> Config {
    let path = env_path().unwrap_or_else(|| DEFAULT_PATH.into());
    Config::load(&path).unwrap_or_default()
}

/// The chain key of `db`: the configured `chain_key` when `db` is the
/// configured database, else `$RAUDIT_CHAIN_KEY` or beside it.
pub fn chain_key_for(db: &Path) -> PathBuf {
    let settings = settings_or_default();
    match settings.chain_key {
        Some(key) if settings.db == db && crate::store::chain::env_key().is_none() => key,
        _ => crate::store::chain::default_key_path(db),
    }
}

/// The database a command reads unless given `--db`: `$RAUDIT_DB`, else
/// the configuration's `log_file`, else [`crate::store::DEFAULT_DB`].
pub fn default_db() -> PathBuf {
    env_db().unwrap_or_else(|| settings_or_default().db)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `log_file`: the database.
    pub db: PathBuf,
    pub flush: Flush,
    pub freq: u32,
    pub space_left: Space,
    pub space_left_action: Action,
    pub admin_space_left: Space,
    pub admin_space_left_action: Action,
    pub disk_full_action: Action,
    pub disk_error_action: Action,
    /// MiB; 0 means no limit.
    pub max_db_size: u64,
    pub max_db_size_action: Action,
    pub name_format: NameFormat,
    pub name: Option<String>,
    pub rules_dir: PathBuf,
    /// `eoe_timeout_ms`
    pub eoe_timeout: Duration,
    pub max_open_events: usize,
    pub max_event_records: usize,
    /// MiB.
    pub max_wal_size: u64,
    /// Where the outputs are configured (`*.conf`).
    pub plugin_dir: PathBuf,
    /// Events each output's queue holds.
    pub q_depth: usize,
    pub max_restarts: u32,
    /// Days events are kept; 0 keeps them.
    pub max_age: u64,
    /// The chain's key file; `None` is beside the database.
    pub chain_key: Option<PathBuf>,
}

/// auditd's shipped defaults where the key is auditd's.
impl Default for Config {
    fn default() -> Config {
        Config {
            db: PathBuf::from(crate::store::DEFAULT_DB),
            flush: Flush::IncrementalAsync,
            freq: 50,
            space_left: Space::MiB(75),
            space_left_action: Action::Syslog,
            admin_space_left: Space::MiB(50),
            admin_space_left_action: Action::Suspend,
            disk_full_action: Action::Suspend,
            disk_error_action: Action::Suspend,
            max_db_size: 0,
            max_db_size_action: Action::Syslog,
            name_format: NameFormat::None,
            name: None,
            rules_dir: PathBuf::from(crate::rules::dir::DEFAULT_DIR),
            eoe_timeout: Duration::from_millis(1000),
            max_open_events: 8192,
            max_event_records: 2048,
            max_wal_size: 64,
            plugin_dir: PathBuf::from(DEFAULT_PLUGIN_DIR),
            q_depth: 2000,
            max_restarts: 10,
            max_age: 0,
            chain_key: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    // `error`, not `source`: the cause is part of this one line.
    #[error("{}: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: {why}", path.display())]
    Insecure { path: PathBuf, why: Insecure },
    /// Every wrong line of the file, in order (at least one), one a line.
    #[error("{}", lines(.0))]
    Keys(Vec<KeyError>),
}

/// One wrong line of the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: key \"{key}\": {problem}", path.display())]
pub struct KeyError {
    pub path: PathBuf,
    pub line: usize,
    pub key: String,
    pub problem: Problem,
}

fn lines(errors: &[KeyError]) -> String {
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    lines.join("\n")
}

impl ConfigError {
    /// Whether the file does not exist (the default file may be absent).
    pub fn is_missing(&self) -> bool {
        matches!(self, ConfigError::Read { error, .. } if error.kind() == std::io::ErrorKind::NotFound)
    }

    /// Whether a key is auditd's and not raudit's: the file is an
    /// auditd.conf, which `raudit daemon --import-config` converts.
    pub fn has_auditd_keys(&self) -> bool {
        match self {
            ConfigError::Keys(errors) => errors
                .iter()
                .any(|e| matches!(e.problem, Problem::AuditdOnly(_))),
            _ => false,
        }
    }
}

/// What is wrong with one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("unknown key")]
    UnknownKey,
    #[error("auditd's key has no use in raudit: {0}")]
    AuditdOnly(&'static str),
    #[error("no '=' (lines are `key = value`)")]
    NoEquals,
    #[error("no value after '='")]
    Empty,
    #[error("given twice (first on line {0})")]
    Duplicate(usize),
    #[error("{value:?} is not {expected}")]
    BadValue { value: String, expected: String },
    #[error("{value:?} is not supported: {why}")]
    Unsupported { value: String, why: &'static str },
    #[error("{0}")]
    Conflict(String),
}

impl Config {
    /// Reads and checks the file: root's, not world-writable, every line
    /// valid.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let read_err = |error| ConfigError::Read {
            path: path.to_path_buf(),
            error,
        };
        let mut file = std::fs::File::open(path).map_err(read_err)?;
        // Judge the opened file, not the name, so it cannot change between.
        let meta = file.metadata().map_err(read_err)?;
        judge(&meta).map_err(|why| ConfigError::Insecure {
            path: path.to_path_buf(),
            why,
        })?;
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(read_err)?;
        Config::parse(&text, path)
    }

    /// Parses the text of a file; `path` only names it in errors. Every
    /// wrong line is reported, not only the first.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        let mut seen: HashMap<&'static str, usize> = HashMap::new();
        let mut errors = Vec::new();
        let mut failed: Vec<&'static str> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let at = |key: &str, problem| KeyError {
                path: path.to_path_buf(),
                line: i + 1,
                key: key.to_string(),
                problem,
            };
            let (key, value) = match split(line) {
                Ok(Some(kv)) => kv,
                Ok(None) => continue,
                Err((key, problem)) => {
                    errors.push(at(key, problem));
                    continue;
                }
            };
            let entry = match lookup(key) {
                Ok(entry) => entry,
                Err(problem) => {
                    errors.push(at(key, problem));
                    continue;
                }
            };
            if let Some(&first) = seen.get(entry.name) {
                errors.push(at(key, Problem::Duplicate(first)));
                continue;
            }
            seen.insert(entry.name, i + 1);
            if let Err(problem) = (entry.set)(&mut config, value) {
                failed.push(entry.name);
                errors.push(at(key, problem));
            }
        }
        // A clash is judged between values that were read: one that was
        // refused above stands at its default and proves nothing.
        for (keys, problem) in config.clashes() {
            if keys.iter().any(|k| failed.contains(k)) {
                continue;
            }
            let (key, line) = blame(&seen, keys);
            errors.push(KeyError {
                path: path.to_path_buf(),
                line,
                key: key.to_string(),
                problem,
            });
        }
        errors.sort_by_key(|e| e.line);
        match errors.is_empty() {
            true => Ok(config),
            false => Err(ConfigError::Keys(errors)),
        }
    }

    /// The chain's key file: `chain_key`, else beside the database.
    pub fn chain_key_path(&self) -> PathBuf {
        self.chain_key
            .clone()
            .unwrap_or_else(|| crate::store::chain::default_key_path(&self.db))
    }

    /// What the writer does to make commits durable.
    pub fn durability(&self) -> Durability {
        self.flush.durability(self.freq)
    }

    /// Checks across keys: each clash with the keys involved.
    fn clashes(&self) -> Vec<(&'static [&'static str], Problem)> {
        let mut found = Vec::new();
        if self.flush.uses_freq() && self.freq == 0 {
            let why = format!("must be at least 1 with flush = {}", self.flush);
            found.push((&["freq", "flush"][..], Problem::Conflict(why)));
        }
        match (self.name_format, &self.name) {
            (NameFormat::User, None) => {
                let why = "user needs a name (name = ...)".to_string();
                found.push((&["name_format"][..], Problem::Conflict(why)));
            }
            (f, Some(_)) if f != NameFormat::User => {
                let why = format!("is used only with name_format = user, not {f}");
                found.push((&["name", "name_format"][..], Problem::Conflict(why)));
            }
            _ => {}
        }
        found.extend(self.space_order());
        found
    }

    /// admin_space_left is the later, smaller threshold. Mixed units are
    /// compared by the daemon against the real file system.
    fn space_order(&self) -> Option<(&'static [&'static str], Problem)> {
        let ordered = match (self.space_left, self.admin_space_left) {
            (Space::MiB(s), Space::MiB(a)) => a < s,
            (Space::Percent(s), Space::Percent(a)) => a < s,
            _ => true,
        };
        if ordered {
            return None;
        }
        let why = format!(
            "admin_space_left ({}) must be below space_left ({})",
            self.admin_space_left, self.space_left
        );
        Some((&["admin_space_left", "space_left"], Problem::Conflict(why)))
    }
}

/// One line as (key, value); `None` for blank and comment lines.
fn split(line: &str) -> Result<Option<(&str, &str)>, (&str, Problem)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let Some((key, value)) = line.split_once('=') else {
        let word = line.split_whitespace().next().unwrap_or(line);
        return Err((word, Problem::NoEquals));
    };
    let (key, value) = (key.trim(), value.trim());
    if value.is_empty() {
        return Err((key, Problem::Empty));
    }
    Ok(Some((key, value)))
}

fn lookup(key: &str) -> Result<&'static Key, Problem> {
    if let Some(entry) = keys::find(key) {
        return Ok(entry);
    }
    match keys::auditd_only(key) {
        Some(why) => Err(Problem::AuditdOnly(why)),
        None => Err(Problem::UnknownKey),
    }
}

/// The key and line to blame for a clash between `keys`: the one set last,
/// since that line made the file inconsistent.
fn blame(seen: &HashMap<&'static str, usize>, keys: &[&'static str]) -> (&'static str, usize) {
    keys.iter()
        .filter_map(|&k| seen.get(k).map(|&line| (k, line)))
        .max_by_key(|&(_, line)| line)
        .unwrap_or((keys[0], 0))
}

/// The settings as a file that loads back to them (`--check-config`).
impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for key in KEYS {
            if let Some(value) = key.value(self) {
                writeln!(f, "{} = {value}", key.name)?;
            }
        }
        Ok(())
    }
}
