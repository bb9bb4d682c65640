//! Numbers read as C's strtoul/strtol read them, since ausearch's
//! interpretations depend on their quirks: leading digits only, 0 when
//! there are none, a minus sign that wraps, and an error only on overflow.

/// `strtoull(s, NULL, base)`: `None` where C sets ERANGE.
pub fn strtoul(s: &[u8], base: u32) -> Option<u64> {
    let (negative, digits) = sign_and_digits(s, base);
    let mut value: u64 = 0;
    for &b in digits {
        let d = u64::from(digit(b, base)?);
        value = value.checked_mul(u64::from(base))?.checked_add(d)?;
    }
    Some(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

/// `strtoll(s, NULL, base)`: `None` where C sets ERANGE.
pub fn strtol(s: &[u8], base: u32) -> Option<i64> {
    let (negative, digits) = sign_and_digits(s, base);
    let mut value: i64 = 0;
    for &b in digits {
        let d = i64::from(digit(b, base)?);
        value = value.checked_mul(i64::from(base))?;
        value = if negative {
            value.checked_sub(d)?
        } else {
            value.checked_add(d)?
        };
    }
    Some(value)
}

/// The sign and the run of valid digits after optional space, sign and,
/// in base 16, a `0x` prefix.
fn sign_and_digits(s: &[u8], base: u32) -> (bool, &[u8]) {
    let mut i = 0;
    while i < s.len() && (s[i] == b' ' || (9..=13).contains(&s[i])) {
        i += 1;
    }
    let mut negative = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        negative = s[i] == b'-';
        i += 1;
    }
    if base == 16
        && s.len() > i + 2
        && s[i] == b'0'
        && (s[i + 1] | 0x20) == b'x'
        && s[i + 2].is_ascii_hexdigit()
    {
        i += 2;
    }
    let start = i;
    while i < s.len() && digit(s[i], base).is_some() {
        i += 1;
    }
    (negative, &s[start..i])
}

fn digit(b: u8, base: u32) -> Option<u32> {
    (b as char).to_digit(36).filter(|d| *d < base)
}

/// strtoul truncated to a C `int`, as most of auparse stores it.
pub fn c_int(s: &[u8], base: u32) -> Option<i32> {
    strtoul(s, base).map(|v| v as i32)
}

/// strtoul truncated to a C `unsigned int`.
pub fn c_uint(s: &[u8], base: u32) -> Option<u32> {
    strtoul(s, base).map(|v| v as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_c() {
        assert_eq!(strtoul(b"4294967295", 10), Some(4294967295));
        assert_eq!(c_int(b"4294967295", 10), Some(-1));
        assert_eq!(strtoul(b"-1", 10), Some(u64::MAX));
        assert_eq!(strtoul(b"12abc", 10), Some(12));
        assert_eq!(strtoul(b"", 10), Some(0));
        assert_eq!(strtoul(b"0x1f", 16), Some(31));
        assert_eq!(strtoul(b"c000003e", 16), Some(0xc000003e));
        assert_eq!(strtoul(b"99999999999999999999", 10), None);
        assert_eq!(strtol(b"-115", 10), Some(-115));
        assert_eq!(strtol(b"9223372036854775808", 10), None);
    }
}
