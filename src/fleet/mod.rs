//! The fleet: every host's events in ClickHouse, the column store that log
//! pipelines at fleet scale already run.
//!
//! - `http`: the client (HTTP/1.1 over a TCP stream, ClickHouse's stable
//!   HTTP interface, so that old and new servers alike answer);
//! - `schema`: the tables `raudit fleet init` creates, derived from the
//!   local store's promoted columns (`store::shape`);
//! - `export`: `raudit export`, a store's events and loss rows inserted in
//!   batches, at least once, behind a durable cursor kept beside the store.
//!
//! Identity: an event is (node, time, serial), and a digest of its records
//! for the rare stamps a store holds twice (see `schema`). The tables are
//! ReplacingMergeTree ones whose sorting key holds the identity and values
//! derived from the event alone, so a batch inserted twice (a retry after a
//! lost answer) collapses into one row per event; queries read them with
//! FINAL, which shows each identity once even before the merge.

pub mod cursor;
pub mod export;
pub mod http;
pub mod query;
mod rows;
pub mod schema;

pub use http::{Client, Url};

#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    #[error("{url}: not a ClickHouse URL: {why}")]
    BadUrl { url: String, why: String },
    #[error("ClickHouse at {server}: cannot resolve the host: {source}")]
    Resolve {
        server: String,
        source: std::io::Error,
    },
    #[error("ClickHouse at {server}: connection refused; is the server running and listening on that port?")]
    Refused { server: String },
    #[error("ClickHouse at {server}: no answer within {secs} s (--timeout)")]
    Timeout { server: String, secs: f64 },
    #[error("ClickHouse at {server}: {source}")]
    Io {
        server: String,
        source: std::io::Error,
    },
    #[error("ClickHouse at {server} refused the request (HTTP {status}): {message}")]
    Http {
        server: String,
        status: u16,
        message: String,
    },
    #[error("ClickHouse at {server}: {why}")]
    Unsupported { server: String, why: String },
    #[error("ClickHouse at {server}: unexpected answer: {why}")]
    Answer { server: String, why: String },
}

impl FleetError {
    /// Whether trying again later may succeed: the server was unreachable
    /// or went away, as opposed to refusing what was sent.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            FleetError::Refused { .. } | FleetError::Timeout { .. } | FleetError::Io { .. }
        )
    }
}
