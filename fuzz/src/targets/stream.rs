//! `stream`: the daemon's assembler ([`Stream`]) driven as the daemon
//! drives it, with the clock under the input's control.
//!
//! The input is text, one step a line:
//!
//! - `limits TIMEOUT_MS MAX_OPEN MAX_RECORDS` (first line only; small
//!   limits by default, so that evictions and truncation happen),
//! - `wait MS`: the clock moves on,
//! - `tick`: timeouts and serial gaps are checked (the daemon does so
//!   every 50 ms),
//! - `flush`, or an empty line: the reader's batch ends and its pieces are
//!   handed on (a batch also ends after [`BATCH`] records),
//! - `resume SERIAL`: the serial stored last before a restart,
//! - `finish`: the daemon stops,
//! - anything else: an auditd log line, parsed and pushed as a record.
//!
//! Checked: every record other than an EOE is handed on exactly once,
//! unless a `Note::Truncated` counts it; a record that opens an event
//! leaves at most `max_open` events open, or only events of this batch
//! (so never more than `max_open` plus a batch); an event's pieces keep
//! its token, stamp, node and state, begin with `First` or `Late` and end
//! once; and after `finish` nothing is left open.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use raudit::event::{Limits, Note, PieceKind, PieceRef, Stream};
use raudit::record::{parse_log_line, types, EventId};
use raudit::store::shape::Summary;
use raudit::store::{Part, Piece};

/// Records after which a batch ends by itself.
const BATCH: usize = 32;

/// What an event carries from piece to piece (the daemon's is `Summary`).
#[derive(Default)]
struct State {
    token: u64,
    pieces: u32,
    summary: Summary,
}

/// What the harness knows of one event (by token).
struct Seen {
    id: EventId,
    node: Option<String>,
    ended: bool,
}

#[derive(Default)]
struct Tally {
    /// Non-EOE records pushed, handed on and dropped, per stamp.
    pushed: HashMap<EventId, u64>,
    handed: HashMap<EventId, u64>,
    dropped: HashMap<EventId, u64>,
    events: HashMap<u64, Seen>,
}

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.lines().peekable();
    let limits = match lines.peek().and_then(|l| l.strip_prefix("limits ")) {
        Some(spec) => {
            let l = parse_limits(spec);
            lines.next();
            l
        }
        None => Limits {
            timeout: Duration::from_millis(1000),
            max_open: 4,
            max_records: 16,
        },
    };
    let mut stream: Stream<State> = Stream::new(limits);
    let mut tally = Tally::default();
    let start = Instant::now();
    let mut now = start;
    // Records pushed in this batch. An event touched in a batch cannot be
    // completed early before the batch is handed on, so a new event may
    // leave more than `max_open` open, but no more than this batch touched.
    let mut batch = 0usize;
    for line in lines {
        let mut words = line.split(' ');
        match (words.next(), words.next().map(str::parse::<u64>)) {
            (Some("wait"), Some(Ok(ms))) => now += Duration::from_millis(ms.min(3_600_000)),
            (Some("tick"), None) => stream.tick(now),
            (Some("flush") | Some(""), None) => {
                flush(&mut stream, &mut tally);
                batch = 0;
            }
            (Some("resume"), Some(Ok(serial))) => stream.resume_after(serial),
            (Some("finish"), None) => break,
            _ => {
                let record = parse_log_line(line);
                if record.rtype != types::EOE {
                    *tally.pushed.entry(record.id).or_default() += 1;
                }
                let before = stream.open_count();
                stream.push(record, now);
                batch += 1;
                let after = stream.open_count();
                // Past the limit, the count may stay up (completing early
                // happens only when an event opens) but never grows.
                assert!(
                    after <= before || after <= limits.max_open.max(batch),
                    "{after} events open after {before}, with at most {} allowed \
                     or {batch} records in the batch",
                    limits.max_open
                );
                if batch >= BATCH {
                    flush(&mut stream, &mut tally);
                    batch = 0;
                }
            }
        }
    }
    flush(&mut stream, &mut tally);
    stream.finish();
    flush(&mut stream, &mut tally);
    assert_eq!(stream.open_count(), 0, "open after finish");
    for (token, seen) in &tally.events {
        assert!(seen.ended, "event {token} ({}) never ended", seen.id);
    }
    for (id, pushed) in &tally.pushed {
        let handed = tally.handed.get(id).copied().unwrap_or(0);
        let dropped = tally.dropped.get(id).copied().unwrap_or(0);
        assert_eq!(
            handed + dropped,
            *pushed,
            "{id}: {pushed} records pushed, {handed} handed on, {dropped} counted as dropped"
        );
    }
    for id in tally.handed.keys() {
        assert!(
            tally.pushed.contains_key(id),
            "{id}: handed on, never pushed"
        );
    }
}

/// `TIMEOUT_MS MAX_OPEN MAX_RECORDS`, each clamped to a sane range.
fn parse_limits(spec: &str) -> Limits {
    let mut n = spec.split(' ').map(|w| w.parse::<u64>().unwrap_or(1));
    let mut next = |lo: u64, hi: u64| n.next().unwrap_or(lo).clamp(lo, hi);
    Limits {
        timeout: Duration::from_millis(next(1, 600_000)),
        max_open: next(1, 64) as usize,
        max_records: next(1, 64) as usize,
    }
}

/// The end of a batch: every piece handed on, checked, and encoded as the
/// daemon encodes it; then the notes.
fn flush(stream: &mut Stream<State>, tally: &mut Tally) {
    stream.flush(|piece| check_piece(piece, tally));
    for note in stream.take_notes() {
        match note {
            Note::Truncated { id, dropped } => {
                assert!(dropped > 0);
                *tally.dropped.entry(id).or_default() += dropped;
            }
            Note::ClosedEarly { count, .. } => assert!(count > 0),
            Note::Gap(g) => {
                assert!(g.first <= g.last, "gap {}..{}", g.first, g.last);
                assert!(g.count() <= 1 << 32);
            }
        }
    }
}

fn check_piece(piece: PieceRef<'_, State>, tally: &mut Tally) {
    let node = piece.node.map(str::to_string);
    let first = matches!(piece.kind, PieceKind::First | PieceKind::Late);
    let state = piece.state;
    if first {
        assert_eq!(state.token, 0, "a first piece of an event seen before");
        assert!(!tally.events.contains_key(&piece.token), "token reused");
        tally.events.insert(
            piece.token,
            Seen {
                id: piece.id,
                node: node.clone(),
                ended: false,
            },
        );
        state.token = piece.token;
    }
    assert_eq!(state.token, piece.token, "the state of another event");
    let seen = tally
        .events
        .get_mut(&piece.token)
        .expect("a later piece of an event that had no first piece");
    assert!(!seen.ended, "a piece after the event ended");
    assert_eq!(
        (seen.id, &seen.node),
        (piece.id, &node),
        "the token changed event"
    );
    seen.ended = !piece.open;
    match piece.kind {
        PieceKind::Close => {
            assert!(piece.records.is_empty(), "a Close piece with records");
            assert!(!piece.open, "a Close piece that leaves its event open");
        }
        PieceKind::More => assert!(!piece.records.is_empty(), "a More piece without records"),
        PieceKind::First | PieceKind::Late => {}
    }
    for r in &piece.records {
        assert_ne!(r.rtype, types::EOE, "an EOE handed on");
        assert_eq!(
            (r.id, &r.node),
            (piece.id, &node),
            "a record in another event"
        );
        *tally.handed.entry(r.id).or_default() += 1;
    }
    state.pieces += 1;
    let part = match piece.kind {
        PieceKind::First => Part::First,
        PieceKind::More => Part::More,
        PieceKind::Late => Part::Late,
        PieceKind::Close => Part::Close,
    };
    let row = super::events::with_encoder(|e| {
        e.piece(
            Piece {
                token: piece.token,
                id: piece.id,
                node: piece.node,
                part,
                open: piece.open,
                records: &piece.records,
            },
            &mut state.summary,
        )
    });
    assert_eq!(row.body.is_some(), !piece.records.is_empty());
}
