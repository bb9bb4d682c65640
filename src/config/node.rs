//! The node name (`name_format`): the name each event is stamped with, so
//! that events gathered from several machines stay apart.

use std::ffi::{CStr, CString};
use std::io;
use std::net::ToSocketAddrs;

use super::values::NameFormat;
use super::Config;

impl Config {
    /// The node name for events, or `None` with `name_format = none`.
    /// Resolving (fqd, numeric) asks the resolver, so the daemon does it
    /// once at start and on reload.
    pub fn node_name(&self) -> io::Result<Option<String>> {
        let name = match self.name_format {
            NameFormat::None => return Ok(None),
            NameFormat::User => self.name.clone().unwrap_or_default(),
            NameFormat::Hostname => hostname()?,
            NameFormat::Fqd => canonical_name(&hostname()?)?,
            NameFormat::Numeric => address(&hostname()?)?,
        };
        Ok(Some(name))
    }
}

fn hostname() -> io::Result<String> {
    Ok(std::fs::read_to_string("/proc/sys/kernel/hostname")?
        .trim()
        .to_string())
}

/// The first address of `host`, preferring one that is not loopback (as
/// `hostname -i` would show a Debian host's 127.0.1.1 otherwise).
fn address(host: &str) -> io::Result<String> {
    let addrs: Vec<_> = (host, 0).to_socket_addrs()?.map(|a| a.ip()).collect();
    addrs
        .iter()
        .find(|ip| !ip.is_loopback())
        .or(addrs.first())
        .map(|ip| ip.to_string())
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("{host} has no address")))
}

/// `host` resolved to its canonical (fully qualified) name, as auditd's
/// fqd does: getaddrinfo with AI_CANONNAME. std has no way to ask for it.
fn canonical_name(host: &str) -> io::Result<String> {
    let c_host = CString::new(host).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    // SAFETY: addrinfo is plain integers and pointers; all zero is a valid
    // "no preference" hint.
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_flags = libc::AI_CANONNAME;
    hints.ai_family = libc::AF_UNSPEC;
    let mut list: *mut libc::addrinfo = std::ptr::null_mut();
    // SAFETY: c_host is NUL-terminated and outlives the call, hints is
    // initialised, and list receives a pointer we free below.
    let rc = unsafe { libc::getaddrinfo(c_host.as_ptr(), std::ptr::null(), &hints, &mut list) };
    if rc != 0 {
        // SAFETY: gai_strerror returns a static NUL-terminated string.
        let why = unsafe { CStr::from_ptr(libc::gai_strerror(rc)) };
        return Err(io::Error::other(format!(
            "resolving {host}: {}",
            why.to_string_lossy()
        )));
    }
    // SAFETY: on success list is non-null, and with AI_CANONNAME the first
    // entry's ai_canonname is null or a string valid until freeaddrinfo.
    let name = unsafe {
        let canon = (*list).ai_canonname;
        let name = (!canon.is_null()).then(|| CStr::from_ptr(canon).to_string_lossy().into_owned());
        libc::freeaddrinfo(list);
        name
    };
    Ok(name.unwrap_or_else(|| host.to_string()))
}
