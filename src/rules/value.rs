//! Reading one `-F` value according to its field's kind (see fields.txt),
//! with libaudit's conventions: numbers in C notation (decimal, 0x hex,
//! leading-0 octal), negative numbers stored as their 32-bit two's
//! complement, "unset" for the -1 id, names resolved to numbers.

use super::fields::{self, FieldDef, Kind};
use super::model::FieldValue;
use super::system::System;
use super::RuleError;
use crate::record::MessageType;
use crate::tables;
use crate::wire::KEY_SEPARATOR;

/// AUDIT_UID_UNSET / AUDIT_SID_UNSET: (unsigned)-1.
pub const UNSET: u32 = u32::MAX;

/// Permission letters and their AUDIT_PERM_* bits, in the order auditctl
/// prints them.
pub const PERM_LETTERS: &[(char, u32)] = &[('r', 4), ('w', 2), ('x', 1), ('a', 8)];

/// A whole-string unsigned number in C notation (strtoul base 0) that fits
/// 32 bits.
pub fn parse_c_number(text: &str) -> Option<u32> {
    let (digits, radix) =
        if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
            (hex, 16)
        } else if text.len() > 1 && text.starts_with('0') {
            (&text[1..], 8)
        } else {
            (text, 10)
        };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u32::from_str_radix(digits, radix).ok()
}

/// The number at the start of `text`, as C's strtoul with base 0 reads it
/// ("2,3" gives 2); `None` when there are no digits or it overflows.
pub fn leading_number(text: &str) -> Option<u32> {
    let (body, radix) = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) if hex.starts_with(|c: char| c.is_ascii_hexdigit()) => (hex, 16),
        _ if text.starts_with('0') => (text, 8),
        _ => (text, 10),
    };
    let end = body
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(body.len());
    match end {
        0 => None,
        _ => u32::from_str_radix(&body[..end], radix).ok(),
    }
}

/// A C number, or `-N` stored as two's complement (so `-1` is 0xffffffff).
fn parse_signed(text: &str) -> Option<u32> {
    match text.strip_prefix('-') {
        Some(magnitude) => {
            let n = i64::from(parse_c_number(magnitude)?);
            i32::try_from(-n).ok().map(|v| v as u32)
        }
        None => parse_c_number(text),
    }
}

/// Parses `text` as the value of field `def`.
pub fn parse(
    def: &'static FieldDef,
    text: &str,
    sys: &dyn System,
) -> Result<FieldValue, RuleError> {
    let not_number = || RuleError::NotANumber {
        field: def.name,
        value: text.to_string(),
    };
    let num = |v: Option<u32>| v.map(FieldValue::Num).ok_or_else(not_number);
    match def.kind {
        Kind::Num | Kind::Inode => num(parse_c_number(text)),
        Kind::Compare => match parse_c_number(text) {
            Some(id) if super::compare::by_id(id).is_some() => Ok(FieldValue::Num(id)),
            Some(id) => Err(RuleError::UnknownComparison(id)),
            None => Err(not_number()),
        },
        Kind::Arg => num(parse_signed(text)),
        Kind::Session if text == "unset" => Ok(FieldValue::Num(UNSET)),
        Kind::Session => num(parse_signed(text)),
        Kind::Uid => parse_uid(text, sys),
        Kind::Gid => parse_gid(text, sys),
        Kind::Arch => Ok(FieldValue::Num(super::arch::parse_arch(text)?.elf)),
        Kind::MsgType => parse_msgtype(text).map(FieldValue::Num),
        Kind::Exit => parse_exit(text).map(FieldValue::Num),
        Kind::Perm => parse_perm(text).map(FieldValue::Num),
        Kind::FileType => tables::file_types()
            .number(text)
            .map(FieldValue::Num)
            .ok_or_else(|| RuleError::UnknownFileType(text.to_string())),
        Kind::Family => family(def, text),
        // libaudit's name lookup answers -1 for "unknown", so auditctl
        // refuses 0xffffffff as an unknown file system type too.
        Kind::FsType => match lookup(text, tables::fs_types(), RuleError::UnknownFsType)? {
            FieldValue::Num(u32::MAX) => Err(RuleError::UnknownFsType(text.to_string())),
            value => Ok(value),
        },
        Kind::Str => string(def, text, fields::MAX_STRING_LEN),
        Kind::Path => parse_path(def, text),
        Kind::Key => parse_key(text).map(FieldValue::Str),
    }
}

/// AF_MAX of the C library auditctl 3.0.9 is built with (glibc 2.36,
/// Linux 6.x: AF_MCTP = 45 is the last family). The kernel does not check
/// the value; auditctl refuses anything from AF_MAX up.
pub const AF_MAX: u32 = 46;

/// An address family number, below [`AF_MAX`].
fn family(def: &'static FieldDef, text: &str) -> Result<FieldValue, RuleError> {
    match parse_c_number(text) {
        Some(n) if n < AF_MAX => Ok(FieldValue::Num(n)),
        Some(_) => Err(RuleError::FamilyTooLarge {
            field: def.name,
            max: AF_MAX - 1,
        }),
        None => Err(RuleError::NotANumber {
            field: def.name,
            value: text.to_string(),
        }),
    }
}

/// A uid: number, -N, "unset", or a name from the user database.
fn parse_uid(text: &str, sys: &dyn System) -> Result<FieldValue, RuleError> {
    let id = match text {
        "unset" => Some(UNSET),
        _ if text.starts_with(|c: char| c.is_ascii_digit() || c == '-') => parse_signed(text),
        _ => sys.user_id(text),
    };
    id.map(FieldValue::Num)
        .ok_or_else(|| RuleError::UnknownUser(text.to_string()))
}

/// A gid: number or a name from the group database. libaudit takes neither
/// "unset" nor -N here, so neither do we.
fn parse_gid(text: &str, sys: &dyn System) -> Result<FieldValue, RuleError> {
    let id = match text.starts_with(|c: char| c.is_ascii_digit()) {
        true => parse_c_number(text),
        false => sys.group_id(text),
    };
    id.map(FieldValue::Num)
        .ok_or_else(|| RuleError::UnknownGroup(text.to_string()))
}

/// A record type name (SYSCALL, USER_LOGIN, ...) or number.
fn parse_msgtype(text: &str) -> Result<u32, RuleError> {
    let unknown = || RuleError::UnknownMsgType(text.to_string());
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        return parse_c_number(text).ok_or_else(unknown);
    }
    MessageType::parse(text)
        .map(|t| t.number())
        .ok_or_else(unknown)
}

/// An exit value: a number, -N, or an errno name where `-EPERM` is -1 and
/// `EPERM` is 1 (libaudit's audit_name_to_errno).
fn parse_exit(text: &str) -> Result<u32, RuleError> {
    if let Some(n) = parse_signed(text) {
        return Ok(n);
    }
    let (negative, name) = match text.strip_prefix('-') {
        Some(name) => (true, name),
        None => (false, text),
    };
    let errno = tables::errnos()
        .number(name)
        .ok_or_else(|| RuleError::UnknownErrno(text.to_string()))?;
    Ok(if negative {
        errno.wrapping_neg()
    } else {
        errno
    })
}

/// Letters r, w, x, a (any case, at most four) to AUDIT_PERM_* bits.
pub fn parse_perm(text: &str) -> Result<u32, RuleError> {
    let bad = || RuleError::BadPermission(text.to_string());
    if text.is_empty() || text.len() > 4 {
        return Err(bad());
    }
    text.chars().try_fold(0, |bits, c| {
        let letter = c.to_ascii_lowercase();
        let bit = PERM_LETTERS
            .iter()
            .find(|p| p.0 == letter)
            .ok_or_else(bad)?
            .1;
        Ok(bits | bit)
    })
}

/// A name from `table`, or a plain number.
fn lookup(
    text: &str,
    table: &tables::NameTable,
    unknown: fn(String) -> RuleError,
) -> Result<FieldValue, RuleError> {
    let n = table.number(text).or_else(|| parse_c_number(text));
    n.map(FieldValue::Num)
        .ok_or_else(|| unknown(text.to_string()))
}

fn string(def: &'static FieldDef, text: &str, max: usize) -> Result<FieldValue, RuleError> {
    if text.len() > max {
        return Err(RuleError::StringTooLong {
            field: def.name,
            max,
        });
    }
    Ok(FieldValue::Str(text.to_string()))
}

/// path, dir and exe: absolute. The kernel refuses a path or exe that ends
/// in '/' (audit_to_watch, audit_alloc_mark), so that is refused here with
/// the reason; a dir keeps its slashes, as auditctl sends them and the
/// kernel stores and lists them. A last component longer than NAME_MAX
/// names no file (the kernel would take the rule, which never matches):
/// refused as `-w` refuses it, since such a rule lists as `-w`.
fn parse_path(def: &'static FieldDef, text: &str) -> Result<FieldValue, RuleError> {
    let (field, path) = (def.name, text.to_string());
    if !text.starts_with('/') {
        return Err(RuleError::PathNotAbsolute { field, path });
    }
    if def.id != fields::DIR && text.ends_with('/') {
        return Err(RuleError::PathEndsInSlash { field, path });
    }
    let name = trim_trailing_slashes(text).rsplit('/').next().unwrap_or("");
    if name.len() > fields::NAME_MAX {
        return Err(RuleError::PathNameTooLong { field, path });
    }
    string(def, text, fields::MAX_STRING_LEN)
}

/// "/etc/" -> "/etc", but "/" stays "/".
pub fn trim_trailing_slashes(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        &path[..1]
    } else {
        trimmed
    }
}

/// One key: 1 to 256 bytes, without the separator byte.
pub fn parse_key(text: &str) -> Result<String, RuleError> {
    if text.is_empty() {
        return Err(RuleError::EmptyKey);
    }
    if text.contains(KEY_SEPARATOR) {
        return Err(RuleError::KeyHasSeparator(
            text.replace(KEY_SEPARATOR, "\\x01"),
        ));
    }
    if text.len() > fields::MAX_KEY_LEN {
        return Err(RuleError::KeyTooLong);
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::system::fake::FakeSystem;

    fn value(field: &str, text: &str) -> Result<FieldValue, RuleError> {
        parse(fields::by_name(field).unwrap(), text, &FakeSystem)
    }

    #[test]
    fn numbers_follow_c_notation() {
        assert_eq!(parse_c_number("10"), Some(10));
        assert_eq!(parse_c_number("0x1F"), Some(31));
        assert_eq!(parse_c_number("017"), Some(15));
        assert_eq!(parse_c_number("0"), Some(0));
        assert_eq!(parse_c_number("4294967296"), None);
        assert_eq!(parse_c_number("12abc"), None);
        assert_eq!(parse_signed("-1"), Some(u32::MAX));
        assert_eq!(parse_signed("-2147483649"), None);
    }

    #[test]
    fn ids_take_numbers_names_and_unset() {
        assert_eq!(value("auid", "unset"), Ok(FieldValue::Num(UNSET)));
        assert_eq!(value("auid", "-1"), Ok(FieldValue::Num(UNSET)));
        assert_eq!(value("auid", "4294967295"), Ok(FieldValue::Num(UNSET)));
        assert_eq!(value("uid", "alice"), Ok(FieldValue::Num(1000)));
        assert_eq!(value("gid", "wheel"), Ok(FieldValue::Num(10)));
    }

    /// auditctl 3.0.9 refuses saddr_fam from 46 up and fstype 0xffffffff
    /// (both exit 255; tests/kernel_ctl/refusals.rs compares with it).
    #[test]
    fn range_checks_are_auditctls() {
        assert_eq!(value("saddr_fam", "45"), Ok(FieldValue::Num(45)));
        assert_eq!(
            value("saddr_fam", "46").unwrap_err().to_string(),
            "value is too large for field: saddr_fam (address families are 0 to 45)"
        );
        assert!(value("saddr_fam", "0xffffffff").is_err());
        assert_eq!(
            value("fstype", "0xfffffffe"),
            Ok(FieldValue::Num(0xffff_fffe))
        );
        assert_eq!(
            value("fstype", "4294967295"),
            Err(RuleError::UnknownFsType("4294967295".into()))
        );
    }

    #[test]
    fn exit_takes_errno_names() {
        assert_eq!(value("exit", "-EPERM"), Ok(FieldValue::Num(-1i32 as u32)));
        assert_eq!(value("exit", "EACCES"), Ok(FieldValue::Num(13)));
        assert_eq!(value("exit", "-13"), Ok(FieldValue::Num(-13i32 as u32)));
    }

    #[test]
    fn perm_letters_become_bits() {
        assert_eq!(parse_perm("wa"), Ok(10));
        assert_eq!(parse_perm("RWXA"), Ok(15));
    }

    #[test]
    fn names_resolve_through_tables() {
        assert_eq!(value("filetype", "dir"), Ok(FieldValue::Num(0o040000)));
        assert_eq!(value("fstype", "debugfs"), Ok(FieldValue::Num(0x6462_6720)));
        assert_eq!(value("msgtype", "CWD"), Ok(FieldValue::Num(1307)));
        assert_eq!(value("msgtype", "1307"), Ok(FieldValue::Num(1307)));
    }

    #[test]
    fn trailing_slashes() {
        // Kept on a dir, as the kernel keeps and lists them; refused on a
        // path or exe, which the kernel refuses.
        assert_eq!(value("dir", "/etc/"), Ok(FieldValue::Str("/etc/".into())));
        assert!(matches!(
            value("path", "/etc/"),
            Err(RuleError::PathEndsInSlash { field: "path", .. })
        ));
        assert!(value("exe", "/").is_err());
        // -w trims them, as auditctl does.
        assert_eq!(trim_trailing_slashes("/tmp/x//"), "/tmp/x");
        assert_eq!(trim_trailing_slashes("/"), "/");
    }
}
