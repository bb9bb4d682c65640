//! `saddr=`: the hex dump of a struct sockaddr, printed as ausearch prints
//! it (`{ saddr_fam=inet laddr=127.0.0.1 lport=9 }`).

use std::net::{Ipv4Addr, Ipv6Addr};

use super::names;
use super::values::unescape;

const AF_LOCAL: u16 = 1;
const AF_INET: u16 = 2;
const AF_AX25: u16 = 3;
const AF_ATMPVC: u16 = 8;
const AF_X25: u16 = 9;
const AF_INET6: u16 = 10;
const AF_NETLINK: u16 = 16;

pub fn print(val: &[u8]) -> Vec<u8> {
    let slen = val.len() / 2;
    let Some(decoded) = unescape(val) else {
        return [b"malformed-host(", val, b")"].concat();
    };
    // The C code reads the struct from a buffer as long as the hex text
    // plus one, zero-filled; pad so that every read below is in bounds.
    let mut host = decoded;
    host.resize(host.len().max(val.len() + 1).max(128), 0);
    let family = u16::from_ne_bytes([host[0], host[1]]);
    let Some(fam) = names::socket_families().name(u32::from(family)) else {
        return format!("unknown-family({family})").into_bytes();
    };
    let mut out = format!("{{ saddr_fam={fam} ").into_bytes();
    match family {
        AF_LOCAL if slen < 4 => out.extend_from_slice(b"sockaddr len too short }"),
        AF_LOCAL => {
            let path = &host[2..];
            let path = if path[0] != 0 { path } else { &path[1..] };
            out.extend_from_slice(b"path=");
            out.extend_from_slice(c_str(path, 108));
            out.extend_from_slice(b" }");
        }
        AF_INET if slen < 16 => out.extend_from_slice(b"sockaddr len too short }"),
        AF_INET => {
            let port = u16::from_be_bytes([host[2], host[3]]);
            let addr = Ipv4Addr::new(host[4], host[5], host[6], host[7]);
            out.extend_from_slice(format!("laddr={addr} lport={port} }}").as_bytes());
        }
        AF_AX25 => {
            out.extend_from_slice(b"call=");
            out.extend_from_slice(c_str(&host[2..9], 7));
            out.extend_from_slice(b" }");
        }
        AF_ATMPVC => {
            let itf = i16::from_ne_bytes([host[2], host[3]]);
            out.extend_from_slice(format!("int={itf} }}").as_bytes());
        }
        AF_X25 => {
            out.extend_from_slice(b"laddr=");
            out.extend_from_slice(c_str(&host[2..], 15));
            out.extend_from_slice(b" }");
        }
        AF_INET6 if slen < 28 => out.extend_from_slice(b"sockaddr6 len too short }"),
        AF_INET6 => {
            let port = u16::from_be_bytes([host[2], host[3]]);
            let mut octets = [0u8; 16];
            octets.copy_from_slice(&host[8..24]);
            let scope = u32::from_ne_bytes([host[24], host[25], host[26], host[27]]);
            let addr = ipv6_text(Ipv6Addr::from(octets), scope);
            out.extend_from_slice(format!("laddr={addr} lport={port} }}").as_bytes());
        }
        AF_NETLINK if slen < 12 => out.extend_from_slice(b"len too short }"),
        AF_NETLINK => {
            let pid = u32::from_ne_bytes([host[4], host[5], host[6], host[7]]);
            out.extend_from_slice(format!("nlnk-fam={family} nlnk-pid={pid} }}").as_bytes());
        }
        _ => out.extend_from_slice(b"(unsupported) }"),
    }
    out
}

/// A NUL-terminated string of at most `max` bytes (printf's `%.Ns`).
fn c_str(s: &[u8], max: usize) -> &[u8] {
    let s = &s[..s.len().min(max)];
    let end = s.iter().position(|&b| b == 0).unwrap_or(s.len());
    &s[..end]
}

/// An IPv6 address as glibc's getnameinfo(NI_NUMERICHOST) writes it: like
/// Rust's Display, except that an IPv4-compatible address (`::a.b.c.d`) keeps
/// its dotted tail, and a link-local address its scope (interface name).
pub fn ipv6_text(addr: Ipv6Addr, scope: u32) -> String {
    let seg = addr.segments();
    let mut text = if seg[..6] == [0; 6] && seg[6] != 0 {
        let o = addr.octets();
        format!("::{}", Ipv4Addr::new(o[12], o[13], o[14], o[15]))
    } else {
        addr.to_string()
    };
    let link_local = (seg[0] & 0xffc0) == 0xfe80 || (seg[0] & 0xff0f) == 0xff02;
    if scope != 0 && link_local {
        text.push('%');
        text.push_str(&interface_name(scope).unwrap_or_else(|| scope.to_string()));
    }
    text
}

/// The name of the network interface with this index (if_indextoname),
/// from sysfs.
fn interface_name(index: u32) -> Option<String> {
    std::fs::read_dir("/sys/class/net")
        .ok()?
        .flatten()
        .find_map(|dir| {
            let text = std::fs::read_to_string(dir.path().join("ifindex")).ok()?;
            (text.trim().parse::<u32>().ok()? == index)
                .then(|| dir.file_name().to_string_lossy().into_owned())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(hex: &str) -> String {
        String::from_utf8(print(hex.as_bytes())).unwrap()
    }

    #[test]
    fn families() {
        assert_eq!(
            p("020000097F0000010000000000000000"),
            "{ saddr_fam=inet laddr=127.0.0.1 lport=9 }"
        );
        assert_eq!(
            p("01002F72756E2F7379736C6F6700"),
            "{ saddr_fam=local path=/run/syslog }"
        );
        assert_eq!(
            p("0A000016000000000000000000000000000000000000000100000000"),
            "{ saddr_fam=inet6 laddr=::1 lport=22 }"
        );
        assert_eq!(
            p("100000000000000000000000"),
            "{ saddr_fam=netlink nlnk-fam=16 nlnk-pid=0 }"
        );
        assert_eq!(p("0200"), "{ saddr_fam=inet sockaddr len too short }");
        assert_eq!(p("zz"), "malformed-host(zz)");
    }
}
