//! Printing events: one printer per format, chosen by [`Format`].
//!
//! The default, raw, interpreted, csv and text forms are byte for byte
//! what `ausearch` 3.0.9 prints (in the C locale); `json` is raudit's own.

pub mod csv;
mod escape;
pub mod interpret;
pub mod json;
pub mod normalize;
mod text;

use std::io::{self, Write};

use chrono::{Local, TimeZone};

use crate::enrich::Context;
use crate::event::Event;
use crate::record::{types, MessageType};
pub use escape::Escape;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// As ausearch prints by default: `----`, `time->`, records newest-first.
    Default,
    /// Records as auditd writes them, in arrival order (`ausearch --raw`).
    Raw,
    /// Values interpreted, as `ausearch -i` prints them.
    Interpret,
    /// One JSON object per event per line, the schema versioned (see
    /// [`json`] and the manual).
    Json,
    /// ausearch's normalized view, one comma-separated line per event
    /// under a header: who did what to what, how, with what result.
    Csv,
    /// ausearch's normalized view as one English sentence per event.
    Text,
}

/// What a printer needs besides the event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    pub escape: Escape,
    /// The csv form's optional columns.
    pub extra: csv::Extra,
    /// The event is still open in the store: records may yet join it
    /// (JSON says `"complete": false`).
    pub open: bool,
}

/// What auditd's enriched log format wrote after each record's `\x1d`
/// separator (`None` for a record without one); `None` for an event that
/// did not come from an enriched log.
pub type Enrichment<'a> = Option<&'a [Option<String>]>;

pub fn print_event(out: &mut impl Write, event: &Event, format: Format) -> io::Result<()> {
    print_event_with(
        out,
        event,
        format,
        Options::default(),
        None,
        &Context::default(),
    )
}

pub fn print_event_with(
    out: &mut impl Write,
    event: &Event,
    format: Format,
    options: Options,
    enrichment: Enrichment<'_>,
    context: &Context,
) -> io::Result<()> {
    match format {
        Format::Default => default(out, event, options.escape),
        Format::Raw => raw(out, event, enrichment),
        Format::Interpret => interpreted(out, event, options.escape, enrichment),
        Format::Json => json::print(out, event, enrichment, !options.open, context),
        Format::Csv => csv::print(
            out,
            event,
            options.escape,
            enrichment,
            options.extra,
            context,
        ),
        Format::Text => text::print(out, event, options.escape, enrichment),
    }
}

/// Types 1200-1299 (auditd's own records): ausearch prints only the last
/// record of such an event, and does not escape it.
fn is_daemon_type(rtype: MessageType) -> bool {
    (types::DAEMON_START..types::SYSCALL).contains(&rtype)
}

/// ausearch's default form. It lists an event's records last-first, and
/// its `time->` line is ctime(3) in local time.
fn default(out: &mut impl Write, event: &Event, escape: Escape) -> io::Result<()> {
    writeln!(out, "----")?;
    let time = Local
        .timestamp_opt(event.id.sec, 0)
        .single()
        .map(|t| t.format("%a %b %e %H:%M:%S %Y").to_string())
        .unwrap_or_else(|| event.id.sec.to_string());
    writeln!(out, "time->{time}")?;
    let Some(last) = event.records.last() else {
        return Ok(());
    };
    if is_daemon_type(last.rtype) {
        return writeln!(out, "{}", last.log_line());
    }
    let mut line = Vec::new();
    for r in event.records.iter().rev() {
        line.clear();
        escape.push(&mut line, r.log_line().as_bytes());
        line.push(b'\n');
        out.write_all(&line)?;
    }
    Ok(())
}

/// The records as logged. Like ausearch, once one record of an event was
/// enriched, every record of it is printed with the separator.
fn raw(out: &mut impl Write, event: &Event, enrichment: Enrichment<'_>) -> io::Result<()> {
    let enriched = enrichment.is_some_and(|e| e.iter().any(Option::is_some));
    for (i, r) in event.records.iter().enumerate() {
        if enriched {
            let extra = enrichment.and_then(|e| e.get(i)).and_then(Option::as_deref);
            writeln!(out, "{}\x1d{}", r.log_line(), extra.unwrap_or(""))?;
        } else {
            writeln!(out, "{}", r.log_line())?;
        }
    }
    Ok(())
}

/// `ausearch -i`: `----`, then the records last-first, interpreted.
fn interpreted(
    out: &mut impl Write,
    event: &Event,
    escape: Escape,
    enrichment: Enrichment<'_>,
) -> io::Result<()> {
    let mut text = b"----\n".to_vec();
    let Some(last) = event.records.last() else {
        return out.write_all(&text);
    };
    let shown: Vec<usize> = if is_daemon_type(last.rtype) {
        vec![event.records.len() - 1]
    } else {
        (0..event.records.len()).rev().collect()
    };
    for i in shown {
        let recorded = enrichment
            .and_then(|e| e.get(i))
            .and_then(Option::as_deref)
            .filter(|e| !e.is_empty())
            .map(|e| interpret::Recorded::parse(e.as_bytes()));
        interpret::record(
            &mut text,
            event.id,
            &event.records[i],
            recorded.as_ref(),
            escape,
        );
    }
    out.write_all(&text)
}

/// The records of event `serial` in an auditd log's text, and what an
/// enriched log recorded for each: the events printers' tests print.
#[cfg(test)]
pub(crate) fn logged_event(log: &str, serial: u64) -> (Event, Vec<Option<String>>) {
    let mut records = Vec::new();
    let mut recorded = Vec::new();
    for line in log.lines() {
        let (raw, extra) = match line.split_once('\x1d') {
            Some((raw, extra)) => (raw, Some(extra.to_string())),
            None => (line, None),
        };
        let r = crate::record::parse_log_line(raw);
        if r.id.serial == serial && r.rtype != types::EOE {
            records.push(r);
            recorded.push(extra);
        }
    }
    let event = Event {
        id: records[0].id,
        node: records[0].node.clone(),
        records,
    };
    (event, recorded)
}
