//! `raudit search --tree PID`: the process tree rooted at PID, drawn from
//! the pid and ppid of the events a filter matches, each process with its
//! programs, its number of events and its first one (time and serial, for
//! `-a`). A process with no matching event does not link its children in;
//! pids reused within the events searched are one process here (a time
//! range keeps them apart).

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

use chrono::{Local, TimeZone};

use crate::store::processes::ProcessEvents;

/// One process: its rows merged (a process that execs has a row per
/// program).
#[derive(Debug, Default)]
struct Node {
    parent: Option<i64>,
    exes: Vec<String>,
    count: u64,
    first: Option<(i64, i64, u64)>,
}

/// Prints the tree under `root`; false when `root` has no event and no
/// descendant with one.
pub fn print(out: &mut impl Write, rows: &[ProcessEvents], root: i64) -> io::Result<bool> {
    let mut nodes: HashMap<i64, Node> = HashMap::new();
    // Children in the order of their first event (rows come in that order).
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    for row in rows {
        let node = nodes.entry(row.pid).or_default();
        if node.parent.is_none() && row.ppid.is_some() {
            node.parent = row.ppid;
            children
                .entry(row.ppid.unwrap_or(0))
                .or_default()
                .push(row.pid);
        }
        if let Some(exe) = row.exe.as_ref().filter(|e| !node.exes.contains(e)) {
            node.exes.push(exe.clone());
        }
        node.count += row.count;
        let first = (row.first_position, row.first_time_ms, row.first_serial);
        node.first = Some(node.first.map_or(first, |f| f.min(first)));
    }
    if !nodes.contains_key(&root) && !children.contains_key(&root) {
        return Ok(false);
    }
    let mut seen = HashSet::new();
    let mut stack = vec![(root, 0usize)];
    while let Some((pid, depth)) = stack.pop() {
        // Links from different times can form a cycle: each pid once.
        if !seen.insert(pid) {
            continue;
        }
        line(out, pid, nodes.get(&pid), depth)?;
        if let Some(kids) = children.get(&pid) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    Ok(true)
}

fn line(out: &mut impl Write, pid: i64, node: Option<&Node>, depth: usize) -> io::Result<()> {
    let indent = "  ".repeat(depth);
    let Some(node) = node else {
        return writeln!(out, "{indent}{pid} (no events)");
    };
    let exes = if node.exes.is_empty() {
        "?".to_string()
    } else {
        node.exes.join(" > ")
    };
    let (_, time_ms, serial) = node.first.unwrap_or_default();
    writeln!(
        out,
        "{indent}{pid} {exes} events={} first={} serial={serial}",
        node.count,
        local_time(time_ms)
    )
}

/// As ausearch -i shows event times: local time, milliseconds.
fn local_time(ms: i64) -> String {
    Local.timestamp_millis_opt(ms).single().map_or_else(
        || ms.to_string(),
        |t| t.format("%m/%d/%Y %H:%M:%S%.3f").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pid: i64, ppid: i64, exe: &str, count: u64, first: i64) -> ProcessEvents {
        ProcessEvents {
            pid,
            ppid: Some(ppid),
            exe: Some(exe.into()),
            count,
            first_position: first,
            first_time_ms: first * 1000,
            first_serial: first as u64,
        }
    }

    fn tree(rows: &[ProcessEvents], root: i64) -> Option<String> {
        let mut out = Vec::new();
        print(&mut out, rows, root)
            .unwrap()
            .then(|| String::from_utf8(out).unwrap())
    }

    #[test]
    fn a_tree_with_an_exec_and_grandchildren() {
        // Times are printed in local time: the assertions leave them out.
        let rows = [
            row(10, 1, "/usr/bin/bash", 3, 1),
            row(20, 10, "/usr/bin/sh", 1, 2),
            row(30, 20, "/usr/bin/cat", 2, 3),
            row(20, 10, "/usr/bin/env", 1, 4),
            row(40, 10, "/usr/bin/ls", 1, 5),
            row(50, 2, "/usr/bin/other", 1, 6),
        ];
        let text = tree(&rows, 10).unwrap();
        let heads: Vec<&str> = text
            .lines()
            .map(|l| l.split(" events=").next().unwrap())
            .collect();
        assert_eq!(
            heads,
            [
                "10 /usr/bin/bash",
                "  20 /usr/bin/sh > /usr/bin/env",
                "    30 /usr/bin/cat",
                "  40 /usr/bin/ls",
            ]
        );
        assert!(text.lines().nth(1).unwrap().contains("events=2 "), "{text}");
        assert!(text.lines().nth(1).unwrap().ends_with("serial=2"), "{text}");
    }

    #[test]
    fn a_root_without_events_of_its_own_still_has_its_children() {
        let rows = [row(20, 10, "/usr/bin/sh", 1, 2)];
        let text = tree(&rows, 10).unwrap();
        assert!(
            text.starts_with("10 (no events)\n  20 /usr/bin/sh"),
            "{text}"
        );
        assert_eq!(tree(&rows, 99), None);
    }

    #[test]
    fn a_cycle_of_reused_pids_ends() {
        let rows = [row(5, 6, "/a", 1, 1), row(6, 5, "/b", 1, 2)];
        assert_eq!(tree(&rows, 5).unwrap().lines().count(), 2);
    }
}
