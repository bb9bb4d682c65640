//! Summaries over a database from its indexes, without reading every event.
//!
//! Events stored under one shape (see [`crate::store::shape`]) have the
//! same record types and the same values in the fields the shape holds.
//! When every record type of an event is one that aureport's scanner reads
//! only for such fields, what a summary counts of it depends on those
//! values alone: on the few of them the report reads (its keys for `-k`,
//! its exe for `-x`, ...). So shapes are grouped by the types, node and the
//! values the report reads; one event of each group (the first stored) is
//! read and counted as many times as the group has events, the shape index
//! giving the counts. That is a syscall event (SYSCALL, then the records
//! the kernel writes after it at syscall exit: its SYSCALL record holds
//! arch, syscall, success, pid, auid, uid, tty, ses, comm, exe, subj and
//! key, all shape columns) or a user message (pid, uid, auid, ses, subj,
//! exe, hostname, addr, terminal, res and cwd), except where a report reads
//! the account name of a user message, which the shape does not hold. File
//! names, socket addresses and object labels are not in the shape either:
//! a report that reads them reads those records event by event, but for
//! the overall summary, which only counts distinct file names, taken from
//! the name index. Every other event (AVCs, configuration changes,
//! anomalies...) is read one by one, and only when its record types let it
//! count in the report at all.

use std::collections::HashMap;

use super::parse::Wants;
use super::scan::Types;
use super::Kind;
use crate::record::types::{
    self, BPRM_FCAPS, CAPSET, EXECVE, FD_PAIR, IPC, MMAP, OBJ_PID, SOCKADDR, SOCKETCALL, USER_AVC,
};
use crate::record::types::{FIRST_USER_MSG, LAST_USER_MSG, MQ_GETSETATTR, MQ_OPEN};
use crate::record::MessageType;
use crate::store::query::ShapeCount;
const MQ: (MessageType, MessageType) = (MQ_OPEN, MQ_GETSETATTR);

/// Whether aureport, reading a record of type `t` for a `kind` report that
/// reads `wants`, reads nothing its event's shape does not hold.
fn held_by_shape(t: u32, kind: Kind, wants: Wants) -> bool {
    let t = MessageType(t);
    match t {
        types::SYSCALL
        | types::PROCTITLE
        | SOCKETCALL
        | EXECVE
        | FD_PAIR
        | BPRM_FCAPS
        | CAPSET
        | MMAP
        | types::CWD => true,
        _ if (MQ.0..=MQ.1).contains(&t) => true,
        types::PATH => !wants.filename && !wants.object,
        SOCKADDR => !wants.filename && !wants.hostname,
        IPC | OBJ_PID => !wants.object,
        // User messages, but for the account name the login and
        // authentication reports print.
        _ if is_user_message(t) => !matches!(kind, Kind::Auth | Kind::Login) && !wants.object,
        _ => false,
    }
}

/// The user-space messages aureport reads with one parser (`parse_user`)
/// for fields the shape holds; USER_AVC has its own.
fn is_user_message(t: MessageType) -> bool {
    t == types::USER || (FIRST_USER_MSG..=LAST_USER_MSG).contains(&t) && t != USER_AVC
}

/// Whether every event of a shape with these record types gives aureport
/// the same values for `wants`, given the shape's values.
pub fn shape_decides(record_types: &[u32], kind: Kind, wants: Wants) -> bool {
    let first = record_types.contains(&types::SYSCALL.0)
        || record_types.len() == 1 && is_user_message(MessageType(record_types[0]));
    first && record_types.iter().all(|&t| held_by_shape(t, kind, wants))
}

/// The shape columns a `kind` report reading `wants` takes from an event
/// the shape decides: the values it counts, and the fields it only needs
/// present (aureport skips an event without them). Events of shapes alike
/// in these are counted alike.
pub fn columns(kind: Kind, wants: Wants) -> (Vec<&'static str>, Vec<&'static str>) {
    let values: &[&str] = match kind {
        Kind::Summary => &[
            "syscall", "pid", "auid", "tty", "terminal", "hostname", "addr", "exe", "comm",
            "keyset",
        ],
        Kind::Key => &["keyset"],
        Kind::Exe => &["exe"],
        Kind::Comm => &["comm"],
        Kind::Term => &["tty", "terminal"],
        Kind::User => &["auid"],
        Kind::Pid => &["pid"],
        Kind::Syscall => &["syscall", "arch"],
        Kind::Host => &["hostname", "addr"],
        _ => &[],
    };
    let mut values = values.to_vec();
    // --failed and --success select by it.
    values.push("success");
    let mut present = vec!["pid"];
    let needed = [
        (wants.loginuid, "auid"),
        (wants.uid, "uid"),
        (wants.comm, "comm"),
        (wants.exe, "exe"),
    ];
    present.extend(needed.iter().filter(|(on, _)| *on).map(|(_, c)| *c));
    (values, present)
}

/// Which stored events a summary reads.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Events that stand for their whole group, with its count.
    pub alike: HashMap<i64, u32>,
    /// Shapes whose events are read one by one.
    pub each: Vec<i64>,
    /// Shapes counted alike but for their file names, which the overall
    /// summary then takes from the name index, by the event standing for
    /// them (whose names count only if that event counts).
    pub names: HashMap<i64, Vec<i64>>,
}

impl Plan {
    /// Sorts a database's shapes (with their values in [`columns`]) for a
    /// summary of `kind`. `alike`: whether events may be counted alike at
    /// all (not when the report prints names auditd recorded per event).
    pub fn new(kind: Kind, wants: Wants, shapes: &[ShapeCount], alike: bool) -> Plan {
        let mut plan = Plan::default();
        let without_names = Wants {
            filename: false,
            ..wants
        };
        // Each group's first event, count, and shapes whose names the name
        // index gives.
        type Group = (i64, u32, Vec<i64>);
        let mut groups: foldhash::HashMap<(&[u32], &Option<String>, &str), Group> =
            Default::default();
        for s in shapes.iter().filter(|s| Types(&s.types).may_count(kind)) {
            let decided = alike && shape_decides(&s.types, kind, wants);
            // Only the number of distinct names is printed: they come from
            // the name index.
            let but_names = alike
                && !decided
                && kind == Kind::Summary
                && shape_decides(&s.types, kind, without_names);
            if !decided && !but_names {
                plan.each.push(s.shape);
                continue;
            }
            let group =
                groups
                    .entry((&s.types, &s.node, &s.values))
                    .or_insert((s.first, 0, Vec::new()));
            group.0 = group.0.min(s.first);
            group.1 += s.count as u32;
            if but_names && s.types.contains(&types::PATH.0) {
                group.2.push(s.shape);
            }
        }
        for (first, count, named) in groups.into_values() {
            plan.alike.insert(first, count);
            if !named.is_empty() {
                plan.names.insert(first, named);
            }
        }
        plan
    }

    /// The shapes whose file names count, given the events standing for
    /// groups that were counted.
    pub fn named_shapes(&self, counted: &[i64]) -> Vec<i64> {
        let mut shapes: Vec<i64> = counted
            .iter()
            .filter_map(|id| self.names.get(id))
            .flatten()
            .copied()
            .collect();
        shapes.sort_unstable();
        shapes
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

    fn shape(id: i64, types: &[u32], count: u64, values: &str) -> ShapeCount {
        ShapeCount {
            shape: id,
            count,
            first: id * 10,
            node: None,
            types: types.to_vec(),
            values: values.to_string(),
        }
    }

    #[test]
    fn syscall_events_and_user_messages_are_decided_unless_names_are_read() {
        let keys = (Kind::Key, Kind::Key.wants());
        assert!(shape_decides(OPEN, keys.0, keys.1));
        assert!(!shape_decides(OPEN, Kind::File, Kind::File.wants()));
        assert!(!shape_decides(&[1302, 1327], keys.0, keys.1), "no SYSCALL");
        assert!(
            !shape_decides(&[1300, 1305], keys.0, keys.1),
            "CONFIG_CHANGE"
        );
        assert!(!shape_decides(
            &[1300, 1306],
            Kind::Host,
            Kind::Host.wants()
        ));
        assert!(shape_decides(&[1300, 1306], keys.0, keys.1));
        // A login's account name is not in the shape.
        assert!(shape_decides(&[1112], Kind::Summary, Kind::Summary.wants()));
        assert!(!shape_decides(&[1112], Kind::Login, Kind::Login.wants()));
        assert!(!shape_decides(&[1107], keys.0, keys.1), "USER_AVC");
    }

    #[test]
    fn a_plan_counts_groups_alike_reads_the_rest_and_skips_what_cannot_count() {
        let shapes = [
            shape(1, OPEN, 500, "[1,2]"),
            shape(2, &[1112], 3, "[1,null]"),
            shape(3, &[1300, 1306, 1327], 7, "[1,42]"),
            shape(4, OPEN, 20, "[1,2]"),
            shape(5, OPEN, 9, "[0,2]"),
        ];
        // The summary counts host names, which a SOCKADDR holds: shape 3
        // is read event by event; shapes 1 and 4 (alike in the values
        // read) are one group, counted alike but for their file names.
        let plan = Plan::new(Kind::Summary, Kind::Summary.wants(), &shapes, true);
        assert_eq!(plan.firsts(), [10, 20, 50]);
        assert_eq!((plan.hits(10), plan.hits(20), plan.hits(50)), (520, 3, 9));
        assert_eq!((plan.hits(30), plan.hits(40)), (1, 1));
        assert_eq!(plan.each, [3]);
        assert_eq!(plan.named_shapes(&[10, 20, 50]), [1, 4, 5]);
        assert_eq!(plan.named_shapes(&[50]), [5]);
        // Keys are all in the shape; a user message cannot hold one.
        let keys = Plan::new(Kind::Key, Kind::Key.wants(), &shapes, true);
        assert_eq!(keys.firsts(), [10, 30, 50]);
        assert_eq!((keys.hits(30), keys.each.len()), (7, 0));
        assert!(keys.names.is_empty());
        let logins = Plan::new(Kind::Login, Kind::Login.wants(), &shapes, true);
        assert_eq!((logins.firsts(), logins.each), (vec![], vec![2]));
        let enriched = Plan::new(Kind::Key, Kind::Key.wants(), &shapes, false);
        assert_eq!(enriched.each, [1, 3, 4, 5]);
    }
}
