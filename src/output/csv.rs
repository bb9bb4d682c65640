//! `ausearch --format csv`: one line per event of the normalized view, under
//! a header line, byte for byte as ausearch 3.0.9 prints them (its
//! `csv_event`). Values are not quoted: one holding a comma (a label such
//! as `s0-s0:c0,c1023`) spills into the next column, as in ausearch.

use std::io::{self, Write};

use chrono::{DateTime, Local, TimeZone};

use super::normalize::{self, AuEvent, Cursor, Normalized};
use super::{Enrichment, Escape};
use crate::enrich::Context;
use crate::event::Event;
use crate::output::interpret::FieldType;
use crate::record::types;

/// The optional columns (`--extra-keys`, `--extra-labels`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Extra {
    /// KEY: the rule's key, last.
    pub keys: bool,
    /// SUBJ_LABEL and OBJ_LABEL; also has the object's attributes
    /// collected, which changes the object of an AVC.
    pub labels: bool,
    /// OBJ2: a second object.
    pub obj2: bool,
    /// YEAR, MONTH, DAY, WEEKDAY, HOUR, MILLI, GMT_OFFSET.
    pub time: bool,
    /// UNIT, CONTAINER, ANCESTORS, UID_NAME, AUID_NAME, GID_NAME, last:
    /// the context the daemon stored with the event (not ausearch's).
    pub context: bool,
}

/// The header line, printed once before the first event.
pub fn header(out: &mut impl Write, extra: Extra) -> io::Result<()> {
    let on = |flag: bool, text: &'static str| if flag { text } else { "" };
    writeln!(
        out,
        "NODE,EVENT,DATE,TIME,{}SERIAL_NUM,EVENT_KIND,SESSION,SUBJ_PRIME,SUBJ_SEC,SUBJ_KIND,{}\
         ACTION,RESULT,OBJ_PRIME,OBJ_SEC,{}{}OBJ_KIND,HOW{}{}",
        on(extra.time, "YEAR,MONTH,DAY,WEEKDAY,HOUR,MILLI,GMT_OFFSET,"),
        on(extra.labels, "SUBJ_LABEL,"),
        on(extra.obj2, "OBJ2,"),
        on(extra.labels, "OBJ_LABEL,"),
        on(extra.keys, ",KEY"),
        on(
            extra.context,
            ",UNIT,CONTAINER,ANCESTORS,UID_NAME,AUID_NAME,GID_NAME"
        ),
    )
}

/// The lines of one event (auparse may make several events of it).
pub fn print(
    out: &mut impl Write,
    event: &Event,
    escape: Escape,
    enrichment: Enrichment<'_>,
    extra: Extra,
    context: &Context,
) -> io::Result<()> {
    let mut line = Vec::new();
    for au in AuEvent::split(event, enrichment, escape) {
        line.clear();
        au_event(&mut line, &au, extra);
        if extra.context {
            // au_event ends the line: the columns go before its newline.
            let end = line.pop();
            context_columns(&mut line, event, enrichment, context);
            line.extend(end);
        }
        out.write_all(&line)?;
    }
    Ok(())
}

/// The `--extra-context` columns. Ancestors are joined by `;`; values are
/// not quoted, as none of ausearch's are.
fn context_columns(
    out: &mut Vec<u8>,
    event: &Event,
    enrichment: Enrichment<'_>,
    context: &Context,
) {
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    let names = super::json::names(event, enrichment, context);
    let columns = [
        text(&context.unit),
        text(&context.container),
        context.ancestors.join(";"),
        text(&names[0]),
        text(&names[1]),
        text(&names[2]),
    ];
    for column in columns {
        out.push(b',');
        out.extend_from_slice(column.as_bytes());
    }
}

fn au_event(out: &mut Vec<u8>, event: &AuEvent, extra: Extra) {
    let mut au = Cursor::new(event);
    if event.node.is_some() {
        // ausearch prints the field under the cursor: the node.
        out.extend(au.interpret());
    }
    out.push(b',');
    if let Some(name) = event.records.first().and_then(|r| r.rtype.name()) {
        out.extend_from_slice(name.as_bytes());
    }
    out.push(b',');
    let normalized = normalize::normalize(&mut au, extra.labels);
    let time = Local.timestamp_opt(event.id.sec, 0).single();
    let put = |out: &mut Vec<u8>, text: String| {
        out.extend_from_slice(text.as_bytes());
        out.push(b',');
    };
    let fmt = |f: &str| time.map(|t| t.format(f).to_string()).unwrap_or_default();
    put(out, fmt("%m/%d/%y"));
    put(out, fmt("%H:%M:%S"));
    if extra.time {
        for f in ["%Y", "%m", "%d", "%u", "%k"] {
            put(out, fmt(f));
        }
        put(out, event.id.msec.to_string());
        put(out, time.map(gmt_offset).unwrap_or_default());
    }
    put(out, event.id.serial.to_string());
    match normalized {
        Some(n) => columns(out, &mut au, &n, extra),
        None => {
            // ausearch says "error normalizing" on stderr and prints an
            // empty frame (one column short, as it counts them).
            out.extend_from_slice(b",,,,,,,,,");
            if extra.labels {
                out.extend_from_slice(b",,");
            }
            if extra.keys {
                out.push(b',');
            }
        }
    }
    out.push(b'\n');
}

/// ausearch's offset: `+HH:MM`, where its minutes are the seconds past the
/// hour modulo 60 (0 for every whole-minute zone).
fn gmt_offset(t: DateTime<Local>) -> String {
    let offset = t.offset().local_minus_utc();
    let total = offset.unsigned_abs();
    let hour = total / 3600;
    let min = (total - hour * 3600) % 60;
    let sign = if offset >= 0 { '+' } else { '-' };
    format!("{sign}{hour:02}:{min:02}")
}

fn columns(out: &mut Vec<u8>, au: &mut Cursor<'_>, n: &Normalized, extra: Extra) {
    let field = |out: &mut Vec<u8>, au: &mut Cursor<'_>, loc| {
        if au.seek(loc) {
            out.extend(au.interpret());
        }
        out.push(b',');
    };
    out.extend_from_slice(n.kind.unwrap_or("unknown").as_bytes());
    out.push(b',');
    field(out, au, n.session);
    if au.seek(n.subject.primary) {
        out.extend(super::text::subject_name(au.interpret()));
    }
    out.push(b',');
    field(out, au, n.subject.secondary);
    out.extend_from_slice(n.subject.kind.unwrap_or("").as_bytes());
    out.push(b',');
    if extra.labels {
        out.extend(label(au, &n.subject.attrs, "subj"));
        out.push(b',');
    }
    let action = n.action.as_deref();
    out.extend_from_slice(action.unwrap_or(b"did-unknown"));
    out.push(b',');
    if au.seek(n.results) {
        let ok = super::text::succeeded(au);
        out.extend_from_slice(if ok { b"success" } else { b"failed" });
    }
    out.push(b',');
    if au.seek(n.object.primary) {
        out.extend(object(au, action));
    }
    out.push(b',');
    field(out, au, n.object.secondary);
    if extra.obj2 {
        if au.seek(n.object.two) {
            out.extend(file_or_value(au));
        }
        out.push(b',');
    }
    if extra.labels {
        out.extend(label(au, &n.object.attrs, "obj"));
        out.push(b',');
    }
    out.extend_from_slice(n.object.kind.name().as_bytes());
    out.push(b',');
    if let Some(how) = &n.how {
        out.extend_from_slice(how);
    }
    if extra.keys {
        out.push(b',');
        if au.seek(n.key) {
            out.extend(au.interpret());
        }
    }
}

/// The first attribute called `name`, looked for while the cursor
/// reaches the attributes.
fn label(au: &mut Cursor<'_>, attrs: &[normalize::Loc], name: &str) -> Vec<u8> {
    for &loc in attrs {
        if !au.seek(Some(loc)) {
            break;
        }
        if au.name() == Some(name) {
            return au.interpret();
        }
    }
    Vec::new()
}

/// A file name made absolute, or the value interpreted.
pub(super) fn file_or_value(au: &Cursor<'_>) -> Vec<u8> {
    if au.field_type() == FieldType::EscapedFile {
        au.realpath()
    } else {
        au.interpret()
    }
}

/// The primary object: a file made absolute; for an audit setting changed
/// (`op=set`), the setting's name rather than its value.
fn object(au: &Cursor<'_>, action: Option<&[u8]>) -> Vec<u8> {
    if au.field_type() == FieldType::EscapedFile {
        return au.realpath();
    }
    if au.rtype() == types::CONFIG_CHANGE && names_setting(action) {
        return au.name().unwrap_or_default().as_bytes().to_vec();
    }
    au.interpret()
}

/// Actions whose object is the name of the setting changed.
pub(super) fn names_setting(action: Option<&[u8]>) -> bool {
    matches!(action, Some(b"set" | b"seccomp-logging"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KERNEL: &str = include_str!("../../tests/data/kernel-6.18.log");

    fn line(extra: Extra, context: &Context) -> String {
        let (event, _) = crate::output::logged_event(KERNEL, 16);
        let mut out = Vec::new();
        print(&mut out, &event, Escape::default(), None, extra, context).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// `--extra-context` appends the stored context after every other
    /// column, and leaves ausearch's columns as they were.
    #[test]
    fn the_context_columns_come_last() {
        let context = Context {
            unit: Some("cron.service".into()),
            ancestors: vec!["/usr/sbin/cron".into(), "/sbin/init".into()],
            names: crate::enrich::accounts::Names {
                uid: Some("alice".into()),
                ..Default::default()
            },
            ..Context::default()
        };
        let plain = line(Extra::default(), &context);
        let extra = Extra {
            context: true,
            ..Extra::default()
        };
        let with = line(extra, &context);
        let ausearch = plain.strip_suffix('\n').unwrap();
        assert_eq!(
            with,
            format!("{ausearch},cron.service,,/usr/sbin/cron;/sbin/init,alice,unset,root\n")
        );
        let mut header = Vec::new();
        super::header(&mut header, extra).unwrap();
        let header = String::from_utf8(header).unwrap();
        assert!(
            header.ends_with(",HOW,UNIT,CONTAINER,ANCESTORS,UID_NAME,AUID_NAME,GID_NAME\n"),
            "{header}"
        );
    }
}
