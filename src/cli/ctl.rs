//! `raudit ctl`: auditctl's command line. The words go through the same
//! grammar as rules-file lines (`rules::parse_args`); the kernel requests
//! are `rules::kernel`'s; this file carries out the commands in order and
//! prints what auditctl prints, with auditctl's exit codes: 255 when a
//! request or the command line is refused, 4 without root, 1 when `-R`
//! fails.
//!
//! `raudit ctl --check [DIR]` is raudit's own: it compares a rules
//! directory with the kernel's rules (exit 0 in sync, 1 with a diff).

mod status;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail};
use clap::Args;

use super::Outcome;
use crate::netlink::AuditSocket;
use crate::output::interpret;
use crate::rules::kernel::{self, Counter};
use crate::rules::{self, dir, Command, Invocation};

#[derive(Debug, Args)]
#[command(disable_help_flag = true, disable_version_flag = true)]
pub struct CtlArgs {
    /// auditctl options: -w -W -p -k -a -A -d -S -F -C -D -l -s -e -f -r -b -m -R ...
    #[arg(
        allow_hyphen_values = true,
        trailing_var_arg = true,
        value_name = "OPTIONS"
    )]
    pub args: Vec<String>,
}

/// auditctl's exit code for a refused command line or kernel request.
const EXIT_REFUSED: u8 = 255;
/// auditctl's exit code without the privilege to control audit.
const EXIT_NOT_ROOT: u8 = 4;
/// auditctl's exit code when `-R` fails.
const EXIT_RULES_FILE: u8 = 1;
/// `--check`'s exit code when the kernel's rules differ from the directory's.
const EXIT_DRIFT: u8 = 1;
/// `--check`'s exit code when it cannot compare (diff's "trouble").
const EXIT_CHECK_TROUBLE: u8 = 2;

/// A failed command and the exit code it ends the process with.
struct Failure {
    code: u8,
    error: anyhow::Error,
}

fn failure(code: u8) -> impl Fn(anyhow::Error) -> Failure {
    move |error| Failure { code, error }
}

fn refused(error: impl Into<anyhow::Error>) -> Failure {
    Failure {
        code: EXIT_REFUSED,
        error: error.into(),
    }
}

pub fn run(args: CtlArgs) -> anyhow::Result<Outcome> {
    let words = args.args;
    if words.is_empty() {
        bail!("no options given; see raudit ctl -h");
    }
    let result = match check_dir_arg(&words) {
        Some(dir) => dir.and_then(|d| check(&d)),
        None => execute(&words),
    };
    match result {
        Ok(outcome) => Ok(outcome),
        Err(f) if is_broken_pipe(&f.error) => Err(f.error),
        Err(f) => {
            eprintln!("{}: {:#}", super::invoked_name(), f.error);
            Ok(Outcome::Exit(f.code))
        }
    }
}

/// The directory of `--check [DIR]` / `--check=DIR`, if that is the
/// command; without one, the configuration's `rules_dir`.
fn check_dir_arg(words: &[String]) -> Option<Result<PathBuf, Failure>> {
    let (first, rest) = words.split_first()?;
    let inline = first.strip_prefix("--check=");
    if first != "--check" && inline.is_none() {
        return None;
    }
    let mut dirs = inline.into_iter().chain(rest.iter().map(String::as_str));
    let dir = dirs.next().map(PathBuf::from);
    Some(match dirs.next() {
        None => Ok(dir.unwrap_or_else(|| crate::config::settings_or_default().rules_dir)),
        Some(_) => Err(Failure {
            code: EXIT_CHECK_TROUBLE,
            error: anyhow!("--check takes at most one directory"),
        }),
    })
}

fn execute(words: &[String]) -> Result<Outcome, Failure> {
    let inv = rules::parse_args(words).map_err(refused)?;
    for warning in &inv.warnings {
        eprintln!("{warning}");
    }
    let mut ctl = Ctl::default();
    ctl.invocation(&inv)?;
    Ok(ctl.outcome)
}

/// `--check DIR`: the lines of the directory that cannot be loaded and
/// the drift between the directory and the kernel, as a diff on stdout
/// and exit 1 (like diff(1)); exit 0 in sync.
fn check(dir: &Path) -> Result<Outcome, Failure> {
    let trouble = failure(EXIT_CHECK_TROUBLE);
    let mut ctl = Ctl::default();
    let sock = ctl.sock()?;
    let drift = dir::check_dir(sock, dir).map_err(|e| trouble(e.into()))?;
    if drift.in_sync() {
        return Ok(Outcome::Success);
    }
    print(&drift.to_string())?;
    Ok(Outcome::Exit(EXIT_DRIFT))
}

struct Ctl {
    sock: Option<AuditSocket>,
    /// What the process ends with when every command succeeded.
    outcome: Outcome,
}

impl Default for Ctl {
    fn default() -> Self {
        Ctl {
            sock: None,
            outcome: Outcome::Success,
        }
    }
}

impl Ctl {
    /// The socket, opened on first use so that `-h` and `-v` need no root.
    fn sock(&mut self) -> Result<&mut AuditSocket, Failure> {
        if self.sock.is_none() {
            if !nix::unistd::geteuid().is_root() {
                return Err(Failure {
                    code: EXIT_NOT_ROOT,
                    error: anyhow!(
                        "you must be root (CAP_AUDIT_CONTROL) to control the audit system"
                    ),
                });
            }
            self.sock = Some(AuditSocket::open().map_err(refused)?);
        }
        Ok(self.sock.as_mut().expect("opened above"))
    }

    /// One command line or rules-file line. After a change of status
    /// auditctl prints the new status once (without the loginuid line).
    fn invocation(&mut self, inv: &Invocation) -> Result<(), Failure> {
        let mut status_changed = false;
        for cmd in &inv.commands {
            status_changed |= matches!(cmd, Command::Set(_));
            self.command(cmd)?;
        }
        if status_changed {
            let now = self.sock()?.get_status().map_err(refused)?;
            print(&status::text(&now, false, None))?;
        }
        Ok(())
    }

    fn command(&mut self, cmd: &Command) -> Result<(), Failure> {
        match cmd {
            Command::Add { rule, .. } => kernel::add_rule(self.sock()?, rule).map_err(refused)?,
            Command::Delete(rule) => kernel::delete_rule(self.sock()?, rule).map_err(refused)?,
            Command::DeleteAll { key } => {
                // auditctl then says "No rules" when none are left at all.
                let left = kernel::delete_all(self.sock()?, key.as_deref()).map_err(refused)?;
                if left == 0 {
                    print("No rules\n")?;
                }
            }
            Command::List { key, interpret } => self.list(key.as_deref(), *interpret)?,
            Command::Status { interpret } => {
                let sock = self.sock()?;
                let now = sock.get_status().map_err(refused)?;
                let loginuid = status::loginuid_immutable(sock);
                print(&status::text(&now, *interpret, loginuid))?;
                for line in status::raudit_lines(sock) {
                    print(&line)?;
                }
            }
            Command::Set(change) => kernel::set(self.sock()?, *change).map_err(refused)?,
            Command::ResetLost => {
                let old = kernel::reset_counter(self.sock()?, Counter::Lost).map_err(refused)?;
                eprintln!("lost: {old}");
            }
            Command::ResetBacklogWaitTimeActual => {
                let counter = Counter::BacklogWaitTimeActual;
                let old = kernel::reset_counter(self.sock()?, counter).map_err(refused)?;
                eprintln!("backlog_wait_time_actual: {old}");
            }
            Command::LoginuidImmutable => {
                kernel::loginuid_immutable(self.sock()?).map_err(refused)?
            }
            Command::MakeEquivalent { mount, subtree } => {
                kernel::make_equivalent(self.sock()?, mount, subtree).map_err(refused)?
            }
            Command::Message(text) => kernel::send_message(self.sock()?, text).map_err(refused)?,
            Command::ReadFile(path) => self.read_file(path)?,
            Command::Trim => kernel::trim(self.sock()?).map_err(refused)?,
            Command::Signal(name) => self.signal(name)?,
            Command::Version => print(&format!(
                "raudit ctl version {}\n",
                env!("CARGO_PKG_VERSION")
            ))?,
            Command::Help => {
                // auditctl prints its usage and exits 255.
                print(USAGE)?;
                self.outcome = Outcome::Exit(EXIT_REFUSED);
            }
        }
        Ok(())
    }

    /// `-l [-k KEY] [-i]`: the selected rules; "No rules" only when the
    /// kernel has none at all, as auditctl says.
    fn list(&mut self, key: Option<&str>, interpret: bool) -> Result<(), Failure> {
        let rules = kernel::list_rules(self.sock()?).map_err(refused)?;
        let mut text = String::new();
        if rules.is_empty() {
            text.push_str("No rules\n");
        }
        for rule in rules.iter().filter(|r| kernel::key_matches(r, key)) {
            let read: rules::ReadArg<'_> = &read_rule_arg;
            text.push_str(&rule.listing(interpret.then_some(read)).to_string());
            text.push('\n');
        }
        print(&text)
    }

    /// `-R FILE`: the lines in order, as auditctl 3.0.9 carries them out:
    /// up to the first refused line (exit 1), or past it after a `-c` line
    /// (exit 1) or an `-i` line (exit 0). Refused lines are named by file
    /// and line. Nothing is sent to a locked kernel, which auditctl reports
    /// without failing.
    fn read_file(&mut self, path: &Path) -> Result<(), Failure> {
        let file_failure = failure(EXIT_RULES_FILE);
        let set = dir::load_file(path).map_err(|e| file_failure(e.into()))?;
        if self.sock()?.get_status().map_err(refused)?.enabled == 2 {
            eprintln!(
                "{}: the audit configuration is locked (enabled 2): no rule changes until the next reboot",
                path.display()
            );
            return Ok(());
        }
        let report = dir::run_set(&set, dir::Mode::Auditctl, |inv| {
            self.invocation(inv).map_err(|f| format!("{:#}", f.error))
        });
        for warning in &report.warnings {
            eprintln!("{warning}");
        }
        let program = super::invoked_name();
        for error in &report.errors {
            eprintln!("{program}: {error}");
        }
        if report.failed {
            self.outcome = Outcome::Exit(EXIT_RULES_FILE);
        }
        Ok(())
    }

    /// `--signal NAME`: sent to the audit daemon the kernel knows (the pid
    /// in its status), as auditctl does; with none registered there is
    /// nothing to signal, which auditctl does not count as a failure.
    fn signal(&mut self, name: &str) -> Result<(), Failure> {
        use nix::sys::signal::{kill, Signal};
        let pid = self.sock()?.get_status().map_err(refused)?.pid;
        if pid == 0 {
            eprintln!("no audit daemon is registered with the kernel; SIG{name} not sent");
            return Ok(());
        }
        let signal: Signal = format!("SIG{name}")
            .parse()
            .map_err(|e: nix::errno::Errno| refused(anyhow!("SIG{name}: {}", e.desc())))?;
        let target = nix::unistd::Pid::from_raw(pid as i32);
        kill(target, signal).map_err(|e| {
            refused(anyhow!(
                "sending SIG{name} to the audit daemon (pid {pid}): {}",
                e.desc()
            ))
        })
    }
}

/// Writes to stdout, so that a closed pipe ends the command quietly.
fn print(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| refused(anyhow::Error::from(e)))
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

const USAGE: &str = "usage: raudit ctl [options]
    -a <l,a>            Append rule to end of <l>ist with <a>ction
    -A <l,a>            Add rule at beginning of <l>ist with <a>ction
    -b <backlog>        Set max number of outstanding audit buffers allowed
    -c                  Continue through errors in rules
    -C f=f              Compare collected fields if available
    -d <l,a>            Delete rule from <l>ist with <a>ction
                        l=task,exit,user,exclude,filesystem,io_uring
                        a=never,always
    -D                  Delete all rules and watches (-k: those with a key)
    -e [0..2]           Set enabled flag (2 locks the configuration until reboot)
    -f [0..2]           Set failure flag
                        0=silent 1=printk 2=panic
    -F f=v              Build rule: field name, operator(=,!=,<,>,<=,
                        >=,&,&=) value
    -h                  Help
    -i                  Ignore errors when reading rules from file;
                        with -l or -s, interpret values
    -k <key>            Set filter key on audit rule
    -l                  List rules
    -m text             Send a user-space message
    -p [r|w|x|a]        Set permissions filter on watch
                        r=read, w=write, x=execute, a=attribute
    -q <mount,subtree>  Make subtree part of mount point's dir watches
    -r <rate>           Set limit in messages/sec (0=none)
    -R <file>           Read rules from file
    -s                  Report status
    -S syscall          Build rule: syscall name or number
    -t                  Trim directory watches
    -v                  Version
    -w <path>           Insert watch at <path>
    -W <path>           Remove watch at <path>
    --backlog_wait_time  Set the kernel backlog_wait_time
    --loginuid-immutable  Make loginuids unchangeable once set
    --reset-lost         Reset the lost record counter
    --reset_backlog_wait_time_actual  Reset the actual backlog wait time counter
    --signal <signal>    Send the specified signal to the daemon
    --check [dir]        Compare a rules directory (default: rules_dir of raudit.conf,
                         /etc/raudit/rules.d) with the kernel's rules: exit 0 in
                         sync, 1 with lines that cannot load or a diff
";

/// Reads a rule's syscall argument for `-l -i` as `ausearch -i` reads one in
/// a SYSCALL record: the output stage's interpretation, lent to the rules'
/// listing.
fn read_rule_arg(a: &rules::SyscallArg) -> String {
    interpret::rule_syscall_arg(a.index, a.value, a.machine, a.syscall, (a.a0, a.a1))
}
