//! `raudit search`: ausearch's flags over the store.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::Outcome;
use crate::output::{self, Format};
use crate::search::input::Input;
use crate::search::{checkpoint, filter, losses, Opened};
use crate::store;

#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(flatten)]
    pub filter: filter::FilterArgs,
    /// Stop after the first matching event.
    #[arg(long)]
    pub just_one: bool,
    /// Flush the output after each event.
    #[arg(short = 'l', long)]
    pub line_buffered: bool,
    /// Resume after the last event a previous search with the same FILE
    /// printed, and record this search's last event there.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// Output form [default: default].
    #[arg(long, value_enum, long_help = FORMAT_HELP)]
    pub format: Option<Format>,
    /// Records as auditd writes them (same as --format raw).
    #[arg(short = 'r', long)]
    pub raw: bool,
    /// Interpret values as ausearch -i does (same as --format interpret).
    #[arg(short = 'i', long)]
    pub interpret: bool,
    /// With --format csv: add a last column, KEY, with the rule's key.
    #[arg(long)]
    pub extra_keys: bool,
    /// With --format csv: add SUBJ_LABEL and OBJ_LABEL columns, the
    /// subject's and object's security labels.
    #[arg(long)]
    pub extra_labels: bool,
    /// With --format csv: add an OBJ2 column, a second object (a rename's
    /// new name, a chown's new owner, ...).
    #[arg(long)]
    pub extra_obj2: bool,
    /// With --format csv: add YEAR, MONTH, DAY, WEEKDAY, HOUR, MILLI and
    /// GMT_OFFSET columns.
    #[arg(long)]
    pub extra_time: bool,
    /// With --format csv: add UNIT, CONTAINER, ANCESTORS (joined by ;),
    /// UID_NAME, AUID_NAME and GID_NAME columns, last: the context the
    /// daemon stored with each event (empty when none), with names as they
    /// were when it stored the event (else as -i prints them). Not
    /// ausearch's.
    #[arg(long)]
    pub extra_context: bool,
    /// How interpreted values with control or shell characters are escaped.
    #[arg(long, value_enum, default_value = "tty")]
    pub escape: output::Escape,
    /// Search an auditd log file, or a directory's audit.log and its
    /// rotations, instead of the database (`-if`); `-` reads standard input.
    #[arg(long, value_name = "FILE|DIR", conflicts_with = "db")]
    pub input: Option<PathBuf>,
    /// Search raw records read from standard input (as `-if -`).
    #[arg(long, conflicts_with_all = ["input", "db"])]
    pub stdin: bool,
    /// List recorded losses (kernel lost counter, serial gaps) instead of events.
    #[arg(long)]
    pub loss: bool,
    /// Print the keys stored in the database, one a line (what the shell
    /// completion offers after -k).
    #[arg(long, hide = true)]
    pub list_keys: bool,
    /// Database to read [default: $RAUDIT_DB, else log_file of raudit.conf,
    /// else /var/lib/raudit/audit.db].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Search the fleet's ClickHouse tables (see raudit-export(8)) instead
    /// of a database: every host's events, node by node, as a search of
    /// each host's database prints them. A line on stderr names the nodes
    /// whose stores recorded loss in the searched time window, with the
    /// events missing by kind.
    #[arg(long, value_name = "URL", conflicts_with_all = ["db", "input", "stdin", "checkpoint", "loss", "list_keys"])]
    pub fleet: Option<String>,
    #[command(flatten)]
    pub server: super::fleet::ServerArgs,
    /// Print the process tree rooted at PID instead of events: each process
    /// (pid, the programs it ran) with its number of matching events and
    /// the first one's time and serial, its children indented under it;
    /// from the pid and ppid of the events the other options match.
    #[arg(long, value_name = "PID", conflicts_with_all = ["fleet", "follow", "loss", "list_keys", "checkpoint", "verified"])]
    pub tree: Option<u32>,
    /// Walk the tamper-evident chain first (as raudit verify) and put a
    /// line `# unverified: ...` before each event from a broken part of it
    /// (default, raw, interpret and text forms).
    #[arg(long, conflicts_with = "fleet")]
    pub verified: bool,
    /// Keep printing matching events as they are stored, until interrupted
    /// or the output is closed: from now, from -ts, or after --checkpoint's
    /// position (kept up to date). Each event is printed once, when it is
    /// final; one the daemon still holds open delays those after it (at
    /// most its eoe_timeout, or 15 s for a daemon killed mid-event). Follows
    /// the store across daemon restarts, and a new database put at its path.
    #[arg(long, conflicts_with_all = ["fleet", "input", "stdin", "loss", "list_keys", "just_one", "verified"])]
    pub follow: bool,
}

/// The output forms, and the JSON schema (its version in every event's
/// `schema`; see `output::json`).
const FORMAT_HELP: &str = "Output form. default, raw, interpret, csv and text print what \
ausearch prints (its default form, -r, -i, --format csv and --format text), byte for byte \
in the C locale. csv and text are ausearch's normalized view of each event: who (subject) \
did what (action) to what (object), how, and with what result. csv prints a header line, \
then one line per event with the columns NODE, EVENT, DATE, TIME, SERIAL_NUM, EVENT_KIND, \
SESSION, SUBJ_PRIME, SUBJ_SEC, SUBJ_KIND, ACTION, RESULT, OBJ_PRIME, OBJ_SEC, OBJ_KIND and \
HOW (more with the --extra-* flags); values are not quoted, as in ausearch. text prints \
one sentence per event. \
json prints one object per event per line, schema version 1: \
schema (1; within a version fields are only added, a change of meaning or type takes a new \
version), time (RFC 3339, UTC, milliseconds), sec, msec, serial, node (null unless the event \
came from another host), complete (false while the daemon may still add records to the event: \
every record is searchable as soon as it is stored, and an event is final once its \
end-of-event record, its PROCTITLE or its timeout has come; a consumer that wants whole \
events waits for true; added in schema 1 before any release), keys (every key of the event), then fields of the event taken from \
the first record that has them, the SYSCALL record first, null when none has: syscall (the \
name for the event's architecture), syscall_nr, arch, success (true or false, from success= \
or a user message's res=), exit, pid, ppid, uid and uid_name, auid and auid_name, gid and \
gid_name (gid added in schema 1; a name as the user database gave it when the daemon stored \
the event, so a user renamed or a uid reused since does not change it, or as an enriched log \
recorded it, else as -i prints it today), ses, tty, comm, exe, argv (the EXECVE \
arguments decoded, in order; null without an EXECVE record), unit and container (the \
systemd unit and the container id, 64 hex digits, that the daemon found in the cgroup of the \
SYSCALL record's process when it stored the event: context read from /proc while the process \
lived, not a kernel record, so not covered by the store's chain; null when the process had \
already exited or had none, and for imported logs; added in schema 1), ancestors (the programs \
the process's parent and its ancestors ran, the parent's first, as the daemon knew them from \
SYSCALL records and /proc; the same kind of context; null when none is known; added in schema \
1), and records, in arrival \
order, each with type (the record type's name), type_nr, raw (the record text as the kernel \
wrote it, from audit( on), fields (name to value with quotes removed and the kernel's hex \
encoding undone for the fields it encodes, EXECVE arguments included but not a SYSCALL's \
a0-a3; null for (null) and ?), interp (name to value as -i shows it, unescaped) and, for a \
record that did not parse, parse_error. Objects are written as they are made, record by \
record.";

/// The one output form asked for: `-r`, `-i` and `--format` each name
/// one, and, as ausearch does, two of them are refused rather than one
/// silently chosen.
pub(super) fn output_format(args: &SearchArgs) -> anyhow::Result<Format> {
    let given: Vec<(String, Format)> = [
        args.raw.then(|| ("-r".to_string(), Format::Raw)),
        args.interpret
            .then(|| ("-i".to_string(), Format::Interpret)),
        args.format.map(|f| {
            let name = f
                .to_possible_value()
                .map_or_else(String::new, |v| v.get_name().to_string());
            (format!("--format {name}"), f)
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    match &given[..] {
        [] => Ok(Format::Default),
        [(_, f)] => Ok(*f),
        [(a, _), (b, _), ..] => {
            anyhow::bail!("conflicting output formats {a} and {b}: give only one")
        }
    }
}

pub fn run(args: SearchArgs) -> anyhow::Result<Outcome> {
    if let Some(url) = &args.fleet {
        return super::fleet_search::run(&args, url);
    }
    let mut filter = args.filter.to_filter()?;
    if let Some(file) = &args.checkpoint {
        filter.after_position = checkpoint::read(file)?;
    }
    let pipe_is_input = super::reads_pipe() && args.db.is_none();
    let input = Input::choose(args.input.as_deref(), args.stdin, pipe_is_input)?;
    let opened = Opened::open(input, args.db.as_deref())?;
    let (conn, db) = (&opened.conn, &opened.db);
    if args.list_keys {
        return list_keys(conn, db);
    }
    if let Some(pid) = args.tree {
        return tree(conn, db, &filter, pid);
    }
    let stdout = std::io::stdout();
    let mut printer = Printer::new(&args, std::io::BufWriter::new(stdout.lock()))?;
    if args.follow {
        // The follower opens the store for each round; see its docs.
        let db = db.clone();
        drop(opened);
        return follow(&args, filter, &mut printer, &db);
    }
    let chain = match args.verified {
        true => Some(super::verify::unverified(conn, db, printer.format)?),
        false => None,
    };
    let found = if args.loss {
        let rows = store::query::losses(conn, filter.start_ms, filter.end_ms)
            .with_context(|| format!("reading {}", db.display()))?;
        for row in &rows {
            losses::print_loss(&mut printer.out, row)?;
        }
        rows.len()
    } else {
        let progress =
            store::query::for_each_stored(conn, &filter, |stored| -> anyhow::Result<bool> {
                if let Some(chain) = &chain {
                    chain.flag(&mut printer.out, stored.position)?;
                }
                printer.print(&stored)
            })?;
        if let (Some(file), Some(position)) = (&args.checkpoint, progress.last_position) {
            checkpoint::write(file, position)?;
        }
        progress.count
    };
    printer.out.flush()?;
    if !args.loss {
        warn_of_loss(conn, &filter);
    }
    drop(opened);
    // Nothing lost is the answer hoped for, not a failed search.
    if found == 0 && args.loss {
        eprintln!("<no loss recorded>");
        return Ok(Outcome::Success);
    }
    Ok(printer.outcome(found))
}

/// Prints events as the search asked, wherever they come from (a store,
/// the fleet).
pub(super) struct Printer<W: Write> {
    pub out: W,
    pub format: Format,
    options: output::Options,
    header_done: bool,
    line_buffered: bool,
    just_one: bool,
}

impl<W: Write> Printer<W> {
    pub fn new(args: &SearchArgs, out: W) -> anyhow::Result<Printer<W>> {
        let format = output_format(args)?;
        let extra = output::csv::Extra {
            keys: args.extra_keys,
            labels: args.extra_labels,
            obj2: args.extra_obj2,
            time: args.extra_time,
            context: args.extra_context,
        };
        if extra != output::csv::Extra::default() && format != Format::Csv {
            anyhow::bail!("--extra options requires format to be csv");
        }
        Ok(Printer {
            out,
            format,
            options: output::Options {
                escape: args.escape,
                extra,
                open: false,
            },
            header_done: false,
            line_buffered: args.line_buffered,
            just_one: args.just_one,
        })
    }

    /// Prints one event; false when the search should stop (--just-one).
    pub fn print(&mut self, stored: &store::query::Stored) -> anyhow::Result<bool> {
        let extras = crate::search::recorded(stored).filter(|_| self.format != Format::Default);
        if self.format == Format::Csv && !self.header_done {
            output::csv::header(&mut self.out, self.options.extra)?;
            self.header_done = true;
        }
        let options = output::Options {
            open: stored.open,
            ..self.options
        };
        output::print_event_with(
            &mut self.out,
            &stored.event,
            self.format,
            options,
            extras.as_deref(),
            &stored.context,
        )?;
        if self.line_buffered {
            self.out.flush()?;
        }
        Ok(!self.just_one)
    }

    /// How a search that found `found` events ends.
    pub fn outcome(&self, found: usize) -> Outcome {
        if found == 0 {
            // ausearch says nothing in raw form, so that its output stays a log.
            if self.format != Format::Raw {
                eprintln!("<no matches>");
            }
            return Outcome::NoMatch;
        }
        Outcome::Success
    }
}

/// `--tree PID`: the process tree of the matching events.
fn tree(
    conn: &rusqlite::Connection,
    db: &std::path::Path,
    filter: &store::query::Filter,
    pid: u32,
) -> anyhow::Result<Outcome> {
    let rows = store::processes::processes(conn, filter)
        .with_context(|| format!("reading {}", db.display()))?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let found = crate::search::tree::print(&mut out, &rows, i64::from(pid))?;
    out.flush()?;
    if !found {
        eprintln!("<no matches>");
        return Ok(Outcome::NoMatch);
    }
    Ok(Outcome::Success)
}

/// `--follow`: rounds of the follower until the output is closed.
fn follow<W: Write>(
    args: &SearchArgs,
    filter: store::query::Filter,
    printer: &mut Printer<W>,
    db: &std::path::Path,
) -> anyhow::Result<Outcome> {
    use crate::search::follow::{Follower, Start, POLL};
    let start = match (filter.after_position, filter.start_ms) {
        (Some(position), _) => Start::After(position),
        (None, Some(_)) => Start::All,
        (None, None) => Start::Now,
    };
    let mut follower = Follower::open(db, start)?;
    let mut saved = filter.after_position;
    loop {
        let round = follower.round(&filter, std::time::Instant::now(), |stored| {
            printer.print(&stored)
        })?;
        printer.out.flush()?;
        if round.replaced {
            eprintln!(
                "raudit search: {} was replaced; following the new database from its first event",
                db.display()
            );
        }
        if let Some(file) = &args.checkpoint {
            if saved != Some(follower.cursor()) {
                checkpoint::write(file, follower.cursor())?;
                saved = Some(follower.cursor());
            }
        }
        if output_closed() {
            return Ok(Outcome::Success);
        }
        std::thread::sleep(POLL);
    }
}

/// Whether whoever reads standard output has gone (a pipe's reader
/// exited): a quiet follower would otherwise only learn it at its next
/// event.
fn output_closed() -> bool {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::AsFd;
    let stdout = std::io::stdout();
    let mut fds = [PollFd::new(stdout.as_fd(), PollFlags::empty())];
    poll(&mut fds, PollTimeout::ZERO).is_ok()
        && fds[0]
            .revents()
            .is_some_and(|r| r.intersects(PollFlags::POLLERR | PollFlags::POLLHUP))
}

/// `--list-keys`: the stored keys, for the shell completion of `-k`.
fn list_keys(conn: &rusqlite::Connection, db: &std::path::Path) -> anyhow::Result<Outcome> {
    let keys = store::key_names(conn).with_context(|| format!("reading {}", db.display()))?;
    let mut out = std::io::stdout().lock();
    for key in keys {
        writeln!(out, "{key}")?;
    }
    Ok(Outcome::Success)
}

/// One line on stderr when the store recorded loss in the searched time
/// window (all of it without -ts/-te): the answer may lack events.
fn warn_of_loss(conn: &rusqlite::Connection, filter: &store::query::Filter) {
    let Ok(rows) = store::query::losses(conn, filter.start_ms, filter.end_ms) else {
        return;
    };
    if rows.is_empty() {
        return;
    }
    let mut kinds: Vec<(&str, u64)> = Vec::new();
    for r in &rows {
        match kinds.iter_mut().find(|(k, _)| *k == r.kind) {
            Some((_, n)) => *n += r.count,
            None => kinds.push((r.kind, r.count)),
        }
    }
    let total: u64 = kinds.iter().map(|(_, n)| n).sum();
    let detail: Vec<String> = kinds.iter().map(|(k, n)| format!("{k}={n}")).collect();
    eprintln!(
        "raudit search: warning: the store recorded loss in this time window, {total} missing ({}); raudit search --loss lists it",
        detail.join(" ")
    );
}
