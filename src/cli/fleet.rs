//! `raudit fleet`: the ClickHouse tables every host's events go to.

use std::time::Duration;

use anyhow::Context;
use clap::{Args, Subcommand};

use super::Outcome;
use crate::fleet::{schema, Client, Url};

#[derive(Debug, Args)]
pub struct FleetArgs {
    #[command(subcommand)]
    pub command: FleetCommand,
}

#[derive(Debug, Subcommand)]
pub enum FleetCommand {
    /// Create the fleet's database and tables in ClickHouse (idempotent).
    Init(InitArgs),
}

/// Where ClickHouse is, and how long to wait for it: shared by every
/// command that talks to the fleet.
#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// Seconds to wait for the server: to connect, and for each read and
    /// write of a request.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    pub timeout: f64,
}

impl ServerArgs {
    pub fn client(&self, url: &str) -> anyhow::Result<Client> {
        if !(self.timeout > 0.0 && self.timeout.is_finite()) {
            anyhow::bail!(
                "--timeout {}: give a number of seconds above 0",
                self.timeout
            );
        }
        Ok(Client::new(
            Url::parse(url)?,
            Duration::from_secs_f64(self.timeout),
        ))
    }
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// ClickHouse's HTTP interface and the database to create the tables
    /// in: http://[USER[:PASSWORD]@]HOST[:PORT][/DATABASE] (port 8123 and
    /// database raudit unless given).
    #[arg(value_name = "URL")]
    pub url: String,
    /// Delete rows this many days old (ClickHouse's table TTL, 19.6 and
    /// later); without it rows are kept until dropped.
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..))]
    pub ttl_days: Option<u32>,
    /// Print the statements instead of running them.
    #[arg(long)]
    pub print: bool,
    #[command(flatten)]
    pub server: ServerArgs,
}

pub fn run(args: FleetArgs) -> anyhow::Result<Outcome> {
    match args.command {
        FleetCommand::Init(a) => init(a),
    }
}

fn init(args: InitArgs) -> anyhow::Result<Outcome> {
    let client = args.server.client(&args.url)?;
    let options = schema::Options {
        database: client.url.database.clone(),
        ttl_days: args.ttl_days,
    };
    if args.print {
        for sql in schema::statements(&options) {
            println!("{sql};\n");
        }
        return Ok(Outcome::Success);
    }
    schema::init(&client, &options)
        .with_context(|| format!("creating the fleet tables in {}", client.url.display()))?;
    eprintln!(
        "fleet tables ready: {0}.events, {0}.loss",
        client.url.database
    );
    Ok(Outcome::Success)
}
