//! Builds one rule from the rule options of a command line, in order, with
//! the checks auditctl makes as it goes (`-F arch` before `-S`, keys after
//! something they can label, fields valid for the list...).

use super::arch::parse_arch;
use super::fields::{self, Kind};
use super::model::{
    Action, FieldValue, FilterList, Operator, Rule, RuleField, SyscallMask, MAX_SYSCALL, OPERATORS,
};
use super::system::System;
use super::value::{self, parse_c_number};
use super::RuleError;
use crate::tables;
use crate::tables::arch::{self, Machine};
use crate::wire::KEY_SEPARATOR;

/// AUDIT_PERM_READ | WRITE | EXEC | ATTR: a watch's default.
const ALL_PERMS: u32 = 15;
const MAX_FIELDS: usize = crate::wire::rule::MAX_FIELDS;

#[derive(Debug)]
pub struct RuleBuilder {
    pub delete: bool,
    prepend: bool,
    list: FilterList,
    action: Action,
    /// Made by -w/-W: only -p and -k may follow.
    watch: bool,
    syscalls: SyscallMask,
    syscall_added: bool,
    /// Set by -F arch; picks the table for -S names.
    machine: Option<(&'static Machine, String)>,
    fields: Vec<RuleField>,
    /// Something a key can label: syscalls, a watched path, a perm, an exe
    /// or an fstype (auditctl's `_audit_*added` flags).
    keyable: bool,
    keys: Vec<String>,
    /// Warnings auditctl prints for this rule (see [`Invocation::warnings`]).
    ///
    /// [`Invocation::warnings`]: super::Invocation::warnings
    pub warnings: Vec<String>,
}

/// auditctl's warning for a syscall rule whose numbers depend on the arch.
pub const MISMATCH_WARNING: &str =
    "WARNING - 32/64 bit syscall mismatch, you should specify an arch";
/// PATH_MAX: auditctl's limit for a watch path (with fields::NAME_MAX).
const PATH_MAX: usize = 4096;

impl RuleBuilder {
    /// `-a`/`-A`/`-d` with "list,action" or "action,list".
    pub fn syscall_rule(spec: &str, delete: bool, prepend: bool) -> Result<Self, RuleError> {
        let (list, action) = parse_list_action(spec)?;
        Ok(RuleBuilder::new(list, action, delete, prepend, false))
    }

    /// `-w`/`-W PATH`: exit list, always, every syscall, a path (or, for an
    /// existing directory, a recursive dir) field and perm rwxa.
    pub fn watch(path: &str, delete: bool, sys: &dyn System) -> Result<Self, RuleError> {
        if path.len() >= PATH_MAX {
            return Err(RuleError::WatchPathTooLong(path.len()));
        }
        if !path.starts_with('/') {
            return Err(RuleError::WatchNotAbsolute(path.to_string()));
        }
        let path = value::trim_trailing_slashes(path);
        let name = path.rsplit('/').next().unwrap_or("");
        if name.len() > fields::NAME_MAX {
            return Err(RuleError::WatchNameTooLong(path.to_string()));
        }
        let mut b = RuleBuilder::new(FilterList::Exit, Action::Always, delete, false, true);
        // auditctl's check_path: warnings, the rule is still sent.
        if path.contains("..") {
            b.warn("Warning - relative path notation is not supported");
        }
        if path.contains(['*', '?']) {
            b.warn("Warning - wildcard notation is not supported");
        }
        let field = if sys.is_dir(path) {
            fields::DIR
        } else {
            fields::WATCH
        };
        b.push(field, Operator::Equal, FieldValue::Str(path.to_string()));
        b.push(fields::PERM, Operator::Equal, FieldValue::Num(ALL_PERMS));
        b.syscalls = SyscallMask::all();
        b.syscall_added = true;
        b.keyable = true;
        Ok(b)
    }

    fn new(list: FilterList, action: Action, delete: bool, prepend: bool, watch: bool) -> Self {
        RuleBuilder {
            delete,
            prepend,
            list,
            action,
            watch,
            syscalls: SyscallMask::default(),
            syscall_added: false,
            machine: None,
            fields: Vec::new(),
            keyable: false,
            keys: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn warn(&mut self, text: &str) {
        self.warnings.push(text.to_string());
    }

    fn push(&mut self, field: u32, op: Operator, value: FieldValue) {
        self.fields.push(RuleField { field, op, value });
    }

    fn refuse_on_watch(&self, option: &str) -> Result<(), RuleError> {
        match self.watch {
            true => Err(RuleError::WatchWithSyscallOption(option.to_string())),
            false => Ok(()),
        }
    }

    /// `-S name,number,all`.
    pub fn add_syscalls(&mut self, spec: &str) -> Result<(), RuleError> {
        self.refuse_on_watch("-S")?;
        if !self.list.takes_syscalls() {
            return Err(RuleError::SyscallOnList(self.list.name()));
        }
        // Only the first -S of a rule without an arch is checked, as in
        // auditctl, which then takes the native arch as given.
        let check_bits = !self.delete
            && !self.syscall_added
            && self.machine.is_none()
            && self.list != FilterList::IoUring;
        for name in spec.split(',') {
            if name == "all" {
                self.syscalls = SyscallMask::all();
            } else {
                let nr = self.syscall_number(name)?;
                self.syscalls.insert(nr);
            }
        }
        if check_bits && self.differs_on_32bit(spec) {
            self.warn(MISMATCH_WARNING);
        }
        self.syscall_added = true;
        self.keyable = true;
        Ok(())
    }

    /// auditctl's check_rule_mismatch: the whole `-S` text read with the
    /// native machine's 32-bit table (a name, "all", or a leading number)
    /// must give the same mask as the native reading.
    fn differs_on_32bit(&self, spec: &str) -> bool {
        let Some(table) = arch::native().flavor_32().and_then(Machine::syscalls) else {
            return false;
        };
        let mut mask = SyscallMask::default();
        if spec == "all" {
            mask = SyscallMask::all();
        } else if let Some(nr) = table.number(spec).or_else(|| value::leading_number(spec)) {
            if nr <= MAX_SYSCALL {
                mask.insert(nr);
            }
        }
        mask != self.syscalls
    }

    fn syscall_number(&self, name: &str) -> Result<u32, RuleError> {
        let (table, arch) = match (self.list, &self.machine) {
            (FilterList::IoUring, _) => (Some(tables::uring_ops()), "io_uring".to_string()),
            (_, Some((m, text))) => (m.syscalls(), text.clone()),
            (_, None) => {
                let native = arch::native();
                (
                    native.syscalls(),
                    if native.is_64bit() { "b64" } else { "b32" }.to_string(),
                )
            }
        };
        if let Some(nr) = table.and_then(|t| t.number(name)) {
            return Ok(nr);
        }
        if name.starts_with(|c: char| c.is_ascii_digit()) {
            return parse_c_number(name)
                .filter(|nr| *nr <= MAX_SYSCALL)
                .ok_or_else(|| RuleError::SyscallOutOfRange(name.to_string()));
        }
        Err(RuleError::UnknownSyscall {
            name: name.to_string(),
            arch,
        })
    }

    /// `-F name<op>value`. `-F key=K` is auditctl's other spelling of
    /// `-k K`: the key joins the others at the end of the rule (another
    /// operator makes a key field in place, which auditctl lists with `=`).
    pub fn add_field(&mut self, expr: &str, sys: &dyn System) -> Result<(), RuleError> {
        self.refuse_on_watch("-F")?;
        if let Some(key) = expr.strip_prefix("key=") {
            return self.add_key(key);
        }
        let (name, op, text) = split_field(expr)?;
        let def = fields::by_name(name).ok_or_else(|| RuleError::UnknownField(name.to_string()))?;
        if !def.allowed_on(self.list) {
            return Err(RuleError::FieldNotAllowed {
                field: def.name,
                list: self.list.name(),
            });
        }
        if !def.ops.allows(op) {
            return Err(RuleError::BadOperator {
                field: def.name,
                allowed: def.ops.describe(),
            });
        }
        match def.kind {
            Kind::Arch if self.syscall_added => return Err(RuleError::ArchAfterSyscall),
            Kind::Arch => self.machine = Some((parse_arch(text)?, text.to_string())),
            Kind::Key if !self.keyable => return Err(RuleError::KeyWithoutRule),
            _ => {}
        }
        self.check_singletons(def.id)?;
        let value = value::parse(def, text, sys)?;
        let labels_something = [fields::WATCH, fields::DIR, fields::PERM, fields::EXE];
        if labels_something.contains(&def.id) || def.kind == Kind::FsType {
            self.keyable = true;
        }
        self.push(def.id, op, value);
        self.check_count()
    }

    /// The kernel takes one key field, one exe, and one of path/dir/inode.
    fn check_singletons(&self, id: u32) -> Result<(), RuleError> {
        let has = |ids: &[u32]| self.fields.iter().any(|f| ids.contains(&f.field));
        let objects = [fields::WATCH, fields::DIR, fields::INODE];
        if objects.contains(&id) && has(&objects) {
            return Err(RuleError::SecondObject);
        }
        if matches!(id, fields::EXE | fields::FILTERKEY) && has(&[id]) {
            return Err(RuleError::DuplicateField(
                fields::by_id(id).map_or("?", |d| d.name),
            ));
        }
        Ok(())
    }

    fn check_count(&self) -> Result<(), RuleError> {
        let key_field = usize::from(!self.keys.is_empty());
        match self.fields.len() + key_field > MAX_FIELDS {
            true => Err(RuleError::TooManyFields),
            false => Ok(()),
        }
    }

    /// `-C left=right`: libaudit allows it on the exit list only (and the
    /// io_uring list filters on the same task credentials).
    pub fn add_compare(&mut self, expr: &str) -> Result<(), RuleError> {
        self.refuse_on_watch("-C")?;
        if !matches!(self.list, FilterList::Exit | FilterList::IoUring) {
            return Err(RuleError::FieldNotAllowed {
                field: "field_compare",
                list: self.list.name(),
            });
        }
        self.fields.push(super::compare::parse(expr)?);
        self.check_count()
    }

    /// `-p rwxa`: replaces the perm field, or adds one.
    pub fn set_perm(&mut self, letters: &str) -> Result<(), RuleError> {
        if !self.list_allows(fields::PERM) {
            return Err(RuleError::FieldNotAllowed {
                field: "perm",
                list: self.list.name(),
            });
        }
        let bits = FieldValue::Num(value::parse_perm(letters)?);
        match self.fields.iter_mut().find(|f| f.field == fields::PERM) {
            Some(field) => field.value = bits,
            None => self.push(fields::PERM, Operator::Equal, bits),
        }
        self.check_count()
    }

    fn list_allows(&self, id: u32) -> bool {
        fields::by_id(id).is_some_and(|d| d.allowed_on(self.list))
    }

    /// `-k key`: keys are joined with \x01 into one field at the end.
    pub fn add_key(&mut self, key: &str) -> Result<(), RuleError> {
        if !self.list_allows(fields::FILTERKEY) {
            return Err(RuleError::FieldNotAllowed {
                field: "key",
                list: self.list.name(),
            });
        }
        if !self.keyable {
            return Err(RuleError::KeyWithoutRule);
        }
        let key = value::parse_key(key)?;
        let joined: usize = self.keys.iter().map(|k| k.len() + 1).sum::<usize>() + key.len();
        if joined > fields::MAX_KEY_LEN {
            return Err(RuleError::KeyTooLong);
        }
        self.keys.push(key);
        self.check_count()
    }

    /// The finished rule. Like auditctl, a rule that named no syscalls gets
    /// all of them, except on the task list.
    pub fn finish(mut self) -> Result<Rule, RuleError> {
        if !self.syscall_added && self.list != FilterList::Task {
            self.syscalls = SyscallMask::all();
        }
        if !self.keys.is_empty() {
            if self.fields.iter().any(|f| f.field == fields::FILTERKEY) {
                return Err(RuleError::DuplicateField("key"));
            }
            let joined = self.keys.join(KEY_SEPARATOR);
            self.push(fields::FILTERKEY, Operator::Equal, FieldValue::Str(joined));
        }
        self.check_count()?;
        Ok(Rule {
            list: self.list,
            action: self.action,
            prepend: self.prepend,
            syscalls: self.syscalls,
            fields: self.fields,
        })
    }
}

/// "always,exit" or "exit,always".
fn parse_list_action(spec: &str) -> Result<(FilterList, Action), RuleError> {
    let (a, b) = spec
        .split_once(',')
        .ok_or_else(|| RuleError::BadListAction(spec.to_string()))?;
    let (list, action) = if Action::from_name(a).is_some() || FilterList::from_name(b).is_some() {
        (b, a)
    } else {
        (a, b)
    };
    let action = match Action::from_name(action) {
        Some(Action::Possible) => return Err(RuleError::DeprecatedAction),
        Some(action) => action,
        None => return Err(RuleError::UnknownAction(action.to_string())),
    };
    match FilterList::from_name(list) {
        Some(FilterList::Entry) => Err(RuleError::DeprecatedList("entry".to_string())),
        Some(FilterList::Watch) | None => Err(RuleError::UnknownList(list.to_string())),
        Some(list) => Ok((list, action)),
    }
}

/// Splits "name<op>value" the way libaudit does: the first operator found
/// when trying "!=", ">=", "<=", "&=", "=", ">", "<", "&" in that order.
fn split_field(expr: &str) -> Result<(&str, Operator, &str), RuleError> {
    let (op, at, len) = OPERATORS
        .iter()
        .find_map(|(op, _, sym)| expr.find(sym).map(|at| (*op, at, sym.len())))
        .ok_or_else(|| RuleError::MissingOperator(expr.to_string()))?;
    let (name, value) = (&expr[..at], &expr[at + len..]);
    if name.is_empty() {
        return Err(RuleError::MissingFieldName(expr.to_string()));
    }
    if value.is_empty() {
        return Err(RuleError::MissingFieldValue(expr.to_string()));
    }
    Ok((name, op, value))
}
