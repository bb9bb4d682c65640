//! What aureport prints: titles, one row per event, and the totals
//! (aureport-output.c), all in the C locale's `%x %T` date form.

use std::io::{self, Write};

use chrono::{Local, TimeZone};

use super::lookup::{self, Lookup};
use super::scan::{self, Scanned, Totals};
use super::tally::Tally;
use super::{Config, Detail, Kind, Only};
use crate::record::MessageType;

/// `strftime("%x %T")` of a local time, `?` when there is none.
pub fn date(sec: i64) -> String {
    Local
        .timestamp_opt(sec, 0)
        .single()
        .map_or_else(|| "?".into(), |t| t.format("%m/%d/%y %H:%M:%S").to_string())
}

/// The times the overall summary states: the first event read (or none,
/// printed as the epoch, as aureport does), the last event reported, and
/// the `-ts`/`-te` bounds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeRange {
    pub first: Option<(i64, u32)>,
    pub last: Option<(i64, u32)>,
}

fn stamp((sec, msec): (i64, u32)) -> String {
    format!("{}.{msec:03}", date(sec))
}

/// One line of the log time range report (`-t`): a log's first and last
/// event.
pub fn log_range_row(out: &mut impl Write, name: &str, range: &TimeRange) -> io::Result<()> {
    match (range.first, range.last) {
        (Some(first), Some(last)) => {
            writeln!(out, "{name}: {} - {}", stamp(first), stamp(last))
        }
        _ => writeln!(out, "{name}: no records"),
    }
}

/// Each summary title, and the width of its rule.
fn summary_title(kind: Kind) -> Option<(&'static str, &'static str, usize)> {
    Some(match kind {
        Kind::Avc => ("Avc Object Summary Report", "obj", 33),
        Kind::Mac => ("MAC Summary Report", "type", 18),
        Kind::Integ => ("Integrity Summary Report", "type", 24),
        Kind::Virt => ("Virtualization Summary Report", "type", 29),
        Kind::Config => ("Config Change Summary Report", "type", 28),
        Kind::Auth => ("Authentication Summary Report", "acct", 29),
        Kind::Login => ("Login Summary Report", "auid", 28),
        Kind::AcctMod => ("Acct Modification Summary Report", "type", 32),
        Kind::Event => ("Event Summary Report", "type", 22),
        Kind::File => ("File Summary Report", "file", 27),
        Kind::Host => ("Host Summary Report", "host", 27),
        Kind::Pid => ("Pid Summary Report", "pid", 26),
        Kind::Syscall => ("Syscall Summary Report", "syscall", 26),
        Kind::Term => ("Terminal Summary Report", "terminal", 31),
        Kind::User => ("User Summary Report", "auid", 27),
        Kind::Exe => ("Executable Summary Report", "file", 33),
        Kind::Comm => ("Command Summary Report", "command", 33),
        Kind::Anomaly => ("Anomaly Summary Report", "type", 22),
        Kind::Response => ("Anomaly Response Summary Report", "type", 31),
        Kind::Crypto => ("Crypto Summary Report", "type", 21),
        Kind::Key => ("Key Summary Report", "key", 27),
        Kind::Summary | Kind::Time | Kind::Tty => return None,
    })
}

/// Each detailed title, its column heads, and the width of its rules
/// (the command report's second rule is one wider, as in aureport).
fn detailed_title(kind: Kind) -> (&'static str, &'static str, usize) {
    match kind {
        Kind::Avc => (
            "AVC Report",
            "date time comm subj syscall class permission obj result event",
            63,
        ),
        Kind::Config => (
            "Config Change Report",
            "date time type auid success event",
            35,
        ),
        Kind::Auth => (
            "Authentication Report",
            "date time acct host term exe success event",
            44,
        ),
        Kind::Login => (
            "Login Report",
            "date time auid host term exe success event",
            44,
        ),
        Kind::AcctMod => (
            "Account Modifications Report",
            "date time auid addr term exe acct success event",
            49,
        ),
        Kind::Event => ("Event Report", "date time event type auid success", 35),
        Kind::File => (
            "File Report",
            "date time file syscall success exe auid event",
            47,
        ),
        Kind::Host => ("Host Report", "date time host syscall auid event", 35),
        Kind::Pid => (
            "Process ID Report",
            "date time pid exe syscall auid event",
            38,
        ),
        Kind::Syscall => (
            "Syscall Report",
            "date time syscall pid comm auid event",
            39,
        ),
        Kind::Term => ("Terminal Report", "date time term host exe auid event", 36),
        Kind::User => ("User ID Report", "date time auid term host exe event", 36),
        Kind::Exe => (
            "Executable Report",
            "date time exe term host auid event",
            36,
        ),
        Kind::Comm => ("Command Report", "date time comm term host auid event", 36),
        Kind::Anomaly => (
            "Anomaly Report",
            "date time type exe term host auid event",
            41,
        ),
        Kind::Response => (
            "Response to Anomaly Report",
            "date time type success event",
            30,
        ),
        Kind::Mac => ("MAC Report", "date time auid type success event", 35),
        Kind::Integ => ("Integrity Report", "date time type success event", 30),
        Kind::Virt => ("Virtualization Report", "date time type success event", 30),
        Kind::Crypto => ("Crypto Report", "date time auid type success event", 35),
        Kind::Key => ("Key Report", "date time key success exe auid event", 47),
        Kind::Tty => ("TTY Report", "date time event auid term sess comm data", 47),
        Kind::Time | Kind::Summary => ("Log Time Range Report", "", 21),
    }
}

pub fn title(out: &mut impl Write, config: &Config) -> io::Result<()> {
    out.write_all(b"\n")?;
    if config.detail == Detail::Summary {
        match config.only {
            Only::Failed => out.write_all(b"Failed ")?,
            Only::Success => out.write_all(b"Success ")?,
            Only::Both => {}
        }
        if config.kind == Kind::Summary {
            return writeln!(out, "Summary Report\n{}", "=".repeat(22));
        }
        let Some((name, column, width)) = summary_title(config.kind) else {
            return Ok(());
        };
        let rule = "=".repeat(width);
        return writeln!(out, "{name}\n{rule}\ntotal  {column}\n{rule}");
    }
    let (name, heads, width) = detailed_title(config.kind);
    let rule = "=".repeat(width);
    if config.kind == Kind::Time {
        return writeln!(out, "{name}\n{rule}");
    }
    let second = if config.kind == Kind::Comm {
        "=".repeat(width + 1)
    } else {
        rule.clone()
    };
    writeln!(out, "{name}\n{rule}\n# {heads}\n{second}")
}

/// Prints the rows of one event if the report is about it; `true` if so.
pub fn row(
    out: &mut impl Write,
    kind: Kind,
    ev: &Scanned<'_>,
    line_item: &mut u32,
) -> io::Result<bool> {
    if !scan::of_interest(kind, ev) {
        return Ok(false);
    }
    let mut text = Vec::new();
    let date = date(ev.id.sec);
    if kind == Kind::Avc {
        avc_rows(&mut text, ev, &date, line_item);
    } else {
        *line_item += 1;
        text.extend_from_slice(format!("{line_item}. {date} ").as_bytes());
        event_row(&mut text, kind, ev);
    }
    out.write_all(&text)?;
    Ok(true)
}

/// What C's `printf("%s")` prints for a missing string.
fn or_null(s: &Option<Vec<u8>>) -> &[u8] {
    s.as_deref().unwrap_or(b"(null)")
}

fn or_unknown(s: &Option<Vec<u8>>) -> &[u8] {
    s.as_deref().unwrap_or(b"?")
}

/// One row per access decision of the event.
fn avc_rows(text: &mut Vec<u8>, ev: &Scanned<'_>, date: &str, line_item: &mut u32) {
    let s = &ev.items;
    let lk = &ev.lookup;
    let avcs: &[super::parse::Avc] = s.avcs.as_deref().unwrap_or(&[]);
    let decided: Vec<&super::parse::Avc> = avcs
        .iter()
        .filter(|a| a.result != super::parse::AvcResult::Unset)
        .collect();
    // Without any decision aureport prints the last label it read.
    let shown: Vec<&super::parse::Avc> = if decided.is_empty() {
        avcs.last().into_iter().collect()
    } else {
        decided
    };
    for an in shown {
        *line_item += 1;
        text.extend_from_slice(format!("{line_item}. {date} ").as_bytes());
        text.extend(lk.escaped(or_unknown(&s.comm)));
        for part in [
            or_null(&an.scontext),
            &lk.syscall(s.arch, s.syscall, 128),
            or_null(&an.class),
            or_null(&an.perm),
            or_null(&an.tcontext),
            lookup::result(an.result).as_bytes(),
        ] {
            text.push(b' ');
            text.extend_from_slice(part);
        }
        text.extend_from_slice(format!(" {}\n", ev.id.serial).as_bytes());
    }
}

/// `audit_msg_type_to_name`, which gives C's `(null)` for a type it
/// does not know.
fn type_name(t: MessageType) -> &'static str {
    t.name().unwrap_or("(null)")
}

fn event_row(text: &mut Vec<u8>, kind: Kind, ev: &Scanned<'_>) {
    let s = &ev.items;
    let lk = &ev.lookup;
    let serial = ev.id.serial;
    let auid = || lk.escaped(&lk.uid(s.loginuid, 64));
    let success = lookup::success(s.success).as_bytes();
    let head = type_name(ev.head()).as_bytes();
    let parts: Vec<Vec<u8>> = match kind {
        Kind::Config => vec![head.into(), lk.uid(s.loginuid, 64), success.into()],
        Kind::Auth | Kind::Login => {
            let who = match &s.acct {
                Some(a) if kind == Kind::Auth || s.success == super::parse::FAILED => a.clone(),
                _ if kind == Kind::Auth => lk.uid(s.uid, 64),
                _ => lk.uid(s.loginuid, 64),
            };
            vec![
                lk.escaped(&who),
                or_null(&s.hostname).into(),
                or_null(&s.terminal).into(),
                or_null(&s.exe).into(),
                success.into(),
            ]
        }
        Kind::AcctMod => vec![
            auid(),
            or_unknown(&s.hostname).into(),
            or_unknown(&s.terminal).into(),
            or_unknown(&s.exe).into(),
            or_unknown(&s.acct).into(),
            success.into(),
        ],
        Kind::Event => {
            let row = [serial.to_string().as_bytes(), head, &auid(), success].join(&b' ');
            text.extend_from_slice(&row);
            text.push(b'\n');
            return;
        }
        Kind::File => vec![
            lk.escaped(file_shown(s)),
            lk.syscall(s.arch, s.syscall, 128),
            success.into(),
            lk.escaped(or_unknown(&s.exe)),
            auid(),
        ],
        Kind::Host => vec![
            or_null(&s.hostname).into(),
            lk.syscall(s.arch, s.syscall, 128),
            auid(),
        ],
        Kind::Pid => vec![
            (s.pid as u32).to_string().into_bytes(),
            lk.escaped(or_unknown(&s.exe)),
            lk.syscall(s.arch, s.syscall, 128),
            auid(),
        ],
        Kind::Syscall => vec![
            lk.syscall(s.arch, s.syscall, 128),
            (s.pid as u32).to_string().into_bytes(),
            lk.escaped(or_unknown(&s.comm)),
            auid(),
        ],
        Kind::Term => vec![
            or_null(&s.terminal).into(),
            or_null(&s.hostname).into(),
            // C prints a missing string as (null), never escaped.
            s.exe.as_ref().map_or(b"(null)".to_vec(), |e| lk.escaped(e)),
            auid(),
        ],
        Kind::User => vec![
            auid(),
            or_unknown(&s.terminal).into(),
            or_unknown(&s.hostname).into(),
            lk.escaped(or_unknown(&s.exe)),
        ],
        Kind::Exe => vec![
            lk.escaped(or_unknown(&s.exe)),
            or_unknown(&s.terminal).into(),
            or_unknown(&s.hostname).into(),
            auid(),
        ],
        Kind::Comm => vec![
            lk.escaped(or_unknown(&s.comm)),
            or_unknown(&s.terminal).into(),
            or_unknown(&s.hostname).into(),
            auid(),
        ],
        Kind::Anomaly => vec![
            head.into(),
            lk.escaped(s.exe.as_deref().or(s.comm.as_deref()).unwrap_or(b"?")),
            or_unknown(&s.terminal).into(),
            or_unknown(&s.hostname).into(),
            auid(),
        ],
        Kind::Response | Kind::Integ | Kind::Virt => vec![head.into(), success.into()],
        Kind::Mac => vec![lk.uid(s.loginuid, 64), head.into(), success.into()],
        Kind::Crypto => vec![auid(), head.into(), success.into()],
        Kind::Key => vec![
            ev.first_key().unwrap_or_default().into(),
            success.into(),
            lk.escaped(or_unknown(&s.exe)),
            auid(),
        ],
        Kind::Tty => {
            tty_row(text, ev);
            return;
        }
        Kind::Avc | Kind::Time | Kind::Summary => return,
    };
    text.extend_from_slice(&parts.join(&b' '));
    text.extend_from_slice(format!(" {serial}\n").as_bytes());
}

/// The file a row shows: the first name, or with several the first that
/// is not a PARENT directory.
fn file_shown(s: &super::parse::Items) -> &[u8] {
    let files = s.filenames.as_deref().unwrap_or(&[]);
    let mut i = 0;
    if files.len() > 1 {
        while files
            .get(i)
            .is_some_and(|f| f.key.as_deref() == Some(b"PARENT"))
        {
            i += 1;
        }
    }
    files.get(i).map_or(b"", |f| f.name.as_slice())
}

/// serial, auid, terminal, session, comm, and the keystrokes; a record
/// without `data=` leaves its row unfinished, as in aureport.
fn tty_row(text: &mut Vec<u8>, ev: &Scanned<'_>) {
    let s = &ev.items;
    let lk = &ev.lookup;
    let Some(line) = ev.head_line else {
        return;
    };
    let Some(at) = line.find(0, "data=") else {
        return;
    };
    let data = line.rest(at + 5);
    let data = match data.iter().rposition(|&b| b == b' ') {
        Some(space) => &data[..space],
        None => data,
    };
    text.extend_from_slice(format!("{} ", ev.id.serial).as_bytes());
    text.extend(lk.escaped(&lk.uid(s.loginuid, 64)));
    text.push(b' ');
    text.extend_from_slice(or_unknown(&s.terminal));
    text.extend_from_slice(format!(" {} ", s.session_id).as_bytes());
    text.extend(lk.escaped(or_unknown(&s.comm)));
    text.push(b' ');
    text.extend(tty_data(data));
    text.push(b'\n');
}

/// aureport's `print_tty_data`: ausearch's rendering of keystrokes, but a
/// hex value too short to decode is a conversion error.
fn tty_data(data: &[u8]) -> Vec<u8> {
    if data.len() < 2 && data.iter().all(u8::is_ascii_hexdigit) {
        return [b"conversion error(", data, b")"].concat();
    }
    crate::output::interpret::values::tty_data(data)
}

/// The totals of a summary report.
pub fn wrap_up(
    out: &mut impl Write,
    config: &Config,
    totals: &Totals,
    range: &TimeRange,
) -> io::Result<()> {
    let lk = Lookup {
        interpret: config.interpret,
        escape: config.escape,
        recorded: None,
    };
    let mut text = Vec::new();
    match config.kind {
        Kind::Summary => summary(&mut text, config, totals, range),
        Kind::Avc => strings(&mut text, &totals.avc_objs, None),
        Kind::Host => strings(&mut text, &totals.hosts, None),
        Kind::Term => strings(&mut text, &totals.terms, None),
        Kind::File => strings(&mut text, &totals.files, Some(&lk)),
        Kind::Exe => strings(&mut text, &totals.exes, Some(&lk)),
        Kind::Comm => strings(&mut text, &totals.comms, Some(&lk)),
        Kind::Key => strings(&mut text, &totals.keys, Some(&lk)),
        Kind::Syscall => strings(&mut text, &totals.syscalls, Some(&lk)),
        Kind::Auth | Kind::Login | Kind::User => users(&mut text, &totals.users, &lk),
        Kind::Pid => numbers(&mut text, &totals.pids, |n| n.to_string()),
        Kind::Config | Kind::AcctMod | Kind::Event => record_types(&mut text, &totals.pids, config),
        Kind::Mac | Kind::Integ | Kind::Virt | Kind::Anomaly | Kind::Response | Kind::Crypto => {
            record_types(&mut text, &totals.types, config)
        }
        Kind::Time | Kind::Tty => {}
    }
    out.write_all(&text)
}

const NOTHING: &[u8] = b"<no events of interest were found>\n\n";

/// A text list: escaped (`safe_print_string`) or as it is.
fn strings(text: &mut Vec<u8>, tally: &Tally<Vec<u8>>, escape: Option<&Lookup<'_>>) {
    if tally.is_empty() {
        return text.extend_from_slice(NOTHING);
    }
    for (value, hits) in tally.by_hits() {
        text.extend_from_slice(format!("{hits}  ").as_bytes());
        match escape {
            Some(lk) => text.extend(lk.escaped(value)),
            None => text.extend_from_slice(value),
        }
        text.push(b'\n');
    }
}

/// Accounts: a number is looked up again (a name with `-i`).
fn users(text: &mut Vec<u8>, tally: &Tally<Vec<u8>>, lk: &Lookup<'_>) {
    if tally.is_empty() {
        return text.extend_from_slice(NOTHING);
    }
    for (value, hits) in tally.by_hits() {
        text.extend_from_slice(format!("{hits}  ").as_bytes());
        let numeric = value
            .first()
            .is_some_and(|&b| b == b'-' || b.is_ascii_digit());
        if numeric {
            let uid = crate::output::interpret::num::strtol(value, 10).unwrap_or(0);
            text.extend(lk.escaped(&lk.uid(uid as u32, 64)));
        } else {
            text.extend(lk.escaped(value));
        }
        text.push(b'\n');
    }
}

fn numbers(text: &mut Vec<u8>, tally: &Tally<i32>, show: impl Fn(i32) -> String) {
    if tally.is_empty() {
        return text.extend_from_slice(NOTHING);
    }
    for (n, hits) in tally.by_hits() {
        text.extend_from_slice(format!("{hits}  {}\n", show(*n)).as_bytes());
    }
}

/// Record types: numbers, or with `-i` their names.
fn record_types(text: &mut Vec<u8>, tally: &Tally<i32>, config: &Config) {
    numbers(text, tally, |n| {
        if config.interpret {
            type_name(MessageType(n as u32)).to_string()
        } else {
            n.to_string()
        }
    });
}

fn summary(text: &mut Vec<u8>, config: &Config, t: &Totals, range: &TimeRange) {
    let first = range.first.unwrap_or((0, 0));
    let last = range.last.unwrap_or((0, 0));
    let from = config.start.map_or_else(|| date(first.0), date);
    let to = config.end.map_or_else(|| stamp(last), date);
    let lines = [
        format!("Range of time in logs: {} - {}", stamp(first), stamp(last)),
        format!("Selected time for report: {from} - {to}"),
        format!("Number of changes in configuration: {}", t.changes),
        format!(
            "Number of changes to accounts, groups, or roles: {}",
            t.acct_changes
        ),
        format!("Number of logins: {}", t.good_logins),
        format!("Number of failed logins: {}", t.bad_logins),
        format!("Number of authentications: {}", t.good_auth),
        format!("Number of failed authentications: {}", t.bad_auth),
        format!("Number of users: {}", t.users.len()),
        format!("Number of terminals: {}", t.terms.len()),
        format!("Number of host names: {}", t.hosts.len()),
        format!("Number of executables: {}", t.exes.len()),
        format!("Number of commands: {}", t.comms.len()),
        format!("Number of files: {}", t.files.len()),
        format!("Number of AVC's: {}", t.avcs),
        format!("Number of MAC events: {}", t.mac),
        format!("Number of failed syscalls: {}", t.failed_syscalls),
        format!("Number of anomaly events: {}", t.anomalies),
        format!("Number of responses to anomaly events: {}", t.responses),
        format!("Number of crypto events: {}", t.crypto),
        format!("Number of integrity events: {}", t.integ),
        format!("Number of virt events: {}", t.virt),
        format!("Number of keys: {}", t.keys.len()),
        format!("Number of process IDs: {}", t.pids.len()),
        format!("Number of events: {}", t.events),
    ];
    for l in lines {
        text.extend_from_slice(l.as_bytes());
        text.push(b'\n');
    }
    text.push(b'\n');
}
