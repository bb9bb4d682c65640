//! `-C left=right` inter-field comparisons: an AUDIT_FIELD_COMPARE field
//! whose value is one of the AUDIT_COMPARE_* ids (`compare.txt`).

use std::sync::OnceLock;

use super::fields::FIELD_COMPARE;
use super::model::{FieldValue, Operator, RuleField};
use super::RuleError;
use crate::tables::{data_lines, parse_number};

/// (left, right, id), as linux/audit.h names them: AUDIT_COMPARE_UID_TO_OBJ_UID
/// is ("uid", "obj_uid", 1).
fn table() -> &'static [(&'static str, &'static str, u32)] {
    static TABLE: OnceLock<Vec<(&'static str, &'static str, u32)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        data_lines(include_str!("compare.txt"))
            .map(|w| match w[..] {
                [left, right, id] => (left, right, parse_number(id).expect("compare.txt: id")),
                _ => panic!("compare.txt line {w:?} is not 'left right id'"),
            })
            .collect()
    })
}

pub fn by_id(id: u32) -> Option<(&'static str, &'static str)> {
    table().iter().find(|c| c.2 == id).map(|c| (c.0, c.1))
}

/// The comparison of two field names, in either order.
fn find(a: &str, b: &str) -> Option<u32> {
    table()
        .iter()
        .find(|c| (c.0, c.1) == (a, b) || (c.0, c.1) == (b, a))
        .map(|c| c.2)
}

/// auditctl's field names for the ids the table spells differently.
fn canonical(name: &str) -> &str {
    match name {
        "loginuid" => "auid",
        other => other,
    }
}

/// Parses `left=right` or `left!=right`.
pub fn parse(expr: &str) -> Result<RuleField, RuleError> {
    let bad = || RuleError::BadComparison(expr.to_string());
    let (left, op, right) = if let Some((l, r)) = expr.split_once("!=") {
        (l, Operator::NotEqual, r)
    } else if let Some((l, r)) = expr.split_once('=') {
        (l, Operator::Equal, r)
    } else {
        return Err(bad());
    };
    if left.is_empty() || right.is_empty() || right.contains(['=', '<', '>', '&']) {
        return Err(bad());
    }
    let id = find(canonical(left), canonical(right)).ok_or_else(|| {
        RuleError::IncompatibleComparison {
            left: left.to_string(),
            right: right.to_string(),
        }
    })?;
    Ok(RuleField {
        field: FIELD_COMPARE,
        op,
        value: FieldValue::Num(id),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_follows_audit_h() {
        assert_eq!(by_id(1), Some(("uid", "obj_uid")));
        assert_eq!(by_id(5), Some(("auid", "obj_uid")));
        assert_eq!(by_id(25), Some(("sgid", "fsgid")));
        assert_eq!(table().len(), 25);
    }

    #[test]
    fn either_order_finds_the_comparison() {
        assert_eq!(parse("auid!=obj_uid").unwrap().value, FieldValue::Num(5));
        assert_eq!(parse("obj_uid=auid").unwrap().value, FieldValue::Num(5));
        assert_eq!(parse("loginuid=uid").unwrap().value, FieldValue::Num(10));
    }

    #[test]
    fn mixing_uid_and_gid_is_refused() {
        let err = parse("uid=gid").unwrap_err();
        assert_eq!(
            err.to_string(),
            "-C uid and gid cannot be compared (compare uid fields with uid fields, gid with gid)"
        );
        assert_eq!(
            parse("uid<auid").unwrap_err().to_string(),
            "-C uid<auid: use FIELD=FIELD or FIELD!=FIELD"
        );
    }
}
