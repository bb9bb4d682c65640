//! `raudit check`: a monitoring plugin (Nagios plugin guidelines) over the
//! store, the kernel and the rules directory. This file measures; the
//! judging and the status line are `crate::check`'s.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::{ArgGroup, Args};

use super::Outcome;
use crate::check::{self, verdicts, Range, Status, Thresholds, Verdict};
use crate::netlink::AuditSocket;
use crate::search::filter::FilterArgs;
use crate::search::time::Clock;
use crate::store::{self, health, query::Filter};

#[derive(Debug, Args)]
#[command(
    group(ArgGroup::new("check").args(["count_events", "loss", "daemon", "enabled", "backlog", "rules", "space", "stale"])),
    // -w and -c are the plugin's thresholds, as in every Nagios plugin:
    // ausearch's -w (--word) and -c (--comm) keep their long names.
    mut_arg("whole_word", |a| a.short(None)),
    mut_arg("comms", |a| a.short(None)),
)]
pub struct CheckArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Count events matching the filters over --window (the check run
    /// when no other is named).
    #[arg(long = "events")]
    pub count_events: bool,
    /// Events the store recorded as lost: over --window, since the check
    /// that last wrote --state, or ever.
    #[arg(long)]
    pub loss: bool,
    /// A raudit daemon records to the database and is the kernel's
    /// registered audit daemon.
    #[arg(long)]
    pub daemon: bool,
    /// The kernel audits (enabled 1 or 2).
    #[arg(long)]
    pub enabled: bool,
    /// The kernel's backlog as a percentage of its limit [default: -w 50 -c 80].
    #[arg(long)]
    pub backlog: bool,
    /// The kernel's rules against the rules directory [default: -c 0].
    #[arg(long)]
    pub rules: bool,
    /// Free space on the database's file system, in MiB [default: -w
    /// space_left: -c admin_space_left: from the configuration].
    #[arg(long)]
    pub space: bool,
    /// Seconds since the newest stored event, while the kernel audits
    /// [default: -w 300 -c 900].
    #[arg(long)]
    pub stale: bool,
    /// Warning range: 10 (above 10), 10: (below 10), ~:10, 10:20 (outside),
    /// @10:20 (inside).
    #[arg(short = 'w', long = "warning", value_name = "RANGE", allow_hyphen_values = true, value_parser = range)]
    pub warning: Option<Range>,
    /// Critical range, as --warning.
    #[arg(short = 'c', long = "critical", value_name = "RANGE", allow_hyphen_values = true, value_parser = range)]
    pub critical: Option<Range>,
    /// The time window before now for --events and --loss: seconds, or a
    /// number with s, m, h or d (5m).
    #[arg(long, value_name = "DURATION", value_parser = window)]
    pub window: Option<Duration>,
    /// With --loss: count loss since the check that last wrote FILE (the
    /// first check only records where it stands).
    #[arg(
        long,
        value_name = "FILE",
        requires = "loss",
        conflicts_with = "window"
    )]
    pub state: Option<PathBuf>,
    /// Give up with UNKNOWN after this many seconds.
    #[arg(short = 't', long, value_name = "SECONDS", default_value_t = 10)]
    pub timeout: u64,
    /// Database to read [default: $RAUDIT_DB, else log_file of the
    /// configuration, else /var/lib/raudit/audit.db].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Configuration file (rules_dir, space_left) [default:
    /// $RAUDIT_CONFIG, else /etc/raudit/raudit.conf].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

fn range(text: &str) -> Result<Range, check::RangeError> {
    text.parse()
}

/// `5m`, `90s`, `2h`, `1d`, or seconds.
fn window(text: &str) -> Result<Duration, String> {
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => 0,
    };
    match number.parse::<u64>() {
        Ok(n) if n > 0 && scale > 0 => Ok(Duration::from_secs(n.saturating_mul(scale))),
        _ => Err(format!(
            "invalid window {text:?}: expected seconds or a number with s, m, h or d, such as 5m"
        )),
    }
}

/// The checks, by the name their status line gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Events,
    Loss,
    Daemon,
    Enabled,
    Backlog,
    Rules,
    Space,
    Stale,
}

impl Kind {
    fn of(args: &CheckArgs) -> Kind {
        [
            (args.loss, Kind::Loss),
            (args.daemon, Kind::Daemon),
            (args.enabled, Kind::Enabled),
            (args.backlog, Kind::Backlog),
            (args.rules, Kind::Rules),
            (args.space, Kind::Space),
            (args.stale, Kind::Stale),
        ]
        .into_iter()
        .find_map(|(given, kind)| given.then_some(kind))
        .unwrap_or(Kind::Events)
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Events => "EVENTS",
            Kind::Loss => "LOSS",
            Kind::Daemon => "DAEMON",
            Kind::Enabled => "ENABLED",
            Kind::Backlog => "BACKLOG",
            Kind::Rules => "RULES",
            Kind::Space => "SPACE",
            Kind::Stale => "STALE",
        }
    }

    /// The thresholds when neither -w nor -c is given.
    fn default_thresholds(self) -> (Option<&'static str>, Option<&'static str>) {
        match self {
            Kind::Loss => (Some("0"), None),
            Kind::Backlog => (Some("50"), Some("80")),
            Kind::Rules => (None, Some("0")),
            Kind::Stale => (Some("300"), Some("900")),
            _ => (None, None),
        }
    }
}

pub fn run(args: CheckArgs) -> anyhow::Result<Outcome> {
    let kind = Kind::of(&args);
    arm_timeout(kind, args.timeout);
    let verdict =
        measure(kind, &args).unwrap_or_else(|e| Verdict::new(Status::Unknown, super::causes(&e)));
    println!("{}", verdict.line(kind.name()));
    Ok(Outcome::Exit(verdict.status.exit_code()))
}

/// A command line the plugin cannot run: UNKNOWN, as the guidelines ask.
pub fn usage_error(message: &str) -> Outcome {
    println!("{}", Verdict::new(Status::Unknown, message).line("CHECK"));
    Outcome::Exit(Status::Unknown.exit_code())
}

/// After `seconds`, the UNKNOWN line and exit 3, whatever the check is
/// waiting for (a locked database, a kernel that does not answer).
fn arm_timeout(kind: Kind, seconds: u64) {
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(seconds));
        let text = format!("timed out after {seconds} s");
        println!("{}", Verdict::new(Status::Unknown, text).line(kind.name()));
        std::process::exit(i32::from(Status::Unknown.exit_code()));
    });
}

fn thresholds(kind: Kind, args: &CheckArgs) -> Thresholds {
    if args.warning.is_some() || args.critical.is_some() {
        return Thresholds {
            warning: args.warning.clone(),
            critical: args.critical.clone(),
        };
    }
    let (w, c) = kind.default_thresholds();
    let parse = |r: Option<&str>| r.map(|r| r.parse().expect("a valid default range"));
    Thresholds {
        warning: parse(w),
        critical: parse(c),
    }
}

fn measure(kind: Kind, args: &CheckArgs) -> anyhow::Result<Verdict> {
    let filter = args.filter.to_filter()?;
    if kind != Kind::Events && filter != Filter::default() {
        anyhow::bail!(
            "search filters apply to the events check only, not --{}",
            kind.name().to_lowercase()
        );
    }
    if args.window.is_some() && !matches!(kind, Kind::Events | Kind::Loss) {
        anyhow::bail!("--window applies to --events and --loss only");
    }
    let t = thresholds(kind, args);
    let db = || args.db.clone().unwrap_or_else(crate::config::default_db);
    match kind {
        Kind::Events => events(&db(), filter, args.window, &t),
        Kind::Loss => loss(&db(), args.window, args.state.as_deref(), &t),
        Kind::Daemon => daemon(&db()),
        Kind::Enabled => Ok(verdicts::enabled(kernel_status()?.enabled)),
        Kind::Backlog => {
            let s = kernel_status()?;
            Ok(verdicts::backlog(s.backlog, s.backlog_limit, &t))
        }
        Kind::Rules => rules(&settings(args)?.rules_dir, &t),
        Kind::Space => space(args, &t),
        Kind::Stale => stale(&db(), &t),
    }
}

fn settings(args: &CheckArgs) -> anyhow::Result<crate::config::Config> {
    match &args.config {
        Some(path) => Ok(crate::config::Config::load(path)?),
        None => Ok(crate::config::settings_or_default()),
    }
}

fn open(db: &Path) -> anyhow::Result<rusqlite::Connection> {
    Ok(store::open_read_only(db)?)
}

fn now_ms() -> anyhow::Result<i64> {
    Ok(Clock::system()?.now.timestamp_millis())
}

/// The window's start and end (now), and how the status line says it.
fn window_bounds(window: Option<Duration>) -> anyhow::Result<(Option<i64>, Option<i64>, String)> {
    let Some(w) = window else {
        return Ok((None, None, "in the store".into()));
    };
    let now = now_ms()?;
    let start = now.saturating_sub(i64::try_from(w.as_millis()).unwrap_or(i64::MAX));
    Ok((Some(start), Some(now), format!("in the last {}", human(w))))
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        _ if s.is_multiple_of(86400) => format!("{}d", s / 86400),
        _ if s.is_multiple_of(3600) => format!("{}h", s / 3600),
        _ if s.is_multiple_of(60) => format!("{}m", s / 60),
        _ => format!("{s}s"),
    }
}

fn events(
    db: &Path,
    mut filter: Filter,
    window: Option<Duration>,
    t: &Thresholds,
) -> anyhow::Result<Verdict> {
    if window.is_some() && (filter.start_ms.is_some() || filter.end_ms.is_some()) {
        anyhow::bail!("give either --window or --start/--end, not both");
    }
    let (start, end, what) = window_bounds(window)?;
    let what = match (filter.start_ms, filter.end_ms, window) {
        (None, None, _) => what,
        _ => "in the given time range".into(),
    };
    filter.start_ms = filter.start_ms.or(start);
    filter.end_ms = filter.end_ms.or(end);
    let conn = open(db)?;
    let count = health::count_matching(&conn, &filter)
        .with_context(|| format!("reading {}", db.display()))?;
    Ok(verdicts::events(count, &what, t))
}

fn loss(
    db: &Path,
    window: Option<Duration>,
    state: Option<&Path>,
    t: &Thresholds,
) -> anyhow::Result<Verdict> {
    let conn = open(db)?;
    let reading = || format!("reading {}", db.display());
    let Some(state_file) = state else {
        let (start, end, what) = window_bounds(window)?;
        let sum = health::loss_between(&conn, start, end).with_context(reading)?;
        return Ok(verdicts::loss(sum.lost, sum.rows, &what, t));
    };
    let newest = health::last_loss_id(&conn).with_context(reading)?;
    let (sum, what) = match check::state::read(state_file)? {
        None => (
            health::LossSum::default(),
            "(first check: counting starts now)",
        ),
        // Fewer rows than last time: another database; all of it is new.
        Some(last) if last > newest => (
            health::loss_after(&conn, 0).with_context(reading)?,
            "since the last check",
        ),
        Some(last) => (
            health::loss_after(&conn, last).with_context(reading)?,
            "since the last check",
        ),
    };
    check::state::write(state_file, newest)?;
    Ok(verdicts::loss(sum.lost, sum.rows, what, t))
}

fn kernel_status() -> anyhow::Result<crate::wire::status::AuditStatus> {
    let mut sock = AuditSocket::open().context("opening the audit socket")?;
    sock.get_status()
        .context("reading the kernel's audit status")
}

fn daemon(db: &Path) -> anyhow::Result<Verdict> {
    let kernel_pid = kernel_status()?.pid;
    let writer = health::writer(db);
    let writer = writer.as_ref().map(|(pid, comm)| (*pid, comm.as_str()));
    Ok(verdicts::daemon(
        writer,
        kernel_pid,
        &db.display().to_string(),
    ))
}

fn rules(dir: &Path, t: &Thresholds) -> anyhow::Result<Verdict> {
    let mut sock = AuditSocket::open().context("opening the audit socket")?;
    let drift = crate::rules::dir::check_dir(&mut sock, dir)?;
    Ok(verdicts::rules(
        drift.lines.len(),
        drift.unloadable.len(),
        &dir.display().to_string(),
        t,
    ))
}

/// Free space where the database is, against -w/-c or the
/// configuration's space_left and admin_space_left.
fn space(args: &CheckArgs, t: &Thresholds) -> anyhow::Result<Verdict> {
    let config = settings(args)?;
    let db = args
        .db
        .clone()
        .unwrap_or_else(|| crate::config::env_db().unwrap_or_else(|| config.db.clone()));
    let dir = match db.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let s = nix::sys::statvfs::statvfs(&dir)
        .with_context(|| format!("reading the free space of {}", dir.display()))?;
    let frag = s.fragment_size();
    let (free, total) = (s.blocks_free() * frag, s.blocks() * frag);
    let t = match (&t.warning, &t.critical) {
        (None, None) => {
            let at_least = |space: crate::config::Space| -> Option<Range> {
                format!("{}:", space.bytes(total).div_ceil(1 << 20))
                    .parse()
                    .ok()
            };
            Thresholds {
                warning: at_least(config.space_left),
                critical: at_least(config.admin_space_left),
            }
        }
        _ => t.clone(),
    };
    Ok(verdicts::space(
        free >> 20,
        total >> 20,
        &dir.display().to_string(),
        &t,
    ))
}

fn stale(db: &Path, t: &Thresholds) -> anyhow::Result<Verdict> {
    let enabled = kernel_status()?.enabled;
    let conn = open(db)?;
    let last = health::last_event_ms(&conn).with_context(|| format!("reading {}", db.display()))?;
    Ok(verdicts::stale(enabled, last, now_ms()?, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_take_seconds_and_units() {
        assert_eq!(window("90"), Ok(Duration::from_secs(90)));
        assert_eq!(window("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(window("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(window("1d"), Ok(Duration::from_secs(86400)));
        for bad in ["", "0", "5x", "m", "-5m", "5 m"] {
            assert!(window(bad).is_err(), "{bad}");
        }
        assert_eq!(human(Duration::from_secs(300)), "5m");
        assert_eq!(human(Duration::from_secs(90)), "90s");
    }
}
