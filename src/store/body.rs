//! Event bodies: every record's text, one `TYPE text` line per record, kept
//! verbatim but stored compressed. Audit records repeat most of their text
//! (field names, the same exe, cwd and paths), so each writer trains a zstd
//! dictionary on the first bodies it writes and compresses each body alone
//! with it: any event still reads back by itself, in microseconds.
//!
//! A body row holds either the text (rows written before a dictionary
//! existed, or by older versions) or a zstd frame and the id of its
//! dictionary in `body_dict`.

use std::collections::HashMap;

use rusqlite::types::{Type, Value, ValueRef};
use rusqlite::{Connection, OptionalExtension, Transaction};

use crate::event::Event;

/// zstd's level: its default, a good trade of speed for size at the daemon's
/// write rates.
const LEVEL: i32 = 3;
/// A dictionary's largest size.
const DICT_BYTES: usize = 16 * 1024;
/// Bytes of bodies sampled before a dictionary is trained. zstd advises
/// about a hundred times the dictionary's size; a quarter of that already
/// gives most of the gain (on 50,000 open() events: 10.6x against 11.0x)
/// and starts compressing four times sooner.
const SAMPLE_BYTES: usize = 25 * DICT_BYTES;
/// No body is larger (the kernel's records are at most 8 KiB each).
const MAX_BODY: usize = 64 << 20;

/// An event's records as the store keeps them: one `TYPE text` per line.
pub fn body_text(event: &Event) -> String {
    let mut body = String::with_capacity(event.records.iter().map(|r| r.text.len() + 6).sum());
    for r in &event.records {
        body.push_str(&r.rtype.to_string());
        body.push(' ');
        body.push_str(&r.text);
        body.push('\n');
    }
    body
}

/// A trained dictionary in use by a writer.
struct Dictionary {
    id: i64,
    compressor: zstd::bulk::Compressor<'static>,
}

/// The writer's side: samples bodies, trains a dictionary once it has
/// enough, then compresses.
#[derive(Default)]
pub struct BodyEncoder {
    samples: Vec<Vec<u8>>,
    sampled: usize,
    dict: Option<Dictionary>,
    /// Trained in the transaction under way: in use only once committed.
    pending: Option<Dictionary>,
    /// Training failed (too little or too uniform data): store text.
    untrainable: bool,
}

impl BodyEncoder {
    /// Starts with the newest dictionary the store has, if any, so that a
    /// restarted writer compresses from its first event.
    pub fn open(conn: &Connection) -> rusqlite::Result<BodyEncoder> {
        let newest: Option<(i64, Vec<u8>)> = conn
            .query_row(
                "SELECT id, dict FROM body_dict ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let dict = newest.and_then(|(id, bytes)| {
            let compressor = zstd::bulk::Compressor::with_dictionary(LEVEL, &bytes).ok()?;
            Some(Dictionary { id, compressor })
        });
        Ok(BodyEncoder {
            dict,
            ..BodyEncoder::default()
        })
    }

    /// The value to store for a body, and its dictionary's id (`None`: the
    /// value is the text itself).
    pub fn encode(
        &mut self,
        tx: &Transaction<'_>,
        body: &str,
    ) -> rusqlite::Result<(Value, Option<i64>)> {
        self.sample(tx, body)?;
        let Some(dict) = self.pending.as_mut().or(self.dict.as_mut()) else {
            return Ok((Value::Text(body.to_string()), None));
        };
        match dict.compressor.compress(body.as_bytes()) {
            Ok(frame) => Ok((Value::Blob(frame), Some(dict.id))),
            // Never lose an event to the codec: keep the text.
            Err(_) => Ok((Value::Text(body.to_string()), None)),
        }
    }

    /// The transaction committed: a dictionary trained in it is the one in use.
    pub fn committed(&mut self) {
        if let Some(d) = self.pending.take() {
            self.dict = Some(d);
        }
    }

    /// The transaction failed: forget a dictionary trained in it (its row is
    /// gone), and train again later.
    pub fn rolled_back(&mut self) {
        self.pending = None;
    }

    /// Collects this writer's first bodies and trains on them once: the
    /// dictionary then fits what this machine records now.
    fn sample(&mut self, tx: &Transaction<'_>, body: &str) -> rusqlite::Result<()> {
        if self.untrainable || self.sampled >= SAMPLE_BYTES || self.pending.is_some() {
            return Ok(());
        }
        self.samples.push(body.as_bytes().to_vec());
        self.sampled += body.len();
        if self.sampled < SAMPLE_BYTES {
            return Ok(());
        }
        let samples = std::mem::take(&mut self.samples);
        let trained = zstd::dict::from_samples(&samples, DICT_BYTES)
            .ok()
            .and_then(|bytes| {
                let compressor = zstd::bulk::Compressor::with_dictionary(LEVEL, &bytes).ok()?;
                Some((bytes, compressor))
            });
        let Some((bytes, compressor)) = trained else {
            self.untrainable = true;
            return Ok(());
        };
        tx.prepare_cached("INSERT INTO body_dict (dict) VALUES (?1)")?
            .execute([&bytes])?;
        self.pending = Some(Dictionary {
            id: tx.last_insert_rowid(),
            compressor,
        });
        Ok(())
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

    /// The body of a stored event.
    pub fn read(&mut self, conn: &Connection, event_id: i64) -> rusqlite::Result<String> {
        let mut stmt = conn.prepare_cached("SELECT records, dict FROM body WHERE event_id = ?1")?;
        let mut rows = stmt.query([event_id])?;
        let row = rows.next()?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let dict: Option<i64> = row.get(1)?;
        self.decode(conn, row.get_ref(0)?, dict)
    }

    fn decode(
        &mut self,
        conn: &Connection,
        stored: ValueRef<'_>,
        dict: Option<i64>,
    ) -> rusqlite::Result<String> {
        let frame = match (stored, dict) {
            (ValueRef::Text(t), _) => return Ok(String::from_utf8_lossy(t).into_owned()),
            (ValueRef::Blob(b), Some(id)) => (b, id),
            (other, _) => {
                return Err(corrupt(
                    other.data_type(),
                    "a body is neither text nor a frame with its dictionary",
                ))
            }
        };
        let (frame, id) = frame;
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
