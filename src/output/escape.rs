//! ausearch's `--escape` modes: how interpreted values with control or
//! shell-special characters are made safe to print.

/// `--escape raw|tty|shell|shell_quote`; ausearch's default is `tty`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Escape {
    /// Print values as they are.
    Raw,
    /// Control characters as `\ooo` octal escapes.
    #[default]
    Tty,
    /// Also backslash-escape `"'`$\!()|` and space.
    Shell,
    /// Also backslash-escape `;#&*?[]<>{}`.
    #[value(name = "shell_quote")]
    ShellQuote,
}

const SHELL: &[u8] = b"\"'`$\\!()| ";
const SHELL_QUOTE: &[u8] = b"\"'`$\\!()| ;#&*?[]<>{}";

impl Escape {
    fn special(self) -> &'static [u8] {
        match self {
            Escape::Raw | Escape::Tty => b"",
            Escape::Shell => SHELL,
            Escape::ShellQuote => SHELL_QUOTE,
        }
    }

    /// Whether `s` holds anything this mode escapes.
    pub fn needed(self, s: &[u8]) -> bool {
        self != Escape::Raw && s.iter().any(|&b| b < 32 || self.special().contains(&b))
    }

    /// Appends `s` to `out`, escaped.
    pub fn push(self, out: &mut Vec<u8>, s: &[u8]) {
        if self == Escape::Raw {
            out.extend_from_slice(s);
            return;
        }
        for &b in s {
            if b < 32 {
                out.extend_from_slice(&[
                    b'\\',
                    b'0' + (b >> 6),
                    b'0' + ((b >> 3) & 7),
                    b'0' + (b & 7),
                ]);
            } else if self.special().contains(&b) {
                out.extend_from_slice(&[b'\\', b]);
            } else {
                out.push(b);
            }
        }
    }

    /// `s` escaped.
    pub fn apply(self, s: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(s.len());
        self.push(&mut out, s);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        let s = b"a b\n$x";
        assert_eq!(Escape::Raw.apply(s), s.to_vec());
        assert_eq!(Escape::Tty.apply(s), b"a b\\012$x".to_vec());
        assert_eq!(Escape::Shell.apply(s), b"a\\ b\\012\\$x".to_vec());
        assert_eq!(Escape::ShellQuote.apply(b"a;b"), b"a\\;b".to_vec());
        assert!(!Escape::Tty.needed(b"plain text"));
        assert!(Escape::Shell.needed(b"plain text"));
    }
}
