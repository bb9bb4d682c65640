//! `struct audit_rule_data` (linux/audit.h): the payload of AUDIT_ADD_RULE and
//! AUDIT_DEL_RULE requests and of each AUDIT_LIST_RULES reply.
//!
//! Native endian, no padding, a fixed 1040-byte header then the strings:
//!
//! ```text
//!    offset  field            meaning
//!       0    flags      u32   filter list number, | AUDIT_FILTER_PREPEND (0x10) for -A
//!       4    action     u32   AUDIT_NEVER 0 / AUDIT_ALWAYS 2
//!       8    field_count u32  used slots in the three arrays below (<= 64)
//!      12    mask[64]   u32   syscall bitmap: bit n%32 of word n/32 is syscall n
//!     268    fields[64] u32   AUDIT_* field ids
//!     524    values[64] u32   the number, or for string fields the string's length
//!     780    fieldflags[64]   the operator (AUDIT_EQUAL, ...)
//!    1036    buflen     u32   total length of buf
//!    1040    buf[buflen]      string values back to back, no NUL, in field order
//! ```
//!
//! [`RuleBuffer`] is a checked view over received bytes; [`RuleData`] is the
//! owned value that encodes. Neither knows what a field means: that is
//! `crate::rules`' business.

use super::WireError;

pub const MAX_FIELDS: usize = 64;
pub const MASK_WORDS: usize = 64;
pub const HEADER_LEN: usize = 1040;

const FLAGS: usize = 0;
const ACTION: usize = 4;
const FIELD_COUNT: usize = 8;
const MASK: usize = 12;
const FIELDS: usize = MASK + 4 * MASK_WORDS;
const VALUES: usize = FIELDS + 4 * MAX_FIELDS;
const FIELDFLAGS: usize = VALUES + 4 * MAX_FIELDS;
const BUFLEN: usize = FIELDFLAGS + 4 * MAX_FIELDS;
const BUF: usize = BUFLEN + 4;
const _: () = assert!(BUF == HEADER_LEN);

const WHAT: &str = "audit_rule_data";

/// A read-only view over one `audit_rule_data` whose lengths were checked on
/// construction, so the accessors cannot read out of bounds.
#[derive(Debug, Clone, Copy)]
pub struct RuleBuffer<'a> {
    bytes: &'a [u8],
}

impl<'a> RuleBuffer<'a> {
    /// Checks the header is complete, `field_count` fits the arrays and
    /// `buflen` bytes follow the header. Bytes after the strings are ignored:
    /// netlink pads each message to 4 bytes.
    pub fn new_checked(bytes: &'a [u8]) -> Result<Self, WireError> {
        if bytes.len() < HEADER_LEN {
            return Err(WireError::Short {
                what: WHAT,
                need: HEADER_LEN,
                got: bytes.len(),
            });
        }
        let view = RuleBuffer { bytes };
        if view.field_count() as usize > MAX_FIELDS {
            let detail = format!("field_count {} exceeds {MAX_FIELDS}", view.field_count());
            return Err(WireError::Invalid { what: WHAT, detail });
        }
        let need = HEADER_LEN + view.buflen() as usize;
        if bytes.len() < need {
            return Err(WireError::Short {
                what: WHAT,
                need,
                got: bytes.len(),
            });
        }
        Ok(view)
    }

    fn word(&self, offset: usize) -> u32 {
        let b = &self.bytes[offset..offset + 4];
        u32::from_ne_bytes([b[0], b[1], b[2], b[3]])
    }

    pub fn flags(&self) -> u32 {
        self.word(FLAGS)
    }
    pub fn action(&self) -> u32 {
        self.word(ACTION)
    }
    pub fn field_count(&self) -> u32 {
        self.word(FIELD_COUNT)
    }
    pub fn buflen(&self) -> u32 {
        self.word(BUFLEN)
    }
    /// Word `i` (< 64) of the syscall bitmap.
    pub fn mask_word(&self, i: usize) -> u32 {
        self.word(MASK + 4 * i)
    }
    /// Slot `i` (< 64) of the field, value and operator arrays.
    pub fn slot(&self, i: usize) -> FieldSlot {
        FieldSlot {
            field: self.word(FIELDS + 4 * i),
            value: self.word(VALUES + 4 * i),
            op: self.word(FIELDFLAGS + 4 * i),
        }
    }
    pub fn buf(&self) -> &'a [u8] {
        &self.bytes[BUF..BUF + self.buflen() as usize]
    }
}

/// One used slot of the `fields`, `values` and `fieldflags` arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSlot {
    pub field: u32,
    pub value: u32,
    pub op: u32,
}

/// An owned `audit_rule_data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleData {
    pub flags: u32,
    pub action: u32,
    pub mask: [u32; MASK_WORDS],
    pub fields: Vec<FieldSlot>,
    /// String values back to back; each string field's `value` is its length.
    pub buf: Vec<u8>,
}

impl RuleData {
    pub fn decode(bytes: &[u8]) -> Result<RuleData, WireError> {
        let view = RuleBuffer::new_checked(bytes)?;
        let mut mask = [0u32; MASK_WORDS];
        for (i, word) in mask.iter_mut().enumerate() {
            *word = view.mask_word(i);
        }
        Ok(RuleData {
            flags: view.flags(),
            action: view.action(),
            mask,
            fields: (0..view.field_count() as usize)
                .map(|i| view.slot(i))
                .collect(),
            buf: view.buf().to_vec(),
        })
    }

    pub fn encode(&self) -> Result<Vec<u8>, WireError> {
        if self.fields.len() > MAX_FIELDS {
            let detail = format!("{} fields, at most {MAX_FIELDS} fit", self.fields.len());
            return Err(WireError::Invalid { what: WHAT, detail });
        }
        let buflen = u32::try_from(self.buf.len()).map_err(|_| WireError::Invalid {
            what: WHAT,
            detail: format!("string buffer of {} bytes", self.buf.len()),
        })?;
        let mut out = vec![0u8; HEADER_LEN];
        let mut put =
            |offset: usize, v: u32| out[offset..offset + 4].copy_from_slice(&v.to_ne_bytes());
        put(FLAGS, self.flags);
        put(ACTION, self.action);
        put(FIELD_COUNT, self.fields.len() as u32);
        for (i, w) in self.mask.iter().enumerate() {
            put(MASK + 4 * i, *w);
        }
        for (i, slot) in self.fields.iter().enumerate() {
            put(FIELDS + 4 * i, slot.field);
            put(VALUES + 4 * i, slot.value);
            put(FIELDFLAGS + 4 * i, slot.op);
        }
        put(BUFLEN, buflen);
        out.extend_from_slice(&self.buf);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds the bytes of a rule from (offset, word) pairs on a zeroed header,
    /// so each fixture line below names the one field it sets.
    fn fixture(words: &[(usize, u32)], buf: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; HEADER_LEN];
        for (offset, v) in words {
            out[*offset..offset + 4].copy_from_slice(&v.to_ne_bytes());
        }
        out.extend_from_slice(buf);
        out
    }

    /// `auditctl -w /tmp/x -p wa -k k1` (/tmp/x not a directory).
    fn watch_bytes() -> Vec<u8> {
        let mut words = vec![
            (0, 4),             // flags: AUDIT_FILTER_EXIT
            (4, 2),             // action: AUDIT_ALWAYS
            (8, 3),             // field_count
            (268, 105),         // fields[0]: AUDIT_WATCH
            (524, 6),           // values[0]: strlen("/tmp/x")
            (780, 0x4000_0000), // fieldflags[0]: AUDIT_EQUAL
            (272, 106),         // fields[1]: AUDIT_PERM
            (528, 2 | 8),       // values[1]: AUDIT_PERM_WRITE | AUDIT_PERM_ATTR
            (784, 0x4000_0000), // fieldflags[1]: AUDIT_EQUAL
            (276, 210),         // fields[2]: AUDIT_FILTERKEY
            (532, 2),           // values[2]: strlen("k1")
            (788, 0x4000_0000), // fieldflags[2]: AUDIT_EQUAL
            (1036, 8),          // buflen: 6 + 2
        ];
        // mask[0..64]: every syscall ("all")
        words.extend((0..64).map(|i| (12 + 4 * i, u32::MAX)));
        fixture(&words, b"/tmp/xk1") // buf: the two strings, no NULs
    }

    fn watch_value() -> RuleData {
        let eq = 0x4000_0000;
        RuleData {
            flags: 4,
            action: 2,
            mask: [u32::MAX; 64],
            fields: vec![
                FieldSlot {
                    field: 105,
                    value: 6,
                    op: eq,
                },
                FieldSlot {
                    field: 106,
                    value: 10,
                    op: eq,
                },
                FieldSlot {
                    field: 210,
                    value: 2,
                    op: eq,
                },
            ],
            buf: b"/tmp/xk1".to_vec(),
        }
    }

    #[test]
    fn decodes_watch_fixture() {
        assert_eq!(RuleData::decode(&watch_bytes()).unwrap(), watch_value());
    }

    #[test]
    fn encodes_watch_fixture() {
        assert_eq!(watch_value().encode().unwrap(), watch_bytes());
    }

    #[test]
    fn ignores_netlink_padding_after_strings() {
        let mut bytes = watch_bytes();
        bytes.extend_from_slice(&[0, 0]);
        assert_eq!(RuleData::decode(&bytes).unwrap(), watch_value());
    }

    #[test]
    fn rejects_short_header() {
        let err = RuleData::decode(&[0u8; 1039]).unwrap_err();
        assert_eq!(
            err,
            WireError::Short {
                what: WHAT,
                need: 1040,
                got: 1039
            }
        );
    }

    #[test]
    fn rejects_strings_past_the_end() {
        let mut bytes = watch_bytes();
        bytes.truncate(HEADER_LEN + 7);
        let err = RuleData::decode(&bytes).unwrap_err();
        assert_eq!(
            err,
            WireError::Short {
                what: WHAT,
                need: 1048,
                got: 1047
            }
        );
    }

    #[test]
    fn rejects_field_count_over_64() {
        let bytes = fixture(&[(8, 65)], b"");
        let err = RuleData::decode(&bytes).unwrap_err();
        assert!(
            err.to_string().contains("field_count 65 exceeds 64"),
            "{err}"
        );
    }

    #[test]
    fn refuses_to_encode_65_fields() {
        let mut rule = watch_value();
        rule.fields = vec![
            FieldSlot {
                field: 0,
                value: 0,
                op: 0x4000_0000
            };
            65
        ];
        assert!(rule.encode().is_err());
    }
}
