//! Event bodies: every record's text, one `TYPE text` line per record, kept
//! verbatim but stored compressed. Audit records repeat most of their text
//! (field names, the same exe, cwd and paths), so the daemon trains a zstd
//! dictionary on the first bodies it stores and compresses each body alone
//! with it: any event still reads back by itself, in microseconds.
//!
//! A body is stored as the text (before a dictionary exists, or when the
//! codec fails) or as a zstd frame with the id of its dictionary in
//! `body_dict`. An event whose records arrived in several pieces keeps the
//! first piece in its row and the others in `body_more`, each encoded alone.
//!
//! Encoding needs no database: it runs beside the writer (on the daemon's
//! assembler thread), and a newly trained dictionary travels to the writer
//! with the first rows that use it.

use std::collections::HashMap;

use rusqlite::types::{ToSqlOutput, Type, ValueRef};
use rusqlite::Connection;

use crate::record::Record;

/// zstd's level. With a trained dictionary, level 1 compresses audit
/// records almost as well as the default (3) in half the time.
const LEVEL: i32 = 1;
/// A dictionary's largest size.
const DICT_BYTES: usize = 16 * 1024;
/// Bytes of bodies sampled before a dictionary is trained. zstd advises
/// about a hundred times the dictionary's size; a quarter of that already
/// gives most of the gain (on 50,000 open() events: 10.6x against 11.0x)
/// and starts compressing four times sooner.
const SAMPLE_BYTES: usize = 25 * DICT_BYTES;
/// No body is larger (the kernel's records are at most 8 KiB each, and an
/// event's records are capped).
const MAX_BODY: usize = 64 << 20;

/// Records as the store keeps them: one `TYPE text` per line.
pub fn body_text(records: &[Record]) -> String {
    let mut body = String::with_capacity(records.iter().map(|r| r.text.len() + 6).sum());
    for r in records {
        append_line(&mut body, r);
    }
    body
}

fn append_line(body: &mut String, r: &Record) {
    push_decimal(body, r.rtype.number());
    body.push(' ');
    body.push_str(&r.text);
    body.push('\n');
}

/// `write!(body, "{n}")` without the formatting machinery, which cost a
/// fifth of building a body.
fn push_decimal(out: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

/// A body as stored: the text, or a zstd frame and its dictionary's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    Text(String),
    Frame { bytes: Vec<u8>, dict: i64 },
}

impl Stored {
    pub fn len(&self) -> usize {
        match self {
            Stored::Text(t) => t.len(),
            Stored::Frame { bytes, .. } => bytes.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The SQL value and dictionary id to bind.
    pub fn sql(&self) -> (ToSqlOutput<'_>, Option<i64>) {
        match self {
            Stored::Text(t) => (ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())), None),
            Stored::Frame { bytes, dict } => {
                (ToSqlOutput::Borrowed(ValueRef::Blob(bytes)), Some(*dict))
            }
        }
    }
}

/// A dictionary trained by the encoder, to be stored before the first row
/// that uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDict {
    pub id: i64,
    pub bytes: Vec<u8>,
}

struct Dictionary {
    id: i64,
    compressor: zstd::bulk::Compressor<'static>,
}

/// A compressor for one dictionary. Frames carry no dictionary id (the row
/// names it) and no checksum (SQLite checks its pages): 8 bytes less per
/// event, and less work.
fn compressor(dict: &[u8]) -> Option<zstd::bulk::Compressor<'static>> {
    use zstd::zstd_safe::CParameter;
    let mut c = zstd::bulk::Compressor::with_dictionary(LEVEL, dict).ok()?;
    c.set_parameter(CParameter::DictIdFlag(false)).ok()?;
    c.set_parameter(CParameter::ChecksumFlag(false)).ok()?;
    Some(c)
}

/// Compresses bodies: samples the first ones, trains a dictionary once it
/// has enough, then compresses every body with it.
pub struct BodyEncoder {
    samples: Vec<Vec<u8>>,
    sampled: usize,
    dict: Option<Dictionary>,
    /// The id the next trained dictionary takes.
    next_id: i64,
    /// Trained and not yet handed to the writer.
    trained: Option<NewDict>,
    /// Training failed (too little or too uniform data): store text.
    untrainable: bool,
}

/// What an encoder starts from: the store's newest dictionary, so that a
/// restarted daemon compresses from its first event, and the next free id.
#[derive(Debug, Clone, Default)]
pub struct DictState {
    pub newest: Option<(i64, Vec<u8>)>,
    pub next_id: i64,
}

impl DictState {
    pub fn read(conn: &Connection) -> rusqlite::Result<DictState> {
        let newest = conn
            .query_row(
                "SELECT id, dict FROM body_dict ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?;
        let next_id = newest.as_ref().map_or(1, |(id, _)| id + 1);
        Ok(DictState { newest, next_id })
    }
}

impl BodyEncoder {
    pub fn new(state: DictState) -> BodyEncoder {
        let dict = state.newest.and_then(|(id, bytes)| {
            Some(Dictionary {
                id,
                compressor: compressor(&bytes)?,
            })
        });
        BodyEncoder {
            samples: Vec::new(),
            sampled: 0,
            dict,
            next_id: state.next_id,
            trained: None,
            untrainable: false,
        }
    }

    /// The stored form of a body.
    pub fn encode(&mut self, body: String) -> Stored {
        self.sample(&body);
        let Some(dict) = self.dict.as_mut() else {
            return Stored::Text(body);
        };
        match dict.compressor.compress(body.as_bytes()) {
            Ok(bytes) => Stored::Frame {
                bytes,
                dict: dict.id,
            },
            // Never lose an event to the codec: keep the text.
            Err(_) => Stored::Text(body),
        }
    }

    /// A dictionary trained since the last call, for the writer to store
    /// along with (before) the rows encoded with it.
    pub fn take_trained(&mut self) -> Option<NewDict> {
        self.trained.take()
    }

    /// Collects the first bodies of a store that has no dictionary yet and
    /// trains on them once: the dictionary then fits what this machine
    /// records.
    fn sample(&mut self, body: &str) {
        if self.dict.is_some() || self.untrainable {
            return;
        }
        self.samples.push(body.as_bytes().to_vec());
        self.sampled += body.len();
        if self.sampled < SAMPLE_BYTES {
            return;
        }
        let samples = std::mem::take(&mut self.samples);
        let trained = zstd::dict::from_samples(&samples, DICT_BYTES)
            .ok()
            .and_then(|bytes| {
                let c = compressor(&bytes)?;
                Some((bytes, c))
            });
        let Some((bytes, compressor)) = trained else {
            self.untrainable = true;
            return;
        };
        let id = self.next_id;
        self.next_id += 1;
        self.trained = Some(NewDict { id, bytes });
        self.dict = Some(Dictionary { id, compressor });
    }
}

/// The reader's side: bodies back as text, with each dictionary loaded once.
#[derive(Default)]
pub struct BodyReader {
    decompressors: HashMap<i64, zstd::bulk::Decompressor<'static>>,
}

impl BodyReader {
    pub fn new() -> BodyReader {
        BodyReader::default()
    }

    /// The whole body of a stored event: its row's piece, then any more.
    pub fn read(&mut self, conn: &Connection, event_id: i64) -> rusqlite::Result<String> {
        let mut stmt = conn.prepare_cached("SELECT body, dict, flags FROM event WHERE id = ?1")?;
        let mut rows = stmt.query([event_id])?;
        let row = rows.next()?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let flags: i64 = row.get(2)?;
        self.read_row(conn, event_id, row.get_ref(0)?, row.get(1)?, flags)
    }

    /// The body of an event whose row gave `first` (body and dictionary)
    /// and `flags`.
    pub fn read_row(
        &mut self,
        conn: &Connection,
        event_id: i64,
        first: ValueRef<'_>,
        dict: Option<i64>,
        flags: i64,
    ) -> rusqlite::Result<String> {
        let mut text = self.decode(conn, first, dict)?;
        if flags & super::FLAG_MORE != 0 {
            let mut more = conn.prepare_cached(
                "SELECT body, dict FROM body_more WHERE event_id = ?1 ORDER BY seq",
            )?;
            let mut rows = more.query([event_id])?;
            while let Some(r) = rows.next()? {
                let piece = self.decode(conn, r.get_ref(0)?, r.get(1)?)?;
                text.push_str(&piece);
            }
        }
        Ok(text)
    }

    fn decode(
        &mut self,
        conn: &Connection,
        stored: ValueRef<'_>,
        dict: Option<i64>,
    ) -> rusqlite::Result<String> {
        let (frame, id) = match (stored, dict) {
            (ValueRef::Text(t), _) => return Ok(String::from_utf8_lossy(t).into_owned()),
            (ValueRef::Blob(b), Some(id)) => (b, id),
            (other, _) => {
                return Err(corrupt(
                    other.data_type(),
                    "a body is neither text nor a frame with its dictionary",
                ))
            }
        };
        let d = match self.decompressors.entry(id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let bytes: Vec<u8> = conn
                    .prepare_cached("SELECT dict FROM body_dict WHERE id = ?1")?
                    .query_row([id], |r| r.get(0))?;
                let d = zstd::bulk::Decompressor::with_dictionary(&bytes)
                    .map_err(|e| corrupt(Type::Blob, &format!("dictionary {id}: {e}")))?;
                e.insert(d)
            }
        };
        let text = d
            .decompress(frame, MAX_BODY)
            .map_err(|e| corrupt(Type::Blob, &format!("event body: {e}")))?;
        Ok(String::from_utf8_lossy(&text).into_owned())
    }
}

fn corrupt(t: Type, why: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, t, why.to_string().into())
}

#[cfg(test)]
mod tests {
    use super::push_decimal;

    #[test]
    fn decimals_print_as_format_prints_them() {
        for n in [0, 7, 10, 1300, 99_999, u32::MAX] {
            let mut out = String::from("x");
            push_decimal(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }
}
