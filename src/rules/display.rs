//! A rule as one line of `auditctl -l` (audit-userspace 3.0.9,
//! auditctl-listing.c `print_rule`), quirks included, so that scripts that
//! compare listings keep working:
//!
//! * a rule that `is_watch` prints as `-w PATH -p PERM -k KEY`, even if it
//!   was loaded as `-a always,exit -F path=... -F perm=...`;
//! * otherwise `-a ACTION,LIST`, the arch, the syscalls in number order
//!   (`-S all` when every bit is set), then the other fields in kernel order;
//! * keys print as one `-F key=K` (or `-k K` on a watch) per key;
//! * path, dir and exe always print with `=`, whatever the operator;
//! * a0..a3 in hex, exit as `-ENAME`, msgtype and fstype by name, inode
//!   unsigned, every other number signed: an unset auid prints as `-1` and
//!   a filetype as its S_IFMT number;
//! * a field with no name prints as `f<id><op><value>` without `-F`, and a
//!   comparison with an unknown id prints nothing.
//!
//! These were checked against auditctl 3.0.9 itself, fed the same bytes.

use std::fmt::{self, Write};

use super::compare;
use super::fields::{self, FieldDef, Kind};
use super::model::{FieldValue, FilterList, Operator, Rule, RuleField};
use super::value::PERM_LETTERS;
use crate::tables;
use crate::tables::arch::{self, Machine};
use crate::wire::KEY_SEPARATOR;

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.listing(None).fmt(f)
    }
}

/// A rule as `auditctl -l` prints it, or with `interpret` as `auditctl -l -i`
/// does: the arch by machine name, an unset auid or session as `unset`, and
/// a0..a3 of a rule with at most one syscall read as that syscall's
/// arguments, by the reader given (see [`SyscallArg`]).
pub struct Listing<'a> {
    rule: &'a Rule,
    interpret: Option<ReadArg<'a>>,
}

impl Rule {
    pub fn listing<'a>(&'a self, interpret: Option<ReadArg<'a>>) -> Listing<'a> {
        Listing {
            rule: self,
            interpret,
        }
    }
}

/// What `-l -i` needs to read a0..a3: the machine of the rule's (last) arch
/// field, its one syscall if it has exactly one, and the a0 and a1 values
/// met so far (some readings depend on them: open's mode needs O_CREAT).
#[derive(Clone, Copy)]
struct ArgContext {
    machine: Option<&'static Machine>,
    syscall: Option<u32>,
    a0: u32,
    a1: u32,
}

impl fmt::Display for Listing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rule = self.rule;
        let watch = rule.is_watch();
        let mut args = None;
        if !watch {
            write!(f, "-a {},{}", rule.action.name(), rule.list.name())?;
            // Syscall names come from the arch's table, the native one when
            // there is no arch, and none for an arch no machine has.
            let mut machine = Some(arch::native());
            let mut arch_machine = None;
            for field in rule.fields.iter().filter(|x| x.field == fields::ARCH) {
                machine = write_arch(f, field, self.interpret.is_some());
                arch_machine = machine;
            }
            write_syscalls(f, rule, machine)?;
            args = self
                .interpret
                .and_then(|read| Some((arg_context(rule, arch_machine)?, read)));
        }
        for field in rule.fields.iter().filter(|x| x.field != fields::ARCH) {
            match (&mut args, field.field) {
                (Some((ctx, read)), fields::A0..=fields::A3) => {
                    write_interpreted_arg(f, field, ctx, *read)?
                }
                (_, fields::LOGINUID | fields::SESSIONID)
                    if self.interpret.is_some() && field.num() == Some(u32::MAX) =>
                {
                    write!(f, " -F {}{}unset", field_name(field), field.op.symbol())?
                }
                _ => write_field(f, field, watch)?,
            }
        }
        Ok(())
    }
}

/// auditctl reads a0..a3 only for a rule whose syscall mask is not "all"
/// and names at most one syscall; with several it prints them plainly.
fn arg_context(rule: &Rule, machine: Option<&'static Machine>) -> Option<ArgContext> {
    if rule.syscalls.is_all() {
        return None;
    }
    let mut set = rule.syscalls.iter();
    let syscall = set.next();
    match set.next() {
        Some(_) => None,
        None => Some(ArgContext {
            machine,
            syscall,
            a0: 0,
            a1: 0,
        }),
    }
}

fn field_name(field: &RuleField) -> &'static str {
    fields::by_id(field.field).map_or("?", |d| d.name)
}

/// One of a0..a3 of a rule's one syscall, to be read for `-l -i`: auditctl
/// hands a made-up SYSCALL record to auparse and prints its reading of the
/// value, the one `ausearch -i` gives. That reading belongs to the output
/// stage, above this one, so whoever lists the rule passes it in.
pub struct SyscallArg {
    /// 0 for a0 ... 3 for a3.
    pub index: u32,
    pub value: u32,
    pub machine: Option<&'static Machine>,
    pub syscall: Option<u32>,
    /// The a0 and a1 values met so far (open's mode needs O_CREAT).
    pub a0: u32,
    pub a1: u32,
}

/// Reads a syscall argument as text (see [`SyscallArg`]).
pub type ReadArg<'a> = &'a dyn Fn(&SyscallArg) -> String;

/// ` -F a1=O_WRONLY|O_CREAT`: the argument as `read` gives it; without a
/// machine or a syscall that is the value in lower-case hex.
fn write_interpreted_arg(
    f: &mut fmt::Formatter<'_>,
    field: &RuleField,
    ctx: &mut ArgContext,
    read: ReadArg<'_>,
) -> fmt::Result {
    let value = field.num().unwrap_or(0);
    let index = field.field - fields::A0;
    match index {
        0 => ctx.a0 = value,
        1 => ctx.a1 = value,
        _ => {}
    }
    let arg = SyscallArg {
        index,
        value,
        machine: ctx.machine,
        syscall: ctx.syscall,
        a0: ctx.a0,
        a1: ctx.a1,
    };
    write!(f, " -F a{index}{}{}", field.op.symbol(), read(&arg))
}

/// ` -F arch=b64`, or the raw AUDIT_ARCH value in hex when no machine has
/// it; interpreted, the machine's name.
fn write_arch(
    f: &mut fmt::Formatter<'_>,
    field: &RuleField,
    interpret: bool,
) -> Option<&'static Machine> {
    let elf = field.num().unwrap_or(0);
    let op = field.op.symbol();
    let machine = arch::by_elf(elf);
    let _ = match machine {
        Some(m) if interpret => write!(f, " -F arch{op}{}", m.name()),
        Some(m) if m.is_64bit() => write!(f, " -F arch{op}b64"),
        Some(_) => write!(f, " -F arch{op}b32"),
        None => write!(f, " -F arch{op}0x{elf:X}"),
    };
    machine
}

/// ` -S all` or ` -S name,name,...`, numbers where no name is known.
fn write_syscalls(
    f: &mut fmt::Formatter<'_>,
    rule: &Rule,
    machine: Option<&'static Machine>,
) -> fmt::Result {
    if !rule.list.takes_syscalls() || rule.syscalls.is_empty() {
        return Ok(());
    }
    if rule.syscalls.is_all() {
        return f.write_str(" -S all");
    }
    let table = if rule.list == FilterList::IoUring {
        Some(tables::uring_ops())
    } else {
        machine.and_then(Machine::syscalls)
    };
    for (i, nr) in rule.syscalls.iter().enumerate() {
        f.write_str(if i == 0 { " -S " } else { "," })?;
        match table.and_then(|t| t.name(nr)) {
            Some(name) => f.write_str(name)?,
            None => write!(f, "{nr}")?,
        }
    }
    Ok(())
}

fn write_field(f: &mut fmt::Formatter<'_>, field: &RuleField, watch: bool) -> fmt::Result {
    let op = field.op.symbol();
    let Some(def) = fields::by_id(field.field) else {
        return write!(f, " f{}{op}{}", field.field, signed(field));
    };
    let name = def.name;
    match (def.kind, &field.value) {
        (_, FieldValue::Str(s)) => write_string_field(f, def, field.op, s, watch),
        (Kind::Perm, _) if watch => write!(f, " -p {}", perm_letters(field)),
        (Kind::Perm, _) => write!(f, " -F perm={}", perm_letters(field)),
        (Kind::Compare, _) => write_compare(f, field),
        _ => write!(f, " -F {name}{op}{}", number_text(def, field)),
    }
}

fn write_string_field(
    f: &mut fmt::Formatter<'_>,
    def: &FieldDef,
    op: Operator,
    s: &str,
    watch: bool,
) -> fmt::Result {
    match def.id {
        fields::WATCH | fields::DIR if watch => write!(f, "-w {s}"),
        // auditctl prints these three with '=' whatever the operator.
        fields::WATCH | fields::DIR | fields::EXE => write!(f, " -F {}={s}", def.name),
        fields::FILTERKEY => {
            for key in s.split(KEY_SEPARATOR).filter(|k| !k.is_empty()) {
                if watch {
                    write!(f, " -k {key}")?;
                } else {
                    write!(f, " -F key={key}")?;
                }
            }
            Ok(())
        }
        _ => write!(f, " -F {}{}{s}", def.name, op.symbol()),
    }
}

/// ` -C auid!=obj_uid`; auditctl prints nothing at all for an id it does
/// not know.
fn write_compare(f: &mut fmt::Formatter<'_>, field: &RuleField) -> fmt::Result {
    match compare::by_id(field.num().unwrap_or(0)) {
        Some((left, right)) => write!(f, " -C {left}{}{right}", field.op.symbol()),
        None => Ok(()),
    }
}

/// The value text of a numeric field, by kind.
fn number_text(def: &FieldDef, field: &RuleField) -> String {
    let n = field.num().unwrap_or(0);
    match def.kind {
        Kind::Arg => format!("0x{n:X}"),
        Kind::Inode => n.to_string(),
        Kind::Exit => exit_text(n),
        Kind::MsgType => msgtype_text(n),
        Kind::FsType => tables::fs_types()
            .name(n)
            .map_or_else(|| signed(field), str::to_string),
        _ => signed(field),
    }
}

fn signed(field: &RuleField) -> String {
    (field.num().unwrap_or(0) as i32).to_string()
}

/// `-EPERM` for a negative errno with a name, else the signed number.
fn exit_text(n: u32) -> String {
    let value = n as i32;
    match tables::errnos().name(value.unsigned_abs()) {
        Some(name) if value < 0 => format!("-{name}"),
        _ => value.to_string(),
    }
}

fn msgtype_text(n: u32) -> String {
    let name = crate::record::MessageType(n).to_string();
    if name.starts_with("UNKNOWN[") {
        (n as i32).to_string()
    } else {
        name
    }
}

/// AUDIT_PERM_* bits as the letters "rwxa", in that order.
fn perm_letters(field: &RuleField) -> String {
    let bits = field.num().unwrap_or(0);
    let mut out = String::new();
    for (letter, bit) in PERM_LETTERS {
        if bits & bit != 0 {
            let _ = out.write_char(*letter);
        }
    }
    out
}
