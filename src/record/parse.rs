//! The pure record parser. It never fails: what does not parse is kept
//! verbatim with an error note, so a malformed record is stored, not lost.

use std::sync::OnceLock;

use super::{EventId, MessageType, Record};

/// Parses a record as the kernel sends it over netlink: the type comes from
/// the netlink header, the payload is `audit(SEC.MSEC:SERIAL): body`.
pub fn parse_payload(rtype: MessageType, payload: &[u8]) -> Record {
    // The kernel's text is ASCII (untrusted strings are hex-encoded); trailing
    // NULs and newlines are framing, not content.
    let end = payload
        .iter()
        .rposition(|b| *b != 0 && *b != b'\n')
        .map_or(0, |i| i + 1);
    let payload = &payload[..end];
    let text = match std::str::from_utf8(payload) {
        Ok(t) => t.to_string(),
        Err(_) => String::from_utf8_lossy(payload).into_owned(),
    };
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
    let Some(rtype) = MessageType::parse(tname) else {
        return malformed(line, node, &format!("unknown record type {tname:?}"));
    };
    let Some(text) = tail.strip_prefix("msg=") else {
        return malformed(line, node, "no msg= after the type");
    };
    build(rtype, node, text.to_string())
}

fn malformed(line: &str, node: Option<String>, why: &str) -> Record {
    Record {
        rtype: MessageType::default(),
        id: EventId::default(),
        node,
        body_at: line.len(),
        text: line.to_string(),
        header_error: Some(why.to_string()),
        parsed: OnceLock::new(),
    }
}

fn build(rtype: MessageType, node: Option<String>, text: String) -> Record {
    let (id, header_error, body_at) = match parse_header(&text) {
        Ok((id, body)) => (id, None, text.len() - body.len()),
        Err(e) => (EventId::default(), Some(e), text.len()),
    };
    Record {
        rtype,
        id,
        node,
        text,
        header_error,
        body_at,
        parsed: OnceLock::new(),
    }
}

/// Calls `each(name, raw value)` for every field of a record's text, in
/// order, borrowing from the text (nothing is allocated): the one
/// tokenizer behind [`Record::fields`] and the store's promoted columns.
/// Returns why the body did not parse to its end, if it did not; a bad
/// header yields no fields.
pub fn visit_fields<'a>(text: &'a str, each: impl FnMut(&'a str, &'a str)) -> Option<String> {
    match parse_header(text) {
        Ok((_, body)) => visit_body_of(body, each),
        Err(_) => None,
    }
}

/// As [`visit_fields`], for the text after the stamp.
pub(super) fn visit_body_of<'a>(
    body: &'a str,
    mut each: impl FnMut(&'a str, &'a str),
) -> Option<String> {
    visit_body(body, &mut each).1
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
    let mut rest = trim_spaces(body);
    while !rest.is_empty() {
        let (field, tail) = match next_token(rest) {
            Ok(t) => t,
            Err(e) => return (count, error.or(Some(e))),
        };
        rest = trim_spaces(tail);
        let Some((name, value)) = field else {
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
    let (id, close) = match stamp_digits(inner.as_bytes()) {
        Some(fast) => fast,
        None => {
            let close = inner
                .find(')')
                .ok_or_else(|| format!("unterminated audit( header in {:?}", excerpt(text)))?;
            (parse_stamp(&inner[..close])?, close)
        }
    };
    let body = inner[close + 1..].trim_start_matches(':').trim_start();
    // The store's time axis is milliseconds in an i64: a stamp beyond it
    // (no kernel writes one, a damaged log may) is refused here, so that
    // `EventId::time_ms` cannot overflow for any parsed record.
    let fits = id.sec.checked_mul(1000).and_then(|ms| ms.checked_add(999));
    if id.msec > 999 || fits.is_none() {
        return Err(format!("bad timestamp {:?}", &inner[..close]));
    }
    Ok((id, body))
}

/// The stamp as the kernel writes it, `SEC.MSEC:SERIAL)`, read in one pass
/// (the general path below cost 900 instructions a record): the id and
/// where the `)` is. `None` for anything else (signs, too many digits, a
/// missing part), which [`parse_stamp`] then reads or refuses; the digit
/// limits keep every value inside its type, so both paths agree.
fn stamp_digits(b: &[u8]) -> Option<(EventId, usize)> {
    let (sec, at) = digits(b, 0, 18)?;
    let (msec, at) = digits(b, expect(b, at, b'.')?, 9)?;
    let (serial, at) = digits(b, expect(b, at, b':')?, 19)?;
    expect(b, at, b')')?;
    let id = EventId {
        sec: sec as i64,
        msec: msec as u32,
        serial,
    };
    Some((id, at))
}

/// The index after `byte` if it is at `at`.
fn expect(b: &[u8], at: usize, byte: u8) -> Option<usize> {
    (b.get(at) == Some(&byte)).then_some(at + 1)
}

/// A run of 1 to `max` ASCII digits from `at`: its value and where it ends.
fn digits(b: &[u8], at: usize, max: usize) -> Option<(u64, usize)> {
    let mut value = 0u64;
    let mut end = at;
    while let Some(d) = b.get(end).filter(|c| c.is_ascii_digit()) {
        if end - at == max {
            return None;
        }
        value = value * 10 + u64::from(d - b'0');
        end += 1;
    }
    (end > at).then_some((value, end))
}

/// `SEC.MSEC:SERIAL` however written (a sign, leading zeros).
fn parse_stamp(stamp: &str) -> Result<EventId, String> {
    let bad = || format!("bad timestamp {stamp:?}");
    let (time, serial) = stamp.split_once(':').ok_or_else(bad)?;
    let (sec, msec) = time.split_once('.').ok_or_else(bad)?;
    Ok(EventId {
        sec: sec.parse().map_err(|_| bad())?,
        msec: msec.parse().map_err(|_| bad())?,
        serial: serial.parse().map_err(|_| bad())?,
    })
}

fn excerpt(text: &str) -> &str {
    let end = text.char_indices().nth(40).map_or(text.len(), |(i, _)| i);
    &text[..end]
}

/// `s` without its leading ASCII whitespace (the kernel separates fields
/// with single spaces; a Unicode-aware trim costs more than the tokens).
fn trim_spaces(s: &str) -> &str {
    s.trim_start_matches(|c: char| c.is_ascii_whitespace())
}

/// One token: `name=value` (the value may be quoted and hold spaces), or
/// a word without `=` (free text in a user message: `None`); and what
/// follows it. Scans bytes: every delimiter is ASCII, so each cut is on a
/// character boundary.
type Token<'a> = (Option<(&'a str, &'a str)>, &'a str);

fn next_token(s: &str) -> Result<Token<'_>, String> {
    let b = s.as_bytes();
    let Some(eq) = find_either(b, b'=', b' ') else {
        return Ok((None, ""));
    };
    if b[eq] == b' ' {
        return Ok((None, &s[eq..]));
    }
    let start = eq + 1;
    let end = match b.get(start).copied() {
        Some(q @ (b'"' | b'\'')) => {
            let close = find_either(&b[start + 1..], q, q)
                .ok_or_else(|| format!("unterminated quote in {:?}", excerpt(s)))?;
            start + 1 + close + 1
        }
        _ => find_either(&b[start..], b' ', b' ').map_or(b.len(), |i| start + i),
    };
    Ok((Some((&s[..eq], &s[start..end])), &s[end..]))
}

/// The first index of `x` or `y` in `b`, eight bytes at a time: a byte at
/// a time, finding field delimiters was the tokenizer's whole cost.
fn find_either(b: &[u8], x: u8, y: u8) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    let (xs, ys) = (ONES * u64::from(x), ONES * u64::from(y));
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("a chunk of 8"));
        let hits = zero_bytes(word ^ xs) | zero_bytes(word ^ ys);
        if hits != 0 {
            return Some(at + hits.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    let rest = chunks.remainder().iter().position(|c| *c == x || *c == y);
    rest.map(|i| at + i)
}

/// The high bit of each zero byte of `v`. A set bit can be wrong only
/// above a true zero byte (a borrow carries into it), so the lowest set bit
/// is always the first zero byte: all [`find_either`] reads.
fn zero_bytes(v: u64) -> u64 {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    v.wrapping_sub(ONES) & !v & HIGH
}

#[cfg(test)]
mod tests;
