//! User and group names as they were when an event was stored: `-i` and
//! ausearch ask the user database when the search runs, so a user renamed,
//! deleted or whose uid was reused since reads back under the wrong name.
//! The daemon asks when it stores the event and keeps the answer with the
//! event's context.
//!
//! Asked through the system's user database (getpwuid/getgrgid, so LDAP
//! and sssd users too), once per id until the files behind it change or
//! [`STALE`] has passed: a busy uid costs a map lookup per event.

type IdMap = foldhash::HashMap<u32, (Instant, Arc<str>)>;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// How long an answer is reused when the files did not change (names
/// from a network directory change without touching them).
pub const STALE: Duration = Duration::from_secs(60);

/// How often the files' modification times are looked at.
const STAMP_EVERY: Duration = Duration::from_secs(1);

/// The most ids remembered per kind: past it the map starts over.
const CAPACITY: usize = 8192;

/// Where names come from.
pub trait Directory: Send {
    fn user(&self, uid: u32) -> Option<String>;
    fn group(&self, gid: u32) -> Option<String>;
    /// Changes whenever a name may have changed (the files' mtimes).
    fn stamp(&self) -> Option<SystemTime>;
}

/// The machine's user database, through NSS.
pub struct System {
    files: Vec<PathBuf>,
}

impl Default for System {
    fn default() -> System {
        System {
            files: vec!["/etc/passwd".into(), "/etc/group".into()],
        }
    }
}

impl Directory for System {
    fn user(&self, uid: u32) -> Option<String> {
        nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
            .ok()
            .flatten()
            .map(|u| u.name)
    }

    fn group(&self, gid: u32) -> Option<String> {
        nix::unistd::Group::from_gid(nix::unistd::Gid::from_raw(gid))
            .ok()
            .flatten()
            .map(|g| g.name)
    }

    fn stamp(&self) -> Option<SystemTime> {
        self.files
            .iter()
            .filter_map(|f| std::fs::metadata(f).and_then(|m| m.modified()).ok())
            .max()
    }
}

/// The ids of an event's process whose names are kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ids {
    pub uid: Option<u32>,
    pub auid: Option<u32>,
    pub gid: Option<u32>,
}

/// The names of [`Ids`] as `-i` would have printed them at the time;
/// `None` where nothing needs keeping (no id, `unset`, or root, which
/// ausearch prints without asking).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Names {
    pub uid: Option<Arc<str>>,
    pub auid: Option<Arc<str>>,
    pub gid: Option<Arc<str>>,
}

impl Names {
    pub fn is_empty(&self) -> bool {
        self.uid.is_none() && self.auid.is_none() && self.gid.is_none()
    }
}

/// Answers of a [`Directory`], remembered.
pub struct Accounts {
    directory: Box<dyn Directory>,
    users: IdMap,
    groups: IdMap,
    stamp: Option<SystemTime>,
    stamp_read: Option<Instant>,
}

impl Accounts {
    pub fn new(directory: Box<dyn Directory>) -> Accounts {
        Accounts {
            directory,
            users: IdMap::default(),
            groups: IdMap::default(),
            stamp: None,
            stamp_read: None,
        }
    }

    pub fn names(&mut self, ids: Ids, now: Instant) -> Names {
        self.notice_changes(now);
        let Accounts {
            directory,
            users,
            groups,
            ..
        } = self;
        let user = |id| directory.user(id);
        Names {
            uid: ids.uid.and_then(|id| remembered(users, id, now, user)),
            auid: ids.auid.and_then(|id| remembered(users, id, now, user)),
            gid: ids
                .gid
                .and_then(|id| remembered(groups, id, now, |id| directory.group(id))),
        }
    }

    /// Forgets every answer once the files behind them changed.
    fn notice_changes(&mut self, now: Instant) {
        if self
            .stamp_read
            .is_some_and(|at| now.duration_since(at) < STAMP_EVERY)
        {
            return;
        }
        self.stamp_read = Some(now);
        let stamp = self.directory.stamp();
        if stamp != self.stamp {
            self.stamp = stamp;
            self.users.clear();
            self.groups.clear();
        }
    }
}

/// Ids whose `-i` name never depends on the directory: -1 (`unset`) and
/// 0 (`root`).
fn asked_without_directory(id: u32) -> bool {
    id == u32::MAX || id == 0
}

/// The name of `id`, asked of the directory (`ask`) unless remembered;
/// `None` for the ids [`asked_without_directory`].
fn remembered(
    map: &mut IdMap,
    id: u32,
    now: Instant,
    ask: impl FnOnce(u32) -> Option<String>,
) -> Option<Arc<str>> {
    if asked_without_directory(id) {
        return None;
    }
    if let Some((at, name)) = map.get(&id) {
        if now.duration_since(*at) < STALE {
            return Some(Arc::clone(name));
        }
    }
    // As `-i` prints an id the directory does not know.
    let name: Arc<str> = ask(id).unwrap_or_else(|| format!("unknown({id})")).into();
    if map.len() >= CAPACITY {
        map.clear();
    }
    map.insert(id, (now, Arc::clone(&name)));
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Mutex;

    /// A directory a test edits, counting the questions asked.
    #[derive(Clone, Default)]
    struct Fake(Arc<Mutex<FakeState>>);

    #[derive(Default)]
    struct FakeState {
        users: HashMap<u32, String>,
        stamp: u64,
        asked: usize,
    }

    impl Fake {
        fn rename(&self, uid: u32, name: &str, touch: bool) {
            let mut s = self.0.lock().unwrap();
            s.users.insert(uid, name.into());
            if touch {
                s.stamp += 1;
            }
        }

        fn asked(&self) -> usize {
            self.0.lock().unwrap().asked
        }
    }

    impl Directory for Fake {
        fn user(&self, uid: u32) -> Option<String> {
            let mut s = self.0.lock().unwrap();
            s.asked += 1;
            s.users.get(&uid).cloned()
        }

        fn group(&self, gid: u32) -> Option<String> {
            (gid == 100).then(|| "users".to_string())
        }

        fn stamp(&self) -> Option<SystemTime> {
            let s = self.0.lock().unwrap();
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(s.stamp))
        }
    }

    fn ids(uid: u32) -> Ids {
        Ids {
            uid: Some(uid),
            auid: Some(u32::MAX),
            gid: Some(100),
        }
    }

    #[test]
    fn names_are_asked_once_and_kept_as_i_prints_them() {
        let fake = Fake::default();
        fake.rename(1000, "alice", false);
        let mut accounts = Accounts::new(Box::new(fake.clone()));
        let t0 = Instant::now();
        let names = accounts.names(ids(1000), t0);
        assert_eq!(
            names,
            Names {
                uid: Some("alice".into()),
                auid: None,
                gid: Some("users".into()),
            }
        );
        accounts.names(ids(1000), t0 + Duration::from_millis(10));
        assert_eq!(fake.asked(), 1, "a known uid is not asked again");
        let unknown = accounts.names(ids(1001), t0);
        assert_eq!(unknown.uid.as_deref(), Some("unknown(1001)"));
        let root = accounts.names(ids(0), t0);
        assert_eq!(root.uid, None, "root needs no keeping");
    }

    #[test]
    fn a_rename_is_seen_once_the_files_change_or_the_answer_is_stale() {
        let fake = Fake::default();
        fake.rename(1000, "alice", false);
        let mut accounts = Accounts::new(Box::new(fake.clone()));
        let t0 = Instant::now();
        assert_eq!(accounts.names(ids(1000), t0).uid.as_deref(), Some("alice"));

        // The files changed: seen at the next look at them.
        fake.rename(1000, "bob", true);
        let later = t0 + STAMP_EVERY;
        assert_eq!(accounts.names(ids(1000), later).uid.as_deref(), Some("bob"));

        // A directory that changed without the files: seen once stale.
        fake.rename(1000, "carol", false);
        let soon = later + Duration::from_secs(2);
        assert_eq!(accounts.names(ids(1000), soon).uid.as_deref(), Some("bob"));
        let stale = later + STALE;
        assert_eq!(
            accounts.names(ids(1000), stale).uid.as_deref(),
            Some("carol")
        );
    }
}
