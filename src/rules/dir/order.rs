//! Orders for a rules directory: the natural sort of its file names
//! (`ls -v`), augenrules' placement of `-D`, `-b`, `-f` and `-e`, and the
//! ordered diff of two rule lists.

use std::cmp::Ordering;

use super::{DriftLine, Located};
use crate::rules::Rule;

/// Compares file names as `ls -v` does (gnulib's filevercmp): runs of
/// digits compare as numbers, letters sort before other characters, and a
/// trailing run of `.suffix`es only breaks ties.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (pa, pb) = (strip_suffix(a), strip_suffix(b));
    match (pa == pb, verrevcmp(pa.as_bytes(), pb.as_bytes())) {
        (true, _) | (false, Ordering::Equal) => verrevcmp(a.as_bytes(), b.as_bytes()),
        (false, order) => order,
    }
}

/// `name` without its suffixes: the longest tail of `.` followed by a
/// letter or `~` and then letters, digits or `~` (filevercmp's
/// `(\.[A-Za-z~][A-Za-z0-9~]*)*$`).
fn strip_suffix(name: &str) -> &str {
    let bytes = name.as_bytes();
    let mut end = bytes.len();
    loop {
        let Some(dot) = name[..end].rfind('.') else {
            return &name[..end];
        };
        let tail = &bytes[dot + 1..end];
        let first_ok = tail
            .first()
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'~');
        let rest_ok = tail.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'~');
        if !(first_ok && rest_ok) || dot == 0 {
            return &name[..end];
        }
        end = dot;
    }
}

/// Debian's version comparison, as filevercmp uses it.
fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    fn order(c: Option<&u8>) -> i32 {
        match c {
            None => 0,
            Some(c) if c.is_ascii_digit() => 0,
            Some(c) if c.is_ascii_alphabetic() => i32::from(*c),
            Some(b'~') => -1,
            Some(c) => i32::from(*c) + 256,
        }
    }
    let digit = |s: &[u8], i: usize| s.get(i).is_some_and(u8::is_ascii_digit);
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !digit(a, i)) || (j < b.len() && !digit(b, j)) {
            let (ca, cb) = (order(a.get(i)), order(b.get(j)));
            if ca != cb {
                return ca.cmp(&cb);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while digit(a, i) && digit(b, j) {
            if first_diff == Ordering::Equal {
                first_diff = a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
        if digit(a, i) {
            return Ordering::Greater;
        }
        if digit(b, j) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

/// Which of augenrules' moved lines a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Moved {
    DeleteAll,
    Backlog,
    Failure,
    Enabled,
}

/// augenrules' awk patterns: `^\s*-e`, `^\s*-D\s*$`, `^\s*-f`, `^\s*-b`.
fn moved(line: &str) -> Option<Moved> {
    let text = line.trim_start();
    if text.starts_with("-e") {
        Some(Moved::Enabled)
    } else if text.trim_end() == "-D" {
        Some(Moved::DeleteAll)
    } else if text.starts_with("-f") {
        Some(Moved::Failure)
    } else if text.starts_with("-b") {
        Some(Moved::Backlog)
    } else {
        None
    }
}

/// Reorders merged lines as augenrules does: the last bare `-D`, the last
/// `-b` and the last `-f` first (in that order), the other lines as they
/// came, the last `-e` at the end. Earlier `-D`, `-b`, `-f`, `-e` lines are
/// dropped; `-D -k KEY` stays where it is. A line that is not text
/// (`None`) stays where it is too.
pub fn place(lines: Vec<Located<Option<String>>>) -> Vec<Located<Option<String>>> {
    let mut last: [Option<Located<Option<String>>>; 4] = Default::default();
    let mut rest = Vec::new();
    for line in lines {
        match line.item.as_deref().and_then(moved) {
            Some(m) => last[m as usize] = Some(line),
            None => rest.push(line),
        }
    }
    let [delete_all, backlog, failure, enabled] = last;
    let head = [delete_all, backlog, failure].into_iter().flatten();
    head.chain(rest).chain(enabled).collect()
}

/// The ordered difference from `expected` to `actual`: the rules outside a
/// longest common subsequence, in order.
pub fn diff(expected: &[Rule], actual: &[Rule]) -> Vec<DriftLine> {
    let (n, m) = (expected.len(), actual.len());
    // lcs[i][j]: the longest common subsequence of expected[i..], actual[j..].
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = match expected[i] == actual[j] {
                true => lcs[i + 1][j + 1] + 1,
                false => lcs[i + 1][j].max(lcs[i][j + 1]),
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < n || j < m {
        if i < n && j < m && expected[i] == actual[j] {
            i += 1;
            j += 1;
        } else if j == m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(DriftLine::OnDiskOnly(expected[i].to_string()));
            i += 1;
        } else {
            out.push(DriftLine::InKernelOnly(actual[j].to_string()));
            j += 1;
        }
    }
    out
}
