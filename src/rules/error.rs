//! Everything that can be wrong with a rule line or a rule from the kernel.
//! Each message is one line that names the offending input.

use crate::wire::WireError;

/// An `-i` before `-l` or `-s` is read as "ignore errors", not "interpret".
fn interpret_hint(flag: char) -> &'static str {
    match flag {
        'i' => "; to interpret -l or -s, put -i after them",
        _ => "",
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RuleError {
    // --- command-line shape
    #[error("unknown option {0}")]
    UnknownOption(String),
    #[error("option {0} needs a value")]
    MissingValue(String),
    #[error("unexpected argument \"{0}\"")]
    UnexpectedArgument(String),
    #[error("{option} value must be a number: {value}")]
    BadNumber { option: String, value: String },
    #[error("{option} {value} is out of range ({range})")]
    OutOfRange {
        option: String,
        value: u32,
        range: &'static str,
    },
    #[error("only one rule per line: {0} follows another -a, -A, -d, -w or -W")]
    SecondRule(String),
    #[error("{0} needs a rule (-a, -A or -d) given before it")]
    NeedsRule(String),
    #[error("-p needs a watch (-w or -W) given before it")]
    PermWithoutWatch,
    #[error("-k needs a watch, syscall or field rule given before it")]
    KeyWithoutRule,
    #[error("{0} cannot be combined with -w or -W; use -F path= or -F dir= in a syscall rule")]
    WatchWithSyscallOption(String),
    #[error("unsupported signal \"{0}\" (use TERM, HUP, USR1, USR2, CONT or stop, reload, rotate, resume, state)")]
    UnknownSignal(String),
    #[error("-R cannot be used in a rules file: rules files do not nest")]
    NestedRulesFile,
    #[error("-R must be the only option: write the other options as lines of the rules file")]
    ReadFileNotAlone,
    /// The flag still takes effect in a rules file, as in auditctl.
    #[error("-{flag} must be the last option (auditctl ignores what follows it): to go on past errors in a rules file, make -{flag} a line of its own in that file{hint}", flag = .0, hint = interpret_hint(*.0))]
    PolicyFlagNotLast(char),
    #[error("{option} takes no -{flag}: put -{flag} on a line of its own")]
    PolicyFlagAfter { flag: char, option: &'static str },
    #[error("the line is not valid UTF-8")]
    NotUtf8,
    #[error("-m text may not contain control characters")]
    BadMessage,
    #[error("-q {0}: use MOUNT-POINT,SUBTREE")]
    BadEquivalent(String),

    // --- -a/-A/-d LIST,ACTION
    #[error("\"{0}\" is not LIST,ACTION (for example always,exit)")]
    BadListAction(String),
    #[error("unknown filter list \"{0}\" (use task, exit, user, exclude, filesystem or io_uring)")]
    UnknownList(String),
    #[error("unknown action \"{0}\" (use always or never)")]
    UnknownAction(String),
    #[error("the {0} filter is deprecated and refused by the kernel; use exit")]
    DeprecatedList(String),
    #[error("the possible action is deprecated and refused by the kernel; use always")]
    DeprecatedAction,

    // --- -S
    #[error("syscall name \"{name}\" unknown for arch {arch}")]
    UnknownSyscall { name: String, arch: String },
    #[error("syscall number {0} is out of range (0..2047)")]
    SyscallOutOfRange(String),
    #[error("syscall auditing cannot be put on the {0} list")]
    SyscallOnList(&'static str),
    #[error("-F arch must come before -S")]
    ArchAfterSyscall,

    // --- -F and -C
    #[error("-F {0}: missing operator (use = != < > <= >= & or &=)")]
    MissingOperator(String),
    #[error("-F {0}: missing field name before the operator")]
    MissingFieldName(String),
    #[error("-F {0}: missing value after the operator")]
    MissingFieldValue(String),
    #[error("unknown field \"{0}\"")]
    UnknownField(String),
    #[error("field \"{field}\" only takes {allowed}")]
    BadOperator {
        field: &'static str,
        allowed: &'static str,
    },
    #[error("field \"{field}\" is not allowed on the {list} list")]
    FieldNotAllowed {
        field: &'static str,
        list: &'static str,
    },
    #[error("-F {field} value must be a number: {value}")]
    NotANumber { field: &'static str, value: String },
    #[error("value is too large for field: {field} (address families are 0 to {max})")]
    FamilyTooLarge { field: &'static str, max: u32 },
    #[error("unknown user \"{0}\"")]
    UnknownUser(String),
    #[error("unknown group \"{0}\"")]
    UnknownGroup(String),
    #[error("unknown errno name \"{0}\"")]
    UnknownErrno(String),
    #[error("unknown record type \"{0}\"")]
    UnknownMsgType(String),
    #[error("unknown file type \"{0}\" (use file, dir, socket, link, character, block or fifo)")]
    UnknownFileType(String),
    #[error("unknown filesystem type \"{0}\" (use debugfs, tracefs or a magic number)")]
    UnknownFsType(String),
    #[error("unknown arch \"{0}\" (use b32, b64 or a machine name such as x86_64)")]
    UnknownArch(String),
    #[error("arch {arch} is not supported on {machine}")]
    ArchUnsupported { arch: String, machine: &'static str },
    #[error("permission \"{0}\" may only contain the letters r, w, x and a")]
    BadPermission(String),
    #[error("-F {field} path must be absolute: {path}")]
    PathNotAbsolute { field: &'static str, path: String },
    #[error("-F {field}={path}: the kernel takes no '/' at the end of a {field} (use dir= for a directory)")]
    PathEndsInSlash { field: &'static str, path: String },
    #[error(
        "-F {field}={path}: the last component is longer than 255 bytes, which no file name is"
    )]
    PathNameTooLong { field: &'static str, path: String },
    #[error("watch path must be absolute: {0}")]
    WatchNotAbsolute(String),
    #[error("watch path is {0} bytes long; the kernel takes at most 4095")]
    WatchPathTooLong(usize),
    #[error("the last component of watch path {0} is longer than 255 bytes")]
    WatchNameTooLong(String),
    #[error("value of field \"{field}\" is longer than {max} bytes")]
    StringTooLong { field: &'static str, max: usize },
    #[error("key is longer than 256 bytes")]
    KeyTooLong,
    /// The kernel refuses a key field of length 0 (EINVAL); auditctl
    /// drops an empty key without a word.
    #[error("key is empty: give -k or -F key= a word, or leave it out")]
    EmptyKey,
    #[error("key \"{0}\" contains the \\x01 byte that separates keys")]
    KeyHasSeparator(String),
    #[error("field \"{0}\" may appear only once in a rule")]
    DuplicateField(&'static str),
    #[error("only one of path, dir and inode may appear in a rule")]
    SecondObject,
    #[error("too many fields in rule (at most 64)")]
    TooManyFields,
    #[error("-C {0}: use FIELD=FIELD or FIELD!=FIELD")]
    BadComparison(String),
    #[error("-C {left} and {right} cannot be compared (compare uid fields with uid fields, gid with gid)")]
    IncompatibleComparison { left: String, right: String },
    /// The kernel takes any id up to its last one, and warns ("Missing
    /// AUDIT_COMPARE define") each time it meets another.
    #[error("field_compare={0} names no comparison; write it as -C FIELD=FIELD (for example -C uid!=euid)")]
    UnknownComparison(u32),

    // --- from the kernel
    #[error("kernel rule: {0}")]
    Wire(#[from] WireError),
    #[error("kernel rule: unknown {what} {value}")]
    UnknownNumber { what: &'static str, value: u32 },
    #[error("kernel rule: string fields need {need} bytes but the buffer has {have}")]
    ShortStrings { need: usize, have: usize },
}
