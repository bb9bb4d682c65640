//! aureport: summaries and per-event listings of stored events, printed
//! byte for byte as aureport 3.0.9 prints them.
//!
//! aureport reads each event's records with ausearch's text scanner
//! ([`parse`]), drops the malformed ones and those `--failed`,
//! `--success`, `--node` or `-nc` rule out, then either prints one row
//! per event of interest (the detailed reports) or counts values into
//! lists printed at the end, most frequent first (`--summary` and the
//! overall summary). Which records make an event "of interest" for each
//! report is in [`scan`]; titles, rows and totals are in [`format`].

mod format;
pub mod indexed;
mod line;
mod logs;
mod lookup;
mod parse;
mod scan;
mod tally;

use std::io::{self, Write};

use crate::event::Event;
use crate::output::interpret::Recorded;
use crate::output::Escape;
use crate::record::types;

pub use format::{log_range_row, TimeRange};
pub use logs::{walk, LogTimes};
pub use parse::Wants;

/// The report asked for (one per run, as aureport allows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `-t`: each log's first and last event time.
    Time,
    /// No report option: the overall summary.
    Summary,
    Avc,
    Mac,
    Config,
    Event,
    File,
    Host,
    Login,
    AcctMod,
    Pid,
    Syscall,
    Term,
    User,
    Exe,
    Anomaly,
    Response,
    Crypto,
    Auth,
    Key,
    Tty,
    Comm,
    Virt,
    Integ,
}

/// One row per event, or sorted totals (`--summary`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Detailed,
    Summary,
}

/// `--failed` / `--success`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Only {
    #[default]
    Both,
    Failed,
    Success,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub kind: Kind,
    pub detail: Detail,
    pub only: Only,
    /// `-i`: names instead of numbers.
    pub interpret: bool,
    pub escape: Escape,
    /// `-nc`: leave CONFIG_CHANGE events out.
    pub no_config: bool,
    /// `--node`: only events from these nodes (exact names).
    pub nodes: Vec<String>,
    /// `-ts`/`-te` in seconds, as aureport compares them.
    pub start: Option<i64>,
    pub end: Option<i64>,
}

impl Config {
    /// Whether this report and detail exist: aureport has no summary of
    /// `-t` or `--tty` (it says "Unimplemented option" and exits 1).
    pub fn implemented(&self) -> bool {
        !(self.detail == Detail::Summary && matches!(self.kind, Kind::Time | Kind::Tty))
    }

    /// Whether an event at `sec` is inside `-ts`/`-te`.
    pub fn in_window(&self, sec: i64) -> bool {
        self.start.is_none_or(|s| sec >= s) && self.end.is_none_or(|e| sec <= e)
    }
}

/// A report being built: titles first, then events one at a time, then
/// the totals.
pub struct Report {
    config: Config,
    wants: Wants,
    line_item: u32,
    found: bool,
    totals: scan::Totals,
}

impl Report {
    pub fn new(config: Config) -> Report {
        let mut wants = config.kind.wants();
        wants.arch = config.interpret;
        Report {
            config,
            wants,
            line_item: 0,
            found: false,
            totals: scan::Totals::default(),
        }
    }

    /// The blank line and the report's title and column heads.
    pub fn title(&self, out: &mut impl Write) -> io::Result<()> {
        format::title(out, &self.config)
    }

    /// One event, with auditd's enrichment of its first record if the log
    /// was enriched.
    pub fn event(
        &mut self,
        out: &mut impl Write,
        event: &Event,
        head_enrichment: Option<&str>,
    ) -> io::Result<()> {
        self.events_alike(out, event, head_enrichment, 1)?;
        Ok(())
    }

    /// One event standing for `hits` events that give this report the
    /// same values (see [`indexed`]): a summary counts it `hits` times.
    /// `false` when the report skips it (malformed, or not selected).
    pub fn events_alike(
        &mut self,
        out: &mut impl Write,
        event: &Event,
        head_enrichment: Option<&str>,
        hits: u32,
    ) -> io::Result<bool> {
        let lines = log_lines(event);
        let recs = records(event, &lines);
        let Ok(items) = parse::extract(&recs, self.wants) else {
            return Ok(false);
        };
        if !self.selected(event, &items) {
            return Ok(false);
        }
        // auparse loads the enriched names only for a single-record event
        // or one that starts with its SYSCALL record.
        let head = event.records.first().map(|r| r.rtype);
        let recorded = head_enrichment
            .filter(|_| event.records.len() == 1 || head == Some(types::SYSCALL))
            .map(|e| Recorded::parse(e.as_bytes()));
        let ev = scan::Scanned {
            id: event.id,
            types: event.records.iter().map(|r| r.rtype.number()).collect(),
            head_line: recs.first().map(|r| r.line),
            items,
            lookup: lookup::Lookup {
                interpret: self.config.interpret,
                escape: self.config.escape,
                recorded: recorded.as_ref(),
            },
        };
        let counted = match self.config.detail {
            Detail::Summary => self.totals.add(self.config.kind, &ev, hits),
            Detail::Detailed => format::row(out, self.config.kind, &ev, &mut self.line_item)?,
        };
        self.found |= counted;
        Ok(true)
    }

    /// File names counted apart from their events (from the store's name
    /// index), for the overall summary's count of distinct files.
    pub fn file_names(&mut self, names: Vec<String>) {
        self.totals.add_file_names(names);
    }

    /// The file names of one event counted with others alike, as
    /// aureport reads them (a relative name joined to the CWD).
    pub fn file_names_of(&mut self, event: &Event) {
        let lines = log_lines(event);
        let recs = records(event, &lines);
        let wants = Wants {
            filename: true,
            ..Wants::default()
        };
        if let Ok(items) = parse::extract(&recs, wants) {
            if self.selected(event, &items) {
                self.totals.add_files(&items, 1);
            }
        }
    }

    /// The fields this report reads.
    pub fn wants(&self) -> Wants {
        self.wants
    }

    /// `--node`, `--failed`/`--success` and `-nc` (aureport's `scan`).
    fn selected(&self, event: &Event, items: &parse::Items) -> bool {
        if !self.config.nodes.is_empty() {
            match &event.node {
                Some(n) if self.config.nodes.iter().any(|want| want == n) => {}
                _ => return false,
            }
        }
        let success_ok = match self.config.only {
            Only::Both => true,
            Only::Failed => items.success == parse::FAILED,
            Only::Success => items.success == parse::SUCCESS,
        };
        let head = event.records.first().map(|r| r.rtype);
        success_ok && !(self.config.no_config && head == Some(types::CONFIG_CHANGE))
    }

    /// The totals of a summary report, or the line a detailed report
    /// prints when nothing matched. `false`: nothing was found (aureport
    /// exits 1).
    pub fn finish(&self, out: &mut impl Write, range: &TimeRange) -> io::Result<bool> {
        if self.config.detail == Detail::Detailed {
            if !self.found && self.config.kind != Kind::Time {
                out.write_all(b"<no events of interest were found>\n\n")?;
                return Ok(false);
            }
            return Ok(true);
        }
        format::wrap_up(out, &self.config, &self.totals, range)?;
        Ok(true)
    }
}

/// The records of an event as log lines, which aureport's scanner reads.
fn log_lines(event: &Event) -> Vec<String> {
    event.records.iter().map(|r| r.log_line()).collect()
}

fn records<'a>(event: &Event, lines: &'a [String]) -> Vec<parse::Rec<'a>> {
    event
        .records
        .iter()
        .zip(lines)
        .map(|(r, l)| parse::Rec {
            rtype: r.rtype,
            line: line::Line::new(l.as_bytes()),
        })
        .collect()
}

#[cfg(test)]
mod tests;
