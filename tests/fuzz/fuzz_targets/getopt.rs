//! The getopt_long scanner on arbitrary argv bytes over httperf-rs's real
//! option table: never a panic, always ends, reports at most one error and
//! nothing after it, and gives every option the kind of value its table row
//! allows (a required value is always there, a flag never has one).
//!
//! Input: byte 0 bit 0 = POSIXLY_CORRECT, then argv (argv[0] included) as
//! NUL-separated arguments.
#![no_main]

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::sync::OnceLock;

use httperf_rs::cli::getopt::{ArgKind, Event, OptSpec, Scanner};
use libfuzzer_sys::fuzz_target;

/// The table the CLI derives from its clap definition (same derivation).
fn table() -> &'static [OptSpec] {
    static TABLE: OnceLock<Vec<OptSpec>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut command = httperf_rs::cli::command();
        command.build();
        command
            .get_arguments()
            .filter_map(|arg| {
                let long = arg.get_long()?;
                let kind = if !arg.get_action().takes_values() {
                    ArgKind::None
                } else if arg.get_num_args().is_some_and(|n| n.min_values() == 0) {
                    ArgKind::Optional
                } else {
                    ArgKind::Required
                };
                Some(OptSpec {
                    long: long.to_string(),
                    short: arg.get_short(),
                    arg: kind,
                })
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, argv)) = data.split_first() else {
        return;
    };
    let posix = flags & 1 != 0;
    let args: Vec<OsString> = argv
        .split(|&b| b == 0)
        .map(|arg| OsString::from_vec(arg.to_vec()))
        .collect();
    let table = table();
    // Every event uses up at least one byte or one argument.
    let bound = argv.len() + args.len() + 1;
    let mut events = 0;
    let mut errors = 0;
    for event in Scanner::new(table, &args, posix) {
        events += 1;
        assert!(events <= bound, "scanner does not end");
        assert_eq!(errors, 0, "an event after the error");
        match event {
            Event::Opt { index, value } => {
                let spec = &table[index];
                match spec.arg {
                    ArgKind::None => assert!(value.is_none(), "--{} got a value", spec.long),
                    ArgKind::Required => {
                        assert!(value.is_some(), "--{} lacks its value", spec.long)
                    }
                    ArgKind::Optional => {}
                }
            }
            Event::Error(message) => {
                assert!(message.ends_with('\n'));
                errors += 1;
            }
        }
    }
});
