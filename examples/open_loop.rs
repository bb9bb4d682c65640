//! Load generator for the daemon benchmark: open() and close() one file N
//! times as fast as possible and print how long it took.
//!
//! Usage: open_loop FILE COUNT

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(count)) = (args.next(), args.next()) else {
        eprintln!("usage: open_loop FILE COUNT");
        std::process::exit(2);
    };
    let count: u64 = count.parse().expect("COUNT is a number");
    let start = Instant::now();
    for _ in 0..count {
        drop(std::fs::File::open(&path).expect("opening the file"));
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "opens={count} seconds={secs:.3} opens_per_sec={:.0}",
        count as f64 / secs
    );
}
