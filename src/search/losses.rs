//! `search --loss`: the records of what the daemon could not store, one
//! line each.

use std::io::{self, Write};

use chrono::{Local, TimeZone};

use crate::store::LossRow;

/// One loss row: `TIME KIND count=N [serials=FIRST-LAST] [since=TIME] DETAIL`.
pub fn print_loss(out: &mut impl Write, loss: &LossRow) -> io::Result<()> {
    let time = |ms: i64| {
        Local
            .timestamp_millis_opt(ms)
            .single()
            .map(|t| t.format("%Y-%m-%d %H:%M:%S%.3f").to_string())
            .unwrap_or_default()
    };
    write!(
        out,
        "{} {} count={}",
        time(loss.time_ms),
        loss.kind,
        loss.count
    )?;
    match (loss.first_serial, loss.last_serial) {
        (Some(f), Some(l)) => write!(out, " serials={f}-{l}")?,
        (Some(s), None) | (None, Some(s)) => write!(out, " serials={s}")?,
        (None, None) => {}
    }
    if let Some(start) = loss.start_ms {
        write!(out, " since={}", time(start))?;
    }
    writeln!(out, " {}", loss.detail)
}
