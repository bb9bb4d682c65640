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
    warn_of_loss(&client, &filter);
    Ok(printer.outcome(found))
}

/// One line on stderr naming the nodes whose stores recorded loss in the
/// searched window: their part of the answer may lack events.
fn warn_of_loss(client: &crate::fleet::Client, filter: &crate::store::query::Filter) {
    match query::losses(client, filter) {
        Ok(losses) if losses.is_empty() => {}
        Ok(losses) => eprintln!(
            "raudit search: warning: loss recorded in this time window on {} node(s), events missing: {}",
            losses
                .iter()
                .map(|l| &l.node)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            query::loss_line(&losses)
        ),
        Err(e) => eprintln!("raudit search: warning: the fleet's loss rows could not be read: {e}"),
    }
}
