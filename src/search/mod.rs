//! ausearch's criteria: time parsing (filters become `store::query::Filter`).

pub mod follow;
pub mod time;
