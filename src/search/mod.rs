//! ausearch's criteria: time parsing (filters become `store::query::Filter`).

pub mod losses;
pub mod time;
