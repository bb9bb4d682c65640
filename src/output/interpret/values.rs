//! One function per interpretation, each a port of the auparse function
//! that ausearch -i calls for that field type, with the same fallbacks
//! (`conversion error(...)`, `unknown-...(...)`).

use super::fields::FieldType;
use super::num::{c_int, c_uint, strtol, strtoul};
use super::{args, names, sockaddr, Context};

/// The interpretation of the value in `cx`, before escaping.
pub fn interpret(kind: FieldType, cx: &Context<'_>) -> Vec<u8> {
    use FieldType::*;
    let val = cx.val;
    let text = |s: String| s.into_bytes();
    match kind {
        Uid => text(uid(val, 10)),
        Gid => text(gid(val, 10)),
        Syscall => text(syscall(cx)),
        Arch => text(arch(val)),
        Exit => text(exit(val)),
        Escaped | EscapedFile => match cx.cwd {
            Some(cwd) => escaped_in(val, cwd),
            None => escaped(val),
        },
        EscapedKey => escaped(val),
        Perm => text(perm(val)),
        Mode => text(mode(val, 8)),
        ModeShort => text(number(val, 8, mode_short)),
        Sockaddr => sockaddr::print(val),
        Flags => text(path_flags(val)),
        Promisc => text(match strtol(val, 10) {
            None => conversion_error(val),
            Some(0) => "no".into(),
            Some(_) => "yes".into(),
        }),
        Capability => text(capability(val, 10)),
        Success => text(success(val)),
        A0 | A1 | A2 | A3 => text(args::print(kind, cx)),
        Signal => text(signal(val, 10)),
        List => text(list(val)),
        TtyData => tty_data(val),
        Session => match val {
            b"4294967295" => b"unset".to_vec(),
            _ => val.to_vec(),
        },
        CapBitmap => text(cap_bitmap(val)),
        Nfproto => text(named(val, 10, names::nfproto(), |_| {
            format!("unknown-netfilter-protocol({})", s(val))
        })),
        Icmptype => text(named(val, 10, names::icmp_types(), |_| {
            format!("unknown-icmp-type({})", s(val))
        })),
        Protocol => text(match c_int(val, 10) {
            None => conversion_error(val),
            Some(n) => names::protocol(n as u32).unwrap_or_else(|| "undefined protocol".into()),
        }),
        Personality => text(personality(val)),
        Seccomp => text(match strtoul(val, 16) {
            None => conversion_error(val),
            Some(code) => names::seccomp()
                .name((code & 0x7fff_0000) as u32)
                .map(str::to_string)
                .unwrap_or_else(|| format!("unknown-seccomp-code({})", s(val))),
        }),
        Oflag => text(open_flags(val)),
        Mmap => text(flag_set(val, names::mmap(), "|", Some((0x0f, "MAP_FILE")))),
        Proctitle => proctitle(val),
        Hook => text(named(val, 16, names::inet_hooks(), |_| {
            format!("unknown-hook({})", s(val))
        })),
        Netaction => text(named(val, 16, names::net_actions(), |_| {
            format!("unknown-action({})", s(val))
        })),
        Macproto => text(match c_int(val, 16) {
            None => conversion_error(val),
            Some(0x0800) => "IP".into(),
            Some(0x0806) => "ARP".into(),
            Some(_) => "UNKNOWN".into(),
        }),
        IoctlReq => text(named(val, 16, names::ioctl(), |n| {
            format!("0x{:x}", n as u32)
        })),
        Fanotify => match val.first() {
            Some(b'0'..=b'9') => text(match strtoul(val, 10) {
                None => conversion_error(val),
                Some(1) => "allow".into(),
                Some(2) => "deny".into(),
                Some(_) => "unknown".into(),
            }),
            _ => val.to_vec(),
        },
        Nlmcgrp => text(match strtoul(val, 16) {
            None => conversion_error(val),
            Some(1) => "audit-netlink-multicast".into(),
            Some(_) => "audit-none".into(),
        }),
        Resolve => text(flag_set(val, names::openat2_resolve(), "|", None)),
        Addr | MacLabel | Unclassified => val.to_vec(),
    }
}

/// Lossy text of a raw value, for messages that quote it.
pub fn s(val: &[u8]) -> String {
    String::from_utf8_lossy(val).into_owned()
}

pub fn conversion_error(val: &[u8]) -> String {
    format!("conversion error({})", s(val))
}

/// A value looked up in a table after strtoul in `base`; `unknown` makes
/// the text for a value the table lacks.
pub fn named(
    val: &[u8],
    base: u32,
    table: &names::Table,
    unknown: impl FnOnce(i32) -> String,
) -> String {
    match c_int(val, base) {
        None => conversion_error(val),
        Some(n) => table
            .name(n as u32)
            .map(str::to_string)
            .unwrap_or_else(|| unknown(n)),
    }
}

/// A value read with strtoul in `base`, then printed by `f`.
pub fn number(val: &[u8], base: u32, f: impl FnOnce(u32) -> String) -> String {
    match c_uint(val, base) {
        None => conversion_error(val),
        Some(n) => f(n),
    }
}

/// Flags joined by `sep` in table order; `zero` names the value whose
/// `mask` bits are all clear (O_RDONLY, MAP_FILE); `0x<val>` when none.
pub fn flag_set(val: &[u8], table: &names::Table, sep: &str, zero: Option<(u64, &str)>) -> String {
    let Some(bits) = strtoul(val, 16) else {
        return conversion_error(val);
    };
    let bits = bits & 0xffff_ffff;
    let mut parts = Vec::new();
    if let Some((mask, name)) = zero {
        if bits & mask == 0 {
            parts.push(name.to_string());
        }
    }
    let set = table.flags(bits, sep);
    if !set.is_empty() {
        parts.push(set);
    }
    if parts.is_empty() {
        format!("0x{}", s(val))
    } else {
        parts.join(sep)
    }
}

pub fn uid(val: &[u8], base: u32) -> String {
    match c_int(val, base) {
        None => conversion_error(val),
        Some(id) => names::user(id),
    }
}

pub fn gid(val: &[u8], base: u32) -> String {
    match c_int(val, base) {
        None => conversion_error(val),
        Some(id) => names::group(id),
    }
}

fn syscall(cx: &Context<'_>) -> String {
    let machine = cx.machine.unwrap_or_else(crate::tables::arch::native);
    let Some(name) = cx.syscall_name_on(machine) else {
        return format!("unknown-syscall({})", cx.syscall);
    };
    let a0 = cx.a0 as i32;
    let func = if i64::from(a0) as u64 != cx.a0 {
        None
    } else if name == "socketcall" {
        names::socketcall().name(a0 as u32)
    } else if name == "ipc" {
        names::ipc().name(a0 as u32)
    } else {
        None
    };
    match func {
        Some(f) => format!("{name}({f})"),
        None => name.to_string(),
    }
}

fn arch(val: &[u8]) -> String {
    match strtoul(val, 16) {
        None => format!("conversion error({}) ", s(val)),
        Some(elf) => match crate::tables::arch::by_elf(elf as u32) {
            Some(m) => m.name().to_string(),
            None => format!("unknown-elf-type({})", s(val)),
        },
    }
}

fn exit(val: &[u8]) -> String {
    match strtol(val, 10) {
        None => conversion_error(val),
        Some(n) if n < 0 => errno_text(n.unsigned_abs() as i32),
        Some(_) => s(val),
    }
}

/// `EINVAL(Invalid argument)`: the errno name (libaudit's table) and the
/// C library's message for it (strerror, through std, which asks it).
pub fn errno_text(n: i32) -> String {
    let name = u32::try_from(n)
        .ok()
        .and_then(|n| crate::tables::errnos().name(n))
        .unwrap_or("(null)");
    let message = std::io::Error::from_raw_os_error(n).to_string();
    let suffix = format!(" (os error {n})");
    let message = message.strip_suffix(&suffix).unwrap_or(&message);
    format!("{name}({message})")
}

/// Decodes the kernel's hex encoding as auparse's `au_unescape` does: the
/// leading run of hex digits, two per byte (an odd last digit is the high
/// nibble); `(null)`-style values are kept; `None` when under two digits.
pub fn unescape(val: &[u8]) -> Option<Vec<u8>> {
    if val.first() == Some(&b'(') {
        let close = val.iter().position(|&b| b == b')')?;
        return Some(val[..=close].to_vec());
    }
    let len = val.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if len < 2 {
        return None;
    }
    let nibble = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
    Some(
        val[..len]
            .chunks(2)
            .map(|p| (nibble(p[0]) << 4) | p.get(1).map_or(0, |&b| nibble(b)))
            .collect(),
    )
}

/// A C string: the bytes before the first NUL.
pub fn c_string(mut v: Vec<u8>) -> Vec<u8> {
    if let Some(nul) = v.iter().position(|&b| b == 0) {
        v.truncate(nul);
    }
    v
}

/// auparse's `print_escaped`, without the final C-string cut (proctitle
/// needs the NULs): quoted text unquoted, hex decoded, else as is.
fn escaped_raw(val: &[u8]) -> Vec<u8> {
    if let Some(rest) = val.strip_prefix(b"\"") {
        return match rest.iter().position(|&b| b == b'"') {
            Some(end) => rest[..end].to_vec(),
            None => b" ".to_vec(),
        };
    }
    let hex = val.strip_prefix(b"00").unwrap_or(val);
    unescape(hex).unwrap_or_else(|| val.to_vec())
}

pub fn escaped(val: &[u8]) -> Vec<u8> {
    c_string(escaped_raw(val))
}

/// auparse's `print_escaped_ext`: a file name made absolute against the
/// working directory `cwd`, and `.`/`..` resolved (textually, no lookup).
fn escaped_in(val: &[u8], cwd: &[u8]) -> Vec<u8> {
    let name = escaped(val);
    let full = if name.first() != Some(&b'/') {
        [escaped(cwd), b"/".to_vec(), name].concat()
    } else if name.windows(2).any(|w| w == b"..") {
        name
    } else {
        return name;
    };
    path_norm(&full)
}

/// auparse's `path_norm`, with its quirks: a leading `.` leaves the path as
/// is, and a final `..` moves back without cutting the text after it
/// (`/a/b/..` stays `/a/b`), since the C code only writes its terminator
/// after copying a component.
fn path_norm(name: &[u8]) -> Vec<u8> {
    if name.is_empty() || name[0] == b'.' {
        return name.to_vec();
    }
    let mut buf: Vec<u8> = Vec::new();
    let mut dest = 0;
    for component in name.split(|&b| b == b'/').filter(|c| !c.is_empty()) {
        match component {
            [b'.'] => {}
            [b'.', b'.'] => {
                if dest > 1 {
                    dest -= 1;
                    while buf[dest - 1] != b'/' {
                        dest -= 1;
                    }
                }
            }
            _ => {
                if dest == 0 || buf[dest - 1] != b'/' {
                    buf.truncate(dest);
                    buf.push(b'/');
                    dest += 1;
                }
                buf.truncate(dest);
                buf.extend_from_slice(component);
                dest = buf.len();
            }
        }
    }
    buf
}

/// The command line with its NUL separators shown as spaces.
fn proctitle(val: &[u8]) -> Vec<u8> {
    let mut out = escaped_raw(val);
    if val.first() != Some(&b'"') {
        let end = val.len() / 2;
        if out.len() < end {
            out.resize(end, 0);
        }
        for b in out.iter_mut().take(end) {
            if *b == 0 {
                *b = b' ';
            }
        }
    }
    c_string(out)
}

fn perm(val: &[u8]) -> String {
    let Some(mut bits) = strtol(val, 10).map(|v| v as i32) else {
        return conversion_error(val);
    };
    // The kernel treats no permission as every permission.
    if bits == 0 {
        bits = 0x0f;
    }
    ["read", "write", "exec", "attr"]
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join(",")
}

const S_IFMT: u32 = 0o170000;

pub fn mode(val: &[u8], base: u32) -> String {
    number(val, base, |m| {
        let mut out = match crate::tables::file_types().name(m & S_IFMT) {
            Some(name) => name.to_string(),
            None => format!("{:03o}", (m & S_IFMT) / 0o010000),
        };
        for (bit, name) in [(0o4000, ",suid"), (0o2000, ",sgid"), (0o1000, ",sticky")] {
            if m & bit != 0 {
                out.push_str(name);
            }
        }
        format!("{out},{:03o}", m & 0o777)
    })
}

pub fn mode_short(m: u32) -> String {
    let special: Vec<&str> = [(0o4000, "suid"), (0o2000, "sgid"), (0o1000, "sticky")]
        .iter()
        .filter(|(bit, _)| m & bit != 0)
        .map(|(_, n)| *n)
        .collect();
    if special.is_empty() {
        format!("0{:03o}", m & 0o777)
    } else {
        format!("{},0{:03o}", special.join(","), m & 0o777)
    }
}

/// PATH `flags=` (lookup flags of old kernels).
fn path_flags(val: &[u8]) -> String {
    match strtoul(val, 16).map(|v| v as i32) {
        None => conversion_error(val),
        Some(0) => "none".into(),
        Some(f) => {
            let set = names::path_flags().flags(u64::from(f as u32), ",");
            if set.is_empty() {
                format!("0x{}", s(val))
            } else {
                set
            }
        }
    }
}

pub fn capability(val: &[u8], base: u32) -> String {
    named(val, base, names::capabilities(), |_| {
        format!(
            "unknown-capability({}{})",
            if base == 16 { "0x" } else { "" },
            s(val)
        )
    })
}

/// Capability sets as a bitmap: the names of the bits set, up to
/// CAP_LAST_CAP of the headers libauparse was built with.
fn cap_bitmap(val: &[u8]) -> String {
    const CAP_LAST_CAP: u32 = 40;
    let Some(bits) = strtoul(val, 16) else {
        return conversion_error(val);
    };
    let names: Vec<&str> = (0..=CAP_LAST_CAP)
        .filter(|i| bits & (1 << i) != 0)
        .map(|i| names::capabilities().name(i).unwrap_or(""))
        .collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(",")
    }
}

fn success(val: &[u8]) -> String {
    if !val.first().is_some_and(u8::is_ascii_digit) {
        return s(val);
    }
    match strtoul(val, 10).map(|v| v as i32) {
        None => conversion_error(val),
        Some(0) => "no".into(),
        Some(1) => "yes".into(),
        Some(_) => "unset".into(),
    }
}

pub fn open_flags(val: &[u8]) -> String {
    flag_set(val, names::open_flags(), "|", Some((0o3, "O_RDONLY")))
}

pub fn signal(val: &[u8], base: u32) -> String {
    match c_int(val, base) {
        None => conversion_error(val),
        Some(n) => (0..32)
            .contains(&n)
            .then(|| names::signals().name(n as u32))
            .flatten()
            .map(str::to_string)
            .unwrap_or_else(|| {
                format!(
                    "unknown-signal({}{})",
                    if base == 16 { "0x" } else { "" },
                    s(val)
                )
            }),
    }
}

/// `list=`: the rule list a CONFIG_CHANGE is about.
fn list(val: &[u8]) -> String {
    const LISTS: &[(i32, &str)] = &[
        (0, "user"),
        (1, "task"),
        (4, "exit"),
        (5, "exclude"),
        (6, "filesystem"),
    ];
    match c_int(val, 10) {
        None => conversion_error(val),
        Some(n) => LISTS
            .iter()
            .find(|(v, _)| *v == n)
            .map(|(_, name)| name.to_string())
            .unwrap_or_else(|| format!("unknown-list({})", s(val))),
    }
}

pub fn personality(val: &[u8]) -> String {
    const PER_MASK: u32 = 0xff;
    const ADDR_NO_RANDOMIZE: u32 = 0x0040000;
    number(val, 16, |p| match names::personality().name(p & PER_MASK) {
        Some(name) if p & ADDR_NO_RANDOMIZE != 0 => format!("{name}|~ADDR_NO_RANDOMIZE"),
        Some(name) => name.to_string(),
        None => format!("unknown-personality(0x{})", s(val)),
    })
}

/// TTY input: printable runs quoted, named keys in `<>`, comma separated.
pub fn tty_data(val: &[u8]) -> Vec<u8> {
    if !val.iter().all(u8::is_ascii_hexdigit) {
        return val.to_vec();
    }
    let Some(mut data) = unescape(val) else {
        return b"(null)".to_vec();
    };
    data.truncate(val.len() / 2);
    let mut out = Vec::new();
    let mut printable = false;
    let mut i = 0;
    while i < data.len() {
        if let Some((len, key)) = super::tty_keys::find(&data[i..]) {
            if printable {
                out.push(b'"');
                printable = false;
            }
            if !out.is_empty() {
                out.push(b',');
            }
            out.push(b'<');
            out.extend_from_slice(key.as_bytes());
            out.push(b'>');
            i += len;
        } else {
            if !printable {
                if !out.is_empty() {
                    out.push(b',');
                }
                out.push(b'"');
                printable = true;
            }
            let c = data[i];
            if !(0x20..=0x7e).contains(&c) {
                out.extend_from_slice(&[
                    b'\\',
                    b'0' + (c >> 6),
                    b'0' + ((c >> 3) & 7),
                    b'0' + (c & 7),
                ]);
            } else {
                if c == b'\\' || c == b'"' {
                    out.push(b'\\');
                }
                out.push(c);
            }
            i += 1;
        }
    }
    if printable {
        out.push(b'"');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_interpretations() {
        assert_eq!(perm(b"0"), "read,write,exec,attr");
        assert_eq!(perm(b"10"), "write,attr");
        assert_eq!(mode(b"0100755", 8), "file,755");
        assert_eq!(mode(b"041777", 8), "dir,sticky,777");
        assert_eq!(mode(b"0170644", 8), "017,644");
        assert_eq!(mode_short(0o4755), "suid,0755");
        assert_eq!(exit(b"-115"), "EINPROGRESS(Operation now in progress)");
        assert_eq!(exit(b"-22"), "EINVAL(Invalid argument)");
        assert_eq!(exit(b"3"), "3");
        assert_eq!(errno_text(600), "(null)(Unknown error 600)");
        assert_eq!(success(b"1"), "yes");
        assert_eq!(success(b"success'"), "success'");
        assert_eq!(cap_bitmap(b"0"), "none");
        assert_eq!(cap_bitmap(b"3"), "chown,dac_override");
        assert_eq!(signal(b"9", 10), "SIGKILL");
        assert_eq!(signal(b"40", 10), "unknown-signal(40)");
        assert_eq!(open_flags(b"0"), "O_RDONLY");
        assert_eq!(open_flags(b"241"), "O_WRONLY|O_CREAT|O_TRUNC");
        assert_eq!(arch(b"c000003e"), "x86_64");
        assert_eq!(arch(b"1234"), "unknown-elf-type(1234)");
        assert_eq!(list(b"4"), "exit");
    }

    #[test]
    fn escaped_values() {
        assert_eq!(escaped(b"\"/tmp/x\""), b"/tmp/x");
        assert_eq!(escaped(b"617267206F6E65"), b"arg one");
        assert_eq!(escaped(b"(null)"), b"(null)");
        assert_eq!(escaped(b"?"), b"?");
        assert_eq!(escaped(b"abc"), vec![0xab, 0xc0]);
        assert_eq!(proctitle(b"6C73002D6C"), b"ls -l");
        assert_eq!(escaped_in(b"\"x/../y\"", b"\"/root\""), b"/root/y");
        assert_eq!(escaped_in(b"\"/etc//./hosts\"", b"\"/\""), b"/etc//./hosts");
        assert_eq!(
            escaped_in(b"\"/etc/../etc//hosts\"", b"\"/\""),
            b"/etc/hosts"
        );
        assert_eq!(escaped_in(b"\"/etc/hosts\"", b"\"/root\""), b"/etc/hosts");
        assert_eq!(path_norm(b"/a/b/.."), b"/a/b");
        assert_eq!(path_norm(b"./x"), b"./x");
        assert_eq!(proctitle(b"\"bash\""), b"bash");
    }

    #[test]
    fn tty() {
        assert_eq!(tty_data(b"6C730D"), b"\"ls\",<ret>");
        assert_eq!(tty_data(b"not hex"), b"not hex");
    }
}
