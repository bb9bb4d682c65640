//! Printing events: one printer per format.

use std::io::{self, Write};

use chrono::{Local, TimeZone};
use serde_json::{json, Map, Value};

use crate::event::Event;
use crate::record::{decode_value, types, Record};
use crate::store::LossRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// As ausearch prints by default: `----`, `time->`, records newest-first.
    Default,
    /// Records as auditd writes them, in arrival order (`ausearch --raw`).
    Raw,
    /// One JSON object per event per line.
    Json,
}

pub fn print_event(out: &mut impl Write, event: &Event, format: Format) -> io::Result<()> {
    match format {
        Format::Default => default(out, event),
        Format::Raw => raw(out, event),
        Format::Json => {
            serde_json::to_writer(&mut *out, &event_json(event))?;
            writeln!(out)
        }
    }
}

/// ausearch's default form. It lists an event's records last-first, and
/// its `time->` line is ctime(3) in local time.
fn default(out: &mut impl Write, event: &Event) -> io::Result<()> {
    writeln!(out, "----")?;
    let time = Local
        .timestamp_opt(event.id.sec, 0)
        .single()
        .map(|t| t.format("%a %b %e %H:%M:%S %Y").to_string())
        .unwrap_or_else(|| event.id.sec.to_string());
    writeln!(out, "time->{time}")?;
    for r in event.records.iter().rev() {
        writeln!(out, "{}", r.log_line())?;
    }
    Ok(())
}

fn raw(out: &mut impl Write, event: &Event) -> io::Result<()> {
    for r in &event.records {
        writeln!(out, "{}", r.log_line())?;
    }
    Ok(())
}

fn record_json(r: &Record) -> Value {
    let mut fields = Map::new();
    for f in r.fields() {
        let v = decode_value(&f.name, &f.value).map_or(Value::Null, Value::String);
        fields.entry(f.name.clone()).or_insert(v);
    }
    let mut obj = json!({
        "type": types::type_name(r.rtype),
        "fields": fields,
        "raw": r.text,
    });
    if let Some(e) = r.error() {
        obj["parse_error"] = Value::String(e.to_string());
    }
    obj
}

/// The JSON form: `time` (RFC 3339, UTC), `sec`, `msec`, `serial`, `node`,
/// `keys`, and `records` each with `type`, decoded `fields` and `raw` text.
pub fn event_json(event: &Event) -> Value {
    let time = chrono::Utc
        .timestamp_millis_opt(event.id.time_ms())
        .single()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    json!({
        "time": time,
        "sec": event.id.sec,
        "msec": event.id.msec,
        "serial": event.id.serial,
        "node": event.node,
        "keys": crate::store::event_keys(event),
        "records": event.records.iter().map(record_json).collect::<Vec<_>>(),
    })
}

pub fn print_loss(out: &mut impl Write, loss: &LossRow) -> io::Result<()> {
    let time = Local
        .timestamp_millis_opt(loss.time_ms)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M:%S%.3f").to_string())
        .unwrap_or_default();
    writeln!(
        out,
        "{time} {} count={} {}",
        loss.kind, loss.count, loss.detail
    )
}
