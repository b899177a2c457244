//! The whole command line, from argv bytes to the run configuration: the
//! getopt scan, every option's value parser, the cross-option checks, the
//! echo line, and `config::build` (resolution, header escapes, TLS client,
//! URI and workload set-up). Never a panic; errors always carry a message.
//!
//! `config::build` only runs when it needs neither DNS nor files (those
//! parsers have targets of their own): every server and `--myaddr` name must
//! be an address literal or `localhost`, and no option may name a file.
//!
//! Input: argv (argv[0] included) as NUL-separated arguments.
#![no_main]

use std::ffi::OsString;
use std::net::IpAddr;
use std::os::unix::ffi::OsStringExt;

use httperf_rs::cli::{self, Options, Parsed};
use httperf_rs::config;
use libfuzzer_sys::fuzz_target;

fn resolvable_offline(name: &[u8]) -> bool {
    let host = name
        .strip_prefix(b"[")
        .and_then(|rest| rest.strip_suffix(b"]"))
        .unwrap_or(name);
    host == b"localhost"
        || std::str::from_utf8(host).is_ok_and(|host| host.parse::<IpAddr>().is_ok())
}

fn buildable_offline(options: &Options) -> bool {
    let names_offline = resolvable_offline(&options.server)
        && options
            .myaddr
            .iter()
            .all(|spec| match spec.iter().position(|&b| b == b'-') {
                Some(dash) => {
                    resolvable_offline(&spec[..dash]) && resolvable_offline(&spec[dash + 1..])
                }
                None => resolvable_offline(spec),
            });
    let names_a_file = options.add_header_file.is_some()
        || options.servers.is_some()
        || options.wlog.is_some()
        || options.wsesslog.is_some()
        || options.ssl_certificate.is_some()
        || options.ssl_key.is_some()
        || options.ssl_ca_file.is_some()
        || options.ssl_ca_path.is_some();
    names_offline && !names_a_file
}

fuzz_target!(|data: &[u8]| {
    let args: Vec<OsString> = data
        .split(|&b| b == 0)
        .map(|arg| OsString::from_vec(arg.to_vec()))
        .collect();
    let options = match cli::parse(args) {
        Ok(Parsed::Run(options)) => options,
        Ok(Parsed::Help(text)) => {
            assert!(!text.is_empty());
            return;
        }
        Err(error) => {
            assert!(!error.message.is_empty());
            assert_ne!(error.status, 0);
            return;
        }
    };
    let echo = cli::echo_line(&options);
    assert!(echo.starts_with(options.program.as_bytes()));
    let _ = cli::version_line(&options.program);
    if !buildable_offline(&options) {
        return;
    }
    match config::check_before_start(&options) {
        Ok(prechecked) => {
            if let Err(fatal) = config::build(&options, prechecked) {
                assert!(!fatal.message.is_empty());
                assert_ne!(fatal.status, 0);
            }
        }
        Err(fatal) => {
            assert!(!fatal.message.is_empty());
            assert_ne!(fatal.status, 0);
        }
    }
});
