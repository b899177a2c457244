//! The integration tests, as one test binary (one link instead of one per
//! file): each module is one former `tests/NAME.rs`. Run one module with
//! `cargo test --release --test it NAME::` (a filter on the test path).
//! `tests/support` is the loopback server and runner they share; the report
//! golden files live in `tests/golden`, the fuzz targets in `tests/fuzz`.
//! A new test file goes in this directory with one more `mod NAME;` below.

#[path = "../support/mod.rs"]
mod support;

mod bytes_and_files;
mod cli_parse;
mod compare;
mod dependency_order;
mod fault_injection;
mod help_claims;
mod hostile_server;
mod install;
mod load_shapes;
mod loopback;
mod man_page;
mod per_connection_cost;
mod plot;
mod print_verbose;
mod report_golden;
mod results;
mod scale;
mod sessions;
mod tls;
mod unwritable_output;
mod websocket;
