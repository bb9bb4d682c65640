//! ausearch's normalized view of an event (`--format csv` and `text`): who
//! (subject) did what (action) to what (object), how, with what result,
//! as auparse's `auparse_normalize` 3.0.9 works it out.
//!
//! auparse finds each item by moving a cursor through the event's fields,
//! and a search that fails moves it off the end; what later searches find
//! depends on that, so the normalizer is written against a port of that
//! cursor ([`Cursor`]) and keeps its quirks. Items are positions
//! ([`Loc`]) in the event as auparse splits it ([`AuEvent`]); the printers
//! interpret the fields there.

mod compound;
mod cursor;
mod event;
mod simple;
mod tables;

pub use cursor::{Cursor, Loc};
pub use event::AuEvent;
pub use tables::ObjectKind;

use crate::output::interpret::{names, FieldType};

/// Who acted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Subject {
    /// Usually the login uid.
    pub primary: Option<Loc>,
    /// Usually the uid acted as.
    pub secondary: Option<Loc>,
    pub kind: Option<&'static str>,
    /// More about the subject (pid, tty, label, ...): only collected when
    /// asked for, since they change what auparse finds.
    pub attrs: Vec<Loc>,
}

/// What was acted on.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Object {
    pub primary: Option<Loc>,
    pub secondary: Option<Loc>,
    /// A second object (a rename's new name, a chown's new owner, ...).
    pub two: Option<Loc>,
    pub attrs: Vec<Loc>,
    pub kind: ObjectKind,
}

/// The normalized event.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Normalized {
    pub kind: Option<&'static str>,
    pub session: Option<Loc>,
    pub subject: Subject,
    pub action: Option<Vec<u8>>,
    pub object: Object,
    pub results: Option<Loc>,
    pub how: Option<Vec<u8>>,
    pub key: Option<Loc>,
}

/// Normalizes the event under `au`. `attrs`: also collect the subject's
/// and object's attributes (auparse's NORM_OPT_ALL). `None` for an event
/// auparse cannot normalize: several records and no SYSCALL among them.
pub fn normalize(au: &mut Cursor<'_>, attrs: bool) -> Option<Normalized> {
    au.first_record();
    let mut n = Normalizer {
        au,
        d: Normalized::default(),
        attrs,
        syscall_success: None,
    };
    let done = if n.au.event.records.len() > 1 {
        n.compound()
    } else {
        n.simple()
    };
    n.au.first_record();
    done.then_some(n.d)
}

struct Normalizer<'c, 'e> {
    au: &'c mut Cursor<'e>,
    d: Normalized,
    attrs: bool,
    /// The SYSCALL record's `success`, once read.
    syscall_success: Option<bool>,
}

/// Interpreters whose path auparse shows the script rather than: the
/// program is then the `comm` before `exe`.
const INTERPRETERS: &[&str] = &[
    "/usr/bin/python",
    "/usr/bin/sh",
    "/usr/bin/bash",
    "/usr/bin/perl",
];

fn is_interpreter(exe: &[u8]) -> bool {
    INTERPRETERS.iter().any(|p| exe.starts_with(p.as_bytes()))
}

impl Normalizer<'_, '_> {
    /// Finds `name` and returns where it is, recorded as in record `rnum`.
    fn find_in(&mut self, name: &str, rnum: usize) -> Option<Loc> {
        self.au.find(name)?;
        Some(self.au.loc_in(rnum))
    }

    fn set_prime_subject(&mut self, name: &str, rnum: usize) -> bool {
        let found = self.find_in(name, rnum);
        self.d.subject.primary = found.or(self.d.subject.primary);
        found.is_some()
    }

    /// Sets the secondary subject and its kind; false where not found or
    /// the kind is not known from a uid.
    fn set_secondary_subject(&mut self, name: &str, rnum: usize) -> bool {
        let Some(loc) = self.find_in(name, rnum) else {
            return false;
        };
        self.d.subject.secondary = Some(loc);
        self.set_subject_kind()
    }

    /// The subject's kind from the uid (or account name) under the cursor.
    fn set_subject_kind(&mut self) -> bool {
        let uid = if self.au.field_type() == FieldType::Uid {
            self.au.int().unwrap_or(-1)
        } else {
            let acct = (self.au.name() == Some("acct"))
                .then(|| self.au.interpret())
                .and_then(|a| names::user_id(&String::from_utf8_lossy(&a)));
            match acct {
                Some(uid) => uid as i32,
                None => {
                    self.d.subject.kind = Some("unknown-acct");
                    return false;
                }
            }
        };
        self.d.subject.kind = Some(match uid {
            0 => "privileged-acct",
            -1 => "unset-acct",
            i32::MIN..1000 => "service-acct",
            1000..60000 => "user-acct",
            _ => "unknown-acct",
        });
        true
    }

    /// Finds attribute `name`; where it is not, goes back to record `rnum`.
    fn attr(&mut self, name: &str, rnum: usize) -> Option<Loc> {
        let found = self.find_in(name, rnum);
        if found.is_none() {
            self.au.goto_record(rnum);
        }
        found
    }

    fn add_subj_attr(&mut self, name: &str, rnum: usize) {
        if let Some(loc) = self.attr(name, rnum) {
            self.d.subject.attrs.push(loc);
        }
    }

    fn set_prime_object(&mut self, name: &str, rnum: usize) -> bool {
        let found = self.find_in(name, rnum);
        self.d.object.primary = found.or(self.d.object.primary);
        found.is_some()
    }

    fn add_obj_attr(&mut self, name: &str, rnum: usize) -> bool {
        let found = self.attr(name, rnum);
        self.d.object.attrs.extend(found);
        found.is_some()
    }

    /// The next field `name`, where it is, as the primary object.
    fn object_here(&mut self, name: &str) {
        if self.au.find(name).is_some() {
            self.d.object.primary = Some(self.au.loc());
        }
    }

    fn add_session(&mut self, rnum: usize) -> bool {
        match self.find_in("ses", rnum) {
            Some(loc) => {
                self.d.session = Some(loc);
                true
            }
            None => {
                self.au.first_record();
                false
            }
        }
    }

    fn set_results(&mut self, rnum: usize) {
        if let Some(loc) = self.find_in("res", rnum) {
            self.d.results = Some(loc);
        }
    }

    fn set_action(&mut self, action: Option<&str>) {
        if let Some(a) = action {
            self.d.action = Some(a.as_bytes().to_vec());
        }
    }

    /// The program: `exe` interpreted, or for a script interpreter the
    /// `comm` searched from the field before `exe`.
    fn program(&mut self) -> Option<Vec<u8>> {
        self.au.find("exe")?;
        let exe = self.au.interpret();
        if !is_interpreter(&exe) {
            return Some(exe);
        }
        let fnum = self.au.field_num();
        if fnum == 0 || !self.au.goto_field(fnum - 1) {
            self.au.first_record();
        }
        match self.au.find("comm") {
            Some(_) => Some(self.au.interpret()),
            None => Some(exe),
        }
    }
}

#[cfg(test)]
mod tests;
