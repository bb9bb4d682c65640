//! aureport's summary lists: distinct values with their hit counts, in
//! the order aureport prints them.
//!
//! A text list keeps first-seen order; a number list keeps ascending
//! order. Both are then sorted by hits, most first, with a sort that
//! keeps ties in their order (aureport swaps neighbours only when the
//! second has strictly more hits).

use std::collections::HashMap;
use std::hash::Hash;

#[derive(Debug, Clone)]
pub struct Tally<T> {
    items: Vec<(T, u32)>,
    /// Where each text value stands in `items`.
    index: HashMap<T, usize>,
}

impl<T> Default for Tally<T> {
    fn default() -> Self {
        Tally {
            items: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T: Eq + Hash + Clone> Tally<T> {
    /// Counts a text value `hits` times (`slist_add_if_uniq`).
    pub fn add(&mut self, value: T, hits: u32) {
        match self.index.get(&value) {
            Some(&i) => self.items[i].1 += hits,
            None => {
                self.index.insert(value.clone(), self.items.len());
                self.items.push((value, hits));
            }
        }
    }
}

impl<T> Tally<T> {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Values with their hits, most hits first, ties as they were.
    pub fn by_hits(&self) -> Vec<(&T, u32)> {
        let mut sorted: Vec<(&T, u32)> = self.items.iter().map(|(v, h)| (v, *h)).collect();
        sorted.sort_by_key(|v| std::cmp::Reverse(v.1));
        sorted
    }
}

impl<T: Ord> Tally<T> {
    /// Counts a number `hits` times, keeping the list in ascending order
    /// (`ilist_add_if_uniq`).
    pub fn add_ordered(&mut self, value: T, hits: u32) {
        match self.items.binary_search_by(|(v, _)| v.cmp(&value)) {
            Ok(i) => self.items[i].1 += hits,
            Err(i) => self.items.insert(i, (value, hits)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_ties_keep_first_seen_order() {
        let mut t = Tally::default();
        for v in ["b", "a", "c", "a", "c"] {
            t.add(v, 1);
        }
        t.add("b", 2);
        assert_eq!(t.by_hits(), vec![(&"b", 3), (&"a", 2), (&"c", 2)]);
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn numbers_ties_keep_ascending_order() {
        let mut t = Tally::default();
        for v in [1305, 1300, 1112, 1300, 1112, 2000] {
            t.add_ordered(v, 1);
        }
        assert_eq!(
            t.by_hits(),
            vec![(&1112, 2), (&1300, 2), (&1305, 1), (&2000, 1)]
        );
    }
}
