//! Each check's judgement of what was measured, pure: numbers in, a
//! [`Verdict`] out.

use super::{Perf, Status, Thresholds, Verdict};

/// Events matching the filters (`what` says where: "in the last 5m").
pub fn events(count: u64, what: &str, t: &Thresholds) -> Verdict {
    let perf = Perf::new("events", count as f64, "");
    Verdict::measured(perf, t, format!("{count} matching events {what}"))
}

/// Events the store recorded as lost (`what`: "in the last 1h", "since
/// the last check").
pub fn loss(lost: u64, rows: u64, what: &str, t: &Thresholds) -> Verdict {
    let perf = Perf::new("lost", lost as f64, "");
    let text = match lost {
        0 => format!("no loss recorded {what}"),
        n => {
            format!("{n} events lost {what} ({rows} loss records; raudit search --loss lists them)")
        }
    };
    Verdict::measured(perf, t, text)
}

/// The daemon holding the database's writer lock against the kernel's
/// registered audit pid: recording needs both to be the same process.
pub fn daemon(writer: Option<(u32, &str)>, kernel_pid: u32, db: &str) -> Verdict {
    let perf = |pid: u32| Perf::new("audit_pid", f64::from(pid), "");
    match writer {
        None => Verdict::new(
            Status::Critical,
            format!("no raudit daemon is recording to {db}"),
        )
        .with(perf(kernel_pid)),
        Some((pid, _)) if pid == kernel_pid => Verdict::new(
            Status::Ok,
            format!("raudit daemon pid {pid} records to {db} and is the kernel's audit daemon"),
        )
        .with(perf(kernel_pid)),
        Some((pid, comm)) => {
            let registered = match kernel_pid {
                0 => "no audit daemon is registered with the kernel".to_string(),
                other => format!("the kernel's audit pid is {other}"),
            };
            Verdict::new(
                Status::Critical,
                format!("{comm} pid {pid} holds {db} but is not the kernel's audit daemon: {registered}"),
            )
            .with(perf(kernel_pid))
        }
    }
}

/// The kernel's `enabled`: 1 on, 2 on and locked, 0 off.
pub fn enabled(enabled: u32) -> Verdict {
    let (status, text) = match enabled {
        1 => (Status::Ok, "kernel auditing is enabled".to_string()),
        2 => (
            Status::Ok,
            "kernel auditing is enabled and locked (immutable)".to_string(),
        ),
        0 => (
            Status::Critical,
            "kernel auditing is disabled (enabled 0); raudit ctl -e 1 enables it".to_string(),
        ),
        n => (Status::Unknown, format!("kernel reports enabled {n}")),
    };
    Verdict::new(status, text).with(Perf::new("enabled", f64::from(enabled), "").max(2.0))
}

/// The kernel's queue of records not yet read, as a share of its limit
/// (0: no limit).
pub fn backlog(backlog: u32, limit: u32, t: &Thresholds) -> Verdict {
    let used = match limit {
        0 => 0.0,
        l => f64::from(backlog) * 100.0 / f64::from(l),
    };
    let count = Perf::new("backlog", f64::from(backlog), "");
    let count = match limit {
        0 => count,
        l => count.max(f64::from(l)),
    };
    let text = match limit {
        0 => format!("backlog {backlog}, no limit"),
        l => format!("backlog {backlog} of {l} ({used:.0}% used)"),
    };
    Verdict::measured(Perf::new("backlog_used", used, "%").max(100.0), t, text).with(count)
}

/// The rules directory against the kernel: rules that differ and lines
/// that cannot be loaded.
pub fn rules(differ: usize, unloadable: usize, dir: &str, t: &Thresholds) -> Verdict {
    let total = differ + unloadable;
    let text = match (differ, unloadable) {
        (0, 0) => format!("kernel rules match {dir}"),
        _ => format!(
            "kernel rules drift from {dir}: {differ} rules differ, {unloadable} lines cannot be loaded; raudit ctl --check lists them"
        ),
    };
    Verdict::measured(Perf::new("drift", total as f64, ""), t, text).with(Perf::new(
        "unloadable",
        unloadable as f64,
        "",
    ))
}

/// Free space on the database's file system, in MiB.
pub fn space(free_mib: u64, total_mib: u64, dir: &str, t: &Thresholds) -> Verdict {
    let perf = Perf::new("free", free_mib as f64, "MB").max(total_mib as f64);
    let text = format!("{free_mib} MiB free of {total_mib} MiB on {dir}");
    Verdict::measured(perf, t, text)
}

/// The newest stored event's age while the kernel audits: a store that
/// stops growing while the kernel is enabled has stopped recording.
pub fn stale(kernel_enabled: u32, last_ms: Option<i64>, now_ms: i64, t: &Thresholds) -> Verdict {
    if kernel_enabled == 0 {
        return Verdict::new(
            Status::Ok,
            "kernel auditing is disabled: no events are expected",
        );
    }
    let Some(last) = last_ms else {
        return Verdict::new(
            Status::Critical,
            "the store holds no event while kernel auditing is enabled",
        );
    };
    let age = (now_ms - last).max(0) / 1000;
    let perf = Perf::new("age", age as f64, "s");
    Verdict::measured(perf, t, format!("last event stored {age} s ago"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(w: &str, c: &str) -> Thresholds {
        Thresholds {
            warning: Some(w.parse().unwrap()),
            critical: Some(c.parse().unwrap()),
        }
    }

    #[test]
    fn events_and_loss_are_judged_on_their_count() {
        let th = t("0", "10");
        assert_eq!(events(0, "in the last 5m", &th).status, Status::Ok);
        assert_eq!(events(3, "", &th).status, Status::Warning);
        let v = events(11, "in the last 5m", &th);
        assert_eq!(v.status, Status::Critical);
        assert_eq!(
            v.line("EVENTS"),
            "RAUDIT EVENTS CRITICAL - 11 matching events in the last 5m | events=11;0;10;0;"
        );
        assert_eq!(loss(0, 0, "since the last check", &th).status, Status::Ok);
        assert_eq!(loss(5, 2, "", &th).status, Status::Warning);
        assert!(loss(5, 2, "", &th).text.contains("2 loss records"));
    }

    #[test]
    fn the_daemon_must_hold_the_store_and_be_registered() {
        let ok = daemon(Some((10, "raudit")), 10, "/db");
        assert_eq!(ok.status, Status::Ok);
        assert_eq!(ok.perf[0].to_string(), "audit_pid=10;;;0;");
        assert_eq!(daemon(None, 0, "/db").status, Status::Critical);
        let v = daemon(Some((10, "raudit")), 0, "/db");
        assert_eq!(v.status, Status::Critical);
        assert!(
            v.text.contains("no audit daemon is registered"),
            "{}",
            v.text
        );
        let v = daemon(Some((10, "raudit")), 77, "/db");
        assert!(v.text.contains("audit pid is 77"), "{}", v.text);
    }

    #[test]
    fn enabled_is_ok_at_1_and_2_only() {
        assert_eq!(enabled(0).status, Status::Critical);
        assert_eq!(enabled(1).status, Status::Ok);
        assert_eq!(enabled(2).status, Status::Ok);
        assert_eq!(enabled(3).status, Status::Unknown);
        assert_eq!(enabled(1).perf[0].to_string(), "enabled=1;;;0;2");
    }

    #[test]
    fn backlog_is_a_share_of_its_limit() {
        let th = t("50", "80");
        assert_eq!(backlog(10, 64, &th).status, Status::Ok);
        assert_eq!(backlog(40, 64, &th).status, Status::Warning);
        let v = backlog(60, 64, &th);
        assert_eq!(v.status, Status::Critical);
        assert_eq!(
            v.perf.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["backlog_used=93.75%;50;80;0;100", "backlog=60;;;0;64"]
        );
        assert_eq!(backlog(1000, 0, &th).status, Status::Ok, "no limit");
    }

    #[test]
    fn rules_drift_counts_differences_and_unloadable_lines() {
        let th = Thresholds {
            warning: None,
            critical: Some("0".parse().unwrap()),
        };
        assert_eq!(rules(0, 0, "/r", &th).status, Status::Ok);
        assert_eq!(rules(1, 0, "/r", &th).status, Status::Critical);
        assert_eq!(rules(0, 1, "/r", &th).status, Status::Critical);
    }

    #[test]
    fn space_alerts_below_its_ranges() {
        let th = t("75:", "50:");
        assert_eq!(space(100, 1000, "/var", &th).status, Status::Ok);
        assert_eq!(space(60, 1000, "/var", &th).status, Status::Warning);
        let v = space(10, 1000, "/var", &th);
        assert_eq!(v.status, Status::Critical);
        assert_eq!(v.perf[0].to_string(), "free=10MB;75:;50:;0;1000");
    }

    #[test]
    fn stale_needs_an_enabled_kernel_and_judges_the_age() {
        let th = t("300", "900");
        let now = 1_700_001_000_000;
        assert_eq!(stale(0, None, now, &th).status, Status::Ok);
        assert_eq!(stale(1, None, now, &th).status, Status::Critical);
        assert_eq!(stale(1, Some(now - 10_000), now, &th).status, Status::Ok);
        assert_eq!(
            stale(1, Some(now - 600_000), now, &th).status,
            Status::Warning
        );
        let v = stale(2, Some(now - 1_000_000), now, &th);
        assert_eq!(v.status, Status::Critical);
        assert_eq!(v.perf[0].to_string(), "age=1000s;300;900;0;");
    }
}
