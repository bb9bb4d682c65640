//! Load generator for the daemon benchmarks: open() and close() one file
//! COUNT times, as fast as possible or paced at RATE opens per second, and
//! print how long it took and the rate achieved.
//!
//! Usage: open_loop FILE COUNT [RATE]
//! Prints `opens=N seconds=S opens_per_sec=R`.

use std::process::ExitCode;
use std::time::{Duration, Instant};

/// How far ahead of its schedule a paced loop may get before it sleeps:
/// sleeping for each open would cost more than the open (a sleep lasts at
/// least the timer slack, 50 µs), so opens come in bursts of about a
/// millisecond's worth, which the kernel's backlog absorbs.
const AHEAD: Duration = Duration::from_millis(1);

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("open_loop: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (path, count, rate) = match args.as_slice() {
        [path, count] => (path, number(count, "COUNT")?, None),
        [path, count, rate] => (path, number(count, "COUNT")?, Some(number(rate, "RATE")?)),
        _ => return Err("usage: open_loop FILE COUNT [RATE]".into()),
    };
    if rate == Some(0) {
        return Err("RATE must be at least 1 open per second".into());
    }
    let start = Instant::now();
    for i in 0..count {
        if let Some(rate) = rate {
            pace(start, i, rate);
        }
        std::fs::File::open(path).map_err(|e| format!("opening {path}: {e}"))?;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "opens={count} seconds={secs:.3} opens_per_sec={:.0}",
        count as f64 / secs
    );
    Ok(())
}

fn number(text: &str, what: &str) -> Result<u64, String> {
    text.parse()
        .map_err(|_| format!("{what} must be a whole number, not {text:?}"))
}

/// Sleeps while open number `i` is more than [`AHEAD`] early for `rate`.
fn pace(start: Instant, i: u64, rate: u64) {
    let due = start + Duration::from_secs_f64(i as f64 / rate as f64);
    let early = due.saturating_duration_since(Instant::now());
    if early > AHEAD {
        std::thread::sleep(early);
    }
}
