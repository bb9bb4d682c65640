//! `ausearch --format text`: each event of the normalized view as an
//! English sentence, byte for byte as ausearch 3.0.9 prints it (its
//! `text_event`), trailing spaces included.

use std::io::{self, Write};

use chrono::{Local, TimeZone};

use super::normalize::{self, AuEvent, Cursor};
use super::{Enrichment, Escape};
use crate::event::Event;
use crate::output::interpret::FieldType;
use crate::record::{types, MessageType};

/// The sentences of one event (auparse may make several events of it).
pub fn print(
    out: &mut impl Write,
    event: &Event,
    escape: Escape,
    enrichment: Enrichment<'_>,
) -> io::Result<()> {
    let mut line = Vec::new();
    for au in AuEvent::split(event, enrichment, escape) {
        line.clear();
        sentence(&mut line, &au);
        out.write_all(&line)?;
    }
    Ok(())
}

fn sentence(out: &mut Vec<u8>, event: &AuEvent) {
    let time = Local
        .timestamp_opt(event.id.sec, 0)
        .single()
        .map_or_else(|| "?".into(), |t| t.format("%H:%M:%S %m/%d/%y").to_string());
    let first_type = event.records.first().map_or(MessageType(0), |r| r.rtype);
    let mut au = Cursor::new(event);
    let n = normalize::normalize(&mut au, false).unwrap_or_default();
    if event.node.is_some() {
        // ausearch prints the field under the cursor: the node.
        out.extend_from_slice(b"On ");
        out.extend(au.interpret());
        out.extend_from_slice(format!(" at {time} ").as_bytes());
    } else {
        out.extend_from_slice(format!("At {time} ").as_bytes());
    }
    let mut id = -2;
    if au.seek(n.subject.primary) {
        out.extend(subject_name(au.interpret()));
        id = au.int().unwrap_or(-1);
    }
    if au.seek(n.subject.secondary) {
        let uid = au.int().unwrap_or(-1);
        if uid != id && id != -2 && uid != -1 {
            out.extend_from_slice(b", acting as ");
            out.extend(au.interpret());
            out.push(b',');
        }
    }
    if au.seek(n.results) {
        let word: &[u8] = if succeeded(&au) {
            b" successfully "
        } else {
            b" unsuccessfully "
        };
        out.extend_from_slice(word);
    } else {
        out.push(b' ');
    }
    let action = n.action.as_deref();
    out.extend_from_slice(action.unwrap_or(b"did-unknown"));
    out.push(b' ');
    if au.seek(n.object.primary) {
        out.extend(object(&au, action, first_type));
        out.push(b' ');
    }
    if au.seek(n.object.two) {
        out.extend_from_slice(b"to ");
        out.extend(super::csv::file_or_value(&au));
        out.push(b' ');
    }
    if let (Some(how), Some(action)) = (&n.how, action) {
        // Not for ended-session.
        if action.first() != Some(&b'e') {
            out.extend_from_slice(b"using ");
            out.extend_from_slice(how);
        }
    }
    out.push(b'\n');
}

/// The object: a file made absolute, a socket's address (or family), the
/// name of an audit setting changed, else the value interpreted.
fn object(au: &Cursor<'_>, action: Option<&[u8]>, first_type: MessageType) -> Vec<u8> {
    let violated = action.is_some_and(|a| a.windows(8).any(|w| w == b"violated"));
    let text = match au.field_type() {
        FieldType::EscapedFile => Some(au.realpath()),
        FieldType::Sockaddr => sock_part(au, b"laddr=").or_else(|| sock_part(au, b"fam=")),
        _ if first_type == types::CONFIG_CHANGE && super::csv::names_setting(action) => {
            Some(au.name().unwrap_or_default().as_bytes().to_vec())
        }
        _ => None,
    };
    match text {
        Some(t) => t,
        None if violated => b"accessing ".to_vec(),
        None => au.interpret(),
    }
}

/// The word after `part` in a socket address's interpretation, if a space
/// follows it.
fn sock_part(au: &Cursor<'_>, part: &[u8]) -> Option<Vec<u8>> {
    let text = au.interpret();
    let at = text.windows(part.len()).position(|w| w == part)? + part.len();
    let len = text[at..].iter().position(|&b| b == b' ')?;
    Some(text[at..at + len].to_vec())
}

/// The subject as printed: `system` for an unset login uid.
pub(super) fn subject_name(name: Vec<u8>) -> Vec<u8> {
    if name == b"unset" {
        b"system".to_vec()
    } else {
        name
    }
}

/// Whether the result under the cursor says success.
pub(super) fn succeeded(au: &Cursor<'_>) -> bool {
    let item = au.interpret();
    item == b"yes"
        || item.starts_with(b"suc")
        || (au.field_type() == FieldType::Seccomp && item == b"allow")
}
