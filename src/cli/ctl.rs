//! `raudit ctl`: auditctl's command line. The words go through the same
//! grammar as rules-file lines (`rules::parse_args`); this file only carries
//! out the resulting commands over netlink and prints as auditctl prints.

use std::path::Path;

use anyhow::{bail, Context};
use clap::Args;

use super::Outcome;
use crate::netlink::{msg, AuditSocket};
use crate::rules::{self, Command, Invocation, Rule, StatusChange};
use crate::wire::status::{mask, AuditStatus};

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

pub fn run(args: CtlArgs) -> anyhow::Result<Outcome> {
    if args.args.is_empty() {
        bail!("no options given; see raudit ctl -h");
    }
    let inv = rules::parse_args(&args.args)?;
    let mut ctl = Ctl {
        sock: None,
        quiet: inv.quiet,
    };
    ctl.invocation(&inv)?;
    Ok(Outcome::Success)
}

struct Ctl {
    sock: Option<AuditSocket>,
    quiet: bool,
}

impl Ctl {
    /// The socket, opened on first use so that `-h` and `-v` need no root.
    fn sock(&mut self) -> anyhow::Result<&mut AuditSocket> {
        if self.sock.is_none() {
            if !nix::unistd::geteuid().is_root() {
                bail!("you must be root (CAP_AUDIT_CONTROL) to control the audit system");
            }
            self.sock = Some(AuditSocket::open()?);
        }
        Ok(self.sock.as_mut().expect("opened above"))
    }

    fn invocation(&mut self, inv: &Invocation) -> anyhow::Result<()> {
        for cmd in &inv.commands {
            self.command(cmd, inv)?;
        }
        Ok(())
    }

    fn command(&mut self, cmd: &Command, inv: &Invocation) -> anyhow::Result<()> {
        match cmd {
            Command::Add { rule, .. } => {
                let bytes = rule.to_wire()?;
                self.sock()?
                    .add_rule(&bytes)
                    .map_err(|e| rule_error(e, "adding", rule))?;
            }
            Command::Delete(rule) => {
                let bytes = rule.to_wire()?;
                self.sock()?
                    .delete_rule(&bytes)
                    .map_err(|e| rule_error(e, "deleting", rule))?;
            }
            Command::DeleteAll { key } => self.delete_all(key.as_deref())?,
            Command::List { key, .. } => self.list(key.as_deref())?,
            Command::Status { .. } => {
                let s = self.sock()?.get_status()?;
                print!("{}", status_text(&s, true));
            }
            Command::Set(change) => self.set(change)?,
            Command::ResetLost => {
                let old = self.reset(mask::LOST, "resetting lost counter")?;
                eprintln!("lost: {old}");
            }
            Command::ResetBacklogWaitTimeActual => {
                let old = self.reset(
                    mask::BACKLOG_WAIT_TIME_ACTUAL,
                    "resetting backlog_wait_time_actual",
                )?;
                eprintln!("backlog_wait_time_actual: {old}");
            }
            Command::LoginuidImmutable => self.loginuid_immutable()?,
            Command::Message(text) => self.message(text)?,
            Command::ReadFile(path) => self.read_file(path, inv)?,
            Command::Trim => self.sock()?.command(msg::TRIM, &[], "trimming watches")?,
            Command::Signal(name) => {
                bail!("--signal {name}: use kill(1) with the daemon's pid (see raudit ctl -s)")
            }
            Command::Version => println!("raudit ctl version {}", env!("CARGO_PKG_VERSION")),
            Command::Help => print!("{USAGE}"),
        }
        Ok(())
    }

    fn rules(&mut self) -> anyhow::Result<Vec<Rule>> {
        self.sock()?
            .list_rules()?
            .iter()
            .map(|b| Rule::from_wire(b).context("decoding a rule from the kernel"))
            .collect()
    }

    fn list(&mut self, key: Option<&str>) -> anyhow::Result<()> {
        let rules: Vec<Rule> = self
            .rules()?
            .into_iter()
            .filter(|r| key.is_none_or(|k| r.keys().iter().any(|rk| rk == k)))
            .collect();
        if rules.is_empty() {
            println!("No rules");
        }
        for r in rules {
            println!("{r}");
        }
        Ok(())
    }

    fn delete_all(&mut self, key: Option<&str>) -> anyhow::Result<()> {
        for rule in self.rules()? {
            if key.is_some_and(|k| !rule.keys().iter().any(|rk| rk == k)) {
                continue;
            }
            let bytes = rule.to_wire()?;
            self.sock()?
                .delete_rule(&bytes)
                .map_err(|e| rule_error(e, "deleting", &rule))?;
        }
        if !self.quiet {
            println!("No rules");
        }
        Ok(())
    }

    fn set(&mut self, change: &StatusChange) -> anyhow::Result<()> {
        let mut s = AuditStatus::default();
        let what = match *change {
            StatusChange::Enabled(v) => {
                (s.mask, s.enabled) = (mask::ENABLED, v);
                "setting enabled flag"
            }
            StatusChange::Failure(v) => {
                (s.mask, s.failure) = (mask::FAILURE, v);
                "setting failure flag"
            }
            StatusChange::RateLimit(v) => {
                (s.mask, s.rate_limit) = (mask::RATE_LIMIT, v);
                "setting rate limit"
            }
            StatusChange::BacklogLimit(v) => {
                (s.mask, s.backlog_limit) = (mask::BACKLOG_LIMIT, v);
                "setting backlog limit"
            }
            StatusChange::BacklogWaitTime(v) => {
                (s.mask, s.backlog_wait_time) = (mask::BACKLOG_WAIT_TIME, v);
                "setting backlog wait time"
            }
        };
        let quiet = self.quiet;
        let sock = self.sock()?;
        sock.set_status(&s, what).map_err(immutable_hint)?;
        if !quiet {
            let now = sock.get_status()?;
            print!("{}", status_text(&now, false));
        }
        Ok(())
    }

    /// Resets a counter; the kernel answers with the old value in the ACK.
    fn reset(&mut self, bit: u32, what: &str) -> anyhow::Result<u32> {
        let s = AuditStatus {
            mask: bit,
            ..Default::default()
        };
        Ok(self.sock()?.command_value(msg::SET, &s.encode(), what)?)
    }

    fn loginuid_immutable(&mut self) -> anyhow::Result<()> {
        // struct audit_features: vers=1, mask, features, lock for bit 1
        // (AUDIT_FEATURE_LOGINUID_IMMUTABLE), set and locked.
        let bit = 1u32 << 1;
        let payload: Vec<u8> = [1u32, bit, bit, bit]
            .iter()
            .flat_map(|w| w.to_ne_bytes())
            .collect();
        self.sock()?
            .command(msg::SET_FEATURE, &payload, "making loginuid immutable")?;
        Ok(())
    }

    /// Sends AUDIT_USER text as `auditctl -m` does: `text=...` with the
    /// sender's executable and terminal appended.
    fn message(&mut self, text: &str) -> anyhow::Result<()> {
        let exe = std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| "?".into());
        let terminal = nix::unistd::ttyname(std::io::stdin())
            .map(|p| {
                p.display()
                    .to_string()
                    .trim_start_matches("/dev/")
                    .to_string()
            })
            .unwrap_or_else(|_| "?".into());
        let full = format!(
            "text={text} exe={} hostname=? addr=? terminal={terminal} res=success",
            crate::record::encode_value(&exe)
        );
        self.sock()?.send_user_message(msg::USER, &full)?;
        Ok(())
    }

    fn read_file(&mut self, path: &Path, inv: &Invocation) -> anyhow::Result<()> {
        check_rules_file(path)?;
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        for (n, line) in text.lines().enumerate() {
            let Some(words) = rules::split_line(line) else {
                continue;
            };
            let result = rules::parse_args(&words)
                .map_err(anyhow::Error::from)
                .and_then(|inner| self.invocation(&inner));
            if let Err(e) = result {
                let located = format!("{}:{}: {e:#}", path.display(), n + 1);
                if inv.ignore_errors {
                    continue;
                }
                if inv.continue_on_error {
                    eprintln!("{located}");
                    continue;
                }
                bail!(located);
            }
        }
        Ok(())
    }
}

/// auditctl refuses rules files that others could have written.
fn check_rules_file(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    if !meta.is_file() {
        bail!("{} is not a regular file", path.display());
    }
    if meta.mode() & 0o002 != 0 {
        bail!("{} is world-writable; refusing to load it", path.display());
    }
    Ok(())
}

fn rule_error(e: crate::netlink::NetlinkError, verb: &str, rule: &Rule) -> anyhow::Error {
    use nix::errno::Errno;
    let why = match e.errno() {
        Some(Errno::EEXIST) => "the rule is already loaded".to_string(),
        Some(Errno::ENOENT) if verb == "deleting" => "no such rule is loaded".to_string(),
        _ => return immutable_hint(e),
    };
    anyhow::anyhow!("{verb} rule `{rule}`: {why}")
}

/// With `-e 2` every change is refused with EPERM: say why.
fn immutable_hint(e: crate::netlink::NetlinkError) -> anyhow::Error {
    let locked = e.errno() == Some(nix::errno::Errno::EPERM)
        && AuditSocket::open()
            .and_then(|mut s| s.get_status())
            .is_ok_and(|s| s.enabled == 2);
    if locked {
        anyhow::anyhow!("{e}: the audit configuration is locked (enabled 2); reboot to change it")
    } else {
        e.into()
    }
}

/// The status as auditctl prints it.
pub fn status_text(s: &AuditStatus, with_loginuid: bool) -> String {
    let mut out = format!(
        "enabled {}\nfailure {}\npid {}\nrate_limit {}\nbacklog_limit {}\nlost {}\nbacklog {}\nbacklog_wait_time {}\nbacklog_wait_time_actual {}\n",
        s.enabled, s.failure, s.pid, s.rate_limit, s.backlog_limit, s.lost, s.backlog,
        s.backlog_wait_time, s.backlog_wait_time_actual
    );
    if with_loginuid {
        let locked = loginuid_immutable();
        out.push_str(&format!(
            "loginuid_immutable {} {}\n",
            u8::from(locked.0),
            if locked.1 { "locked" } else { "unlocked" }
        ));
    }
    out
}

/// (immutable, locked) of the loginuid feature; (false, false) if unknown.
fn loginuid_immutable() -> (bool, bool) {
    let Ok(mut sock) = AuditSocket::open() else {
        return (false, false);
    };
    let Ok(payload) = sock.query(msg::GET_FEATURE, "reading audit features") else {
        return (false, false);
    };
    let word = |i: usize| {
        payload
            .get(i * 4..i * 4 + 4)
            .map_or(0, |b| u32::from_ne_bytes(b.try_into().expect("4 bytes")))
    };
    let bit = 1u32 << 1;
    (word(2) & bit != 0, word(3) & bit != 0)
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
    -D                  Delete all rules and watches
    -e [0..2]           Set enabled flag
    -f [0..2]           Set failure flag
                        0=silent 1=printk 2=panic
    -F f=v              Build rule: field name, operator(=,!=,<,>,<=,
                        >=,&,&=) value
    -h                  Help
    -i                  Ignore errors when reading rules from file
    -k <key>            Set filter key on audit rule
    -l                  List rules
    -m text             Send a user-space message
    -p [r|w|x|a]        Set permissions filter on watch
                        r=read, w=write, x=execute, a=attribute
    -q                  Make quiet; only errors are reported
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
";
