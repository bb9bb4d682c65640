//! The command line: one binary, subcommands, and the names of the tools it
//! replaces (`auditctl`, `ausearch`, `aureport`, `auditd`) when invoked
//! through a link.
//! Exit codes are decided here and nowhere else.

mod check;
mod ctl;
mod daemon;
mod export;
mod fleet;
mod fleet_search;
mod generate;
mod import;
mod prune;
mod report;
mod search;
mod search_args;
mod upgrade;
mod usage;
mod verify;

use std::ffi::OsString;
use std::process::ExitCode;
use std::sync::OnceLock;

use clap::{CommandFactory, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "raudit",
    version,
    about = "Linux audit: record kernel audit events in SQLite, control rules, search, report"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Receive the kernel's audit records and store them (replaces auditd).
    Daemon(daemon::DaemonArgs),
    /// Control the kernel audit system: rules, watches, status (auditctl syntax).
    Ctl(ctl::CtlArgs),
    /// Search stored events (ausearch syntax).
    Search(Box<search::SearchArgs>),
    /// Summaries and per-event reports of stored events (aureport syntax).
    #[command(disable_help_flag = true)]
    Report(Box<report::ReportArgs>),
    /// Load auditd log files into the database (plain, rotated or enriched).
    Import(import::ImportArgs),
    /// A monitoring plugin (Nagios, NRPE, Icinga, Sensu): matching events,
    /// loss, the daemon, the kernel, rules drift, free space.
    Check(Box<check::CheckArgs>),
    /// Bring a database an older raudit wrote up to this version's schema.
    #[command(long_about = UPGRADE_ABOUT)]
    Upgrade(upgrade::UpgradeArgs),
    /// Delete the events stored before a time, oldest first, through the chain.
    Prune(prune::PruneArgs),
    /// Check the database's tamper-evident chain; name the first break.
    #[command(long_about = verify::ABOUT)]
    Verify(verify::VerifyArgs),
    /// The fleet's tables in ClickHouse (see raudit-export(8)).
    Fleet(fleet::FleetArgs),
    /// Copy a database's events and loss rows into the fleet's ClickHouse tables.
    Export(export::ExportArgs),
}

const UPGRADE_ABOUT: &str = "Bring a database an older raudit wrote up to this version's \
schema. Search and report read a database as it is and never change it, so they refuse one \
whose schema is older than theirs and name this command. It applies the missing schema steps \
in place, as the daemon does to its own database when it starts; run it as a user who may \
write the database. It never creates a database.";

/// The command line's definition: the one source of `--help`, the man
/// pages and the shell completions.
pub fn command() -> clap::Command {
    Cli::command()
}

/// How a command ended, mapped to the process exit code in one place.
pub enum Outcome {
    Success,
    /// Ran fine, found nothing (ausearch's exit 1).
    NoMatch,
    /// Ends with this exit code, whatever went wrong already said on stderr
    /// (auditctl's 255 for a refused request, 4 without root).
    Exit(u8),
}

pub fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let result = match invoked_as(invoked_name()) {
        Some(tool) => run_as_tool(tool, args),
        None => run(args),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::NoMatch) => ExitCode::from(1),
        Ok(Outcome::Exit(code)) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {}", invoked_name(), causes(&e));
            ExitCode::from(1)
        }
    }
}

/// An error and its causes on one line, each said once: SQLite's errors
/// repeat their message in their source ("file is not a database: Error
/// code 26: file is not a database").
fn causes(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain().map(|c| c.to_string()) {
        let bare = match cause.strip_prefix("Error code ") {
            Some(rest) => rest.split_once(": ").map_or(rest, |(_, msg)| msg),
            None => &cause,
        };
        if text.contains(bare) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause);
    }
    text
}

/// The name this process was invoked as (`raudit`, or `auditctl`, `auditd`,
/// ... through a link), which its messages start with: argv[0], read here
/// once for the whole program.
pub fn invoked_name() -> &'static str {
    static PROGRAM: OnceLock<String> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        std::env::args_os()
            .next()
            .as_deref()
            .and_then(|a| std::path::Path::new(a).file_name())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "raudit".into())
    })
}

/// Whether this is `ausearch` or `aureport` (a link), which read a pipe on
/// standard input instead of the logs.
fn reads_pipe() -> bool {
    matches!(invoked_name(), "ausearch" | "aureport")
}

/// The subcommand an auditd tool's name stands for, when invoked through a
/// link named like one.
fn invoked_as(program: &str) -> Option<&'static str> {
    match program {
        "auditctl" => Some("ctl"),
        "ausearch" => Some("search"),
        "auditd" => Some("daemon"),
        "aureport" => Some("report"),
        _ => None,
    }
}

fn run_as_tool(tool: &'static str, mut args: Vec<OsString>) -> anyhow::Result<Outcome> {
    args[0] = "raudit".into();
    args.insert(1, tool.into());
    run(args)
}

fn run(args: Vec<OsString>) -> anyhow::Result<Outcome> {
    // Packaging's tool, kept out of `command()` so that the manual and the
    // completions do not offer it.
    if args.get(1).and_then(|a| a.to_str()) == Some("generate") {
        return generate::run(&args[1..]);
    }
    let args = match args.get(1).and_then(|a| a.to_str()) {
        Some("search") => {
            let args = translate(args, search_args::ALIASES);
            search_args::check_arch_order(&args)?;
            search_args::attach_relative_times(args)
        }
        Some("report") => search_args::attach_relative_times(translate(args, report::ALIASES)),
        Some("check") => search_args::attach_relative_times(translate(args, search_args::ALIASES)),
        _ => args,
    };
    let help = help_command(&args);
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => match e.kind() {
            clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                e.print()?;
                return Ok(Outcome::Success);
            }
            // Bare `raudit`: the help (on stderr), as auditctl prints its
            // usage when given nothing.
            clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                e.print()?;
                return Ok(Outcome::Exit(1));
            }
            // A plugin's every answer is a status line: UNKNOWN here.
            _ if help == "raudit check --help" => {
                return Ok(check::usage_error(&usage::one_line(&e, &help)))
            }
            _ => anyhow::bail!("{}", usage::one_line(&e, &help)),
        },
    };
    match cli.command {
        Command::Daemon(a) => daemon::run(a),
        Command::Ctl(a) => ctl::run(a),
        Command::Search(a) => search::run(*a),
        Command::Report(a) => report::run(*a),
        Command::Import(a) => import::run(a),
        Command::Check(a) => check::run(*a),
        Command::Upgrade(a) => upgrade::run(a),
        Command::Prune(a) => prune::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Fleet(a) => fleet::run(a),
        Command::Export(a) => export::run(a),
    }
}

/// A tool's multi-letter single-dash options (`-ts`, `-au`) as the clap
/// long options they stand for.
fn translate(args: Vec<OsString>, aliases: &[(&str, &str)]) -> Vec<OsString> {
    args.into_iter()
        .map(
            |a| match aliases.iter().find(|(short, _)| a.to_str() == Some(short)) {
                Some((_, long)) => (*long).into(),
                None => a,
            },
        )
        .collect()
}

/// The command that shows the help for what `args` asked: the tool's
/// name when invoked through a link, else `raudit` and the subcommand.
fn help_command(args: &[OsString]) -> String {
    if invoked_as(invoked_name()).is_some() {
        return format!("{} --help", invoked_name());
    }
    match args.get(1).and_then(|a| a.to_str()) {
        Some(sub) if command().find_subcommand(sub).is_some() => format!("raudit {sub} --help"),
        _ => "raudit --help".into(),
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
