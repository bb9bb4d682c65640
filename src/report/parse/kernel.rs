//! Kernel records outside syscalls: anomalies, MAC and config changes,
//! integrity, TTY, netfilter (`parse_kernel_anom`, `parse_simple_message`,
//! `parse_integrity`, `parse_tty`, `parse_pkt`, `parse_kernel`).

use super::task::split_keys;
use super::{path, quoted_or_hex, Avc, Items, Parsed, Rec, Wants, SUCCESS};
use super::{ANOM_ABEND, ANOM_PROMISCUOUS, CONFIG_CHANGE, SECCOMP};
use crate::report::line::Line;

/// A number ending at the next space or the end of the line; returns where
/// the next search starts (the value itself when it ends the line).
fn number_to_space(line: Line<'_>, at: usize, code: u8) -> Result<(u64, usize), u8> {
    let v = line.number(at, 10).ok_or(code)?;
    Ok((v, line.find_byte(at, b' ').unwrap_or(at)))
}

/// A `subj=` label ending at a space, pushed as a bare subject.
fn subject(line: Line<'_>, s: &mut Items, term: &mut usize, code: u8) -> Parsed {
    if let Some(str) = line.find(*term, "subj=") {
        let at = str + 5;
        *term = line.find_byte(at, b' ').ok_or(code)?;
        s.push_avc(Avc {
            scontext: Some(line.span(at, *term)),
            ..Avc::default()
        });
    }
    Ok(())
}

/// A `comm=` value, quoted or hex; a missing closing quote is `code`.
fn comm(line: Line<'_>, s: &mut Items, term: &mut usize, code: u8) -> Parsed {
    if let Some(str) = line.find(*term, "comm=") {
        let (value, end) = quoted_or_hex(line, str + 5).map_err(|()| code)?;
        s.comm = value;
        *term = end.unwrap_or(*term);
    }
    Ok(())
}

/// `res=` as a number.
fn res_number(line: Line<'_>, s: &mut Items, from: usize, code: u8) -> Parsed {
    if let Some(str) = line.find(from, "res=") {
        s.success = line.number(str + 4, 10).ok_or(code)? as i32;
    }
    Ok(())
}

pub fn kernel_anom(rec: &Rec<'_>, s: &mut Items, w: Wants) -> Parsed {
    let line = rec.line;
    let mut term = 0;
    if w.loginuid {
        let ptr = line.find(term, "auid=").ok_or(1)? + 5;
        let (v, next) = number_to_space(line, ptr, 2)?;
        term = next;
        s.set_loginuid(v);
    }
    if w.uid {
        if let Some(str) = line.find(term, "uid=") {
            let (v, end) = line.number_ending_at_space(str + 4, (3, 4))?;
            term = end;
            s.set_uid(v);
        }
    }
    if w.session {
        if let Some(str) = line.find(term, "ses=") {
            let (v, next) = number_to_space(line, str + 4, 7)?;
            term = next;
            s.session_id = v as u32;
        }
    }
    if rec.rtype == ANOM_PROMISCUOUS {
        return Ok(());
    }
    if w.subject {
        subject(line, s, &mut term, 8)?;
    }
    if let Some(str) = line.find(term, "pid=") {
        let (v, end) = line.number_ending_at_space(str + 4, (10, 11))?;
        term = end;
        s.pid = v as i32;
    }
    if w.comm {
        comm(line, s, &mut term, 12)?;
    }
    if w.exe {
        match line.find(term, "exe=") {
            Some(str) => {
                let (value, end) = quoted_or_hex(line, str + 4).map_err(|()| 13)?;
                s.exe = value;
                term = end.unwrap_or(term);
            }
            None if rec.rtype != ANOM_ABEND => return Err(14),
            None => {}
        }
    }
    if rec.rtype == SECCOMP {
        // A few kernel versions write no arch.
        let Some(str) = line.find(term, "arch=") else {
            return Ok(());
        };
        let ptr = str + 5;
        term = line.find_byte(ptr, b' ').ok_or(15)?;
        s.arch = line.number(ptr, 16).ok_or(16)? as u32;
        let (v, end) =
            line.number_ending_at_space(line.find(term, "syscall=").ok_or(17)? + 8, (18, 19))?;
        term = end;
        s.syscall = v as i32;
    }
    res_number(line, s, term, 68)
}

/// Messages whose only item of interest is the auid (MAC changes and
/// CONFIG_CHANGE), plus their key and result.
pub fn simple_message(rec: &Rec<'_>, s: &mut Items, w: Wants) -> Parsed {
    let line = rec.line;
    let mut term = 0;
    if w.loginuid {
        // Old kernels write no auid in CONFIG_CHANGE.
        match line.find(term, "auid=") {
            Some(str) => {
                let (v, next) = number_to_space(line, str + 5, 2)?;
                term = next;
                s.set_loginuid(v);
            }
            None if rec.rtype != CONFIG_CHANGE => return Err(1),
            None => {}
        }
    }
    if w.session {
        if let Some(str) = line.find(term, "ses=") {
            let (v, next) = number_to_space(line, str + 4, 3)?;
            term = next;
            s.session_id = v as u32;
        }
    }
    if w.subject {
        if let Some(str) = line.find(term, "subj=") {
            let at = str + 5;
            let (label, end) = line.until(at, b' ');
            term = end.unwrap_or(at);
            s.push_avc(Avc {
                scontext: Some(label),
                ..Avc::default()
            });
        }
    }
    if w.key {
        if let Some(str) = line.find(term, "key=") {
            let keys = s.keys.get_or_insert_with(Vec::new);
            let ptr = str + 4;
            if line.at(ptr) == b'"' {
                term = line.find_byte(ptr + 1, b'"').ok_or(6)?;
                keys.push(line.span(ptr + 1, term));
            } else {
                let text = line.unescape(ptr).ok_or(8)?;
                keys.extend(split_keys(&text));
            }
        }
    }
    // The kernel rarely writes res= here since it can only be success.
    if rec.rtype == CONFIG_CHANGE {
        s.success = SUCCESS;
    }
    res_number(line, s, term, 7)
}

/// The optional `pid=` and ` uid=` that INTEGRITY and TTY records start
/// with; returns where the search goes on. ausearch reads the uid from
/// the `=` on (so it reads 0), kept as it is.
fn pid_and_uid(line: Line<'_>, s: &mut Items, w: Wants) -> Result<usize, u8> {
    let mut term = 0;
    if let Some(str) = line.find(term, "pid=") {
        let (v, end) = line.number_ending_at_space(str + 4, (1, 2))?;
        term = end;
        s.pid = v as i32;
    }
    if w.uid {
        if let Some(str) = line.find(term, " uid=") {
            let (v, end) = line.number_ending_at_space(str + 4, (3, 4))?;
            term = end;
            s.set_uid(v);
        }
    }
    Ok(term)
}

pub fn integrity(rec: &Rec<'_>, s: &mut Items, w: Wants) -> Parsed {
    let line = rec.line;
    let mut term = pid_and_uid(line, s, w)?;
    if w.loginuid {
        if let Some(str) = line.find(0, "auid=") {
            let (v, end) = line.number_ending_at_space(str + 5, (5, 6))?;
            term = end;
            s.set_loginuid(v);
        }
    }
    if w.session {
        super::session(line, s, &mut term, (10, 11))?;
    }
    if w.subject {
        subject(line, s, &mut term, 12)?;
    }
    if w.comm {
        comm(line, s, &mut term, 7)?;
    }
    if w.filename {
        if let Some(str) = line.find(term, " name=") {
            path::common_path(rec, s, str + 6).map_err(|_| 8)?;
        }
    }
    res_number(line, s, term, 9)
}

pub fn tty(rec: &Rec<'_>, s: &mut Items, w: Wants) -> Parsed {
    let line = rec.line;
    let mut term = pid_and_uid(line, s, w)?;
    if w.loginuid {
        let ptr = line.find(term, "auid=").ok_or(5)? + 5;
        let (v, next) = number_to_space(line, ptr, 6)?;
        term = next;
        s.set_loginuid(v);
    }
    if w.session {
        super::session(line, s, &mut term, (7, 8))?;
    }
    if w.comm {
        comm(line, s, &mut term, 11)?;
    }
    Ok(())
}

pub fn pkt(rec: &Rec<'_>, s: &mut Items, w: Wants) -> Parsed {
    let line = rec.line;
    let mut term = 0;
    if w.hostname {
        if let Some(str) = line.find(0, "saddr=") {
            let ptr = str + 6;
            term = line.find_byte(ptr, b' ').ok_or(1)?;
            s.hostname = Some(line.span(ptr, term));
        }
    }
    if w.object {
        if let Some(str) = line.find(term, "obj=") {
            s.push_avc(Avc {
                tcontext: Some(line.until(str + 4, b' ').0),
                ..Avc::default()
            });
        }
    }
    Ok(())
}

/// NETFILTER_CFG and EVENT_LISTENER: the task fields in yet another
/// order, each only if no record before gave it, with defaults.
pub fn kernel(rec: &Rec<'_>, s: &mut Items, w: Wants) -> Parsed {
    let line = rec.line;
    let mut term = 0;
    if s.pid == -1 {
        let (v, end) =
            line.number_ending_at_space(line.find(term, " pid=").ok_or(54)? + 5, (52, 53))?;
        term = end;
        s.pid = v as i32;
    }
    if s.uid == super::UID_UNSET && !s.tuid && w.uid {
        let v = match line.find(term, "uid=") {
            Some(str) => {
                let ptr = str + 4;
                term = line.find_byte(ptr, b' ').ok_or(55)?;
                line.number(ptr, 10).ok_or(56)?
            }
            None => 0,
        };
        s.set_uid(v);
    }
    if s.loginuid == super::AUID_UNREAD && !s.tauid && w.loginuid {
        let v = match line.find(term, "auid=") {
            Some(str) => {
                let ptr = str + 5;
                term = line.find_byte(ptr, b' ').ok_or(57)?;
                line.number(ptr, 10).ok_or(58)?
            }
            None => u64::from(super::UID_UNSET),
        };
        s.set_loginuid(v);
    }
    if s.terminal.is_none() && w.terminal {
        s.terminal = Some(match line.find(term, "tty=") {
            Some(str) => {
                let at = str + 4;
                term = line.find_byte(at, b' ').ok_or(59)?;
                line.span(at, term)
            }
            None => b"(none)".to_vec(),
        });
    }
    if s.session_id == super::AUID_UNREAD && w.session {
        s.session_id = match line.find(term, "ses=") {
            Some(str) => {
                let ptr = str + 4;
                term = line.find_byte(ptr, b' ').ok_or(60)?;
                line.number(ptr, 10).ok_or(61)? as u32
            }
            None => u32::MAX,
        };
    }
    if s.avcs.is_none() && w.subject {
        let at = line.find(term, "subj=").ok_or(64)? + 5;
        term = line.find_byte(at, b' ').ok_or(62)?;
        s.push_avc(Avc {
            scontext: Some(line.span(at, term)),
            ..Avc::default()
        });
    }
    if s.comm.is_none() && w.comm {
        let str = line.find(term, "comm=").ok_or(66)?;
        let (value, end) = quoted_or_hex(line, str + 5).map_err(|()| 65)?;
        s.comm = value;
        term = end.unwrap_or(term);
    }
    if s.exe.is_none() && w.exe {
        s.exe = match line.find(0, "exe=") {
            Some(str) => {
                let (value, end) = quoted_or_hex(line, str + 4).map_err(|()| 67)?;
                term = end.unwrap_or(term);
                value
            }
            None => Some(b"(null)".to_vec()),
        };
    }
    res_number(line, s, term, 69)
}
