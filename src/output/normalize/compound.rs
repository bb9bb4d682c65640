//! Events of several records, built around a SYSCALL record (auparse's
//! `normalize_compound` and `normalize_syscall`).

use super::tables::{event_kind, record_action, ObjectKind, SyscallKind};
use super::Normalizer;
use crate::record::types::*;

impl Normalizer<'_, '_> {
    /// False where the event has no SYSCALL record.
    pub(super) fn compound(&mut self) -> bool {
        let otype = self.au.rtype();
        let mut rtype = otype;
        while rtype != MessageType(0) && rtype != SYSCALL {
            self.au.next_record();
            rtype = self.au.rtype();
        }
        if rtype == MessageType(0) {
            return false;
        }
        self.d.kind = Some(event_kind(otype));
        let recno = self.au.record_num();
        let syscall = self
            .au
            .find("syscall")
            .map(|_| String::from_utf8_lossy(&self.au.interpret()).into_owned());
        match self.au.find("success") {
            Some(v) => {
                self.syscall_success = Some(v != "no");
                self.d.results = Some(self.au.loc_in(recno));
            }
            None => self.back_to(recno),
        }
        if !self.set_prime_subject("auid", recno) {
            self.back_to(recno);
        }
        if !self.set_secondary_subject("uid", recno) {
            self.back_to(recno);
        }
        self.syscall_subj_attr();
        self.au.first_field();
        match self.program() {
            Some(how) => self.d.how = Some(how),
            None => self.back_to(recno),
        }
        if let Some(key) = self.au.find("key") {
            if key != "(null)" {
                self.d.key = Some(self.au.loc_in(recno));
            }
        }
        if otype == ANOM_LINK {
            self.set_action(record_action(otype));
        } else if otype == CONFIG_CHANGE {
            self.au.first_record();
            if self.au.find("op").is_some() {
                self.d.action = Some(self.au.interpret());
                self.d.object.primary = self.find_simple_object(CONFIG_CHANGE);
            }
        } else {
            self.syscall(syscall.as_deref());
        }
        true
    }

    fn back_to(&mut self, recno: usize) {
        self.au.goto_record(recno);
        self.au.first_field();
    }

    fn syscall_subj_attr(&mut self) {
        self.au.first_record();
        loop {
            let rnum = self.au.record_num();
            if self.au.rtype() == SYSCALL {
                if !self.attrs {
                    self.add_session(rnum);
                    return;
                }
                for name in [
                    "ppid", "pid", "gid", "euid", "suid", "fsuid", "egid", "sgid", "fsgid", "tty",
                ] {
                    self.add_subj_attr(name, rnum);
                }
                self.add_session(rnum);
                self.add_subj_attr("subj", rnum);
                return;
            }
            if !self.au.next_record() {
                return;
            }
        }
    }

    /// The action and object of a syscall event.
    fn syscall(&mut self, syscall: Option<&str>) {
        let mut kind = SyscallKind::Unknown;
        let mut policy = None;
        let mut rtype = MessageType(0);
        let mut more = true;
        self.au.first_record();
        while more {
            rtype = self.au.rtype();
            match rtype {
                AVC => policy = Some("accessed-mac-policy-controlled-object"),
                FANOTIFY => policy = Some("accessed-policy-controlled-file"),
                SELINUX_ERR => kind = SyscallKind::MacErr,
                NETFILTER_CFG => kind = SyscallKind::Iptables,
                ANOM_PROMISCUOUS => kind = SyscallKind::Promiscuous,
                KERN_MODULE => kind = SyscallKind::FileLdmod,
                MAC_POLICY_LOAD => kind = SyscallKind::MacLoad,
                MAC_STATUS => kind = SyscallKind::MacEnforce,
                MAC_CONFIG_CHANGE => kind = SyscallKind::MacConfig,
                TIME_INJOFFSET | TIME_ADJNTPVAL => kind = SyscallKind::SystemTime,
                BPF => kind = SyscallKind::Bpf,
                EVENT_LISTENER => kind = SyscallKind::EvListen,
                _ => {
                    more = self.au.next_record();
                    continue;
                }
            }
            break;
        }
        if kind == SyscallKind::Unknown {
            if let Some(k) = syscall.and_then(SyscallKind::of) {
                kind = k;
            }
        }
        let name = syscall.unwrap_or("");
        let action = self.syscall_object(kind, name, rtype);
        self.set_action(policy.or(action));
    }

    /// Finds the object of a syscall of `kind`; returns the action.
    fn syscall_object(
        &mut self,
        kind: SyscallKind,
        syscall: &str,
        rtype: MessageType,
    ) -> Option<&'static str> {
        use SyscallKind::*;
        match kind {
            File => {
                // The kind the PATH record's mode gives is overridden.
                self.set_file_object(0);
                self.d.object.kind = ObjectKind::File;
                self.simple_file_attr();
                Some("opened-file")
            }
            FileChattr => {
                let offset = if syscall == "fsetxattr" { -1 } else { 0 };
                self.file_object(ObjectKind::File, offset, "changed-file-attributes-of")
            }
            FileChperm => {
                let offset = if syscall == "fchmod" { -1 } else { 0 };
                let arg = if syscall == "fchmodat" { "a2" } else { "a1" };
                self.au.first_record();
                if self.au.find(arg).is_some() {
                    self.d.object.two = Some(self.au.loc_in(0));
                }
                self.file_object(ObjectKind::File, offset, "changed-file-permissions-of")
            }
            FileChown => {
                let offset = if syscall == "fchown" { -1 } else { 0 };
                self.collect_own_obj2(syscall);
                self.file_object(ObjectKind::File, offset, "changed-file-ownership-of")
            }
            FileLdmod => {
                self.d.object.kind = ObjectKind::File;
                self.au.goto_record(1);
                self.set_prime_object("name", 1);
                Some("loaded-kernel-module")
            }
            FileUnldmod => {
                self.d.object.kind = ObjectKind::File;
                Some("unloaded-kernel-module")
            }
            FileDir => self.file_object(ObjectKind::File, 1, "created-directory"),
            FileMount => {
                self.d.object.kind = ObjectKind::FileSystem;
                let success = self.syscall_success == Some(true);
                if success {
                    self.set_prime_object2("name", 0);
                }
                self.set_file_object(isize::from(success));
                self.collect_path_attrs();
                Some("mounted")
            }
            FileRename => {
                self.set_prime_object2("name", 4);
                self.file_object(ObjectKind::File, 2, "renamed")
            }
            FileStat => self.file_object(ObjectKind::File, 0, "checked-metadata-of"),
            FileSysStat => {
                self.file_object(ObjectKind::FileSystem, 0, "checked-filesystem-metadata-of")
            }
            FileLnk => {
                self.set_prime_object2("name", 0);
                self.file_object(ObjectKind::File, 2, "symlinked")
            }
            FileUmnt => self.file_object(ObjectKind::FileSystem, 0, "unmounted"),
            FileDel => self.file_object(ObjectKind::File, 0, "deleted"),
            FileTime => self.file_object(ObjectKind::File, 0, "changed-timestamp-of"),
            Exec => self.file_object(ObjectKind::File, 1, "executed"),
            SocketAccept => self.socket_object("accepted-connection-from"),
            SocketBind => self.socket_object("bound-socket"),
            SocketConn => self.socket_object("connected-to"),
            SocketRecv => self.socket_object("received-from"),
            SocketSend => self.socket_object("sent-to"),
            Pid => {
                let action = if self.au.event.records.len() > 2 {
                    "killed-list-of-pids"
                } else {
                    "killed-pid"
                };
                self.au.goto_record(1);
                self.au.first_field();
                self.object_here("saddr");
                self.set_kind(ObjectKind::Process);
                Some(action)
            }
            MacLoad => {
                self.set_kind(ObjectKind::MacConfig);
                record_action(rtype)
            }
            MacConfig | MacEnforce => {
                let field = if kind == MacConfig {
                    "bool"
                } else {
                    "enforcing"
                };
                self.object_here(field);
                self.set_kind(ObjectKind::MacConfig);
                record_action(rtype)
            }
            MacErr => {
                self.set_kind(ObjectKind::System);
                Some("caused-mac-policy-error")
            }
            Iptables => {
                self.au.first_record();
                self.object_here("table");
                self.set_kind(ObjectKind::Firewall);
                Some("loaded-firewall-rule-to")
            }
            Promiscuous => {
                self.au.first_record();
                self.object_here("dev");
                let action = self.au.find("prom").map(|_| match self.au.int() {
                    Some(0) => "left-promiscuous-mode-on-device",
                    _ => "entered-promiscuous-mode-on-device",
                });
                self.set_kind(ObjectKind::Socket);
                action
            }
            Uid | Gid => {
                self.process_object(syscall);
                self.collect_id_obj2(syscall);
                Some("changed-identity-of")
            }
            SystemTime => {
                self.set_kind(ObjectKind::System);
                Some("changed-system-time")
            }
            MakeDev => {
                self.set_file_object(0);
                self.simple_file_attr();
                Some(match self.d.object.kind {
                    ObjectKind::CharDev => "made-character-device",
                    ObjectKind::BlockDev => "made-block-device",
                    _ => "make-device",
                })
            }
            SystemName => {
                self.set_kind(ObjectKind::System);
                Some("changed-system-name")
            }
            SystemMemory => {
                let mut action = "allocated-memory";
                if self.syscall_success == Some(true) {
                    action = "allocated-memory-in";
                    self.au.first_record();
                    self.object_here("comm");
                }
                self.set_kind(ObjectKind::Memory);
                Some(action)
            }
            Scheduler => {
                self.process_object(syscall);
                Some("adjusted-scheduling-policy-of")
            }
            Bpf => {
                let action = self.bpf_action();
                self.set_kind(ObjectKind::Process);
                self.set_program_obj();
                Some(action)
            }
            EvListen => {
                let action = self.listener_action();
                self.set_kind(ObjectKind::Socket);
                self.set_program_obj();
                Some(action)
            }
            Unknown => {
                self.au.first_record();
                let action = match self.au.find("key") {
                    Some(k) if k != "(null)" => {
                        self.d.object.primary = Some(self.au.loc());
                        "triggered-audit-rule"
                    }
                    _ => "triggered-unknown-audit-rule",
                };
                self.set_kind(ObjectKind::AuditRule);
                Some(action)
            }
        }
    }

    /// `op=LOAD` or `op=UNLOAD` of a BPF record.
    pub(super) fn bpf_action(&mut self) -> &'static str {
        self.au.first_record();
        match self.au.find("op") {
            Some("LOAD") => "loaded-bpf-program",
            Some(_) => "unloaded-bpf-program",
            None => "bpf-program",
        }
    }

    /// `op=connect` or `op=disconnect` of an EVENT_LISTENER record.
    pub(super) fn listener_action(&mut self) -> &'static str {
        self.au.first_record();
        match self.au.find("op") {
            Some("connect") => "connected-to",
            Some(_) => "disconnected-from",
            None => "connected",
        }
    }

    fn set_kind(&mut self, kind: ObjectKind) {
        self.d.object.kind = kind;
    }

    /// A file syscall's object: the kind until the PATH record's mode says
    /// better, the file, and its attributes.
    fn file_object(
        &mut self,
        kind: ObjectKind,
        offset: isize,
        action: &'static str,
    ) -> Option<&'static str> {
        self.d.object.kind = kind;
        self.set_file_object(offset);
        self.simple_file_attr();
        Some(action)
    }

    /// A process acted on by `syscall`, which is then the how.
    fn process_object(&mut self, syscall: &str) {
        self.set_kind(ObjectKind::Process);
        self.set_program_obj();
        if self.d.how.is_some() {
            self.d.how = Some(syscall.as_bytes().to_vec());
        }
    }

    fn socket_object(&mut self, action: &'static str) -> Option<&'static str> {
        self.d.object.kind = ObjectKind::Socket;
        self.au.goto_record(1);
        self.au.first_field();
        self.set_prime_object("saddr", 1);
        Some(action)
    }

    /// The PATH record `2 + adjust` on (skipping PARENT ones, falling back
    /// to the first PARENT): its name, inode and kind of file.
    fn set_file_object(&mut self, adjust: isize) {
        self.au.goto_record((2 + adjust) as usize);
        self.au.first_field();
        let mut parent = 0;
        let found = loop {
            match self.au.find("nametype") {
                Some(t) if t != "PARENT" => break true,
                Some(_) => {
                    if parent == 0 {
                        parent = self.au.record_num();
                    }
                    if !self.au.next_record() {
                        break false;
                    }
                }
                None => break false,
            }
        };
        let rnum = if found {
            self.au.record_num()
        } else if parent == 0 {
            return;
        } else {
            self.au.goto_record(parent);
            self.au.first_field();
            parent
        };
        if self.au.rtype() != PATH {
            return;
        }
        self.au.first_field();
        self.set_prime_object("name", rnum);
        if self.au.find("inode").is_some() {
            self.d.object.secondary = Some(self.au.loc_in(rnum));
        }
        if let Some(mode) = self.au.find("mode") {
            let kind = crate::output::interpret::num::strtoul(mode.as_bytes(), 8)
                .and_then(ObjectKind::of_mode);
            if let Some(kind) = kind {
                self.d.object.kind = kind;
            }
        }
    }

    /// Attributes of the object file: the first PATH record that is not a
    /// PARENT (else the first PARENT), the cwd and a socket address.
    fn simple_file_attr(&mut self) {
        if !self.attrs {
            return;
        }
        let mut parent = 0;
        self.au.first_record();
        loop {
            match self.au.rtype() {
                PATH => {
                    if self.au.find("nametype") == Some("PARENT") {
                        if parent == 0 {
                            parent = self.au.record_num();
                        }
                    } else {
                        self.collect_path_attrs();
                        return;
                    }
                }
                CWD => {
                    let rnum = self.au.record_num();
                    self.add_obj_attr("cwd", rnum);
                }
                SOCKADDR => {
                    let rnum = self.au.record_num();
                    self.add_obj_attr("saddr", rnum);
                }
                _ => {}
            }
            if !self.au.next_record() {
                break;
            }
        }
        if parent != 0 {
            self.au.goto_record(parent);
            self.collect_path_attrs();
        }
    }

    /// A PATH record's mode and every field after it.
    fn collect_path_attrs(&mut self) {
        let rnum = self.au.record_num();
        self.au.first_field();
        if !self.add_obj_attr("mode", rnum) {
            return;
        }
        while self.au.next_field() {
            self.d.object.attrs.push(self.au.loc_in(rnum));
        }
    }

    fn set_prime_object2(&mut self, name: &str, adjust: usize) {
        let rnum = 2 + adjust;
        self.au.goto_record(rnum);
        self.au.first_field();
        if let Some(loc) = self.find_in(name, rnum) {
            self.d.object.two = Some(loc);
        }
    }

    /// The new owner of a chown: the uid argument, or the gid one where the
    /// uid is -1 (unchanged).
    fn collect_own_obj2(&mut self, syscall: &str) {
        let arg = if syscall == "fchownat" { "a2" } else { "a1" };
        self.au.first_record();
        if self.au.find(arg).is_some() {
            if self.au.int() == Some(-1) {
                self.au.next_field();
            }
            self.d.object.two = Some(self.au.loc_in(0));
        }
    }

    /// The id a set*id syscall sets: its first argument that is not -1.
    fn collect_id_obj2(&mut self, syscall: &str) {
        let limit = match syscall {
            "setuid" | "setgid" => 1,
            "setreuid" | "setregid" => 2,
            "setresuid" | "setresgid" => 3,
            _ => return,
        };
        self.au.first_record();
        if self.au.find("a0").is_none() {
            return;
        }
        let mut count = 1;
        while count <= limit && self.au.interpret() == b"unset" {
            if count == limit || !self.au.next_field() {
                return;
            }
            count += 1;
        }
        self.d.object.two = Some(self.au.loc_in(0));
    }

    /// The program acted on: a BPF program's id, an event listener's
    /// multicast group, or the executable.
    pub(super) fn set_program_obj(&mut self) {
        self.au.first_record();
        let rtype = self.au.rtype();
        if rtype == BPF || rtype == EVENT_LISTENER {
            let field = if rtype == BPF { "prog-id" } else { "nl-mcgrp" };
            self.object_here(field);
            return;
        }
        if self.au.find("exe").is_none() {
            return;
        }
        if super::is_interpreter(&self.au.interpret()) {
            let fnum = self.au.field_num();
            if fnum > 0 {
                self.au.goto_field(fnum - 1);
            } else {
                self.au.first_record();
            }
            self.au.find("comm");
        }
        self.d.object.primary = Some(self.au.loc());
    }
}
