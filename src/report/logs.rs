//! How aureport walks log files, for what depends on the walk rather than
//! on the events: each file's first and last event (`-t`), and the times
//! the overall summary calls "Range of time in logs".
//!
//! aureport groups records with ausearch's event list ([`EventList`]).
//! Events still open at the end of a file wait for the next file, so an
//! event is counted in the file where it completes, and a file may have
//! "no records" of its own. The first time is that of the first record
//! read, not of the first event.

use std::io::BufRead;

use super::format::TimeRange;
use crate::event::EventList;
use crate::record::{parse_log_line, EventId};

/// What a walk over the logs found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LogTimes {
    /// Per file, its first and last event.
    pub files: Vec<TimeRange>,
    /// The time aureport remembers from its first record: the first one
    /// read without `-ts`, else the first one outside the window.
    pub first_read: Option<(i64, u32)>,
}

impl LogTimes {
    /// The summary's range: the first record read, and the last event of
    /// the last file (none if that file completed none).
    pub fn summary_range(&self) -> TimeRange {
        TimeRange {
            first: self.first_read,
            last: self.files.last().and_then(|f| f.last),
        }
    }
}

/// Walks the logs (oldest first) as aureport reads them; `window` is
/// `-ts`/`-te` in seconds, outside of which records are dropped as read.
pub fn walk(
    logs: Vec<Box<dyn BufRead>>,
    window: (Option<i64>, Option<i64>),
) -> std::io::Result<LogTimes> {
    let mut times = LogTimes::default();
    let mut building = EventList::default();
    let count = logs.len();
    for (n, mut log) in logs.into_iter().enumerate() {
        let mut range = TimeRange::default();
        let mut seen = |id: EventId| {
            let at = Some((id.sec, id.msec));
            range.first = range.first.or(at);
            range.last = at;
        };
        let mut buf = Vec::new();
        loop {
            if let Some(e) = building.take_ready() {
                seen(e.id);
                continue;
            }
            buf.clear();
            if log.read_until(b'\n', &mut buf)? == 0 {
                break;
            }
            let line = String::from_utf8_lossy(&buf);
            let raw = line.split('\x1d').next().unwrap_or("");
            let raw = raw.trim_end_matches(['\n', '\r']);
            let record = parse_log_line(raw);
            if record.id == EventId::default() && record.error().is_some() {
                continue;
            }
            let sec = record.id.sec;
            let inside = window.0.is_none_or(|s| sec >= s) && window.1.is_none_or(|e| sec <= e);
            if times.first_read.is_none() && (!inside || window.0.is_none()) {
                times.first_read = Some((sec, record.id.msec));
            }
            if !inside {
                continue;
            }
            building.add(record);
        }
        if n + 1 == count {
            building.terminate();
            while let Some(e) = building.take_ready() {
                seen(e.id);
            }
        }
        times.files.push(range);
    }
    Ok(times)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(text: &str) -> Box<dyn BufRead> {
        Box::new(std::io::Cursor::new(text.to_string().into_bytes()))
    }

    const SYSCALL: &str = "type=SYSCALL msg=audit(100.001:1): arch=c000003e syscall=2\n";
    const LOGIN: &str = "type=USER_LOGIN msg=audit(90.500:2): pid=1 uid=0\n";

    #[test]
    fn an_event_open_at_the_end_of_a_file_counts_in_the_next() {
        let times = walk(vec![log(SYSCALL), log(LOGIN)], (None, None)).unwrap();
        assert_eq!(times.files[0], TimeRange::default());
        assert_eq!(times.files[1].first, Some((90, 500)));
        assert_eq!(times.files[1].last, Some((100, 1)));
        // The first record read, not the oldest event.
        assert_eq!(times.first_read, Some((100, 1)));
    }

    #[test]
    fn with_a_start_time_the_first_time_is_the_first_record_skipped() {
        let times = walk(vec![log(&format!("{SYSCALL}{LOGIN}"))], (Some(95), None)).unwrap();
        assert_eq!(times.first_read, Some((90, 500)));
        assert_eq!(times.files[0].first, Some((100, 1)));
    }
}
