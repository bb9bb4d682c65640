//! What an output reads: the events stored after a position, from its own
//! read-only connection, and how far it may fall behind the store.

use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use rusqlite::Connection;

use super::HOLD;
use crate::store::query::{self, Filter, Stored};
use crate::store::StoreError;

/// Stored events after a position, in store order.
pub struct Feed {
    conn: Connection,
    /// An open event holding back the rest, and since when.
    held: Option<(i64, Instant)>,
}

impl Feed {
    pub fn open(db: &Path) -> Result<Feed, StoreError> {
        Ok(Feed {
            conn: crate::store::open_read_only(db)?,
            held: None,
        })
    }

    /// Up to `limit` events stored after `after`. An event still open
    /// stops the batch until it ends or has waited [`HOLD`], so that
    /// outputs get whole events; `draining` sends it as it is.
    pub fn fetch(
        &mut self,
        after: i64,
        limit: usize,
        draining: bool,
    ) -> rusqlite::Result<Vec<Stored>> {
        let filter = Filter {
            after_position: Some(after),
            ..Filter::default()
        };
        let mut batch = Vec::new();
        let held = &mut self.held;
        query::for_each_stored(&self.conn, &filter, |stored| -> rusqlite::Result<bool> {
            if stored.open && !draining && holds(held, stored.position) {
                return Ok(false);
            }
            batch.push(stored);
            Ok(batch.len() < limit)
        })?;
        Ok(batch)
    }
}

/// Whether the open event at `position` still holds back the rest.
fn holds(held: &mut Option<(i64, Instant)>, position: i64) -> bool {
    match held {
        Some((p, since)) if *p == position => since.elapsed() < HOLD,
        _ => {
            *held = Some((position, Instant::now()));
            true
        }
    }
}

/// An output's place against the store, shared by its thread (which
/// takes events) and the dispatcher (which keeps it within `q_depth`
/// events of the newest, counting what it skips).
#[derive(Debug, Default)]
pub struct Lag {
    state: Mutex<LagState>,
}

#[derive(Debug, Default, Clone, Copy)]
struct LagState {
    /// The last position the output took.
    taken: i64,
    /// Positions up to here are skipped (counted as dropped).
    floor: i64,
    dropped: u64,
    gave_up: bool,
}

impl Lag {
    pub fn starting_at(position: i64) -> Lag {
        Lag {
            state: Mutex::new(LagState {
                taken: position,
                floor: position,
                ..LagState::default()
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LagState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Where the output reads on from.
    pub fn next_after(&self) -> i64 {
        let s = self.lock();
        s.taken.max(s.floor)
    }

    /// Takes the event at `position` unless it was skipped meanwhile.
    pub fn claim(&self, position: i64) -> bool {
        let mut s = self.lock();
        if position <= s.floor || s.gave_up {
            return false;
        }
        s.taken = position;
        true
    }

    /// The output stopped for good: all it did not take is dropped.
    pub fn give_up(&self) {
        self.lock().gave_up = true;
    }

    /// Keeps the output within `depth` positions of `head`; `count(a, b)`
    /// says how many events lie after a, up to b.
    pub fn bound(&self, head: i64, depth: i64, count: impl Fn(i64, i64) -> u64) {
        let mut s = self.lock();
        let floor = if s.gave_up { head } else { head - depth };
        let from = s.taken.max(s.floor);
        if floor > from {
            s.dropped += count(from, floor);
            s.floor = floor;
        }
    }

    pub fn dropped(&self) -> u64 {
        self.lock().dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_that_falls_behind_skips_to_its_depth_and_counts_it() {
        let lag = Lag::starting_at(10);
        let count = |a: i64, b: i64| (b - a) as u64;
        lag.bound(15, 8, count);
        assert_eq!(
            (lag.dropped(), lag.next_after()),
            (0, 10),
            "within its depth"
        );
        assert!(lag.claim(11));
        lag.bound(30, 8, count);
        assert_eq!((lag.dropped(), lag.next_after()), (11, 22));
        assert!(!lag.claim(20), "skipped: counted already");
        assert!(lag.claim(23));
        lag.bound(30, 8, count);
        assert_eq!(lag.dropped(), 11, "nothing more behind");
        lag.give_up();
        lag.bound(40, 8, count);
        assert_eq!(lag.dropped(), 11 + 17);
        assert!(!lag.claim(41));
    }
}
