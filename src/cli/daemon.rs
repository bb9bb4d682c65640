//! `raudit daemon` (also `auditd`): the configuration file, the command
//! line options that override it, and auditd's own flags.

use std::path::PathBuf;

use clap::Args;

use super::Outcome;
use crate::config::{self, Config};

#[derive(Debug, Args)]
pub struct DaemonArgs {
    /// Configuration file [default: /etc/raudit/raudit.conf, where a missing
    /// file means the built-in defaults].
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Check the configuration, print the settings in effect, and exit
    /// without starting.
    #[arg(long)]
    pub check_config: bool,
    /// SQLite database to record into (created 0600 in a 0700 directory);
    /// overrides log_file.
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
}

pub fn run(args: DaemonArgs) -> anyhow::Result<Outcome> {
    let overrides = crate::daemon::Overrides {
        db: args.db.clone(),
        eoe_timeout: args.eoe_timeout.map(std::time::Duration::from_millis),
    };
    let (path, config) = settings(&args, &overrides)?;
    if args.check_config {
        println!("# {}", path.display());
        print!("{config}");
        return Ok(Outcome::Success);
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

/// The file read (or that would have been) and the settings in effect:
/// the file's, with the command line's overrides.
fn settings(
    args: &DaemonArgs,
    overrides: &crate::daemon::Overrides,
) -> anyhow::Result<(PathBuf, Config)> {
    let explicit = match (&args.config, &args.config_dir) {
        (Some(file), _) => Some(file.clone()),
        (None, Some(dir)) => Some(dir.join(config::FILE_NAME)),
        (None, None) => None,
    };
    let path = explicit
        .clone()
        .unwrap_or_else(|| config::DEFAULT_PATH.into());
    let mut config = match Config::load(&path) {
        Ok(c) => c,
        // Without a file the defaults apply, unless a file was asked for.
        Err(e) if e.is_missing() && explicit.is_none() => Config::default(),
        Err(e) => return Err(e.into()),
    };
    overrides.apply(&mut config);
    Ok((path, config))
}
