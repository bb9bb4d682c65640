//! `raudit verify`: walks a database's tamper-evident chain and says
//! whether it holds, or where it first breaks. It only reads: the
//! database is opened read-only, as search opens it.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::Outcome;
use crate::store::chain::{checkpoint_path, Anchor, Key};
use crate::store::{open_read_only, verify};

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Database to verify [default: $RAUDIT_DB, else log_file of
    /// raudit.conf, else /var/lib/raudit/audit.db].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The chain's key file [default: $RAUDIT_CHAIN_KEY, else chain_key of
    /// raudit.conf for its database, else the database's path with .key
    /// appended]. Without a readable key the
    /// MACs are not checked (said on stderr).
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// An anchor exported earlier (or the writer's checkpoint file): the
    /// chain must still hold its commit, unchanged [default: the
    /// checkpoint beside the key, if there is one].
    #[arg(long, value_name = "FILE")]
    pub anchor: Option<PathBuf>,
    /// After a clean walk, write the newest commit as an anchor line to
    /// FILE, to keep elsewhere (another host, a ticket, paper).
    #[arg(long, value_name = "FILE")]
    pub export_anchor: Option<PathBuf>,
    /// Print nothing on success.
    #[arg(short, long)]
    pub quiet: bool,
}

pub const ABOUT: &str = "Walk the database's tamper-evident chain: every commit's events, \
appended records, loss rows and dictionaries are hashed again from the stored rows, each \
commit's HMAC-SHA256 recomputed with the key and linked to the one before, and the newest \
commit compared with an anchor. The first break is named on one line and the exit status is 2.

Detected: an edited record (one byte of an event's stored body, time or serial), a deleted \
or inserted event, two events swapped, edited, deleted or inserted loss rows, records \
appended to an event edited or deleted, a compression dictionary replaced, chain rows \
deleted or edited, a chain recomputed without the key (or with another key), an archive \
(prune --archive) missing, replaced or edited, and, against an anchor or the writer's \
checkpoint, a truncated tail or a rewritten commit.

Not detected: changes to the search indexes derived from the records (the shape, path and \
key tables: search may then miss an event, but its records still verify); a truncated tail \
without an anchor or checkpoint newer than the cut; anything done by whoever holds the key: \
with root and the key, an attacker can forge the chain from then on, and rewrite the past as \
far back as the last anchor kept out of reach. Retention (max_age, max_db_size, prune) \
deletes the oldest commits through the chain itself, and verify says what was pruned. \
An archive verifies on its own too (give the live database's --key); its first commit is \
recognised as a start only when retention had already pruned before it and the prune that \
did so was archived with it, so verify archives through the live database.";

pub fn run(args: VerifyArgs) -> anyhow::Result<Outcome> {
    let db = args.db.clone().unwrap_or_else(crate::config::default_db);
    let conn = open_read_only(&db)?;
    let key_path = args
        .key
        .clone()
        .unwrap_or_else(|| crate::config::chain_key_for(&db));
    let key = match Key::read(&key_path) {
        Ok(k) => Some(k),
        Err(e) if args.key.is_some() => return Err(e.into()),
        Err(e) => {
            eprintln!("raudit verify: warning: MACs not checked ({e}); give the key with --key");
            None
        }
    };
    let archive = crate::store::archive::is_archive(&conn);
    let anchor = match (&args.anchor, archive) {
        // The checkpoint beside the key is the live database's.
        (None, true) => None,
        (given, _) => read_anchor(given.as_ref(), &key_path)?,
    };
    let tty = std::io::stderr().is_terminal() && !args.quiet;
    let mut progress = |done: u64, all: u64| {
        if tty {
            eprint!("\rverifying: {done}/{all} commits");
            let _ = std::io::stderr().flush();
        }
    };
    let started = std::time::Instant::now();
    let (summary, broken) = verify::walk(
        &conn,
        verify::Walk {
            db: Some(&db),
            key: key.as_ref(),
            anchor: anchor.as_ref(),
            bases: &[],
            progress: &mut progress,
        },
    )
    .with_context(|| format!("reading {}", db.display()))?;
    if tty {
        eprintln!();
    }
    if let Some(b) = broken {
        eprintln!("raudit verify: {}: {b}", db.display());
        return Ok(Outcome::Exit(2));
    }
    if let (Some(file), Some(head)) = (&args.export_anchor, &summary.head) {
        std::fs::write(file, format!("{}\n", head.line()))
            .with_context(|| format!("writing the anchor to {}", file.display()))?;
    }
    if !args.quiet {
        println!(
            "{}",
            report(&db, &summary, anchor.is_some(), started.elapsed())
        );
    }
    Ok(Outcome::Success)
}

fn read_anchor(given: Option<&PathBuf>, key: &std::path::Path) -> anyhow::Result<Option<Anchor>> {
    let (path, required) = match given {
        Some(p) => (p.clone(), true),
        None => (checkpoint_path(key), false),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(_) if !required => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("anchor {}", path.display())),
    };
    match Anchor::parse(&text) {
        Some(a) => Ok(Some(a)),
        None => anyhow::bail!(
            "anchor {}: no line 'raudit-anchor 1 seq=... mac=... time_ms=...' in it; give the file `raudit verify --export-anchor` wrote",
            path.display()
        ),
    }
}

fn report(
    db: &std::path::Path,
    s: &verify::Summary,
    anchored: bool,
    took: std::time::Duration,
) -> String {
    let mut line = format!(
        "{}: chain intact: {} commits, {} events",
        db.display(),
        s.commits,
        s.events
    );
    if let Some(p) = s.pruned_through {
        line.push_str(&format!(", older commits pruned through {p}"));
    }
    if s.archives > 0 {
        line.push_str(&format!(
            ", {} archive(s) holding {} events",
            s.archives, s.archived_events
        ));
    }
    line.push_str(if s.keyed {
        ", MACs checked"
    } else {
        ", MACs NOT checked (no key)"
    });
    if anchored {
        line.push_str(if s.anchor_pruned {
            ", anchor older than the pruned start"
        } else {
            ", anchor held"
        });
    }
    let secs = took.as_secs_f64().max(1e-6);
    line.push_str(&format!(" ({:.0} events/s)", s.events as f64 / secs));
    line
}

/// For `search --verified`: the chain walked once, to flag events from a
/// broken part of it.
pub struct Flags {
    summary: verify::Summary,
    why: String,
}

pub fn unverified(
    conn: &rusqlite::Connection,
    db: &std::path::Path,
    format: crate::output::Format,
) -> anyhow::Result<Flags> {
    use crate::output::Format;
    if matches!(format, Format::Json | Format::Csv) {
        anyhow::bail!("--verified flags events in the default, raw, interpret and text forms; for csv or json, check the database with raudit verify first");
    }
    let key_path = crate::config::chain_key_for(db);
    let key = Key::read(&key_path)
        .context("--verified needs the chain's key; give it with $RAUDIT_CHAIN_KEY")?;
    let (summary, broken) = verify::walk(
        conn,
        verify::Walk {
            db: None,
            key: Some(&key),
            anchor: None,
            bases: &[],
            progress: &mut |_, _| {},
        },
    )
    .with_context(|| format!("reading {}", db.display()))?;
    let why = broken.map_or_else(String::new, |b| b.to_string());
    if !why.is_empty() {
        eprintln!("raudit search: {}: {why}", db.display());
    }
    Ok(Flags { summary, why })
}

impl Flags {
    /// The line before an event the chain does not vouch for.
    pub fn flag(&self, out: &mut impl Write, id: i64) -> std::io::Result<()> {
        if self.summary.verified(id) {
            return Ok(());
        }
        let why = match self.why.as_str() {
            "" => "no commit of the chain stored it",
            why => why,
        };
        writeln!(out, "# unverified: {why}")
    }
}
