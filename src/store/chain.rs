//! The tamper-evident chain: every commit that stores events, pieces of
//! events, loss rows or compression dictionaries adds one `chain` row whose
//! MAC covers what the commit wrote and the previous row's MAC.
//!
//! What a commit wrote, in this order: the events it inserted (ids
//! `first_event..=last_event`, each as time, serial and body bytes as
//! stored), the pieces it appended to events stored earlier and the
//! dictionaries it stored (listed with their full digests in `pieces`, so
//! that a commit still verifies after retention deleted an old event its
//! late piece joined), and its loss rows (`first_loss..=last_loss`). The
//! row keeps `content`, the SHA-256 over those items (events and loss rows
//! as bytes, pieces and dictionaries as digests), and `items`, a 64-bit
//! FNV-1a mark of each event and loss row: not needed for the proof, they
//! let `raudit verify` name the edited record, the swapped pair or the
//! deleted event instead of only the broken commit, for a fraction of a
//! second SHA-256 per event.
//!
//! `mac` = HMAC-SHA256(key, version, previous mac, the row's numbers,
//! content). The key lives in a file outside the database (0600, created
//! at the first start). A prune is a commit too: it names the newest
//! commit it deleted (`pruned`), whose row stays as the chain's new start
//! and whose MAC this one covers. An event's digest leaves out its id, so
//! two swapped events show as a reorder; the ids' order is covered by the
//! order of the items and the MACed ranges.

use std::path::{Path, PathBuf};

use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::sha256::{hex, sha256, unhex, Digest, Hmac, Sha256};

const VERSION: &[u8] = b"raudit chain 1";
/// Bytes of an item's digest kept in `items`.
pub const SHORT: usize = 8;
/// An entry of `pieces`: kind, two ids, the digest.
pub const PIECE_ENTRY: usize = 1 + 8 + 8 + 32;
pub const KIND_PIECE: u8 = b'P';
pub const KIND_DICT: u8 = b'D';

/// The environment variable naming the key file for every command.
pub const KEY_ENV: &str = "RAUDIT_CHAIN_KEY";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("chain key {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("chain key {} is readable or writable by others (mode {mode:04o}); run chmod 600 {}", path.display(), path.display())]
    Exposed { path: PathBuf, mode: u32 },
    #[error("chain key {} is not a raudit key (64 hexadecimal digits); restore it from its backup", path.display())]
    Malformed { path: PathBuf },
}

/// The key a database's chain is made with, and where it came from.
#[derive(Clone)]
pub struct Key {
    pub path: PathBuf,
    hmac: Hmac,
    fingerprint: String,
}

impl Key {
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Key {
        let hmac = Hmac::new(bytes);
        let fingerprint = hex(&hmac.mac(&[VERSION, b" key id"])[..SHORT]);
        Key {
            path: path.to_path_buf(),
            hmac,
            fingerprint,
        }
    }

    /// Reads a key file, which must be this user's alone.
    pub fn read(path: &Path) -> Result<Key, KeyError> {
        use std::os::unix::fs::PermissionsExt;
        let io = |source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(KeyError::Exposed {
                path: path.to_path_buf(),
                mode,
            });
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        let bytes = unhex(text.trim())
            .filter(|b| b.len() == 32)
            .ok_or_else(|| KeyError::Malformed {
                path: path.to_path_buf(),
            })?;
        Ok(Key::from_bytes(path, &bytes))
    }

    /// Reads the key file, creating it (0600, 32 random bytes in
    /// hexadecimal, in a 0700 directory if there is none) if missing.
    pub fn read_or_create(path: &Path) -> Result<Key, KeyError> {
        use std::io::{Read, Write};
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        let io = |source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        };
        if path.exists() {
            return Key::read(path);
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(io)?;
        }
        let mut bytes = [0u8; 32];
        std::fs::File::open("/dev/urandom")
            .and_then(|mut f| f.read_exact(&mut bytes))
            .map_err(io)?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)
            .map_err(io)?;
        writeln!(file, "{}", hex(&bytes))
            .and_then(|()| file.sync_all())
            .map_err(io)?;
        Ok(Key::from_bytes(path, &bytes))
    }

    /// Names the key without revealing it (kept in `state`).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

/// The key file of a database unless configured: `$RAUDIT_CHAIN_KEY`, else
/// beside it (`audit.db.key`).
pub fn default_key_path(db: &Path) -> PathBuf {
    if let Some(p) = env_key() {
        return p;
    }
    let mut p = db.as_os_str().to_os_string();
    p.push(".key");
    PathBuf::from(p)
}

/// The key file `$RAUDIT_CHAIN_KEY` names, if any.
pub fn env_key() -> Option<PathBuf> {
    std::env::var_os(KEY_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// A chain row's numbers, as MACed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Link {
    pub seq: i64,
    pub time_ms: i64,
    pub events: Option<(i64, i64)>,
    pub losses: Option<(i64, i64)>,
    /// A prune: the newest commit deleted, and its MAC.
    pub pruned: Option<(i64, Digest)>,
    pub content: Digest,
}

impl Link {
    pub fn mac(&self, key: &Key, prev: &Digest) -> Digest {
        let opt = |r: Option<(i64, i64)>| {
            let (a, b) = r.unwrap_or((i64::MIN, i64::MIN));
            [a.to_be_bytes(), b.to_be_bytes()].concat()
        };
        let (pruned_seq, pruned_mac) = self.pruned.unwrap_or((i64::MIN, [0; 32]));
        key.hmac.mac(&[
            VERSION,
            prev,
            &self.seq.to_be_bytes(),
            &self.time_ms.to_be_bytes(),
            &opt(self.events),
            &opt(self.losses),
            &pruned_seq.to_be_bytes(),
            &pruned_mac,
            &self.content,
        ])
    }
}

fn put_blob(out: &mut Vec<u8>, v: ValueRef<'_>) {
    let (tag, bytes): (u8, &[u8]) = match v {
        ValueRef::Text(t) => (b't', t),
        ValueRef::Blob(b) => (b'b', b),
        _ => (b'n', &[]),
    };
    out.push(tag);
    out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    out.extend_from_slice(bytes);
}

fn put_int(out: &mut Vec<u8>, v: Option<i64>) {
    match v {
        Some(n) => {
            out.push(b'i');
            out.extend_from_slice(&n.to_be_bytes());
        }
        None => out.push(b'n'),
    }
}

/// An event as hashed: time, serial, dictionary and body as stored (not
/// its id; see the module's documentation), into `out` (cleared).
pub fn event_bytes(
    out: &mut Vec<u8>,
    time_ms: i64,
    serial: i64,
    body: ValueRef<'_>,
    dict: Option<i64>,
) {
    body_bytes(out, b'E', time_ms, serial, body, dict);
}

/// A piece's digest: the event it joined, its place, its body as stored.
pub fn piece_digest(event: i64, seq: i64, body: ValueRef<'_>, dict: Option<i64>) -> Digest {
    let mut out = Vec::new();
    body_bytes(&mut out, b'P', event, seq, body, dict);
    sha256(&out)
}

fn body_bytes(out: &mut Vec<u8>, tag: u8, a: i64, b: i64, body: ValueRef<'_>, dict: Option<i64>) {
    out.clear();
    out.push(tag);
    put_int(out, Some(a));
    put_int(out, Some(b));
    put_int(out, dict);
    put_blob(out, body);
}

pub fn dict_digest(id: i64, bytes: &[u8]) -> Digest {
    let mut out = vec![b'D'];
    put_int(&mut out, Some(id));
    put_blob(&mut out, ValueRef::Blob(bytes));
    sha256(&out)
}

/// The SQL reading a loss row's hashed columns, then [`loss_bytes`].
pub const LOSS_COLUMNS: &str =
    "id, time_ms, kind, first_serial, last_serial, count, detail, start_ms";

/// A loss row as hashed, into `out` (cleared).
pub fn loss_bytes(out: &mut Vec<u8>, r: &rusqlite::Row<'_>) -> rusqlite::Result<()> {
    out.clear();
    out.push(b'L');
    put_int(out, r.get(1)?);
    put_blob(out, r.get_ref(2)?);
    put_int(out, r.get(3)?);
    put_int(out, r.get(4)?);
    put_int(out, r.get(5)?);
    put_blob(out, r.get_ref(6)?);
    put_int(out, r.get(7)?);
    Ok(())
}

/// An item's mark in `items`: FNV-1a, 64 bits. Only for naming what
/// changed: the proof is the SHA-256 over the items themselves, so a
/// cheap hash spares a second SHA-256 pass over every event.
pub fn short(bytes: &[u8]) -> [u8; SHORT] {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h.to_be_bytes()
}

/// A prune row's content: the name of the archive it moved commits to.
pub fn prune_content(archive: &[u8]) -> Digest {
    let mut h = Sha256::new();
    h.update(archive);
    h.finish()
}

/// The digest over a commit's items, in order.
#[derive(Default)]
pub struct Content {
    all: Sha256,
    pub items: Vec<u8>,
    pub pieces: Vec<u8>,
}

impl Content {
    /// An event or loss row, as hashed.
    pub fn item(&mut self, bytes: &[u8]) {
        self.all.update(bytes);
        self.items.extend_from_slice(&short(bytes));
    }

    /// A piece or dictionary, listed in full.
    pub fn listed(&mut self, kind: u8, a: i64, b: i64, d: &Digest) {
        self.all.update(d);
        self.pieces.push(kind);
        self.pieces.extend_from_slice(&a.to_be_bytes());
        self.pieces.extend_from_slice(&b.to_be_bytes());
        self.pieces.extend_from_slice(d);
    }

    pub fn finish(self) -> (Digest, Vec<u8>, Vec<u8>) {
        (self.all.finish(), self.items, self.pieces)
    }
}

/// Where the writer's chain stands.
pub struct Chain {
    key: Key,
    next_seq: i64,
    prev: Digest,
    last_event: i64,
    last_loss: i64,
    last_dict: i64,
    /// Pieces stored before the chain began, for its first commit.
    adopt: Vec<(i64, i64)>,
}

/// A row written in a transaction not yet committed.
pub struct Sealed {
    seq: i64,
    mac: Digest,
    last_event: i64,
    last_loss: i64,
    last_dict: i64,
}

impl Chain {
    /// Where a database's chain stands; the key must be the one it was made
    /// with (its fingerprint is in `state`).
    pub fn load(conn: &Connection, key: Key) -> rusqlite::Result<Result<Chain, String>> {
        let stored: Option<String> = conn
            .query_row("SELECT value FROM state WHERE key = 'chain_key'", [], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(fp) = stored.filter(|fp| fp != key.fingerprint()) {
            return Ok(Err(format!(
                "its chain was made with another key (fingerprint {fp}, {} has {}); give the database's key, or start a new database",
                key.path.display(),
                key.fingerprint()
            )));
        }
        let last: Option<(i64, Vec<u8>)> = conn
            .query_row(
                "SELECT seq, mac FROM chain ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let max = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, Option<i64>>(0));
        let covered_event = max("SELECT max(last_event) FROM chain")?.unwrap_or(0);
        let covered_loss = max("SELECT max(last_loss) FROM chain")?.unwrap_or(0);
        let (next_seq, prev) = match &last {
            Some((seq, mac)) => (seq + 1, mac.as_slice().try_into().unwrap_or([0; 32])),
            None => (1, [0; 32]),
        };
        // A database from before the chain: its first commit covers what
        // is stored already, dictionaries included.
        let last_dict = match last {
            Some(_) => max("SELECT max(id) FROM body_dict")?.unwrap_or(0),
            None => 0,
        };
        let adopt = match last {
            Some(_) => Vec::new(),
            None => conn
                .prepare("SELECT event_id, seq FROM body_more ORDER BY event_id, seq")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?,
        };
        Ok(Ok(Chain {
            key,
            next_seq,
            prev,
            last_event: covered_event,
            last_loss: covered_loss,
            last_dict,
            adopt,
        }))
    }

    pub fn key(&self) -> &Key {
        &self.key
    }

    /// Adds the chain row of what `tx` wrote: the events and loss rows
    /// past the last covered ones, the dictionaries stored, and `pieces`
    /// ((event, seq) of `body_more` rows added). None if it wrote nothing
    /// the chain covers.
    pub fn seal(
        &self,
        tx: &Transaction<'_>,
        pieces: &[(i64, i64)],
        time_ms: i64,
    ) -> rusqlite::Result<Option<Sealed>> {
        let mut content = Content::default();
        let mut events: Option<(i64, i64)> = None;
        {
            let mut stmt = tx.prepare_cached(
                "SELECT id, time_ms, serial, body, dict FROM event WHERE id > ?1 ORDER BY id",
            )?;
            let mut rows = stmt.query([self.last_event])?;
            let mut bytes = Vec::new();
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                events = Some((events.map_or(id, |e| e.0), id));
                event_bytes(&mut bytes, r.get(1)?, r.get(2)?, r.get_ref(3)?, r.get(4)?);
                content.item(&bytes);
            }
        }
        let mut last_dict = self.last_dict;
        {
            let mut stmt =
                tx.prepare_cached("SELECT id, dict FROM body_dict WHERE id > ?1 ORDER BY id")?;
            let mut rows = stmt.query([self.last_dict])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                last_dict = id;
                let bytes: Vec<u8> = r.get(1)?;
                content.listed(KIND_DICT, id, 0, &dict_digest(id, &bytes));
            }
        }
        for &(event, seq) in self.adopt.iter().chain(pieces) {
            let (body, dict) = tx
                .prepare_cached(
                    "SELECT body, dict FROM body_more WHERE event_id = ?1 AND seq = ?2",
                )?
                .query_row([event, seq], |r| {
                    Ok((r.get::<_, rusqlite::types::Value>(0)?, r.get(1)?))
                })?;
            let d = piece_digest(event, seq, (&body).into(), dict);
            content.listed(KIND_PIECE, event, seq, &d);
        }
        let losses = self.seal_losses(tx, &mut content)?;
        if events.is_none() && losses.is_none() && content.pieces.is_empty() {
            return Ok(None);
        }
        let (digest, items, listed) = content.finish();
        let link = Link {
            seq: self.next_seq,
            time_ms,
            events,
            losses,
            pruned: None,
            content: digest,
        };
        let mac = self.insert(tx, &link, &items, &listed)?;
        Ok(Some(Sealed {
            seq: link.seq,
            mac,
            last_event: events.map_or(self.last_event, |e| e.1),
            last_loss: losses.map_or(self.last_loss, |l| l.1),
            last_dict,
        }))
    }

    fn seal_losses(
        &self,
        tx: &Transaction<'_>,
        content: &mut Content,
    ) -> rusqlite::Result<Option<(i64, i64)>> {
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT {LOSS_COLUMNS} FROM loss WHERE id > ?1 ORDER BY id"
        ))?;
        let mut rows = stmt.query([self.last_loss])?;
        let mut range: Option<(i64, i64)> = None;
        let mut bytes = Vec::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            range = Some((range.map_or(id, |l| l.0), id));
            loss_bytes(&mut bytes, r)?;
            content.item(&bytes);
        }
        Ok(range)
    }

    /// Adds a prune's row: commits up to `seq` (whose MAC is `mac`) were
    /// deleted, or moved to the archive named `archive` (a file name
    /// beside the database; empty for none), which the row covers.
    pub fn seal_prune(
        &self,
        tx: &Transaction<'_>,
        (seq, mac): (i64, Digest),
        archive: &str,
        time_ms: i64,
    ) -> rusqlite::Result<Sealed> {
        let link = Link {
            seq: self.next_seq,
            time_ms,
            pruned: Some((seq, mac)),
            content: prune_content(archive.as_bytes()),
            ..Link::default()
        };
        // The deleted row's MAC is kept here too: a later prune may delete
        // that row while this one stays.
        let mac = self.insert(tx, &link, archive.as_bytes(), &mac)?;
        Ok(Sealed {
            seq: link.seq,
            mac,
            last_event: self.last_event,
            last_loss: self.last_loss,
            last_dict: self.last_dict,
        })
    }

    fn insert(
        &self,
        tx: &Transaction<'_>,
        link: &Link,
        items: &[u8],
        pieces: &[u8],
    ) -> rusqlite::Result<Digest> {
        let mac = link.mac(&self.key, &self.prev);
        if link.seq == 1 {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO state (key, value) VALUES ('chain_key', ?1)",
            )?
            .execute([self.key.fingerprint()])?;
        }
        tx.prepare_cached(
            "INSERT INTO chain (seq, time_ms, first_event, last_event, first_loss, last_loss,
                 pruned, items, pieces, content, mac)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            link.seq,
            link.time_ms,
            link.events.map(|e| e.0),
            link.events.map(|e| e.1),
            link.losses.map(|l| l.0),
            link.losses.map(|l| l.1),
            link.pruned.map(|p| p.0),
            items,
            pieces,
            &link.content[..],
            &mac[..],
        ])?;
        Ok(mac)
    }

    /// The sealed row's transaction committed: the chain goes on from it.
    pub fn advance(&mut self, sealed: Sealed) {
        self.next_seq = sealed.seq + 1;
        self.prev = sealed.mac;
        self.last_event = sealed.last_event;
        self.last_loss = sealed.last_loss;
        self.last_dict = sealed.last_dict;
        self.adopt.clear();
    }

    /// The newest commit: (seq, mac), for checkpoints.
    pub fn head(&self) -> Option<(i64, Digest)> {
        (self.next_seq > 1).then_some((self.next_seq - 1, self.prev))
    }
}

/// A commit named outside the database (an exported anchor, the writer's
/// checkpoint file): a later chain must still hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub mac: Digest,
    pub time_ms: i64,
}

impl Anchor {
    /// One line: `raudit-anchor 1 seq=N mac=HEX time_ms=T`.
    pub fn line(&self) -> String {
        format!(
            "raudit-anchor 1 seq={} mac={} time_ms={}",
            self.seq,
            hex(&self.mac),
            self.time_ms
        )
    }

    /// The last anchor line of a text (a checkpoint file, a ticket).
    pub fn parse(text: &str) -> Option<Anchor> {
        text.lines().rev().find_map(|line| {
            let rest = line.trim().strip_prefix("raudit-anchor 1 ")?;
            let field = |name: &str| {
                rest.split_whitespace()
                    .find_map(|f| f.strip_prefix(name)?.strip_prefix('='))
            };
            Some(Anchor {
                seq: field("seq")?.parse().ok()?,
                mac: unhex(field("mac")?)?.try_into().ok()?,
                time_ms: field("time_ms")?.parse().ok()?,
            })
        })
    }

    /// Writes the anchor to `path` in place of what was there (a new file
    /// renamed over it, so a reader never sees half of one).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut tmp = path.as_os_str().to_os_string();
        tmp.push(".new");
        let tmp = PathBuf::from(tmp);
        let _ = std::fs::remove_file(&tmp);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&tmp)?;
        writeln!(f, "{}", self.line())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    }
}

/// Where a writer keeps its newest checkpoint: beside its key
/// (`chain.key` -> `chain.checkpoint`), outside the database.
pub fn checkpoint_path(key: &Path) -> PathBuf {
    key.with_extension("checkpoint")
}
