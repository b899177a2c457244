//! Statistics collectors: they observe engine events and accumulate a `Summary`.

pub(crate) mod basic;
pub(crate) mod print;
pub(crate) mod session;
pub mod summary;
