//! The interpretations auditd's ENRICHED format appends to each record
//! after a `\x1d` separator: carried beside the records while they are
//! grouped into events, kept in the `enrichment` table, read back by search.

use std::collections::{HashMap, VecDeque};

use crate::event::Event;
use crate::record::{EventId, MessageType, Record};

/// Per record of an event: `None` for a line without the separator, else
/// the text after it (possibly empty).
pub type Extras = Vec<Option<String>>;

type Key = (Option<String>, EventId, MessageType, String);

fn key(r: &Record) -> Key {
    (r.node.clone(), r.id, r.rtype, r.text.clone())
}

/// Enrichment of records read but not yet grouped, found again by the
/// record itself once its event is complete.
#[derive(Default)]
pub struct Pending(HashMap<Key, VecDeque<String>>);

impl Pending {
    pub fn hold(&mut self, r: &Record, extra: String) {
        self.0.entry(key(r)).or_default().push_back(extra);
    }

    /// The event's enrichment, `None` when no record of it had any.
    pub fn take(&mut self, event: &Event) -> Option<Extras> {
        if self.0.is_empty() {
            return None;
        }
        let extras: Extras = event
            .records
            .iter()
            .map(|r| {
                let k = key(r);
                let queue = self.0.get_mut(&k)?;
                let extra = queue.pop_front();
                if queue.is_empty() {
                    self.0.remove(&k);
                }
                extra
            })
            .collect();
        extras.iter().any(Option::is_some).then_some(extras)
    }
}

/// The stored form: one line per record, `-` or `+TEXT`.
pub fn encode(extras: &Extras) -> String {
    extras
        .iter()
        .map(|e| match e {
            None => "-\n".to_string(),
            Some(t) => format!("+{t}\n"),
        })
        .collect()
}

pub fn decode(text: &str) -> Extras {
    text.lines()
        .map(|l| l.strip_prefix('+').map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let extras = vec![None, Some(String::new()), Some("UID=\"root\"".into())];
        assert_eq!(decode(&encode(&extras)), extras);
    }
}
