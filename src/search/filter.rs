//! ausearch's filter options, and their conversion into a store filter:
//! names resolved (users, groups, syscalls, errnos, record types), times
//! read, each refusal naming the value.

/// A filter option whose value does not resolve.
#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    #[error("--arch: {0}")]
    Arch(RuleError),
    #[error(transparent)]
    Time(#[from] TimeError),
    #[error("unknown record type {0:?} for -m")]
    UnknownType(String),
    #[error("{what} id {value} is out of range: ids are 0 to 4294967295")]
    IdOutOfRange { what: &'static str, value: String },
    #[error("invalid {what} id {value:?}: expected a number or a {what} name")]
    InvalidId { what: &'static str, value: String },
    #[error("unknown {what} {value:?}")]
    UnknownName { what: &'static str, value: String },
    #[error("unknown syscall {name:?} for arch {arch}")]
    UnknownSyscall { name: String, arch: &'static str },
    #[error("invalid success value {0:?}: expected yes or no")]
    Success(String),
    #[error("invalid exit code {0:?}: expected a number or an errno name such as -EPERM")]
    ExitCode(String),
    #[error(
        "invalid container id {0:?} for --container: expected 1 to 64 hex digits \
         (docker ps shows 12)"
    )]
    ContainerId(String),
}

use clap::{Args, ValueHint};

use crate::record::types;
use crate::rules::{parse_arch, RuleError};
use crate::search::time::{self, Bound, TimeError};
use crate::store::query::Filter;
use crate::tables::arch;

#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Events with this key (any of an event's keys).
    #[arg(short = 'k', long = "key", value_name = "KEY", value_hint = ValueHint::Other)]
    pub keys: Vec<String>,
    /// Events that touched this file (PATH names, working directory).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<String>,
    /// Events holding a record of these types (names or numbers, comma
    /// lists, ALL).
    #[arg(short = 'm', long = "message", value_name = "TYPE[,TYPE]", value_hint = ValueHint::Other)]
    pub types: Vec<String>,
    /// Events of this process id.
    #[arg(short = 'p', long = "pid", value_name = "PID", value_parser = pid(), value_hint = ValueHint::Other)]
    pub pids: Vec<i64>,
    /// Events of this parent process id (`-pp`).
    #[arg(long = "ppid", value_name = "PPID", value_parser = pid(), value_hint = ValueHint::Other)]
    pub ppids: Vec<i64>,
    /// The event with this serial number.
    #[arg(short = 'a', long = "event", value_name = "ID", value_hint = ValueHint::Other)]
    pub events: Vec<u64>,
    /// Start time (`-ts`): keyword, date and/or time, ISO 8601, or a
    /// relative time such as 15m, -2h, 3d, "2 hours ago".
    #[arg(long = "start", value_name = "DATE] [TIME", num_args = 1..=2, value_hint = ValueHint::Other)]
    pub start: Option<Vec<String>>,
    /// End time (`-te`).
    #[arg(long = "end", value_name = "DATE] [TIME", num_args = 1..=2, value_hint = ValueHint::Other)]
    pub end: Option<Vec<String>>,
    /// User id, name or number (`-ui`).
    #[arg(long = "uid", value_name = "USER", value_hint = ValueHint::Username)]
    pub uids: Vec<String>,
    /// Effective user id (`-ue`).
    #[arg(long = "uid-effective", value_name = "USER", value_hint = ValueHint::Username)]
    pub euids: Vec<String>,
    /// Login user id, auid (`-ul`).
    #[arg(long = "loginuid", value_name = "USER", value_hint = ValueHint::Username)]
    pub auids: Vec<String>,
    /// Any of user id, effective user id or login user id (`-ua`).
    #[arg(long = "uid-all", value_name = "USER", value_hint = ValueHint::Username)]
    pub any_uids: Vec<String>,
    /// Group id, name or number (`-gi`).
    #[arg(long = "gid", value_name = "GROUP", value_hint = ValueHint::Other)]
    pub gids: Vec<String>,
    /// Effective group id (`-ge`).
    #[arg(long = "gid-effective", value_name = "GROUP", value_hint = ValueHint::Other)]
    pub egids: Vec<String>,
    /// Group id or effective group id (`-ga`).
    #[arg(long = "gid-all", value_name = "GROUP", value_hint = ValueHint::Other)]
    pub any_gids: Vec<String>,
    /// System call, name (for --arch, else this machine) or number (`-sc`).
    #[arg(long = "syscall", value_name = "SYSCALL", value_hint = ValueHint::Other)]
    pub syscalls: Vec<String>,
    /// CPU architecture: b32, b64 or a machine name.
    #[arg(long = "arch", value_name = "ARCH", value_hint = ValueHint::Other)]
    pub arch: Option<String>,
    /// Whether the system call succeeded: yes or no (`-sv`).
    #[arg(long = "success", value_name = "yes|no", value_hint = ValueHint::Other)]
    pub success: Option<String>,
    /// System call exit code: a number or an errno name such as -EPERM.
    #[arg(
        short = 'e',
        long = "exit",
        value_name = "CODE",
        allow_hyphen_values = true
    )]
    pub exits: Vec<String>,
    /// Login session id.
    #[arg(long = "session", value_name = "ID", value_parser = session(), value_hint = ValueHint::Other)]
    pub sessions: Vec<i64>,
    /// Command name (comm).
    #[arg(short = 'c', long = "comm", value_name = "COMM", value_hint = ValueHint::Other)]
    pub comms: Vec<String>,
    /// Executable path (exe).
    #[arg(short = 'x', long = "executable", value_name = "EXE")]
    pub exes: Vec<String>,
    /// Remote host name or address (`-hn`).
    #[arg(long = "host", value_name = "HOST", value_hint = ValueHint::Hostname)]
    pub hosts: Vec<String>,
    /// Terminal (`-tm`).
    #[arg(long = "terminal", value_name = "TERM", value_hint = ValueHint::Other)]
    pub terminals: Vec<String>,
    /// Subject or object security context (`-se`).
    #[arg(long = "context", value_name = "CONTEXT", value_hint = ValueHint::Other)]
    pub contexts: Vec<String>,
    /// Subject security context (`-su`).
    #[arg(long = "subject", value_name = "CONTEXT", value_hint = ValueHint::Other)]
    pub subjects: Vec<String>,
    /// Object security context.
    #[arg(short = 'o', long = "object", value_name = "CONTEXT", value_hint = ValueHint::Other)]
    pub objects: Vec<String>,
    /// Node name.
    #[arg(short = 'n', long = "node", value_name = "NODE", value_hint = ValueHint::Other)]
    pub nodes: Vec<String>,
    /// Events of processes in this systemd unit (`cron.service`; a name
    /// without a suffix means a service), as the daemon found it at
    /// ingest in the process's cgroup.
    #[arg(long = "unit", value_name = "UNIT", value_hint = ValueHint::Other)]
    pub units: Vec<String>,
    /// Events of processes in this container: its id or a prefix of it
    /// (as `docker ps` shows 12 hex digits), found at ingest in the
    /// process's cgroup (docker, podman, containerd, Kubernetes).
    #[arg(long = "container", value_name = "ID", value_hint = ValueHint::Other)]
    pub containers: Vec<String>,
    /// Events whose process, or one of its ancestors, ran this program
    /// (the whole path). Ancestors are those the daemon knew at ingest,
    /// from SYSCALL records and /proc.
    #[arg(long = "ancestor-exe", value_name = "PATH")]
    pub ancestor_exes: Vec<String>,
    /// Text options match the whole value, not a part of it.
    #[arg(short = 'w', long = "word")]
    pub whole_word: bool,
}

/// A process id: the kernel's pid_t.
fn pid() -> clap::builder::RangedI64ValueParser<i64> {
    clap::value_parser!(i64).range(0..=i64::from(i32::MAX))
}

/// A session id: 32 bits, 4294967295 (-1) for "unset".
fn session() -> clap::builder::RangedI64ValueParser<i64> {
    clap::value_parser!(i64).range(0..=i64::from(u32::MAX))
}

/// Whether a syscall is given by name (else by number).
pub fn is_name(syscall: &str) -> bool {
    !syscall.starts_with(|c: char| c.is_ascii_digit())
}

impl FilterArgs {
    pub fn to_filter(&self) -> Result<Filter, FilterError> {
        let clock = time::Clock::system()?;
        let machine = match &self.arch {
            Some(a) => Some(parse_arch(a).map_err(FilterError::Arch)?),
            None => None,
        };
        let times = |words: &Option<Vec<String>>, bound| {
            words
                .as_deref()
                .map(|w| time::parse(w, bound, &clock))
                .transpose()
        };
        Ok(Filter {
            keys: self.keys.clone(),
            files: self.files.clone(),
            types: message_types(&self.types)?,
            pids: self.pids.clone(),
            ppids: self.ppids.clone(),
            serials: self.events.clone(),
            start_ms: times(&self.start, Bound::Start)?,
            // ausearch compares whole seconds: an end time takes in every
            // event of its last second.
            end_ms: times(&self.end, Bound::End)?.map(|t| t - t.rem_euclid(1000) + 999),
            uids: ids(&self.uids, user_id)?,
            euids: ids(&self.euids, user_id)?,
            auids: ids(&self.auids, user_id)?,
            any_uids: ids(&self.any_uids, user_id)?,
            gids: ids(&self.gids, group_id)?,
            egids: ids(&self.egids, group_id)?,
            any_gids: ids(&self.any_gids, group_id)?,
            syscalls: ids(&self.syscalls, |s| syscall(s, machine))?,
            // A syscall name stands for that machine's syscall: ausearch
            // then keeps only that machine's events, --arch or not.
            arch: machine
                .or_else(|| self.syscalls.iter().any(|s| is_name(s)).then(arch::native))
                .map(|m| i64::from(m.elf)),
            success: self.success.as_deref().map(success).transpose()?,
            exits: ids(&self.exits, exit_code)?,
            sessions: self.sessions.clone(),
            comms: self.comms.clone(),
            exes: self.exes.clone(),
            hosts: self.hosts.clone(),
            terminals: self.terminals.clone(),
            subjects: self.subjects.clone(),
            objects: self.objects.clone(),
            contexts: self.contexts.clone(),
            nodes: self.nodes.clone(),
            units: self.units.iter().map(|u| unit_name(u)).collect(),
            containers: self
                .containers
                .iter()
                .map(|c| container_prefix(c))
                .collect::<Result<_, _>>()?,
            ancestor_exes: self.ancestor_exes.clone(),
            whole_word: self.whole_word,
            after_position: None,
            through_position: None,
        })
    }
}

fn ids(
    values: &[String],
    resolve: impl Fn(&str) -> Result<i64, FilterError>,
) -> Result<Vec<i64>, FilterError> {
    values.iter().map(|v| resolve(v)).collect()
}

/// `-m` types: names in any case, numbers, comma lists; ALL means any.
fn message_types(values: &[String]) -> Result<Vec<u32>, FilterError> {
    let mut out = Vec::new();
    for t in values.iter().flat_map(|t| t.split(',')) {
        if t.eq_ignore_ascii_case("all") {
            return Ok(Vec::new());
        }
        let n =
            types::MessageType::parse(t).ok_or_else(|| FilterError::UnknownType(t.to_string()))?;
        out.push(n.number());
    }
    Ok(out)
}

fn user_id(v: &str) -> Result<i64, FilterError> {
    id_or_name(v, "user", |name| {
        nix::unistd::User::from_name(name)
            .ok()
            .flatten()
            .map(|u| u.uid.as_raw())
    })
}

fn group_id(v: &str) -> Result<i64, FilterError> {
    id_or_name(v, "group", |name| {
        nix::unistd::Group::from_name(name)
            .ok()
            .flatten()
            .map(|g| g.gid.as_raw())
    })
}

/// A numeric id, which must fit the kernel's 32 bits (ausearch wraps
/// larger ones silently: `-ui 4294967296` finds root's events), or a name.
fn id_or_name(
    v: &str,
    what: &'static str,
    lookup: impl Fn(&str) -> Option<u32>,
) -> Result<i64, FilterError> {
    let value = v.to_string();
    if v.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        return match v.parse::<u32>() {
            Ok(n) => Ok(i64::from(n)),
            Err(_) if v.bytes().skip(1).all(|b| b.is_ascii_digit()) => {
                Err(FilterError::IdOutOfRange { what, value })
            }
            Err(_) => Err(FilterError::InvalidId { what, value }),
        };
    }
    match lookup(v) {
        Some(id) => Ok(i64::from(id)),
        None => Err(FilterError::UnknownName { what, value }),
    }
}

/// A syscall number, or a name in the table of `--arch` (else this machine's).
fn syscall(v: &str, machine: Option<&'static arch::Machine>) -> Result<i64, FilterError> {
    if let Ok(n) = v.parse::<i64>() {
        return Ok(n);
    }
    let m = machine.unwrap_or_else(arch::native);
    m.syscalls()
        .and_then(|t| t.number(v))
        .map(i64::from)
        .ok_or_else(|| FilterError::UnknownSyscall {
            name: v.to_string(),
            arch: m.name(),
        })
}

/// A unit's full name: as systemctl reads it, one without a suffix is a
/// service.
fn unit_name(v: &str) -> String {
    if v.contains('.') {
        v.to_string()
    } else {
        format!("{v}.service")
    }
}

/// A container id or a prefix of one, lowercase; hex digits only, so that
/// it is a GLOB pattern's literal part.
fn container_prefix(v: &str) -> Result<String, FilterError> {
    let id = v.to_ascii_lowercase();
    if (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(id)
    } else {
        Err(FilterError::ContainerId(v.to_string()))
    }
}

fn success(v: &str) -> Result<bool, FilterError> {
    match v {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(FilterError::Success(v.to_string())),
    }
}

/// An exit code: a number, or an errno name with its sign (`-EPERM`).
fn exit_code(v: &str) -> Result<i64, FilterError> {
    if let Ok(n) = v.parse::<i64>() {
        return Ok(n);
    }
    let (sign, name) = match v.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, v),
    };
    crate::tables::errnos()
        .number(name)
        .map(|n| sign * i64::from(n))
        .ok_or_else(|| FilterError::ExitCode(v.to_string()))
}
