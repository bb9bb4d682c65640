//! `struct audit_status` (linux/audit.h), the payload of AUDIT_GET replies and
//! AUDIT_SET requests. Native endian, eleven u32 words; older kernels send
//! fewer (no `backlog_wait_time`, `backlog_wait_time_actual`), so decoding
//! treats missing trailing words as zero.

use super::WireError;

/// Which fields an AUDIT_SET changes (`AUDIT_STATUS_*`).
pub mod mask {
    pub const ENABLED: u32 = 0x0001;
    pub const FAILURE: u32 = 0x0002;
    pub const PID: u32 = 0x0004;
    pub const RATE_LIMIT: u32 = 0x0008;
    pub const BACKLOG_LIMIT: u32 = 0x0010;
    pub const BACKLOG_WAIT_TIME: u32 = 0x0020;
    pub const LOST: u32 = 0x0040;
    pub const BACKLOG_WAIT_TIME_ACTUAL: u32 = 0x0080;
}

pub const STATUS_LEN: usize = 11 * 4;
/// The shortest reply a kernel with AUDIT_GET sends (up to `backlog`).
const MIN_LEN: usize = 8 * 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AuditStatus {
    pub mask: u32,
    pub enabled: u32,
    pub failure: u32,
    pub pid: u32,
    pub rate_limit: u32,
    pub backlog_limit: u32,
    pub lost: u32,
    pub backlog: u32,
    /// `version` in older headers, `feature_bitmap` since 3.19.
    pub feature_bitmap: u32,
    pub backlog_wait_time: u32,
    pub backlog_wait_time_actual: u32,
}

impl AuditStatus {
    fn words(&self) -> [u32; 11] {
        [
            self.mask,
            self.enabled,
            self.failure,
            self.pid,
            self.rate_limit,
            self.backlog_limit,
            self.lost,
            self.backlog,
            self.feature_bitmap,
            self.backlog_wait_time,
            self.backlog_wait_time_actual,
        ]
    }

    pub fn encode(&self) -> Vec<u8> {
        self.words().iter().flat_map(|w| w.to_ne_bytes()).collect()
    }

    pub fn decode(bytes: &[u8]) -> Result<AuditStatus, WireError> {
        if bytes.len() < MIN_LEN {
            return Err(WireError::Short {
                what: "audit_status",
                need: MIN_LEN,
                got: bytes.len(),
            });
        }
        let mut w = [0u32; 11];
        for (i, chunk) in bytes.chunks_exact(4).take(11).enumerate() {
            w[i] = u32::from_ne_bytes(chunk.try_into().expect("chunks of 4"));
        }
        Ok(AuditStatus {
            mask: w[0],
            enabled: w[1],
            failure: w[2],
            pid: w[3],
            rate_limit: w[4],
            backlog_limit: w[5],
            lost: w[6],
            backlog: w[7],
            feature_bitmap: w[8],
            backlog_wait_time: w[9],
            backlog_wait_time_actual: w[10],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An AUDIT_GET reply captured from this project's 6.18 test kernel
    /// (x86_64, little endian; `AuditSocket::query(msg::GET)`) with auditing
    /// disabled, no daemon, and one record lost earlier.
    const CAPTURED: [u8; 44] = [
        0x00, 0x00, 0x00, 0x00, // mask: 0 in replies
        0x00, 0x00, 0x00, 0x00, // enabled: 0
        0x01, 0x00, 0x00, 0x00, // failure: 1 (printk)
        0x00, 0x00, 0x00, 0x00, // pid: 0, no audit daemon
        0x00, 0x00, 0x00, 0x00, // rate_limit: 0
        0x40, 0x00, 0x00, 0x00, // backlog_limit: 64
        0x01, 0x00, 0x00, 0x00, // lost: 1
        0x00, 0x00, 0x00, 0x00, // backlog: 0
        0x7f, 0x00, 0x00, 0x00, // feature_bitmap: all seven features
        0x98, 0x3a, 0x00, 0x00, // backlog_wait_time: 15000 jiffies
        0x00, 0x00, 0x00, 0x00, // backlog_wait_time_actual: 0
    ];

    #[test]
    fn decodes_and_reencodes_captured_reply() {
        let s = AuditStatus::decode(&CAPTURED).unwrap();
        assert_eq!(s.enabled, 0);
        assert_eq!(s.lost, 1);
        assert_eq!(s.failure, 1);
        assert_eq!(s.backlog_limit, 64);
        assert_eq!(s.feature_bitmap, 0x7f);
        assert_eq!(s.backlog_wait_time, 15000);
        assert_eq!(s.encode(), CAPTURED.to_vec());
    }

    #[test]
    fn tolerates_replies_from_older_kernels() {
        let s = AuditStatus::decode(&CAPTURED[..36]).unwrap();
        assert_eq!(s.backlog_limit, 64);
        assert_eq!(s.backlog_wait_time, 0);
        assert_eq!(s.backlog_wait_time_actual, 0);
    }

    #[test]
    fn rejects_a_truncated_reply() {
        let err = AuditStatus::decode(&CAPTURED[..12]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "audit_status is 12 bytes, at least 32 are needed"
        );
    }

    #[test]
    fn encodes_a_set_request() {
        let s = AuditStatus {
            mask: mask::ENABLED | mask::PID,
            enabled: 1,
            pid: 4242,
            ..Default::default()
        };
        let b = s.encode();
        assert_eq!(b.len(), STATUS_LEN);
        assert_eq!(&b[0..4], &5u32.to_ne_bytes());
        assert_eq!(&b[12..16], &4242u32.to_ne_bytes());
    }
}
