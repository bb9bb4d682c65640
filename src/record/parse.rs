//! The pure record parser. It never fails: what does not parse is kept
//! verbatim with an error note, so a malformed record is stored, not lost.

use std::sync::OnceLock;

use super::{types, EventId, Field, Record};

/// Parses a record as the kernel sends it over netlink: the type comes from
/// the netlink header, the payload is `audit(SEC.MSEC:SERIAL): body`.
pub fn parse_payload(rtype: u32, payload: &[u8]) -> Record {
    // The kernel's text is ASCII (untrusted strings are hex-encoded); trailing
    // NULs and newlines are framing, not content.
    let text = String::from_utf8_lossy(payload);
    let text = text.trim_end_matches(['\0', '\n']).to_string();
    build(rtype, None, text)
}

/// Parses one line of an auditd log: `[node=N ]type=T msg=audit(...): body`.
/// Lines written in auditd's enriched format carry a `\x1d` separator before
/// the interpreted values; those are dropped, the raw part is kept.
pub fn parse_log_line(line: &str) -> Record {
    let line = line.trim_end_matches(['\n', '\r']);
    let line = line.split('\x1d').next().unwrap_or(line);
    let mut rest = line;
    let mut node = None;
    if let Some(after) = rest.strip_prefix("node=") {
        let (n, tail) = after.split_once(' ').unwrap_or((after, ""));
        node = Some(n.to_string());
        rest = tail;
    }
    let Some(after) = rest.strip_prefix("type=") else {
        return malformed(line, node, "record does not start with type=");
    };
    let (tname, tail) = after.split_once(' ').unwrap_or((after, ""));
    let Some(rtype) = types::type_number(tname) else {
        return malformed(line, node, &format!("unknown record type {tname:?}"));
    };
    let Some(text) = tail.strip_prefix("msg=") else {
        return malformed(line, node, "no msg= after the type");
    };
    build(rtype, node, text.to_string())
}

fn malformed(line: &str, node: Option<String>, why: &str) -> Record {
    Record {
        rtype: 0,
        id: EventId::default(),
        node,
        text: line.to_string(),
        header_error: Some(why.to_string()),
        parsed: OnceLock::new(),
    }
}

fn build(rtype: u32, node: Option<String>, text: String) -> Record {
    let (id, header_error) = match parse_header(&text) {
        Ok((id, _)) => (id, None),
        Err(e) => (EventId::default(), Some(e)),
    };
    Record {
        rtype,
        id,
        node,
        text,
        header_error,
        parsed: OnceLock::new(),
    }
}

/// The fields of a record's text (none when its header is bad).
pub(super) fn fields_of(text: &str) -> (Vec<Field>, Option<String>) {
    let mut fields = Vec::new();
    let error = visit_fields(text, |name, value| fields.push(field(name, value)));
    (fields, error)
}

/// Calls `each(name, raw value)` for every field of a record's text, in
/// order, borrowing from the text (nothing is allocated): the one
/// tokenizer behind [`Record::fields`] and the store's promoted columns.
/// Returns why the body did not parse to its end, if it did not; a bad
/// header yields no fields.
pub fn visit_fields<'a>(text: &'a str, mut each: impl FnMut(&'a str, &'a str)) -> Option<String> {
    match parse_header(text) {
        Ok((_, body)) => visit_body(body, &mut each).1,
        Err(_) => None,
    }
}

/// Splits a body into fields. Values are runs of non-space characters, or
/// quoted with `"` or `'`. A user record's `msg='...'` is parsed again and its
/// fields passed on in its place, since that is where its `op`, `exe` and
/// `res` live. Returns how many fields were passed on, and the error.
fn visit_body<'a>(
    body: &'a str,
    each: &mut impl FnMut(&'a str, &'a str),
) -> (usize, Option<String>) {
    let mut count = 0;
    let mut error = None;
    let mut rest = body.trim_start();
    while !rest.is_empty() {
        let (token, tail) = match next_token(rest) {
            Ok(t) => t,
            Err(e) => return (count, error.or(Some(e))),
        };
        rest = tail.trim_start();
        let Some((name, value)) = token.split_once('=') else {
            continue; // free text inside a user message
        };
        if name == "msg" && value.starts_with('\'') && value.len() >= 2 {
            let (inner, inner_err) = visit_body(&value[1..value.len() - 1], each);
            if inner == 0 {
                each(name, value);
                count += 1;
            }
            count += inner;
            error = error.or(inner_err);
        } else {
            each(name, value);
            count += 1;
        }
    }
    (count, error)
}

/// Splits `audit(1700000000.123:456): body` into the id and the body.
fn parse_header(text: &str) -> Result<(EventId, &str), String> {
    let inner = text
        .strip_prefix("audit(")
        .ok_or_else(|| format!("missing audit( header in {:?}", excerpt(text)))?;
    let close = inner
        .find(')')
        .ok_or_else(|| format!("unterminated audit( header in {:?}", excerpt(text)))?;
    let stamp = &inner[..close];
    let body = inner[close + 1..].trim_start_matches(':').trim_start();
    let bad = || format!("bad timestamp {stamp:?}");
    let (time, serial) = stamp.split_once(':').ok_or_else(bad)?;
    let (sec, msec) = time.split_once('.').ok_or_else(bad)?;
    let id = EventId {
        sec: sec.parse().map_err(|_| bad())?,
        msec: msec.parse().map_err(|_| bad())?,
        serial: serial.parse().map_err(|_| bad())?,
    };
    // The store's time axis is milliseconds in an i64: a stamp beyond it
    // (no kernel writes one, a damaged log may) is refused here, so that
    // `EventId::time_ms` cannot overflow for any parsed record.
    let fits = id.sec.checked_mul(1000).and_then(|ms| ms.checked_add(999));
    if id.msec > 999 || fits.is_none() {
        return Err(bad());
    }
    Ok((id, body))
}

fn excerpt(text: &str) -> &str {
    let end = text.char_indices().nth(40).map_or(text.len(), |(i, _)| i);
    &text[..end]
}

fn field(name: &str, value: &str) -> Field {
    Field {
        name: name.to_string(),
        value: value.to_string(),
    }
}

/// One `name=value` token; the value may be quoted and hold spaces.
fn next_token(s: &str) -> Result<(&str, &str), String> {
    let eq = s.find(['=', ' ']).unwrap_or(s.len());
    let value_start = eq + 1;
    if s.as_bytes().get(eq) == Some(&b'=') {
        if let Some(q @ (b'"' | b'\'')) = s.as_bytes().get(value_start).copied() {
            let close = s[value_start + 1..]
                .find(q as char)
                .ok_or_else(|| format!("unterminated quote in {:?}", excerpt(s)))?;
            let end = value_start + 1 + close + 1;
            return Ok((&s[..end], &s[end..]));
        }
    }
    let end = s.find(' ').unwrap_or(s.len());
    Ok((&s[..end], &s[end..]))
}

#[cfg(test)]
mod tests;
