//! Release order: completed events wait until no older event is still
//! being assembled, then leave oldest first (by time, then serial). Events
//! of different CPUs interleave, and a later one often completes first;
//! this is the order ausearch prints a log's events in, so the store keeps
//! the same order.

use std::collections::BTreeMap;

use super::Event;
use crate::record::EventId;

#[derive(Default)]
pub struct Release {
    held: BTreeMap<(EventId, u64), Event>,
    arrivals: u64,
}

impl Release {
    pub fn hold(&mut self, event: Event) {
        self.arrivals += 1;
        self.held.insert((event.id, self.arrivals), event);
    }

    /// The held events older than `oldest_open` (all of them when nothing
    /// is open), oldest first.
    pub fn ready(&mut self, oldest_open: Option<EventId>) -> Vec<Event> {
        let keep = match oldest_open {
            Some(limit) => self.held.split_off(&(limit, 0)),
            None => BTreeMap::new(),
        };
        std::mem::replace(&mut self.held, keep)
            .into_values()
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }
}
