//! The command-line grammar: commands in order, -k/-i by context, getopt
//! spellings, and rules-file line splitting.

use std::path::PathBuf;

use super::{parse, words};
use crate::rules::{split_line, Command, StatusChange};

fn commands(line: &str) -> Vec<Command> {
    parse(line)
        .unwrap_or_else(|e| panic!("{line}: {e}"))
        .commands
}

#[test]
fn control_commands_keep_their_order() {
    assert_eq!(
        commands("-D -b 8192 -f 1 --backlog_wait_time 60000 -r 0 -e 1"),
        [
            Command::DeleteAll { key: None },
            Command::Set(StatusChange::BacklogLimit(8192)),
            Command::Set(StatusChange::Failure(1)),
            Command::Set(StatusChange::BacklogWaitTime(60000)),
            Command::Set(StatusChange::RateLimit(0)),
            Command::Set(StatusChange::Enabled(1)),
        ]
    );
}

#[test]
fn the_rule_comes_last() {
    let cmds = commands("-D -w /tmp/x -p wa");
    assert_eq!(cmds[0], Command::DeleteAll { key: None });
    assert!(
        matches!(&cmds[1], Command::Add { prepend: false, rule } if rule.to_string() == "-w /tmp/x -p wa")
    );
    assert!(
        matches!(&commands("-A always,exit -S all -F uid=0")[0], Command::Add { prepend: true, rule } if rule.prepend)
    );
    assert!(
        matches!(&commands("-W /tmp/x -k k")[0], Command::Delete(r) if r.to_string() == "-w /tmp/x -p rwxa -k k")
    );
    assert!(matches!(
        &commands("-d always,exit -S all -F uid=0")[0],
        Command::Delete(_)
    ));
}

#[test]
fn key_and_i_depend_on_context() {
    assert_eq!(
        commands("-l"),
        [Command::List {
            key: None,
            interpret: false
        }]
    );
    assert_eq!(
        commands("-l -k k1"),
        [Command::List {
            key: Some("k1".into()),
            interpret: false
        }]
    );
    assert_eq!(
        commands("-l -i"),
        [Command::List {
            key: None,
            interpret: true
        }]
    );
    assert_eq!(
        commands("-D -k k1"),
        [Command::DeleteAll {
            key: Some("k1".into())
        }]
    );
    assert_eq!(commands("-s -i"), [Command::Status { interpret: true }]);
    assert_eq!(
        commands("-R /etc/audit/audit.rules"),
        [Command::ReadFile(PathBuf::from("/etc/audit/audit.rules"))]
    );
    let inv = parse("-i").unwrap();
    assert!(inv.ignore_errors && !inv.continue_on_error && inv.commands.is_empty());
    let inv = parse("-c").unwrap();
    assert!(inv.continue_on_error && !inv.ignore_errors);
}

/// What auditctl 3.0.9 refuses beside -R, -c and -i (exit 255; the
/// kernel tests compare with it).
#[test]
fn read_file_and_policy_flags_stand_alone() {
    use crate::rules::RuleError;
    for line in [
        "-c -R r",
        "-i -R r",
        "-c -i",
        "-i -l",
        "-c -a always,exit -S all",
    ] {
        assert!(
            matches!(parse(line), Err(RuleError::PolicyFlagNotLast(_))),
            "{line}: {:?}",
            parse(line)
        );
    }
    for line in ["-R r -c", "-D -R r", "-R a -R b", "-R r -k x", "-l -R r"] {
        let err = parse(line).unwrap_err();
        assert!(
            matches!(err, RuleError::ReadFileNotAlone | RuleError::KeyWithoutRule),
            "{line}: {err:?}"
        );
    }
    assert_eq!(
        parse("-s -c").unwrap_err(),
        RuleError::PolicyFlagAfter {
            flag: 'c',
            option: "-s"
        }
    );
    // A rule before the flag is not loaded, with a warning.
    let inv = parse("-w /tmp/x -i").unwrap();
    assert!(inv.ignore_errors && inv.commands.is_empty());
    assert_eq!(inv.warnings.len(), 1);
    // Settings before it are carried out.
    let inv = parse("-b 100 -c").unwrap();
    assert_eq!(
        inv.commands,
        [Command::Set(StatusChange::BacklogLimit(100))]
    );
}

#[test]
fn other_commands() {
    assert_eq!(commands("-m hello"), [Command::Message("hello".into())]);
    assert_eq!(
        commands("--signal rotate"),
        [Command::Signal("USR1".into())]
    );
    assert_eq!(commands("--signal=hup"), [Command::Signal("HUP".into())]);
    assert_eq!(commands("--reset-lost"), [Command::ResetLost]);
    assert_eq!(
        commands("--reset_backlog_wait_time_actual"),
        [Command::ResetBacklogWaitTimeActual]
    );
    assert_eq!(
        commands("--loginuid-immutable"),
        [Command::LoginuidImmutable]
    );
    assert_eq!(
        commands("-t -v -h"),
        [Command::Trim, Command::Version, Command::Help]
    );
    assert_eq!(commands("-e 2"), [Command::Set(StatusChange::Enabled(2))]);
}

#[test]
fn q_makes_a_subtree_equivalent() {
    // auditctl's -q is AUDIT_MAKE_EQUIV, not "quiet".
    assert_eq!(
        commands("-q /mnt/watched,/srv/data"),
        [Command::MakeEquivalent {
            mount: "/mnt/watched".into(),
            subtree: "/srv/data".into()
        }]
    );
    assert_eq!(
        commands("-q/a,b,c"),
        [Command::MakeEquivalent {
            mount: "/a".into(),
            subtree: "b,c".into()
        }]
    );
}

#[test]
fn warnings_auditctl_prints_but_obeys() {
    let mismatch = "WARNING - 32/64 bit syscall mismatch, you should specify an arch";
    let warnings = |line: &str| {
        parse(line)
            .unwrap_or_else(|e| panic!("{line}: {e}"))
            .warnings
    };
    if crate::tables::arch::native().name() == "x86_64" {
        // open is 2 on x86_64 and 5 on i386: without an arch the rule
        // means different calls to 32- and 64-bit programs.
        assert_eq!(warnings("-a always,exit -S open -k k"), [mismatch]);
        assert_eq!(warnings("-a always,exit -S open,openat"), [mismatch]);
        // Only the first -S is checked: it makes the arch the native one.
        assert_eq!(
            warnings("-a always,exit -S 2 -S open"),
            Vec::<String>::new()
        );
        // A number, "all", an arch, or a delete: no warning.
        for line in [
            "-a always,exit -S 2",
            "-a always,exit -S all -F uid=0",
            "-a always,exit -F arch=b64 -S open",
            "-a always,exit -F arch=b32 -S open",
            "-d always,exit -S open",
            "-a always,exit -F uid=0",
        ] {
            assert_eq!(warnings(line), Vec::<String>::new(), "{line}");
        }
        assert_eq!(warnings("-a always,exit -S 2,3"), [mismatch]);
    }
    assert_eq!(
        warnings("-w /etc/../etc/passwd"),
        ["Warning - relative path notation is not supported"]
    );
    assert_eq!(
        warnings("-w /etc/*.conf -k c"),
        ["Warning - wildcard notation is not supported"]
    );
    assert_eq!(
        warnings("-W /tmp/x?"),
        ["Warning - wildcard notation is not supported"]
    );
}

#[test]
fn getopt_spellings() {
    let joined = commands("-w/tmp/x -pwa -kk1");
    assert!(
        matches!(&joined[0], Command::Add { rule, .. } if rule.to_string() == "-w /tmp/x -p wa -k k1")
    );
    let args: Vec<String> = ["-m", "two words"].iter().map(|s| s.to_string()).collect();
    let inv =
        crate::rules::parse_args_with(&args, &crate::rules::system::fake::FakeSystem).unwrap();
    assert_eq!(inv.commands, [Command::Message("two words".into())]);
}

#[test]
fn split_line_is_auditctls() {
    assert_eq!(split_line("# comment"), None);
    assert_eq!(split_line("   # indented comment"), None);
    assert_eq!(split_line("   \n"), None);
    assert_eq!(split_line(""), None);
    assert_eq!(
        split_line("-w /etc/shadow  -p wa\t-k k\r\n").unwrap(),
        ["-w", "/etc/shadow", "-p", "wa", "-k", "k"]
    );
    // No quoting: auditctl reads rule files without a shell.
    assert_eq!(split_line("-m \"a b\"").unwrap(), ["-m", "\"a", "b\""]);
    assert_eq!(words("-D"), ["-D"]);
}
