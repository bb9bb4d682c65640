//! Machines (`-F arch=`, a record's `arch=`) and the syscall tables that go
//! with them, from `machines.txt`.
//!
//! auditctl resolves `-S` names with the table of the rule's arch, or of the
//! machine it runs on when the rule has none; "b32"/"b64" also mean the
//! native machine's 32/64-bit flavour. The elf value (`AUDIT_ARCH_*`) is what
//! the kernel compares and lists back.

use std::sync::OnceLock;

use super::{data_lines, parse_number, syscalls, NameTable};

/// Bit of an AUDIT_ARCH_* value that marks a 64-bit ABI.
const ARCH_64BIT: u32 = 0x8000_0000;

#[derive(Debug)]
pub struct Machine {
    /// Printed name first, then the aliases accepted on input.
    pub names: Vec<&'static str>,
    pub elf: u32,
    syscall_table: Option<&'static str>,
    b32: Option<&'static str>,
}

impl Machine {
    pub fn name(&self) -> &'static str {
        self.names[0]
    }

    pub fn is_64bit(&self) -> bool {
        self.elf & ARCH_64BIT != 0
    }

    /// The 32-bit machine a 64-bit one also runs ("b32"), if any.
    pub fn flavor_32(&self) -> Option<&'static Machine> {
        self.b32.and_then(by_name)
    }

    /// The syscall name table, when raudit ships one for this machine.
    pub fn syscalls(&self) -> Option<&'static NameTable> {
        self.syscall_table.and_then(syscalls)
    }
}

fn machines() -> &'static [Machine] {
    static MACHINES: OnceLock<Vec<Machine>> = OnceLock::new();
    MACHINES.get_or_init(|| {
        data_lines(include_str!("machines.txt"))
            .map(parse_machine)
            .collect()
    })
}

/// "names... elf syscalls b32": the last three columns are fixed.
fn parse_machine(words: Vec<&'static str>) -> Machine {
    assert!(words.len() >= 4, "machines.txt line {words:?}");
    let n = words.len();
    let dash = |w: &'static str| (w != "-").then_some(w);
    Machine {
        names: words[..n - 3].to_vec(),
        elf: parse_number(words[n - 3]).unwrap_or_else(|| panic!("bad elf in {words:?}")),
        syscall_table: dash(words[n - 2]),
        b32: dash(words[n - 1]),
    }
}

pub fn by_name(name: &str) -> Option<&'static Machine> {
    machines().iter().find(|m| m.names.contains(&name))
}

pub fn by_elf(elf: u32) -> Option<&'static Machine> {
    machines().iter().find(|m| m.elf == elf)
}

/// The machine this binary runs on (auditctl asks uname; the compile target
/// is the same thing for a native binary).
pub fn native() -> &'static Machine {
    let name = match std::env::consts::ARCH {
        "x86" => "i386",
        "arm" => "armeb",
        "powerpc" => "ppc",
        "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
        "powerpc64" => "ppc64",
        other => other,
    };
    by_name(name).unwrap_or_else(|| by_name("x86_64").expect("machines.txt has x86_64"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_elf_values_agree_with_audit_h() {
        assert_eq!(by_name("x86_64").unwrap().elf, 0xc000_003e);
        assert_eq!(by_name("i686").unwrap().elf, 0x4000_0003);
        assert_eq!(by_name("aarch64").unwrap().elf, 0xc000_00b7);
        assert_eq!(by_elf(0x4000_0028).unwrap().name(), "armeb");
        assert!(by_elf(0x1234).is_none());
    }
}
