//! Statistics collectors: they observe engine events and accumulate a `Summary`.

pub mod basic;
pub mod print;
pub mod session;
pub mod summary;
