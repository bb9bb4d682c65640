//! Record types, as the record and event stages see them: the one table
//! lives in [`crate::wire::message_type`]; this adds what a type means for
//! assembling events.

pub use crate::wire::message_type::*;

/// Types that are whole events by themselves when they open one, as
/// auparse and ausearch count them: records below 1300 (user-space
/// messages, LOGIN, daemon records), NetLabel's configuration records,
/// KERNEL, and user-space anomaly and later messages (2100 and up). The
/// kernel's own anomalies (1700-1799: ANOM_LINK, ANOM_PROMISCUOUS, ...)
/// are raised inside a syscall with its stamp and belong to its event.
/// Others wait for EOE; one that never gets it is closed by the
/// assembler's timeout.
pub fn is_single_record(t: MessageType) -> bool {
    t < SYSCALL
        || (MAC_UNLBL_ALLOW..=MAC_CALIPSO_DEL).contains(&t)
        || t == KERNEL
        || t >= FIRST_USER_MSG2
}

/// Types that close the event they belong to: EOE, and PROCTITLE, which
/// the kernel writes last (auditd's logs hold no EOE, so ausearch ends an
/// event there; the daemon then ignores the EOE that follows).
pub fn ends_event(t: MessageType) -> bool {
    matches!(t, EOE | PROCTITLE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_record_types() {
        assert!(is_single_record(USER));
        assert!(is_single_record(USER_LOGIN));
        assert!(!is_single_record(AVC)); // raised inside a syscall
        assert!(!is_single_record(ANOM_LINK)); // inside a syscall too
        assert!(is_single_record(MAC_UNLBL_STCADD));
        assert!(is_single_record(KERNEL));
        assert!(is_single_record(ANOM_LOGIN_TIME));
        assert!(!is_single_record(SYSCALL));
        assert!(!is_single_record(PATH));
    }
}
