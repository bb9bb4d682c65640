//! The lookup tables every stage reads: syscalls per machine, errnos,
//! capabilities' and field names, file and filesystem types, machines
//! (`arch`). Name <-> number tables, parsed at first use from the data files
//! beside this module (regenerate the header-derived ones with
//! `generate.sh`). They sit below rules, output and report, which all read
//! them and none of which the others need for it.
//! Each table is "name number" lines with `#` comments; when a number has
//! several names the first one is the one printed.

use std::collections::HashMap;
use std::sync::OnceLock;

pub mod arch;

/// A two-way map between names and numbers.
#[derive(Debug, Default)]
pub struct NameTable {
    by_name: HashMap<&'static str, u32>,
    by_number: HashMap<u32, &'static str>,
}

impl NameTable {
    /// Parses "name number" lines. The data is compiled in, so a malformed
    /// line is a build mistake that the table tests catch.
    pub fn parse(text: &'static str) -> NameTable {
        let mut table = NameTable::default();
        for words in data_lines(text) {
            let [name, number] = words[..] else {
                panic!("table line {words:?} is not 'name number'");
            };
            let number = parse_number(number).unwrap_or_else(|| panic!("bad number in {words:?}"));
            table.insert(name, number);
        }
        table
    }

    pub fn insert(&mut self, name: &'static str, number: u32) {
        self.by_name.insert(name, number);
        self.by_number.entry(number).or_insert(name);
    }

    pub fn number(&self, name: &str) -> Option<u32> {
        self.by_name.get(name).copied()
    }

    pub fn name(&self, number: u32) -> Option<&'static str> {
        self.by_number.get(&number).copied()
    }

    /// The printed name of each number, in number order.
    pub fn printed_names(&self) -> Vec<&'static str> {
        let mut numbers: Vec<_> = self.by_number.iter().collect();
        numbers.sort_unstable();
        numbers.into_iter().map(|(_, name)| *name).collect()
    }
}

/// The words of each non-blank, non-comment line.
pub fn data_lines(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or(""))
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .filter(|words| !words.is_empty())
}

/// A number in decimal or 0x hex, as the data files write them.
pub fn parse_number(text: &str) -> Option<u32> {
    match text.strip_prefix("0x") {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// Syscall tables by the name machines.txt gives them.
const SYSCALL_FILES: &[(&str, &str)] = &[
    ("x86_64", include_str!("syscalls_x86_64.txt")),
    ("i386", include_str!("syscalls_i386.txt")),
    ("aarch64", include_str!("syscalls_aarch64.txt")),
];

/// The syscall table called `name` in machines.txt, if one is shipped.
pub fn syscalls(name: &str) -> Option<&'static NameTable> {
    static TABLES: OnceLock<HashMap<&'static str, NameTable>> = OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        SYSCALL_FILES
            .iter()
            .map(|(name, text)| (*name, syscall_table(name, text)))
            .collect()
    });
    tables.get(name)
}

/// libaudit's spellings first, so they are the ones printed; then the
/// kernel's, which are accepted too.
fn syscall_table(table_name: &str, text: &'static str) -> NameTable {
    let mut table = NameTable::default();
    for words in data_lines(include_str!("syscalls_libaudit.txt")) {
        let [table_of, name, number] = words[..] else {
            panic!("syscalls_libaudit.txt line {words:?} is not 'table name number'");
        };
        if table_of == table_name {
            table.insert(
                name,
                parse_number(number).expect("syscalls_libaudit.txt: number"),
            );
        }
    }
    for words in data_lines(text) {
        let [name, number] = words[..] else {
            panic!("syscall table line {words:?} is not 'name number'");
        };
        table.insert(name, parse_number(number).expect("syscall table: number"));
    }
    table
}

macro_rules! table_fn {
    ($(#[$doc:meta])* $fn_name:ident, $file:literal) => {
        $(#[$doc])*
        pub fn $fn_name() -> &'static NameTable {
            static TABLE: OnceLock<NameTable> = OnceLock::new();
            TABLE.get_or_init(|| NameTable::parse(include_str!($file)))
        }
    };
}

table_fn!(
    /// errno names (EPERM 1, ...), for `-F exit=-EPERM`.
    errnos,
    "errno.txt"
);
table_fn!(
    /// io_uring operation names, the "syscalls" of the io_uring list.
    uring_ops,
    "uring_ops.txt"
);
table_fn!(
    /// `-F filetype=` names and their S_IFMT bits.
    file_types,
    "filetypes.txt"
);
table_fn!(
    /// `-F fstype=` names and their filesystem magic numbers.
    fs_types,
    "fstypes.txt"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syscall_tables_have_the_well_known_numbers() {
        assert_eq!(syscalls("x86_64").unwrap().number("openat"), Some(257));
        assert_eq!(syscalls("x86_64").unwrap().name(2), Some("open"));
        assert_eq!(syscalls("i386").unwrap().number("open"), Some(5));
        assert_eq!(syscalls("i386").unwrap().name(140), Some("_llseek"));
        assert_eq!(syscalls("aarch64").unwrap().number("openat"), Some(56));
        assert_eq!(syscalls("aarch64").unwrap().number("open"), None);
        assert!(syscalls("ppc").is_none());
    }

    #[test]
    fn libaudit_spellings_print_and_kernel_ones_parse() {
        let x86_64 = syscalls("x86_64").unwrap();
        assert_eq!(x86_64.name(17), Some("pread"));
        assert_eq!(x86_64.number("pread"), Some(17));
        assert_eq!(x86_64.number("pread64"), Some(17));
        assert_eq!(syscalls("aarch64").unwrap().name(80), Some("newfstat"));
    }

    #[test]
    fn small_tables_parse() {
        assert_eq!(errnos().number("EPERM"), Some(1));
        assert_eq!(errnos().name(13), Some("EACCES"));
        assert_eq!(uring_ops().number("openat"), Some(18));
        assert_eq!(file_types().number("dir"), Some(0o040000));
        assert_eq!(fs_types().name(0x74726163), Some("tracefs"));
    }

    #[test]
    fn first_name_of_a_number_is_printed() {
        let mut t = NameTable::default();
        t.insert("auid", 9);
        t.insert("loginuid", 9);
        assert_eq!(t.name(9), Some("auid"));
        assert_eq!(t.number("loginuid"), Some(9));
    }
}
