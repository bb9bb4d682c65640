//! `log_events`: an auditd log, grouped into events as `raudit import` and
//! `search -if` group it ([`LogEvents`]), and each event encoded into the
//! row the store writes ([`Encoder::whole`]).
//!
//! Checked: every record of the log leaves in exactly one event (an EOE
//! ends its event and is not kept), the records of an event share its
//! stamp and node, and the row's body reads back to the records' text.

use std::cell::RefCell;

use raudit::event::{Event, LogEvents};
use raudit::record::{parse_log_line, types, EventId, Record};
use raudit::store::{body_text, DictState, Encoder, Stored};

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let records: Vec<Record> = text.lines().map(parse_log_line).collect();
    let kept = records.iter().filter(|r| kept_in_event(r)).count();
    let mut out = 0;
    for event in LogEvents::new(records.into_iter()) {
        assert!(!event.records.is_empty(), "an event without records");
        out += event.records.len();
        check_event(&event);
        with_encoder(|e| encode(e, &event));
    }
    assert_eq!(out, kept, "records lost or repeated");
}

/// Whether the assembler keeps a record in an event: all but a stamped EOE
/// (an unstamped record is an event by itself, whatever its type).
fn kept_in_event(r: &Record) -> bool {
    let unstamped = r.id == EventId::default() && r.error().is_some();
    r.rtype != types::EOE || unstamped
}

fn check_event(event: &Event) {
    if event.records.len() > 1 {
        for r in &event.records {
            assert_eq!(
                (r.id, &r.node),
                (event.id, &event.node),
                "a stranger in the event"
            );
        }
    }
    let _ = event.keys();
}

fn encode(encoder: &mut Encoder, event: &Event) {
    let row = encoder.whole(event);
    assert_eq!(row.serial, event.id.serial);
    assert_eq!(row.time_ms, event.id.time_ms());
    assert!(!row.open);
    let text = body_text(&event.records);
    match row.body.expect("a whole event has a body") {
        Stored::Text(t) => assert_eq!(t, text),
        Stored::Frame { bytes, dict } => {
            assert_eq!(dict, DICT_ID);
            let back = DECOMPRESSOR
                .with(|d| d.borrow_mut().decompress(&bytes, text.len()))
                .expect("a stored frame decompresses");
            assert_eq!(back, text.as_bytes(), "the body changed in the codec");
        }
    }
}

const DICT_ID: i64 = 1;

/// The encoder shared by the targets that encode (see [`ENCODER`]).
pub fn with_encoder<T>(f: impl FnOnce(&mut Encoder) -> T) -> T {
    ENCODER.with(|e| f(&mut e.borrow_mut()))
}

thread_local! {
    /// One encoder for every run, with a dictionary as the daemon has one
    /// after its first events, so bodies go through the codec.
    static ENCODER: RefCell<Encoder> = RefCell::new(Encoder::new(DictState {
        newest: Some((DICT_ID, dictionary().to_vec())),
        next_id: DICT_ID + 1,
    }));
    static DECOMPRESSOR: RefCell<zstd::bulk::Decompressor<'static>> = RefCell::new(
        zstd::bulk::Decompressor::with_dictionary(dictionary()).expect("a trained dictionary"),
    );
}

/// A dictionary trained once on made-up events of the usual shape.
fn dictionary() -> &'static [u8] {
    static DICT: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    DICT.get_or_init(|| {
        let samples: Vec<Vec<u8>> = (0..2000u32)
            .map(|i| {
                format!(
                    "1300 audit(1700000000.{ms:03}:{i}): arch=c000003e syscall={sc} success=yes \
                     exit=3 a0=ffffff9c a1=7ffd{i:x} items=1 ppid={pp} pid={p} auid=1000 uid=0 \
                     comm=\"cat\" exe=\"/usr/bin/cat\" key=\"watch{k}\"\n\
                     1302 audit(1700000000.{ms:03}:{i}): item=0 name=\"/etc/file{i}\" \
                     inode={p} dev=fd:01 mode=0100644 ouid=0 ogid=0 nametype=NORMAL\n",
                    ms = i % 1000,
                    sc = 257 + i % 7,
                    pp = 1000 + i % 13,
                    p = 4000 + i,
                    k = i % 5,
                )
                .into_bytes()
            })
            .collect();
        zstd::dict::from_samples(&samples, 16 * 1024).expect("training on made-up events")
    })
}
