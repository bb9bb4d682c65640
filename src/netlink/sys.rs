//! The few process-level syscalls the daemon needs that nix does not wrap.

use nix::errno::Errno;

/// Lowers the process's nice value by `boost` (raises its priority), as
/// auditd's `priority_boost` does. Applies to every thread of the process.
pub fn raise_priority(boost: i32) -> Result<(), Errno> {
    Errno::clear();
    // SAFETY: getpriority/setpriority take plain integers and touch no
    // memory of ours; PRIO_PROCESS with who=0 names the calling process.
    let current = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
    if current == -1 && Errno::last_raw() != 0 {
        return Err(Errno::last());
    }
    // SAFETY: as above.
    let rc = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, current - boost) };
    if rc == -1 {
        return Err(Errno::last());
    }
    Ok(())
}
