//! `max_age`: the writer deletes events older than the limit between its
//! batches, one bounded step at a time (see store::retention), so that
//! ingest never waits longer than one step.

use std::time::{Duration, Instant};

use crate::store::retention::{now_ms, Older};
use crate::store::Writer;

/// How often the writer looks for events past their age when it has
/// caught up.
const LOOK_EVERY: Duration = Duration::from_secs(60);

pub struct Retention {
    max_age_ms: i64,
    last_look: Option<Instant>,
    /// Deleted since the backlog began, said when it is cleared.
    deleted: u64,
}

impl Retention {
    pub fn new(max_age_days: u64) -> Retention {
        Retention {
            max_age_ms: (max_age_days as i64).saturating_mul(86_400_000),
            last_look: None,
            deleted: 0,
        }
    }

    /// One step, if one is due: every call while events past the limit
    /// remain, else once a minute.
    pub fn step(&mut self, store: &mut Writer) {
        self.step_at(store, now_ms());
    }

    fn step_at(&mut self, store: &mut Writer, now_ms: i64) {
        if self.max_age_ms == 0 {
            return;
        }
        let catching_up = self.deleted > 0;
        if !catching_up && self.last_look.is_some_and(|t| t.elapsed() < LOOK_EVERY) {
            return;
        }
        self.last_look = Some(Instant::now());
        match store.prune_step(Older::Than(now_ms - self.max_age_ms)) {
            Ok(Some(gone)) => self.deleted += gone.events,
            Ok(None) => {
                if self.deleted > 0 {
                    eprintln!(
                        "raudit daemon: {} events older than max_age deleted",
                        self.deleted
                    );
                }
                self.deleted = 0;
            }
            Err(e) => {
                eprintln!("raudit daemon: deleting events older than max_age: {e}");
                self.deleted = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::parse_log_line;

    fn event(sec: i64, serial: u64) -> crate::event::Event {
        let line = format!("type=USER_END msg=audit({sec}.000:{serial}): pid=1 uid=0 msg='x'");
        let record = parse_log_line(&line);
        crate::event::Event {
            id: record.id,
            node: None,
            records: vec![record],
        }
    }

    #[test]
    fn events_past_max_age_go_a_step_at_a_time_and_the_newest_commit_stays() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.db");
        let mut w = Writer::open(&db).unwrap();
        let day = 86_400;
        // Three commits: 10 and 5 days before "now", then today.
        let now = 1_800_000_000i64;
        for (n, age) in [(1, 10), (2, 5), (3, 0)] {
            w.write(&[event(now - age * day, n)], &[]).unwrap();
        }
        let count = |_: &Writer| -> i64 {
            crate::store::open_read_only(&db)
                .unwrap()
                .query_row("SELECT count(*) FROM event", [], |r| r.get(0))
                .unwrap()
        };
        let mut r = Retention::new(7);
        r.step_at(&mut w, now * 1000);
        assert_eq!(count(&w), 2, "the 10-day-old event went");
        r.step_at(&mut w, now * 1000);
        assert_eq!(count(&w), 2, "the 5-day-old one is within max_age");
        let mut r = Retention::new(1);
        r.step_at(&mut w, now * 1000 + 100 * day * 1000);
        r.step_at(&mut w, now * 1000 + 100 * day * 1000);
        assert_eq!(count(&w), 1, "the newest commit with events stays");
    }
}
