use super::*;
use crate::record::{parse_log_line, parse_payload, MessageType};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/corpus");

fn corpus(name: &str) -> Vec<Record> {
    std::fs::read_to_string(format!("{CORPUS}/{name}"))
        .unwrap()
        .lines()
        .map(parse_log_line)
        .collect()
}

fn rec(rtype: MessageType, serial: u64) -> Record {
    parse_payload(
        rtype,
        format!("audit(1700000000.001:{serial}): x=1").as_bytes(),
    )
}

/// Feeds every record, then lets every timeout and grace period pass.
fn run(records: Vec<Record>) -> (Vec<Event>, Vec<Gap>) {
    let mut a = Assembler::new(Duration::from_millis(100));
    let t0 = Instant::now();
    let mut events: Vec<Event> = records.into_iter().filter_map(|r| a.push(r, t0)).collect();
    let later = t0 + Duration::from_secs(10);
    events.extend(a.expire(later));
    let gaps = a.gaps(later);
    (events, gaps)
}

#[test]
fn eoe_completes_an_event_without_itself() {
    let mut a = Assembler::new(Duration::from_secs(1));
    let now = Instant::now();
    assert_eq!(a.push(rec(types::SYSCALL, 5), now), None);
    assert_eq!(a.push(rec(types::PATH, 5), now), None);
    let e = a
        .push(rec(types::EOE, 5), now)
        .expect("EOE closes the event");
    let kinds: Vec<MessageType> = e.records.iter().map(|r| r.rtype).collect();
    assert_eq!(kinds, vec![types::SYSCALL, types::PATH]);
    assert_eq!(a.open_count(), 0);
}

#[test]
fn user_messages_are_events_by_themselves() {
    let mut a = Assembler::new(Duration::from_secs(1));
    let e = a
        .push(rec(types::USER_LOGIN, 9), Instant::now())
        .expect("complete at once");
    assert_eq!(e.records.len(), 1);
}

#[test]
fn interleaved_events_stay_apart() {
    let (events, gaps) = run(vec![
        rec(types::SYSCALL, 1),
        rec(types::SYSCALL, 2),
        rec(types::PATH, 1),
        rec(types::EOE, 2),
        rec(types::EOE, 1),
    ]);
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].id.serial, 2);
    assert_eq!(events[1].records.len(), 2);
    assert!(gaps.is_empty());
}

#[test]
fn an_event_without_eoe_closes_after_the_timeout() {
    let mut a = Assembler::new(Duration::from_millis(50));
    let t0 = Instant::now();
    a.push(rec(types::SYSCALL, 3), t0);
    assert!(a.expire(t0 + Duration::from_millis(10)).is_empty());
    let done = a.expire(t0 + Duration::from_millis(60));
    assert_eq!(done.len(), 1);
}

#[test]
fn malformed_records_are_kept_alone() {
    let mut a = Assembler::new(Duration::from_secs(1));
    let bad = parse_payload(types::SYSCALL, b"garbage without a header");
    let e = a.push(bad, Instant::now()).expect("kept");
    assert!(e.records[0].error().is_some());
}

#[test]
fn corpus_in_order_has_no_gaps() {
    let (events, gaps) = run(corpus("netlink-normal.log"));
    let serials: Vec<u64> = events.iter().map(|e| e.id.serial).collect();
    assert_eq!(serials, vec![58, 59, 60, 61, 62]);
    assert!(gaps.is_empty());
}

#[test]
fn corpus_out_of_order_reassembles_without_gaps() {
    let (events, gaps) = run(corpus("netlink-out_of_order.log"));
    assert_eq!(events.len(), 5);
    assert!(gaps.is_empty(), "{gaps:?}");
}

#[test]
fn corpus_lost_messages_are_reported_as_a_gap() {
    let (_, gaps) = run(corpus("netlink-lost_messages.log"));
    assert_eq!(
        gaps,
        vec![Gap {
            first: 50,
            last: 58,
            restart: false,
        }]
    );
    assert_eq!(gaps[0].count(), 9);
}

#[test]
fn the_gap_after_the_last_stored_serial_is_a_restart_gap() {
    let mut t = SerialTracker::new(Duration::from_millis(1));
    let now = Instant::now();
    t.resume_after(100);
    for s in [130, 131, 140] {
        t.see(s, now);
    }
    let gaps = t.expired(now + Duration::from_secs(1));
    assert_eq!(
        gaps,
        vec![
            Gap {
                first: 101,
                last: 129,
                restart: true,
            },
            Gap {
                first: 132,
                last: 139,
                restart: false,
            }
        ]
    );
}

#[test]
fn corpus_serial_rollover_is_not_a_gap() {
    let (events, gaps) = run(corpus("netlink-rollover.log"));
    assert_eq!(events.len(), 5);
    assert!(gaps.is_empty(), "{gaps:?}");
}

#[test]
fn a_late_serial_inside_a_gap_splits_it() {
    let mut t = SerialTracker::new(Duration::from_millis(1));
    let now = Instant::now();
    for s in [10, 15, 12] {
        t.see(s, now);
    }
    let gaps = t.expired(now + Duration::from_secs(1));
    assert_eq!(
        gaps,
        vec![
            Gap {
                first: 11,
                last: 11,
                restart: false,
            },
            Gap {
                first: 13,
                last: 14,
                restart: false,
            }
        ]
    );
}

#[test]
fn proctitle_closes_an_event_and_the_late_eoe_is_ignored() {
    let mut a = Assembler::new(Duration::from_secs(1));
    let now = Instant::now();
    assert_eq!(a.push(rec(types::SYSCALL, 7), now), None);
    let e = a.push(rec(types::PROCTITLE, 7), now).expect("closed");
    assert_eq!(e.records.len(), 2);
    assert_eq!(a.push(rec(types::EOE, 7), now), None);
    assert_eq!(a.open_count(), 0);
}
