//! Walking a database's chain (see [`super::chain`]) on a read-only
//! connection: every commit's items recomputed from the stored rows, its
//! MAC recomputed with the key, its link to the one before, and the tail
//! against an anchor. The first break is named precisely.

use std::fmt;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

use super::chain::{
    dict_digest, event_digest, loss_digest, piece_digest, Anchor, Key, Link, KIND_DICT,
    PIECE_ENTRY, SHORT,
};
use super::sha256::{Digest, Sha256};

/// Where and how the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    EditedEvent {
        event: i64,
        commit: i64,
    },
    DeletedEvent {
        event: i64,
        commit: i64,
    },
    InsertedEvent {
        event: i64,
    },
    Reordered {
        a: i64,
        b: i64,
    },
    EditedPiece {
        event: i64,
        piece: i64,
        commit: i64,
    },
    DeletedPiece {
        event: i64,
        piece: i64,
        commit: i64,
    },
    EditedDict {
        dict: i64,
        commit: i64,
    },
    EditedLoss {
        loss: i64,
        commit: i64,
    },
    DeletedLoss {
        loss: i64,
        commit: i64,
    },
    InsertedLoss {
        loss: i64,
    },
    ChainRow {
        commit: i64,
    },
    MissingCommits {
        from: i64,
        to: i64,
    },
    BadMac {
        commit: i64,
    },
    WrongKey {
        stored: String,
        key: String,
        path: String,
    },
    Truncated {
        anchor: i64,
        last: i64,
    },
    Rewritten {
        commit: i64,
    },
    NoChain,
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Break::EditedEvent { event, commit } => write!(f, "event {event} was edited: its records differ from what commit {commit} stored"),
            Break::DeletedEvent { event, commit } => write!(f, "event {event} was deleted: commit {commit} stored it"),
            Break::InsertedEvent { event } => write!(f, "event {event} was inserted: no commit stored it"),
            Break::Reordered { a, b } => write!(f, "events {a} and {b} were swapped: each holds what the other's commit stored"),
            Break::EditedPiece { event, piece, commit } => write!(f, "records appended to event {event} (piece {piece}) were edited: they differ from what commit {commit} stored"),
            Break::DeletedPiece { event, piece, commit } => write!(f, "records appended to event {event} (piece {piece}) were deleted: commit {commit} stored them"),
            Break::EditedDict { dict, commit } => write!(f, "compression dictionary {dict} was edited or deleted: commit {commit} stored it"),
            Break::EditedLoss { loss, commit } => write!(f, "loss row {loss} was edited: it differs from what commit {commit} stored"),
            Break::DeletedLoss { loss, commit } => write!(f, "loss row {loss} was deleted: commit {commit} stored it"),
            Break::InsertedLoss { loss } => write!(f, "loss row {loss} was inserted: no commit stored it"),
            Break::ChainRow { commit } => write!(f, "the chain's row of commit {commit} was edited: its digests do not match its content"),
            Break::MissingCommits { from, to } => write!(f, "commits {from} to {to} were deleted from the chain (not by retention)"),
            Break::BadMac { commit } => write!(f, "commit {commit}'s MAC does not match under the key: the chain was recomputed without the key from there on"),
            Break::WrongKey { stored, key, path } => write!(f, "the chain was made with another key (fingerprint {stored}; {path} is {key}): a wrong --key, or the chain was recomputed with a key of its own"),
            Break::Truncated { anchor, last } => write!(f, "the chain was truncated: the anchor names commit {anchor}, the database ends at commit {last}"),
            Break::Rewritten { commit } => write!(f, "commit {commit} differs from the anchor: the chain was rewritten"),
            Break::NoChain => write!(f, "the database holds events but no chain: it was written without one, or the chain was deleted"),
        }
    }
}

/// What the walk went through.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub commits: u64,
    pub events: u64,
    /// The newest commit, as an anchor to export.
    pub head: Option<Anchor>,
    /// MACs were checked with the key.
    pub keyed: bool,
    /// The oldest commit kept after retention, if any was pruned.
    pub pruned_through: Option<i64>,
    /// The anchor's commit was pruned away: only its absence was checked.
    pub anchor_pruned: bool,
}

pub struct Walk<'a> {
    pub key: Option<&'a Key>,
    pub anchor: Option<&'a Anchor>,
    /// Called with (commits done, commits in all) now and then.
    pub progress: &'a mut dyn FnMut(u64, u64),
}

/// A commit's row as stored.
struct Row {
    link: Link,
    items: Vec<u8>,
    pieces: Vec<u8>,
    mac: Digest,
}

/// The walk's state.
#[derive(Default)]
struct State {
    first: Option<Break>,
    /// (event, digest found, digest its commit stored), for reorders.
    mismatched: Vec<(i64, [u8; SHORT], [u8; SHORT])>,
    ranges: Vec<(i64, i64)>,
    loss_ranges: Vec<(i64, i64)>,
    /// Events up to this id were deleted by retention.
    pruned_events: i64,
    events: u64,
    losses: u64,
}

impl State {
    fn found(&mut self, b: Break) {
        self.first.get_or_insert(b);
    }
}

pub fn walk(conn: &Connection, w: Walk<'_>) -> rusqlite::Result<(Summary, Option<Break>)> {
    let mut summary = Summary {
        keyed: w.key.is_some(),
        ..Summary::default()
    };
    let mut st = State::default();
    if let Some(key) = w.key {
        let stored: Option<String> = conn
            .query_row("SELECT value FROM state WHERE key = 'chain_key'", [], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(stored) = stored.filter(|s| s != key.fingerprint()) {
            st.found(Break::WrongKey {
                stored,
                key: key.fingerprint().to_string(),
                path: key.path.display().to_string(),
            });
        }
    }
    let total: i64 = conn.query_row("SELECT count(*) FROM chain", [], |r| r.get(0))?;
    let base: Option<i64> = conn
        .query_row(
            "SELECT pruned FROM chain WHERE pruned IS NOT NULL ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    summary.pruned_through = base;
    let mut stmt = conn.prepare(
        "SELECT seq, time_ms, first_event, last_event, first_loss, last_loss, pruned,
                items, pieces, content, mac FROM chain ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev: Option<(i64, Digest)> = None;
    let mut anchor_mac = None;
    while let Some(r) = rows.next()? {
        let row = read_row(r)?;
        let seq = row.link.seq;
        summary.commits += 1;
        if summary.commits.is_multiple_of(1024) {
            (w.progress)(summary.commits, total as u64);
        }
        if w.anchor.is_some_and(|a| a.seq == seq) {
            anchor_mac = Some(row.mac);
        }
        let expected = prev.map_or(1, |(s, _)| s + 1);
        if prev.is_none() && base == Some(seq) {
            // The start retention left: its contents are gone, its MAC is
            // what the prune row covers.
            st.pruned_events = row.link.events.map_or(0, |e| e.1);
        } else {
            if seq != expected {
                st.found(Break::MissingCommits {
                    from: expected,
                    to: seq - 1,
                });
            }
            check_commit(conn, &row, &mut st)?;
            if let Some(key) = w.key {
                let prev_mac = prev.map_or([0; 32], |p| p.1);
                let mut link = row.link.clone();
                if let Some((_, mac)) = link.pruned.as_mut() {
                    *mac = row.pieces.as_slice().try_into().unwrap_or([0; 32]);
                }
                if link.mac(key, &prev_mac) != row.mac {
                    st.found(Break::BadMac { commit: seq });
                }
            }
        }
        prev = Some((seq, row.mac));
        summary.head = Some(Anchor {
            seq,
            mac: row.mac,
            time_ms: row.link.time_ms,
        });
    }
    (w.progress)(summary.commits, total as u64);
    summary.events = st.events;
    check_uncovered(conn, &mut st)?;
    if let Some(anchor) = w.anchor {
        check_anchor(anchor, &summary, anchor_mac, &mut st);
        summary.anchor_pruned = base.is_some_and(|b| anchor.seq < b);
    }
    if let Some(Break::EditedEvent { .. }) = st.first {
        if let Some(pair) = swapped(&st.mismatched) {
            st.first = Some(pair);
        }
    }
    Ok((summary, st.first))
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let range = |a: Option<i64>, b: Option<i64>| a.zip(b);
    let digest = |v: Vec<u8>| -> Digest { v.try_into().unwrap_or([0; 32]) };
    let pruned: Option<i64> = r.get(6)?;
    Ok(Row {
        link: Link {
            seq: r.get(0)?,
            time_ms: r.get(1)?,
            events: range(r.get(2)?, r.get(3)?),
            losses: range(r.get(4)?, r.get(5)?),
            pruned: pruned.map(|p| (p, [0; 32])),
            content: digest(r.get(9)?),
        },
        items: r.get(7)?,
        pieces: r.get(8)?,
        mac: digest(r.get(10)?),
    })
}

/// Recomputes a commit's items from the stored rows.
fn check_commit(conn: &Connection, row: &Row, st: &mut State) -> rusqlite::Result<()> {
    let commit = row.link.seq;
    let mut all = Sha256::new();
    let mut at = 0usize;
    let short = |at: usize| -> [u8; SHORT] {
        row.items
            .get(at * SHORT..(at + 1) * SHORT)
            .and_then(|s| s.try_into().ok())
            .unwrap_or([0; SHORT])
    };
    let mut item_broken = false;
    if let Some((first, last)) = row.link.events {
        st.ranges.push((first, last));
        let mut stmt = conn.prepare_cached(
            "SELECT id, time_ms, serial, body, dict FROM event WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
        )?;
        let mut rows = stmt.query([first, last])?;
        let mut want = first;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            if id != want {
                st.found(Break::DeletedEvent {
                    event: want,
                    commit,
                });
                item_broken = true;
                at += (id - want) as usize;
                want = id;
            }
            let d = event_digest(r.get(1)?, r.get(2)?, r.get_ref(3)?, r.get(4)?);
            all.update(&d);
            let expected = short(at);
            if d[..SHORT] != expected {
                st.found(Break::EditedEvent { event: id, commit });
                item_broken = true;
                let found = d[..SHORT].try_into().expect("8 bytes");
                st.mismatched.push((id, found, expected));
            }
            st.events += 1;
            at += 1;
            want += 1;
        }
        if want <= last {
            st.found(Break::DeletedEvent {
                event: want,
                commit,
            });
            item_broken = true;
            at += (last - want + 1) as usize;
        }
    }
    for entry in row.pieces.chunks_exact(PIECE_ENTRY) {
        if row.link.pruned.is_some() {
            break; // a prune row lists the deleted commit's MAC, not pieces
        }
        let (a, b) = (be(&entry[1..9]), be(&entry[9..17]));
        let listed: Digest = entry[17..].try_into().expect("32 bytes");
        let found = if entry[0] == KIND_DICT {
            dict(conn, a)?
        } else {
            piece(conn, a, b)?.or((a <= st.pruned_events).then_some(listed))
        };
        match found {
            Some(d) if d == listed => {}
            other => {
                item_broken = true;
                st.found(match (entry[0] == KIND_DICT, other) {
                    (true, _) => Break::EditedDict { dict: a, commit },
                    (false, Some(_)) => Break::EditedPiece {
                        event: a,
                        piece: b,
                        commit,
                    },
                    (false, None) => Break::DeletedPiece {
                        event: a,
                        piece: b,
                        commit,
                    },
                });
            }
        }
        all.update(&found.unwrap_or(listed));
    }
    if let Some((first, last)) = row.link.losses {
        st.loss_ranges.push((first, last));
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {} FROM loss WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
            super::chain::LOSS_COLUMNS
        ))?;
        let mut rows = stmt.query([first, last])?;
        let mut want = first;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            if id != want {
                st.found(Break::DeletedLoss { loss: want, commit });
                item_broken = true;
                at += (id - want) as usize;
                want = id;
            }
            let d = loss_digest(r)?;
            all.update(&d);
            if d[..SHORT] != short(at) {
                st.found(Break::EditedLoss { loss: id, commit });
                item_broken = true;
            }
            st.losses += 1;
            at += 1;
            want += 1;
        }
        if want <= last {
            st.found(Break::DeletedLoss { loss: want, commit });
            item_broken = true;
        }
    }
    if !item_broken && all.finish() != row.link.content {
        st.found(Break::ChainRow { commit });
    }
    Ok(())
}

fn be(b: &[u8]) -> i64 {
    i64::from_be_bytes(b.try_into().expect("8 bytes"))
}

fn piece(conn: &Connection, event: i64, seq: i64) -> rusqlite::Result<Option<Digest>> {
    conn.prepare_cached("SELECT body, dict FROM body_more WHERE event_id = ?1 AND seq = ?2")?
        .query_row([event, seq], |r| {
            let body: Value = r.get(0)?;
            Ok(piece_digest(event, seq, (&body).into(), r.get(1)?))
        })
        .optional()
}

fn dict(conn: &Connection, id: i64) -> rusqlite::Result<Option<Digest>> {
    conn.prepare_cached("SELECT dict FROM body_dict WHERE id = ?1")?
        .query_row([id], |r| Ok(dict_digest(id, &r.get::<_, Vec<u8>>(0)?)))
        .optional()
}

/// Events and loss rows no commit stored.
fn check_uncovered(conn: &Connection, st: &mut State) -> rusqlite::Result<()> {
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0));
    if count("SELECT count(*) FROM event")? as u64 > st.events {
        if st.ranges.is_empty() && st.loss_ranges.is_empty() && st.pruned_events == 0 {
            st.found(Break::NoChain);
        } else if let Some(id) = first_outside(conn, "event", &st.ranges)? {
            st.found(Break::InsertedEvent { event: id });
        }
    }
    if count("SELECT count(*) FROM loss")? as u64 > st.losses {
        if let Some(id) = first_outside(conn, "loss", &st.loss_ranges)? {
            st.found(Break::InsertedLoss { loss: id });
        }
    }
    Ok(())
}

fn first_outside(
    conn: &Connection,
    table: &str,
    ranges: &[(i64, i64)],
) -> rusqlite::Result<Option<i64>> {
    let mut sorted = ranges.to_vec();
    sorted.sort_unstable();
    let mut stmt = conn.prepare(&format!("SELECT id FROM {table} ORDER BY id"))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let at = sorted.partition_point(|&(first, _)| first <= id);
        if at == 0 || sorted[at - 1].1 < id {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

fn check_anchor(anchor: &Anchor, summary: &Summary, found_mac: Option<Digest>, st: &mut State) {
    let last = summary.head.as_ref().map_or(0, |h| h.seq);
    match found_mac {
        Some(mac) if mac != anchor.mac => st.found(Break::Rewritten { commit: anchor.seq }),
        Some(_) => {}
        None if anchor.seq > last => st.found(Break::Truncated {
            anchor: anchor.seq,
            last,
        }),
        // Older than the chain's start: retention deleted it.
        None => {}
    }
}

/// Two edited events each holding what the other's commit stored.
fn swapped(mismatched: &[(i64, [u8; SHORT], [u8; SHORT])]) -> Option<Break> {
    for (i, a) in mismatched.iter().enumerate() {
        for b in &mismatched[i + 1..] {
            if a.1 == b.2 && b.1 == a.2 {
                return Some(Break::Reordered { a: a.0, b: b.0 });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests;
