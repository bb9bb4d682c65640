//! Splitting netlink datagrams into messages (pure, no socket).
//!
//! The audit quirk: records the kernel unicasts to the audit daemon carry an
//! `nlmsg_len` that counts only the payload, not the 16-byte header
//! (kernel/audit.c `audit_log_end`: `nlh->nlmsg_len = skb->len - NLMSG_HDRLEN`;
//! `kauditd_send_multicast_skb` adds the header back for multicast). Such a
//! record is always alone in its datagram, so a length that is exactly the
//! datagram minus the header is read as payload-only.

pub const HEADER_LEN: usize = 16;
pub const NLMSG_NOOP: u16 = 1;
pub const NLMSG_ERROR: u16 = 2;
pub const NLMSG_DONE: u16 = 3;

pub const NLM_F_REQUEST: u16 = 0x1;
pub const NLM_F_MULTI: u16 = 0x2;
pub const NLM_F_ACK: u16 = 0x4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    pub msg_type: u16,
    pub flags: u16,
    pub seq: u32,
    pub port: u32,
    pub payload: &'a [u8],
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FrameError {
    #[error("netlink datagram of {0} bytes is shorter than a message header")]
    ShortHeader(usize),
    #[error("netlink message claims {claimed} bytes but only {left} remain")]
    Overrun { claimed: usize, left: usize },
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_ne_bytes(b[at..at + 2].try_into().expect("2 bytes"))
}

const fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// Every message in one datagram.
pub fn split(datagram: &[u8]) -> Result<Vec<Message<'_>>, FrameError> {
    let mut out = Vec::new();
    let mut rest = datagram;
    while !rest.is_empty() {
        if rest.len() < HEADER_LEN {
            return Err(FrameError::ShortHeader(rest.len()));
        }
        let claimed = u32_at(rest, 0) as usize;
        let total = if claimed + HEADER_LEN == rest.len() || claimed < HEADER_LEN {
            claimed + HEADER_LEN // payload-only length (see module docs)
        } else {
            claimed
        };
        if total > rest.len() {
            return Err(FrameError::Overrun {
                claimed,
                left: rest.len(),
            });
        }
        out.push(Message {
            msg_type: u16_at(rest, 4),
            flags: u16_at(rest, 6),
            seq: u32_at(rest, 8),
            port: u32_at(rest, 12),
            payload: &rest[HEADER_LEN..total],
        });
        rest = &rest[align4(total).min(rest.len())..];
    }
    Ok(out)
}

/// One request message: header plus payload, padded to 4 bytes.
pub fn encode(msg_type: u16, flags: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
    let len = HEADER_LEN + payload.len();
    let mut b = Vec::with_capacity(align4(len));
    b.extend_from_slice(&(len as u32).to_ne_bytes());
    b.extend_from_slice(&msg_type.to_ne_bytes());
    b.extend_from_slice(&flags.to_ne_bytes());
    b.extend_from_slice(&seq.to_ne_bytes());
    b.extend_from_slice(&0u32.to_ne_bytes()); // port: the kernel fills it in
    b.extend_from_slice(payload);
    b.resize(align4(len), 0);
    b
}

/// The errno of an NLMSG_ERROR payload (0 is an ACK), negated to positive.
pub fn error_code(payload: &[u8]) -> Option<i32> {
    let bytes: [u8; 4] = payload.get(..4)?.try_into().ok()?;
    Some(-i32::from_ne_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(len: u32, ty: u16, flags: u16, seq: u32, port: u32) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&len.to_ne_bytes());
        b.extend_from_slice(&ty.to_ne_bytes());
        b.extend_from_slice(&flags.to_ne_bytes());
        b.extend_from_slice(&seq.to_ne_bytes());
        b.extend_from_slice(&port.to_ne_bytes());
        b
    }

    #[test]
    fn reads_a_unicast_record_whose_length_omits_the_header() {
        let text = b"audit(1.002:3): op=x";
        let mut d = header(text.len() as u32, 1305, 0, 0, 0);
        d.extend_from_slice(text);
        let m = split(&d).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].msg_type, 1305);
        assert_eq!(m[0].payload, text);
    }

    #[test]
    fn reads_several_messages_in_one_datagram() {
        let mut d = header(16 + 5, 1013, NLM_F_MULTI, 7, 0);
        d.extend_from_slice(b"abcde\0\0\0"); // payload + padding to 4
        d.extend_from_slice(&header(16, NLMSG_DONE, NLM_F_MULTI, 7, 0));
        let m = split(&d).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].payload, b"abcde");
        assert_eq!(m[1].msg_type, NLMSG_DONE);
        assert_eq!(m[1].seq, 7);
    }

    #[test]
    fn reads_a_correct_length_multicast_record() {
        let text = b"audit(1.002:3): x=y";
        let mut d = header(16 + text.len() as u32, 1300, 0, 0, 0);
        d.extend_from_slice(text);
        assert_eq!(split(&d).unwrap()[0].payload, text);
    }

    #[test]
    fn rejects_truncated_input() {
        assert_eq!(split(&[1, 2, 3]), Err(FrameError::ShortHeader(3)));
        let mut d = header(100, 1300, 0, 0, 0);
        d.extend_from_slice(&[0; 20]);
        assert!(matches!(split(&d), Err(FrameError::Overrun { .. })));
    }

    #[test]
    fn encodes_a_request_and_reads_it_back() {
        let b = encode(1000, NLM_F_REQUEST | NLM_F_ACK, 9, b"xyz");
        assert_eq!(b.len(), 20);
        assert_eq!(&b[..4], &19u32.to_ne_bytes());
        let m = split(&b).unwrap();
        assert_eq!(m[0].msg_type, 1000);
        assert_eq!(m[0].flags, NLM_F_REQUEST | NLM_F_ACK);
        assert_eq!(m[0].seq, 9);
        assert_eq!(m[0].payload, b"xyz");
    }

    #[test]
    fn error_payload_gives_positive_errno() {
        assert_eq!(error_code(&(-1i32).to_ne_bytes()), Some(1));
        assert_eq!(error_code(&0i32.to_ne_bytes()), Some(0));
        assert_eq!(error_code(&[1]), None);
    }
}
