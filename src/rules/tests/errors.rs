//! One test per refused rule, asserting the whole message.

use super::{error, rule};

#[test]
fn unknown_syscall_names_the_arch() {
    assert_eq!(
        error("-a always,exit -F arch=b64 -S opne"),
        "syscall name \"opne\" unknown for arch b64"
    );
    assert_eq!(
        error("-a always,exit -F arch=b32 -S openat,nosuch"),
        "syscall name \"nosuch\" unknown for arch b32"
    );
}

#[test]
fn syscall_number_out_of_range() {
    assert_eq!(
        error("-a always,exit -S 2048"),
        "syscall number 2048 is out of range (0..2047)"
    );
}

#[test]
fn syscalls_on_lists_without_them() {
    assert_eq!(
        error("-a never,task -S open"),
        "syscall auditing cannot be put on the task list"
    );
    assert_eq!(
        error("-a never,exclude -S open"),
        "syscall auditing cannot be put on the exclude list"
    );
    assert_eq!(
        error("-a never,user -S all"),
        "syscall auditing cannot be put on the user list"
    );
}

#[test]
fn arch_after_syscall() {
    assert_eq!(
        error("-a always,exit -S open -F arch=b64"),
        "-F arch must come before -S"
    );
}

#[test]
fn arch_unknown_or_unsupported() {
    assert_eq!(
        error("-a always,exit -F arch=vax"),
        "unknown arch \"vax\" (use b32, b64 or a machine name such as x86_64)"
    );
    assert_eq!(
        error("-a always,exit -F arch=0x1234"),
        "unknown arch \"0x1234\" (use b32, b64 or a machine name such as x86_64)"
    );
}

#[test]
fn key_too_long() {
    let long = "k".repeat(257);
    assert_eq!(
        error(&format!("-w /tmp/x -k {long}")),
        "key is longer than 256 bytes"
    );
    // 200 + 1 separator + 56 = 257 bytes once joined
    let (a, b) = ("a".repeat(200), "b".repeat(56));
    assert_eq!(
        error(&format!("-w /tmp/x -k {a} -k {b}")),
        "key is longer than 256 bytes"
    );
    assert_eq!(
        error(&format!("-a always,exit -S all -F key={long}")),
        "key is longer than 256 bytes"
    );
}

#[test]
fn key_with_separator() {
    assert_eq!(
        error("-w /tmp/x -k a\x01b"),
        "key \"a\\x01b\" contains the \\x01 byte that separates keys"
    );
}

#[test]
fn empty_key() {
    // Found by fuzzing: the rule went to the kernel (which refuses a key
    // of length 0) and listed without its key.
    assert_eq!(
        error("-a always,exit -S all -F key="),
        "key is empty: give -k or -F key= a word, or leave it out"
    );
    // A command line can hold an empty word (`-k ""`).
    let argv = ["-w", "/tmp/x", "-k", "a", "-k", ""].map(String::from);
    assert_eq!(
        super::parse_args_with(&argv, &super::FakeSystem).map(|_| ()),
        Err(super::RuleError::EmptyKey)
    );
}

#[test]
fn field_compare_without_a_comparison() {
    // Found by fuzzing: id 0 went to the kernel and listed as nothing.
    for (text, id) in [("0", 0), ("26", 26), ("0x1000", 4096)] {
        assert_eq!(
            error(&format!("-a always,exit -S all -F field_compare={text}")),
            format!(
                "field_compare={id} names no comparison; write it as -C FIELD=FIELD \
                 (for example -C uid!=euid)"
            )
        );
    }
    assert_eq!(
        rule("-a always,exit -S all -F field_compare=11").to_string(),
        "-a always,exit -S all -C uid=euid"
    );
}

#[test]
fn key_without_rule() {
    assert_eq!(
        error("-k lonely"),
        "-k needs a watch, syscall or field rule given before it"
    );
    assert_eq!(
        error("-a always,exit -F uid=0 -k k"),
        "-k needs a watch, syscall or field rule given before it"
    );
    assert_eq!(
        error("-a always,exit -F key=k"),
        "-k needs a watch, syscall or field rule given before it"
    );
}

#[test]
fn two_key_fields() {
    // `-F key=K` is `-k K` and keys join into one field; a key field with
    // another operator stays a field of its own, and the kernel takes one.
    assert_eq!(
        error("-a always,exit -S all -F key!=a -k b"),
        "field \"key\" may appear only once in a rule"
    );
    assert_eq!(
        error("-a always,exit -S all -F key!=a -F key!=b"),
        "field \"key\" may appear only once in a rule"
    );
}

#[test]
fn watch_path_must_be_absolute() {
    assert_eq!(error("-w tmp/x"), "watch path must be absolute: tmp/x");
    assert_eq!(error("-W tmp/x"), "watch path must be absolute: tmp/x");
    assert_eq!(
        error("-a always,exit -F path=tmp/x"),
        "-F path path must be absolute: tmp/x"
    );
    assert_eq!(
        error("-a always,exit -F exe=bash"),
        "-F exe path must be absolute: bash"
    );
}

#[test]
fn watch_path_limits() {
    let long = format!("/{}", "d".repeat(4095));
    assert_eq!(
        error(&format!("-w {long}")),
        "watch path is 4096 bytes long; the kernel takes at most 4095"
    );
    let name = format!("/tmp/{}", "n".repeat(256));
    assert_eq!(
        error(&format!("-w {name}")),
        format!("the last component of watch path {name} is longer than 255 bytes")
    );
    // Found by fuzzing: the same path as a field was taken, and its rule
    // listed as a `-w` that did not read back.
    for field in ["path", "dir", "exe"] {
        assert_eq!(
            error(&format!("-a always,exit -S all -F {field}={name}")),
            format!(
                "-F {field}={name}: the last component is longer than 255 bytes, \
                 which no file name is"
            )
        );
    }
    let fits = format!("/tmp/{}", "n".repeat(255));
    assert!(super::parse(&format!("-a always,exit -S all -F dir={fits}/")).is_ok());
}

#[test]
fn make_equivalent_needs_two_paths() {
    for line in ["-q /a", "-q /a,", "-q ,/b"] {
        let value = line.trim_start_matches("-q ");
        assert_eq!(
            error(line),
            format!("-q {value}: use MOUNT-POINT,SUBTREE"),
            "{line}"
        );
    }
    assert_eq!(error("-q"), "option -q needs a value");
}

#[test]
fn messages_without_control_characters() {
    assert_eq!(
        error("-m a\x07b"),
        "-m text may not contain control characters"
    );
}

#[test]
fn field_not_allowed_on_list() {
    assert_eq!(
        error("-a never,exclude -F ppid=1"),
        "field \"ppid\" is not allowed on the exclude list"
    );
    assert_eq!(
        error("-a always,exit -F msgtype=CWD"),
        "field \"msgtype\" is not allowed on the exit list"
    );
    assert_eq!(
        error("-a always,user -F path=/x"),
        "field \"path\" is not allowed on the user list"
    );
    assert_eq!(
        error("-a always,filesystem -F uid=0"),
        "field \"uid\" is not allowed on the filesystem list"
    );
    assert_eq!(
        error("-a always,exit -F fstype=debugfs"),
        "field \"fstype\" is not allowed on the exit list"
    );
    assert_eq!(
        error("-a never,task -C uid=auid"),
        "field \"field_compare\" is not allowed on the task list"
    );
    assert_eq!(
        error("-a always,io_uring -S openat -F perm=r"),
        "field \"perm\" is not allowed on the io_uring list"
    );
    // Found by fuzzing: `-k` took a key where `-F key=` refuses one.
    for key in ["-k k", "-F key=k"] {
        assert_eq!(
            error(&format!(
                "-a never,exclude -F msgtype=CWD -F exe=/bin/x {key}"
            )),
            "field \"key\" is not allowed on the exclude list"
        );
    }
}

#[test]
fn operator_not_allowed_for_field() {
    assert_eq!(
        error("-a always,exit -F path!=/x"),
        "field \"path\" only takes the = operator"
    );
    assert_eq!(
        error("-a always,exit -F arch>b64"),
        "field \"arch\" only takes = or != operators"
    );
    assert_eq!(
        error("-a always,exit -F uid&1"),
        "field \"uid\" only takes = != < > <= >= operators (not & or &=)"
    );
}

#[test]
fn malformed_field_expressions() {
    assert_eq!(
        error("-a always,exit -F uid"),
        "-F uid: missing operator (use = != < > <= >= & or &=)"
    );
    assert_eq!(
        error("-a always,exit -F =0"),
        "-F =0: missing field name before the operator"
    );
    assert_eq!(
        error("-a always,exit -F uid="),
        "-F uid=: missing value after the operator"
    );
    assert_eq!(
        error("-a always,exit -F colour=red"),
        "unknown field \"colour\""
    );
}

#[test]
fn bad_field_values() {
    assert_eq!(
        error("-a always,exit -F pid=abc"),
        "-F pid value must be a number: abc"
    );
    assert_eq!(
        error("-a always,exit -F a0=0xZZ"),
        "-F a0 value must be a number: 0xZZ"
    );
    assert_eq!(
        error("-a always,exit -F uid=nobody_here"),
        "unknown user \"nobody_here\""
    );
    // libaudit reads gids as a number or a group name only
    assert_eq!(error("-a always,exit -F gid=-1"), "unknown group \"-1\"");
    assert_eq!(
        error("-a always,exit -F inode=-1"),
        "-F inode value must be a number: -1"
    );
    assert_eq!(
        error("-a always,exit -F gid=nogroup_here"),
        "unknown group \"nogroup_here\""
    );
    assert_eq!(
        error("-a always,exit -F exit=-ENOPE"),
        "unknown errno name \"-ENOPE\""
    );
    assert_eq!(
        error("-a never,exclude -F msgtype=NOPE"),
        "unknown record type \"NOPE\""
    );
    assert_eq!(
        error("-a always,exit -F filetype=pipe"),
        "unknown file type \"pipe\" (use file, dir, socket, link, character, block or fifo)"
    );
    assert_eq!(
        error("-a always,exit -F filetype=32768"),
        "unknown file type \"32768\" (use file, dir, socket, link, character, block or fifo)"
    );
    assert_eq!(
        error("-a always,filesystem -F fstype=ext9"),
        "unknown filesystem type \"ext9\" (use debugfs, tracefs or a magic number)"
    );
    assert_eq!(
        error("-a always,exit -F perm=rwz"),
        "permission \"rwz\" may only contain the letters r, w, x and a"
    );
    assert_eq!(
        error("-w /x -p rwxaa"),
        "permission \"rwxaa\" may only contain the letters r, w, x and a"
    );
}

#[test]
fn string_too_long() {
    let label = "x".repeat(4097);
    assert_eq!(
        error(&format!("-a always,exit -F subj_type={label}")),
        "value of field \"subj_type\" is longer than 4096 bytes"
    );
}

#[test]
fn one_object_per_rule() {
    assert_eq!(
        error("-a always,exit -F path=/a -F dir=/b"),
        "only one of path, dir and inode may appear in a rule"
    );
    assert_eq!(
        error("-a always,exit -F exe=/a -F exe=/b"),
        "field \"exe\" may appear only once in a rule"
    );
}

#[test]
fn too_many_fields() {
    let fields = " -F uid=0".repeat(65);
    assert_eq!(
        error(&format!("-a always,exit -S all{fields}")),
        "too many fields in rule (at most 64)"
    );
    let fields = " -F uid=0".repeat(64);
    assert_eq!(
        error(&format!("-a always,exit -S all{fields} -k k")),
        "too many fields in rule (at most 64)"
    );
}

#[test]
fn comparisons() {
    assert_eq!(
        error("-a always,exit -S all -C uid=gid"),
        "-C uid and gid cannot be compared (compare uid fields with uid fields, gid with gid)"
    );
    assert_eq!(
        error("-a always,exit -S all -C uid>auid"),
        "-C uid>auid: use FIELD=FIELD or FIELD!=FIELD"
    );
}

#[test]
fn list_and_action() {
    assert_eq!(
        error("-a always"),
        "\"always\" is not LIST,ACTION (for example always,exit)"
    );
    assert_eq!(
        error("-a always,sometimes"),
        "unknown filter list \"sometimes\" (use task, exit, user, exclude, filesystem or io_uring)"
    );
    assert_eq!(
        error("-a exit,maybe"),
        "unknown action \"maybe\" (use always or never)"
    );
    assert_eq!(
        error("-a always,entry"),
        "the entry filter is deprecated and refused by the kernel; use exit"
    );
    assert_eq!(
        error("-a possible,exit"),
        "the possible action is deprecated and refused by the kernel; use always"
    );
}

#[test]
fn rule_option_order() {
    assert_eq!(
        error("-S open"),
        "-S needs a rule (-a, -A or -d) given before it"
    );
    assert_eq!(
        error("-F uid=0 -a always,exit"),
        "-F needs a rule (-a, -A or -d) given before it"
    );
    assert_eq!(
        error("-p wa"),
        "-p needs a watch (-w or -W) given before it"
    );
    assert_eq!(
        error("-w /a -w /b"),
        "only one rule per line: -w follows another -a, -A, -d, -w or -W"
    );
    assert_eq!(
        error("-a always,exit -d never,exit"),
        "only one rule per line: -d follows another -a, -A, -d, -w or -W"
    );
    assert_eq!(
        error("-w /a -S open"),
        "-S cannot be combined with -w or -W; use -F path= or -F dir= in a syscall rule"
    );
}

#[test]
fn command_line_shape() {
    assert_eq!(error("-x"), "unknown option -x");
    assert_eq!(error("--nope"), "unknown option --nope");
    assert_eq!(error("-w"), "option -w needs a value");
    assert_eq!(error("-l stray"), "unexpected argument \"stray\"");
    assert_eq!(error("-e 3"), "-e 3 is out of range (0..2)");
    assert_eq!(error("-b lots"), "-b value must be a number: lots");
    assert_eq!(
        error("--signal KILL"),
        "unsupported signal \"KILL\" (use TERM, HUP, USR1, USR2, CONT or stop, reload, rotate, resume, state)"
    );
}
