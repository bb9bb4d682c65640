//! `netlink_frame`: one datagram as the audit socket reads it, split into
//! messages and each decoded the way the daemon and `raudit ctl` decode
//! it: records parsed, `audit_status` and `audit_rule_data` replies read,
//! NLMSG_ERROR's errno taken.

use raudit::netlink::frame;
use raudit::output::interpret;
use raudit::record::parse_payload;
use raudit::record::MessageType;
use raudit::rules::ReadArg;
use raudit::rules::Rule;
use raudit::wire::message_type as msg;
use raudit::wire::status::AuditStatus;

pub fn run(data: &[u8]) {
    let Ok(messages) = frame::split(data) else {
        return;
    };
    let mut bytes = 0;
    for m in &messages {
        bytes += frame::HEADER_LEN + m.payload.len();
        round_trip(m);
        decode(m);
    }
    assert!(
        bytes <= data.len(),
        "messages overlap: {bytes} of {}",
        data.len()
    );
}

/// A message encoded again reads back as itself.
fn round_trip(m: &frame::Message<'_>) {
    let encoded = frame::encode(m.msg_type, m.flags, m.seq, m.payload);
    let back = frame::split(&encoded).expect("an encoded message splits");
    assert_eq!(back.len(), 1);
    assert_eq!(
        (
            back[0].msg_type,
            back[0].flags,
            back[0].seq,
            back[0].payload
        ),
        (m.msg_type, m.flags, m.seq, m.payload)
    );
}

fn decode(m: &frame::Message<'_>) {
    match m.msg_type {
        frame::NLMSG_ERROR => {
            let _ = frame::error_code(m.payload);
        }
        t if t == msg::GET.netlink() => {
            if let Ok(status) = AuditStatus::decode(m.payload) {
                let again = AuditStatus::decode(&status.encode()).expect("encoded status");
                assert_eq!(again, status);
            }
        }
        t if t == msg::LIST_RULES.netlink() => rule_reply(m.payload),
        t => {
            let record = parse_payload(MessageType(t.into()), m.payload);
            let _ = record.fields();
            let _ = record.error();
            let _ = record.log_line();
        }
    }
}

/// A rule the kernel lists: decoded, printed as `auditctl -l` does, and
/// encoded again to the same rule.
fn rule_reply(payload: &[u8]) {
    let Ok(rule) = Rule::from_wire(payload) else {
        return;
    };
    let _ = rule.to_string();
    let read: ReadArg<'_> =
        &|a| interpret::rule_syscall_arg(a.index, a.value, a.machine, a.syscall, (a.a0, a.a1));
    let _ = rule.listing(Some(read)).to_string();
    if let Ok(bytes) = rule.to_wire() {
        let again = Rule::from_wire(&bytes).expect("an encoded rule decodes");
        assert_eq!(again, rule, "the wire changed the rule");
    }
}
