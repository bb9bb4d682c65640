//! Names for values: the tables in `tables/` (auparse's, as ausearch
//! prints them), user and group names, protocol names.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use crate::tables::{data_lines, parse_number};

/// A value-name table in file order. Lookups by value return the first
/// name listed for it; flag sets are printed in file order.
pub struct Table(Vec<(u32, &'static str)>);

impl Table {
    fn parse(text: &'static str) -> Table {
        Table(
            data_lines(text)
                .map(|words| {
                    let [name, value] = words[..] else {
                        panic!("table line {words:?} is not 'name value'");
                    };
                    let value =
                        parse_number(value).unwrap_or_else(|| panic!("bad value in {words:?}"));
                    (value, name)
                })
                .collect(),
        )
    }

    pub fn name(&self, value: u32) -> Option<&'static str> {
        self.0.iter().find(|(v, _)| *v == value).map(|(_, n)| *n)
    }

    /// The names of the flags set in `bits`, joined by `sep`, in table order.
    pub fn flags(&self, bits: u64, sep: &str) -> String {
        self.0
            .iter()
            .filter(|(v, _)| u64::from(*v) & bits != 0)
            .map(|(_, n)| *n)
            .collect::<Vec<_>>()
            .join(sep)
    }

    /// The first `n` entries only (auparse prints some tables partially).
    pub fn prefix(&self, n: usize) -> Table {
        Table(self.0.iter().take(n).copied().collect())
    }
}

macro_rules! tables {
    ($($fn_name:ident => $file:literal,)*) => {
        $(
            pub fn $fn_name() -> &'static Table {
                static TABLE: OnceLock<Table> = OnceLock::new();
                TABLE.get_or_init(|| Table::parse(include_str!(concat!("tables/", $file))))
            }
        )*

        #[cfg(test)]
        pub fn all_tables() -> Vec<(&'static str, &'static Table)> {
            vec![$(($file, $fn_name()),)*]
        }
    };
}

tables! {
    access => "access.txt",
    bpf => "bpf.txt",
    capabilities => "cap.txt",
    clocks => "clock.txt",
    clone_flags => "clone_flags.txt",
    epoll_ctl => "epoll_ctl.txt",
    fcntl => "fcntl.txt",
    icmp_types => "icmp_types.txt",
    inet_hooks => "inet_hooks.txt",
    ioctl => "ioctl.txt",
    ip6_options => "ip6_options.txt",
    ip_options => "ip_options.txt",
    ipc => "ipc.txt",
    ipc_cmd => "ipc_cmd.txt",
    mmap => "mmap.txt",
    mount => "mount.txt",
    net_actions => "net_actions.txt",
    nfproto => "nfproto.txt",
    open_flags => "open_flags.txt",
    openat2_resolve => "openat2_resolve.txt",
    packet_options => "packet_options.txt",
    path_flags => "path_flags.txt",
    personality => "personality.txt",
    prctl => "prctl.txt",
    prot => "prot.txt",
    ptrace => "ptrace.txt",
    recv => "recv.txt",
    rlimit => "rlimit.txt",
    sched => "sched.txt",
    seccomp => "seccomp.txt",
    seek => "seek.txt",
    shm_mode => "shm_mode.txt",
    signals => "signals.txt",
    socket_families => "socket_families.txt",
    socket_levels => "socket_levels.txt",
    socket_options => "socket_options.txt",
    socket_types => "socket_types.txt",
    socketcall => "socketcall.txt",
    tcp_options => "tcp_options.txt",
    umount => "umount.txt",
}

/// A cache of id -> name lookups through the system's user or group
/// database (getpwuid/getgrgid, as ausearch asks), so each id is asked once.
struct IdCache(Mutex<HashMap<u32, Option<String>>>);

impl IdCache {
    fn get(&self, id: u32, lookup: impl FnOnce(u32) -> Option<String>) -> Option<String> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(id).or_insert_with(|| lookup(id)).clone()
    }
}

fn users() -> &'static IdCache {
    static CACHE: OnceLock<IdCache> = OnceLock::new();
    CACHE.get_or_init(|| IdCache(Mutex::new(HashMap::new())))
}

fn groups() -> &'static IdCache {
    static CACHE: OnceLock<IdCache> = OnceLock::new();
    CACHE.get_or_init(|| IdCache(Mutex::new(HashMap::new())))
}

/// A user's name as ausearch prints it: `unset` for -1, `root` for 0
/// without asking, else the passwd name or `unknown(N)`.
pub fn user(uid: i32) -> String {
    id_name(uid, users(), |id| {
        nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(id))
            .ok()
            .flatten()
            .map(|u| u.name)
    })
}

/// The uid of the user called `name` (getpwnam).
pub fn user_id(name: &str) -> Option<u32> {
    nix::unistd::User::from_name(name)
        .ok()
        .flatten()
        .map(|u| u.uid.as_raw())
}

/// A group's name, as [`user`] does for users.
pub fn group(gid: i32) -> String {
    id_name(gid, groups(), |id| {
        nix::unistd::Group::from_gid(nix::unistd::Gid::from_raw(id))
            .ok()
            .flatten()
            .map(|g| g.name)
    })
}

fn id_name(id: i32, cache: &IdCache, lookup: impl FnOnce(u32) -> Option<String>) -> String {
    match id {
        -1 => "unset".into(),
        0 => "root".into(),
        _ => cache
            .get(id as u32, lookup)
            .unwrap_or_else(|| format!("unknown({id})")),
    }
}

/// The name of an IP protocol number, from /etc/protocols (what
/// getprotobynumber reads on a system whose nsswitch says `files`).
pub fn protocol(number: u32) -> Option<String> {
    static PROTOCOLS: OnceLock<HashMap<u32, String>> = OnceLock::new();
    PROTOCOLS
        .get_or_init(|| {
            let text = std::fs::read_to_string("/etc/protocols").unwrap_or_default();
            parse_protocols(&text)
        })
        .get(&number)
        .cloned()
}

fn parse_protocols(text: &str) -> HashMap<u32, String> {
    let mut map = HashMap::new();
    for line in text.lines() {
        let mut words = line.split('#').next().unwrap_or("").split_whitespace();
        if let (Some(name), Some(number)) = (words.next(), words.next()) {
            if let Ok(n) = number.parse() {
                map.entry(n).or_insert_with(|| name.to_string());
            }
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_parse() {
        for (file, table) in all_tables() {
            assert!(!table.0.is_empty(), "{file} is empty");
        }
        assert_eq!(signals().name(9), Some("SIGKILL"));
        assert_eq!(socket_families().name(2), Some("inet"));
        assert_eq!(capabilities().name(0), Some("chown"));
        assert_eq!(open_flags().flags(0o101, "|"), "O_WRONLY|O_CREAT");
    }

    #[test]
    fn ids() {
        assert_eq!(user(-1), "unset");
        assert_eq!(user(0), "root");
        assert_eq!(group(0), "root");
        assert_eq!(user(2_000_000_123), "unknown(2000000123)");
    }

    #[test]
    fn protocols_file() {
        let map = parse_protocols("# c\nip\t0\tIP\t\t# internet\ntcp 6 TCP\n\nudp\t17\tUDP\n");
        assert_eq!(map.get(&6).map(String::as_str), Some("tcp"));
        assert_eq!(map.get(&0).map(String::as_str), Some("ip"));
    }
}
