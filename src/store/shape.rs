//! An event's promoted columns: the fields users filter on, taken from its
//! records once, described in one table ([`INTS`], [`TEXTS`]) from which the
//! shape table's insert and the query filters are derived.
//!
//! Events with the same promoted values share one `shape` row (the same
//! process doing the same syscall with the same result, under the same
//! rule keys), so an event row carries one shape id and three indexes
//! instead of a column and an index per field. The writer finds a shape's
//! id in memory; only a new shape costs an insert into the indexed table.

use crate::record::{decode_value, types, Record};

/// How a numeric column reads its field's raw value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    Decimal,
    /// `arch=c000003e`
    Hex,
    /// `success=yes|no` of syscalls, `res=success|failed` (or 1|0) of user
    /// messages: 1 or 0, as ausearch's `-sv` reads both.
    Success,
}

/// A numeric promoted column: its name in the schema and the field it
/// comes from.
#[derive(Debug, Clone, Copy)]
pub struct IntColumn {
    pub name: &'static str,
    pub read: Read,
}

const fn int(name: &'static str, read: Read) -> IntColumn {
    IntColumn { name, read }
}

/// Declares the promoted columns once: [`INTS`] and [`TEXTS`] in order,
/// and [`slot`], the field each fills, as a `match` on the field's name
/// (the compiler turns it into a few length and byte compares, where a
/// hash lookup cost a sixth of building a shape on the daemon's path).
macro_rules! promoted {
    (ints: [$(($iname:literal, $read:ident)),* $(,)?], texts: [$($tname:literal),* $(,)?] $(,)?) => {
        /// The numeric columns, in the order of [`Shape::ints`].
        pub const INTS: [IntColumn; promoted!(@count $($iname)*)] = [$(int($iname, Read::$read)),*];

        /// The text columns (decoded values), in the order of
        /// [`Shape::texts`]. `terminal`, `hostname` and `addr` come from
        /// user messages; `obj` is the first object security context;
        /// `cwd` is the CWD record's (or a user message's cwd=): a process
        /// rarely changes it, so it is part of the shape, where the PATH
        /// names of an event, which change with every file, are not.
        pub const TEXTS: [&str; promoted!(@count $($tname)*)] = [$($tname),*];

        /// The slot a field fills, if it is promoted. `res` fills `success`.
        fn slot(field: &str) -> Option<Slot> {
            match field {
                $($iname => Some(Slot::Int(const { index_of_int($iname) })),)*
                $($tname => Some(Slot::Text(const { index_of_text($tname) })),)*
                "res" => Some(Slot::Int(SUCCESS)),
                _ => None,
            }
        }
    };
    (@count) => { 0 };
    (@count $head:literal $($tail:literal)*) => { 1 + promoted!(@count $($tail)*) };
}

promoted! {
    ints: [
        ("syscall", Decimal),
        ("arch", Hex),
        ("success", Success),
        ("exit", Decimal),
        ("pid", Decimal),
        ("ppid", Decimal),
        ("uid", Decimal),
        ("euid", Decimal),
        ("auid", Decimal),
        ("gid", Decimal),
        ("egid", Decimal),
        ("ses", Decimal),
    ],
    texts: ["tty", "terminal", "hostname", "addr", "comm", "exe", "subj", "obj", "cwd"],
}

/// A column's place in [`INTS`]; evaluated at compile time in [`slot`].
const fn index_of_int(name: &str) -> usize {
    let mut i = 0;
    while !str_eq(INTS[i].name, name) {
        i += 1;
    }
    i
}

/// A column's place in [`TEXTS`]; evaluated at compile time in [`slot`].
const fn index_of_text(name: &str) -> usize {
    let mut i = 0;
    while !str_eq(TEXTS[i], name) {
        i += 1;
    }
    i
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `success`'s place in [`INTS`].
const SUCCESS: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Int(usize),
    Text(usize),
}

/// The promoted values of one event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Shape {
    pub node: Option<String>,
    pub ints: [Option<i64>; INTS.len()],
    pub texts: [Option<String>; TEXTS.len()],
    /// The distinct record types, ascending.
    pub types: Vec<u32>,
    /// The rule keys, in the order first seen.
    pub keys: Vec<String>,
}

impl Shape {
    pub fn int(&self, name: &str) -> Option<i64> {
        let i = INTS.iter().position(|c| c.name == name)?;
        self.ints[i]
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        let i = TEXTS.iter().position(|c| *c == name)?;
        self.texts[i].as_deref()
    }

    /// The record types as the `typeset` table keeps them: `1300,1302,1307`.
    pub fn types_text(&self) -> String {
        let mut out = String::new();
        for t in &self.types {
            if !out.is_empty() {
                out.push(',');
            }
            out.push_str(&t.to_string());
        }
        out
    }

    /// The keys as the `keyset` table keeps them: joined by \x01, the
    /// kernel's own separator for several keys in one `key=` field.
    pub fn keys_text(&self) -> String {
        self.keys.join(KEY_SEPARATOR)
    }
}

pub use crate::wire::KEY_SEPARATOR;

/// Builds a [`Shape`] record by record, as an event's records arrive. A
/// SYSCALL record's values win over other records' (its pid and uid are
/// the event's, not a PATH's ouid or an earlier CONFIG_CHANGE's); within
/// each group, the first record that has a field gives its value.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    syscall: Shape,
    others: Shape,
    /// A record did not parse cleanly.
    pub malformed: bool,
}

impl Summary {
    /// Takes a record's values; returns its path name if it is a PATH
    /// record with one, for `-f` (the cwd is a shape column).
    pub fn add(&mut self, record: &Record) -> Option<String> {
        let target = if record.rtype == types::SYSCALL {
            &mut self.syscall
        } else {
            &mut self.others
        };
        if let Err(at) = target.types.binary_search(&record.rtype.number()) {
            target.types.insert(at, record.rtype.number());
        }
        let is_path = record.rtype == types::PATH;
        let mut path = None;
        let error = record.visit_fields(|name, raw| {
            if is_path && name == "name" && path.is_none() {
                path = Some(decode_value(name, raw));
            }
            take(target, name, raw)
        });
        // Not record.error(): that would parse every field a second time.
        self.malformed |= error.is_some() || record.header_error().is_some();
        path.flatten()
    }

    /// The event's shape so far.
    pub fn shape(&self, node: Option<&str>) -> Shape {
        let mut shape = self.syscall.clone();
        self.merge_others(&mut shape);
        shape.node = node.map(str::to_string);
        shape
    }

    /// The event's shape, consuming the summary (no copies).
    pub fn into_shape(self, node: Option<&str>) -> Shape {
        let Summary {
            syscall: mut shape,
            others,
            ..
        } = self;
        fill(&mut shape, others);
        shape.node = node.map(str::to_string);
        shape
    }

    fn merge_others(&self, shape: &mut Shape) {
        fill(shape, self.others.clone());
    }
}

/// Fills what `shape` lacks from `others`: values where it has none, and
/// the record types and keys it does not have.
pub fn fill(shape: &mut Shape, others: Shape) {
    for (mine, theirs) in shape.ints.iter_mut().zip(others.ints) {
        if mine.is_none() {
            *mine = theirs;
        }
    }
    for (mine, theirs) in shape.texts.iter_mut().zip(others.texts) {
        if mine.is_none() {
            *mine = theirs;
        }
    }
    for t in others.types {
        if let Err(at) = shape.types.binary_search(&t) {
            shape.types.insert(at, t);
        }
    }
    for k in others.keys {
        if !shape.keys.contains(&k) {
            shape.keys.push(k);
        }
    }
}

/// Takes one field into the shape, unless the slot is already filled.
fn take(shape: &mut Shape, name: &str, raw: &str) {
    if name == "key" {
        if let Some(keys) = decode_value(name, raw) {
            for k in keys.split(KEY_SEPARATOR).filter(|k| !k.is_empty()) {
                if !shape.keys.iter().any(|have| have == k) {
                    shape.keys.push(k.to_string());
                }
            }
        }
        return;
    }
    match slot(name) {
        Some(Slot::Int(i)) if shape.ints[i].is_none() => {
            shape.ints[i] = read_int(INTS[i].read, raw);
        }
        Some(Slot::Text(i)) if shape.texts[i].is_none() => {
            shape.texts[i] = decode_value(name, raw);
        }
        _ => {}
    }
}

fn read_int(read: Read, raw: &str) -> Option<i64> {
    match read {
        Read::Decimal => raw
            .parse::<i64>()
            .ok()
            .or_else(|| raw.parse::<u64>().ok().map(|v| v as i64)),
        Read::Hex => u64::from_str_radix(raw, 16).ok().map(|v| v as i64),
        Read::Success => match raw {
            "yes" | "success" | "1" => Some(1),
            "no" | "failed" | "0" => Some(0),
            _ => None,
        },
    }
}

/// The shape of a whole event.
pub fn shape_of(event: &crate::event::Event) -> Shape {
    let mut summary = Summary::default();
    for r in &event.records {
        let _ = summary.add(r);
    }
    summary.into_shape(event.node.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::parse_log_line;

    fn summary(lines: &[&str]) -> Summary {
        let mut s = Summary::default();
        for l in lines {
            let _ = s.add(&parse_log_line(l));
        }
        s
    }

    #[test]
    fn syscall_values_win_over_earlier_records() {
        let s = summary(&[
            "type=CONFIG_CHANGE msg=audit(1.000:7): auid=1000 ses=3 op=add_rule key=\"a\" list=4 res=1",
            "type=SYSCALL msg=audit(1.000:7): arch=c000003e syscall=44 success=yes exit=1084 ppid=9 pid=10 auid=0 uid=0 gid=0 euid=0 egid=0 ses=4 tty=pts0 comm=\"auditctl\" exe=\"/usr/sbin/auditctl\" key=(null)",
            "type=PATH msg=audit(1.000:7): item=0 name=\"/etc\" inode=1 ouid=5 ogid=5 obj=system_u:object_r:etc_t:s0",
        ]);
        let shape = s.shape(Some("host"));
        assert_eq!(
            shape.int("auid"),
            Some(0),
            "SYSCALL's auid, not CONFIG_CHANGE's"
        );
        assert_eq!(shape.int("ses"), Some(4));
        assert_eq!(shape.int("success"), Some(1));
        assert_eq!(shape.int("arch"), Some(0xc000003e));
        assert_eq!(shape.int("uid"), Some(0), "not the PATH's ouid");
        assert_eq!(shape.text("exe"), Some("/usr/sbin/auditctl"));
        assert_eq!(shape.text("obj"), Some("system_u:object_r:etc_t:s0"));
        assert_eq!(shape.keys, ["a"]);
        assert_eq!(shape.types, [1300, 1302, 1305]);
        assert_eq!(shape.node.as_deref(), Some("host"));
        assert_eq!(s.into_shape(Some("host")), shape);
    }

    #[test]
    fn several_keys_in_one_field_and_user_messages() {
        let s = summary(&[
            "type=SYSCALL msg=audit(1.000:8): syscall=2 success=no exit=-13 key=6B31016B32",
            "type=USER_LOGIN msg=audit(1.000:8): pid=1 uid=0 msg='op=login acct=\"bob\" exe=\"/usr/sbin/sshd\" hostname=h addr=10.0.0.1 terminal=ssh res=failed'",
        ]);
        let shape = s.shape(None);
        assert_eq!(shape.keys, ["k1", "k2"]);
        assert_eq!(shape.keys_text(), "k1\x01k2");
        assert_eq!(shape.int("success"), Some(0));
        assert_eq!(shape.int("exit"), Some(-13));
        assert_eq!(shape.text("hostname"), Some("h"));
        assert_eq!(shape.text("terminal"), Some("ssh"));
        assert_eq!(shape.types_text(), "1112,1300");
    }

    #[test]
    fn every_column_has_a_slot() {
        assert_eq!(INTS[SUCCESS].name, "success");
        for c in INTS {
            assert_eq!(
                slot(c.name),
                INTS.iter().position(|x| x.name == c.name).map(Slot::Int)
            );
        }
        for (i, c) in TEXTS.iter().enumerate() {
            assert_eq!(slot(c), Some(Slot::Text(i)));
        }
        assert_eq!(slot("res"), slot("success"));
        assert_eq!(slot("name"), None);
    }
}
