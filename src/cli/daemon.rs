//! `raudit daemon` (also `auditd`): the configuration file, the command
//! line options that override it, and auditd's own flags.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use super::Outcome;
use crate::config::{self, Config, ConfigError};

#[derive(Debug, Args)]
pub struct DaemonArgs {
    /// Configuration file [default: $RAUDIT_CONFIG, else
    /// /etc/raudit/raudit.conf, where a missing file means the built-in
    /// defaults].
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Check the configuration, print the settings in effect, and exit
    /// without starting.
    #[arg(long)]
    pub check_config: bool,
    /// SQLite database to record into (created 0600 in a 0700 directory);
    /// overrides $RAUDIT_DB, which overrides log_file.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Record beside another registered audit daemon (read-only multicast),
    /// without touching kernel settings.
    #[arg(long)]
    pub observe: bool,
    /// Milliseconds an event may wait for its end-of-event record;
    /// overrides eoe_timeout_ms.
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub eoe_timeout: Option<u64>,
    /// auditd's -c: read raudit.conf from DIR.
    #[arg(short = 'c', value_name = "DIR", conflicts_with = "config")]
    pub config_dir: Option<PathBuf>,
    /// auditd's -f (foreground); accepted: the daemon always runs in the
    /// foreground and reports to stderr.
    #[arg(short = 'f')]
    pub foreground: bool,
    /// auditd's -n (do not fork); accepted, as -f.
    #[arg(short = 'n')]
    pub no_fork: bool,
    /// Convert auditd's configuration (such as /etc/audit/auditd.conf)
    /// into a raudit.conf, printed on stdout: each key it cannot take
    /// stays as a comment saying why. Then exit.
    #[arg(long, value_name = "AUDITD_CONF", conflicts_with_all = ["check_config", "config", "config_dir", "db", "observe"])]
    pub import_config: Option<PathBuf>,
}

pub fn run(args: DaemonArgs) -> anyhow::Result<Outcome> {
    if let Some(auditd_conf) = &args.import_config {
        return import_config(auditd_conf);
    }
    let overrides = crate::daemon::Overrides {
        db: args.db.clone().or_else(config::env_db),
        eoe_timeout: args.eoe_timeout.map(std::time::Duration::from_millis),
    };
    let (path, config) = match settings(&args, &overrides) {
        Ok(found) => found,
        Err(e) => return refused(e),
    };
    if args.check_config {
        return check_config(&path, &config, args.observe);
    }
    let opts = crate::daemon::Options {
        config,
        config_path: path.exists().then_some(path),
        overrides,
        observe: args.observe,
    };
    crate::daemon::run(&opts)?;
    Ok(Outcome::Success)
}

/// `--check-config`: the settings in effect on stdout; what the machine
/// cannot honour of them (a missing rules directory or script, a database
/// it cannot write) on stderr, one line each, and exit 1.
fn check_config(path: &Path, config: &Config, observe: bool) -> anyhow::Result<Outcome> {
    println!("# {}", path.display());
    print!("{config}");
    let findings = config::machine::check_for(config, !observe);
    let origin = origin(path);
    for finding in &findings {
        eprintln!("{}: {origin}: {finding}", super::invoked_name());
    }
    Ok(match findings.is_empty() {
        true => Outcome::Success,
        false => Outcome::Exit(1),
    })
}

/// What a setting came from: the file, or the defaults when there is none.
fn origin(path: &Path) -> String {
    match path.exists() {
        true => path.display().to_string(),
        false => format!("{} (absent; built-in defaults)", path.display()),
    }
}

/// A configuration that cannot be used: every problem on a line of its
/// own, and how to convert the file when it is auditd's.
fn refused(e: ConfigError) -> anyhow::Result<Outcome> {
    let program = super::invoked_name();
    for line in e.to_string().lines() {
        eprintln!("{program}: {line}");
    }
    if let ConfigError::Keys(errors) = &e {
        if e.has_auditd_keys() {
            let path = errors[0].path.display();
            eprintln!(
                "{program}: {path} holds auditd's keys: raudit daemon --import-config {path} converts an auditd.conf"
            );
        }
    }
    Ok(Outcome::Exit(1))
}

/// `--import-config FILE`: auditd.conf in, raudit.conf out.
fn import_config(auditd_conf: &Path) -> anyhow::Result<Outcome> {
    let text = std::fs::read_to_string(auditd_conf)
        .with_context(|| format!("reading {}", auditd_conf.display()))?;
    let mut out = std::io::stdout().lock();
    out.write_all(config::import::from_auditd(&text, auditd_conf).as_bytes())?;
    out.flush()?;
    Ok(Outcome::Success)
}

/// The file read (or that would have been) and the settings in effect:
/// the file's, with the command line's overrides.
fn settings(
    args: &DaemonArgs,
    overrides: &crate::daemon::Overrides,
) -> Result<(PathBuf, Config), ConfigError> {
    let explicit = match (&args.config, &args.config_dir) {
        (Some(file), _) => Some(file.clone()),
        (None, Some(dir)) => Some(dir.join(config::FILE_NAME)),
        (None, None) => config::env_path(),
    };
    let path = explicit
        .clone()
        .unwrap_or_else(|| config::DEFAULT_PATH.into());
    let mut config = match Config::load(&path) {
        Ok(c) => c,
        // Without a file the defaults apply, unless a file was asked for.
        Err(e) if e.is_missing() && explicit.is_none() => Config::default(),
        Err(e) => return Err(e),
    };
    overrides.apply(&mut config);
    Ok((path, config))
}
