//! One output: a thread that reads the stored events from its [`Feed`]
//! and hands them to a [`Sink`], reopening the sink (with backoff) when it
//! fails. It never holds up anything but itself: the dispatcher keeps it
//! within its depth of the store ([`Lag`]), counting what it skips.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::feed::{Feed, Lag};
use crate::store::query::Stored;

/// Where events go: a program's stdin, a syslog server, a file.
pub trait Sink: Send {
    /// Delivers one event; an error means the sink is broken and is
    /// reopened before the event is tried again.
    fn deliver(&mut self, event: &Stored) -> io::Result<()>;
    /// Opens (again) what a failure broke: a connection, a program.
    fn reopen(&mut self) -> io::Result<()>;
    /// Flushes and closes at shutdown.
    fn close(&mut self) {}
}

/// How an output retries: the first wait, the longest, and how many
/// reopenings in a row may fail before it gives up (auditd's
/// `max_restarts`; 0: never give up).
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub first: Duration,
    pub longest: Duration,
    pub max_failures: u32,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            first: Duration::from_millis(100),
            longest: Duration::from_secs(10),
            max_failures: 10,
        }
    }
}

/// Events read from the store at once, at most: an output's memory.
const BATCH: usize = 256;
const IDLE: Duration = Duration::from_millis(20);

/// What an output thread is told from outside.
pub struct Control<'a> {
    /// Send what is stored, then end.
    pub drain: &'a AtomicBool,
    /// End now (shutdown waited long enough).
    pub abandon: &'a AtomicBool,
}

/// The output's thread body.
pub fn run(
    name: &str,
    mut sink: Box<dyn Sink>,
    mut feed: Feed,
    lag: &Lag,
    control: Control<'_>,
    retry: Retry,
) {
    loop {
        let draining = control.drain.load(Ordering::Relaxed);
        let batch = match feed.fetch(lag.next_after(), BATCH, draining) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("raudit daemon: output {name}: reading the store: {e}");
                Vec::new()
            }
        };
        if batch.is_empty() {
            if draining || control.abandon.load(Ordering::Relaxed) {
                break;
            }
            std::thread::sleep(IDLE);
            continue;
        }
        for event in batch.iter().filter(|e| lag.claim(e.position)) {
            if !deliver(name, sink.as_mut(), event, control.abandon, retry) {
                lag.give_up();
                if !control.abandon.load(Ordering::Relaxed) {
                    eprintln!(
                        "raudit daemon: output {name}: giving up after {} failed restarts; what it does not take is counted as lost",
                        retry.max_failures
                    );
                }
                return;
            }
        }
    }
    sink.close();
}

/// One event, retried through reopenings; false when the output gives up.
fn deliver(
    name: &str,
    sink: &mut dyn Sink,
    event: &Stored,
    stop: &AtomicBool,
    retry: Retry,
) -> bool {
    let mut wait = retry.first;
    let mut failures = 0;
    let mut result = sink.deliver(event);
    while let Err(e) = result {
        failures += 1;
        if stop.load(Ordering::Relaxed) || (retry.max_failures > 0 && failures > retry.max_failures)
        {
            return false;
        }
        eprintln!(
            "raudit daemon: output {name}: {e}; reopening in {} ms",
            wait.as_millis()
        );
        pause(wait, stop);
        wait = (wait * 2).min(retry.longest);
        result = sink.reopen().and_then(|()| sink.deliver(event));
    }
    true
}

/// Sleeps up to `wait`, sooner when asked to stop.
fn pause(wait: Duration, stop: &AtomicBool) {
    let step = Duration::from_millis(20);
    let mut slept = Duration::ZERO;
    while slept < wait && !stop.load(Ordering::Relaxed) {
        std::thread::sleep(step);
        slept += step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;
    use std::sync::Arc;

    /// Fails `fail` deliveries, then takes everything.
    struct Flaky {
        fail: u32,
        got: Arc<AtomicU64>,
    }

    impl Sink for Flaky {
        fn deliver(&mut self, _: &Stored) -> io::Result<()> {
            if self.fail > 0 {
                self.fail -= 1;
                return Err(io::Error::other("down"));
            }
            self.got.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
        fn reopen(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn event() -> Stored {
        let record =
            crate::record::parse_payload(crate::record::types::SYSCALL, b"audit(1.000:1): x=1");
        Stored {
            event: crate::event::Event {
                id: record.id,
                node: None,
                records: vec![record],
            },
            position: 1,
            open: false,
            enrichment: None,
            context: Default::default(),
        }
    }

    fn quick(max_failures: u32) -> Retry {
        Retry {
            first: Duration::from_millis(1),
            longest: Duration::from_millis(2),
            max_failures,
        }
    }

    #[test]
    fn a_failing_sink_is_reopened_until_it_takes_the_event() {
        let got = Arc::new(AtomicU64::new(0));
        let mut sink = Flaky {
            fail: 3,
            got: Arc::clone(&got),
        };
        assert!(deliver(
            "t",
            &mut sink,
            &event(),
            &AtomicBool::new(false),
            quick(5)
        ));
        assert_eq!(got.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn a_sink_that_keeps_failing_is_given_up() {
        let mut sink = Flaky {
            fail: 100,
            got: Arc::default(),
        };
        assert!(!deliver(
            "t",
            &mut sink,
            &event(),
            &AtomicBool::new(false),
            quick(2)
        ));
        let mut sink = Flaky {
            fail: 100,
            got: Arc::default(),
        };
        assert!(
            !deliver("t", &mut sink, &event(), &AtomicBool::new(true), quick(0)),
            "abandoned"
        );
    }
}
