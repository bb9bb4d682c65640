//! `time`: the `-ts`/`-te` times of `raudit search` and `raudit report`,
//! against a fixed clock, in the date orders of several locales.
//!
//! The first byte picks the locale and the bound; the rest is one or two
//! words (split at the first blank, or at a NUL to keep blanks in a word,
//! as in "2 hours ago").

use chrono::{Local, TimeZone};
use raudit::search::time::{parse_in, Bound, Clock};

const LOCALES: &[&str] = &["C", "en_US.UTF-8", "de_DE.UTF-8", "sv_SE.UTF-8"];

pub fn run(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let locale = LOCALES[usize::from(pick & 3)];
    let bound = if pick & 4 == 0 {
        Bound::Start
    } else {
        Bound::End
    };
    let text = String::from_utf8_lossy(rest);
    let words: Vec<String> = if text.contains('\0') {
        text.split('\0').map(str::to_string).collect()
    } else {
        text.splitn(2, ' ').map(str::to_string).collect()
    };
    let now = Local.timestamp_opt(1_795_268_619, 683_000_000).unwrap();
    let clock = Clock {
        now,
        boot: Some(now - chrono::Duration::hours(36)),
    };
    if let Err(e) = parse_in(&words, bound, &clock, locale) {
        let _ = e.to_string();
    }
}
