//! Every key of raudit.conf in one table: the parser looks keys up here,
//! `--check-config` prints through it, and raudit.conf(5) lists it, so the
//! three cannot disagree.

use std::path::PathBuf;
use std::time::Duration;

use super::values::{Action, Flush, NameFormat, Space, Trigger};
use super::{Config, Problem};

pub struct Key {
    pub name: &'static str,
    /// The values it takes, as the manual shows them.
    pub values: &'static str,
    /// What it does, in plain text for the manual.
    pub doc: &'static str,
    pub(super) set: fn(&mut Config, &str) -> Result<(), Problem>,
    /// The value as the file would say it; `None` when unset.
    pub(super) get: fn(&Config) -> Option<String>,
}

impl Key {
    /// This key's value in `config`, as the file would say it.
    pub fn value(&self, config: &Config) -> Option<String> {
        (self.get)(config)
    }
}

pub const KEYS: &[Key] = &[
    Key {
        name: "log_file",
        values: "absolute path",
        doc: "The SQLite database the daemon records into (auditd's log file). Its directory is created 0700 and the file 0600. The daemon's --db option overrides it.",
        set: |c, v| set_file(&mut c.db, v),
        get: |c| Some(c.db.display().to_string()),
    },
    Key {
        name: "flush",
        values: "none, incremental, incremental_async, data, sync",
        doc: "How hard the daemon works to get committed events onto the disk. The database is in WAL mode. none: PRAGMA synchronous = OFF, nothing is forced to disk (an operating system crash can lose recent events or damage the database). incremental: synchronous = NORMAL, and after every freq events the daemon waits until the write-ahead log is on disk. incremental_async: the same, but that flush runs beside the writer, which does not wait for it. data: synchronous = FULL, every commit reaches the disk before the next. sync: synchronous = EXTRA, as data and the directory is synced too.",
        set: |c, v| put(&mut c.flush, Flush::parse(v)),
        get: |c| Some(c.flush.to_string()),
    },
    Key {
        name: "freq",
        values: "0 to 10000",
        doc: "With flush = incremental or incremental_async: how many events may be committed between two flushes to disk; at least 1. Ignored with the other flush levels, as in auditd.",
        set: |c, v| put(&mut c.freq, number(v, 0, 10_000).map(|n| n as u32)),
        get: |c| Some(c.freq.to_string()),
    },
    Key {
        name: "space_left",
        values: "MiB, or 1% to 99%",
        doc: "When the free space of the file system holding the database drops below this, the daemon takes space_left_action. A percentage is of the file system's size.",
        set: |c, v| put(&mut c.space_left, Space::parse(v)),
        get: |c| Some(c.space_left.to_string()),
    },
    Key {
        name: "space_left_action",
        values: ACTIONS,
        doc: "What to do when free space drops below space_left. See ACTIONS.",
        set: |c, v| put(&mut c.space_left_action, Action::parse(v, Trigger::Disk)),
        get: |c| Some(c.space_left_action.to_string()),
    },
    Key {
        name: "admin_space_left",
        values: "MiB, or 1% to 99%",
        doc: "The last threshold before the disk is full: below it the daemon takes admin_space_left_action. Must be lower than space_left when both are in the same unit.",
        set: |c, v| put(&mut c.admin_space_left, Space::parse(v)),
        get: |c| Some(c.admin_space_left.to_string()),
    },
    Key {
        name: "admin_space_left_action",
        values: ACTIONS,
        doc: "What to do when free space drops below admin_space_left.",
        set: |c, v| put(&mut c.admin_space_left_action, Action::parse(v, Trigger::Disk)),
        get: |c| Some(c.admin_space_left_action.to_string()),
    },
    Key {
        name: "disk_full_action",
        values: ACTIONS,
        doc: "What to do when a write fails because the file system is full.",
        set: |c, v| put(&mut c.disk_full_action, Action::parse(v, Trigger::Disk)),
        get: |c| Some(c.disk_full_action.to_string()),
    },
    Key {
        name: "disk_error_action",
        values: ACTIONS,
        doc: "What to do when writing to the database fails for another reason (an I/O error).",
        set: |c, v| put(&mut c.disk_error_action, Action::parse(v, Trigger::Disk)),
        get: |c| Some(c.disk_error_action.to_string()),
    },
    Key {
        name: "max_db_size",
        values: "MiB, 0 for no limit",
        doc: "The largest the database may grow (auditd's max_log_file); above it the daemon takes max_db_size_action.",
        set: |c, v| put(&mut c.max_db_size, number(v, 0, u64::MAX >> 20)),
        get: |c| Some(c.max_db_size.to_string()),
    },
    Key {
        name: "max_db_size_action",
        values: "ignore, syslog, suspend, rotate, exec /path",
        doc: "What to do when the database exceeds max_db_size: ignore, syslog, suspend, rotate (delete the oldest events, whole commits of at most 10,000 events at a time, through the tamper-evident chain, until it fits; freed pages go back to the file system on databases created by this version), or exec a script.",
        set: |c, v| put(&mut c.max_db_size_action, Action::parse(v, Trigger::DbSize)),
        get: |c| Some(c.max_db_size_action.to_string()),
    },
    Key {
        name: "name_format",
        values: "none, hostname, fqd, numeric, user",
        doc: "The node name put in each event: none; the host name; fqd, the host name resolved to a fully qualified domain name; numeric, its IP address; user, the text of name.",
        set: |c, v| put(&mut c.name_format, NameFormat::parse(v)),
        get: |c| Some(c.name_format.to_string()),
    },
    Key {
        name: "name",
        values: "text without blanks",
        doc: "The node name when name_format = user (and only then).",
        set: set_name,
        get: |c| c.name.clone(),
    },
    Key {
        name: "rules_dir",
        values: "absolute path",
        doc: "The directory whose *.rules files, in name order, are the rules the daemon loads into the kernel (see raudit.rules(7)).",
        set: |c, v| set_path(&mut c.rules_dir, v),
        get: |c| Some(c.rules_dir.display().to_string()),
    },
    Key {
        name: "eoe_timeout_ms",
        values: "1 to 600000",
        doc: "raudit's own: how many milliseconds an event may wait for its end-of-event record before it is stored as it is. The daemon's --eoe-timeout option overrides it.",
        set: |c, v| put(&mut c.eoe_timeout, number(v, 1, 600_000).map(Duration::from_millis)),
        get: |c| Some(c.eoe_timeout.as_millis().to_string()),
    },
    Key {
        name: "max_open_events",
        values: "16 to 1000000",
        doc: "raudit's own: how many events may wait for their end at once. Past it the one touched longest ago is completed early (a loss row of kind closed_early says so; a record that comes later still joins it), so that a flood of records without an end cannot grow the daemon's memory.",
        set: |c, v| put(&mut c.max_open_events, number(v, 16, 1_000_000).map(|n| n as usize)),
        get: |c| Some(c.max_open_events.to_string()),
    },
    Key {
        name: "max_event_records",
        values: "16 to 1000000",
        doc: "raudit's own: the most records one event keeps. The kernel's largest events (an execve with a long argument list) take a few hundred; records beyond this are counted in a loss row of kind truncated, not stored.",
        set: |c, v| put(&mut c.max_event_records, number(v, 16, 1_000_000).map(|n| n as usize)),
        get: |c| Some(c.max_event_records.to_string()),
    },
    Key {
        name: "max_wal_size",
        values: "1 to 4096",
        doc: "raudit's own: MiB the database's write-ahead log may reach before the daemon resets it. Searches that run meanwhile keep old frames alive; the daemon waits for them briefly at a quiet moment and tries again later.",
        set: |c, v| put(&mut c.max_wal_size, number(v, 1, 4096)),
        get: |c| Some(c.max_wal_size.to_string()),
    },
    Key {
        name: "plugin_dir",
        values: "absolute path",
        doc: "The directory whose *.conf files, in name order, each describe an output the daemon feeds every stored event: an auditd plugin program (audisp's keys active, direction, path, type, args, format; format = string), or raudit's builtin_syslog or builtin_json (see raudit-daemon(8)). Missing: no outputs.",
        set: |c, v| set_path(&mut c.plugin_dir, v),
        get: |c| Some(c.plugin_dir.display().to_string()),
    },
    Key {
        name: "q_depth",
        values: "1 to 1000000",
        doc: "How many events each output's queue holds. An output that falls this far behind misses the events its queue cannot take, counted as loss of kind output; storing never waits for an output.",
        set: |c, v| put(&mut c.q_depth, number(v, 1, 1_000_000).map(|n| n as usize)),
        get: |c| Some(c.q_depth.to_string()),
    },
    Key {
        name: "max_restarts",
        values: "0 to 10000",
        doc: "How many times in a row an output may fail to restart (a plugin program that dies, a syslog server that refuses) before the daemon gives it up; 0: never. Restarts wait from 0.1 s up to 10 s, doubling.",
        set: |c, v| put(&mut c.max_restarts, number(v, 0, 10_000).map(|n| n as u32)),
        get: |c| Some(c.max_restarts.to_string()),
    },
    Key {
        name: "max_age",
        values: "days, 0 for no limit",
        doc: "raudit's own: events stored longer ago than this many days are deleted, oldest first, between the writer's batches and at most 10,000 at a time, so that ingest never waits longer than one such step. Whole commits go, with the loss rows and the daemon's own events they stored; the tamper-evident chain records the deletion (see raudit-verify(8)). The newest commit that stored events always stays.",
        set: |c, v| put(&mut c.max_age, number(v, 0, 100_000)),
        get: |c| Some(c.max_age.to_string()),
    },
    Key {
        name: "chain_key",
        values: "absolute path",
        doc: "raudit's own: the key file of the database's tamper-evident chain (HMAC-SHA256), created 0600 at the first start if missing. Unset, it is the database's path with .key appended. Keep a copy elsewhere: without it raudit verify checks the chain's contents but not its MACs. The writer's checkpoint (its newest commit) is kept beside it, with the extension .checkpoint.",
        set: |c, v| {
            let mut p = PathBuf::new();
            set_file(&mut p, v)?;
            c.chain_key = Some(p);
            Ok(())
        },
        get: |c| c.chain_key.as_ref().map(|p| p.display().to_string()),
    },
];

const ACTIONS: &str = "ignore, syslog, suspend, rotate, single, halt, exec /path";

/// auditd keys with no meaning here, each with the reason: an auditd.conf
/// carried over then fails with a useful message instead of "unknown key".
pub const AUDITD_ONLY: &[(&str, &str)] = &[
    ("local_events", "raudit records the local kernel's events only"),
    ("write_logs", "raudit always writes its database"),
    ("log_format", "raudit stores each record's text verbatim; choose the form when searching (raudit search --format)"),
    ("log_group", "the database is readable by root only"),
    ("priority_boost", "use the unit's Nice= or CPUSchedulingPolicy= instead"),
    ("max_log_file", "raudit keeps one database: use max_db_size (--import-config maps max_log_file x num_logs onto it)"),
    ("max_log_file_action", "raudit keeps one database: use max_db_size_action (--import-config maps rotate onto it)"),
    ("num_logs", "raudit keeps one database: use max_db_size (--import-config maps max_log_file x num_logs onto it)"),
    ("verify_email", "raudit sends no mail; use an exec action"),
    ("action_mail_acct", "raudit sends no mail; use an exec action"),
    ("end_of_event_timeout", "use eoe_timeout_ms (milliseconds, for the daemon)"),
    ("dispatcher", "outputs are the *.conf files in plugin_dir; there is no separate dispatcher"),
    ("disp_qos", OUTPUT_QUEUES),
    ("overflow_action", OUTPUT_QUEUES),
    ("tcp_listen_port", NO_NETWORK),
    ("tcp_listen_queue", NO_NETWORK),
    ("tcp_max_per_addr", NO_NETWORK),
    ("tcp_client_ports", NO_NETWORK),
    ("tcp_client_max_idle", NO_NETWORK),
    ("use_libwrap", NO_NETWORK),
    ("transport", NO_NETWORK),
    ("enable_krb5", NO_NETWORK),
    ("krb5_principal", NO_NETWORK),
    ("krb5_key_file", NO_NETWORK),
    ("distribute_network", NO_NETWORK),
];

const OUTPUT_QUEUES: &str = "outputs never hold up storing: what an output's queue (q_depth) cannot take is counted as loss of kind output";
const NO_NETWORK: &str = "raudit does not receive events over the network";

pub fn find(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.name.eq_ignore_ascii_case(name))
}

pub fn auditd_only(name: &str) -> Option<&'static str> {
    AUDITD_ONLY
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, why)| *why)
}

fn put<T>(field: &mut T, value: Result<T, Problem>) -> Result<(), Problem> {
    *field = value?;
    Ok(())
}

fn number(value: &str, min: u64, max: u64) -> Result<u64, Problem> {
    match value.parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(Problem::BadValue {
            value: value.to_string(),
            expected: format!("a whole number from {min} to {max}"),
        }),
    }
}

/// Paths must be absolute: the daemon's working directory is no anchor.
fn set_path(field: &mut PathBuf, value: &str) -> Result<(), Problem> {
    if !value.starts_with('/') {
        return Err(Problem::BadValue {
            value: value.to_string(),
            expected: "an absolute path".into(),
        });
    }
    *field = PathBuf::from(value);
    Ok(())
}

fn set_file(field: &mut PathBuf, value: &str) -> Result<(), Problem> {
    if value.ends_with('/') {
        return Err(Problem::BadValue {
            value: value.to_string(),
            expected: "the path of a file, not a directory".into(),
        });
    }
    set_path(field, value)
}

fn set_name(c: &mut Config, value: &str) -> Result<(), Problem> {
    // The node name becomes one word of each record (`node=NAME`).
    if value
        .chars()
        .any(|ch| ch.is_whitespace() || ch.is_control())
    {
        return Err(Problem::BadValue {
            value: value.to_string(),
            expected: "a name without blanks".into(),
        });
    }
    c.name = Some(value.to_string());
    Ok(())
}
