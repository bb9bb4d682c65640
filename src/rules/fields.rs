//! The field table (`fields.txt`): each `-F` name, its `AUDIT_*` id,
//! how its value is read and printed, which operators and which filter lists
//! accept it.

use std::sync::OnceLock;

use super::model::{FilterList, Operator};
use crate::tables::data_lines;

// Field ids with special handling (linux/audit.h).
pub const LOGINUID: u32 = 9;
pub const ARCH: u32 = 11;
pub const SESSIONID: u32 = 25;
pub const INODE: u32 = 102;
pub const WATCH: u32 = 105;
pub const PERM: u32 = 106;
pub const DIR: u32 = 107;
pub const FIELD_COMPARE: u32 = 111;
pub const EXE: u32 = 112;
pub const A0: u32 = 200;
pub const A3: u32 = 203;
pub const FILTERKEY: u32 = 210;

/// AUDIT_MAX_KEY_LEN: the joined keys' limit.
pub const MAX_KEY_LEN: usize = 256;
/// PATH_MAX: the kernel's limit for other string fields.
pub const MAX_STRING_LEN: usize = 4096;
/// The longest file name (one path component) Linux takes.
pub const NAME_MAX: usize = 255;

/// How a field's value is read from text and printed back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Num,
    Uid,
    Gid,
    Session,
    Inode,
    Arg,
    Arch,
    MsgType,
    Exit,
    Perm,
    FileType,
    FsType,
    Str,
    Path,
    Key,
    Compare,
    /// A socket address family: a number below AF_MAX.
    Family,
}

const KINDS: &[(&str, Kind)] = &[
    ("num", Kind::Num),
    ("uid", Kind::Uid),
    ("gid", Kind::Gid),
    ("session", Kind::Session),
    ("inode", Kind::Inode),
    ("arg", Kind::Arg),
    ("arch", Kind::Arch),
    ("msgtype", Kind::MsgType),
    ("exit", Kind::Exit),
    ("perm", Kind::Perm),
    ("filetype", Kind::FileType),
    ("fstype", Kind::FsType),
    ("str", Kind::Str),
    ("path", Kind::Path),
    ("key", Kind::Key),
    ("compare", Kind::Compare),
    ("family", Kind::Family),
];

impl Kind {
    /// Whether the value travels in the rule's string buffer.
    pub fn is_string(self) -> bool {
        matches!(self, Kind::Str | Kind::Path | Kind::Key)
    }
}

/// Which operators a field accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ops {
    All,
    NoBit,
    Eq,
    Equal,
}

const OPS: &[(&str, Ops, &str)] = &[
    ("all", Ops::All, "any operator"),
    (
        "nobit",
        Ops::NoBit,
        "= != < > <= >= operators (not & or &=)",
    ),
    ("eq", Ops::Eq, "= or != operators"),
    ("equal", Ops::Equal, "the = operator"),
];

impl Ops {
    pub fn allows(self, op: Operator) -> bool {
        match self {
            Ops::All => true,
            Ops::NoBit => !op.is_bitwise(),
            Ops::Eq => matches!(op, Operator::Equal | Operator::NotEqual),
            Ops::Equal => op == Operator::Equal,
        }
    }
    /// Words for an error message: "field X only takes ...".
    pub fn describe(self) -> &'static str {
        OPS.iter().find(|o| o.1 == self).map_or("?", |o| o.2)
    }
}

/// Letters of the lists column and the lists they stand for.
const LIST_LETTERS: &[(char, FilterList)] = &[
    ('u', FilterList::User),
    ('t', FilterList::Task),
    ('x', FilterList::Exit),
    ('e', FilterList::Exclude),
    ('f', FilterList::Filesystem),
    ('i', FilterList::IoUring),
];

#[derive(Debug)]
pub struct FieldDef {
    pub name: &'static str,
    pub id: u32,
    pub kind: Kind,
    pub ops: Ops,
    lists: Vec<FilterList>,
}

impl FieldDef {
    pub fn allowed_on(&self, list: FilterList) -> bool {
        self.lists.contains(&list)
    }
}

fn table() -> &'static [FieldDef] {
    static TABLE: OnceLock<Vec<FieldDef>> = OnceLock::new();
    TABLE.get_or_init(|| {
        data_lines(include_str!("fields.txt"))
            .map(parse_def)
            .collect()
    })
}

fn parse_def(words: Vec<&'static str>) -> FieldDef {
    let [name, id, kind, ops, lists] = words[..] else {
        panic!("fields.txt line {words:?} is not 'name number kind ops lists'");
    };
    let lookup = |c: char| LIST_LETTERS.iter().find(|l| l.0 == c).map(|l| l.1);
    FieldDef {
        name,
        id: id
            .parse()
            .unwrap_or_else(|_| panic!("fields.txt: bad id in {words:?}")),
        kind: KINDS
            .iter()
            .find(|k| k.0 == kind)
            .map(|k| k.1)
            .expect("fields.txt: kind"),
        ops: OPS
            .iter()
            .find(|o| o.0 == ops)
            .map(|o| o.1)
            .expect("fields.txt: ops"),
        lists: lists
            .chars()
            .map(|c| lookup(c).expect("fields.txt: list letter"))
            .collect(),
    }
}

/// Every field name, aliases included, in the table's order.
pub fn names() -> Vec<&'static str> {
    table().iter().map(|d| d.name).collect()
}

pub fn by_name(name: &str) -> Option<&'static FieldDef> {
    table().iter().find(|d| d.name == name)
}

/// The first (printed) definition of a field id.
pub fn by_id(id: u32) -> Option<&'static FieldDef> {
    table().iter().find(|d| d.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_audit_h_field_is_named() {
        // Ids from linux/audit.h, AUDIT_PID .. AUDIT_FILTERKEY.
        // (AUDIT_LOGINUID_SET 24 has none in libaudit 3.0.9 either.)
        let ids = (0..=23)
            .chain(25..=26)
            .chain(100..=113)
            .chain(200..=203)
            .chain([210]);
        for id in ids {
            assert!(by_id(id).is_some(), "field id {id} has no name");
        }
    }

    #[test]
    fn aliases_print_as_the_first_name() {
        assert_eq!(by_name("loginuid").unwrap().id, 9);
        assert_eq!(by_id(9).unwrap().name, "auid");
        assert_eq!(by_id(WATCH).unwrap().name, "path");
    }

    #[test]
    fn list_and_operator_columns_are_read() {
        let ppid = by_name("ppid").unwrap();
        assert!(ppid.allowed_on(FilterList::Exit));
        assert!(!ppid.allowed_on(FilterList::Exclude));
        assert!(by_name("msgtype").unwrap().allowed_on(FilterList::Exclude));
        assert!(!by_name("path").unwrap().ops.allows(Operator::NotEqual));
        assert!(by_name("a0").unwrap().ops.allows(Operator::BitTest));
        assert!(!by_name("uid").unwrap().ops.allows(Operator::BitMask));
    }
}
