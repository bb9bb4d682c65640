//! auditd's plugin interface: a program fed auditd's record lines on its
//! standard input (audisp's `format = string`), `node=` prefix included
//! when the daemon names its node, and restarted when it dies.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::output::Sink;
use crate::output::{print_event, Format};
use crate::store::query::Stored;

pub struct Plugin {
    path: PathBuf,
    args: Vec<String>,
    child: Option<(Child, ChildStdin)>,
    /// The running program's pid (0: none), for the dispatcher.
    pid: Arc<AtomicU32>,
    /// One event's lines, reused.
    text: Vec<u8>,
}

impl Plugin {
    pub fn start(path: PathBuf, args: Vec<String>, pid: Arc<AtomicU32>) -> io::Result<Plugin> {
        let mut p = Plugin {
            path,
            args,
            child: None,
            pid,
            text: Vec::new(),
        };
        p.reopen()?;
        Ok(p)
    }

    /// Closes its stdin (its end of input, as auditd does at shutdown),
    /// waits a moment for it to finish, then asks it to stop.
    fn stop(&mut self) {
        let Some((mut child, stdin)) = self.child.take() else {
            return;
        };
        self.pid.store(0, Ordering::Relaxed);
        drop(stdin);
        for _ in 0..50 {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // SIGTERM, as auditd stops its plugins.
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let _ = child.wait();
    }
}

impl Sink for Plugin {
    fn deliver(&mut self, event: &Stored) -> io::Result<()> {
        self.text.clear();
        print_event(&mut self.text, &event.event, Format::Raw)?;
        let (_, stdin) = self
            .child
            .as_mut()
            .ok_or_else(|| io::Error::other("not running"))?;
        // A plugin that died shows as a broken pipe here (SIGPIPE is
        // ignored in Rust programs).
        stdin.write_all(&self.text)?;
        stdin.flush()
    }

    fn reopen(&mut self) -> io::Result<()> {
        self.stop();
        let mut child = Command::new(&self.path)
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| {
                io::Error::new(e.kind(), format!("starting {}: {e}", self.path.display()))
            })?;
        let stdin = child.stdin.take().expect("piped stdin");
        self.pid.store(child.id(), Ordering::Relaxed);
        self.child = Some((child, stdin));
        Ok(())
    }

    fn close(&mut self) {
        self.stop();
    }
}

impl Drop for Plugin {
    fn drop(&mut self) {
        self.stop();
    }
}
