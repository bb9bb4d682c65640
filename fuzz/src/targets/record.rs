//! `record`: the record parser, on both of its inputs (a netlink payload
//! and an auditd log line), and everything that reads a record's fields.
//!
//! The first byte picks the record type for `parse_payload` (the kernel
//! sets it apart from the text); the rest is the text.

use raudit::record::{
    decode_field, parse_log_line, parse_payload, types, visit_fields, MessageType, Record,
};

/// Types whose records the parser or its readers treat apart.
const TYPES: &[MessageType] = &[
    types::SYSCALL,
    types::PATH,
    types::EXECVE,
    types::EOE,
    types::PROCTITLE,
    types::USER,
    types::USER_AUTH,
    types::CONFIG_CHANGE,
    types::NETFILTER_PKT,
    types::AVC,
    MessageType(0),
    MessageType(9999),
];

pub fn run(data: &[u8]) {
    let Some((&pick, text)) = data.split_first() else {
        return;
    };
    let rtype = TYPES[usize::from(pick) % TYPES.len()];
    let payload = parse_payload(rtype, text);
    check(&payload);
    let line = String::from_utf8_lossy(text);
    for line in line.lines() {
        let record = parse_log_line(line);
        check(&record);
        // A parsed line printed again parses to the same record.
        // (A text that ends in CR before an enriched part keeps it, and a
        // line read again loses it as a line end: no round trip there.)
        if record.error().is_none() && !record.text.ends_with('\r') {
            let again = parse_log_line(&record.log_line());
            assert_eq!(
                (again.rtype, again.id, &again.node, &again.text),
                (record.rtype, record.id, &record.node, &record.text),
                "log line {line:?}"
            );
        }
    }
}

/// Reads every field every way: they agree with one another. (The text
/// of a record whose stamp did not parse has no fields, even where the
/// text alone would read as a stamped one.)
fn check(record: &Record) {
    let _ = record.error();
    let fields = record.fields();
    let mut visited = Vec::new();
    record.visit_fields(|name, value| visited.push((name, value)));
    if record.header_error().is_none() {
        let mut again = Vec::new();
        visit_fields(&record.text, |name, value| again.push((name, value)));
        assert_eq!(again, visited, "the text read alone");
    }
    assert_eq!(visited.len(), fields.len());
    for ((name, value), field) in visited.iter().zip(fields) {
        assert_eq!((*name, *value), (field.name.as_str(), field.value.as_str()));
        let _ = decode_field(record.rtype, name, value);
    }
    let _ = record.id.time_ms();
    let _ = record.id.to_string();
    for name in ["key", "pid", "arch", "name", "a0", "msg"] {
        let _ = record.text_of(name);
        let _ = record.number(name);
        let _ = record.hex(name);
    }
}
