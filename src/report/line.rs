//! A record line as ausearch's parsers read it: one C string scanned with
//! `strstr`/`strchr` from a moving position, numbers read with `strtoul`.
//! The report's parsers are ports of those, so they keep the same walk
//! (and the same quirks) by working on positions in the line.

use crate::output::interpret::{num, values};

#[derive(Clone, Copy)]
pub struct Line<'a>(&'a [u8]);

impl<'a> Line<'a> {
    /// The line up to its first NUL, where C would see it end.
    pub fn new(text: &'a [u8]) -> Line<'a> {
        let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
        Line(&text[..end])
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The byte at `i`, or NUL past the end (the C string's terminator).
    pub fn at(&self, i: usize) -> u8 {
        self.0.get(i).copied().unwrap_or(0)
    }

    /// `strstr(line + from, needle)`.
    pub fn find(&self, from: usize, needle: &str) -> Option<usize> {
        let needle = needle.as_bytes();
        let hay = self.0.get(from..)?;
        hay.windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    }

    /// `strchr(line + from, c)`.
    pub fn find_byte(&self, from: usize, c: u8) -> Option<usize> {
        let hay = self.0.get(from..)?;
        hay.iter().position(|&b| b == c).map(|p| p + from)
    }

    /// From `from` to the end of the line.
    pub fn rest(&self, from: usize) -> &'a [u8] {
        self.0.get(from..).unwrap_or(&[])
    }

    /// `strdup` of the text between two positions (C cut it with a NUL).
    pub fn span(&self, from: usize, to: usize) -> Vec<u8> {
        self.0.get(from..to).unwrap_or(&[]).to_vec()
    }

    /// The text from `from` up to `stop`, or to the end without one.
    pub fn until(&self, from: usize, stop: u8) -> (Vec<u8>, Option<usize>) {
        match self.find_byte(from, stop) {
            Some(end) => (self.span(from, end), Some(end)),
            None => (self.rest(from).to_vec(), None),
        }
    }

    /// `strtoul(line + from, NULL, base)`; `None` where C sets ERANGE.
    pub fn number(&self, from: usize, base: u32) -> Option<u64> {
        num::strtoul(self.rest(from), base)
    }

    /// A number at `at` that a space must end: the value and where the
    /// space is; `codes`: the errors for no space and for an overflow.
    pub fn number_ending_at_space(&self, at: usize, codes: (u8, u8)) -> Result<(u64, usize), u8> {
        let end = self.find_byte(at, b' ').ok_or(codes.0)?;
        Ok((self.number(at, 10).ok_or(codes.1)?, end))
    }

    /// ausearch's `unescape`: the hex run at `from` decoded, as a C string.
    pub fn unescape(&self, from: usize) -> Option<Vec<u8>> {
        unescape(self.rest(from))
    }
}

/// ausearch's `unescape` of a value: the leading hex digits decoded (a
/// `(null)`-like value kept as it is), cut at a decoded NUL.
pub fn unescape(val: &[u8]) -> Option<Vec<u8>> {
    values::unescape(val).map(values::c_string)
}

/// `isxdigit` over every byte up to the next space or the end: whether a
/// value is hex-encoded rather than a legacy plain word.
pub fn is_hex_word(s: &[u8]) -> bool {
    s.iter()
        .take_while(|&&b| b != b' ')
        .all(u8::is_ascii_hexdigit)
}
