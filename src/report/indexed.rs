//! Summaries over a database from its indexes, without reading every event.
//!
//! Events stored under one shape (see [`crate::store::shape`]) have the
//! same record types and the same values in the fields the shape holds.
//! When every record type of the shape is one that aureport's scanner
//! reads only for such fields, each of its events gives a summary the
//! same values, so one of them (the first stored) is read and counted as
//! many times as the shape has events; the shape index gives the counts.
//! That is a syscall event (SYSCALL first, then the records the kernel
//! writes after it at syscall exit): its SYSCALL record is read for arch,
//! syscall, success, pid, auid, uid, tty, comm, exe, subj and key, all
//! shape columns. File names, socket addresses and object labels are not
//! in the shape: a report that reads them reads those records event by
//! event. Every other event (user messages, AVCs, configuration changes,
//! anomalies...) is read one by one, and only when its record types let
//! it count in the report at all.

use std::collections::HashMap;

use super::parse::Wants;
use super::scan::Types;
use super::Kind;
use crate::record::types;
use crate::store::query::ShapeCount;

const IPC: u32 = 1303;
const SOCKETCALL: u32 = 1304;
const SOCKADDR: u32 = 1306;
const EXECVE: u32 = 1309;
const MQ: (u32, u32) = (1312, 1315);
const FD_PAIR: u32 = 1317;
const OBJ_PID: u32 = 1318;
const BPRM_FCAPS: u32 = 1321;
const CAPSET: u32 = 1322;
const MMAP: u32 = 1323;

/// Whether aureport, reading a record of type `t` of a syscall event for
/// `wants`, reads nothing the event's shape does not hold.
fn held_by_shape(t: u32, wants: Wants) -> bool {
    match t {
        types::SYSCALL
        | types::PROCTITLE
        | SOCKETCALL
        | EXECVE
        | FD_PAIR
        | BPRM_FCAPS
        | CAPSET
        | MMAP => true,
        _ if (MQ.0..=MQ.1).contains(&t) => true,
        types::CWD => !wants.filename,
        types::PATH => !wants.filename && !wants.object,
        SOCKADDR => !wants.filename && !wants.hostname,
        IPC | OBJ_PID => !wants.object,
        _ => false,
    }
}

/// Whether every event of a shape with these record types gives aureport
/// the same values for `wants`.
pub fn shape_decides(record_types: &[u32], wants: Wants) -> bool {
    record_types.contains(&types::SYSCALL) && record_types.iter().all(|&t| held_by_shape(t, wants))
}

/// Which stored events a summary reads.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Events that stand for their whole shape, with its count.
    pub alike: HashMap<i64, u32>,
    /// Shapes whose events are read one by one.
    pub each: Vec<i64>,
    /// Shapes counted alike but for their file names, which the overall
    /// summary then reads event by event.
    pub names: Vec<i64>,
}

impl Plan {
    /// Sorts a database's shapes for a summary of `kind`. `alike`: whether
    /// shapes may be counted alike at all (not when the report prints
    /// names auditd recorded per event).
    pub fn new(kind: Kind, wants: Wants, shapes: &[ShapeCount], alike: bool) -> Plan {
        let mut plan = Plan::default();
        let without_names = Wants {
            filename: false,
            ..wants
        };
        for s in shapes.iter().filter(|s| Types(&s.types).may_count(kind)) {
            if alike && shape_decides(&s.types, wants) {
                plan.alike.insert(s.first, s.count as u32);
            } else if alike && kind == Kind::Summary && shape_decides(&s.types, without_names) {
                // Only the number of distinct names is printed: the first
                // event's names count once, the others' are read apart.
                plan.alike.insert(s.first, s.count as u32);
                if s.types.iter().any(|&t| t == types::PATH || t == SOCKADDR) {
                    plan.names.push(s.shape);
                }
            } else {
                plan.each.push(s.shape);
            }
        }
        plan
    }

    /// How many events the stored event at `id` stands for.
    pub fn hits(&self, id: i64) -> u32 {
        self.alike.get(&id).copied().unwrap_or(1)
    }

    pub fn firsts(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.alike.keys().copied().collect();
        ids.sort_unstable();
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN: &[u32] = &[1300, 1302, 1307, 1327];

    fn shape(id: i64, types: &[u32], count: u64) -> ShapeCount {
        ShapeCount {
            shape: id,
            count,
            first: id * 10,
            node: None,
            types: types.to_vec(),
        }
    }

    #[test]
    fn syscall_events_are_decided_unless_names_are_read() {
        let keys = Kind::Key.wants();
        assert!(shape_decides(OPEN, keys));
        assert!(!shape_decides(OPEN, Kind::File.wants()));
        assert!(!shape_decides(&[1302, 1327], keys), "no SYSCALL");
        assert!(!shape_decides(&[1300, 1305], keys), "CONFIG_CHANGE");
        assert!(!shape_decides(&[1300, 1306], Kind::Host.wants()));
        assert!(shape_decides(&[1300, 1306], keys));
    }

    #[test]
    fn a_plan_counts_alike_reads_the_rest_and_skips_what_cannot_count() {
        let shapes = [
            shape(1, OPEN, 500),
            shape(2, &[1112], 3),
            shape(3, &[1300, 1306, 1327], 7),
        ];
        // The summary counts host names, which a SOCKADDR holds: shape 3
        // is read event by event; shape 1 is counted alike but for its
        // file names.
        let plan = Plan::new(Kind::Summary, Kind::Summary.wants(), &shapes, true);
        assert_eq!(plan.firsts(), [10]);
        assert_eq!((plan.hits(10), plan.hits(30), plan.hits(20)), (500, 1, 1));
        assert_eq!(plan.each, [2, 3]);
        assert_eq!(plan.names, [1]);
        // Keys are all in the shape; a user message cannot hold one.
        let keys = Plan::new(Kind::Key, Kind::Key.wants(), &shapes, true);
        assert_eq!(keys.firsts(), [10, 30]);
        assert_eq!(
            (keys.hits(30), keys.each.len(), keys.names.len()),
            (7, 0, 0)
        );
        let logins = Plan::new(Kind::Login, Kind::Login.wants(), &shapes, true);
        assert_eq!((logins.firsts(), logins.each), (vec![], vec![2]));
        let enriched = Plan::new(Kind::Key, Kind::Key.wants(), &shapes, false);
        assert_eq!(enriched.each, [1, 3]);
    }
}
