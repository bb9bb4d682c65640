//! `-ts`/`-te` times as ausearch reads them: keywords, a date and/or a
//! time, all in local time.

use chrono::{
    DateTime, Datelike, Duration, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike,
};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TimeError {
    #[error("invalid time {0:?}: expected a keyword (now, recent, boot, this-hour, today, yesterday, this-week, week-ago, this-month, this-year), a relative time (15m, -2h, 3d, \"2 hours ago\"), ISO 8601, or a date (MM/DD/YY or YYYY-MM-DD) and/or a time (HH:MM[:SS])")]
    Invalid(String),
    /// A date not in the locale's form, which ausearch refuses too.
    #[error("invalid date {date:?}: dates are {form} in this locale ({locale}), as ausearch reads them, or YYYY-MM-DD in any locale")]
    LocaleDate {
        date: String,
        form: &'static str,
        locale: String,
    },
    /// ausearch and aureport refuse dates before 2004 ("Error - year is N").
    #[error("year is {0}: dates from 2004 on are accepted")]
    TooEarly(i32),
    #[error("{0}={1:?} is not an RFC 3339 time (e.g. 2026-11-21T13:45:10Z); unset it to use the system clock")]
    Environment(String, String),
}

/// Which end of a range a time bounds: a missing time-of-day means
/// midnight for a start and "now" for an end, as in ausearch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Start,
    End,
}

/// What relative times are measured from: the present and the boot time.
/// Read from the system at the command line's edge; tests and reproducible
/// scripts set them (`RAUDIT_NOW`, `RAUDIT_BOOT`), so that a time such as
/// `-ts 3d` or `-ts boot` means the same on every machine and every day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub now: DateTime<Local>,
    /// When the machine booted; `None` when it cannot be read.
    pub boot: Option<DateTime<Local>>,
}

/// Overrides the present for `-ts`/`-te` (RFC 3339).
pub const NOW_VAR: &str = "RAUDIT_NOW";
/// Overrides the boot time for `-ts boot` (RFC 3339).
pub const BOOT_VAR: &str = "RAUDIT_BOOT";

impl Clock {
    /// The system's clock and boot time, or the ones `RAUDIT_NOW` and
    /// `RAUDIT_BOOT` give.
    pub fn system() -> Result<Clock, TimeError> {
        let from_env = |var: &str| -> Result<Option<DateTime<Local>>, TimeError> {
            match std::env::var(var) {
                Ok(v) => DateTime::parse_from_rfc3339(&v)
                    .map(|t| Some(t.with_timezone(&Local)))
                    .map_err(|_| TimeError::Environment(var.to_string(), v)),
                Err(_) => Ok(None),
            }
        };
        Ok(Clock {
            now: from_env(NOW_VAR)?.unwrap_or_else(Local::now),
            boot: match from_env(BOOT_VAR)? {
                Some(t) => Some(t),
                None => boot_time(),
            },
        })
    }
}

/// Parses the one or two words after `-ts`/`-te` into epoch milliseconds,
/// dates in the order of the locale's `%x`.
pub fn parse(words: &[String], bound: Bound, clock: &Clock) -> Result<i64, TimeError> {
    parse_in(words, bound, clock, &locale())
}

/// [`parse`] in the given locale (`LC_ALL`'s form: `C`, `en_GB.UTF-8`),
/// for callers that must not depend on the environment (tests, fuzzing).
pub fn parse_in(
    words: &[String],
    bound: Bound,
    clock: &Clock,
    locale: &str,
) -> Result<i64, TimeError> {
    let invalid = || TimeError::Invalid(words.join(" "));
    let now = clock.now;
    let first = words.first().ok_or_else(invalid)?;
    if words.len() == 1 {
        if let Some(t) = keyword(first, clock)
            .or_else(|| relative(first, now))
            .or_else(|| iso_8601(first))
        {
            return Ok(t.timestamp_millis());
        }
    }
    let date = |d: &str| date_in_locale(d, locale);
    let (date, time) = match words {
        [one] if looks_like_date(one) => (Some(date(one)?), None),
        [one] => (None, Some(parse_time(one).ok_or_else(invalid)?)),
        [d, t] => (Some(date(d)?), Some(parse_time(t).ok_or_else(invalid)?)),
        _ => return Err(invalid()),
    };
    let date = date.unwrap_or_else(|| now.date_naive());
    if date.year() < 2004 {
        return Err(TimeError::TooEarly(date.year()));
    }
    let time = time.unwrap_or_else(|| match bound {
        Bound::Start => NaiveTime::MIN,
        Bound::End => now.time(),
    });
    local(date.and_time(time))
        .map(|t| t.timestamp_millis())
        .ok_or_else(invalid)
}

fn local(naive: NaiveDateTime) -> Option<DateTime<Local>> {
    Local.from_local_datetime(&naive).earliest()
}

fn midnight(date: NaiveDate) -> Option<DateTime<Local>> {
    local(date.and_time(NaiveTime::MIN))
}

/// Units of relative times, by their names (journalctl's, which users of
/// `--since` type), in seconds.
const UNITS: &[(&[&str], i64)] = &[
    (&["s", "sec", "secs", "second", "seconds"], 1),
    (&["m", "min", "mins", "minute", "minutes"], 60),
    (&["h", "hr", "hrs", "hour", "hours"], 3600),
    (&["d", "day", "days"], 86_400),
    (&["w", "week", "weeks"], 7 * 86_400),
];

/// Beyond ausearch, as journalctl's `--since` reads them: a span before
/// now, `15m`, `2h`, `3d`, `1w`, `30s`, with a leading minus or not
/// (`-1h`), or spelled out and followed by `ago` (`1 hour ago`,
/// `2days ago`).
fn relative(word: &str, now: DateTime<Local>) -> Option<DateTime<Local>> {
    let span = match word.strip_suffix(" ago") {
        Some(span) => span.trim_end(),
        None => word.strip_prefix('-').unwrap_or(word),
    };
    let digits = span.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = span.split_at(digits);
    if unit.starts_with(' ') && !word.ends_with(" ago") {
        return None;
    }
    let n: i64 = n.parse().ok()?;
    let (_, secs) = UNITS
        .iter()
        .find(|(names, _)| names.contains(&unit.trim_start()))?;
    now.checked_sub_signed(Duration::try_seconds(n.checked_mul(*secs)?)?)
}

/// Beyond ausearch: `2026-11-21T13:45:10`, with an optional fraction and
/// offset (`Z`, `+01:00`); without an offset, local time.
fn iso_8601(word: &str) -> Option<DateTime<Local>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(word) {
        return Some(t.with_timezone(&Local));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(word, f).ok())
        .and_then(local)
}

/// When the machine booted, from /proc/stat's btime.
fn boot_time() -> Option<DateTime<Local>> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let secs: i64 = stat
        .lines()
        .find_map(|l| l.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()?;
    Local.timestamp_opt(secs, 0).single()
}

fn keyword(word: &str, clock: &Clock) -> Option<DateTime<Local>> {
    let now = clock.now;
    let today = now.date_naive();
    match word {
        "now" => Some(now),
        "boot" => clock.boot,
        "recent" => Some(now - Duration::minutes(10)),
        "this-hour" => local(today.and_hms_opt(now.hour(), 0, 0)?),
        "today" => midnight(today),
        "yesterday" => midnight(today.pred_opt()?),
        "this-week" => {
            let back = today.weekday().num_days_from_sunday();
            midnight(today - Duration::days(i64::from(back)))
        }
        "week-ago" => midnight(today - Duration::days(7)),
        "this-month" => midnight(today.with_day(1)?),
        "this-year" => midnight(today.with_ordinal(1)?),
        _ => None,
    }
}

/// The order of day, month and year in the locale's `%x`, as ausearch
/// reads dates through strptime("%x").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateOrder {
    /// C and POSIX: `%m/%d/%y` exactly (slashes, a year of two digits).
    C,
    /// en_US: 11/21/2026
    MonthDayYear,
    /// en_GB, fr_FR, de_DE (21/11/2026, 21.11.2026)
    DayMonthYear,
    /// en_DK, sv_SE, ja_JP, zh_CN, ko_KR (2026-11-21)
    YearMonthDay,
}

/// The locale dates are read in: LC_ALL, then LC_TIME, then LANG.
fn locale() -> String {
    ["LC_ALL", "LC_TIME", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "C".into())
}

fn order_of(locale: &str) -> DateOrder {
    let lang = locale.split(['.', '@']).next().unwrap_or("");
    match lang {
        "" | "C" | "POSIX" => DateOrder::C,
        "en_US" | "en_PH" | "es_US" => DateOrder::MonthDayYear,
        "en_DK" | "sv_SE" | "lt_LT" | "hu_HU" | "ja_JP" | "zh_CN" | "zh_TW" | "ko_KR" | "en_CA"
        | "fr_CA" => DateOrder::YearMonthDay,
        _ => DateOrder::DayMonthYear,
    }
}

/// Whether a word is meant as a date (else a time of day).
fn looks_like_date(s: &str) -> bool {
    s.contains(['/', '.', '-'])
}

/// A date in the locale's order, or ISO 8601 (YYYY-MM-DD) in any locale;
/// refused with the locale's form otherwise.
fn date_in_locale(s: &str, locale: &str) -> Result<NaiveDate, TimeError> {
    let order = order_of(locale);
    parse_date_in(s, order).ok_or_else(|| TimeError::LocaleDate {
        date: s.to_string(),
        form: match order {
            DateOrder::C => "MM/DD/YY",
            DateOrder::MonthDayYear => "MM/DD/YYYY",
            DateOrder::DayMonthYear => "DD/MM/YYYY",
            DateOrder::YearMonthDay => "YYYY-MM-DD",
        },
        locale: locale.to_string(),
    })
}

/// A date in `order` (unpadded parts; two- or four-digit years separated
/// by `/`, `.` or `-`, but in the C locale only what strptime's
/// `%m/%d/%y` takes), or ISO 8601.
fn parse_date_in(s: &str, order: DateOrder) -> Option<NaiveDate> {
    let parts: Vec<&str> = s.split(['/', '.', '-']).collect();
    let [a, b, c] = parts[..] else {
        return None;
    };
    let num = |p: &str| p.parse::<u32>().ok();
    let year = |p: &str| -> Option<i32> {
        let y: i32 = p.parse().ok()?;
        // strptime's %y: 69-99 are 1900s, 00-68 the 2000s.
        Some(match (p.len(), y) {
            (1 | 2, 0..=68) => 2000 + y,
            (1 | 2, _) => 1900 + y,
            _ => y,
        })
    };
    let iso = a.len() == 4 && s.split('-').count() == 3;
    let (y, m, d) = match order {
        _ if iso => (year(a)?, num(b)?, num(c)?),
        DateOrder::C if s.split('/').count() != 3 || c.len() > 2 => return None,
        DateOrder::C => (year(c)?, num(a)?, num(b)?),
        _ if a.len() == 4 => (year(a)?, num(b)?, num(c)?),
        DateOrder::MonthDayYear => (year(c)?, num(a)?, num(b)?),
        DateOrder::DayMonthYear => (year(c)?, num(b)?, num(a)?),
        DateOrder::YearMonthDay => (year(a)?, num(b)?, num(c)?),
    };
    NaiveDate::from_ymd_opt(y, m, d)
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    ["%H:%M:%S", "%H:%M"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(s, f).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    fn at(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Local> {
        Local.with_ymd_and_hms(y, m, d, h, mi, s).unwrap()
    }

    /// A fixed present, and a boot a day and a half before it.
    fn clock(now: DateTime<Local>) -> Clock {
        Clock {
            now,
            boot: Some(now - Duration::hours(36)),
        }
    }

    #[test]
    fn keywords() {
        let now = at(2026, 11, 21, 13, 45, 10); // a Saturday
        let ms = |w: &str| parse(&words(w), Bound::Start, &clock(now)).unwrap();
        assert_eq!(ms("now"), now.timestamp_millis());
        assert_eq!(
            ms("recent"),
            at(2026, 11, 21, 13, 35, 10).timestamp_millis()
        );
        assert_eq!(
            ms("this-hour"),
            at(2026, 11, 21, 13, 0, 0).timestamp_millis()
        );
        assert_eq!(ms("today"), at(2026, 11, 21, 0, 0, 0).timestamp_millis());
        assert_eq!(
            ms("yesterday"),
            at(2026, 11, 20, 0, 0, 0).timestamp_millis()
        );
        assert_eq!(
            ms("this-week"),
            at(2026, 11, 15, 0, 0, 0).timestamp_millis()
        );
        assert_eq!(ms("week-ago"), at(2026, 11, 14, 0, 0, 0).timestamp_millis());
        assert_eq!(
            ms("this-month"),
            at(2026, 11, 1, 0, 0, 0).timestamp_millis()
        );
        assert_eq!(ms("this-year"), at(2026, 1, 1, 0, 0, 0).timestamp_millis());
    }

    #[test]
    fn dates_and_times() {
        let now = at(2026, 11, 21, 13, 45, 10);
        let p = |w: &str, b, locale| parse_in(&words(w), b, &clock(now), locale).unwrap();
        let expect = at(2026, 11, 20, 8, 30, 0).timestamp_millis();
        assert_eq!(p("11/20/26 08:30:00", Bound::Start, "C"), expect);
        assert_eq!(
            p("11/20/2026 08:30:00", Bound::Start, "en_US.UTF-8"),
            expect
        );
        assert_eq!(
            p("20.11.2026 08:30:00", Bound::Start, "de_DE.UTF-8"),
            expect
        );
        assert_eq!(p("2026-11-20 08:30", Bound::Start, "C"), expect);
        assert_eq!(
            p("11/20/26", Bound::Start, "C"),
            at(2026, 11, 20, 0, 0, 0).timestamp_millis()
        );
        assert_eq!(
            p("11/20/26", Bound::End, "POSIX"),
            at(2026, 11, 20, 13, 45, 10).timestamp_millis()
        );
        assert_eq!(
            p("09:15:00", Bound::Start, "C"),
            at(2026, 11, 21, 9, 15, 0).timestamp_millis()
        );
    }

    /// In the C locale ausearch 3.0.9 reads dates with strptime's
    /// `%m/%d/%y`: `03.12.2026`, `03-12-2026` and `03/12/2026` are
    /// refused (the last as "Error parsing start date"), not read as
    /// March 12.
    #[test]
    fn the_c_locale_takes_only_what_ausearch_takes() {
        let d = |s| parse_date_in(s, DateOrder::C);
        assert_eq!(d("03/12/26"), NaiveDate::from_ymd_opt(2026, 3, 12));
        assert_eq!(d("3/2/26"), NaiveDate::from_ymd_opt(2026, 3, 2));
        assert_eq!(d("2026-03-12"), NaiveDate::from_ymd_opt(2026, 3, 12));
        for refused in [
            "03.12.2026",
            "03-12-2026",
            "03/12/2026",
            "03.12.26",
            "2026/03/12",
        ] {
            assert_eq!(d(refused), None, "{refused}");
        }
        let now = at(2026, 11, 21, 13, 45, 10);
        let err = parse_in(&words("03.12.2026"), Bound::Start, &clock(now), "C").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid date \"03.12.2026\": dates are MM/DD/YY in this locale (C), as ausearch \
             reads them, or YYYY-MM-DD in any locale"
        );
    }

    #[test]
    fn dates_in_the_locales_order() {
        let d = |s, o| parse_date_in(s, o);
        let nov21 = NaiveDate::from_ymd_opt(2026, 11, 21);
        assert_eq!(d("11/21/26", DateOrder::MonthDayYear), nov21);
        assert_eq!(d("11/21/2026", DateOrder::MonthDayYear), nov21);
        assert_eq!(d("21/11/26", DateOrder::DayMonthYear), nov21);
        assert_eq!(d("21.11.2026", DateOrder::DayMonthYear), nov21);
        assert_eq!(d("2026-11-21", DateOrder::DayMonthYear), nov21);
        assert_eq!(d("2026-11-21", DateOrder::YearMonthDay), nov21);
        assert_eq!(
            d("2026-1-5", DateOrder::YearMonthDay),
            NaiveDate::from_ymd_opt(2026, 1, 5)
        );
        assert_eq!(
            d("04/12/17", DateOrder::MonthDayYear),
            NaiveDate::from_ymd_opt(2017, 4, 12)
        );
        assert_eq!(d("13/13/26", DateOrder::MonthDayYear), None);
        assert_eq!(order_of("en_DK.utf8"), DateOrder::YearMonthDay);
        assert_eq!(order_of("C"), DateOrder::C);
        assert_eq!(order_of("C.UTF-8"), DateOrder::C);
        assert_eq!(order_of("en_US.UTF-8"), DateOrder::MonthDayYear);
        assert_eq!(order_of("de_DE.UTF-8"), DateOrder::DayMonthYear);
        assert_eq!(order_of("en_GB.UTF-8"), DateOrder::DayMonthYear);
    }

    #[test]
    fn relative_iso_and_boot() {
        let now = at(2026, 11, 21, 13, 45, 10);
        let ms = |w: &str| parse(&words(w), Bound::Start, &clock(now)).unwrap();
        assert_eq!(ms("15m"), at(2026, 11, 21, 13, 30, 10).timestamp_millis());
        assert_eq!(ms("2h"), at(2026, 11, 21, 11, 45, 10).timestamp_millis());
        assert_eq!(ms("3d"), at(2026, 11, 18, 13, 45, 10).timestamp_millis());
        assert_eq!(ms("30s"), at(2026, 11, 21, 13, 44, 40).timestamp_millis());
        assert_eq!(
            ms("2026-11-20T08:30:00"),
            at(2026, 11, 20, 8, 30, 0).timestamp_millis()
        );
        assert_eq!(ms("2026-11-20T08:30:00Z"), 1_795_163_400_000);
        assert_eq!(ms("2026-11-20T08:30:00.250+01:00"), 1_795_159_800_250);
        assert_eq!(ms("boot"), at(2026, 11, 20, 1, 45, 10).timestamp_millis());
        let unknown_boot = Clock { now, boot: None };
        assert!(parse(&words("boot"), Bound::Start, &unknown_boot).is_err());
        assert!(parse(&words("5x"), Bound::Start, &clock(now)).is_err());
    }

    /// journalctl's forms: a leading minus, and `N unit ago`.
    #[test]
    fn relative_times_as_journalctl_takes_them() {
        let now = at(2026, 11, 21, 13, 45, 10);
        let ms = |w: &str| parse(&[w.to_string()], Bound::Start, &clock(now));
        let hour_ago = Ok(at(2026, 11, 21, 12, 45, 10).timestamp_millis());
        for w in [
            "-1h",
            "1h",
            "1 hour ago",
            "1 hours ago",
            "60 min ago",
            "-60min",
            "1h ago",
        ] {
            assert_eq!(ms(w), hour_ago, "{w}");
        }
        let two_days = Ok(at(2026, 11, 19, 13, 45, 10).timestamp_millis());
        assert_eq!(ms("2 days ago"), two_days);
        assert_eq!(ms("2days ago"), two_days);
        assert_eq!(ms("-2d"), two_days);
        assert_eq!(
            ms("1 week ago"),
            Ok(at(2026, 11, 14, 13, 45, 10).timestamp_millis())
        );
        assert_eq!(
            ms("90 seconds ago"),
            Ok(at(2026, 11, 21, 13, 43, 40).timestamp_millis())
        );
        for bad in [
            "1 hour",
            "-1 hour ago",
            "1 fortnight ago",
            "ago",
            "--1h",
            "h",
            "-99999999999999w",
        ] {
            assert!(ms(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_times_name_the_input() {
        let now = at(2026, 11, 21, 13, 45, 10);
        let err = parse_in(&words("31/31/26"), Bound::Start, &clock(now), "C").unwrap_err();
        assert!(err.to_string().starts_with("invalid date \"31/31/26\""));
        let err = parse_in(&words("tomorrow"), Bound::Start, &clock(now), "C").unwrap_err();
        assert!(err.to_string().starts_with("invalid time \"tomorrow\""));
        assert!(parse(&words("11/20/2026 25:00"), Bound::Start, &clock(now)).is_err());
    }
}
