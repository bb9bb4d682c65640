//! `raudit search`: ausearch's flags over the store.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::Outcome;
use crate::output::{self, Format};
use crate::record::types;
use crate::search::time::{self, Bound};
use crate::store::{self, query::Filter, DEFAULT_DB};

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Events with this key (any of an event's keys).
    #[arg(short = 'k', long = "key", value_name = "KEY")]
    pub keys: Vec<String>,
    /// Events that touched this file (PATH name or working directory).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<String>,
    /// Events holding a record of these types (names or numbers, comma lists).
    #[arg(short = 'm', long = "message", value_name = "TYPE[,TYPE]")]
    pub types: Vec<String>,
    /// Events of this process id.
    #[arg(short = 'p', long = "pid", value_name = "PID")]
    pub pids: Vec<i64>,
    /// The event with this serial number.
    #[arg(short = 'a', long = "event", value_name = "ID")]
    pub events: Vec<u64>,
    /// Start time (`-ts`): keyword, date and/or time.
    #[arg(long = "start", value_name = "DATE] [TIME", num_args = 1..=2)]
    pub start: Option<Vec<String>>,
    /// End time (`-te`): keyword, date and/or time.
    #[arg(long = "end", value_name = "DATE] [TIME", num_args = 1..=2)]
    pub end: Option<Vec<String>>,
    /// Output form.
    #[arg(long, value_enum, default_value = "default")]
    pub format: Format,
    /// Records as auditd writes them (same as --format raw).
    #[arg(short = 'r', long)]
    pub raw: bool,
    /// List recorded losses (kernel lost counter, serial gaps) instead of events.
    #[arg(long)]
    pub loss: bool,
    /// Database to read.
    #[arg(long, value_name = "PATH", default_value = DEFAULT_DB)]
    pub db: PathBuf,
}

/// ausearch's multi-letter single-dash flags, as clap long options.
pub const ALIASES: &[(&str, &str)] = &[("-ts", "--start"), ("-te", "--end")];

pub fn translate(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    args.into_iter()
        .map(
            |a| match ALIASES.iter().find(|(short, _)| a.to_str() == Some(short)) {
                Some((_, long)) => (*long).into(),
                None => a,
            },
        )
        .collect()
}

fn filter(args: &SearchArgs) -> anyhow::Result<Filter> {
    let now = chrono::Local::now();
    let mut types_wanted = Vec::new();
    for t in args.types.iter().flat_map(|t| t.split(',')) {
        let n =
            types::type_number(t).with_context(|| format!("unknown record type {t:?} for -m"))?;
        types_wanted.push(n);
    }
    Ok(Filter {
        keys: args.keys.clone(),
        files: args.files.clone(),
        types: types_wanted,
        pids: args.pids.clone(),
        serials: args.events.clone(),
        start_ms: args
            .start
            .as_deref()
            .map(|w| time::parse(w, Bound::Start, now))
            .transpose()?,
        end_ms: args
            .end
            .as_deref()
            .map(|w| time::parse(w, Bound::End, now))
            .transpose()?,
    })
}

pub fn run(args: SearchArgs) -> anyhow::Result<Outcome> {
    let filter = filter(&args)?;
    let conn = store::open_read_only(&args.db)?;
    let format = if args.raw { Format::Raw } else { args.format };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let found = if args.loss {
        let rows = store::query::losses(&conn, filter.start_ms, filter.end_ms)
            .with_context(|| format!("reading {}", args.db.display()))?;
        for row in &rows {
            output::print_loss(&mut out, row)?;
        }
        rows.len()
    } else {
        store::query::for_each_event(&conn, &filter, |event| -> anyhow::Result<bool> {
            output::print_event(&mut out, &event, format)?;
            Ok(true)
        })?
    };
    out.flush()?;
    if found == 0 {
        eprintln!("<no matches>");
        return Ok(Outcome::NoMatch);
    }
    Ok(Outcome::Success)
}
