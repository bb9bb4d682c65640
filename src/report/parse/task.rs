//! SYSCALL records and the task fields the kernel writes after them
//! (`parse_syscall`, `parse_task_info`).

use super::{quoted_or_hex, Avc, Items, Parsed, Rec, Wants, FAILED, SUCCESS};
use crate::wire::KEY_SEPARATOR_BYTE as KEY_SEPARATOR;

pub fn syscall(rec: &Rec<'_>, s: &mut Items, w: Wants) -> Parsed {
    let line = rec.line;
    let mut term = 0;
    if w.arch {
        let str = line.find(term, "arch=").ok_or(1)?;
        let ptr = str + 5;
        term = line.find_byte(ptr, b' ').ok_or(2)?;
        s.arch = line.number(ptr, 16).ok_or(3)? as u32;
    }
    let str = line.find(term, "syscall=").ok_or(4)?;
    let (v, end) = line.number_ending_at_space(str + 8, (5, 6))?;
    term = end;
    s.syscall = v as i32;
    // exit_group does not write success=.
    if let Some(str) = line.find(term, "success=") {
        let ptr = str + 8;
        term = line.find_byte(ptr, b' ').ok_or(7)?;
        s.success = if line.span(ptr, term) == b"yes" {
            SUCCESS
        } else {
            FAILED
        };
    }
    for arg in ["a0=", "a1="] {
        let str = line.find(term, arg).ok_or(11)?;
        let ptr = str + 3;
        term = line.find_byte(ptr, b' ').ok_or(12)?;
        line.number(ptr, 16).ok_or(13)?;
    }
    task_info(rec, s, w)?;
    if w.key {
        if let Some(str) = line.find(term, "key=") {
            let keys = s.keys.get_or_insert_with(Vec::new);
            let at = str + 4;
            if line.at(at) == b'"' {
                let end = line.find_byte(at + 1, b'"').ok_or(44)?;
                keys.push(line.span(at + 1, end));
            } else {
                let text = line.unescape(at).ok_or(45)?;
                keys.extend(split_keys(&text));
            }
        }
    }
    Ok(())
}

/// `strtok` over the key separator: the non-empty pieces.
pub fn split_keys(text: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    text.split(|&b| b == KEY_SEPARATOR)
        .filter(|k| !k.is_empty())
        .map(<[u8]>::to_vec)
}

/// pid, auid, uid, tty, ses, comm, exe, subj and res, in the kernel's
/// order, each searched after the one before.
pub fn task_info(rec: &Rec<'_>, s: &mut Items, w: Wants) -> Parsed {
    let line = rec.line;
    let str = line.find(0, " pid=").ok_or(16)?;
    let (v, end) = line.number_ending_at_space(str + 5, (17, 18))?;
    let mut term = end;
    s.pid = v as i32;
    if w.loginuid {
        let (v, end) = line.number_ending_at_space(
            match line.find(term, "auid=") {
                Some(str) => str + 5,
                None => line.find(term, "loginuid=").ok_or(19)? + 9,
            },
            (20, 21),
        )?;
        term = end;
        s.set_loginuid(v);
    }
    if w.uid {
        // The first "uid=" may be the end of "auid=": look again after it.
        let mut from = term;
        let str = loop {
            let str = line.find(from, "uid=").ok_or(22)?;
            if str > 0 && line.at(str - 1) == b'a' {
                from = str + 1;
                continue;
            }
            break str;
        };
        let (v, end) = line.number_ending_at_space(str + 4, (23, 24))?;
        term = end;
        s.set_uid(v);
    }
    if w.terminal {
        if let Some(str) = line.find(term, "tty=") {
            let at = str + 4;
            term = line.find_byte(at, b' ').ok_or(34)?;
            s.terminal = Some(line.span(at, term));
        }
    }
    if w.session {
        super::session(line, s, &mut term, (35, 36))?;
    }
    if w.comm {
        let str = line.find(term, "comm=").ok_or(38)?;
        // The syscall's comm overrides one read before.
        s.comm = None;
        let (value, end) = quoted_or_hex(line, str + 5).map_err(|()| 37)?;
        s.comm = value;
        term = end.unwrap_or(term);
    }
    if w.exe {
        let str = line.find(0, "exe=").ok_or(40)?;
        let (value, end) = quoted_or_hex(line, str + 4).map_err(|()| 39)?;
        s.exe = value;
        term = end.unwrap_or(term);
    }
    if w.subject {
        if let Some(str) = line.find(term, "subj=") {
            let at = str + 5;
            term = line.find_byte(at, b' ').ok_or(41)?;
            s.push_avc(Avc {
                scontext: Some(line.span(at, term)),
                ..Avc::default()
            });
        }
    }
    if let Some(str) = line.find(term, "res=") {
        s.success = line.number(str + 4, 10).ok_or(43)? as i32;
    }
    Ok(())
}
