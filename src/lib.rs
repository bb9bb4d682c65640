//! raudit: records the Linux kernel's audit events in SQLite and answers
//! auditctl/ausearch-style questions about them.
//!
//! Data flows one way through the daemon, one stage per module:
//! `netlink` (socket, frames) -> `record` (pure parser) -> `event`
//! (assembler) -> `store` (batched SQLite writer). Queries run against a
//! read-only connection: `search` (criteria) -> `store::query` -> `output`,
//! and `report` (aureport's summaries) over the same events.
//! Control shares one grammar for command lines and rules files: `rules`
//! -> `wire` bytes -> `netlink`.
//! Name tables every stage reads are in `tables`. The stages and the one
//! way their dependencies point are drawn in ARCHITECTURE.md, and
//! tests/architecture.rs keeps them so.

pub mod check;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod dispatch;
pub mod enrich;
pub mod event;
pub mod fleet;
pub mod import;
pub mod netlink;
pub mod output;
pub mod record;
pub mod report;
pub mod rules;
pub mod search;
pub mod store;
pub mod tables;
pub mod wire;
