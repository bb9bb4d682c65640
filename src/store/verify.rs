//! Walking a database's chain (see [`super::chain`]) on a read-only
//! connection: every commit's items recomputed from the stored rows, its
//! MAC recomputed with the key, its link to the one before, and the tail
//! against an anchor. The first break is named precisely.

use std::fmt;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};

use super::chain::{
    dict_digest, event_bytes, loss_bytes, piece_digest, prune_content, short, Anchor, Key, Link,
    KIND_DICT, PIECE_ENTRY, SHORT,
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
    ArchiveMissing {
        name: String,
        commit: i64,
    },
    ArchiveReplaced {
        name: String,
        commit: i64,
    },
    InArchive {
        name: String,
        inner: Box<Break>,
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
            Break::ArchiveMissing { name, commit } => write!(f, "archive {name} is missing: prune commit {commit} moved commits into it"),
            Break::ArchiveReplaced { name, commit } => write!(f, "archive {name} was replaced: it does not hold the commit prune commit {commit} moved last"),
            Break::InArchive { name, inner } => write!(f, "archive {name}: {inner}"),
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
    /// Events by id: those commits stored, and those of commits found
    /// broken (for `search --verified`).
    pub covered: Vec<(i64, i64)>,
    pub broken: Vec<(i64, i64)>,
    /// Archives walked, and the events in them.
    pub archives: u64,
    pub archived_events: u64,
}

pub struct Walk<'a> {
    /// The database's path, to find its archives; `None` skips them.
    pub db: Option<&'a std::path::Path>,
    pub key: Option<&'a Key>,
    pub anchor: Option<&'a Anchor>,
    /// Commits a prune elsewhere (the live database, for an archive)
    /// deleted through: the chain may start at one of them.
    pub bases: &'a [i64],
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
    /// Events of commits found broken, and whether every commit from the
    /// current one on is (a MAC that does not hold).
    broken: Vec<(i64, i64)>,
    all_after: bool,
    /// The events of the commit being checked.
    current: Option<(i64, i64)>,
    /// Events up to this id were deleted by retention.
    pruned_events: i64,
    /// (archive, prune commit, the commit it moved last, its MAC).
    archives: Vec<(String, i64, i64, Digest)>,
    events: u64,
    losses: u64,
}

impl State {
    fn found(&mut self, b: Break) {
        if let Some(r) = self.current {
            if self.broken.last() != Some(&r) {
                self.broken.push(r);
            }
        }
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
    let base = start(conn, w.bases)?;
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
            st.current = row.link.events;
            if st.all_after {
                st.found(Break::BadMac { commit: seq });
            }
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
                    st.all_after = true;
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
    st.current = None;
    summary.events = st.events;
    check_uncovered(conn, &mut st)?;
    summary.covered = std::mem::take(&mut st.ranges);
    summary.broken = std::mem::take(&mut st.broken);
    if let Some(anchor) = w.anchor {
        check_anchor(anchor, &summary, anchor_mac, &mut st);
        summary.anchor_pruned = base.is_some_and(|b| anchor.seq < b);
    }
    if let Some(Break::EditedEvent { .. }) = st.first {
        if let Some(pair) = swapped(&st.mismatched) {
            st.first = Some(pair);
        }
    }
    if let (Some(db), None) = (w.db, &st.first) {
        let bases: Vec<i64> = st.archives.iter().map(|a| a.2).collect();
        st.first = check_archives(db, w.key, &st.archives, &bases, &mut summary)?;
    }
    Ok((summary, st.first))
}

impl Summary {
    /// Whether the event stored as `id` is in an intact part of the chain:
    /// a commit stored it, and that commit verified.
    pub fn verified(&self, id: i64) -> bool {
        let within = |r: &[(i64, i64)]| r.iter().any(|&(a, b)| a <= id && id <= b);
        within(&self.covered) && !within(&self.broken)
    }
}

/// Each archive a prune row names: there, holding the commit it moved
/// last with that MAC, and whole.
fn check_archives(
    db: &std::path::Path,
    key: Option<&Key>,
    archives: &[(String, i64, i64, Digest)],
    bases: &[i64],
    summary: &mut Summary,
) -> rusqlite::Result<Option<Break>> {
    let mut walked: Vec<&str> = Vec::new();
    for (name, commit, moved, mac) in archives {
        let path = super::archive::path_of(db, name);
        let Ok(conn) = super::open_read_only(&path) else {
            return Ok(Some(Break::ArchiveMissing {
                name: name.clone(),
                commit: *commit,
            }));
        };
        let held: Option<Vec<u8>> = conn
            .query_row("SELECT mac FROM chain WHERE seq = ?1", [moved], |r| {
                r.get(0)
            })
            .optional()?;
        if held.as_deref() != Some(&mac[..]) {
            return Ok(Some(Break::ArchiveReplaced {
                name: name.clone(),
                commit: *commit,
            }));
        }
        if walked.contains(&name.as_str()) {
            continue;
        }
        walked.push(name);
        let (inner, broken) = walk(
            &conn,
            Walk {
                db: None,
                key,
                anchor: None,
                bases,
                progress: &mut |_, _| {},
            },
        )?;
        if let Some(b) = broken {
            return Ok(Some(Break::InArchive {
                name: name.clone(),
                inner: Box::new(b),
            }));
        }
        summary.archives += 1;
        summary.archived_events += inner.events;
    }
    Ok(None)
}

/// The commit the chain starts at after retention: its first row, when a
/// prune (here or in `bases`) names it.
fn start(conn: &Connection, bases: &[i64]) -> rusqlite::Result<Option<i64>> {
    let first: Option<i64> = conn.query_row("SELECT min(seq) FROM chain", [], |r| r.get(0))?;
    let Some(first) = first else {
        return Ok(None);
    };
    let named: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM chain WHERE pruned = ?1)",
        [first],
        |r| r.get(0),
    )?;
    Ok((named || bases.contains(&first)).then_some(first))
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
    if let Some((moved, _)) = row.link.pruned {
        if prune_content(&row.items) != row.link.content {
            st.found(Break::ChainRow { commit });
        }
        if !row.items.is_empty() {
            let name = String::from_utf8_lossy(&row.items).into_owned();
            let mac = row.pieces.as_slice().try_into().unwrap_or([0; 32]);
            st.archives.push((name, commit, moved, mac));
        }
        return Ok(());
    }
    let mut all = Sha256::new();
    let mut at = 0usize;
    let mut bytes = Vec::new();
    let stored = |at: usize| -> [u8; SHORT] {
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
            event_bytes(&mut bytes, r.get(1)?, r.get(2)?, r.get_ref(3)?, r.get(4)?);
            all.update(&bytes);
            let expected = stored(at);
            let found = short(&bytes);
            if found != expected {
                st.found(Break::EditedEvent { event: id, commit });
                item_broken = true;
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
            loss_bytes(&mut bytes, r)?;
            all.update(&bytes);
            if short(&bytes) != stored(at) {
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
