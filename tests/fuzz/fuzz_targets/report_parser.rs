//! `compare`'s report reader and echo-line parser on arbitrary file
//! contents: never a panic; every report line read back is a line of the
//! input, rebuilt byte for byte from the numbers read; a document's workload
//! options differ from no one but others; and an echo line whose command line
//! is recoverable exactly is given back exactly by its items.
#![no_main]

use httperf_rs::compare::{
    is_echo_line, option_differences, parse_bytes, parse_echo, rebuild_lines,
};
use libfuzzer_sys::fuzz_target;

/// Items echoed inside single quotes.
const QUOTED: &[&str] = &["add-header", "add-header-file"];

fn lines(data: &[u8]) -> Vec<&[u8]> {
    data.split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let all_lines = lines(data);
    match parse_bytes(data) {
        Ok(reports) => {
            assert!(!reports.is_empty());
            for report in &reports {
                if let Some(options) = &report.workload_options {
                    assert!(option_differences(options, options).is_empty());
                    let none = option_differences(options, &[]);
                    assert_eq!(none.is_empty(), options.is_empty());
                }
                for line in rebuild_lines(report) {
                    // A JSON document's report is recomputed, not read.
                    if !data.starts_with(b"{") && !data.trim_ascii_start().starts_with(b"{") {
                        assert!(
                            all_lines.contains(&line.as_bytes()),
                            "rebuilt line not in the input: {line:?}"
                        );
                    }
                }
            }
        }
        Err(error) => {
            assert!(!error.message.is_empty());
            assert!(error.line <= all_lines.len());
        }
    }
    for line in all_lines {
        if !is_echo_line(line) {
            continue;
        }
        let echo = parse_echo(line);
        assert_eq!(echo.raw, line);
        assert!(!echo.items.is_empty());
        assert_eq!(echo.arguments().len(), echo.items.len());
        if echo.inexact.is_empty() {
            let mut rebuilt = echo.program.clone();
            for item in &echo.items {
                rebuilt.extend_from_slice(b" --");
                rebuilt.extend_from_slice(item.name.as_bytes());
                if let Some(value) = &item.value {
                    rebuilt.push(b'=');
                    let quoted = QUOTED.contains(&item.name.as_str());
                    if quoted {
                        rebuilt.push(b'\'');
                    }
                    rebuilt.extend_from_slice(value);
                    if quoted {
                        rebuilt.push(b'\'');
                    }
                }
            }
            assert_eq!(rebuilt, line, "items do not give the echo line back");
        }
    }
});
