//! Names of terminal key sequences in TTY data (`tables/tty_keys.txt`).

use std::sync::OnceLock;

use crate::tables::data_lines;

fn keys() -> &'static [(Vec<u8>, &'static str)] {
    static KEYS: OnceLock<Vec<(Vec<u8>, &'static str)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        data_lines(include_str!("tables/tty_keys.txt"))
            .map(|words| {
                let [seq, name] = words[..] else {
                    panic!("tty_keys.txt line {words:?} is not 'hex name'");
                };
                let seq = super::values::unescape(seq.as_bytes())
                    .unwrap_or_else(|| panic!("tty_keys.txt: bad sequence {seq:?}"));
                (seq, name)
            })
            .collect()
    })
}

/// The named key at the start of `input`, with its length in bytes.
pub fn find(input: &[u8]) -> Option<(usize, &'static str)> {
    let first = *input.first()?;
    if first >= b' ' && !(0x7f..0xa0).contains(&first) {
        return None; // printable: no key name starts here
    }
    keys()
        .iter()
        .find(|(seq, _)| input.starts_with(seq))
        .map(|(seq, name)| (seq.len(), *name))
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys() {
        assert_eq!(super::find(b"\r"), Some((1, "ret")));
        assert_eq!(super::find(b"\x1b[A"), Some((3, "up")));
        assert_eq!(super::find(b"a"), None);
    }
}
