//! `raudit report`: aureport's reports over the store, or over auditd
//! logs (`-if`), printed as aureport 3.0.9 prints them.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{ArgAction, ArgGroup, Args};

use super::Outcome;
use crate::import::{log_files, Source};
use crate::output::Escape;
use crate::report::{self, Config, Detail, Kind, Only, Report, TimeRange};
use crate::search::input::{stdin_is_pipe, Input};
use crate::search::time::{self, Bound};
use crate::search::Opened;
use crate::store::{self, query::Filter};

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("report").multiple(false)))]
pub struct ReportArgs {
    /// AVC report.
    #[arg(short = 'a', long, group = "report")]
    pub avc: bool,
    /// Authentication report (`-au`).
    #[arg(long, group = "report")]
    pub auth: bool,
    /// Commands run report.
    #[arg(long, group = "report")]
    pub comm: bool,
    /// Config change report.
    #[arg(short = 'c', long, group = "report")]
    pub config: bool,
    /// Crypto report (`-cr`).
    #[arg(long, group = "report")]
    pub crypto: bool,
    /// Event report.
    #[arg(short = 'e', long, group = "report")]
    pub event: bool,
    /// File name report.
    #[arg(short = 'f', long, group = "report")]
    pub file: bool,
    /// Remote host name report.
    #[arg(short = 'h', long, group = "report")]
    pub host: bool,
    /// Integrity event report.
    #[arg(long, group = "report")]
    pub integrity: bool,
    /// Key report.
    #[arg(short = 'k', long, group = "report")]
    pub key: bool,
    /// Login report.
    #[arg(short = 'l', long, group = "report")]
    pub login: bool,
    /// Log time range report: the first and last event of each log, or of
    /// the database.
    #[arg(short = 't', long, group = "report")]
    pub log: bool,
    /// Modifications to accounts report.
    #[arg(short = 'm', long, group = "report")]
    pub mods: bool,
    /// Mandatory Access Control (MAC) report (`-ma`).
    #[arg(long, group = "report")]
    pub mac: bool,
    /// Anomaly report.
    #[arg(short = 'n', long, group = "report")]
    pub anomaly: bool,
    /// Process id report.
    #[arg(short = 'p', long, group = "report")]
    pub pid: bool,
    /// Response to anomaly report.
    #[arg(short = 'r', long, group = "report")]
    pub response: bool,
    /// System call report.
    #[arg(short = 's', long, group = "report")]
    pub syscall: bool,
    /// Terminal name report (`-tm`).
    #[arg(long, group = "report")]
    pub terminal: bool,
    /// TTY keystrokes report.
    #[arg(long, group = "report")]
    pub tty: bool,
    /// User id report.
    #[arg(short = 'u', long, group = "report")]
    pub user: bool,
    /// Virtualization report.
    #[arg(long, group = "report")]
    pub virt: bool,
    /// Executable name report.
    #[arg(short = 'x', long, group = "report")]
    pub executable: bool,
    /// Sorted totals of the report's main object instead of one row per
    /// event.
    #[arg(long)]
    pub summary: bool,
    /// Only failed events.
    #[arg(long, conflicts_with = "success")]
    pub failed: bool,
    /// Only successful events.
    #[arg(long)]
    pub success: bool,
    /// Names instead of numbers (uids, syscalls, record types).
    #[arg(short = 'i', long)]
    pub interpret: bool,
    /// How text with control or shell characters is escaped.
    #[arg(long, value_enum, default_value = "tty")]
    pub escape: Escape,
    /// Leave out CONFIG_CHANGE events (`-nc`).
    #[arg(long)]
    pub no_config: bool,
    /// Only events from this node (repeatable).
    #[arg(long, value_name = "NODE")]
    pub node: Vec<String>,
    /// Start time (`-ts`): as `raudit search -ts`.
    #[arg(long = "start", value_name = "DATE] [TIME", num_args = 1..=2)]
    pub start: Option<Vec<String>>,
    /// End time (`-te`).
    #[arg(long = "end", value_name = "DATE] [TIME", num_args = 1..=2)]
    pub end: Option<Vec<String>>,
    /// Report on an auditd log file, or a directory's audit.log and its
    /// rotations, instead of the database (`-if`); `-` reads standard input.
    #[arg(long, value_name = "FILE|DIR", conflicts_with = "db")]
    pub input: Option<PathBuf>,
    /// Read the database even when standard input is a pipe (for the
    /// `aureport` name, which otherwise reads a piped log).
    #[arg(long)]
    pub input_logs: bool,
    /// Accepted for aureport's sake; malformed events are skipped quietly.
    #[arg(long)]
    pub debug: bool,
    /// Print the version.
    #[arg(short = 'v', long)]
    pub version: bool,
    /// Print help.
    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,
    /// Database to read [default: $RAUDIT_DB, else log_file of raudit.conf,
    /// else /var/lib/raudit/audit.db].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

/// aureport's multi-letter single-dash options, as clap long options.
pub const ALIASES: &[(&str, &str)] = &[
    ("-au", "--auth"),
    ("-cr", "--crypto"),
    ("-if", "--input"),
    ("-ma", "--mac"),
    ("-nc", "--no-config"),
    ("-te", "--end"),
    ("-tm", "--terminal"),
    ("-ts", "--start"),
];

impl ReportArgs {
    fn kind(&self) -> Kind {
        let chosen = [
            (self.avc, Kind::Avc),
            (self.auth, Kind::Auth),
            (self.comm, Kind::Comm),
            (self.config, Kind::Config),
            (self.crypto, Kind::Crypto),
            (self.event, Kind::Event),
            (self.file, Kind::File),
            (self.host, Kind::Host),
            (self.integrity, Kind::Integ),
            (self.key, Kind::Key),
            (self.login, Kind::Login),
            (self.log, Kind::Time),
            (self.mods, Kind::AcctMod),
            (self.mac, Kind::Mac),
            (self.anomaly, Kind::Anomaly),
            (self.pid, Kind::Pid),
            (self.response, Kind::Response),
            (self.syscall, Kind::Syscall),
            (self.terminal, Kind::Term),
            (self.tty, Kind::Tty),
            (self.user, Kind::User),
            (self.virt, Kind::Virt),
            (self.executable, Kind::Exe),
        ];
        chosen
            .iter()
            .find(|(on, _)| *on)
            .map_or(Kind::Summary, |(_, k)| *k)
    }

    fn to_config(&self) -> anyhow::Result<Config> {
        let kind = self.kind();
        let clock = time::Clock::system()?;
        // aureport compares whole seconds.
        let seconds = |words: &Option<Vec<String>>, bound| -> anyhow::Result<Option<i64>> {
            Ok(words
                .as_deref()
                .map(|w| time::parse(w, bound, &clock))
                .transpose()?
                .map(|ms| ms.div_euclid(1000)))
        };
        Ok(Config {
            kind,
            detail: if self.summary || kind == Kind::Summary {
                Detail::Summary
            } else {
                Detail::Detailed
            },
            only: match (self.failed, self.success) {
                (true, _) => Only::Failed,
                (_, true) => Only::Success,
                _ => Only::Both,
            },
            interpret: self.interpret,
            escape: self.escape,
            no_config: self.no_config,
            nodes: self.node.clone(),
            start: seconds(&self.start, Bound::Start)?,
            end: seconds(&self.end, Bound::End)?,
        })
    }
}

pub fn run(args: ReportArgs) -> anyhow::Result<Outcome> {
    if args.version {
        println!("raudit {}", env!("CARGO_PKG_VERSION"));
        return Ok(Outcome::Success);
    }
    let config = args.to_config()?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let report = Report::new(config.clone());
    if !config.implemented() {
        report.title(&mut out)?;
        out.flush()?;
        eprintln!("Unimplemented option");
        return Ok(Outcome::Exit(1));
    }
    let no_pipe = args.db.is_some() || args.input_logs;
    if config.kind == Kind::Time {
        log_times(&mut out, &report, &args, &config, no_pipe)?;
        out.flush()?;
        return Ok(Outcome::Success);
    }
    // The summary's first time is that of the first record in the files,
    // which only a walk over them knows (the database keeps events).
    let files: Option<Vec<Source>> = logs(&args, no_pipe)
        .map(|l| l.into_iter().map(|(_, s)| s).collect::<Vec<_>>())
        .filter(|s| s.iter().all(|s| matches!(s, Source::File(_))));
    let walked = match files {
        Some(files) if config.kind == Kind::Summary => Some(walk_logs(files, &config)?),
        _ => None,
    };
    let input = Input::choose(
        args.input.as_deref(),
        false,
        !no_pipe && super::reads_pipe(),
    )?;
    // Opened before the title: a database that cannot be read leaves no
    // report header behind its error.
    let opened = Opened::open(input, args.db.as_deref())?;
    let at = (&opened.conn, opened.db.as_path());
    let found = if !opened.is_imported() && config.detail == Detail::Summary {
        summary_by_index(&mut out, report, &config, at)?
    } else {
        over_database(&mut out, report, &config, at, walked)?
    };
    out.flush()?;
    drop(opened);
    Ok(if found {
        Outcome::Success
    } else {
        Outcome::NoMatch
    })
}

/// The events of `-ts`/`-te`, as aureport keeps them: whole seconds.
fn window_filter(config: &Config) -> Filter {
    Filter {
        start_ms: config.start.map(|s| s * 1000),
        end_ms: config.end.map(|e| e * 1000 + 999),
        ..Filter::default()
    }
}

/// Runs a report over every event of a database; `false` when a detailed
/// report found nothing. The title waits for the first event (or the
/// end), so that a database failing on its first read prints no header.
fn over_database(
    out: &mut impl Write,
    mut report: Report,
    config: &Config,
    (conn, db): (&rusqlite::Connection, &Path),
    walked: Option<report::LogTimes>,
) -> anyhow::Result<bool> {
    let mut titled = false;
    store::query::for_each_stored(
        conn,
        &window_filter(config),
        |stored| -> anyhow::Result<bool> {
            if !std::mem::replace(&mut titled, true) {
                report.title(out)?;
            }
            let head = head_enrichment(&stored, config);
            report.event(out, &stored.event, head.as_deref())?;
            Ok(true)
        },
    )
    .with_context(|| format!("reading {}", db.display()))?;
    let range = match walked {
        Some(times) => times.summary_range(),
        None => database_range(conn, config)?,
    };
    if !titled {
        report.title(out)?;
    }
    Ok(report.finish(out, &range)?)
}

/// With `-i`, the interpreted text auditd recorded with an imported event's
/// first record (ENRICHED logs), which names its ids as that machine did.
fn head_enrichment(stored: &store::query::Stored, config: &Config) -> Option<String> {
    let recorded = crate::search::recorded(stored).filter(|_| config.interpret)?;
    recorded.into_iter().next().flatten()
}

/// A summary over a database, from its indexes: events alike are counted
/// from the shape index, and only the others are read (see
/// [`report::indexed`]).
fn summary_by_index(
    out: &mut impl Write,
    mut report: Report,
    config: &Config,
    (conn, db): (&rusqlite::Connection, &Path),
) -> anyhow::Result<bool> {
    let reading = || format!("reading {}", db.display());
    let filter = window_filter(config);
    let window = (filter.start_ms, filter.end_ms);
    let columns = report::indexed::columns(config.kind, report.wants());
    let shapes =
        store::query::shape_counts(conn, window, (&columns.0, &columns.1)).with_context(reading)?;
    // Names auditd recorded with an imported event are the event's own.
    let recorded_names = config.interpret
        && matches!(config.kind, Kind::User | Kind::Syscall)
        && store::query::has_enrichment(conn).with_context(reading)?;
    let plan = report::indexed::Plan::new(config.kind, report.wants(), &shapes, !recorded_names);
    report.title(out)?;
    let mut counted = Vec::new();
    store::query::for_each_chosen(
        conn,
        (&plan.firsts(), &plan.each),
        window,
        |stored| -> anyhow::Result<bool> {
            let head = head_enrichment(&stored, config);
            let hits = plan.hits(stored.position);
            if report.events_alike(out, &stored.event, head.as_deref(), hits)? {
                counted.push(stored.position);
            }
            Ok(true)
        },
    )
    .with_context(reading)?;
    let named = plan.named_shapes(&counted);
    if !named.is_empty() {
        // Without a selection every event counts: every name stored is
        // one of the events counted (those read one by one add theirs
        // again, to no effect on the count).
        let everything = config.only == Only::Both
            && config.nodes.is_empty()
            && !config.no_config
            && window == (None, None);
        let shapes = (!everything).then_some(&named[..]);
        let (names, relative) =
            store::query::path_names(conn, shapes, window).with_context(reading)?;
        report.file_names(names);
        store::query::for_each_chosen(conn, (&relative, &[]), window, |stored| {
            report.file_names_of(&stored.event);
            Ok::<_, rusqlite::Error>(true)
        })
        .with_context(reading)?;
    }
    let range = database_range(conn, config)?;
    Ok(report.finish(out, &range)?)
}

/// The time range a summary over a database states: the first record
/// aureport would remember (see [`first_read`]) and the last event read in
/// `-ts`/`-te`, reading the logs oldest first whatever order they were
/// imported in.
fn database_range(conn: &rusqlite::Connection, config: &Config) -> anyhow::Result<TimeRange> {
    let filter = window_filter(config);
    let bounds = store::imports::time_bounds(conn, filter.start_ms, filter.end_ms)?;
    Ok(TimeRange {
        first: first_read(conn, config)?,
        last: bounds.map(|(_, last)| split_ms(last)),
    })
}

/// Over the database, the record aureport reads first and remembers for
/// "Range of time in logs" (see [`store::imports`]).
fn first_read(conn: &rusqlite::Connection, config: &Config) -> anyhow::Result<Option<(i64, u32)>> {
    let outside = config
        .start
        .map(|s| (s * 1000, config.end.map_or(i64::MAX, |e| e * 1000 + 999)));
    let ms = store::imports::first_read(conn, outside)?;
    Ok(ms.map(split_ms))
}

fn split_ms(ms: i64) -> (i64, u32) {
    (ms.div_euclid(1000), ms.rem_euclid(1000) as u32)
}

/// The logs `-if` names (or piped standard input), each with the name
/// aureport gives it; `None`: the database.
fn logs(args: &ReportArgs, no_pipe: bool) -> Option<Vec<(String, Source)>> {
    match &args.input {
        Some(p) if p.as_os_str() == "-" => Some(vec![("stdin".into(), Source::Stdin)]),
        Some(p) => Some(
            log_files(p)
                .into_iter()
                .map(|f| (f.display().to_string(), Source::File(f)))
                .collect(),
        ),
        None if !no_pipe && super::reads_pipe() && stdin_is_pipe() => {
            Some(vec![("stdin".into(), Source::Stdin)])
        }
        None => None,
    }
}

/// Walks the logs as aureport does, for the times that depend on it.
fn walk_logs(logs: Vec<Source>, config: &Config) -> anyhow::Result<report::LogTimes> {
    let readers = logs
        .into_iter()
        .map(|s| match s {
            Source::Stdin => Ok(Box::new(std::io::stdin().lock()) as Box<dyn std::io::BufRead>),
            Source::File(path) => std::fs::File::open(&path)
                .map(|f| Box::new(std::io::BufReader::new(f)) as Box<dyn std::io::BufRead>)
                .with_context(|| format!("Error opening {}", path.display())),
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(report::walk(readers, (config.start, config.end))?)
}

/// `-t`: one line per log, or one for the database, which has no files.
/// The title follows the reading, as in [`over_database`].
fn log_times(
    out: &mut impl Write,
    report: &Report,
    args: &ReportArgs,
    config: &Config,
    no_pipe: bool,
) -> anyhow::Result<()> {
    let Some(logs) = logs(args, no_pipe) else {
        let db = crate::search::database(None, args.db.as_deref());
        let range = time_range(&db, config)?;
        report.title(out)?;
        return Ok(report::log_range_row(
            out,
            &db.display().to_string(),
            &range,
        )?);
    };
    if args.input.as_deref().is_some_and(Path::is_dir) {
        let dir = args.input.as_deref().unwrap_or(Path::new("."));
        eprintln!("NOTE - using logs in {}", dir.join("audit.log").display());
    }
    let (names, sources): (Vec<String>, Vec<Source>) = logs.into_iter().unzip();
    let times = walk_logs(sources, config)?;
    report.title(out)?;
    for (name, range) in names.iter().zip(&times.files) {
        report::log_range_row(out, name, range)?;
    }
    Ok(())
}

/// The first and last events of a database inside `-ts`/`-te`.
fn time_range(db: &Path, config: &Config) -> anyhow::Result<TimeRange> {
    let conn = store::open_read_only(db)?;
    let filter = window_filter(config);
    let bounds = store::imports::time_bounds(&conn, filter.start_ms, filter.end_ms)
        .with_context(|| format!("reading {}", db.display()))?;
    Ok(TimeRange {
        first: bounds.map(|(first, _)| split_ms(first)),
        last: bounds.map(|(_, last)| split_ms(last)),
    })
}
