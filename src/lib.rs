//! httperf-rs: an output-compatible re-implementation of httperf 0.9.0.
//! The binary (`src/main.rs`) is a thin shell around `app::run`; tests use the
//! modules declared here directly.
//!
//! Dependencies point one way, down this order (a module uses only modules
//! below it; `tests/it/dependency_order.rs` checks every `crate::` path):
//!
//! ```text
//! app                              the phases of a run
//! compare, merge, plot, workers    subcommands over saved results, --workers
//! cli                              options, help, echo line
//! config                           validation, resolution, the run's setup
//! workload → engine → tls          what to request / sockets and timers / TLS
//! results → report → stats → http  opt-in results / the report / counters / HTTP bytes
//! c, sys, files, fmt, output       C library behaviour, libc, files, printf, stdio
//! ```
//!
//! Within a row, uses go left to right only. Workloads see the engine only
//! through `engine::Actions` and the notices it delivers; the engine never
//! names a workload.

// Nothing a peer, file or user controls may panic the program; tests may.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

// std's printing macros panic when stdout or stderr cannot be written (a
// closed pipe, a full disk). These shadow them for the whole crate, since
// they are defined before every module, and write through `output`, which
// never panics: see there.
#[allow(unused_macros)]
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::output::print_fmt(::std::format_args!($($arg)*))
    };
}
#[allow(unused_macros)]
macro_rules! println {
    () => {
        $crate::output::print_bytes(b"\n")
    };
    ($($arg:tt)*) => {
        $crate::output::print_fmt(::std::format_args!("{}\n", ::std::format_args!($($arg)*)))
    };
}
#[allow(unused_macros)]
macro_rules! eprint {
    ($($arg:tt)*) => {
        $crate::output::eprint_fmt(::std::format_args!($($arg)*))
    };
}
macro_rules! eprintln {
    () => {
        $crate::output::eprint_bytes(b"\n")
    };
    ($($arg:tt)*) => {
        $crate::output::eprint_line(::std::format!($($arg)*).as_bytes())
    };
}

#[cfg(not(target_os = "linux"))]
compile_error!("httperf-rs runs on Linux only: its event loop is built on epoll and timerfd");

pub mod app;
pub mod c;
pub mod cli;
pub mod compare;
pub mod config;
pub(crate) mod engine;
pub(crate) mod files;
pub mod http;
pub mod merge;
pub mod output;
pub mod plot;
pub mod report;
pub mod results;
pub mod stats;
pub(crate) mod sys;
pub(crate) mod tls;
pub mod workers;
pub mod workload;
