//! User-space messages, logins, daemon records and AVCs (`parse_user`,
//! `parse_login`, `parse_daemon1`, `parse_daemon2`, `parse_avc`).

use super::{path, quoted_or_hex, Avc, AvcResult, Items, Parsed, Rec, Wants};
use super::{FAILED, SUCCESS, USER_AVC, VIRT_MACHINE_ID, VIRT_RESOURCE};
use crate::report::line::{is_hex_word, Line};

/// The `pid=` every user message starts with; returns where it ends.
fn pid(line: Line<'_>, s: &mut Items, needle: &str, from: usize) -> Result<usize, u8> {
    let str = line.find(from, needle).ok_or(1)?;
    let ptr = str + needle.len();
    let term = line.find_byte(ptr, b' ').ok_or(2)?;
    s.pid = line.number(ptr, 10).ok_or(3)? as i32;
    Ok(term)
}

/// `auid=` (or the older `loginuid=`) after `from`; returns where it ends.
fn auid(line: Line<'_>, s: &mut Items, from: usize, codes: [u8; 3]) -> Result<usize, u8> {
    let ptr = match line.find(from, "auid=") {
        Some(str) => str + 5,
        None => line.find(from, "loginuid=").ok_or(codes[0])? + 9,
    };
    let term = line.find_byte(ptr, b' ').ok_or(codes[1])?;
    let v = line.number(ptr, 10).ok_or(codes[2])?;
    s.set_loginuid(v);
    Ok(term)
}

/// A value that is quoted, hex, or (in old records) a plain word.
fn legacy_value(line: Line<'_>, at: usize, code: u8) -> Result<(Option<Vec<u8>>, usize), u8> {
    if line.at(at) == b'"' {
        let end = line.find_byte(at + 1, b'"').ok_or(code)?;
        return Ok((Some(line.span(at + 1, end)), end));
    }
    let end = line.find_byte(at, b' ').unwrap_or(line.len());
    let value = if is_hex_word(line.rest(at)) {
        line.unescape(at)
    } else {
        Some(line.span(at, end))
    };
    Ok((value, end))
}

pub fn user(rec: &Rec<'_>, s: &mut Items, w: Wants, mut avc: Option<&mut Avc>) -> Parsed {
    let line = rec.line;
    let mut term = pid(line, s, "pid=", 0)?;
    if w.uid {
        let str = line.find(term, "uid=").ok_or(4)?;
        let (v, end) = line.number_ending_at_space(str + 4, (5, 6))?;
        term = end;
        s.set_uid(v);
    }
    if w.loginuid {
        term = auid(line, s, term, [7, 8, 9])?;
    }
    if w.session {
        super::session(line, s, &mut term, (10, 11))?;
    }
    if w.subject {
        if let Some(str) = line.find(term, "subj=") {
            let at = str + 5;
            term = line.find_byte(at, b' ').ok_or(12)?;
            let label = line.span(at, term);
            match avc.as_deref_mut() {
                Some(a) => a.scontext = Some(label),
                None => s.push_avc(Avc {
                    scontext: Some(label),
                    ..Avc::default()
                }),
            }
        }
    }
    if let (Some(a), true) = (avc, w.object) {
        for (needle, slot) in [("tcontext=", &mut a.tcontext), ("tclass=", &mut a.class)] {
            if let Some(str) = line.find(term, needle) {
                let at = str + needle.len();
                match line.find_byte(at, b' ') {
                    Some(end) => {
                        *slot = Some(line.span(at, end));
                        term = end;
                    }
                    None => term = at,
                }
            }
        }
    }
    if rec.rtype == VIRT_MACHINE_ID {
        for (want, needle, subject, code) in [
            (w.subject, "vm-ctx=", true, 27),
            (w.object, "img-ctx=", false, 29),
        ] {
            if !want {
                continue;
            }
            if let Some(str) = line.find(term, needle) {
                let at = str + needle.len();
                term = line.find_byte(at, b' ').ok_or(code)?;
                let label = Some(line.span(at, term));
                s.push_avc(if subject {
                    Avc {
                        scontext: label,
                        ..Avc::default()
                    }
                } else {
                    Avc {
                        tcontext: label,
                        ..Avc::default()
                    }
                });
            }
        }
    } else if rec.rtype == VIRT_RESOURCE && w.filename {
        term = path::virt_resource(rec, s, term)?;
    }
    if w.uid {
        term = second_uid(line, s, term)?;
    }
    user_fields(line, s, w, term)
}

/// Some records carry the uid that matters second (USER_LOGIN's `uid=`
/// after `auid=`); `auid=`, `suid=` and `ouid=` are not it.
fn second_uid(line: Line<'_>, s: &mut Items, mut term: usize) -> Result<usize, u8> {
    loop {
        let Some(str) = line.find(term, "uid=") else {
            return Ok(term);
        };
        let before = if str > 0 { line.at(str - 1) } else { 0 };
        match before {
            b'a' => term = str + 1,
            b's' | b'u' => return Ok(term),
            b'\'' | b' ' => {
                let ptr = str + 4;
                let mut end = ptr;
                while line.at(end).is_ascii_digit() {
                    end += 1;
                }
                if end == ptr {
                    return Err(14);
                }
                let v = line.number(ptr, 10).ok_or(15)?;
                s.set_uid(v);
                return Ok(end);
            }
            _ => return Err(25),
        }
    }
}

/// The fields of a user message's `msg='...'` part.
fn user_fields(line: Line<'_>, s: &mut Items, w: Wants, mut term: usize) -> Parsed {
    let mut mptr = term;
    if w.comm {
        if let Some(str) = line.find(mptr, "comm=") {
            let (value, end) = quoted_or_hex(line, str + 5).map_err(|()| 16)?;
            s.comm = value;
            term = end.unwrap_or(term);
        }
    }
    if let Some(str) = line.find(mptr, "acct=") {
        let ptr = str + 5;
        if line.at(ptr) == b'"' {
            let mut end = ptr + 1;
            while line.at(end) != b'"' && end < line.len() {
                end += 1;
            }
            s.acct = Some(line.span(ptr + 1, end));
            term = end;
        } else {
            let (value, end) = legacy_value(line, ptr, 0)?;
            s.acct = value;
            term = end;
        }
    }
    mptr = term;
    if w.hostname {
        hostname(line, s, mptr)?;
    }
    if w.filename {
        if let Some(str) = line.find(mptr, "cwd=") {
            s.cwd = legacy_value(line, str + 4, 20)?.0;
        }
    }
    if w.terminal {
        if let Some(str) = line.find(mptr, "terminal=") {
            let at = str + 9;
            let end = line
                .find_byte(at, b' ')
                .or_else(|| line.find_byte(at, b')'))
                .ok_or(19)?;
            s.terminal = Some(line.span(at, end));
        }
    }
    if w.exe {
        if let Some(str) = line.find(mptr, "exe=") {
            s.exe = legacy_value(line, str + 4, 26)?.0;
        }
    }
    if let Some(str) = line.find(mptr, "res=") {
        let ptr = str + 4;
        let end = line.find_byte(ptr, b'\'').ok_or(21)?;
        s.success = if line.span(ptr, end).starts_with(b"failed") {
            FAILED
        } else {
            SUCCESS
        };
    } else if let Some(str) = line.find(mptr, "result=") {
        let ptr = str + 7;
        let end = line.find_byte(ptr, b')').ok_or(22)?;
        s.success = if line.span(ptr, end).eq_ignore_ascii_case(b"success") {
            SUCCESS
        } else {
            FAILED
        };
    }
    Ok(())
}

/// `hostname=`, or `addr=` when the host name is `?`; each ends at the
/// next comma (old messages) or space.
fn hostname(line: Line<'_>, s: &mut Items, mptr: usize) -> Parsed {
    let Some(str) = line.find(mptr, "hostname=") else {
        return Ok(());
    };
    let value_end = |at: usize| {
        line.find_byte(at, b',')
            .or_else(|| line.find_byte(at, b' '))
    };
    let at = str + 9;
    let term = value_end(at).ok_or(17)?;
    s.hostname = Some(line.span(at, term));
    if s.hostname.as_deref() == Some(b"?") {
        if let Some(str) = line.find(term + 1, "addr=") {
            let at = str + 5;
            let end = value_end(at).ok_or(18)?;
            s.hostname = Some(line.span(at, end));
        }
    }
    Ok(())
}

pub fn login(rec: &Rec<'_>, s: &mut Items, w: Wants) -> Parsed {
    let line = rec.line;
    let mut at = pid(line, s, "pid=", 0)?;
    if w.uid {
        let str = line.find(at, "uid=").ok_or(4)?;
        let ptr = str + 4;
        at = line.find_byte(ptr, b' ').ok_or(5)?;
        let v = line.number(ptr, 10).ok_or(6)?;
        s.set_uid(v);
    }
    if w.subject {
        if let Some(str) = line.find(at, "subj=") {
            at = line.find_byte(str + 5, b' ').ok_or(12)?;
            // ausearch keeps the label with its "subj=" here.
            s.push_avc(Avc {
                scontext: Some(line.span(str, at)),
                ..Avc::default()
            });
        }
    }
    // Where the last value ended; after one that ends the line, the next
    // search starts over from the beginning.
    let mut term = Some(at);
    if w.loginuid {
        let ptr = if let Some(str) = line.find(at, "new auid=") {
            str + 9
        } else if let Some(str) = line.find(at, " auid=") {
            str + 6
        } else {
            line.find(at, "new loginuid=").ok_or(7)? + 13
        };
        term = line.find_byte(ptr, b' ');
        let v = line.number(ptr, 10).ok_or(8)?;
        s.set_loginuid(v);
    }
    let from = term.unwrap_or(0);
    match line.find(from, "res=") {
        Some(str) => {
            let ptr = str + 4;
            term = line.find_byte(ptr, b' ');
            s.success = line.number(ptr, 10).ok_or(9)? as i32;
        }
        // Older kernels: always successful.
        None => s.success = SUCCESS,
    }
    if w.session {
        let from = term.unwrap_or(0);
        let ptr = match line.find(from, "new ses=") {
            Some(str) => str + 8,
            None => line.find(from, " ses=").ok_or(14)? + 5,
        };
        s.session_id = line.number(ptr, 10).ok_or(11)? as u32;
    }
    Ok(())
}

/// `res=` spelled as a word (`success`, `failed`).
fn res_word(line: Line<'_>, s: &mut Items, from: usize, code: u8) -> Parsed {
    if let Some(str) = line.find(from, "res=") {
        let ptr = str + 4;
        let mut end = ptr;
        while line.at(end).is_ascii_alphabetic() {
            end += 1;
        }
        if end == ptr {
            return Err(code);
        }
        s.success = if line.span(ptr, end).starts_with(b"failed") {
            FAILED
        } else {
            SUCCESS
        };
    }
    Ok(())
}

/// The daemon's own records: start, end, abort, config, rotate, resume.
pub fn daemon1(rec: &Rec<'_>, s: &mut Items, w: Wants) -> Parsed {
    let line = rec.line;
    // Not every message has a ')'; start after it when there is one.
    let mptr = line.find_byte(0, b')').unwrap_or(0);
    let mut term = mptr;
    if w.loginuid {
        let str = line.find(mptr, "auid=").ok_or(1)?;
        let (v, end) = line.number_ending_at_space(str + 5, (2, 3))?;
        term = end;
        s.set_loginuid(v);
    }
    let str = line.find(term, "pid=").ok_or(4)?;
    let (v, end) = line.number_ending_at_space(str + 4, (5, 6))?;
    term = end;
    s.pid = v as i32;
    if w.uid {
        if let Some(str) = line.find(term, " uid=") {
            let (v, end) = line.number_ending_at_space(str + 5, (7, 8))?;
            term = end;
            s.uid = v as u32;
        }
    }
    if w.session {
        super::session(line, s, &mut term, (9, 10))?;
    }
    if w.subject {
        if let Some(str) = line.find(term, "subj=") {
            let (label, _) = line.until(str + 5, b' ');
            s.push_avc(Avc {
                scontext: Some(label),
                ..Avc::default()
            });
        }
    }
    res_word(line, s, mptr, 12)
}

/// The daemon's remote-connection records: accept and close.
pub fn daemon2(rec: &Rec<'_>, s: &mut Items, w: Wants) -> Parsed {
    let line = rec.line;
    let mut term = 0;
    if w.hostname {
        if let Some(str) = line.find(0, "addr=") {
            let at = str + 5;
            term = line
                .find_byte(at, b':')
                .or_else(|| line.find_byte(at, b' '))
                .ok_or(1)?;
            s.hostname = Some(line.span(at, term));
        }
    }
    res_word(line, s, term, 2)
}

/// AVC and USER_AVC: the decision, permission, labels and class; only
/// the first decision of a record is read.
pub fn avc(rec: &Rec<'_>, s: &mut Items, w: Wants) -> Parsed {
    let line = rec.line;
    let mut an = Avc::default();
    let mut term = 0;
    if let Some(str) = line.find(0, "avc: ") {
        let str = str + 5;
        if let Some(brace) = line.find_byte(str, b'{') {
            let denied = line.span(str, brace).windows(6).any(|x| x == b"denied");
            (s.success, an.result) = if denied {
                (FAILED, AvcResult::Denied)
            } else {
                (SUCCESS, AvcResult::Granted)
            };
            let mut ptr = brace + 1;
            while line.at(ptr) == b' ' {
                ptr += 1;
            }
            let mut end = line.find_byte(ptr, b'}').ok_or(2)?;
            while end > 0 && line.at(end - 1) == b' ' {
                end -= 1;
            }
            an.perm = Some(if end >= ptr {
                line.span(ptr, end)
            } else {
                line.rest(ptr).to_vec()
            });
            term = end;
        }
    }
    if rec.rtype == USER_AVC {
        let rc = match user(rec, s, w, Some(&mut an)) {
            Err(code) if code > 20 => Ok(()),
            rc => rc,
        };
        s.push_avc(an);
        return rc;
    }
    if let Some(str) = line.find(term, "pid=") {
        let at = str + 4;
        term = line.find_byte(at, b' ').ok_or(3)?;
        s.pid = line.number(at, 10).ok_or(4)? as i32;
    }
    if w.comm && s.comm.is_none() {
        let at = line.find(term, "comm=").ok_or(5)? + 5;
        if line.at(at) == b'"' {
            term = line.find_byte(at + 1, b'"').ok_or(6)?;
            s.comm = Some(line.span(at + 1, term));
        } else {
            s.comm = Some(line.unescape(at).ok_or(11)?);
            term = at + 6;
        }
    }
    if w.filename {
        let named = line
            .find(term, " path=")
            .or_else(|| line.find(term, " name="));
        if let Some(str) = named {
            path::common_path(rec, s, str + 6)?;
            term += 7;
        }
    }
    for (want, needle, code) in [(w.subject, "scontext=", 7), (w.object, "tcontext=", 8)] {
        if !want {
            continue;
        }
        if let Some(str) = line.find(term, needle) {
            let at = str + 9;
            term = line.find_byte(at, b' ').ok_or(code)?;
            let label = Some(line.span(at, term));
            if needle == "scontext=" {
                an.scontext = label;
            } else {
                an.tcontext = label;
            }
        }
    }
    let at = line.find(term, "tclass=").ok_or(9)? + 7;
    an.class = Some(line.until(at, b' ').0);
    s.push_avc(an);
    Ok(())
}
