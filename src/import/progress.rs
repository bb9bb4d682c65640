//! A progress line on standard error, drawn only when it is a terminal:
//! the file being read, the share of all bytes read, events so far.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use super::Summary;

pub struct Progress {
    shown: bool,
    total: u64,
    done: u64,
    file: String,
    last_draw: Option<Instant>,
}

/// How often the line is redrawn at most.
const EVERY: Duration = Duration::from_millis(100);
const WIDTH: usize = 30;

impl Progress {
    /// A progress line if standard error is a terminal, else nothing.
    pub fn on_terminal() -> Progress {
        Progress::new(std::io::stderr().is_terminal())
    }

    /// A progress that never draws.
    pub fn hidden() -> Progress {
        Progress::new(false)
    }

    fn new(shown: bool) -> Progress {
        Progress {
            shown,
            total: 0,
            done: 0,
            file: String::new(),
            last_draw: None,
        }
    }

    pub fn set_total(&mut self, bytes: u64) {
        self.total = bytes;
    }

    pub fn start_file(&mut self, path: &Path) {
        self.file = path.display().to_string();
        self.draw(true);
    }

    pub fn advance(&mut self, bytes: u64) {
        self.done += bytes;
        self.draw(false);
    }

    fn draw(&mut self, force: bool) {
        if !self.shown {
            return;
        }
        let now = Instant::now();
        if !force
            && self
                .last_draw
                .is_some_and(|t| now.duration_since(t) < EVERY)
        {
            return;
        }
        self.last_draw = Some(now);
        let line = bar(self.done, self.total, &self.file);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{line}\x1b[K");
        let _ = err.flush();
    }

    /// Clears the line; the caller reports the summary.
    pub fn finish(&mut self, _summary: &Summary) {
        if self.shown && self.last_draw.is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
        }
    }
}

/// `[=======>      ]  42% FILE`; without a known total, bytes read.
fn bar(done: u64, total: u64, file: &str) -> String {
    if total == 0 {
        return format!("{done} bytes  {file}");
    }
    let share = (done.min(total) as f64) / (total as f64);
    let filled = (share * WIDTH as f64) as usize;
    let mut bar = "=".repeat(filled);
    if filled < WIDTH {
        bar.push('>');
        bar.push_str(&" ".repeat(WIDTH - filled - 1));
    }
    format!("[{bar}] {:3.0}%  {file}", share * 100.0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn bar_text() {
        assert_eq!(
            super::bar(0, 100, "f"),
            format!("[>{}]   0%  f", " ".repeat(29))
        );
        assert_eq!(
            super::bar(50, 100, "f"),
            format!("[{}>{}]  50%  f", "=".repeat(15), " ".repeat(14))
        );
        assert_eq!(
            super::bar(100, 100, "f"),
            format!("[{}] 100%  f", "=".repeat(30))
        );
        assert_eq!(super::bar(7, 0, "-"), "7 bytes  -");
    }
}
