//! Rule <-> `struct audit_rule_data` (the layout itself is `crate::wire::rule`).

use crate::wire::rule::{FieldSlot, RuleData, MAX_FIELDS};

use super::fields;
use super::model::{Action, FieldValue, FilterList, Operator, Rule, RuleField, SyscallMask};
use super::RuleError;

/// AUDIT_FILTER_PREPEND: insert at the head of the list (-A).
const FILTER_PREPEND: u32 = 0x10;
/// The list number's bits in the flags word (AUDIT_NR_FILTERS is 8).
const FILTER_MASK: u32 = 0x07;
/// Operator bits (AUDIT_OPERATORS) plus AUDIT_NEGATE: old kernels put them
/// in the field word itself, so they are masked off the field id.
const FIELD_OP_BITS: u32 = 0xf800_0000;
const OPERATOR_BITS: u32 = 0x7800_0000;

impl Rule {
    /// `struct audit_rule_data` bytes (native endian) for AUDIT_ADD_RULE /
    /// AUDIT_DEL_RULE.
    pub fn to_wire(&self) -> Result<Vec<u8>, RuleError> {
        Ok(self.to_rule_data()?.encode()?)
    }

    /// Decodes one AUDIT_LIST_RULES payload.
    pub fn from_wire(bytes: &[u8]) -> Result<Rule, RuleError> {
        Rule::from_rule_data(&RuleData::decode(bytes)?)
    }

    pub fn to_rule_data(&self) -> Result<RuleData, RuleError> {
        if self.fields.len() > MAX_FIELDS {
            return Err(RuleError::TooManyFields);
        }
        let mut buf = Vec::new();
        let slots = self
            .fields
            .iter()
            .map(|f| encode_field(f, &mut buf))
            .collect();
        let prepend = if self.prepend { FILTER_PREPEND } else { 0 };
        Ok(RuleData {
            flags: self.list.number() | prepend,
            action: self.action.number(),
            mask: self.syscalls.0,
            fields: slots,
            buf,
        })
    }

    pub fn from_rule_data(data: &RuleData) -> Result<Rule, RuleError> {
        let list_number = data.flags & FILTER_MASK;
        let list = FilterList::from_number(list_number).ok_or(RuleError::UnknownNumber {
            what: "filter list",
            value: list_number,
        })?;
        let action = Action::from_number(data.action).ok_or(RuleError::UnknownNumber {
            what: "action",
            value: data.action,
        })?;
        let mut strings = StringCursor {
            buf: &data.buf,
            offset: 0,
        };
        let fields = data
            .fields
            .iter()
            .map(|slot| decode_field(slot, &mut strings))
            .collect::<Result<_, _>>()?;
        Ok(Rule {
            list,
            action,
            prepend: data.flags & FILTER_PREPEND != 0,
            syscalls: SyscallMask(data.mask),
            fields,
        })
    }
}

/// A field's slot; a string value goes into `buf` and its length into the slot.
fn encode_field(field: &RuleField, buf: &mut Vec<u8>) -> FieldSlot {
    let value = match &field.value {
        FieldValue::Num(n) => *n,
        FieldValue::Str(s) => {
            buf.extend_from_slice(s.as_bytes());
            s.len() as u32
        }
    };
    FieldSlot {
        field: field.field,
        value,
        op: field.op.bits(),
    }
}

fn decode_field(slot: &FieldSlot, strings: &mut StringCursor) -> Result<RuleField, RuleError> {
    let field = slot.field & !FIELD_OP_BITS;
    let op_bits = slot.op & OPERATOR_BITS;
    let op = Operator::from_bits(op_bits).ok_or(RuleError::UnknownNumber {
        what: "operator",
        value: slot.op,
    })?;
    let is_string = fields::by_id(field).is_some_and(|d| d.kind.is_string());
    let value = if is_string {
        FieldValue::Str(strings.take(slot.value as usize)?)
    } else {
        FieldValue::Num(slot.value)
    };
    Ok(RuleField { field, op, value })
}

/// Walks the string buffer: string fields take their bytes in field order.
struct StringCursor<'a> {
    buf: &'a [u8],
    offset: usize,
}

impl StringCursor<'_> {
    fn take(&mut self, len: usize) -> Result<String, RuleError> {
        let end = self
            .offset
            .checked_add(len)
            .filter(|end| *end <= self.buf.len());
        let end = end.ok_or(RuleError::ShortStrings {
            need: self.offset + len,
            have: self.buf.len(),
        })?;
        let bytes = &self.buf[self.offset..end];
        self.offset = end;
        // Paths are bytes to the kernel; a non-UTF-8 one can only have been
        // loaded by another tool, and printing it lossily is what -l can do.
        Ok(String::from_utf8_lossy(bytes).into_owned())
    }
}
