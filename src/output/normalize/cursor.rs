//! auparse's cursor over an event: a current record (none once a search
//! ran off the end), a current field in each record, and the record whose
//! recorded interpretations are loaded. The normalizer is written against
//! these moves because what it finds depends on them: a field search goes
//! on into the following records, and one that fails leaves no current
//! record, which later searches inherit.

use std::cell::RefCell;
use std::collections::HashMap;

use super::event::AuEvent;
use crate::output::interpret::{self, num, FieldType};
use crate::record::MessageType;

/// Where a normalized item is: a record and a field in it. Built from the
/// record number a caller passes and the current field, which need not be
/// in that record (auparse's quirk, kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Loc {
    pub rec: usize,
    pub field: usize,
}

pub struct Cursor<'e> {
    pub event: &'e AuEvent,
    rec: Option<usize>,
    fields: Vec<usize>,
    loaded: Option<usize>,
    /// auparse keeps the first interpretation of each field.
    cache: RefCell<HashMap<Loc, Vec<u8>>>,
}

impl<'e> Cursor<'e> {
    pub fn new(event: &'e AuEvent) -> Cursor<'e> {
        Cursor {
            event,
            rec: Some(0),
            fields: vec![0; event.records.len()],
            loaded: Some(0),
            cache: RefCell::new(HashMap::new()),
        }
    }

    fn count(&self, rec: usize) -> usize {
        self.event.records[rec].fields.len()
    }

    pub fn first_record(&mut self) {
        self.rec = Some(0);
        self.loaded = Some(0);
        self.fields[0] = 0;
    }

    pub fn next_record(&mut self) -> bool {
        self.loaded = None;
        let Some(r) = self.rec else {
            return false;
        };
        self.rec = Some(r + 1).filter(|&n| n < self.event.records.len());
        self.loaded = self.rec;
        self.rec.is_some()
    }

    pub fn goto_record(&mut self, num: usize) -> bool {
        let has_recorded = |r: usize| self.event.records[r].recorded.is_some();
        if self.rec == Some(num) && self.loaded == Some(num) && has_recorded(num) {
            self.fields[num] = 0;
            return true;
        }
        self.loaded = None;
        if num >= self.event.records.len() {
            return false;
        }
        self.rec = Some(num);
        self.loaded = Some(num);
        self.fields[num] = 0;
        true
    }

    pub fn first_field(&mut self) -> bool {
        match self.rec {
            Some(r) => {
                self.fields[r] = 0;
                true
            }
            None => false,
        }
    }

    pub fn next_field(&mut self) -> bool {
        match self.rec {
            Some(r) if self.fields[r] + 1 < self.count(r) => {
                self.fields[r] += 1;
                true
            }
            _ => false,
        }
    }

    pub fn goto_field(&mut self, num: usize) -> bool {
        match self.rec {
            Some(r) if num < self.count(r) => {
                self.fields[r] = num;
                true
            }
            _ => false,
        }
    }

    /// The field `name` from the current one on, into the following
    /// records (auparse_find_field); the cursor stays on it. A search that
    /// starts on a record's last field looks no further.
    pub fn find(&mut self, name: &str) -> Option<&'e str> {
        if self.name() == Some(name) {
            return self.str();
        }
        let mut r = self.rec?;
        if !self.next_field() {
            return None;
        }
        loop {
            let fields = &self.event.records[r].fields;
            if let Some(i) = (self.fields[r]..fields.len()).find(|&i| fields[i].name == name) {
                self.fields[r] = i;
                return Some(&fields[i].val);
            }
            // Unlike next_record, running off the end keeps the loaded
            // interpretations.
            r += 1;
            if r >= self.event.records.len() {
                self.rec = None;
                return None;
            }
            self.rec = Some(r);
            self.loaded = Some(r);
            self.fields[r] = 0;
        }
    }

    pub fn record_num(&self) -> usize {
        self.rec.unwrap_or(0)
    }

    pub fn field_num(&self) -> usize {
        self.rec.map_or(0, |r| self.fields[r])
    }

    /// The current position, with the record number the caller names.
    pub fn loc_in(&self, rec: usize) -> Loc {
        Loc {
            rec,
            field: self.field_num(),
        }
    }

    /// The current position.
    pub fn loc(&self) -> Loc {
        self.loc_in(self.record_num())
    }

    /// Moves to `loc` (auparse's `seek_field`); false where it is not.
    pub fn seek(&mut self, loc: Option<Loc>) -> bool {
        loc.is_some_and(|l| self.goto_record(l.rec) && self.goto_field(l.field))
    }

    /// The current record's type; 0 with no current record.
    pub fn rtype(&self) -> MessageType {
        self.rec
            .map_or(MessageType(0), |r| self.event.records[r].rtype)
    }

    fn field(&self) -> Option<&'e super::event::Field> {
        let r = self.rec?;
        self.event.records[r].fields.get(self.fields[r])
    }

    pub fn name(&self) -> Option<&'e str> {
        self.field().map(|f| f.name.as_str())
    }

    pub fn str(&self) -> Option<&'e str> {
        self.field().map(|f| f.val.as_str())
    }

    /// The value as C's `strtol` reads it, cut to an `int`; `None` where
    /// auparse returns -1 with errno set.
    pub fn int(&self) -> Option<i32> {
        num::strtol(self.str()?.as_bytes(), 10).map(|v| v as i32)
    }

    pub fn field_type(&self) -> FieldType {
        match (self.rec, self.field()) {
            (Some(r), Some(f)) => interpret::field_type(
                self.event.records[r].rtype,
                f.name.as_bytes(),
                f.val.as_bytes(),
            ),
            _ => FieldType::Unclassified,
        }
    }

    /// The current field interpreted (auparse_interpret_field).
    pub fn interpret(&self) -> Vec<u8> {
        self.interpret_with(false)
    }

    /// A file name made absolute against the event's working directory
    /// (auparse_interpret_realpath); other fields as interpreted.
    pub fn realpath(&self) -> Vec<u8> {
        self.interpret_with(true)
    }

    fn interpret_with(&self, cwd: bool) -> Vec<u8> {
        let Some(r) = self.rec.filter(|&r| self.count(r) > 0) else {
            return Vec::new();
        };
        let loc = self.loc();
        self.cache
            .borrow_mut()
            .entry(loc)
            .or_insert_with(|| self.event.interpret(r, loc.field, self.loaded, cwd))
            .clone()
    }
}
