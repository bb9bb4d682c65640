//! Generates the record and message type constants from
//! `src/wire/message_types.txt`, the one table of audit type numbers and names.
//!
//! A build script rather than a macro keeps the table as plain data in the
//! format of linux/audit.h and libaudit's name list, so updating it from
//! upstream is a copy, and the names, numbers and constants cannot drift.

use std::fmt::Write as _;
use std::path::Path;

const TABLE: &str = "src/wire/message_types.txt";

fn main() {
    println!("cargo:rerun-if-changed={TABLE}");
    println!("cargo:rerun-if-changed=build.rs");
    let text = std::fs::read_to_string(TABLE).expect("reading the message type table");
    let mut rows: Vec<(u32, &str)> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let (num, name) = line
                .split_once(' ')
                .unwrap_or_else(|| panic!("{TABLE}: {line:?} is not 'number NAME'"));
            let num = num
                .parse()
                .unwrap_or_else(|_| panic!("{TABLE}: {num:?} is not a number"));
            (num, name.trim())
        })
        .collect();
    rows.sort_unstable();
    let mut out = String::new();
    for (num, name) in &rows {
        writeln!(out, "pub const {name}: MessageType = MessageType({num});").unwrap();
    }
    writeln!(out, "/// Every (number, name) pair, in number order.").unwrap();
    writeln!(out, "pub(super) const TABLE: &[(u32, &str)] = &[").unwrap();
    for (num, name) in &rows {
        writeln!(out, "    ({num}, {name:?}),").unwrap();
    }
    writeln!(out, "];").unwrap();
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("message_types.rs");
    std::fs::write(dest, out).expect("writing the generated message types");
}
