//! httperf-rs: an output-compatible re-implementation of httperf 0.9.0.
//! The binary (`src/main.rs`) is a thin shell around `app::run`; tests use the
//! modules declared here directly.

pub mod app;
pub mod cli;
pub mod config;
pub mod engine;
pub mod fmt;
pub mod http;
pub mod report;
pub mod results;
pub mod stats;
pub mod sys;
pub mod tls;
pub mod workload;
