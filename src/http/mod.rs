//! HTTP on the wire: building request bytes and parsing replies incrementally.
//! Pure over byte slices: nothing here touches a socket or the clock.

pub mod cookie;
pub mod page;
pub mod request;
pub mod response;
