//! Events of one record, whose pieces are all in it (auparse's
//! `normalize_simple` and `find_simple_object`).

use super::tables::{event_kind, record_action, ObjectKind};
use super::{Loc, Normalizer};
use crate::record::types::*;
use crate::record::MessageType;

impl Normalizer<'_, '_> {
    pub(super) fn simple(&mut self) -> bool {
        let rtype = self.au.rtype();
        // Some older kernels write no PROCTITLE after a lone SYSCALL.
        if rtype == SYSCALL {
            return self.compound();
        }
        self.d.kind = Some(event_kind(rtype));
        match rtype {
            CONFIG_CHANGE | FEATURE_CHANGE | SECCOMP | ANOM_ABEND | ANOM_PROMISCUOUS => {
                self.auid_first(rtype)
            }
            LOGIN => self.login(),
            NETFILTER_CFG => self.netfilter_cfg(),
            AVC => self.avc(),
            t if (FIRST_DAEMON..LAST_DAEMON).contains(&t) => self.daemon(rtype),
            BPF => {
                self.d.subject.kind = Some("system");
                let action = self.bpf_action();
                self.set_action(Some(action));
                self.d.object.kind = ObjectKind::Process;
                self.set_program_obj();
            }
            EVENT_LISTENER => self.listener(),
            t if (MAC_UNLBL_ALLOW..=LAST_SELINUX).contains(&t) => self.labeled_networking(rtype),
            _ => self.user_space(rtype),
        }
        true
    }

    fn collect_simple_subj_attr(&mut self) {
        if !self.attrs {
            return;
        }
        self.au.first_record();
        self.add_subj_attr("pid", 0);
        self.add_subj_attr("subj", 0);
    }

    /// The interpreted value of the next field `name`, if any.
    fn interpreted(&mut self, name: &str) -> Option<Vec<u8>> {
        self.au.find(name)?;
        Some(self.au.interpret())
    }

    /// Events that go: auid, (op), (uid), the rest.
    fn auid_first(&mut self, rtype: MessageType) {
        self.set_prime_subject("auid", 0);
        self.add_session(0);
        self.collect_simple_subj_attr();
        let rule_change = (rtype == CONFIG_CHANGE)
            .then(|| {
                self.au.first_field();
                self.interpreted("op")
            })
            .flatten()
            .and_then(|op| {
                let op = op.strip_prefix(b"\"").unwrap_or(&op);
                if op.starts_with(b"add_rule") {
                    Some("added-audit-rule")
                } else if op.starts_with(b"remove_rule") {
                    Some("deleted-audit-rule")
                } else {
                    None
                }
            });
        match rule_change {
            Some(action) => {
                self.set_action(Some(action));
                self.d.object.primary = self.find_simple_object(rtype);
            }
            None => {
                self.set_action(record_action(rtype));
                if rtype == CONFIG_CHANGE {
                    self.d.object.primary = self.find_simple_object(rtype);
                }
                self.au.first_record();
            }
        }
        match rtype {
            FEATURE_CHANGE => {
                self.secondary_uid();
                if let Some(exe) = self.interpreted("exe") {
                    self.d.how = Some(exe);
                }
                self.set_prime_object("feature", 0);
                self.d.object.kind = ObjectKind::System;
            }
            SECCOMP => {
                self.secondary_uid();
                if let Some(exe) = self.interpreted("exe") {
                    self.d.how = Some(exe);
                }
                if !self.set_prime_object("syscall", 0) {
                    self.au.first_record();
                }
                self.d.object.kind = ObjectKind::Process;
                if self.au.find("code").is_some() {
                    self.d.results = Some(self.au.loc_in(0));
                }
                return;
            }
            ANOM_ABEND => {
                self.secondary_uid();
                if !self.set_prime_object("exe", 0) {
                    self.au.first_record();
                }
                self.d.object.kind = ObjectKind::Process;
                if let Some(sig) = self.interpreted("sig") {
                    self.d.how = Some(sig);
                }
            }
            ANOM_PROMISCUOUS => {
                self.au.first_field();
                self.set_prime_object("dev", 0);
                self.set_secondary_subject("uid", 0);
                self.d.object.kind = ObjectKind::Socket;
            }
            _ => {}
        }
        self.set_results(0);
    }

    /// The `uid` from the first field on, as the secondary subject.
    fn secondary_uid(&mut self) {
        self.au.first_field();
        if !self.set_secondary_subject("uid", 0) {
            self.au.first_record();
        }
    }

    /// The kernel's LOGIN: the old login uid changed to the new one.
    fn login(&mut self) {
        if !self.set_secondary_subject("uid", 0) {
            self.au.first_record();
        }
        self.collect_simple_subj_attr();
        if !self.set_prime_subject("old-auid", 0) {
            self.au.first_record();
        }
        if !self.set_prime_object("auid", 0) {
            self.au.first_record();
        }
        self.d.object.kind = ObjectKind::UserSession;
        self.add_session(0);
        self.set_results(0);
        self.set_action(record_action(LOGIN));
    }

    fn netfilter_cfg(&mut self) {
        self.collect_simple_subj_attr();
        if let Some(comm) = self.interpreted("comm") {
            self.d.how = Some(comm);
        }
        self.set_action(Some("loaded-firewall-rule-to"));
        self.au.first_record();
        self.object_here("table");
        self.d.subject.kind = Some("system");
        self.d.object.kind = ObjectKind::Firewall;
    }

    /// An AVC outside a syscall: little more than the contexts.
    fn avc(&mut self) {
        match self.interpreted("comm") {
            Some(comm) => self.d.how = Some(comm),
            None => self.au.first_record(),
        }
        self.set_prime_subject("scontext", 0);
        self.d.subject.kind = Some("unknown-acct");
        self.au.first_record();
        // Only asked for with the attributes: the text form would read
        // badly with it.
        if self.attrs {
            self.set_prime_object("tcontext", 0);
            self.au.first_record();
        }
        self.d.object.kind = ObjectKind::Unknown;
        self.set_action(record_action(AVC));
        self.au.first_record();
        if self.au.find("seresult").is_some() {
            self.d.results = Some(self.au.loc_in(0));
        }
    }

    /// auditd's own records, which never pass the kernel.
    fn daemon(&mut self, rtype: MessageType) {
        self.set_prime_subject("auid", 0);
        if !self.set_secondary_subject("uid", 0) {
            self.au.first_record();
        }
        if !self.add_session(0) {
            self.au.first_record();
        }
        self.collect_simple_subj_attr();
        self.d.subject.kind = Some("auditd");
        self.set_action(record_action(rtype));
        self.d.object.kind = ObjectKind::Service;
        if rtype == DAEMON_START {
            self.d.how = Some(b"init".to_vec());
        } else if rtype < DAEMON_ACCEPT && rtype != DAEMON_ABORT {
            self.d.how = Some(b"signal".to_vec());
        }
        self.set_results(0);
    }

    fn listener(&mut self) {
        self.set_prime_subject("auid", 0);
        self.au.first_record();
        self.set_secondary_subject("uid", 0);
        self.au.first_record();
        self.add_session(0);
        self.collect_simple_subj_attr();
        let action = self.listener_action();
        self.set_action(Some(action));
        self.set_program_obj();
        self.d.object.kind = ObjectKind::Socket;
        self.au.first_record();
        if let Some(exe) = self.interpreted("exe") {
            self.d.how = Some(exe);
        }
        self.au.first_record();
        self.set_results(0);
    }

    fn labeled_networking(&mut self, rtype: MessageType) {
        self.set_prime_subject("auid", 0);
        // No secondary subject: the kind comes from the auid.
        self.set_subject_kind();
        self.add_session(0);
        self.add_subj_attr("subj", 0);
        let action = if rtype == MAC_UNLBL_ALLOW {
            match self.au.find("unlbl_accept") {
                Some(_) if self.au.int() == Some(1) => {
                    Some("is-allowing-unlabeled-network-traffic")
                }
                Some(_) => Some("is-disallowing-unlabeled-network-traffic"),
                None => {
                    self.au.first_record();
                    None
                }
            }
        } else {
            record_action(rtype)
        };
        self.set_action(action);
        if (rtype == MAC_MAP_ADD || rtype == MAC_MAP_DEL)
            && !self.set_prime_object("nlbl_domain", 0)
        {
            self.au.first_record();
        }
        self.d.object.kind = ObjectKind::MacConfig;
        self.set_results(0);
    }

    /// Events that go: uid, auid, ses, res, and an object by type.
    fn user_space(&mut self, rtype: MessageType) {
        if rtype == USER_LOGIN {
            // A failed login has no auid yet: the subject is the account.
            if self.set_prime_subject("id", 0) {
                self.set_subject_kind();
            } else {
                self.au.first_record();
                if self.set_prime_subject("acct", 0) {
                    self.set_subject_kind();
                }
            }
            self.au.first_record();
        } else {
            if !self.set_secondary_subject("uid", 0) {
                self.au.first_record();
            }
            self.set_prime_subject("auid", 0);
        }
        self.add_session(0);
        self.collect_simple_subj_attr();
        if (FIRST_USER_MSG..LAST_USER_MSG).contains(&rtype)
            || (FIRST_USER_MSG2..LAST_USER_MSG2).contains(&rtype)
        {
            self.collect_userspace_subj_attr(rtype);
        }
        if rtype != USER_AVC {
            self.set_results(0);
        } else {
            self.au.first_record();
            if self.au.find("seresult").is_some() {
                self.d.results = Some(self.au.loc_in(0));
            }
            self.au.first_record();
            self.set_prime_subject("scontext", 0);
            if self.attrs {
                self.au.first_record();
                self.set_prime_object("tcontext", 0);
            }
        }
        let mut action = None;
        if rtype == USER_DEVICE {
            self.au.first_record();
            action = self.au.find("op").map(|op| op.as_bytes().to_vec());
        }
        match action {
            Some(op) => self.d.action = Some(op),
            None => self.set_action(record_action(rtype)),
        }
        if rtype != USER_AVC {
            self.au.first_record();
            self.d.object.primary = self.find_simple_object(rtype);
            self.d.object.secondary = self.find_simple_obj_secondary(rtype);
            self.d.object.two = self.find_simple_obj_primary2(rtype);
            if self.attrs {
                if rtype == USER_DEVICE {
                    self.add_obj_attr("uuid", 0);
                } else if rtype == SOFTWARE_UPDATE {
                    self.au.first_record();
                    self.add_obj_attr("key_enforce", 0);
                    self.add_obj_attr("gpg_res", 0);
                }
            }
        }
        self.user_space_how(rtype);
    }

    fn collect_userspace_subj_attr(&mut self, rtype: MessageType) {
        if !self.attrs {
            return;
        }
        self.add_subj_attr("hostname", 0);
        self.add_subj_attr("addr", 0);
        // Some events have the terminal as the object.
        if !matches!(rtype, USER_START | USER_END | USER_ERR) {
            self.add_subj_attr("terminal", 0);
        }
    }

    fn user_space_how(&mut self, rtype: MessageType) {
        if rtype == SYSTEM_BOOT || rtype == SYSTEM_SHUTDOWN {
            self.d.object.kind = if rtype == SYSTEM_BOOT {
                ObjectKind::System
            } else {
                ObjectKind::Service
            };
            if let Some(exe) = self.interpreted("exe") {
                self.d.how = Some(exe);
            }
            return;
        }
        self.au.first_record();
        let how = match rtype {
            ANOM_EXEC => self.interpreted("terminal"),
            TTY => self.interpreted("comm"),
            _ => self.program(),
        };
        if let Some(how) = how {
            self.d.how = Some(how);
        }
    }

    /// The object of a one-record event, by its type; sets the object's
    /// kind (and for USYS_CONFIG the action).
    pub(super) fn find_simple_object(&mut self, rtype: MessageType) -> Option<Loc> {
        use ObjectKind::*;
        self.au.first_field();
        let (name, kind) = match rtype {
            SERVICE_START | SERVICE_STOP => ("unit", Some(Service)),
            SYSTEM_RUNLEVEL => ("new-level", Some(System)),
            USER_ROLE_CHANGE => ("selected-context", Some(UserSession)),
            ROLE_ASSIGN | ROLE_REMOVE | USER_MGMT | ACCT_LOCK | ACCT_UNLOCK | ADD_USER
            | DEL_USER | ADD_GROUP | DEL_GROUP | GRP_MGMT => {
                self.d.object.kind = Account;
                if self.au.find("id").is_none() {
                    self.au.first_record();
                    self.au.find("acct")?;
                }
                return Some(self.au.loc_in(0));
            }
            USER_START | USER_END | USER_ERR | USER_LOGIN | USER_LOGOUT => {
                ("terminal", Some(UserSession))
            }
            USER_AUTH | USER_ACCT | CRED_ACQ | CRED_REFR | CRED_DISP | USER_CHAUTHTOK
            | GRP_CHAUTHTOK | ANOM_LOGIN_FAILURES | ANOM_LOGIN_TIME | ANOM_LOGIN_SESSIONS
            | ANOM_LOGIN_LOCATION => ("acct", Some(UserSession)),
            ANOM_EXEC | USER_CMD => ("cmd", Some(Process)),
            USER_TTY | TTY => {
                self.au.first_record();
                ("data", Some(Keystrokes))
            }
            USER_DEVICE => {
                self.au.first_record();
                ("device", Some(Keystrokes))
            }
            SOFTWARE_UPDATE => {
                self.au.first_record();
                ("sw", Some(Software))
            }
            VIRT_MACHINE_ID => ("vm", Some(VirtualMachine)),
            VIRT_RESOURCE => ("resrc", Some(VirtualMachine)),
            VIRT_CONTROL => ("op", Some(VirtualMachine)),
            LABEL_LEVEL_CHANGE => ("printer", Some(Printer)),
            CONFIG_CHANGE => {
                self.d.object.kind = AuditConfig;
                return self.config_change_object().then(|| self.au.loc_in(0));
            }
            MAC_CONFIG_CHANGE => ("bool", Some(MacConfig)),
            MAC_STATUS => ("enforcing", Some(MacConfig)),
            t if matches!(t, MAC_POLICY_LOAD | LABEL_OVERRIDE)
                || (DEV_ALLOC..=USER_MAC_CONFIG_CHANGE).contains(&t) =>
            {
                self.d.object.kind = MacConfig;
                return None;
            }
            USER => ("addr", None),
            USYS_CONFIG => {
                if let Some(op) = self.interpreted("op") {
                    self.d.action = Some(op);
                }
                self.d.object.kind = System;
                return None;
            }
            CRYPTO_KEY_USER => ("fp", Some(UserSession)),
            CRYPTO_SESSION => ("addr", Some(UserSession)),
            ANOM_RBAC_INTEGRITY_FAIL => ("hostname", Some(FileSystem)),
            _ => return None,
        };
        if let Some(kind) = kind {
            self.d.object.kind = kind;
        }
        self.au.find(name)?;
        Some(self.au.loc_in(0))
    }

    /// A CONFIG_CHANGE's object: the rule's key, else the setting changed.
    fn config_change_object(&mut self) -> bool {
        self.au.first_record();
        if self.au.find("key").is_some_and(|k| k != "(null)") {
            return true;
        }
        [
            "audit_enabled",
            "audit_pid",
            "audit_backlog_limit",
            "audit_failure",
            "actions",
        ]
        .iter()
        .any(|name| {
            self.au.first_record();
            self.au.find(name).is_some()
        })
    }

    fn find_simple_obj_secondary(&mut self, rtype: MessageType) -> Option<Loc> {
        self.au.first_field();
        let name = match rtype {
            CRYPTO_SESSION => "rport",
            SOFTWARE_UPDATE => "sw_type",
            _ => return None,
        };
        self.au.find(name)?;
        Some(self.au.loc_in(0))
    }

    fn find_simple_obj_primary2(&mut self, rtype: MessageType) -> Option<Loc> {
        self.au.first_field();
        let name = match rtype {
            VIRT_CONTROL | VIRT_RESOURCE => "vm",
            SOFTWARE_UPDATE => "root_dir",
            _ => return None,
        };
        self.au.find(name)?;
        Some(self.au.loc_in(0))
    }
}
