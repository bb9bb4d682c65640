//! The rule model: one audit rule as the kernel stores it, with field values
//! already resolved to numbers (user names, errnos, arch...) so that a rule
//! built from text and one listed back by the kernel compare equal.

use super::fields;
use crate::wire::KEY_SEPARATOR;

/// A kernel filter list (`AUDIT_FILTER_*`), the low bits of the rule flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterList {
    User,
    Task,
    /// Deprecated by the kernel; only ever seen when decoding.
    Entry,
    /// Never a rule list since 2.6.x; only ever seen when decoding.
    Watch,
    Exit,
    Exclude,
    Filesystem,
    IoUring,
}

/// (list, AUDIT_FILTER_* number, auditctl name).
const LISTS: &[(FilterList, u32, &str)] = &[
    (FilterList::User, 0, "user"),
    (FilterList::Task, 1, "task"),
    (FilterList::Entry, 2, "entry"),
    (FilterList::Watch, 3, "watch"),
    (FilterList::Exit, 4, "exit"),
    (FilterList::Exclude, 5, "exclude"),
    (FilterList::Filesystem, 6, "filesystem"),
    (FilterList::IoUring, 7, "io_uring"),
];

impl FilterList {
    pub fn number(self) -> u32 {
        LISTS.iter().find(|l| l.0 == self).map_or(0, |l| l.1)
    }
    pub fn from_number(n: u32) -> Option<FilterList> {
        LISTS.iter().find(|l| l.1 == n).map(|l| l.0)
    }
    pub fn name(self) -> &'static str {
        LISTS.iter().find(|l| l.0 == self).map_or("?", |l| l.2)
    }
    pub fn from_name(name: &str) -> Option<FilterList> {
        LISTS.iter().find(|l| l.2 == name).map(|l| l.0)
    }
    /// Lists whose rules carry no syscall mask worth printing or setting.
    pub fn takes_syscalls(self) -> bool {
        matches!(
            self,
            FilterList::Exit | FilterList::IoUring | FilterList::Entry
        )
    }
}

/// What the kernel does when a rule matches (`AUDIT_NEVER`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Never,
    /// Deprecated; the kernel refuses it, but it may be decoded.
    Possible,
    Always,
}

const ACTIONS: &[(Action, u32, &str)] = &[
    (Action::Never, 0, "never"),
    (Action::Possible, 1, "possible"),
    (Action::Always, 2, "always"),
];

impl Action {
    pub fn number(self) -> u32 {
        ACTIONS.iter().find(|a| a.0 == self).map_or(0, |a| a.1)
    }
    pub fn from_number(n: u32) -> Option<Action> {
        ACTIONS.iter().find(|a| a.1 == n).map(|a| a.0)
    }
    pub fn name(self) -> &'static str {
        ACTIONS.iter().find(|a| a.0 == self).map_or("?", |a| a.2)
    }
    pub fn from_name(name: &str) -> Option<Action> {
        ACTIONS.iter().find(|a| a.2 == name).map(|a| a.0)
    }
}

/// A field comparison operator (the `fieldflags` word).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    Equal,
    NotEqual,
    Less,
    Greater,
    LessOrEqual,
    GreaterOrEqual,
    /// `&`: (field & value) != 0
    BitMask,
    /// `&=`: (field & value) == value
    BitTest,
}

/// (operator, AUDIT_* bits, symbol). Parsing tries the symbols in this order,
/// two-character ones first, as libaudit does.
pub(crate) const OPERATORS: &[(Operator, u32, &str)] = &[
    (Operator::NotEqual, 0x3000_0000, "!="),
    (Operator::GreaterOrEqual, 0x6000_0000, ">="),
    (Operator::LessOrEqual, 0x5000_0000, "<="),
    (Operator::BitTest, 0x4800_0000, "&="),
    (Operator::Equal, 0x4000_0000, "="),
    (Operator::Greater, 0x2000_0000, ">"),
    (Operator::Less, 0x1000_0000, "<"),
    (Operator::BitMask, 0x0800_0000, "&"),
];

impl Operator {
    pub fn bits(self) -> u32 {
        OPERATORS.iter().find(|o| o.0 == self).map_or(0, |o| o.1)
    }
    pub fn from_bits(bits: u32) -> Option<Operator> {
        OPERATORS.iter().find(|o| o.1 == bits).map(|o| o.0)
    }
    pub fn symbol(self) -> &'static str {
        OPERATORS.iter().find(|o| o.0 == self).map_or("?", |o| o.2)
    }
    pub fn is_bitwise(self) -> bool {
        matches!(self, Operator::BitMask | Operator::BitTest)
    }
}

/// A field's value: a number, or a string for path/key/label fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FieldValue {
    Num(u32),
    Str(String),
}

/// One `-F`/`-C`/`-k` condition: field id (`AUDIT_*`), operator, value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RuleField {
    pub field: u32,
    pub op: Operator,
    pub value: FieldValue,
}

impl RuleField {
    pub fn num(&self) -> Option<u32> {
        match self.value {
            FieldValue::Num(n) => Some(n),
            FieldValue::Str(_) => None,
        }
    }
    pub fn str(&self) -> Option<&str> {
        match &self.value {
            FieldValue::Str(s) => Some(s),
            FieldValue::Num(_) => None,
        }
    }
}

/// Highest syscall number the 64-word bitmap can hold.
pub const MAX_SYSCALL: u32 = 64 * 32 - 1;

/// The syscall bitmap: bit n%32 of word n/32 is syscall n.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SyscallMask(pub [u32; 64]);

impl Default for SyscallMask {
    fn default() -> Self {
        SyscallMask([0; 64])
    }
}

impl SyscallMask {
    pub fn all() -> Self {
        SyscallMask([u32::MAX; 64])
    }
    pub fn insert(&mut self, nr: u32) {
        self.0[(nr / 32) as usize] |= 1 << (nr % 32);
    }
    pub fn contains(&self, nr: u32) -> bool {
        nr <= MAX_SYSCALL && self.0[(nr / 32) as usize] & (1 << (nr % 32)) != 0
    }
    /// "All syscalls" as auditctl judges it: the last word is skipped because
    /// the kernel clears its top 16 bits (syscall-class bits) when it stores
    /// the rule.
    pub fn is_all(&self) -> bool {
        self.0[..63].iter().all(|w| *w == u32::MAX)
    }
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
    /// Set syscall numbers, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..=MAX_SYSCALL).filter(|nr| self.contains(*nr))
    }
}

/// One audit rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rule {
    pub list: FilterList,
    pub action: Action,
    /// Insert at the head of the list (`-A`); the kernel does not list it back.
    pub prepend: bool,
    pub syscalls: SyscallMask,
    /// In the order they go to (and come back from) the kernel.
    pub fields: Vec<RuleField>,
}

impl Rule {
    /// The filter keys, split at auditctl's `\x01` separator.
    pub fn keys(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| f.field == fields::FILTERKEY)
            .filter_map(RuleField::str)
            .flat_map(|s| s.split(KEY_SEPARATOR))
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// The rule's `-F arch` value, which picks the syscall table.
    pub fn arch(&self) -> Option<u32> {
        self.fields
            .iter()
            .find(|f| f.field == fields::ARCH)
            .and_then(RuleField::num)
    }

    /// Whether auditctl would list this rule as `-w PATH`: only path/dir,
    /// perm and key fields, a perm among them, and every syscall (for the
    /// lists that have syscalls). See auditctl-listing.c `is_watch`.
    pub fn is_watch(&self) -> bool {
        let watch_fields = [fields::WATCH, fields::DIR, fields::PERM, fields::FILTERKEY];
        let only_watch_fields = self.fields.iter().all(|f| watch_fields.contains(&f.field));
        let has_perm = self.fields.iter().any(|f| f.field == fields::PERM);
        let all = !self.list.takes_syscalls() || self.syscalls.is_all();
        only_watch_fields && has_perm && all
    }
}
