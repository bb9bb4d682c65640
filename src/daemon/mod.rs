//! `raudit daemon`: receives every audit record and stores it as events.
//!
//! ```text
//! reader thread ──Input──> pipeline (this thread) ──Output──> writer thread
//! ```
//! This thread also watches signals and disk conditions; a fourth thread
//! polls the kernel's `lost` counter.

mod disk;
mod lifecycle;
mod lost;
mod outputs;
mod pipeline;
mod reader;
mod restart;
mod retention;
mod writer;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;

use rusqlite::types::Value;

use crate::config::Config;
use crate::netlink::{AuditSocket, NetlinkError};
use crate::rules::dir::Report;
use crate::store::{Encoder, StoreError, Writer};

use pipeline::{Flags, Pipeline};
use reader::{Budget, Input, Reader};
use writer::{Message, Shared, WriterThread};

#[derive(Debug, Clone)]
pub struct Options {
    /// The settings in effect at start: the file's, with `overrides` applied.
    pub config: Config,
    /// Re-read on SIGHUP; `None` when the built-in defaults are in use.
    pub config_path: Option<PathBuf>,
    /// Settings given on the command line: they win over the file's, at
    /// start and at every reload.
    pub overrides: Overrides,
    /// Record beside another audit daemon through the read-only multicast
    /// group, without touching kernel settings.
    pub observe: bool,
}

/// Command-line settings that override the configuration file's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub db: Option<PathBuf>,
    pub eoe_timeout: Option<std::time::Duration>,
}

impl Overrides {
    pub fn apply(&self, config: &mut Config) {
        if let Some(db) = &self.db {
            config.db = db.clone();
        }
        if let Some(t) = self.eoe_timeout {
            config.eoe_timeout = t;
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("raudit daemon needs root (CAP_AUDIT_CONTROL); run it as root")]
    NotRoot,
    #[error("{comm} (pid {pid}) is the registered audit daemon; stop it first, or start raudit with --observe to record beside it")]
    OtherDaemon { pid: u32, comm: String },
    #[error(transparent)]
    Netlink(#[from] NetlinkError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("signal handling: {0}")]
    Signal(std::io::Error),
    #[error("a daemon thread panicked")]
    Thread,
}

/// Bytes of records waiting for the assembler. A burst the store cannot
/// keep up with fills it in about half a second at the kernel's full rate;
/// past it the reader keeps draining the socket and counts what it drops,
/// rather than growing or letting the kernel stall audited processes.
const RECORD_QUEUE_BYTES: usize = 16 << 20;
/// Batches of rows waiting for the writer (each from one reader batch of
/// at most 256 KiB of records, smaller once compressed).
const WRITER_QUEUE: usize = 64;
/// Room for ~0.1 s of records at full speed: if the reader is ever
/// descheduled that long the kernel waits instead of overrunning the socket
/// (an overrun drops records and makes kauditd back off).
const RECEIVE_BUFFER: usize = 32 << 20;
/// How much auditd raises its priority by default (auditd.conf's
/// `priority_boost = 4`): the daemon must outrun the processes it records.
const PRIORITY_BOOST: i32 = 4;

struct Signals {
    stop: Arc<AtomicBool>,
    /// SIGHUP: reload the configuration and the rules.
    reload: Arc<AtomicBool>,
    /// SIGUSR2: resume storing after a suspension, as auditd's.
    resume: Arc<AtomicBool>,
}

fn signals() -> Result<Signals, DaemonError> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGUSR2};
    let flag = |sigs: &[i32]| -> Result<Arc<AtomicBool>, DaemonError> {
        let f = Arc::new(AtomicBool::new(false));
        for sig in sigs {
            signal_hook::flag::register(*sig, Arc::clone(&f)).map_err(DaemonError::Signal)?;
        }
        Ok(f)
    };
    Ok(Signals {
        stop: flag(&[SIGTERM, SIGINT])?,
        reload: flag(&[SIGHUP])?,
        resume: flag(&[SIGUSR2])?,
    })
}

/// The threads beside the assembler, and how to stop them.
struct Threads {
    reader: JoinHandle<AuditSocket>,
    reader_stop: Arc<AtomicBool>,
    writer: JoinHandle<Result<(), StoreError>>,
    poller_stop: Arc<AtomicBool>,
    outputs: outputs::Outputs,
}

pub fn run(opts: &Options) -> Result<(), DaemonError> {
    if !nix::unistd::geteuid().is_root() {
        return Err(DaemonError::NotRoot);
    }
    let config = &opts.config;
    let signals = signals()?;
    let store = Writer::open_keyed(&config.db, &config.chain_key_path())?;
    let mut control = AuditSocket::open()?;
    let found = control.get_status()?;
    let mut events_sock = events_socket()?;
    boost_priority();
    let mode = if opts.observe { "observe" } else { "primary" };
    let registration = if opts.observe {
        events_sock.join_readlog()?;
        None
    } else {
        lifecycle::check_no_other_daemon(&found)?;
        Some(lifecycle::register(&mut events_sock, &found)?)
    };
    warn_about_settings(opts.config_path.as_deref(), config);
    let rules = registration
        .is_some()
        .then(|| load_rules(&config.rules_dir));
    if rules.is_some() {
        warn_about_backlog(&mut control, &config.rules_dir);
    }
    let node = node_name(config);
    let previous = restart::Previous::read(&store, node.as_deref());
    let encoder = Encoder::new(store.dict_state()?);

    let shared = Arc::new(Shared::default());
    let budget = Budget::new(RECORD_QUEUE_BYTES);
    let (rec_tx, rec_rx) = mpsc::channel::<Input>();
    let (out_tx, out_rx) = mpsc::sync_channel::<Message>(WRITER_QUEUE);
    let (lost_tx, lost_rx) = mpsc::channel();
    // Before DAEMON_START is stored, so that the outputs get it.
    let outputs = outputs::start(config, &out_tx);
    let threads = spawn_threads(
        config,
        store,
        Reader::new(events_sock, rec_tx, Arc::clone(&budget)),
        out_rx,
        Arc::clone(&shared),
        (found.lost, lost_tx),
        outputs,
    )?;
    let mut pipeline = Pipeline::new(config, node, encoder, out_tx, budget, shared, lost_rx);
    pipeline.read_context(crate::enrich::Enricher::new(std::path::Path::new("/proc")));
    previous.apply(&mut pipeline, &found);
    pipeline.emit(lifecycle::start_event(&config.db, mode));
    if let Some(Ok(report)) = &rules {
        pipeline.emit(lifecycle::rules_event(&config.rules_dir, report));
    }
    pipeline.send();
    eprintln!("{}", start_line(opts, mode, rules.as_ref()));
    let flags = Flags {
        stop: &signals.stop,
        reload: &signals.reload,
        resume: &signals.resume,
    };
    pipeline.run_until(&rec_rx, flags, |p| reload(opts, p));
    shutdown(opts, mode, pipeline, rec_rx, threads, control, registration)
}

/// The socket records arrive on, with a receive buffer large enough for
/// bursts.
fn events_socket() -> Result<AuditSocket, DaemonError> {
    let sock = AuditSocket::open()?;
    // The kernel reports twice the size set (its bookkeeping share).
    let got = sock.set_receive_buffer(RECEIVE_BUFFER) / 2;
    if got < RECEIVE_BUFFER {
        eprintln!(
            "raudit daemon: receive buffer is {got} bytes, not {RECEIVE_BUFFER}: bursts \
             may be lost sooner (SO_RCVBUFFORCE needs CAP_NET_ADMIN; without it \
             net.core.rmem_max caps the buffer)"
        );
    }
    Ok(sock)
}

fn spawn_threads(
    config: &Config,
    store: Writer,
    reader: Reader,
    out_rx: mpsc::Receiver<Message>,
    shared: Arc<Shared>,
    (lost_seen, lost_tx): (u32, mpsc::Sender<lost::Growth>),
    outputs: outputs::Outputs,
) -> Result<Threads, DaemonError> {
    let policy = writer::Policy {
        disk_full: config.disk_full_action.clone(),
        disk_error: config.disk_error_action.clone(),
        durability: config.durability(),
        wal_limit: config.max_wal_size << 20,
        max_age_days: config.max_age,
    };
    let thread = WriterThread::new(store, policy, disk::DiskPolicy::new(config), shared);
    let writer = std::thread::Builder::new()
        .name("raudit-writer".into())
        .spawn(move || thread.run(out_rx))
        .map_err(DaemonError::Signal)?;
    let reader_stop = Arc::new(AtomicBool::new(false));
    let stop = Arc::clone(&reader_stop);
    let reader = std::thread::Builder::new()
        .name("raudit-reader".into())
        .spawn(move || reader.run(stop))
        .map_err(DaemonError::Signal)?;
    let poller_stop = Arc::new(AtomicBool::new(false));
    lost::spawn(
        AuditSocket::open()?,
        lost_seen,
        lost_tx,
        Arc::clone(&poller_stop),
    )
    .map_err(DaemonError::Signal)?;
    Ok(Threads {
        reader,
        reader_stop,
        writer,
        poller_stop,
        outputs,
    })
}

/// Release the audit pid first, so the kernel holds new records for the
/// next daemon instead of sending them to a socket nobody reads; then
/// take what is already queued, complete every open event, record what
/// is pending (gaps, a suspension, the lost counter), DAEMON_END last,
/// and wait for the writer to commit it.
fn shutdown(
    opts: &Options,
    mode: &str,
    mut pipeline: Pipeline,
    rec_rx: mpsc::Receiver<Input>,
    threads: Threads,
    mut control: AuditSocket,
    registration: Option<lifecycle::Registration>,
) -> Result<(), DaemonError> {
    threads.reader_stop.store(true, Ordering::Relaxed);
    // The reader may be handing on a batch: keep taking them until it has
    // stopped.
    while !threads.reader.is_finished() {
        if let Ok(item) = rec_rx.recv_timeout(std::time::Duration::from_millis(20)) {
            pipeline.take(item);
        }
    }
    let mut events_sock = threads.reader.join().map_err(|_| DaemonError::Thread)?;
    let release = match &registration {
        Some(reg) => lifecycle::unregister(&mut control, reg),
        None => Ok(()),
    };
    while let Ok(item) = rec_rx.try_recv() {
        pipeline.take(item);
    }
    reader::drain(&mut events_sock, |batch| {
        pipeline.take(Input::Records(batch))
    });
    threads.poller_stop.store(true, Ordering::Relaxed);
    pipeline.finish();
    if let Ok(status) = control.get_status() {
        pipeline.set_state("kernel_lost", Value::Integer(i64::from(status.lost)));
    }
    pipeline.emit(lifecycle::end_event(&opts.config.db, mode));
    pipeline.send();
    drop(pipeline);
    threads.outputs.release_writer();
    let stored = threads.writer.join().map_err(|_| DaemonError::Thread)?;
    threads.outputs.finish();
    release?;
    stored?;
    Ok(())
}

/// The node name, or none (with a warning) when it cannot be resolved.
fn node_name(config: &Config) -> Option<String> {
    config.node_name().unwrap_or_else(|e| {
        eprintln!("raudit daemon: resolving the node name: {e}; events carry none");
        None
    })
}

/// What the machine cannot honour of the settings (a script that is not
/// there, a database directory it cannot write), once at start and at
/// each reload: a script may be put in place later. The rules directory
/// is [`load_rules`]'s to report.
fn warn_about_settings(path: Option<&Path>, config: &Config) {
    let origin = path.map_or("built-in defaults".into(), |p| p.display().to_string());
    for finding in crate::config::machine::check_for(config, false) {
        eprintln!("raudit daemon: warning: {origin}: {finding}");
    }
}

/// The backlog the shipped rules set (as auditd's do).
const ADVISED_BACKLOG: u32 = 8192;

/// A kernel backlog left at its boot default (64) makes the audited
/// processes of any burst wait: up to backlog_wait_time (60 s), the whole
/// of it when the kernel misses the wake-up as the queue empties (seen
/// here: 100,000 open() took 250 s instead of 5). Said once at start,
/// after the rules (which may set it) are loaded.
fn warn_about_backlog(control: &mut AuditSocket, rules_dir: &Path) {
    let Ok(status) = control.get_status() else {
        return;
    };
    if status.backlog_limit < ADVISED_BACKLOG && status.backlog_wait_time > 0 {
        eprintln!(
            "raudit daemon: warning: the kernel's backlog_limit is {}: bursts will make audited \
             processes wait; add \"-b {ADVISED_BACKLOG}\" to a rules file in {}",
            status.backlog_limit,
            rules_dir.display()
        );
    }
}

/// `raudit daemon: started (pid N, config C, database D, rules: ...,
/// mode M)`: the settings the daemon runs with, on stderr (hence the
/// journal), as auditd logs its start.
fn start_line(opts: &Options, mode: &str, rules: Option<&Result<Report, String>>) -> String {
    let config = match &opts.config_path {
        Some(path) => path.display().to_string(),
        None => "none, built-in defaults".into(),
    };
    let dir = opts.config.rules_dir.display();
    let rules = match rules {
        None => "left to the registered daemon".to_string(),
        Some(Err(why)) => format!("none loaded ({why})"),
        Some(Ok(r)) if r.immutable => {
            format!("none loaded from {dir}: the kernel's configuration is locked")
        }
        Some(Ok(r)) if r.incomplete() => {
            let n = r.problems().len();
            let s = if n == 1 { "" } else { "s" };
            format!(
                "{} loaded from {dir}, {n} problem{s} (see raudit ctl --check)",
                r.rules_added
            )
        }
        Some(Ok(r)) => format!("{} loaded from {dir}", r.rules_added),
    };
    format!(
        "raudit daemon: started (pid {pid}, config {config}, database {db}, rules: {rules}, mode {mode})",
        pid = std::process::id(),
        db = opts.config.db.display(),
    )
}

/// Loads the rules directory into the kernel, as augenrules and auditd's
/// start do, every line that can be: each line or file that cannot is
/// named (file:line: why) and the daemon records on with what did load.
/// `Err` says why nothing was loaded.
fn load_rules(dir: &Path) -> Result<Report, String> {
    if !dir.is_dir() {
        let why = format!("{}: no such directory", dir.display());
        eprintln!("raudit daemon: warning: {why}; no rules loaded");
        return Err(why);
    }
    let result = AuditSocket::open()
        .map_err(|e| e.to_string())
        .and_then(|mut sock| {
            crate::rules::dir::apply_dir(&mut sock, dir).map_err(|e| e.to_string())
        });
    match &result {
        Ok(report) => {
            for w in &report.warnings {
                eprintln!("raudit daemon: warning: {w}");
            }
            for problem in report.problems() {
                eprintln!("raudit daemon: {problem}");
            }
            if report.immutable {
                eprintln!(
                    "raudit daemon: the audit configuration is locked (enabled 2); {} not loaded",
                    dir.display()
                );
            }
        }
        Err(e) => eprintln!("raudit daemon: loading rules from {}: {e}", dir.display()),
    }
    result
}

/// SIGHUP: re-read the configuration (keep the old one if the new is bad)
/// and reload the rules directory. The rules go to the kernel from a
/// thread of their own: a netlink request can be made to wait while the
/// kernel's backlog is full, and the pipeline must not wait with it.
fn reload(opts: &Options, pipeline: &mut Pipeline) {
    let rules_dir = match &opts.config_path {
        Some(path) => match Config::load(path) {
            Ok(new) => new.rules_dir,
            Err(_) => opts.config.rules_dir.clone(),
        },
        None => opts.config.rules_dir.clone(),
    };
    if !opts.observe {
        std::thread::spawn(move || load_rules(&rules_dir));
    }
    let Some(path) = &opts.config_path else {
        pipeline.reconfigure(node_name(&opts.config));
        return;
    };
    match Config::load(path) {
        Ok(mut new) => {
            opts.overrides.apply(&mut new);
            warn_about_settings(Some(path), &new);
            if new.db != opts.config.db {
                eprintln!(
                    "raudit daemon: log_file changed to {}; it takes effect at the next start",
                    new.db.display()
                );
            }
            pipeline.reconfigure(node_name(&new));
            eprintln!("raudit daemon: reloaded {}", path.display());
        }
        Err(e) => {
            // Every problem of the file, one line each.
            for line in e.to_string().lines() {
                eprintln!("raudit daemon: reload: {line}");
            }
            eprintln!("raudit daemon: reload: keeping the settings in effect");
        }
    }
}

fn boost_priority() {
    if let Err(e) = crate::netlink::sys::raise_priority(PRIORITY_BOOST) {
        eprintln!("raudit daemon: raising priority by {PRIORITY_BOOST}: {e}");
    }
}
