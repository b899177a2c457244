//! The process boundary: hand argv to `app::run` and exit with its status.

fn main() {
    let status = httperf_rs::app::run(std::env::args_os().collect());
    std::process::exit(status);
}
