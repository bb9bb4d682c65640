//! `rules`: auditctl's grammar, on a rules-file line (`split_line`, then
//! the words) and on a command line (`raudit ctl` words, which may hold
//! blanks), against a fixed system so that the same input always parses
//! the same way.
//!
//! Each line of the input is one rules-file line; a line holding a NUL is
//! a command line instead, its words separated by NULs. Every rule parsed
//! is encoded for the kernel, decoded again to the same rule, and printed
//! as `auditctl -l` does; a rule from a rules-file line printed that way
//! parses again to the same kernel rule.

use raudit::output::interpret;
use raudit::rules::kernel::normal_form;
use raudit::rules::parse_arch;
use raudit::rules::ReadArg;
use raudit::rules::{parse_args_with, split_line, Command, Rule, System};
use raudit::rules::{FieldValue, Operator, RuleField};
use raudit::tables::arch;

/// Fixed users, groups and directories.
struct FixedSystem;

const DIRS: &[&str] = &["/", "/etc", "/var/log/audit", "/tmp/dir"];
const USERS: &[(&str, u32)] = &[("root", 0), ("alice", 1000)];
const GROUPS: &[(&str, u32)] = &[("root", 0), ("wheel", 10)];

fn id_of(table: &[(&str, u32)], name: &str) -> Option<u32> {
    table.iter().find(|(n, _)| *n == name).map(|(_, id)| *id)
}

impl System for FixedSystem {
    fn is_dir(&self, path: &str) -> bool {
        DIRS.contains(&path)
    }
    fn user_id(&self, name: &str) -> Option<u32> {
        id_of(USERS, name)
    }
    fn group_id(&self, name: &str) -> Option<u32> {
        id_of(GROUPS, name)
    }
}

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for line in text.split('\n') {
        if line.contains('\0') {
            let words: Vec<String> = line.split('\0').map(str::to_string).collect();
            parse(&words, false);
        } else if let Some(words) = split_line(line) {
            parse(&words, true);
        }
    }
}

fn parse(words: &[String], file_line: bool) {
    let Ok(inv) = parse_args_with(words, &FixedSystem) else {
        return;
    };
    for cmd in &inv.commands {
        match cmd {
            Command::Add { rule, .. } | Command::Delete(rule) => check(rule, file_line),
            _ => {}
        }
    }
}

fn check(rule: &Rule, file_line: bool) {
    let listed = rule.to_string();
    let read: ReadArg<'_> =
        &|a| interpret::rule_syscall_arg(a.index, a.value, a.machine, a.syscall, (a.a0, a.a1));
    let _ = rule.listing(Some(read)).to_string();
    let Ok(bytes) = rule.to_wire() else {
        return;
    };
    let decoded = Rule::from_wire(&bytes).expect("an encoded rule decodes");
    assert_eq!(&decoded, rule, "the wire changed the rule");
    if !file_line || !reads_back(rule, &listed) {
        return;
    }
    // The -l text is a rules-file line for the same kernel rule.
    let words = split_line(&listed).expect("a listing has words");
    let inv = parse_args_with(&words, &FixedSystem)
        .unwrap_or_else(|e| panic!("the listing {listed:?} does not parse: {e}"));
    let again = inv.commands.iter().find_map(|c| match c {
        Command::Add { rule, .. } | Command::Delete(rule) => Some(rule),
        _ => None,
    });
    let again = again.unwrap_or_else(|| panic!("the listing {listed:?} is no rule"));
    assert_eq!(
        listing_form(again, &listed),
        listing_form(rule, &listed),
        "the listing {listed:?} is another rule"
    );
}

/// Whether the listing is a rule line for the rule. raudit lists what
/// auditctl lists, and these listings do not read back:
/// - a rule with a perm but no path lists as a watch without its path
///   (" -p x -k k"), which is no rule line;
/// - a listing that ends in a CR (the last key's) reads as a line with a
///   CRLF end;
/// - a filetype lists as its S_IFMT number, which `-F filetype=` does not
///   take (auditctl's neither);
/// - a number above 2^31 - 1 lists as a negative one (auditctl prints them
///   signed) in fields that take no negative number (pid, gid, msgtype...);
/// - an arch lists by its width (b32, b64), which reads back as the native
///   machine's: a rule for another machine (aarch64 on x86_64, its
///   syscalls numbered by that machine's table) reads back as another.
fn reads_back(rule: &Rule, listed: &str) -> bool {
    let other_machine = |f: &RuleField| {
        let m = f.num().and_then(arch::by_elf);
        m.is_some_and(|m| {
            let width = if m.is_64bit() { "b64" } else { "b32" };
            parse_arch(width).map_or(true, |back| back.elf != m.elf)
        })
    };
    !listed.starts_with(' ')
        && !listed.ends_with('\r')
        && !rule.fields.iter().any(|f| {
            let negative = f.num().is_some_and(|n| n > i32::MAX as u32);
            f.field == FILETYPE
                || (f.field == ARCH && other_machine(f))
                || (UNSIGNED_IN.contains(&f.field) && negative)
        })
}

// Field numbers of linux/audit.h (AUDIT_ARCH, AUDIT_WATCH, ...).
const ARCH: u32 = 11;
const WATCH: u32 = 105;
const DIR: u32 = 107;
const FILETYPE: u32 = 108;
const EXE: u32 = 112;
const KEY: u32 = 210;
/// pid, gid, egid, sgid, fsgid, pers, msgtype, ppid, fstype, devmajor,
/// devminor, success, obj_gid: listed signed, taken unsigned.
const UNSIGNED_IN: &[u32] = &[0, 5, 6, 7, 8, 10, 12, 18, 26, 100, 101, 104, 110];

/// The kernel rule as far as its listing tells it. The listing does not
/// keep what auditctl's does not:
/// - where the arch (listed first) and a key field (read back last, as
///   `-k`) stood among the fields; the kernel ANDs them in any order;
/// - the operator of a path, dir, exe or key (`-F key!=k` lists as
///   `-F key=k`; the kernel takes the key as a label, not a filter);
/// - for a rule listed as `-w PATH`, whether PATH was a file or a
///   directory (`-w` asks the file system again; both read as a file
///   watch here), and a dir's trailing slashes, which `-w` drops.
fn listing_form(rule: &Rule, listed: &str) -> Rule {
    let mut r = normal_form(rule);
    r.fields.sort_by_key(|f| match f.field {
        ARCH => 0,
        KEY => 2,
        _ => 1,
    });
    for f in &mut r.fields {
        let FieldValue::Str(text) = &mut f.value else {
            continue;
        };
        if matches!(f.field, WATCH | DIR | EXE | KEY) {
            f.op = Operator::Equal;
        }
        if matches!(f.field, WATCH | DIR) && listed.starts_with("-w ") {
            f.field = WATCH;
            let trimmed = text.trim_end_matches('/');
            *text = if trimmed.is_empty() { "/" } else { trimmed }.to_string();
        }
    }
    r
}
