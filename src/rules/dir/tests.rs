//! Rules directories without the kernel: file order, augenrules' placement,
//! file:line errors, the -c/-i policy, the expected rule list and its diff.

use std::cmp::Ordering;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::*;
use crate::rules::Rule;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
}

/// The set of a file holding `text`.
fn set_of(text: &str) -> RuleSet {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.rules", text);
    load_file(&dir.path().join("a.rules")).unwrap()
}

/// Each line of a set as "file:line" and the line's words.
fn outline(set: &RuleSet) -> Vec<String> {
    set.lines
        .iter()
        .map(|l| {
            let name = l.file.file_name().unwrap().to_string_lossy();
            let what = match &l.item {
                Ok(inv) => format!("{:?}", inv.commands.first()),
                Err(e) => format!("error: {e}"),
            };
            format!("{name}:{} {what}", l.line)
        })
        .collect()
}

/// The order `ls -1v` (GNU coreutils 9.1) gave these names.
#[test]
fn file_names_sort_as_ls_v() {
    let by_ls = [
        "9-early.rules",
        "10-audit.rules",
        "10-base.rules",
        "010-zero.rules",
        "99-finalize.rules",
        "100-late.rules",
        "B.rules",
        "a.rules",
        "a1.rules",
        "a1b.rules",
        "x.y.rules",
        "xy.rules",
        "x-y.rules",
        "x_y.rules",
    ];
    let mut names = by_ls.to_vec();
    names.reverse();
    names.sort_by(|a, b| natural_cmp(a, b));
    assert_eq!(names, by_ls);
    assert_eq!(natural_cmp("x.rules", "x.rules"), Ordering::Equal);
}

#[test]
fn augenrules_placement() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "20-b.rules",
        "-e 1\n-a always,exit -S all -F uid=2\n-D\n-b 100\n-D -k old\n",
    );
    write(
        dir.path(),
        "10-a.rules",
        "## comment\n\n-b 8192\n-D\n-f 1\n   # indented comment\n-a always,exit -S all -F uid=1\n-e 0\n",
    );
    write(dir.path(), "30-c.txt", "-a always,exit -S all -F uid=3\n");
    let set = load_dir(dir.path()).unwrap();
    assert_eq!(
        outline(&set),
        [
            "20-b.rules:3 Some(DeleteAll { key: None })",
            "20-b.rules:4 Some(Set(BacklogLimit(100)))",
            "10-a.rules:5 Some(Set(Failure(1)))",
            format!(
                "10-a.rules:7 {:?}",
                rule_add("-a always,exit -S all -F uid=1")
            )
            .as_str(),
            format!(
                "20-b.rules:2 {:?}",
                rule_add("-a always,exit -S all -F uid=2")
            )
            .as_str(),
            "20-b.rules:5 Some(DeleteAll { key: Some(\"old\") })",
            "20-b.rules:1 Some(Set(Enabled(1)))",
        ]
    );
}

fn rule_add(line: &str) -> Option<Command> {
    crate::rules::tests::parse(line)
        .unwrap()
        .commands
        .into_iter()
        .next()
}

/// Runs a set without a kernel, recording each line carried out.
fn run(set: &RuleSet, mode: Mode) -> (Report, Vec<usize>) {
    let mut ran = Vec::new();
    let report = run_set(set, mode, |inv| {
        ran.push(inv.commands.len());
        Ok::<(), String>(())
    });
    (report, ran)
}

#[test]
fn a_bad_line_stops_the_load_after_the_lines_before_it() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "10-ok.rules",
        "-a always,exit -S all -F uid=1\n",
    );
    write(
        dir.path(),
        "20-bad.rules",
        "# first\n-a always,exit -S all -F uid=2\n-a always,exit -F colour=red\n-a always,exit -S all -F uid=3\n",
    );
    let set = load_dir(dir.path()).unwrap();
    let file = dir.path().join("20-bad.rules");
    let why = format!("{}:3: unknown field \"colour\"", file.display());
    assert_eq!(set.problems(), std::slice::from_ref(&why));
    // auditctl's way: the two lines before it, then stop, failed.
    let (report, ran) = run(&set, Mode::Auditctl);
    assert_eq!(ran.len(), 2);
    assert_eq!((report.applied, report.rules_added), (2, 2));
    assert!(report.failed && report.incomplete());
    assert_eq!(report.problems(), std::slice::from_ref(&why));
    // The daemon's: every valid line, and the bad one named.
    let (report, ran) = run(&set, Mode::Everything);
    assert_eq!(ran.len(), 3);
    assert_eq!(report.rules_added, 3);
    assert!(report.failed);
    assert_eq!(report.problems(), [why]);
}

#[test]
fn nested_rules_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.rules", "-R /etc/audit/audit.rules\n");
    let problems = load_dir(dir.path()).unwrap().problems();
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0]
            .ends_with("a.rules:1: -R cannot be used in a rules file: rules files do not nest"),
        "{problems:?}"
    );
}

#[test]
fn a_line_that_is_not_text_is_a_bad_line_in_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.rules");
    fs::write(&path, b"-a always,exit -S all -F uid=1\n-k \xff\n-e 1\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    let set = load_dir(dir.path()).unwrap();
    assert_eq!(
        set.problems(),
        [format!("{}:2: the line is not valid UTF-8", path.display())]
    );
    assert_eq!(set.lines.len(), 3);
}

#[test]
fn unsafe_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.rules", "-D\n");
    let path = dir.path().join("a.rules");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o646)).unwrap();
    assert_eq!(
        load_file(&path).unwrap_err().to_string(),
        format!("{}: world-writable; refusing to load it", path.display())
    );
    assert_eq!(
        load_file(dir.path()).unwrap_err().to_string(),
        format!(
            "{}: not a regular file; refusing to load it",
            dir.path().display()
        )
    );
    // In a directory, such a file is left out and named; the others load.
    fs::create_dir(dir.path().join("d.rules")).unwrap();
    write(dir.path(), "b.rules", "-a always,exit -S all -F uid=1\n");
    let set = load_dir(dir.path()).unwrap();
    assert_eq!(set.lines.len(), 1);
    let names: Vec<String> = set
        .problems()
        .iter()
        .map(|p| p.replace(&*dir.path().to_string_lossy(), "DIR"))
        .collect();
    assert_eq!(
        names,
        [
            "DIR/a.rules: world-writable; refusing to load it",
            "DIR/d.rules: not a regular file; refusing to load it"
        ]
    );
    let (report, _) = run(&set, Mode::Everything);
    assert_eq!((report.rules_added, report.failed), (1, true));
    assert_eq!(report.problems(), set.problems());
    assert!(load_dir(&dir.path().join("nope")).is_err());
    let missing = dir.path().join("nope");
    assert!(load_file(&missing)
        .unwrap_err()
        .to_string()
        .contains("No such file or directory"));
}

#[test]
fn continue_and_ignore_keep_refused_lines_in_place() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.rules",
        "-c\n-a always,exit -F colour=red\n-a always,exit -S all -F uid=1\n",
    );
    let set = load_file(&dir.path().join("a.rules")).unwrap();
    assert_eq!(set.lines.len(), 3);
    assert!(set.lines[1].item.is_err());

    // Carrying it out reports the bad line and fails at the end under -c.
    let (report, ran) = run(&set, Mode::Auditctl);
    assert_eq!(ran.len(), 2);
    assert_eq!(report.applied, 2);
    assert!(report.failed);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].line, 2);
    assert_eq!(report.errors[0].item, "unknown field \"colour\"");
}

#[test]
fn the_error_policy_is_auditctls() {
    let refuse_uid_1 = |inv: &Invocation| match format!("{:?}", inv.commands).contains("Num(1)") {
        true => Err("refused"),
        false => Ok(()),
    };
    let lines = "-a always,exit -S all -F uid=1\n-a always,exit -S all -F uid=2\n";
    // No flag: stop at the first error.
    let report = run_set(&set_of(lines), Mode::Auditctl, refuse_uid_1);
    assert_eq!(
        (report.applied, report.failed, report.errors.len()),
        (0, true, 1)
    );
    // -c: go on, fail.
    let report = run_set(
        &set_of(&format!("-c\n{lines}")),
        Mode::Auditctl,
        refuse_uid_1,
    );
    assert_eq!((report.applied, report.failed), (2, true));
    // -i: go on, succeed.
    let report = run_set(
        &set_of(&format!("-i\n{lines}")),
        Mode::Auditctl,
        refuse_uid_1,
    );
    assert_eq!(
        (report.applied, report.failed, report.errors.len()),
        (2, false, 1)
    );
    // Both: go on, fail (auditctl's continue_error wins).
    let report = run_set(
        &set_of(&format!("-i\n-c\n{lines}")),
        Mode::Auditctl,
        refuse_uid_1,
    );
    assert_eq!((report.applied, report.failed), (3, true));
}

/// auditctl 3.0.9 stops reading a line at -c or -i (checked against it in
/// tests/kernel_ctl/rules_dir.rs): words after the flag make the line an
/// error, but the flag takes effect; a rule before it is dropped.
#[test]
fn a_flag_ends_its_line_and_still_takes_effect() {
    let rest = "-a always,exit -F colour=red\n-a always,exit -S all -F uid=2\n";
    // "-c -x": refused, yet -c holds: the load goes on past line 2, fails.
    let (report, ran) = run(&set_of(&format!("-c -x\n{rest}")), Mode::Auditctl);
    assert_eq!(
        (ran.len(), report.errors.len(), report.failed),
        (1, 2, true)
    );
    assert!(report.errors[0]
        .item
        .starts_with("-c must be the last option"));
    // "-i -l": -i before -l is "ignore errors"; the load goes on and succeeds.
    let (report, ran) = run(&set_of(&format!("-i -l\n{rest}")), Mode::Auditctl);
    assert_eq!((ran.len(), report.failed), (1, false));
    // "RULE -c": the rule is dropped with a warning, -c holds.
    let (report, ran) = run(
        &set_of(&format!("-a always,exit -S all -F uid=3 -c\n{rest}")),
        Mode::Auditctl,
    );
    assert_eq!(
        (ran, report.rules_added, report.failed),
        (vec![0, 1], 1, true)
    );
    assert_eq!(report.warnings.len(), 1);
    assert!(report.warnings[0]
        .item
        .contains("the rule before it is not loaded"));
    // "-l -c": -l refuses the extra option before -c is read: stop there.
    let (report, ran) = run(&set_of(&format!("-l -c\n{rest}")), Mode::Auditctl);
    assert_eq!((ran.len(), report.failed), (0, true));
    assert_eq!(
        report.errors[0].item,
        "-l takes no -c: put -c on a line of its own"
    );
}

#[test]
fn expected_rules_follow_the_kernels_order() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.rules",
        "-D\n\
         -a always,exit -S all -F uid=1 -k one\n\
         -a never,exclude -F msgtype=CWD\n\
         -A always,exit -S all -F uid=2\n\
         -a always,exit -S all -F uid=3 -k three\n\
         -a always,exit -S all -F uid=3 -k three\n\
         -a never,task\n\
         -d always,exit -S all -F uid=2\n\
         -D -k thr\n\
         -a always,exit -S all -F uid=4\n",
    );
    let set = load_file(&dir.path().join("a.rules")).unwrap();
    let listed: Vec<String> = expected_rules(&set).iter().map(Rule::to_string).collect();
    assert_eq!(
        listed,
        [
            "-a never,task",
            "-a always,exit -S all -F uid=1 -F key=one",
            "-a always,exit -S all -F uid=4",
            "-a never,exclude -F msgtype=CWD",
        ]
    );
}

#[test]
fn drift_lists_what_each_side_lacks() {
    let rule = |line: &str| kernel::normal_form(&crate::rules::tests::rule(line));
    let (a, b, c, d) = (
        rule("-a always,exit -S all -F uid=1"),
        rule("-a always,exit -S all -F uid=2"),
        rule("-a always,exit -S all -F uid=3"),
        rule("-w /tmp/x -p wa"),
    );
    let lines = order::diff(
        &[a.clone(), b.clone(), c.clone()],
        &[a.clone(), c.clone(), d],
    );
    assert_eq!(
        lines,
        [
            DriftLine::OnDiskOnly("-a always,exit -S all -F uid=2".into()),
            DriftLine::InKernelOnly("-w /tmp/x -p wa".into()),
        ]
    );
    let mut drift = Drift {
        source: "/etc/raudit/rules.d".into(),
        unloadable: Vec::new(),
        lines,
    };
    assert!(!drift.in_sync());
    assert_eq!(
        drift.to_string(),
        "--- /etc/raudit/rules.d (rules on disk)\n\
         +++ kernel (rules loaded)\n\
         --a always,exit -S all -F uid=2\n\
         +-w /tmp/x -p wa\n"
    );
    // Lines that cannot load come first; alone they are drift too.
    drift.unloadable = vec!["/etc/raudit/rules.d/a.rules:3: unknown field \"colour\"".into()];
    assert!(drift
        .to_string()
        .starts_with("/etc/raudit/rules.d/a.rules:3: unknown field \"colour\"\n--- "));
    drift.lines.clear();
    assert!(!drift.in_sync());
    assert_eq!(
        drift.to_string(),
        "/etc/raudit/rules.d/a.rules:3: unknown field \"colour\"\n"
    );
    // Order matters: the same rules swapped are drift.
    let swapped = order::diff(&[a.clone(), b.clone()], &[b, a]);
    assert_eq!(swapped.len(), 2);
}
