//! Every refused rule and command through the binary: one line on stderr
//! saying why, auditctl's exit code (255 for a refused command line or
//! request, 1 for a rules file, 4 without root), the same refusal from
//! auditctl itself, and nothing left loaded.

use std::process::Command;

use crate::common::{self, stderr, BIN};
use crate::{auditctl, auditctl_l, ctl, success, words};

/// (arguments, raudit's message after "raudit: ").
const REFUSED_BY_THE_PARSER: &[(&str, &str)] = &[
    ("-a foo", "\"foo\" is not LIST,ACTION (for example always,exit)"),
    ("-a always,sometimes", "unknown filter list \"sometimes\" (use task, exit, user, exclude, filesystem or io_uring)"),
    ("-a exit,maybe", "unknown action \"maybe\" (use always or never)"),
    ("-a always,entry", "the entry filter is deprecated and refused by the kernel; use exit"),
    ("-a possible,exit", "the possible action is deprecated and refused by the kernel; use always"),
    ("-a always,exit -F arch=b64 -S opne", "syscall name \"opne\" unknown for arch b64"),
    ("-a always,exit -S 2048", "syscall number 2048 is out of range (0..2047)"),
    ("-a never,task -S open", "syscall auditing cannot be put on the task list"),
    ("-a always,exit -S open -F arch=b64", "-F arch must come before -S"),
    ("-a always,exit -F arch=vax", "unknown arch \"vax\" (use b32, b64 or a machine name such as x86_64)"),
    ("-a always,exit -F colour=red", "unknown field \"colour\""),
    ("-a always,exit -F uid", "-F uid: missing operator (use = != < > <= >= & or &=)"),
    ("-a always,exit -F path!=/etc", "field \"path\" only takes the = operator"),
    ("-a always,exit -F uid&1", "field \"uid\" only takes = != < > <= >= operators (not & or &=)"),
    ("-a always,exit -F msgtype=CWD", "field \"msgtype\" is not allowed on the exit list"),
    ("-a never,task -F sessionid=1", "field \"sessionid\" is not allowed on the task list"),
    ("-a never,exclude -F euid=0", "field \"euid\" is not allowed on the exclude list"),
    ("-a never,task -C uid=auid", "field \"field_compare\" is not allowed on the task list"),
    ("-a always,exit -F pid=abc", "-F pid value must be a number: abc"),
    ("-a always,exit -F uid=nobody_here_at_all", "unknown user \"nobody_here_at_all\""),
    ("-a always,exit -F exit=-ENOPE", "unknown errno name \"-ENOPE\""),
    ("-a always,exit -F filetype=32768", "unknown file type \"32768\" (use file, dir, socket, link, character, block or fifo)"),
    ("-a always,exit -F saddr_fam=100", "value is too large for field: saddr_fam (address families are 0 to 45)"),
    ("-a always,exit -F saddr_fam>=46", "value is too large for field: saddr_fam (address families are 0 to 45)"),
    ("-a always,filesystem -F fstype=0xffffffff", "unknown filesystem type \"0xffffffff\" (use debugfs, tracefs or a magic number)"),
    ("-a always,exit -F path=etc", "-F path path must be absolute: etc"),
    ("-a always,exit -F path=/tmp/", "-F path=/tmp/: the kernel takes no '/' at the end of a path (use dir= for a directory)"),
    ("-a always,exit -F path=/a -F dir=/b", "only one of path, dir and inode may appear in a rule"),
    ("-a always,exit -S all -C uid=gid", "-C uid and gid cannot be compared (compare uid fields with uid fields, gid with gid)"),
    ("-w tmp/x", "watch path must be absolute: tmp/x"),
    ("-w /tmp/x -p rwxq", "permission \"rwxq\" may only contain the letters r, w, x and a"),
    ("-a always,exit -F uid=0 -k x", "-k needs a watch, syscall or field rule given before it"),
    ("-a always,task -F auid>=1000 -F key=x", "-k needs a watch, syscall or field rule given before it"),
    ("-k lonely", "-k needs a watch, syscall or field rule given before it"),
    ("-F uid=0", "-F needs a rule (-a, -A or -d) given before it"),
    ("-p r", "-p needs a watch (-w or -W) given before it"),
    ("-a always,exit -S all -F uid=0 -a always,exit", "only one rule per line: -a follows another -a, -A, -d, -w or -W"),
    ("-e 3", "-e 3 is out of range (0..2)"),
    ("-f 3", "-f 3 is out of range (0..2)"),
    ("-b lots", "-b value must be a number: lots"),
    ("-q /tmp", "-q /tmp: use MOUNT-POINT,SUBTREE"),
    ("-x", "unknown option -x"),
    ("-c -R /etc/raudit/none.rules", "-c must be the last option (auditctl ignores what follows it): to go on past errors in a rules file, make -c a line of its own in that file"),
    ("-i -R /etc/raudit/none.rules", "-i must be the last option (auditctl ignores what follows it): to go on past errors in a rules file, make -i a line of its own in that file; to interpret -l or -s, put -i after them"),
    ("-R /etc/raudit/none.rules -c", "-R must be the only option: write the other options as lines of the rules file"),
    ("-D -R /etc/raudit/none.rules", "-R must be the only option: write the other options as lines of the rules file"),
    ("-s -c", "-s takes no -c: put -c on a line of its own"),
    ("-l stray", "unexpected argument \"stray\""),
    ("--signal KILL", "unsupported signal \"KILL\" (use TERM, HUP, USR1, USR2, CONT or stop, reload, rotate, resume, state)"),
];

/// The refusal of `args` by raudit (message, exit 255) and by auditctl
/// (exit 255), with the kernel left without rules.
fn refused(args: &str, message: &str) -> Result<(), String> {
    let out = ctl(&words(args));
    let got = (out.status.code(), stderr(&out));
    let want = (Some(255), format!("raudit: {message}\n"));
    if got != want {
        return Err(format!("raudit: {got:?}, expected {want:?}"));
    }
    let oracle = auditctl(&words(args)).status.code();
    if oracle != Some(255) {
        return Err(format!("auditctl exited {oracle:?}"));
    }
    match auditctl_l().as_str() {
        "No rules\n" => Ok(()),
        left => Err(format!("left loaded: {left}")),
    }
}

/// Refused by raudit, accepted by auditctl: auditctl drops the -S and
/// loads a plain watch, which is not what the line says.
#[test]
fn a_watch_with_syscalls_is_refused() {
    let out = ctl(&words("-w /tmp/x -S open"));
    assert_eq!(out.status.code(), Some(255));
    assert_eq!(
        stderr(&out),
        "raudit: -S cannot be combined with -w or -W; use -F path= or -F dir= in a syscall rule\n"
    );
}

#[test]
fn rules_the_parser_refuses() {
    let Some(_k) = common::kernel("rules_the_parser_refuses") else {
        return;
    };
    if !crate::have_auditctl("rules_the_parser_refuses") {
        return;
    }
    let failures: Vec<String> = REFUSED_BY_THE_PARSER
        .iter()
        .filter_map(|(args, message)| refused(args, message).err().map(|e| format!("{args}: {e}")))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn rules_the_kernel_refuses() {
    let Some(k) = common::kernel("rules_the_kernel_refuses") else {
        return;
    };
    if !crate::have_auditctl("rules_the_kernel_refuses") {
        return;
    }
    let missing = k.path("missing");
    let missing = missing.to_str().unwrap();
    let enoent = "No such file or directory (a watched path's directory, a dir= directory and an exe='s directory must exist)";
    let cases = [
        (
            format!("-w {missing}/file -p wa"),
            format!("adding rule `-w {missing}/file -p wa`: {enoent}"),
        ),
        (
            format!("-a always,exit -F dir={missing} -F perm=r"),
            format!("adding rule `-w {missing} -p r`: {enoent}"),
        ),
        (
            format!("-a always,exit -F arch=b64 -S execve -F exe={missing}/bin"),
            format!("adding rule `-a always,exit -F arch=b64 -S execve -F exe={missing}/bin`: {enoent}"),
        ),
        (
            "-a always,exit -F arch=b64 -S openat -F uid=-1".to_string(),
            "adding rule `-a always,exit -F arch=b64 -S openat -F uid=-1`: Invalid argument (the kernel takes -1 only for auid and sessionid, not for uid)".to_string(),
        ),
        (
            "-a always,exit -F arch=b64 -S openat -F obj_uid=-1".to_string(),
            "adding rule `-a always,exit -F arch=b64 -S openat -F obj_uid=-1`: Invalid argument (the kernel takes -1 only for auid and sessionid, not for obj_uid)".to_string(),
        ),
        (
            "-d always,exit -F arch=b64 -S openat -F uid=7".to_string(),
            "deleting rule `-a always,exit -F arch=b64 -S openat -F uid=7`: no such rule is loaded".to_string(),
        ),
        (
            "-W /tmp/raudit-never-watched -p wa".to_string(),
            "deleting rule `-w /tmp/raudit-never-watched -p wa`: no such rule is loaded".to_string(),
        ),
        (
            format!("-q {missing},/tmp"),
            format!("making /tmp equivalent to {missing}: No such file or directory"),
        ),
    ];
    let mut failures = Vec::new();
    for (args, message) in &cases {
        if let Err(e) = refused(args, message) {
            failures.push(format!("{args}: {e}"));
        }
    }
    // Loading a rule twice.
    let rule = "-a always,exit -F arch=b64 -S openat -F uid=7 -k twice";
    success(&ctl(&words(rule)), rule);
    let out = ctl(&words(rule));
    assert_eq!(out.status.code(), Some(255));
    assert_eq!(
        stderr(&out),
        "raudit: adding rule `-a always,exit -F arch=b64 -S openat -F uid=7 -F key=twice`: the rule is already loaded\n"
    );
    assert_eq!(auditctl(&words(rule)).status.code(), Some(255));
    success(&ctl(&["-D"]), "raudit ctl -D");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn rules_files_that_fail_exit_1_naming_file_and_line() {
    let Some(k) = common::kernel("rules_files_that_fail_exit_1_naming_file_and_line") else {
        return;
    };
    let path = |name: &str| k.path(name).to_str().unwrap().to_string();
    let missing = path("missing.rules");
    let out = ctl(&["-R", &missing]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("raudit: {missing}: No such file or directory (os error 2)\n")
    );

    let open = path("open.rules");
    std::fs::write(&open, "-a always,exit -S all -F uid=9\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o666)).unwrap();
    let out = ctl(&["-R", &open]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("raudit: {open}: world-writable; refusing to load it\n")
    );
    let out = ctl(&["-R", k.dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).ends_with(": not a regular file; refusing to load it\n"));

    // A line that does not parse: the lines before it are loaded, as
    // auditctl loads them, and the load stops there.
    let bad = path("bad.rules");
    std::fs::write(
        &bad,
        "# two rules and a typo\n-a always,exit -S all -F uid=9\n\n-a always,exit -S all -F colour=red\n-a always,exit -S all -F uid=10\n",
    )
    .unwrap();
    let out = ctl(&["-R", &bad]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("raudit: {bad}:4: unknown field \"colour\"\n")
    );
    assert_eq!(auditctl_l(), "-a always,exit -S all -F uid=9\n");
    success(&ctl(&["-D"]), "-D");

    // A line the kernel refuses stops the file there, as auditctl does.
    let dup = path("dup.rules");
    std::fs::write(
        &dup,
        "-a always,exit -S all -F uid=9\n-a always,exit -S all -F uid=9\n-a always,exit -S all -F uid=10\n",
    )
    .unwrap();
    let out = ctl(&["-R", &dup]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("raudit: {dup}:2: adding rule `-a always,exit -S all -F uid=9`: the rule is already loaded\n")
    );
    assert_eq!(auditctl_l(), "-a always,exit -S all -F uid=9\n");
    success(&ctl(&["-D"]), "-D");

    // Nested rules files are refused.
    let nested = path("nested.rules");
    std::fs::write(&nested, format!("-R {dup}\n")).unwrap();
    let out = ctl(&["-R", &nested]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("raudit: {nested}:1: -R cannot be used in a rules file: rules files do not nest\n")
    );
}

/// auditctl exits 4 without the privilege to control audit.
#[test]
fn without_root_ctl_exits_4_like_auditctl() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipping without_root_ctl_exits_4_like_auditctl: switching users needs root");
        return;
    }
    let as_nobody = |program: &str, args: &[&str]| {
        Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--",
                program,
            ])
            .args(args)
            .output()
            .expect("setpriv (util-linux)")
    };
    for args in [&["-l"][..], &["-w", "/tmp/x", "-k", "x"], &["-s"]] {
        let out = as_nobody(BIN, &[&["ctl"][..], args].concat());
        assert_eq!(out.status.code(), Some(4), "{args:?}");
        assert_eq!(
            stderr(&out),
            "raudit: you must be root (CAP_AUDIT_CONTROL) to control the audit system\n"
        );
        if crate::have_auditctl("without_root_ctl_exits_4_like_auditctl") {
            assert_eq!(
                as_nobody("auditctl", args).status.code(),
                Some(4),
                "{args:?}"
            );
        }
    }
    // Help and version need no root.
    assert_eq!(as_nobody(BIN, &["ctl", "-v"]).status.code(), Some(0));
}
