//! `-F arch=` values: b32/b64 for the native machine's flavours, a machine
//! name, or an AUDIT_ARCH number (the machines are in [`crate::tables::arch`]).

use super::RuleError;
use crate::tables::arch::{by_elf, by_name, native, Machine};

/// Resolves an `-F arch=` value: b32, b64, a machine name, or an AUDIT_ARCH
/// number that names a known machine.
pub fn parse_arch(value: &str) -> Result<&'static Machine, RuleError> {
    let unknown = || RuleError::UnknownArch(value.to_string());
    if value.starts_with(|c: char| c.is_ascii_digit()) {
        let elf = super::value::parse_c_number(value).ok_or_else(unknown)?;
        return by_elf(elf).ok_or_else(unknown);
    }
    let native = native();
    match value {
        "b64" if native.is_64bit() => Ok(native),
        "b32" if !native.is_64bit() => Ok(native),
        "b32" => native.flavor_32().ok_or_else(|| bits_unsupported(value)),
        "b64" => Err(bits_unsupported(value)),
        name => by_name(name).ok_or_else(unknown),
    }
}

fn bits_unsupported(value: &str) -> RuleError {
    RuleError::ArchUnsupported {
        arch: value.to_string(),
        machine: native().name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn bitness_names_follow_the_native_machine() {
        assert_eq!(parse_arch("b64").unwrap().name(), "x86_64");
        assert_eq!(parse_arch("b32").unwrap().name(), "i386");
        assert_eq!(parse_arch("3221225534").unwrap().name(), "x86_64");
        assert_eq!(parse_arch("0x40000003").unwrap().name(), "i386");
    }

    #[test]
    fn unknown_arch_is_named_in_the_error() {
        let err = parse_arch("vax").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown arch \"vax\" (use b32, b64 or a machine name such as x86_64)"
        );
    }
}
