//! Display against auditctl 3.0.9 itself: listing.golden holds raw rule
//! records and the line auditctl printed for the same bytes (regenerate with
//! oracle/regen-listing.sh). Covers what rule text cannot produce: unknown
//! fields, arches and comparison ids, odd watches, every operator.

use crate::rules::Rule;
use crate::wire::rule::{FieldSlot, RuleData};

fn number(text: &str) -> u32 {
    match text.strip_prefix("0x") {
        Some(hex) => u32::from_str_radix(hex, 16).unwrap(),
        None => text.parse::<i64>().unwrap() as u32,
    }
}

/// "flags action mask field:value:op ... |strings"
fn decode_spec(spec: &str) -> RuleData {
    let (head, strings) = spec.split_once('|').unwrap_or((spec, ""));
    let words: Vec<&str> = head.split_whitespace().collect();
    let mut mask = [0u32; 64];
    match words[2] {
        "all" => mask = [u32::MAX; 64],
        "none" => {}
        list => list
            .split(',')
            .map(number)
            .for_each(|nr| mask[(nr / 32) as usize] |= 1 << (nr % 32)),
    }
    let fields = words[3..]
        .iter()
        .map(|slot| {
            let v: Vec<u32> = slot.split(':').map(number).collect();
            FieldSlot {
                field: v[0],
                value: v[1],
                op: v[2],
            }
        })
        .collect();
    let buf = strings.replace("\\1", "\x01").into_bytes();
    RuleData {
        flags: number(words[0]),
        action: number(words[1]),
        mask,
        fields,
        buf,
    }
}

#[test]
fn display_matches_auditctl_on_raw_records() {
    let mut checked = 0;
    for line in include_str!("listing.golden")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (spec, expected) = line
            .split_once('\t')
            .unwrap_or_else(|| panic!("no tab in {line:?}"));
        let bytes = decode_spec(spec).encode().unwrap();
        let rule = Rule::from_wire(&bytes).unwrap_or_else(|e| panic!("{spec}: {e}"));
        assert_eq!(rule.to_string(), expected, "spec: {spec}");
        checked += 1;
    }
    assert!(checked >= 20);
}
