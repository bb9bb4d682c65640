//! Outputs fed with every stored event, never holding up ingest.
//!
//! ```text
//! writer commits ──> store ──(read-only, per output)──> output thread ──> sink
//!                      └──── dispatcher: keeps each output within q_depth, counts what it skips
//! ```
//!
//! Each output reads what the writer committed, in store order, on a
//! read-only connection of its own: an event reaches an output only once
//! stored, and nothing on the ingest path waits for an output. The store
//! is each output's queue, bounded at `q_depth` events: an output that
//! falls further behind skips to that depth, and the events it skipped
//! are counted and stored as loss rows of kind `output` (one per output
//! per second that lost some). Events still open wait for their end (up
//! to [`HOLD`]) so that outputs get whole events.

pub mod config;
mod feed;
mod jsonl;
mod output;
mod plugin;
mod syslog;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::store::{health, LossRow, StoreError};
use config::{Kind, OutputConf};
use feed::{Feed, Lag};
use output::{Control, Retry, Sink};

/// The longest an open event holds back the events after it.
pub const HOLD: Duration = Duration::from_secs(3);
const TICK: Duration = Duration::from_millis(100);
const REPORT_EVERY: Duration = Duration::from_secs(1);
/// How long shutdown waits for outputs to send what was stored.
const DRAIN: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct Settings {
    pub db: PathBuf,
    /// How far (in events) an output may fall behind the store (auditd's
    /// `q_depth`).
    pub q_depth: usize,
    /// Failed restarts in a row before an output is given up (auditd's
    /// `max_restarts`).
    pub max_restarts: u32,
}

/// Hands a loss row to the writer; false when it cannot take it now.
pub type RecordLoss = Box<dyn FnMut(LossRow) -> bool + Send>;

struct Output {
    name: String,
    lag: Arc<Lag>,
    /// Dropped events already recorded as loss.
    reported: u64,
    since_ms: i64,
    /// A program output's process, to stop one that no longer reads.
    pid: Arc<AtomicU32>,
    thread: JoinHandle<()>,
}

/// The running dispatcher.
pub struct Dispatcher {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

/// What the dispatcher and the output threads share.
#[derive(Default)]
struct Flags {
    /// Shutdown: outputs send what is stored, then end.
    drain: AtomicBool,
    /// Shutdown waited long enough: outputs end now.
    abandon: AtomicBool,
}

/// Starts the outputs and the dispatcher, from the events stored after
/// this moment; `None` without outputs.
pub fn start(
    settings: &Settings,
    confs: Vec<OutputConf>,
    record_loss: RecordLoss,
) -> Result<Option<Dispatcher>, StoreError> {
    if confs.is_empty() {
        return Ok(None);
    }
    let conn = crate::store::open_read_only(&settings.db)?;
    let sqlite = |source| StoreError::Sqlite {
        path: settings.db.clone(),
        source,
    };
    let head = health::last_event_id(&conn).map_err(sqlite)?;
    let flags = Arc::new(Flags::default());
    let mut outputs = Vec::new();
    for conf in confs {
        if let Some(o) = spawn_output(conf, settings, head, &flags)? {
            outputs.push(o);
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let mut run = Run {
        conn,
        outputs,
        record_loss,
        depth: i64::try_from(settings.q_depth).unwrap_or(i64::MAX),
        flags,
    };
    let thread_stop = Arc::clone(&stop);
    let thread = std::thread::Builder::new()
        .name("raudit-dispatch".into())
        .spawn(move || run.run(&thread_stop))
        .map_err(|source| StoreError::Dir {
            path: settings.db.clone(),
            source,
        })?;
    Ok(Some(Dispatcher { stop, thread }))
}

impl Dispatcher {
    /// Lets the outputs send what is stored (a few seconds at most), then
    /// stops them.
    pub fn finish(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
    }
}

fn spawn_output(
    conf: OutputConf,
    settings: &Settings,
    head: i64,
    flags: &Arc<Flags>,
) -> Result<Option<Output>, StoreError> {
    let pid = Arc::new(AtomicU32::new(0));
    let sink = match open_sink(&conf, &pid) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("raudit daemon: output {}: {e}; not started", conf.name);
            return Ok(None);
        }
    };
    let feed = Feed::open(&settings.db)?;
    let lag = Arc::new(Lag::starting_at(head));
    let retry = Retry {
        max_failures: settings.max_restarts,
        ..Retry::default()
    };
    let (name, thread_lag, thread_flags) = (conf.name.clone(), Arc::clone(&lag), Arc::clone(flags));
    let thread = std::thread::Builder::new()
        .name(format!("raudit-out-{}", conf.name))
        .spawn(move || {
            let control = Control {
                drain: &thread_flags.drain,
                abandon: &thread_flags.abandon,
            };
            output::run(&name, sink, feed, &thread_lag, control, retry);
        })
        .map_err(|source| StoreError::Dir {
            path: settings.db.clone(),
            source,
        })?;
    Ok(Some(Output {
        name: conf.name,
        lag,
        reported: 0,
        since_ms: now_ms(),
        pid,
        thread,
    }))
}

fn open_sink(conf: &OutputConf, pid: &Arc<AtomicU32>) -> std::io::Result<Box<dyn Sink>> {
    match conf.kind {
        Kind::Program => Ok(Box::new(plugin::Plugin::start(
            conf.path.clone(),
            conf.args.clone(),
            Arc::clone(pid),
        )?)),
        Kind::Syslog => Ok(Box::new(syslog::Syslog::start(&conf.args)?)),
        Kind::Json => Ok(Box::new(jsonl::JsonLines::start(&conf.args)?)),
    }
}

struct Run {
    conn: Connection,
    outputs: Vec<Output>,
    record_loss: RecordLoss,
    depth: i64,
    flags: Arc<Flags>,
}

impl Run {
    fn run(&mut self, stop: &AtomicBool) {
        let mut last_report = Instant::now();
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(TICK);
            self.bound();
            if last_report.elapsed() >= REPORT_EVERY {
                self.report();
                last_report = Instant::now();
            }
        }
        self.close();
    }

    /// Keeps every output within its depth of the newest stored event.
    fn bound(&self) {
        let Ok(head) = health::last_event_id(&self.conn) else {
            return;
        };
        let count =
            |after: i64, upto: i64| health::events_between(&self.conn, after, upto).unwrap_or(0);
        for o in &self.outputs {
            o.lag.bound(head, self.depth, count);
        }
    }

    /// Loss rows for what each output dropped since the last report.
    fn report(&mut self) {
        let now = now_ms();
        for o in &mut self.outputs {
            let dropped = o.lag.dropped();
            if dropped == o.reported {
                continue;
            }
            let row = LossRow {
                time_ms: now,
                kind: "output",
                first_serial: None,
                last_serial: None,
                count: dropped - o.reported,
                detail: format!("output {}: events it could not take", o.name),
                start_ms: Some(o.since_ms),
            };
            if (self.record_loss)(row) {
                o.reported = dropped;
                o.since_ms = now;
            }
        }
    }

    /// Lets the outputs send what is stored, for a while; then ends them.
    fn close(&mut self) {
        self.flags.drain.store(true, Ordering::Relaxed);
        let deadline = Instant::now() + DRAIN;
        while Instant::now() < deadline && self.outputs.iter().any(|o| !o.thread.is_finished()) {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.flags.abandon.store(true, Ordering::Relaxed);
        // A program that stopped reading holds its output's thread in a
        // write, and would outlive the daemon.
        for o in self.outputs.iter().filter(|o| !o.thread.is_finished()) {
            let pid = o.pid.load(Ordering::Relaxed);
            if pid != 0 {
                let pid = nix::unistd::Pid::from_raw(pid as i32);
                let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
            }
        }
        self.bound();
        self.report();
        for o in &self.outputs {
            let dropped = o.lag.dropped();
            if dropped > o.reported {
                eprintln!(
                    "raudit daemon: output {}: {} events it could not take were not recorded as loss",
                    o.name,
                    dropped - o.reported
                );
            }
        }
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
