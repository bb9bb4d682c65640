//! SYSCALL `a0`..`a3`: decoded for the syscalls where ausearch decodes them
//! (auparse's print_a0..print_a3), else `0x` and the hex as logged. The
//! syscall-by-syscall choices mirror auparse's, quirks included: a name
//! matched by its first letter's branch never reaches a later test.

use super::fields::FieldType;
use super::num::{c_int, c_uint, strtoul};
use super::values::{
    capability, conversion_error, flag_set, gid, mode, mode_short, named, number, open_flags,
    personality, s, signal, uid,
};
use super::{names, Context};

pub fn print(kind: FieldType, cx: &Context<'_>) -> String {
    let decoded = cx.syscall_name().and_then(|sys| match kind {
        FieldType::A0 => a0(sys, cx),
        FieldType::A1 => a1(sys, cx),
        FieldType::A2 => a2(sys, cx),
        _ => a3(sys, cx),
    });
    decoded.unwrap_or_else(|| format!("0x{}", s(cx.val)))
}

fn a0(sys: &str, cx: &Context<'_>) -> Option<String> {
    let val = cx.val;
    let first = sys.as_bytes()[0];
    Some(match first {
        b'r' if sys == "rt_sigaction" => signal(val, 16),
        b'r' if sys.starts_with("renameat") || sys == "readlinkat" => dirfd(val),
        b'c' if sys == "clock_settime" => clock_id(val),
        b'p' if sys == "personality" => personality(val),
        b'p' if sys == "ptrace" => unknown_hex(val, names::ptrace(), "ptrace"),
        b'p' if sys == "prctl" => unknown_hex(val, names::prctl(), "prctl-option"),
        b'm' if sys == "mkdirat" || sys == "mknodat" => dirfd(val),
        b'f' if matches!(sys, "fchownat" | "futimesat" | "fchmodat" | "futimensat")
            || sys.starts_with("faccessat") =>
        {
            dirfd(val)
        }
        b'u' if sys == "unshare" => clone_flags(val),
        b'u' if sys == "unlinkat" || sys == "utimensat" => dirfd(val),
        b'r' | b'c' | b'p' | b'm' | b'f' | b'u' => return None,
        _ if &sys[1..] == "etrlimit" => rlimit(val),
        b's' => match sys {
            "setuid" | "setreuid" | "setresuid" | "setfsuid" => uid(val, 16),
            "setgid" | "setregid" | "setresgid" | "setfsgid" => gid(val, 16),
            "socket" => named(val, 16, names::socket_families(), |_| {
                format!("unknown-family(0x{})", s(val))
            }),
            "socketcall" => call_name(val, names::socketcall(), "socketcall"),
            _ => return None,
        },
        _ => match sys {
            "linkat" | "newfstatat" | "name_to_handle_at" => dirfd(val),
            _ if sys.starts_with("openat") => dirfd(val),
            "ipccall" => call_name(val, names::ipc(), "ipccall"),
            _ if sys.starts_with("exit") => match val {
                b"0" => "EXIT_SUCCESS".into(),
                b"1" => "EXIT_FAILURE".into(),
                _ => "UNKNOWN".into(),
            },
            "bpf" => number(val, 16, |cmd| {
                names::bpf()
                    .name(cmd)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("unknown-bpf-cmd({})", s(val)))
            }),
            _ => return None,
        },
    })
}

const PR_SET_PDEATHSIG: u64 = 1;
const PR_CAPBSET_READ: u64 = 23;
const PR_CAPBSET_DROP: u64 = 24;

fn a1(sys: &str, cx: &Context<'_>) -> Option<String> {
    let val = cx.val;
    let first = sys.as_bytes()[0];
    let early = match first {
        b'f' if sys == "fchmod" => Some(mode_short_hex(val)),
        b'f' if sys.starts_with("fcntl") => Some(named(val, 16, names::fcntl(), |n| {
            format!("unknown-fcntl-command({n})")
        })),
        b'c' if sys == "chmod" || sys == "creat" => Some(mode_short_hex(val)),
        b'c' if sys.contains("chown") => Some(uid(val, 16)),
        _ => None,
    };
    if early.is_some() {
        return early;
    }
    if &sys[1..] == "etsockopt" {
        return Some(sock_opt_level(val));
    }
    Some(match first {
        b's' => match sys {
            "setreuid" | "setresuid" => uid(val, 16),
            "setregid" | "setresgid" => gid(val, 16),
            "socket" => match strtoul(val, 16) {
                None => conversion_error(val),
                Some(t) => names::socket_types()
                    .name((t & 0xff) as u32)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("unknown-type({})", s(val))),
            },
            "setns" => clone_flags(val),
            "sched_setscheduler" => sched(val),
            _ => return None,
        },
        b'm' => match sys {
            "mkdir" => mode_short_hex(val),
            "mknod" => mode(val, 16),
            "mq_open" => open_flags(val),
            _ => return None,
        },
        _ => match sys {
            "open" => open_flags(val),
            "access" => access(val),
            "epoll_ctl" => named(val, 16, names::epoll_ctl(), |n| {
                format!("unknown-epoll_ctl-operation({n})")
            }),
            "kill" | "tkill" => signal(val, 16),
            "prctl" if cx.a0 == PR_CAPBSET_READ || cx.a0 == PR_CAPBSET_DROP => capability(val, 16),
            "prctl" if cx.a0 == PR_SET_PDEATHSIG => signal(val, 16),
            "umount2" => flag_set(val, names::umount(), "|", None),
            "ioctl" => named(val, 16, names::ioctl(), |n| format!("0x{:x}", n as u32)),
            _ => return None,
        },
    })
}

const F_SETFD: u64 = 2;
const F_SETOWN: u64 = 8;
const O_CREAT: u64 = 0o100;
const IPPROTO_IP: u64 = 0;
const SOL_SOCKET: u64 = 1;
const IPPROTO_TCP: u64 = 6;
const IPPROTO_UDP: u64 = 17;
const IPPROTO_IPV6: u64 = 41;
const SOL_PACKET: u64 = 263;

fn a2(sys: &str, cx: &Context<'_>) -> Option<String> {
    let val = cx.val;
    if sys.starts_with("fcntl") {
        let Some(ival) = c_int(val, 16) else {
            return Some(conversion_error(val));
        };
        return match cx.a1 {
            F_SETOWN => Some(uid(val, 16)),
            F_SETFD if ival == 1 => Some("FD_CLOEXEC".into()),
            _ => None,
        };
    }
    if &sys[1..] == "etsockopt" {
        let opt = |table: &names::Table, what: &str| {
            named(val, 16, table, |_| {
                format!("unknown-{what}-name(0x{})", s(val))
            })
        };
        return Some(match cx.a1 {
            IPPROTO_IP => opt(names::ip_options(), "ipopt"),
            SOL_SOCKET => sock_opt_name(val, cx),
            IPPROTO_TCP => opt(names::tcp_options(), "tcpopt"),
            IPPROTO_UDP => match c_int(val, 16) {
                None => conversion_error(val),
                Some(1) => "UDP_CORK".into(),
                Some(100) => "UDP_ENCAP".into(),
                Some(_) => format!("unknown-udpopt-name(0x{})", s(val)),
            },
            IPPROTO_IPV6 => opt(names::ip6_options(), "ip6opt"),
            SOL_PACKET => opt(names::packet_options(), "pktopt"),
            _ => return None,
        });
    }
    let created = cx.a1 & O_CREAT != 0;
    Some(match sys.as_bytes()[0] {
        b'o' => match sys {
            "openat" | "open_by_handle_at" => open_flags(val),
            "open" if created => mode_short_hex(val),
            _ => return None,
        },
        b'f' => match sys {
            "fchmodat" => mode_short_hex(val),
            _ if sys.starts_with("faccessat") => access(val),
            _ => return None,
        },
        b's' => match sys {
            "setresuid" => uid(val, 16),
            "setresgid" => gid(val, 16),
            "socket" => number(val, 16, |p| {
                names::protocol(p).unwrap_or_else(|| format!("unknown-proto({})", s(val)))
            }),
            "sendmsg" => flag_set(val, names::recv(), "|", None),
            "shmget" => shm_flags(val),
            _ => return None,
        },
        b'm' => match sys {
            "mmap" => prot(val, 4),
            "mkdirat" | "mknodat" => mode_short_hex(val),
            "mprotect" => prot(val, 3),
            "mq_open" if created => mode_short_hex(val),
            _ => return None,
        },
        b'r' => match sys {
            "recvmsg" => flag_set(val, names::recv(), "|", None),
            _ if sys == "readlinkat" || sys.starts_with("renameat") => dirfd(val),
            _ => return None,
        },
        b'l' => match sys {
            "linkat" => dirfd(val),
            "lseek" => match strtoul(val, 16) {
                None => conversion_error(val),
                Some(w) => names::seek()
                    .name((w & 0xff) as u32)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("unknown-whence({})", s(val))),
            },
            _ => return None,
        },
        b'c' => match sys {
            "clone" | "clone2" => clone_flags(val),
            _ => return None,
        },
        _ if sys.contains("chown") => gid(val, 16),
        _ if sys == "tgkill" => signal(val, 16),
        _ => return None,
    })
}

fn a3(sys: &str, cx: &Context<'_>) -> Option<String> {
    let val = cx.val;
    Some(match sys {
        "mmap" => flag_set(val, names::mmap(), "|", Some((0x0f, "MAP_FILE"))),
        "mount" => flag_set(val, names::mount(), "|", None),
        "recv" | "recvfrom" | "recvmmsg" | "send" | "sendto" | "sendmmsg" => {
            flag_set(val, names::recv(), "|", None)
        }
        _ => return None,
    })
}

fn mode_short_hex(val: &[u8]) -> String {
    number(val, 16, mode_short)
}

fn dirfd(val: &[u8]) -> String {
    match strtoul(val, 16) {
        None => conversion_error(val),
        Some(fd) if fd as u32 == 0xffff_ff9c => "AT_FDCWD".into(),
        Some(_) => format!("0x{}", s(val)),
    }
}

fn unknown_hex(val: &[u8], table: &names::Table, what: &str) -> String {
    named(val, 16, table, |_| format!("unknown-{what}(0x{})", s(val)))
}

fn call_name(val: &[u8], table: &names::Table, what: &str) -> String {
    match super::num::strtol(val, 16) {
        None => conversion_error(val),
        Some(n) => table
            .name(n as i32 as u32)
            .map(str::to_string)
            .unwrap_or_else(|| format!("unknown-{what}({})", s(val))),
    }
}

fn clock_id(val: &[u8]) -> String {
    match c_int(val, 16) {
        None => conversion_error(val),
        Some(n) => (n < 7)
            .then(|| names::clocks().name(n as u32))
            .flatten()
            .map(str::to_string)
            .unwrap_or_else(|| format!("unknown-clk_id(0x{})", s(val))),
    }
}

fn rlimit(val: &[u8]) -> String {
    match c_int(val, 16) {
        None => conversion_error(val),
        Some(n) => (n < 17)
            .then(|| names::rlimit().name(n as u32))
            .flatten()
            .map(str::to_string)
            .unwrap_or_else(|| format!("unknown-rlimit(0x{})", s(val))),
    }
}

/// Clone flags, then the exit signal in the low byte.
fn clone_flags(val: &[u8]) -> String {
    let Some(flags) = c_uint(val, 16) else {
        return conversion_error(val);
    };
    let mut out = names::clone_flags().flags(u64::from(flags), "|");
    let sig = flags & 0xff;
    if sig != 0 && sig < 32 {
        if let Some(name) = names::signals().name(sig) {
            if !out.is_empty() {
                out.push('|');
            }
            out.push_str(name);
        }
    }
    if out.is_empty() {
        format!("0x{flags:x}")
    } else {
        out
    }
}

fn sched(val: &[u8]) -> String {
    number(val, 16, |pol| match names::sched().name(pol & 0x0f) {
        Some(name) if pol & 0x4000_0000 != 0 => format!("{name}|SCHED_RESET_ON_FORK"),
        Some(name) => name.to_string(),
        None => format!("unknown-scheduler-policy(0x{})", s(val)),
    })
}

fn sock_opt_level(val: &[u8]) -> String {
    match c_int(val, 16) {
        None => conversion_error(val),
        Some(1) => "SOL_SOCKET".into(),
        Some(level) => names::protocol(level as u32)
            .or_else(|| {
                names::socket_levels()
                    .name(level as u32)
                    .map(str::to_string)
            })
            .unwrap_or_else(|| format!("unknown-sockopt-level(0x{})", s(val))),
    }
}

fn sock_opt_name(val: &[u8], cx: &Context<'_>) -> String {
    match c_int(val, 16) {
        None => conversion_error(val),
        Some(mut opt) => {
            // PowerPC numbers a few socket options differently; auparse's
            // table lists them 100 higher.
            let ppc = cx
                .machine
                .is_some_and(|m| matches!(m.name(), "ppc" | "ppc64"));
            if ppc && (16..=21).contains(&opt) {
                opt += 100;
            }
            names::socket_options()
                .name(opt as u32)
                .map(str::to_string)
                .unwrap_or_else(|| format!("unknown-sockopt-name(0x{})", s(val)))
        }
    }
}

fn access(val: &[u8]) -> String {
    match strtoul(val, 16) {
        None => conversion_error(val),
        Some(m) if m & 0xf == 0 => "F_OK".into(),
        Some(_) => flag_set(val, &names::access().prefix(3), "|", None),
    }
}

fn prot(val: &[u8], entries: usize) -> String {
    match strtoul(val, 16) {
        None => conversion_error(val),
        Some(p) if p & 7 == 0 => "PROT_NONE".into(),
        Some(_) => flag_set(val, &names::prot().prefix(entries), "|", None),
    }
}

fn shm_flags(val: &[u8]) -> String {
    let Some(flags) = c_uint(val, 16) else {
        return conversion_error(val);
    };
    let mut parts: Vec<String> = [
        names::ipc_cmd().flags(u64::from(flags & 0o3000), "|"),
        names::shm_mode().flags(u64::from(flags & 0o14000), "|"),
    ]
    .into_iter()
    .filter(|p| !p.is_empty())
    .collect();
    parts.push(mode_short(flags & 0o777));
    parts.join("|")
}
