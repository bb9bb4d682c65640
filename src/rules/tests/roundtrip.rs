//! Text -> Rule -> wire -> Rule -> text over a corpus of rule lines, and the
//! `-l` form of lines that are not written the way auditctl lists them.

use super::rule;
use crate::rules::Rule;

fn corpus() -> impl Iterator<Item = &'static str> {
    include_str!("corpus.rules")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The line as `auditctl -l` would show it after loading it.
fn listed(line: &str) -> String {
    let parsed = rule(line);
    let bytes = parsed.to_wire().unwrap_or_else(|e| panic!("{line}: {e}"));
    let decoded = Rule::from_wire(&bytes).unwrap_or_else(|e| panic!("{line}: {e}"));
    assert_eq!(decoded, parsed, "{line}: the wire changed the rule");
    decoded.to_string()
}

#[test]
fn corpus_lines_list_as_written() {
    let failures: Vec<String> = corpus()
        .filter_map(|line| {
            let got = listed(line);
            (got != line).then(|| format!("  input:  {line}\n  listed: {got}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "lines that changed:\n{}",
        failures.join("\n")
    );
}

#[test]
fn other_spellings_list_in_auditctl_form() {
    let cases = [
        // -w with the default perm and a trailing slash
        ("-w /etc/", "-w /etc -p rwxa"),
        // action and list in either order; -S repeated, given by number, out of order
        (
            "-a exit,always -S openat -S 2 -F uid=0",
            "-a always,exit -S open,openat -F uid=0",
        ),
        // a syscall rule that is a watch in disguise lists as one
        (
            "-a always,exit -F path=/etc/passwd -F perm=wa -k id",
            "-w /etc/passwd -p wa -k id",
        ),
        // names resolve to numbers
        (
            "-a always,exit -S all -F uid=alice -F gid=wheel",
            "-a always,exit -S all -F uid=1000 -F gid=10",
        ),
        (
            "-a always,exit -S all -F auid=-1 -F loginuid=4294967295",
            "-a always,exit -S all -F auid=-1 -F auid=-1",
        ),
        (
            "-a always,exit -S all -F exit=EACCES -F exit=-13",
            "-a always,exit -S all -F exit=13 -F exit=-EACCES",
        ),
        (
            "-a always,exit -F arch=x86_64 -S all -F a0=16",
            "-a always,exit -F arch=b64 -S all -F a0=0x10",
        ),
        (
            "-a always,exit -F arch=i686 -S 5",
            "-a always,exit -F arch=b32 -S open",
        ),
        (
            "-a never,exclude -F msgtype=1307",
            "-a never,exclude -F msgtype=CWD",
        ),
        (
            "-a always,exit -S all -F perm=WA -F filetype=file",
            "-a always,exit -S all -F perm=wa -F filetype=32768",
        ),
        // -F key=K is -k K: every key goes to the end, in one field
        (
            "-a always,exit -S all -F key=a -F uid=0",
            "-a always,exit -S all -F uid=0 -F key=a",
        ),
        (
            "-a always,exit -S all -F key=a -k b -F key=c",
            "-a always,exit -S all -F key=a -F key=b -F key=c",
        ),
        ("-a always,exit -F perm=r -k x", " -p r -k x"),
        (
            "-a always,exit -F exe=/usr/bin/x -F key=x",
            "-a always,exit -S all -F exe=/usr/bin/x -F key=x",
        ),
        // another operator keeps a key field in place; auditctl prints '='
        (
            "-a always,exit -S all -F key!=a -F uid=0",
            "-a always,exit -S all -F key=a -F uid=0",
        ),
        ("-a always,exit -S all -F path=/x -p r", "-w /x -p r"),
        (
            "-a always,exit -F arch=aarch64 -S openat",
            "-a always,exit -F arch=b64 -S openat",
        ),
        // libaudit's spelling prints; the kernel header's parses too
        (
            "-a always,exit -F arch=b64 -S pread64,pwrite",
            "-a always,exit -F arch=b64 -S pread,pwrite",
        ),
        // a uid of -1 prints as -1 whichever way it was written
        (
            "-a always,exit -S all -F uid=unset -F obj_uid=-1",
            "-a always,exit -S all -F uid=-1 -F obj_uid=-1",
        ),
        (
            "-a always,exit -S all -F gid!=4294967295",
            "-a always,exit -S all -F gid!=-1",
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(listed(input), expected, "input: {input}");
    }
}

#[test]
fn keys_come_back_split() {
    let r = rule("-w /etc/shadow -k identity -k shadow");
    assert_eq!(r.keys(), ["identity", "shadow"]);
    assert!(rule("-a never,task").keys().is_empty());
}
