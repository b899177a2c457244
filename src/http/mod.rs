//! HTTP on the wire: building request bytes, parsing replies incrementally,
//! and what a reply carries for a session (its cookie, the objects its HTML
//! embeds).
//! Pure over byte slices: nothing here touches a socket or the clock.

pub mod cookie;
pub mod page;
pub(crate) mod request;
pub mod response;
pub mod websocket;
