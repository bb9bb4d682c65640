//! `raudit search --fleet URL`: ausearch's flags over the fleet's
//! ClickHouse tables, printed as a search of each host's store prints.

use std::io::Write;

use anyhow::Context;

use super::search::{Printer, SearchArgs};
use super::Outcome;
use crate::fleet::query;

pub fn run(args: &SearchArgs, url: &str) -> anyhow::Result<Outcome> {
    let filter = args.filter.to_filter()?;
    let client = args.server.client(url)?;
    let stdout = std::io::stdout();
    let mut printer = Printer::new(args, std::io::BufWriter::new(stdout.lock()))?;
    let found = query::for_each_event(&client, &filter, |stored| printer.print(&stored))
        .with_context(|| format!("searching the fleet at {}", client.url.display()))?;
    printer.out.flush()?;
    Ok(printer.outcome(found))
}
