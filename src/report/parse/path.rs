//! File names and objects: CWD, PATH, AVC_PATH, SOCKADDR, IPC/OBJ_PID
//! (`parse_dir`, `parse_path`, `common_path_parser`, `parse_sockaddr`).

use super::{quoted_or_hex, Avc, Items, Parsed, Rec, Wants};

/// ausearch skips a record's first 28 bytes (type and stamp) before
/// looking for `name=` and `cwd=`.
const NAME_OFFSET: usize = 28;
/// `snprintf(tmp, PATH_MAX, "%s/%s", ...)` keeps at most this much.
const PATH_MAX: usize = 4096;

pub fn dir(rec: &Rec<'_>, s: &mut Items, w: Wants) -> Parsed {
    if !w.filename || rec.line.len() < NAME_OFFSET {
        return Ok(());
    }
    if let Some(str) = rec.line.find(NAME_OFFSET, " cwd=") {
        let (value, _) = quoted_or_hex(rec.line, str + 5).map_err(|()| 1)?;
        if s.cwd.is_none() {
            s.cwd = value;
        }
    }
    Ok(())
}

/// A file name at `at`: quoted, `(null)`, hex, or an abstract socket
/// name (hex starting with 00); a relative name is joined to the cwd.
pub fn common_path(rec: &Rec<'_>, s: &mut Items, at: usize) -> Parsed {
    let line = rec.line;
    s.filenames.get_or_insert_with(Vec::new);
    let name = if line.at(at) == b'"' {
        let end = line.find_byte(at + 1, b'"').ok_or(2)?;
        line.span(at + 1, end)
    } else if line.rest(at).starts_with(b"(null)") {
        s.push_file(b"(null)".to_vec());
        return Ok(());
    } else {
        if !line.at(at).is_ascii_hexdigit() {
            return Err(4);
        }
        if line.at(at) == b'0' && line.at(at + 1) == b'0' {
            line.unescape(at + 2).ok_or(7)?
        } else {
            line.find_byte(at, b' ').ok_or(5)?;
            line.unescape(at).ok_or(7)?
        }
    };
    let name = match &s.cwd {
        Some(cwd) if name.first() == Some(&b'.') && matches!(name.get(1), Some(b'.' | b'/')) => {
            let mut joined = [cwd.as_slice(), b"/", &name].concat();
            joined.truncate(PATH_MAX - 1);
            joined
        }
        _ => name,
    };
    s.push_file(name);
    Ok(())
}

/// Older AVCs have their path in a record of its own; CONFIG_CHANGE
/// records may have one too.
pub fn avc_path(rec: &Rec<'_>, s: &mut Items, w: Wants) -> Parsed {
    if !w.filename {
        return Ok(());
    }
    let str = rec.line.find(0, " path=").ok_or(1)?;
    common_path(rec, s, str + 6)
}

pub fn path(rec: &Rec<'_>, s: &mut Items, w: Wants) -> Parsed {
    let line = rec.line;
    let mut term = NAME_OFFSET;
    if w.filename {
        if let Some(str) = line.find(term, " name=") {
            let at = str + 6;
            common_path(rec, s, at)?;
            term = at;
            // nametype= or objtype=: what both end with.
            if let Some(t) = line.find(term, "type=") {
                if let Some(last) = s.filenames.as_mut().and_then(|f| f.last_mut()) {
                    last.key = Some(line.rest(t + 5).to_vec());
                }
            }
        }
    }
    if w.object {
        object(rec, s, term);
    }
    Ok(())
}

pub fn obj(rec: &Rec<'_>, s: &mut Items, w: Wants) -> Parsed {
    if w.object {
        object(rec, s, 0);
    }
    Ok(())
}

/// An `obj=` label, as a bare object in the event's AVC list.
fn object(rec: &Rec<'_>, s: &mut Items, from: usize) {
    if let Some(str) = rec.line.find(from, "obj=") {
        let (label, _) = rec.line.until(str + 4, b' ');
        s.push_avc(Avc {
            tcontext: Some(label),
            ..Avc::default()
        });
    }
}

const AF_UNIX: u16 = 1;
const AF_INET: u16 = 2;
const AF_INET6: u16 = 10;

/// A socket address: an IP address becomes the host name, a unix socket's
/// path a file name.
pub fn sockaddr(rec: &Rec<'_>, s: &mut Items, w: Wants) -> Parsed {
    if !(w.hostname || w.filename) {
        return Ok(());
    }
    let line = rec.line;
    let Some(str) = line.find(0, "saddr=") else {
        return Ok(());
    };
    let at = str + 6;
    let len = if line.at(at) == b'(' {
        line.find_byte(at, b')').map_or(0, |close| close - at + 1)
    } else {
        line.rest(at)
            .iter()
            .take_while(|b| b.is_ascii_hexdigit())
            .count()
            / 2
    };
    let mut raw = crate::output::interpret::values::unescape(line.rest(at)).ok_or(4)?;
    // The C code reads the struct from a buffer that may be shorter.
    raw.resize(raw.len().max(28), 0);
    s.hostname = None;
    match u16::from_ne_bytes([raw[0], raw[1]]) {
        AF_INET if len < 16 => {
            eprintln!("sockaddr len too short");
            Err(1)
        }
        AF_INET6 if len < 28 => {
            eprintln!("sockaddr6 len too short");
            Err(2)
        }
        AF_UNIX if len < 4 => {
            eprintln!("sun_path len too short");
            Err(3)
        }
        AF_UNIX => {
            if w.filename {
                let path = if raw[2] != 0 { &raw[2..] } else { &raw[3..] };
                let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
                s.push_file(path[..end].to_vec());
            }
            Ok(())
        }
        AF_INET if w.hostname => {
            let addr = std::net::Ipv4Addr::new(raw[4], raw[5], raw[6], raw[7]);
            s.hostname = Some(addr.to_string().into_bytes());
            Ok(())
        }
        AF_INET6 if w.hostname => {
            let mut octets = [0u8; 16];
            octets.copy_from_slice(&raw[8..24]);
            let scope = u32::from_ne_bytes([raw[24], raw[25], raw[26], raw[27]]);
            let text = crate::output::interpret::ipv6_text(octets.into(), scope);
            s.hostname = Some(text.into_bytes());
            Ok(())
        }
        _ => Ok(()),
    }
}

/// VIRT_RESOURCE records name their disk in `path=` or `new-disk=`.
pub fn virt_resource(rec: &Rec<'_>, s: &mut Items, from: usize) -> Result<usize, u8> {
    let (str, incr) = match rec.line.find(from, " path=") {
        Some(str) => (str, 6),
        None => match rec.line.find(from, " new-disk=") {
            Some(str) => (str, 10),
            None => return Ok(from),
        },
    };
    common_path(rec, s, str + incr)?;
    Ok(str + incr)
}
